import * as vscode from "vscode";
import { stat } from "node:fs/promises";
import { dirname, basename } from "node:path";
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

/**
 * `tooln1.inspectRollouts` accepts: a Uri (file or run directory), {uri, line} (CodeLens), {runDir, step,
 * reasons?} (dashboard), a runs-view item carrying `runDir`/`uri`, or nothing (the active rollout file).
 */
async function inspectRollouts(ctx: Ctx, arg: unknown): Promise<void> {
  const a = (arg ?? {}) as { uri?: unknown; line?: unknown; runDir?: unknown; step?: unknown; resourceUri?: unknown; reasons?: unknown };
  const toUri = (v: unknown): vscode.Uri | null =>
    v instanceof vscode.Uri ? v : typeof v === "string" ? (v.includes("://") ? vscode.Uri.parse(v) : vscode.Uri.file(v)) : null;
  let target = arg instanceof vscode.Uri ? arg : toUri(a.runDir) ?? toUri(a.uri) ?? toUri(a.resourceUri);
  if (!target) target = vscode.window.activeTextEditor?.document.uri ?? null;
  if (!target) {
    const pick = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, openLabel: "Inspect Rollouts", title: "A rollout file or a run directory" });
    target = pick?.[0] ?? null;
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
