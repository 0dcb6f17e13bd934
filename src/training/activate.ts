/**
 * "Train Tool-N1": launch, stream, cancel and reattach training runs; the Runs view, the status
 * bar, one output channel per run, and the live dashboard.
 */
import * as vscode from "vscode";
import { isAbsolute, join } from "node:path";
import type { Ctx } from "../context";
import { TrainingController } from "./controller";
import { RunsTreeProvider, RunItem, newestFirst } from "./runsView";
import { DashboardPanel, registerDashboardSerializer } from "./dashboardPanel";
import { ensureTrainerPython, setupEnvironment } from "./environment";
import { createConfigFlow } from "./createConfig";
import { detectRunSource } from "../node/runDir";
import { countGpus, processChoices } from "../node/gpus";

/** A run named by a command argument: a Runs view item, a path, a Uri or `{runDir}`. */
function runDirArg(arg: unknown): string | undefined {
  if (arg instanceof RunItem) return arg.dir;
  if (typeof arg === "string") return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg && typeof arg === "object" && typeof (arg as { runDir?: unknown }).runDir === "string") return (arg as { runDir: string }).runDir;
  return undefined;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: "Workspace folder to train in" });
}

const CONFIG_GLOB = "**/{*.tooln1.json,tooln1.config.json,tooln1*.config.json,*.tooln1.yaml,*.tooln1.yml,train/*.yaml,train/*.yml,train/*.json,configs/*.yaml,configs/*.yml}";

async function pickConfig(folder: vscode.WorkspaceFolder): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, CONFIG_GLOB), "**/{node_modules,.venv,runs}/**", 100);
  const create = { label: "$(add) Create a new training config...", uri: undefined as vscode.Uri | undefined };
  const browse = { label: "$(folder-opened) Choose a config file...", uri: undefined as vscode.Uri | undefined };
  const items = [...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u as vscode.Uri | undefined })), create, browse];
  const pick = await vscode.window.showQuickPick(items, { title: "Train Tool-N1: training config", ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick === create) return createConfigFlow(folder);
  if (pick === browse) {
    const got = await vscode.window.showOpenDialog({ defaultUri: folder.uri, canSelectFiles: true, filters: { "Training config": ["json", "yaml", "yml"] } });
    return got?.[0];
  }
  return pick.uri;
}

