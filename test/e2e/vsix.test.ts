// Checks the .vsix that users install (built by `make package`): it holds what the extension runs
// and nothing else, and stays small. Run by scripts/test-e2e.sh right after packaging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, VSIX } from "./harness";

interface Entry {
  name: string;
  size: number;
  compressed: number;
}

/** Reads a zip's central directory (no zip64: a .vsix is far below 4 GB). */
export function listZip(buf: Buffer): Entry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip file: no end-of-central-directory record");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const n = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    out.push({ name: buf.toString("utf8", p + 46, p + 46 + n), size, compressed });
    p += 46 + n + extra + comment;
  }
  return out;
}

const MB = 1024 * 1024;
/** Limits: onnxruntime's CPU runtimes for five platforms are most of it (about 170 MB unpacked, 61 MB packed). */
const MAX_VSIX_BYTES = 80 * MB;
const MAX_UNPACKED_BYTES = 200 * MB;
const MAX_OWN_BYTES = 20 * MB; // everything but node_modules (about 6 MB minified)

test("the .vsix holds what the extension runs, and nothing else", () => {
  assert.ok(existsSync(VSIX), `no .vsix at ${VSIX}: run 'make package'`);
  const entries = listZip(readFileSync(VSIX));
  const files = entries.map((e) => e.name).filter((n) => n.startsWith("extension/")).map((n) => n.slice("extension/".length));
  const has = (f: string) => files.includes(f);
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

  const required = [
    "package.json",
    "LICENSE.txt",
    manifest.main.replace(/^\.\//, ""),
    "dist/server.js",
    "dist/cli.js",
    "trainer/pyproject.toml",
    "trainer/src/tooln1/__init__.py",
    "trainer/src/tooln1/__main__.py",
    "node_modules/onnxruntime-node/package.json",
    "node_modules/onnxruntime-node/dist/index.js",
    "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node",
    "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1",
    "node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node",
    "node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/libonnxruntime.1.dylib",
    "node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node",
    "node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll",
    "node_modules/onnxruntime-common/dist/cjs/index.js",
  ];
  // Every icon and schema the manifest names, and a bundle for every webview and worker built.
  const json = JSON.stringify(manifest.contributes);
  for (const m of json.matchAll(/"(?:\.\/)?((?:media|dist|trainer)\/[^"]+)"/g)) required.push(m[1]);
  const webviews = readdirSync(join(ROOT, "webview")).filter((d) => existsSync(join(ROOT, "webview", d, "main.ts")));
  for (const d of webviews) required.push(`dist/webview/${d}.js`);
  for (const f of readdirSync(join(ROOT, "dist")).filter((f) => f.endsWith(".worker.js"))) required.push(`dist/${f}`);
  const missing = [...new Set(required)].filter((f) => !has(f));
  assert.deepEqual(missing, [], `the .vsix lacks files the extension needs: ${missing.join(", ")}`);
  assert.ok(files.some((f) => /^readme\.md$/i.test(f)), "the .vsix has no README");

  const forbidden: [RegExp, string][] = [
    [/\.map$/, "source maps"],
    [/^(src|test|out|docs|examples|scripts|bench|webview|language-server)\//, "sources, tests or docs"],
    [/\.ts$/, "TypeScript sources"],
    [/(__pycache__|\.pyc$|\.egg-info)/, "Python caches"],
    [/(DirectML|dxcompiler|dxil)\.dll$/, "DirectML (GPU) libraries"],
    [/libonnxruntime\.\d+\.\d+\.\d+\.dylib$/, "the duplicate versioned dylib"],
    [/(cuda|tensorrt|providers_)/i, "GPU execution providers"],
    [/^node_modules\/(?!onnxruntime-node\/|onnxruntime-common\/)/, "node modules other than onnxruntime"],
    [/^(\.venv|\.e2e|dist-vsix|test-output|runs)\//, "local build or run output"],
  ];
  const bad = files.flatMap((f) => forbidden.filter(([re]) => re.test(f)).map(([, why]) => `${f} (${why})`));
  assert.deepEqual(bad, [], `the .vsix holds files users do not need:\n  ${bad.join("\n  ")}`);

  const packed = statSync(VSIX).size;
  const unpacked = entries.reduce((s, e) => s + e.size, 0);
  const own = entries.filter((e) => !e.name.startsWith("extension/node_modules/")).reduce((s, e) => s + e.size, 0);
  const fmt = (n: number) => `${(n / MB).toFixed(1)} MB`;
  console.log(`vsix: ${files.length} files, ${fmt(packed)} packed, ${fmt(unpacked)} unpacked (${fmt(own)} outside node_modules)`);
  assert.ok(packed <= MAX_VSIX_BYTES, `the .vsix is ${fmt(packed)}, over the ${fmt(MAX_VSIX_BYTES)} limit`);
  assert.ok(unpacked <= MAX_UNPACKED_BYTES, `the .vsix unpacks to ${fmt(unpacked)}, over the ${fmt(MAX_UNPACKED_BYTES)} limit`);
  assert.ok(own <= MAX_OWN_BYTES, `the extension's own files are ${fmt(own)}, over the ${fmt(MAX_OWN_BYTES)} limit`);
});
