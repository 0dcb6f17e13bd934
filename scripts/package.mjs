// Packages the extension per platform: one .vsix per onnxruntime-node target, each holding only that
// platform's CPU runtime (`vsce package --target T`). `.vscodeignore` names the platform-neutral
// files; this script adds the target's onnxruntime binaries and passes the result as --ignoreFile.
//   node scripts/package.mjs                 the host's target -> dist-vsix/tool-n1-studio.vsix (make package)
//   node scripts/package.mjs --target T      target T -> dist-vsix/tool-n1-studio-T.vsix
//   node scripts/package.mjs --all           every target -> dist-vsix/tool-n1-studio-T.vsix, sizes printed
//   --no-build                               skip the production build (already done)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = "node_modules/onnxruntime-node/bin/napi-v6";

/**
 * The CPU runtime files per target (onnxruntime-node 1.30 ships these five). Left out everywhere:
 * DirectML and the shader compiler (GPU; loaded lazily), and macOS's duplicate versioned dylib (the
 * binding loads @rpath/libonnxruntime.1.dylib).
 */
export const TARGETS = {
  "linux-x64": ["linux/x64/onnxruntime_binding.node", "linux/x64/libonnxruntime.so.1"],
  "linux-arm64": ["linux/arm64/onnxruntime_binding.node", "linux/arm64/libonnxruntime.so.1"],
  "darwin-arm64": ["darwin/arm64/onnxruntime_binding.node", "darwin/arm64/libonnxruntime.1.dylib"],
  "win32-x64": ["win32/x64/onnxruntime_binding.node", "win32/x64/onnxruntime.dll"],
  "win32-arm64": ["win32/arm64/onnxruntime_binding.node", "win32/arm64/onnxruntime.dll"],
};

function hostTarget() {
  const t = `${process.platform}-${process.arch}`;
  if (!(t in TARGETS)) throw new Error(`no onnxruntime-node runtime for ${t}; pass --target (one of ${Object.keys(TARGETS).join(", ")})`);
  return t;
}

function packageTarget(target, out) {
  if (!(target in TARGETS)) throw new Error(`unknown target '${target}' (one of ${Object.keys(TARGETS).join(", ")})`);
  const base = readFileSync(join(root, ".vscodeignore"), "utf8");
  const lines = TARGETS[target].map((f) => `!${bin}/${f}`);
  for (const f of TARGETS[target]) if (!existsSync(join(root, bin, f))) throw new Error(`${bin}/${f} is missing: run 'npm ci'`);
  const ignoreFile = join(root, "dist-vsix", `.vscodeignore-${target}`);
  writeFileSync(ignoreFile, `${base}\n# onnxruntime-node's CPU runtime for ${target} (scripts/package.mjs)\n${lines.join("\n")}\n`);
  execFileSync(process.execPath, [join(root, "node_modules/@vscode/vsce/vsce"), "package", "--target", target, "--ignoreFile", ignoreFile, "--out", out], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return statSync(out).size;
}

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
mkdirSync(join(root, "dist-vsix"), { recursive: true });
if (!args.includes("--no-build")) execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "--production"], { cwd: root, stdio: "inherit" });

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
if (args.includes("--all")) {
  const sizes = {};
  for (const t of Object.keys(TARGETS)) sizes[t] = packageTarget(t, join(root, "dist-vsix", `tool-n1-studio-${t}.vsix`));
  console.log("\n.vsix per target:");
  for (const [t, n] of Object.entries(sizes)) console.log(`  tool-n1-studio-${t}.vsix  ${mb(n)}`);
} else if (opt("--target")) {
  const t = opt("--target");
  packageTarget(t, join(root, "dist-vsix", `tool-n1-studio-${t}.vsix`));
} else {
  const t = hostTarget();
  const n = packageTarget(t, join(root, "dist-vsix", "tool-n1-studio.vsix"));
  console.log(`dist-vsix/tool-n1-studio.vsix: ${t}, ${mb(n)}`);
}
