/**
 * "Score Completions File": the `tooln1 score` CLI inside VS Code. Scores a JSONL file of
 * {"completion", "answer"} records with the configured reward variant and opens the results
 * (one JSON line per record, the same bytes as the CLI) beside it as a read-only document named
 * `<input>.scores-<variant>.jsonl`, with a summary.
 */
import * as vscode from "vscode";
import { createReadStream } from "node:fs";
import type { Ctx } from "./context";
import { Config } from "./config";
import { scoreStream } from "./cli/score";
import type { RewardVariant } from "./core/types";
import { showReport } from "./reports";

export function activateScoring(ctx: Ctx): void {
  ctx.registerCommands({ "tooln1.scoreFile": (arg?: unknown) => scoreFile(ctx, arg) });
}

async function pickFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === "file" && active.path.endsWith(".jsonl")) return active;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { "JSON Lines": ["jsonl"] }, openLabel: "Score" });
  return picked?.[0];
}

async function scoreFile(ctx: Ctx, arg: unknown): Promise<void> {
  const uri = await pickFile(arg);
  if (!uri) return;
  if (uri.scheme !== "file") throw new Error(`only local files can be scored (got ${uri.scheme}:)`);
  const variant: RewardVariant = new Config(uri).reward;
  const parts: string[] = [];
  const { records, bad } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Tool-N1: scoring ${uri.path.split("/").pop()} (${variant})`, cancellable: false },
    () =>
      scoreStream(createReadStream(uri.fsPath), variant, async (chunk) => {
        parts.push(chunk);
      }),
  );
  const text = parts.join("");
  let sum = 0;
  let full = 0;
  const reasons = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line) as { reward?: number; reason?: string };
    if (typeof r.reward !== "number") continue;
    sum += r.reward;
    if (r.reward === 1) full++;
    reasons.set(r.reason ?? "?", (reasons.get(r.reason ?? "?") ?? 0) + 1);
  }
  const scored = records - bad;
  const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${k} ${n}`).join(", ");
  const summary = `${scored} scored, mean reward ${scored ? (sum / scored).toFixed(3) : "n/a"}, ${full} full matches` + (top ? ` (${top})` : "") + (bad ? `; ${bad} unreadable line(s)` : "");
  ctx.log.info(`score ${uri.fsPath} [${variant}]: ${summary}`);
  const base = uri.path.split("/").pop() ?? "completions.jsonl";
  await showReport(ctx, `${base.replace(/\.jsonl$/i, "")}.scores-${variant}.jsonl`, text, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  const show = bad ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`Tool-N1: ${summary}`);
}
