// Checks the .vsix that users install (built by `make package`): it holds what the extension runs
// and nothing else, and stays small. Run by scripts/test-e2e.sh right after packaging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { ROOT, VSIX } from "./harness";

interface Entry {
  name: string;
  size: number;
  compressed: number;
  method: number;
  offset: number;
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
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const n = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    out.push({ name: buf.toString("utf8", p + 46, p + 46 + n), size, compressed, method, offset });
    p += 46 + n + extra + comment;
  }
  return out;
}

/** The bytes of one entry (stored or deflated). */
export function readZipEntry(buf: Buffer, e: Entry): Buffer {
  const h = e.offset;
  if (buf.readUInt32LE(h) !== 0x04034b50) throw new Error(`bad local header for ${e.name}`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const data = buf.subarray(start, start + e.compressed);
  return e.method === 0 ? Buffer.from(data) : inflateRawSync(data);
}

/** onnxruntime-node's CPU runtime per target, as scripts/package.mjs adds it. */
const RUNTIME: Record<string, string[]> = {
  "linux-x64": ["linux/x64/onnxruntime_binding.node", "linux/x64/libonnxruntime.so.1"],
  "linux-arm64": ["linux/arm64/onnxruntime_binding.node", "linux/arm64/libonnxruntime.so.1"],
  "darwin-arm64": ["darwin/arm64/onnxruntime_binding.node", "darwin/arm64/libonnxruntime.1.dylib"],
  "win32-x64": ["win32/x64/onnxruntime_binding.node", "win32/x64/onnxruntime.dll"],
  "win32-arm64": ["win32/arm64/onnxruntime_binding.node", "win32/arm64/onnxruntime.dll"],
};
const BIN = "node_modules/onnxruntime-node/bin/napi-v6/";

const MB = 1024 * 1024;
/** Limits: one platform's onnxruntime CPU runtime is most of it (linux-x64: about 46 MB unpacked). */
const MAX_VSIX_BYTES = 25 * MB;
const MAX_UNPACKED_BYTES = 70 * MB;
const MAX_OWN_BYTES = 20 * MB; // everything but node_modules (about 6 MB minified)

test("the .vsix holds what the extension runs, and nothing else", () => {
  assert.ok(existsSync(VSIX), `no .vsix at ${VSIX}: run 'make package'`);
  checkVsix(VSIX);
});

// The per-platform packages `make package-all` writes, when they are there.
const perTarget = existsSync(join(ROOT, "dist-vsix")) ? readdirSync(join(ROOT, "dist-vsix")).filter((f) => /^tool-n1-studio-[\w-]+\.vsix$/.test(f)) : [];
for (const f of perTarget) test(`${f} holds its own platform's runtime only`, () => checkVsix(join(ROOT, "dist-vsix", f)));

function checkVsix(vsix: string): void {
  const buf = readFileSync(vsix);
  const entries = listZip(buf);
  const vsixManifest = entries.find((e) => e.name === "extension.vsixmanifest");
  assert.ok(vsixManifest, "the .vsix has no extension.vsixmanifest");
  const target = /TargetPlatform="([\w-]+)"/.exec(readZipEntry(buf, vsixManifest).toString("utf8"))?.[1];
  assert.ok(target && RUNTIME[target], `the .vsix names no known target platform (${target}); package it with scripts/package.mjs`);
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
    "node_modules/onnxruntime-common/dist/cjs/index.js",
    // Without it Node loads the CommonJS build as ES modules ("exports is not defined").
    "node_modules/onnxruntime-common/dist/cjs/package.json",
    ...RUNTIME[target].map((f) => BIN + f),
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
  // Only the target's own runtime: another platform's binaries are dead weight.
  const foreign = files.filter((f) => f.startsWith(BIN) && !RUNTIME[target].some((r) => f === BIN + r));
  assert.deepEqual(foreign, [], `the ${target} .vsix holds other platforms' runtime files`);

  const packed = statSync(vsix).size;
  const unpacked = entries.reduce((s, e) => s + e.size, 0);
  const own = entries.filter((e) => !e.name.startsWith("extension/node_modules/")).reduce((s, e) => s + e.size, 0);
  const fmt = (n: number) => `${(n / MB).toFixed(1)} MB`;
  console.log(`vsix (${target}): ${files.length} files, ${fmt(packed)} packed, ${fmt(unpacked)} unpacked (${fmt(own)} outside node_modules)`);
  assert.ok(packed <= MAX_VSIX_BYTES, `the .vsix is ${fmt(packed)}, over the ${fmt(MAX_VSIX_BYTES)} limit`);
  assert.ok(unpacked <= MAX_UNPACKED_BYTES, `the .vsix unpacks to ${fmt(unpacked)}, over the ${fmt(MAX_UNPACKED_BYTES)} limit`);
  assert.ok(own <= MAX_OWN_BYTES, `the extension's own files are ${fmt(own)}, over the ${fmt(MAX_OWN_BYTES)} limit`);
}
