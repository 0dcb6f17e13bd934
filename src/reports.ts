/**
 * Read-only report documents ("Score Completions File", "Show All Dataset Problems"): served by a
 * content provider under the `tooln1-report` scheme, named after their input, so the tab has a clear
 * title, the editor never marks them unsaved and closing them asks nothing.
 */
import * as vscode from "vscode";
import type { Ctx } from "./context";

export const REPORT_SCHEME = "tooln1-report";

const contents = new Map<string, string>();
const changed = new vscode.EventEmitter<vscode.Uri>();
let registered = false;

/**
 * Opens `content` as a read-only document named `name` (its extension picks the language); the same
 * name again replaces the earlier report.
 */
export async function showReport(ctx: Ctx, name: string, content: string, options: vscode.TextDocumentShowOptions = {}): Promise<vscode.TextEditor> {
  if (!registered) {
    registered = true;
    ctx.push(
      vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, { onDidChange: changed.event, provideTextDocumentContent: (uri) => contents.get(uri.toString()) ?? "" }),
      changed,
      { dispose: () => ((registered = false), contents.clear()) },
    );
  }
  const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name.replace(/[\\/]/g, "_")}` });
  const key = uri.toString();
  const had = contents.has(key);
  contents.set(key, content);
  if (had) changed.fire(uri);
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, options);
}
