// The integration suite's workspace, shared by both runners.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyExamples } from "../e2e/harness";

/** A copy of examples/ whose workspace settings try to set the machine-scoped interpreter path. */
export function integrationWorkspace(): string {
  const ws = copyExamples();
  mkdirSync(join(ws, ".vscode"), { recursive: true });
  const file = join(ws, ".vscode", "settings.json");
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    // no settings in examples/ (or not plain JSON): start from none
  }
  writeFileSync(file, JSON.stringify({ ...settings, "tooln1.pythonPath": "/nonexistent/workspace-python" }, null, 2));
  return ws;
}
