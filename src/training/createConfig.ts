/**
 * "Create Training Config...": a short quick-pick flow that writes `<name>.tooln1.json`
 * (validated by the language server through the config schema).
 */
import * as vscode from "vscode";

const METHODS = [
  { label: "grpo", detail: "RL with the Tool-N1 reward (the paper's method)" },
  { label: "sft", detail: "Supervised fine-tuning on the ground-truth calls" },
  { label: "sft-then-grpo", detail: "SFT first, then GRPO from the SFT model" },
];

const VARIANTS = [
  { label: "binary", detail: "Paper eq. 5: 1 if the format is right and the calls match, else 0" },
  { label: "fine-grained", detail: "Ablation: 0.2 format, +0.2 names, 1 for a full match" },
  { label: "no-format", detail: "Binary without the <think> requirement" },
  { label: "official", detail: "The official Tool-N1 scorer's semantics" },
];

function rel(from: vscode.Uri, to: vscode.Uri): string {
  const a = from.path.split("/").slice(0, -1);
  const b = to.path.split("/");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const up = a.slice(i).map(() => "..");
  const p = [...up, ...b.slice(i)].join("/");
  return p.startsWith(".") ? p : `./${p}`;
}

async function pickPath(title: string, folders: boolean, ws: vscode.Uri, candidates: vscode.Uri[]): Promise<vscode.Uri | undefined> {
  const browse = "$(folder-opened) Browse...";
  const items = [...candidates.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })), { label: browse, uri: undefined }];
  const pick = await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick.uri) return pick.uri;
  const got = await vscode.window.showOpenDialog({ defaultUri: ws, canSelectFolders: folders, canSelectFiles: !folders, title });
  return got?.[0];
}

/** Walks through model, data, method, reward and steps; returns the written config file. */
export async function createConfigFlow(folder: vscode.WorkspaceFolder): Promise<vscode.Uri | undefined> {
  const ws = folder.uri;
  const modelDirs = (await vscode.workspace.findFiles(new vscode.RelativePattern(folder, "**/config.json"), "**/{node_modules,.venv,runs}/**", 50))
    .map((u) => vscode.Uri.joinPath(u, ".."));
  const model = await pickPath("Model folder (a local Hugging Face model: config.json, weights, tokenizer)", true, ws, modelDirs);
  if (!model) return undefined;
  const datasets = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, "**/*.jsonl"), "**/{node_modules,.venv,runs,rollouts}/**", 50);
  const data = await pickPath("Training data (.jsonl)", false, ws, datasets);
  if (!data) return undefined;
  const method = await vscode.window.showQuickPick(METHODS, { title: "Method", ignoreFocusOut: true });
  if (!method) return undefined;
  const variant = await vscode.window.showQuickPick(VARIANTS, { title: "Reward variant", ignoreFocusOut: true });
  if (!variant) return undefined;
  const steps = await vscode.window.showInputBox({
    title: "Optimiser steps (empty: one epoch)",
    value: "200",
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === "" || /^[1-9]\d*$/.test(v.trim()) ? undefined : "a positive whole number, or empty"),
  });
  if (steps === undefined) return undefined;
  const name = await vscode.window.showInputBox({
    title: "Config name",
    value: "train",
    ignoreFocusOut: true,
    validateInput: (v) => (/^[A-Za-z0-9_.-]+$/.test(v) ? undefined : "letters, digits, '.', '_' or '-'"),
  });
  if (!name) return undefined;
  const target = vscode.Uri.joinPath(ws, `${name}.tooln1.json`);
  try {
    await vscode.workspace.fs.stat(target);
    const ok = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} exists. Replace it?`, { modal: true }, "Replace");
    if (ok !== "Replace") return undefined;
  } catch {
    // does not exist: fine
  }
  const maxSteps = steps.trim() ? Number(steps.trim()) : null;
  const cfg: Record<string, unknown> = {
    model: rel(target, model),
    method: method.label,
    data: { train: rel(target, data) },
    reward: { variant: variant.label },
  };
  if (method.label !== "sft") cfg.grpo = { max_steps: maxSteps, num_generations: 5, learning_rate: 1e-6 };
  if (method.label !== "grpo") cfg.sft = { max_steps: maxSteps };
  await vscode.workspace.fs.writeFile(target, Buffer.from(JSON.stringify(cfg, null, 2) + "\n", "utf8"));
  await vscode.window.showTextDocument(target, { preview: false });
  return target;
}
