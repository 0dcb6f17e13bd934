// The import boundaries of docs/architecture.md, as eslint enforces them: a file that crosses one fails lint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";

const root = join(__dirname, "..", "..", "..");
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, source: string): Promise<boolean> {
  const [r] = await eslint.lintText(source, { filePath: join(root, file) });
  return r.messages.some((m) => m.ruleId === "no-restricted-imports");
}

const VSCODE = 'import * as vscode from "vscode";\nexport const x = vscode;\n';
const NODE_FS = 'import { readFileSync } from "node:fs";\nexport const x = readFileSync;\n';

test("vscode is forbidden outside the host's wiring", async () => {
  for (const f of [
    "src/core/x.ts",
    "common/x.ts",
    "src/node/x.ts",
    "src/cli/x.ts",
    "language-server/x.ts",
    "webview/dashboard/x.ts",
    "src/training/runManager.ts",
    "src/training/runs.ts",
    "src/dispose.ts",
    "src/rollouts/rolloutTable.ts",
    "src/rollouts/inspectorSession.ts",
    "src/preview/tryRunner.ts",
    "src/rollouts/index.worker.ts",
  ]) {
    assert.ok(await restricted(f, VSCODE), `${f} may not import vscode`);
  }
  assert.equal(await restricted("src/training/controller.ts", VSCODE), false, "the host's wiring may");
});

test("Node built-ins are forbidden in the pure core, the shared protocols and the webviews", async () => {
  for (const f of ["src/core/x.ts", "common/x.ts", "webview/inspector/x.ts"]) assert.ok(await restricted(f, NODE_FS), f);
  assert.equal(await restricted("src/node/x.ts", NODE_FS), false);
});

test("host code, the server and the shared protocols never import from webview/", async () => {
  const WEBVIEW = (from: string) => `import { toColumns } from "${from}";\nexport const x = toColumns;\n`;
  for (const [f, from] of [
    ["src/training/controller.ts", "../../webview/dashboard/data"],
    ["src/training/runManager.ts", "../../webview/dashboard/data"],
    ["src/core/x.ts", "../../webview/dashboard/data"],
    ["common/x.ts", "../webview/dashboard/data"],
    ["language-server/x.ts", "../webview/dashboard/data"],
  ]) {
    assert.ok(await restricted(f, WEBVIEW(from)), `${f} may not import from webview/`);
  }
  assert.equal(await restricted("src/training/controller.ts", WEBVIEW("../../common/dashboard/data")), false, "common/ is where shared models live");
  assert.equal(await restricted("webview/dashboard/x.ts", WEBVIEW("../../common/dashboard/data")), false);
});

test("every host module docs/architecture.md names as vscode-free is one eslint keeps so", async () => {
  const doc = readFileSync(join(root, "docs", "architecture.md"), "utf8");
  const para = doc.slice(doc.indexOf("**Only the extension host's wiring imports `vscode`.**"), doc.indexOf("`eslint.config.mjs` lists"));
  const named = [...para.matchAll(/`([\w/.]+\.ts|[\w/]+\/)`/g)].map((m) => m[1]);
  assert.ok(named.length >= 15, named.join(", "));
  for (const n of named) {
    const path = n.startsWith("src/") || n.startsWith("common/") ? n : `src/${n}`;
    const f = path.endsWith("/") ? `${path}x.ts` : path;
    assert.ok(await restricted(f, VSCODE), `${f} is named vscode-free in docs/architecture.md but eslint lets it import vscode`);
  }
});
