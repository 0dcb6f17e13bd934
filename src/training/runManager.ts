/**
 * Launching, following, cancelling and reattaching training runs. No vscode import: the
 * extension host wires it to the UI, and node --test drives it against the real trainer.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RunInfo, TrainEvent } from "../core/types";
import { RunFollower, listRuns, type MetricPoint, type RunState } from "../node/runDir";
import { FileTailer } from "../node/tail";
import { RUN_TOKEN_ENV, newRunToken, readProcStat, verifyRunInfo, verifyTrainer, type TrainerIdentity } from "../node/trainerProcess";
import type { IDisposable } from "../dispose";

export type PythonSource = "setting" | "python-extension" | "managed-venv" | "path";

export interface ResolvedPython {
  path: string;
  source: PythonSource;
}

export interface PythonCandidates {
  /** `tooln1.pythonPath` (user/machine level only). */
  setting?: string;
  /** The Python extension's selected interpreter, when that extension is installed. */
  pythonExtension?: string;
  /** `<globalStorage>/venv`, created by "Set up Training Environment". */
  managedVenv?: string;
}

export function venvPython(venv: string): string {
  return process.platform === "win32" ? join(venv, "Scripts", "python.exe") : join(venv, "bin", "python");
}

/** The interpreter order: setting, Python extension, managed venv, python3 on PATH. */
export function resolvePython(c: PythonCandidates): ResolvedPython {
  if (c.setting) return { path: c.setting, source: "setting" };
  if (c.pythonExtension) return { path: c.pythonExtension, source: "python-extension" };
  if (c.managedVenv && existsSync(venvPython(c.managedVenv))) return { path: venvPython(c.managedVenv), source: "managed-venv" };
  return { path: process.platform === "win32" ? "python" : "python3", source: "path" };
}

export interface TrainerCheck {
  ok: boolean;
  /** What failed, in words, when not ok. */
  detail: string;
}

/** Runs `python -c "import tooln1, trl"`: the trainer and TRL must import. */
export function checkTrainer(python: string, cwd?: string, timeoutMs = 60_000): Promise<TrainerCheck> {
  return new Promise((resolve) => {
    execFile(python, ["-c", "import tooln1, trl"], { cwd, timeout: timeoutMs, env: { ...process.env, PYTHONUNBUFFERED: "1" } }, (err, _out, stderr) => {
      if (!err) return resolve({ ok: true, detail: "" });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return resolve({ ok: false, detail: `no Python interpreter at ${python}` });
      const last = String(stderr).trim().split("\n").pop() ?? err.message;
      resolve({ ok: false, detail: `${python} cannot import the trainer: ${last}` });
    });
  });
}

/** The argument array for one training run (never a shell string). */
export function trainArgs(config: string, runDir: string, resume: boolean, extra: string[] = []): string[] {
  return ["-m", "tooln1", "train", "--config", config, "--run-dir", runDir, ...(resume ? ["--resume"] : []), ...extra];
}

/** A fresh run directory name: `<runs>/<yyyymmdd-hhmmss>-<config stem>`. */
/**
 * A run directory's name: `<UTC time>-<config stem>`, e.g. `20261125-150405-tiny-grpo` (the one
 * scheme; `run_dir_name` in tooln1/train.py names runs started from a terminal the same way).
 */
export function runDirName(configPath: string, now = new Date()): string {
  const stem = (configPath.split(/[\\/]/).pop() ?? "run").replace(/(\.tooln1)?\.(json|ya?ml)$/i, "").replace(/[^A-Za-z0-9_.-]+/g, "-") || "run";
  return `${now.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}-${stem}`;
}

export function newRunDir(runsDir: string, configPath: string, now = new Date()): string {
  const name = runDirName(configPath, now);
  let dir = join(runsDir, name);
  for (let i = 2; existsSync(dir); i++) dir = join(runsDir, `${name}-${i}`);
  return dir;
}

export interface LaunchOptions {
  python: string;
  config: string;
  runDir: string;
  cwd: string;
  resume?: boolean;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Poll interval of the events tailer. */
  pollMs?: number;
  /**
   * Send the trainer's stdout/stderr to this file instead of pipes: the process then survives the
   * window that launched it (no broken pipe on reload), and a reattached window can read its log.
   */
  logFile?: string;
}

export interface RunListener {
  onEvent?(run: TrainingRun, ev: TrainEvent, point: MetricPoint | null): void;
  onBatch?(run: TrainingRun): void;
  onOutput?(run: TrainingRun, text: string, stream: "stdout" | "stderr"): void;
  onInfo?(run: TrainingRun, info: RunInfo): void;
  /** The process is gone; `state.status` is final. */
  onExit?(run: TrainingRun, code: number | null, signal: string | null): void;
}

