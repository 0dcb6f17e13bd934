// The import boundaries of docs/architecture.md, as eslint enforces them: a file that crosses one fails lint.
import { test } from "node:test";
import assert from "node:assert/strict";
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
