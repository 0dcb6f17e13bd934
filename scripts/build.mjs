// One build for every target: extension host, language server, CLI, node workers,
// webviews (browser) and the TypeScript tests. `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from "esbuild";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");
const root = new URL("..", import.meta.url).pathname;

function walk(dir, pred, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "fixtures") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

// Node packages that must stay outside bundles: vscode (provided by the host), native addons,
// and test tools loaded from node_modules at run time.
const nodeExternal = ["vscode", "onnxruntime-node", "playwright-core", "mocha", "@vscode/test-electron", "esbuild", "eslint"];

const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
  absWorkingDir: root,
  // These packages' "main" is a UMD build with dynamic requires esbuild cannot follow: use their ESM builds.
  alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js", "vscode-json-languageservice": "vscode-json-languageservice/lib/esm/jsonLanguageService.js" },
};

const nodeEntries = {
  extension: "src/extension.ts",
  server: "language-server/server.ts",
  cli: "src/cli/main.ts",
};
// Node worker threads / child processes: src/**/<name>.worker.ts -> dist/<name>.worker.js
for (const f of walk(join(root, "src"), (p) => p.endsWith(".worker.ts"))) {
  const name = relative(join(root, "src"), f).split("/").pop().replace(/\.ts$/, "");
  nodeEntries[name] = relative(root, f);
}

const webviewEntries = {};
for (const dir of existsSync(join(root, "webview")) ? readdirSync(join(root, "webview")) : []) {
  const main = join("webview", dir, "main.ts");
  if (existsSync(join(root, main))) webviewEntries[dir] = main;
}
// Monaco's workers, bundled locally (webviews cannot load them from a CDN).
const monacoWorkers = {
  "editor.worker": "monaco-editor/editor/editor.worker.js",
  "json.worker": "monaco-editor/language/json/json.worker.js",
};

const testEntries = {};
for (const f of walk(join(root, "test"), (p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))) {
  testEntries[relative(join(root, "test"), f).replace(/\.ts$/, "")] = relative(root, f);
}
const benchEntries = {};
for (const f of walk(join(root, "bench"), (p) => p.endsWith(".ts"))) {
  // esbuild turns ".." in an entry name into "_.._", so benchmarks get their own outdir below
  benchEntries[relative(join(root, "bench"), f).replace(/\.ts$/, "")] = relative(root, f);
}

const builds = [
  { ...common, entryPoints: nodeEntries, outdir: "dist", platform: "node", format: "cjs", target: "node20", external: nodeExternal,
    banner: { js: "" } },
  { ...common, entryPoints: webviewEntries, outdir: "dist/webview", platform: "browser", format: "iife", target: "chrome120",
    loader: { ".ttf": "file", ".css": "css" } },
  { ...common, entryPoints: monacoWorkers, outdir: "dist/webview", platform: "browser", format: "iife", target: "chrome120" },
  { ...common, entryPoints: testEntries, outdir: "out/test", platform: "node", format: "cjs", target: "node20", external: nodeExternal,
    sourcemap: "inline", minify: false },
  { ...common, entryPoints: benchEntries, outdir: "out/bench", platform: "node", format: "cjs", target: "node20", external: nodeExternal,
    sourcemap: "inline", minify: false },
];

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log("esbuild: watching");
} else {
  const t0 = Date.now();
  // compiled tests and benchmarks whose sources were deleted must not run again
  for (const d of ["out/test", "out/bench"]) rmSync(join(root, d), { recursive: true, force: true });
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`esbuild: built ${Object.keys(nodeEntries).length} node, ${Object.keys(webviewEntries).length} webview, ${Object.keys(testEntries).length} test entries in ${Date.now() - t0} ms`);
}