/**
 * One training run: launched by us (with a ChildProcess) or reattached (pid only). It owns what it
 * creates to follow the trainer: the events follower, the log tailer, its timers and the process's
 * pipes. `dispose()` (or `detach()`) releases them once and never signals the process; no listener
 * is called after it.
 */
export class TrainingRun implements IDisposable {
  readonly follower: RunFollower;
  private exited = false;
  private detached: Promise<void> | null = null;
  private exitWaiters: (() => void)[] = [];
  private killTimer: NodeJS.Timeout | null = null;
  private alivePoll: NodeJS.Timeout | null = null;
  cancelRequested = false;
  exitCode: number | null = null;
  exitSignal: string | null = null;

  private constructor(
    readonly dir: string,
    readonly pid: number,
    readonly proc: ChildProcess | null,
    /** For a reattached run: what must still hold before each signal. */
    private readonly identity: TrainerIdentity | null,
    private readonly listener: RunListener,
    pollMs: number,
  ) {
    this.follower = new RunFollower(dir, {
      onEvent: (ev, p) => this.followed && listener.onEvent?.(this, ev, p),
      onBatch: () => this.followed && listener.onBatch?.(this),
      onInfo: (info) => this.followed && listener.onInfo?.(this, info),
    });
    this.follower.start(pollMs);
  }

  get state(): RunState {
    return this.follower.state;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Not yet disposed (detached): its listener still hears from it. */
  get followed(): boolean {
    return this.detached === null;
  }

  /** The process is gone and its final state read (onExit has been called). */
  get ended(): boolean {
    return this.settled;
  }

  private output(text: string, stream: "stdout" | "stderr"): void {
    if (this.followed) this.listener.onOutput?.(this, text, stream);
  }

  static launch(o: LaunchOptions, listener: RunListener = {}): TrainingRun {
    let logFd: number | null = null;
    if (o.logFile) {
      mkdirSync(dirname(o.logFile), { recursive: true });
      logFd = openSync(o.logFile, "a");
    }
    const proc = spawn(o.python, trainArgs(o.config, o.runDir, !!o.resume, o.extraArgs), {
      cwd: o.cwd,
      detached: true, // its own process group: cancel signals the whole tree
      stdio: logFd == null ? ["ignore", "pipe", "pipe"] : ["ignore", logFd, logFd],
      // the token proves to a later window (reattach) that this process is the run's trainer
      env: { ...process.env, ...o.env, PYTHONUNBUFFERED: "1", [RUN_TOKEN_ENV]: newRunToken() },
      windowsHide: true,
    });
    if (logFd != null) closeSync(logFd); // the child holds its own copy
    if (proc.pid === undefined) {
      // spawn failed synchronously (ENOENT arrives as an 'error' event)
      const run = new TrainingRun(o.runDir, -1, proc, null, listener, o.pollMs ?? 250);
      proc.once("error", (e) => {
        run.state.status = "failed";
        run.state.errors.push({ message: `could not start ${o.python}: ${e.message}` });
        run.finish(null, null);
      });
      return run;
    }
    const run = new TrainingRun(o.runDir, proc.pid, proc, null, listener, o.pollMs ?? 250);
    if (o.logFile) run.followLog(o.logFile);
    proc.stdout?.setEncoding("utf8").on("data", (s: string) => run.output(s, "stdout"));
    proc.stderr?.setEncoding("utf8").on("data", (s: string) => run.output(s, "stderr"));
    proc.once("error", (e) => run.state.errors.push({ message: e.message }));
    proc.once("close", (code, signal) => run.finish(code, signal));
    return run;
  }

  private logTail: FileTailer | null = null;

  /** Streams a log file (the trainer's stdout/stderr) to onOutput. */
  followLog(path: string, fromStart = true): void {
    if (this.logTail || !this.followed) return;
    this.logTail = new FileTailer(path, { offset: fromStart ? 0 : undefined });
    this.logTail.start(
      (lines) => this.output(lines.map((l) => l.text + "\n").join(""), "stdout"),
      () => undefined,
      500,
    );
  }

  /**
   * Follows a run started earlier (another window, before a reload). `id` comes from findLiveRuns;
   * it is checked again before every signal, and the run ends when the process no longer matches it.
   */
  static attach(dir: string, id: TrainerIdentity, listener: RunListener = {}, pollMs = 250, logFile?: string): TrainingRun {
    const run = new TrainingRun(dir, id.pid, null, id, listener, pollMs);
    if (logFile && existsSync(logFile)) run.followLog(logFile);
    // never follow as live a process that is not proven; then follow it until it is gone (or its
    // pid names another process); a zombie still counts as there until its parent reaps it
    if (!verifyTrainer(id).ok) run.finish(null, null);
    else
      run.alivePoll = setInterval(() => {
        if (readProcStat(id.pid)?.start !== id.start) run.finish(null, null);
      }, 1000);
    return run;
  }

  private finish(code: number | null, signal: string | null): void {
    if (this.exited || !this.followed) return;
    this.exited = true;
    this.exitCode = code;
    this.exitSignal = signal;
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.alivePoll) clearInterval(this.alivePoll);
    // read what the trainer wrote last, then settle the status
    void this.follower
      .poll()
      .catch(() => undefined)
      .then(async () => {
        await this.logTail?.poll().then((lines) => lines.length && this.output(lines.map((l) => l.text + "\n").join(""), "stdout")).catch(() => undefined);
        await this.logTail?.close();
        await this.follower.close();
      })
      .then(() => {
        const s = this.state;
        if (s.status === "running" || s.status === "unknown") {
          s.status = this.cancelRequested ? "cancelled" : "failed";
          const how = signal ? `was killed by ${signal}` : code == null ? "is gone" : `exited with code ${code}`;
          s.finishMessage = `the trainer ${how} without finishing the run`;
        }
        this.settled = true;
        if (this.followed) this.listener.onExit?.(this, code, signal);
        for (const w of this.exitWaiters.splice(0)) w();
      });
  }

