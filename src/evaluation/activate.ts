/**
 * "Evaluate Checkpoint": BFCL accuracy of a checkpoint or an exported model, measured by
 * `python -m tooln1 eval bfcl` (BFCL's own checker) in the background with progress and cancel;
 * the results view compares every evaluation in the paper's Table 2 layout.
 */
import * as vscode from "vscode";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { Disposable, type Ctx } from "../context";
import { Config } from "../config";
import { ensureTrainerPython } from "../training/environment";
import { BFCL_CATEGORIES, DEFAULT_CATEGORIES, EvalProcess, newEvaluationDir, readEvaluation, type EvalOutcome } from "./bfcl";
import { ResultsPanel, RESULTS_VIEW_TYPE } from "./resultsPanel";

/** Arguments a caller (a test, another command) may pass instead of answering the prompts. */
interface EvaluateArgs {
  model?: string;
  categories?: string[];
  /** Questions per category; null: all. */
  limit?: number | null;
  maxNewTokens?: number;
}

export interface RunningEvaluation {
  model: string;
  outDir: string;
  process: EvalProcess;
  done: number;
  total: number;
}

/** The one evaluation that may run at a time, and who wants to hear about it. */
export class EvaluationService extends Disposable {
  running: RunningEvaluation | undefined;
  readonly output: vscode.OutputChannel;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this.output = this.register(vscode.window.createOutputChannel("Tool-N1 Evaluation"));
  }

  fire(): void {
    this.changed.fire();
  }

  cancel(): boolean {
    if (!this.running) return false;
    this.running.process.cancel();
    return true;
  }

  override dispose(): void {
    this.running?.process.cancel(0);
    super.dispose();
  }
}

/** `<folder>/<tooln1.runsDirectory>/bfcl`: where evaluations are written and listed. */
export function evaluationsRoot(folder: vscode.WorkspaceFolder): string {
  const runs = new Config(folder.uri).runsDirectory;
  return join(isAbsolute(runs) ? runs : join(folder.uri.fsPath, runs), "bfcl");
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: "Workspace folder to evaluate in" });
}

