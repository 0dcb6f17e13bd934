/**
 * The trainer's Python environment: which interpreter runs it, and "Set up Training Environment"
 * (a virtual environment in the extension's global storage with the bundled trainer installed).
 */
import * as vscode from "vscode";
import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Config } from "../config";
import type { Ctx } from "../context";
import { checkTrainer, resolvePython, venvPython, type ResolvedPython, type TrainerCheck } from "./runManager";
import { LineSplitter, PipProgressReader, pipInstallTrainerArgs, pipSupportsRawProgress } from "./pipInstall";

export function managedVenvDir(ctx: Ctx): string {
  return vscode.Uri.joinPath(ctx.extension.globalStorageUri, "venv").fsPath;
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(p: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

/** The interpreter the Python extension has selected for this folder, if it is installed. */
async function pythonExtensionInterpreter(folder?: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!ext) return undefined;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const envs = api?.environments;
    const active = envs?.getActiveEnvironmentPath(folder);
    if (!envs || !active) return undefined;
    const resolved = await envs.resolveEnvironment(active);
    return resolved?.executable?.uri?.fsPath;
  } catch {
    return undefined;
  }
}

const SOURCE_WORDS: Record<ResolvedPython["source"], string> = {
  setting: "the tooln1.pythonPath setting",
  "python-extension": "the Python extension's selected interpreter",
  "managed-venv": "the environment from Set up Training Environment",
  path: "python3 on PATH",
};

/**
 * Finds an interpreter that imports the trainer. When none does, says why and offers set-up.
 * Returns undefined when the user has to act first.
 */
export async function ensureTrainerPython(ctx: Ctx, folder?: vscode.Uri): Promise<ResolvedPython | undefined> {
  const setting = new Config().pythonPath;
  // An interpreter named in the settings is the only one tried; otherwise the first of the
  // Python extension's, the managed environment and PATH that imports the trainer wins.
  const candidates: ResolvedPython[] = [];
  if (setting) candidates.push({ path: setting, source: "setting" });
  else {
    const ext = await pythonExtensionInterpreter(folder);
    if (ext) candidates.push({ path: ext, source: "python-extension" });
    const venv = resolvePython({ managedVenv: managedVenvDir(ctx) });
    if (venv.source === "managed-venv") candidates.push(venv);
    candidates.push(resolvePython({}));
  }
  let first: { py: ResolvedPython; check: TrainerCheck } | undefined;
  for (const py of candidates) {
    const check: TrainerCheck = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "Tool-N1: checking the Python environment" },
      () => checkTrainer(py.path, folder?.fsPath),
    );
    if (check.ok) {
      ctx.log.info(`trainer interpreter: ${py.path} (${SOURCE_WORDS[py.source]})`);
      return py;
    }
    ctx.log.warn(`trainer check failed for ${SOURCE_WORDS[py.source]}: ${check.detail}`);
    first ??= { py, check };
  }
  const { py, check } = first!;
  const pick = await vscode.window.showErrorMessage(
    `Tool-N1: the trainer cannot run with ${SOURCE_WORDS[py.source]}: ${check.detail}. Set up a training environment, or point tooln1.pythonPath (user settings) at an interpreter with the tooln1 package installed.`,
    "Set up Training Environment",
    "Open User Settings",
  );
  if (pick === "Set up Training Environment") await vscode.commands.executeCommand("tooln1.setupEnvironment");
  else if (pick === "Open User Settings") await vscode.commands.executeCommand("workbench.action.openSettings", "tooln1.pythonPath");
  return undefined;
}

/**
 * Runs a process, streaming its output to a channel (pip's raw "Progress N of M" lines are read,
 * not shown); `onLine` sees every line. Rejects with the last lines on failure.
 */