  /** Resolves once the process is gone and the final state is read, or once the run is detached. */
  waitForExit(): Promise<void> {
    return new Promise((resolve) => {
      if (this.settled || !this.followed) resolve();
      else this.exitWaiters.push(resolve);
    });
  }

  private settled = false;

  /**
   * SIGTERM to the process group (the trainer checkpoints), SIGKILL after the grace period. Only a
   * group we created (a launched run) or a process proven to be the run's trainer (a reattached run)
   * is signalled; otherwise nothing is sent and the reason is returned.
   */
  cancel(graceMs: number): { ok: true } | { ok: false; reason: string } {
    if (this.exited) return { ok: false, reason: "the trainer has already exited" };
    const may = this.maySignal();
    if (!may.ok) return may;
    this.cancelRequested = true;
    signalTree(this.pid, "SIGTERM");
    this.killTimer = setTimeout(() => {
      if (!this.exited && this.maySignal().ok) signalTree(this.pid, "SIGKILL");
    }, graceMs);
    return { ok: true };
  }

  private maySignal(): { ok: true } | { ok: false; reason: string } {
    if (this.pid <= 1) return { ok: false, reason: `pid ${this.pid} is never signalled` };
    if (this.proc) return this.proc.exitCode === null && this.proc.signalCode === null ? { ok: true } : { ok: false, reason: "the trainer has already exited" };
    if (!this.identity) return { ok: false, reason: "not a trainer this window launched or proved" };
    return verifyTrainer(this.identity);
  }

  /**
   * Stops following without touching the process (the run leaves the list, the window closes):
   * timers, tailers and pipes are released once; a pending SIGKILL escalation is dropped.
   */
  detach(): Promise<void> {
    return (this.detached ??= (async () => {
      if (this.killTimer) clearTimeout(this.killTimer);
      if (this.alivePoll) clearInterval(this.alivePoll);
      this.proc?.stdout?.destroy();
      this.proc?.stderr?.destroy();
      this.proc?.unref();
      await this.logTail?.close();
      await this.follower.close();
      for (const w of this.exitWaiters.splice(0)) w();
    })());
  }

  dispose(): void {
    void this.detach();
  }
}

/**
 * Signals a process group (POSIX) or the process tree (Windows, taskkill /T). Callers pass only the
 * pid of a group they created or proved (TrainingRun.cancel); pid <= 1 is refused here too.
 */
function signalTree(pid: number, signal: "SIGTERM" | "SIGKILL"): void {
  if (!Number.isSafeInteger(pid) || pid <= 1) return;
  if (process.platform === "win32") {
    const args = ["/PID", String(pid), "/T", ...(signal === "SIGKILL" ? ["/F"] : [])];
    execFile("taskkill", args, () => undefined);
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export interface LiveRun {
  dir: string;
  info: RunInfo;
  /** The proven trainer process. */
  id: TrainerIdentity;
}

/**
 * Finds runs to reattach: run.json says running and names a live process proven to be that run's
 * trainer (trainerProcess.ts). `skipped` lists running runs that were not proven, with the reason.
 */
export async function findLiveRuns(runsDir: string, skipped?: { dir: string; reason: string }[]): Promise<LiveRun[]> {
  const out: LiveRun[] = [];
  for (const r of await listRuns(runsDir)) {
    if (!r.info || r.info.status !== "running" || r.stale) continue;
    const v = verifyRunInfo(r.info);
    if ("id" in v) out.push({ dir: r.dir, info: r.info, id: v.id });
    else skipped?.push({ dir: r.dir, reason: v.reason });
  }
  return out;
}
