import * as vscode from "vscode";
import { stat } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { Config } from "../config";
import { listRuns } from "../node/runDir";
import type { Ctx } from "../context";
import { REASON_CODES, type ReasonCode } from "../core/types";
import { activateEditorFeatures } from "./editorFeatures";
import { INSPECTOR_VIEW_TYPE, RolloutInspectorProvider, openRunInspector } from "./inspector";

/** Registers the rollout inspector (custom editor + command) and the inline editor features. */
export function activateRollouts(ctx: Ctx): void {
  ctx.push(
    vscode.window.registerCustomEditorProvider(INSPECTOR_VIEW_TYPE, new RolloutInspectorProvider(ctx), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
  );
  activateEditorFeatures(ctx);
  ctx.registerCommands({ "tooln1.inspectRollouts": (arg: unknown) => inspectRollouts(ctx, arg) });
}

/** A run of the workspace (newest first), or a file or folder from the open dialog. */
async function pickRolloutTarget(): Promise<vscode.Uri | null> {
  const runs: { label: string; description?: string; uri?: vscode.Uri; started: string }[] = [];
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    const runsDir = join(f.uri.fsPath, new Config(f.uri).runsDirectory);
    for (const r of await listRuns(runsDir).catch(() => [])) {
      runs.push({ label: vscode.workspace.asRelativePath(r.dir), description: r.info?.status, uri: vscode.Uri.file(r.dir), started: r.info?.started ?? "" });
    }
  }
  runs.sort((a, b) => b.started.localeCompare(a.started) || b.label.localeCompare(a.label));
  const browse: (typeof runs)[number] = { label: "$(folder-opened) Choose a rollout file or run folder…", started: "" };
  const pick = runs.length ? await vscode.window.showQuickPick([...runs, browse], { title: "Inspect Rollouts: which run?" }) : browse;
  if (!pick) return null;
  if (pick !== browse && pick.uri) return pick.uri;
  const got = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, openLabel: "Inspect Rollouts", title: "A rollout file or a run directory" });
  return got?.[0] ?? null;
}

/**
 * `tooln1.inspectRollouts` accepts: a Uri (file or run directory), {uri, line} (CodeLens), {runDir, step,
 * reasons?} (dashboard), a runs-view item carrying `runDir`/`uri`, or nothing (the active rollout file).
 */
async function inspectRollouts(ctx: Ctx, arg: unknown): Promise<void> {
  const a = (arg ?? {}) as { uri?: unknown; line?: unknown; runDir?: unknown; step?: unknown; resourceUri?: unknown; reasons?: unknown };
  const toUri = (v: unknown): vscode.Uri | null =>
    v instanceof vscode.Uri ? v : typeof v === "string" ? (v.includes("://") ? vscode.Uri.parse(v) : vscode.Uri.file(v)) : null;
  let target = arg instanceof vscode.Uri ? arg : toUri(a.runDir) ?? toUri(a.uri) ?? toUri(a.resourceUri);
  if (!target) {
    // The active editor counts only when it shows a file on disk (not an untitled or output document).
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.uri.scheme === "file" && !doc.isUntitled) target = doc.uri;
  }
  if (!target) {
    target = await pickRolloutTarget();
    if (!target) return;
  }
  const st = await stat(target.fsPath).catch(() => null);
  if (!st) throw new Error(`${target.fsPath} does not exist`);
  const step = typeof a.step === "number" ? a.step : undefined;
  const reasons = Array.isArray(a.reasons) ? a.reasons.filter((r): r is ReasonCode => typeof r === "string" && (REASON_CODES as readonly string[]).includes(r)) : undefined;
  if (st.isDirectory()) {
    openRunInspector(ctx, target, step, reasons?.length ? reasons : undefined);
    return;
  }
  if (typeof a.line === "number") RolloutInspectorProvider.pendingSelect.set(target.fsPath, a.line);
  if (step !== undefined && basename(dirname(target.fsPath)) === "rollouts") {
    openRunInspector(ctx, vscode.Uri.file(dirname(dirname(target.fsPath))), step);
    return;
  }
  await vscode.commands.executeCommand("vscode.openWith", target, INSPECTOR_VIEW_TYPE, vscode.ViewColumn.Beside);
}