/** Model folders in the workspace: checkpoints (config.json or a LoRA adapter) and ONNX exports. */
async function pickModel(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles(
    new vscode.RelativePattern(folder, "**/{config.json,adapter_config.json,tooln1-export.json}"),
    "**/{node_modules,.venv,.venv-bfcl,.git}/**",
    500,
  );
  const dirs = [...new Set(found.map((u) => dirname(u.fsPath)))].filter((d) => existsSync(join(d, "tokenizer_config.json")) || existsSync(join(d, "tokenizer.json")));
  dirs.sort();
  const browse = { label: "$(folder-opened) Choose a model folder...", dir: "" };
  const items = [
    ...dirs.map((d) => ({ label: vscode.workspace.asRelativePath(d), description: existsSync(join(d, "model.onnx")) ? "ONNX export" : "checkpoint", dir: d })),
    browse,
  ];
  const pick = await vscode.window.showQuickPick(items, { title: "Evaluate on BFCL: checkpoint or exported model", ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick === browse) {
    const got = await vscode.window.showOpenDialog({ defaultUri: folder.uri, canSelectFiles: false, canSelectFolders: true, openLabel: "Evaluate" });
    return got?.[0]?.fsPath;
  }
  return pick.dir;
}

async function pickCategories(): Promise<string[] | undefined> {
  const items = BFCL_CATEGORIES.map((c) => ({ label: c, picked: DEFAULT_CATEGORIES.includes(c) }));
  const picked = await vscode.window.showQuickPick(items, { title: "BFCL categories", canPickMany: true, ignoreFocusOut: true });
  if (!picked) return undefined;
  return picked.map((p) => p.label);
}

async function askLimit(): Promise<number | null | undefined> {
  const v = await vscode.window.showInputBox({
    title: "Questions per category (empty: all)",
    value: "20",
    ignoreFocusOut: true,
    validateInput: (s) => (s.trim() === "" || /^[1-9]\d*$/.test(s.trim()) ? null : "a whole number >= 1, or empty for all"),
  });
  if (v === undefined) return undefined;
  return v.trim() === "" ? null : Number(v.trim());
}

export async function evaluateCheckpoint(ctx: Ctx, svc: EvaluationService, arg?: unknown): Promise<string | undefined> {
  if (!(await ctx.requireTrust("Evaluation"))) return undefined;
  if (svc.running) {
    void vscode.window.showInformationMessage(`Tool-N1: an evaluation of ${vscode.workspace.asRelativePath(svc.running.model)} is running; cancel it first.`);
    return undefined;
  }
  const folder = await pickFolder();
  if (!folder) {
    void vscode.window.showErrorMessage("Tool-N1: open a folder first; evaluations are written into the workspace.");
    return undefined;
  }
  const a: EvaluateArgs = arg instanceof vscode.Uri ? { model: arg.fsPath } : typeof arg === "string" ? { model: arg } : ((arg as EvaluateArgs) ?? {});
  const model = a.model ?? (await pickModel(folder));
  if (!model) return undefined;
  if (!existsSync(model)) throw new Error(`${model} does not exist`);
  const categories = a.categories ?? (await pickCategories());
  if (!categories?.length) return undefined;
  const bad = categories.filter((c) => !BFCL_CATEGORIES.includes(c));
  if (bad.length) throw new Error(`unknown BFCL categories: ${bad.join(", ")}`);
  const limit = a.limit !== undefined ? a.limit : await askLimit();
  if (limit === undefined) return undefined;
  const py = await ensureTrainerPython(ctx, folder.uri);
  if (!py) return undefined;

  const root = evaluationsRoot(folder);
  mkdirSync(root, { recursive: true });
  const outDir = newEvaluationDir(root, model);
  const bfclPython = new Config().bfclPythonPath;
    const maxNewTokens = a.maxNewTokens ?? new Config(folder.uri).evalMaxNewTokens;
  const proc = new EvalProcess(py.path, { model, categories, limit, outDir, maxNewTokens }, {
    cwd: folder.uri.fsPath,
    env: bfclPython ? { TOOLN1_BFCL_PYTHON: bfclPython } : undefined,
    onLine: (l) => svc.output.appendLine(l),
    onProgress: (p) => {
      if (!svc.running) return;
      svc.running.done = p.done;
      svc.running.total = p.total;
      svc.fire();
    },
  });
  svc.output.appendLine(`$ ${py.path} ${proc.args.join(" ")}`);
  svc.running = { model, outDir, process: proc, done: 0, total: 0 };
  svc.fire();
  await ResultsPanel.show(ctx, svc, root);

  const outcome: EvalOutcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Tool-N1: BFCL evaluation of ${vscode.workspace.asRelativePath(model)}`, cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => proc.cancel());
      let last = 0;
      const sub = svc.onDidChange(() => {
        const r = svc.running;
        if (!r || !r.total) return;
        progress.report({ message: `${r.done}/${r.total} generated`, increment: (100 * (r.done - last)) / r.total });
        last = r.done;
      });
      try {
        return await proc.done;
      } finally {
        sub.dispose();
      }
    },
  );
  svc.running = undefined;
  svc.fire();
  if (outcome.cancelled) {
    ctx.log.info(`evaluation of ${model} cancelled`);
    void vscode.window.showInformationMessage("Tool-N1: BFCL evaluation cancelled.");
    return undefined;
  }
  if (outcome.code !== 0) {
    const last = outcome.stderrTail.split("\n").filter((l) => l.trim() && !l.startsWith("progress ")).pop() ?? `exit code ${outcome.code}`;
    ctx.log.error(`evaluation of ${model} failed: ${outcome.stderrTail}`);
    void vscode.window.showErrorMessage(`Tool-N1: BFCL evaluation failed: ${last}`, "Show Log").then((x) => x && svc.output.show());
    return undefined;
  }
  const ev = await readEvaluation(outDir);
  await ResultsPanel.show(ctx, svc, root, outDir);
  void vscode.window.showInformationMessage(`Tool-N1: BFCL overall ${(100 * ev.scores.overall).toFixed(2)}% for ${vscode.workspace.asRelativePath(model)}.`);
  return outDir;
}

export function activateEvaluation(ctx: Ctx): void {
  const svc = new EvaluationService();
  ctx.push(svc);
  ctx.registerCommands({
    /** Arguments (optional): a model folder, or {model, categories, limit, maxNewTokens}; returns the evaluation folder. */
    "tooln1.evaluateCheckpoint": (arg?: unknown) => evaluateCheckpoint(ctx, svc, arg),
    "tooln1.cancelEvaluation": () => {
      if (!svc.cancel()) void vscode.window.showInformationMessage("Tool-N1: no evaluation is running.");
    },
    "tooln1.showEvaluations": async () => {
      const folder = await pickFolder();
      if (!folder) {
        void vscode.window.showErrorMessage("Tool-N1: open a folder first; evaluations are read from the workspace.");
        return;
      }
      await ResultsPanel.show(ctx, svc, evaluationsRoot(folder));
    },
  });
  ctx.push(
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        const folder = vscode.workspace.workspaceFolders?.[0];
        if (!folder) return panel.dispose();
        ResultsPanel.revive(ctx, svc, panel, evaluationsRoot(folder));
      },
    }),
  );
}