export function activateTraining(ctx: Ctx): void {
  const controller = new TrainingController(ctx);
  ctx.push(controller);
  const tree = new RunsTreeProvider(controller);
  ctx.push(tree, vscode.window.createTreeView("tooln1.runs", { treeDataProvider: tree, showCollapseAll: false }));
  ctx.push(registerDashboardSerializer(ctx, controller));
  // "Cancel Training Run" is offered only while a run is running (package.json: commandPalette).
  const syncRunActive = () => void vscode.commands.executeCommand("setContext", "tooln1.runActive", controller.liveRuns().length > 0);
  ctx.push(controller.onDidChange(syncRunActive), controller.onStatus(syncRunActive));
  syncRunActive();
  const envOutput = vscode.window.createOutputChannel("Tool-N1 Training Environment");
  ctx.push(envOutput);

  const openDashboard = async (arg?: unknown) => {
    let dir = runDirArg(arg);
    if (!dir) {
      const live = controller.liveRuns();
      const all = [...controller.entries.values()];
      const choices = newestFirst(live.length ? live : all).map((e) => ({ label: vscode.workspace.asRelativePath(e.dir), dir: e.dir }));
      if (choices.length === 1) dir = choices[0].dir;
      else if (choices.length) dir = (await vscode.window.showQuickPick(choices, { title: "Open Run Dashboard" }))?.dir;
      else {
        await vscode.commands.executeCommand("tooln1.openRunFolder");
        return undefined;
      }
    }
    if (!dir) return undefined;
    await DashboardPanel.show(ctx, controller, [dir]);
    return dir;
  };

  ctx.registerCommands({
    /** Arguments (optional): a config path or Uri, then the number of processes; returns the run directory. */
    "tooln1.train": async (arg?: unknown, processesArg?: unknown) => {
      if (!(await ctx.requireTrust("Training"))) return undefined;
      const folder = await pickFolder();
      if (!folder) {
        void vscode.window.showErrorMessage("Tool-N1: open a folder first; runs are written into the workspace.");
        return undefined;
      }
      let config = arg instanceof vscode.Uri ? arg : typeof arg === "string" ? vscode.Uri.file(isAbsolute(arg) ? arg : join(folder.uri.fsPath, arg)) : undefined;
      config ??= await pickConfig(folder);
      if (!config) return undefined;
      // unsaved edits would silently not be trained on
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === config!.fsPath);
      if (doc?.isDirty) await doc.save();
      const py = await ensureTrainerPython(ctx, folder.uri);
      if (!py) return undefined;
      let processes = typeof processesArg === "number" && Number.isInteger(processesArg) && processesArg >= 1 ? processesArg : undefined;
      if (processes === undefined) {
        const gpus = await countGpus();
        if (gpus > 1) {
          const items = [
            ...processChoices(gpus),
            { processes: 0, label: "As the config says", description: "launch.processes (default 1)" },
          ];
          const pick = await vscode.window.showQuickPick(items, { title: `Train Tool-N1: training processes (${gpus} GPUs found)`, ignoreFocusOut: true });
          if (!pick) return undefined;
          processes = pick.processes || undefined;
        }
      }
      const e = controller.launch(py.path, config.fsPath, folder, false, processes);
      void vscode.window
        .showInformationMessage(`Tool-N1: training started (${vscode.workspace.asRelativePath(e.dir)}).`, "Open Dashboard", "Show Log")
        .then((a) => {
          if (a === "Open Dashboard") void openDashboard(e.dir);
          else if (a === "Show Log") controller.showLog(e.dir);
        });
      return e.dir;
    },
    "tooln1.cancelRun": async (arg?: unknown) => {
      // The user's cancel (Command Palette, Runs view) asks first; a caller naming the run directory does not.
      const interactive = typeof arg !== "string";
      let dir = runDirArg(arg);
      if (!dir) {
        const live = controller.liveRuns();
        if (!live.length) {
          void vscode.window.showInformationMessage("Tool-N1: no training run is active.");
          return false;
        }
        dir = live.length === 1 ? live[0].dir : (await vscode.window.showQuickPick(newestFirst(live).map((e) => ({ label: vscode.workspace.asRelativePath(e.dir), dir: e.dir })), { title: "Cancel which run?" }))?.dir;
        if (!dir) return false;
      }
      if (interactive) {
        if (!controller.liveRuns().some((e) => e.dir === dir)) {
          void vscode.window.showInformationMessage(`Tool-N1: ${vscode.workspace.asRelativePath(dir)} is not running.`);
          return false;
        }
        const yes = "Cancel Run";
        const answer = await vscode.window.showWarningMessage(
          `Cancel the training run ${vscode.workspace.asRelativePath(dir)}?`,
          { modal: true, detail: "The trainer is stopped; checkpoints and rollouts written so far are kept." },
          yes,
        );
        if (answer !== yes) return false;
      }
      const r = controller.cancel(dir);
      if (!r.ok) {
        void vscode.window.showInformationMessage(`Tool-N1: ${vscode.workspace.asRelativePath(dir)} was not cancelled: ${r.reason}.`);
        return false;
      }
      return true;
    },
    "tooln1.openDashboard": openDashboard,
    "tooln1.openRunFolder": async (arg?: unknown) => {
      let dir = runDirArg(arg);
      if (!dir) {
        const got = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: "Run folder (Tool-N1, TRL output or verl file log)" });
        dir = got?.[0]?.fsPath;
      }
      if (!dir) return undefined;
      if (!(await detectRunSource(dir))) {
        void vscode.window.showErrorMessage(
          `Tool-N1: ${dir} is not a run folder. Choose a folder with run.json/events.jsonl (Tool-N1), trainer_state.json or completions/ (TRL), or a verl file-logger .jsonl.`,
        );
        return undefined;
      }
      await DashboardPanel.show(ctx, controller, [dir]);
      return dir;
    },
    "tooln1.showRunLog": async (arg?: unknown) => {
      const dir = runDirArg(arg) ?? controller.liveRuns()[0]?.dir;
      if (!dir) {
        void vscode.window.showInformationMessage("Tool-N1: choose a run in the Runs view to see its log.");
        return;
      }
      controller.showLog(dir);
    },
    "tooln1.refreshRuns": () => controller.refresh(),
    "tooln1.setupEnvironment": () => setupEnvironment(ctx, envOutput),
    "tooln1.createConfig": async () => {
      const folder = await pickFolder();
      if (!folder) {
        void vscode.window.showErrorMessage("Tool-N1: open a folder first; the config is written into the workspace.");
        return undefined;
      }
      return (await createConfigFlow(folder))?.fsPath;
    },
  });

  // Reattach to runs still going (window reload, VS Code restart) and list finished ones.
  void controller.refresh().catch((e: Error) => ctx.log.error(`scanning runs: ${e.message}`));
  ctx.push(
    vscode.workspace.onDidChangeWorkspaceFolders(() => void controller.refresh()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void controller.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("tooln1.runsDirectory")) void controller.refresh();
    }),
  );
}