function runStreaming(
  cmd: string,
  args: string[],
  out: vscode.OutputChannel,
  token: vscode.CancellationToken,
  onLine?: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    out.appendLine(`$ ${[cmd, ...args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`);
    const p = spawn(cmd, args, { env: { ...process.env, PYTHONUNBUFFERED: "1" }, windowsHide: true });
    let tail = "";
    const lines = new LineSplitter();
    const onLines = (ls: string[]) => {
      for (const l of ls) {
        onLine?.(l);
        if (/^Progress \d+ of \d+$/.test(l.trim())) continue;
        out.appendLine(l);
        tail = (tail + l + "\n").slice(-2000);
      }
    };
    p.stdout.on("data", (b: Buffer) => onLines(lines.push(b.toString("utf8"))));
    p.stderr.on("data", (b: Buffer) => onLines(lines.push(b.toString("utf8"))));
    const sub = token.onCancellationRequested(() => p.kill("SIGTERM"));
    p.once("error", (e) => {
      sub.dispose();
      reject(new Error(`could not run ${cmd}: ${e.message}`));
    });
    p.once("close", (code) => {
      sub.dispose();
      onLines(lines.end());
      if (code === 0) resolve();
      else if (token.isCancellationRequested) reject(new Error("cancelled"));
      else reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")} failed (exit ${code}): ${tail.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
}

function pipVersion(py: string): Promise<string> {
  return new Promise((resolve) => execFile(py, ["-m", "pip", "--version"], { timeout: 60_000 }, (_e, stdout) => resolve(String(stdout ?? ""))));
}

/**
 * "Set up Training Environment": a venv in global storage with the bundled trainer and what
 * training needs (`pip install <trainer>[train]`), pip's progress in the notification and its
 * output in the channel; then the same import check training runs.
 */
export async function setupEnvironment(ctx: Ctx, out: vscode.OutputChannel): Promise<string | undefined> {
  if (!(await ctx.requireTrust("Setting up the training environment"))) return undefined;
  const venv = managedVenvDir(ctx);
  const trainerDir = ctx.asAbsolutePath("trainer");
  if (!existsSync(trainerDir)) throw new Error(`the bundled trainer is missing at ${trainerDir}; reinstall the extension`);
  const base = new Config().pythonPath || (process.platform === "win32" ? "python" : "python3");
  out.show(true);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Tool-N1: setting up the training environment", cancellable: true },
    async (progress, token) => {
      await vscode.workspace.fs.createDirectory(ctx.extension.globalStorageUri);
      if (!existsSync(venvPython(venv))) {
        progress.report({ message: `creating a virtual environment with ${base}` });
        await runStreaming(base, ["-m", "venv", venv], out, token);
      }
      const py = venvPython(venv);
      progress.report({ message: "upgrading pip" });
      await runStreaming(py, ["-m", "pip", "install", "--upgrade", "pip"], out, token);
      // pip builds in the source folder: build from a copy, so the installed extension stays as shipped.
      const src = join(ctx.extension.globalStorageUri.fsPath, "trainer-src");
      rmSync(src, { recursive: true, force: true });
      cpSync(trainerDir, src, { recursive: true });
      const reader = new PipProgressReader();
      let message = "installing the trainer with torch, transformers and TRL (several minutes)";
      let shownAt = 0;
      progress.report({ message });
      const raw = pipSupportsRawProgress(await pipVersion(py));
      await runStreaming(py, pipInstallTrainerArgs(src, raw), out, token, (line) => {
        const p = reader.line(line);
        if (!p) return;
        if (p.message) message = p.message;
        const now = Date.now();
        if (!p.message && now - shownAt < 250) return; // a download reports many times a second
        shownAt = now;
        progress.report({ message: p.fraction !== undefined && p.fraction > 0 ? `${message} ${Math.round(p.fraction * 100)}%` : message });
      });
      progress.report({ message: "checking that the trainer and TRL import" });
      const check = await checkTrainer(py);
      if (!check.ok) throw new Error(check.detail);
      out.appendLine(`Training environment ready: ${py}`);
      void vscode.window.showInformationMessage(`Tool-N1: training environment ready (${py}).`);
      return py;
    },
  );
}
