// Waiting helpers for the integration suite: every wait is on a VS Code event, bounded by a timeout.
import * as vscode from "vscode";

export const EXTENSION_ID = "tooln1.tool-n1-studio";

export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  await ext.activate();
  return ext;
}

/** Resolves with the diagnostics of `uri` once `pred` holds for them (now or after a change event). */
export function waitForDiagnostics(uri: vscode.Uri, pred: (d: readonly vscode.Diagnostic[]) => boolean, timeoutMs = 30_000): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const d = vscode.languages.getDiagnostics(uri);
      if (pred(d)) {
        sub.dispose();
        clearTimeout(timer);
        resolve(d);
      }
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      sub.dispose();
      const now = vscode.languages.getDiagnostics(uri).map((d) => `${d.code}: ${d.message}`);
      reject(new Error(`diagnostics of ${uri.fsPath} did not reach the expected state in ${timeoutMs / 1000} s; now: ${JSON.stringify(now)}`));
    }, timeoutMs);
    check();
  });
}

export async function findOne(glob: string): Promise<vscode.Uri> {
  const [uri] = await vscode.workspace.findFiles(glob, "**/node_modules/**", 1);
  if (!uri) throw new Error(`no file matching ${glob} in the workspace (${vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath).join(", ")})`);
  return uri;
}
