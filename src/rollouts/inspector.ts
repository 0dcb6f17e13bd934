/**
 * The rollout inspector: a custom editor for rollout files (`tooln1.rolloutInspector`) and a panel for
 * run directories (`tooln1.inspectRollouts` with {runDir, step}). Each owns an index worker and an
 * InspectorSession; the webview gets a strict CSP with a nonce and only the extension's dist folder.
 */
import * as vscode from "vscode";
import type { Ctx } from "../context";
import type { ReasonCode } from "../core/types";
import { Config } from "../config";
import { RolloutIndexClient } from "./indexClient";
import { InspectorSession } from "./inspectorSession";
import { loadWebviewPage } from "../webviewPanel";
import { isToHost, type RolloutFilter, type RowDetail } from "../../common/inspector/protocol";

export const INSPECTOR_VIEW_TYPE = "tooln1.rolloutInspector";

/** Wires one webview to a new index over `paths`. Returns what to dispose with the webview. */
export function attachInspector(
  ctx: Ctx,
  webview: vscode.Webview,
  paths: string[],
  opts: { title: string; filter?: RolloutFilter; select?: { path: string; line: number } | null },
): vscode.Disposable {
  const dist = vscode.Uri.joinPath(ctx.extension.extensionUri, "dist");
  const variant = new Config(vscode.Uri.file(paths[0])).reward;
  const client = new RolloutIndexClient(vscode.Uri.joinPath(dist, "index.worker.js").fsPath);
  const opened = client.open(paths, variant, true);
  opened.catch((e: unknown) => {
    ctx.log.error(`rollout inspector: ${e instanceof Error ? e.message : String(e)}`);
    void webview.postMessage({ type: "error", message: `Could not open ${paths.join(", ")}: ${e instanceof Error ? e.message : String(e)}` });
  });
  const session = new InspectorSession(client, (m) => webview.postMessage(m), { title: opts.title, variant, filter: opts.filter ?? {}, select: opts.select ?? null }, {
    openPreview: (d: RowDetail) => openInPreview(d),
    revealLine: async (path, line) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
      const pos = new vscode.Position(line, 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.Beside });
    },
  });
  const sub = webview.onDidReceiveMessage((m: unknown) => {
    if (isToHost(m)) void opened.then(() => session.handle(m), () => undefined);
  });
  loadWebviewPage(webview, ctx.extension.extensionUri, "inspector", opts.title);
  return new vscode.Disposable(() => {
    sub.dispose();
    session.dispose();
    void client.dispose();
  });
}

/** Opens a rollout in the Monaco preview (src/preview). */
export async function openInPreview(d: RowDetail): Promise<void> {
  if (!d.record) throw new Error(d.error ?? "this line is not a readable rollout");
  await vscode.commands.executeCommand("tooln1.openPreview", { completion: d.record.completion, groundTruth: d.record.ground_truth });
}

class RolloutDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** Custom editor: one index per open editor (the file is never read whole, so two are cheap). */
export class RolloutInspectorProvider implements vscode.CustomReadonlyEditorProvider<RolloutDocument> {
  /** A line to select in the next editor opened on this path (set by CodeLens "Inspect"). */
  static pendingSelect = new Map<string, number>();
  constructor(private readonly ctx: Ctx) {}
  openCustomDocument(uri: vscode.Uri): RolloutDocument {
    return new RolloutDocument(uri);
  }
  resolveCustomEditor(doc: RolloutDocument, panel: vscode.WebviewPanel): void {
    const path = doc.uri.fsPath;
    const line = RolloutInspectorProvider.pendingSelect.get(path);
    RolloutInspectorProvider.pendingSelect.delete(path);
    const d = attachInspector(this.ctx, panel.webview, [path], { title: `Rollouts: ${vscode.workspace.asRelativePath(doc.uri)}`, select: line === undefined ? null : { path, line } });
    panel.onDidDispose(() => d.dispose());
  }
}

/** A panel on a run directory (every rollout file in it), optionally filtered to a step and reasons. */
export function openRunInspector(ctx: Ctx, runDir: vscode.Uri, step?: number, reasons?: ReasonCode[]): vscode.WebviewPanel {
  const what = [step !== undefined ? `step ${step}` : "", reasons?.length ? reasons.join(", ") : ""].filter(Boolean).join(", ");
  const title = `Rollouts: ${vscode.workspace.asRelativePath(runDir)}${what ? ` (${what})` : ""}`;
  const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE + ".run", title, vscode.ViewColumn.Active, { retainContextWhenHidden: true });
  const filter: RolloutFilter = step !== undefined ? { stepMin: step, stepMax: step } : {};
  if (reasons?.length) filter.reasons = reasons;
  const d = attachInspector(ctx, panel.webview, [runDir.fsPath], { title, filter });
  panel.onDidDispose(() => d.dispose());
  return panel;
}
