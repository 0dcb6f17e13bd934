/**
 * The training feature's host side: the runs of the workspace (launched here, reattached, or
 * finished on disk; each an entry of `runs.ts` that owns its trainer and output channel), the
 * status bar and the events the Runs view and the dashboard listen to.
 */
import * as vscode from "vscode";
import { existsSync } from "node:fs";
import { basename, join, isAbsolute } from "node:path";
import { Config } from "../config";
import { Disposable, type Ctx } from "../context";
import type { TrainEvent } from "../core/types";
import { listRuns, readRunDir, type MetricPoint, type RunState } from "../node/runDir";
import type { RunData, RunSummary } from "../../common/dashboard/protocol";
import { mergeByStep, toColumns } from "../../common/dashboard/data";
import { TrainingRun, findLiveRuns, newRunDir } from "./runManager";
import { RunList, type RunEntry } from "./runs";
import { statusBarText } from "./statusBarText";
import type { TrainerIdentity } from "../node/trainerProcess";

export type { RunEntry } from "./runs";

export function summaryOf(state: RunState, live: boolean): RunSummary {
  const last = state.errors.at(-1);
  const s: RunSummary = {
    id: state.dir,
    label: basename(state.dir),
    source: state.source,
    status: state.status,
    step: state.step,
    totalSteps: state.totalSteps,
    live,
    garbage: state.garbage.count,
    method: state.method,
    model: state.model || (typeof state.info?.config?.model === "string" ? state.info.config.model : ""),
    rolloutSteps: state.rollouts.map((r) => r.step),
  };
  if (state.finishMessage) s.message = state.finishMessage;
  if (last) {
    s.error = last.message.split("\n")[0].slice(0, 300);
    if (last.hint) s.hint = last.hint;
  }
  return s;
}

/** A run for the dashboard: training and evaluation points in one series, ordered by step. */
export function runDataOf(state: RunState, live: boolean): RunData {
  return { ...summaryOf(state, live), series: toColumns(mergeByStep(state.points, state.evalPoints)) };
}

export class TrainingController extends Disposable {
  /** Every run and what it owns; disposing the controller disposes each entry once. */
  readonly entries = this.register(new RunList((name) => vscode.window.createOutputChannel(name)));
  private readonly pointEmitter = this.register(new vscode.EventEmitter<{ dir: string; point: MetricPoint }>());
  private readonly statusEmitter = this.register(new vscode.EventEmitter<{ dir: string; summary: RunSummary }>());
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onPoint = this.pointEmitter.event;
  readonly onStatus = this.statusEmitter.event;
  /** The set of runs or one of their states changed (the Runs view listens). */
  readonly onDidChange = this.changeEmitter.event;
  private readonly statusBar: vscode.StatusBarItem;
  private statusTimer: NodeJS.Timeout | null = null;
  /** The run the status bar item shows. */
  private statusBarDir: string | null = null;

  constructor(private readonly ctx: Ctx) {
    super();
    this.statusBar = this.register(vscode.window.createStatusBarItem("tooln1.training", vscode.StatusBarAlignment.Left, 10));
    this.statusBar.name = "Tool-N1 Training";
    this.register({ dispose: () => this.statusTimer && clearInterval(this.statusTimer) });
  }

  runsDirs(): string[] {
    const rel = new Config().runsDirectory;
    return (vscode.workspace.workspaceFolders ?? []).map((f) => (isAbsolute(rel) ? rel : join(f.uri.fsPath, rel)));
  }

  /**
   * Scans the runs folders; in a trusted workspace, reattaches runs whose process is proven to be
   * their trainer (a run.json is workspace data and may name any pid).
   */
  async refresh(): Promise<void> {
    const seen = new Set<string>();
    for (const dir of this.runsDirs()) {
      for (const l of await listRuns(dir)) {
        seen.add(l.dir);
        const e = this.entries.get(l.dir);
        if (e) e.listing = l;
        else this.entries.add(l.dir, { listing: l });
      }
      if (!vscode.workspace.isTrusted) continue;
      const skipped: { dir: string; reason: string }[] = [];
      for (const live of await findLiveRuns(dir, skipped)) {
        const e = this.entries.get(live.dir)!;
        if (!e.run) this.attach(e, live.id);
      }
      for (const s of skipped) {
        const e = this.entries.get(s.dir);
        if (e && !e.run && e.unproven !== s.reason) this.ctx.log.info(`not reattaching ${s.dir}: ${s.reason}`);
        if (e) e.unproven = s.reason;
      }
    }
    for (const e of [...this.entries.values()]) if (!seen.has(e.dir) && !e.run) this.entries.remove(e);
    this.changeEmitter.fire();
    this.updateStatusBar();
  }

  /** Where a run's raw stdout/stderr goes (outside the run directory, which only the trainer writes). */
  private logFileOf(dir: string): string {
    const base = this.ctx.extension.storageUri ?? this.ctx.extension.globalStorageUri;
    const safe = dir.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(-120);
    return join(base.fsPath, "run-logs", `${safe}.log`);
  }

  private attach(e: RunEntry, id: TrainerIdentity): void {
    this.ctx.log.info(`reattaching to run ${e.dir} (pid ${id.pid})`);
    e.openOutput();
    e.follow(TrainingRun.attach(e.dir, id, this.listener(e), 250, this.logFileOf(e.dir)));
  }

  private listener(e: RunEntry) {
    return {
      onEvent: (_r: TrainingRun, ev: TrainEvent, point: MetricPoint | null) => {
        if (point) this.pointEmitter.fire({ dir: e.dir, point });
        this.onTrainerEvent(e, ev);
      },
      onBatch: (r: TrainingRun) => {
        this.statusEmitter.fire({ dir: e.dir, summary: summaryOf(r.state, r.running) });
        if (r.state.garbage.count > e.garbageWarned) {
          const n = r.state.garbage.count;
          const first = r.state.garbage.samples[0];
          if (e.garbageWarned === 0) {
            void vscode.window.showWarningMessage(
              `Tool-N1: ${basename(e.dir)}: ${n} line(s) of events.jsonl could not be read and were skipped${first ? ` (first at byte ${first.offset}: ${first.error})` : ""}. The charts show the rest.`,
            );
          }
          this.ctx.log.warn(`${e.dir}/events.jsonl: ${n} unreadable line(s) skipped`);
          e.garbageWarned = n;
        }
        this.updateStatusBar();
      },
      onOutput: (_r: TrainingRun, text: string) => e.output?.append(text),
      onInfo: () => this.changeEmitter.fire(),
      onExit: (r: TrainingRun, code: number | null, signal: string | null) => this.onExit(e, r, code, signal),
    };
  }

  private onTrainerEvent(e: RunEntry, ev: TrainEvent): void {
    if (ev.type === "run_started") {
      this.changeEmitter.fire();
    } else if (ev.type === "error") {
      const msg = `Tool-N1: ${basename(e.dir)}: ${ev.message}${ev.hint ? ` — ${ev.hint}` : ""}`;
      const actions = ["Show Log", ...(this.configOf(e) ? ["Open Config"] : [])];
      void vscode.window.showErrorMessage(msg, ...actions).then((a) => {
        if (a === "Show Log") this.showLog(e.dir);
        else if (a === "Open Config") {
          const cfg = this.configOf(e);
          if (cfg) void vscode.window.showTextDocument(vscode.Uri.file(cfg));
        }
      });
    } else if (ev.type === "run_finished") {
      this.changeEmitter.fire();
    }
  }

  private configOf(e: RunEntry): string | undefined {
    const p = e.configPath ?? e.listing?.info?.config_path ?? e.run?.state.info?.config_path;
    return p ? (isAbsolute(p) ? p : join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "", p)) : undefined;
  }

  private onExit(e: RunEntry, r: TrainingRun, code: number | null, signal: string | null): void {
    const s = r.state;
    e.output?.appendLine(`\n[Tool-N1] trainer process ended (${signal ? `signal ${signal}` : `exit code ${code}`}); run ${s.status}`);
    this.entries.runEnded(e);
    this.statusEmitter.fire({ dir: e.dir, summary: summaryOf(s, false) });
    const name = basename(e.dir);
    if (s.status === "completed") void vscode.window.showInformationMessage(`Tool-N1: run ${name} completed at step ${s.step}.`, "Open Dashboard").then((a) => a && this.openDashboard(e.dir));
    else if (s.status === "cancelled") void vscode.window.showInformationMessage(`Tool-N1: run ${name} cancelled at step ${s.step}.`);
    else if (s.status === "failed" && !s.errors.length) {
      void vscode.window.showErrorMessage(`Tool-N1: run ${name} failed: ${s.finishMessage ?? "the trainer stopped"}.`, "Show Log").then((a) => a && this.showLog(e.dir));
    }
    void this.refresh();
  }

  private openDashboard(dir: string): void {
    void vscode.commands.executeCommand("tooln1.openDashboard", dir);
  }

  /** Launches `python -m tooln1 train` for a config; returns the run directory. */
  launch(python: string, config: string, folder: vscode.WorkspaceFolder, resume = false, processes?: number): RunEntry {
    const cfg = new Config(folder.uri);
    const rel = cfg.runsDirectory;
    const runsDir = isAbsolute(rel) ? rel : join(folder.uri.fsPath, rel);
    const dir = newRunDir(runsDir, config);
    const e = this.entries.add(dir, { configPath: config });
    const output = e.openOutput();
    // several processes: the trainer launches one per GPU and Cancel's SIGTERM reaches its whole group
    const args = [...(processes ? ["--processes", String(processes)] : []), ...cfg.trainerExtraArgs];
    output.appendLine(`[Tool-N1] ${python} -m tooln1 train --config ${config} --run-dir ${dir}${resume ? " --resume" : ""}${args.length ? " " + args.join(" ") : ""}`);
    const run = e.follow(TrainingRun.launch({ python, config, runDir: dir, cwd: folder.uri.fsPath, resume, extraArgs: args, logFile: this.logFileOf(dir) }, this.listener(e)));
    this.ctx.log.info(`launched run ${dir} (pid ${run.pid})`);
    this.changeEmitter.fire();
    this.updateStatusBar();
    return e;
  }

  liveRuns(): RunEntry[] {
    return [...this.entries.values()].filter((e) => e.running);
  }

  /** Cancels a launched or reattached run; otherwise nothing is signalled and the reason is returned. */
  cancel(dir: string): { ok: true } | { ok: false; reason: string } {
    const e = this.entries.get(dir);
    if (!e?.run?.running) return { ok: false, reason: e?.unproven ? `it is not followed here: ${e.unproven}` : "it is not running" };
    const grace = new Config().cancelGraceSeconds;
    const r = e.run.cancel(grace * 1000);
    if (r.ok) e.output?.appendLine(`[Tool-N1] cancelling: SIGTERM now, SIGKILL in ${grace} s if the trainer is still running`);
    else this.ctx.log.warn(`not cancelling ${dir}: ${r.reason}`);
    return r;
  }

  showLog(dir: string): void {
    const e = this.entries.get(dir);
    if (e?.output) {
      e.output.show(true);
      return;
    }
    // a finished run from an earlier session: its saved output, else events.jsonl
    const log = this.logFileOf(dir);
    void vscode.window.showTextDocument(vscode.Uri.file(existsSync(log) ? log : join(dir, "events.jsonl")), { preview: true });
  }

  /** Full data of a run for the dashboard: live state, or read from disk. */
  async runData(dir: string): Promise<RunData> {
    const e = this.entries.get(dir);
    if (e?.run) return runDataOf(e.run.state, e.run.running);
    return runDataOf(await readRunDir(dir), false);
  }

  /** A launched or reattached run's data, synchronously; undefined for runs only on disk. */
  liveData(dir: string): RunData | undefined {
    const e = this.entries.get(dir);
    return e?.run ? runDataOf(e.run.state, e.run.running) : undefined;
  }

  stateOf(dir: string): RunState | undefined {
    return this.entries.get(dir)?.run?.state;
  }

  /**
   * The first run still training; else the run shown last, in its end state (no ETA) until another
   * run starts or its entry goes.
   */
  private updateStatusBar(): void {
    const live = this.liveRuns();
    const training = live.filter((e) => statusBarText(e.run!.state, true, "").training);
    const shown = this.statusBarDir ? this.entries.get(this.statusBarDir) : undefined;
    const e = training[0] ?? (shown?.run ? shown : live[0]);
    if (!e?.run) {
      this.statusBar.hide();
      this.statusBarDir = null;
    } else {
      const v = statusBarText(e.run.state, e.run.running, basename(e.dir), Math.max(0, live.length - 1));
      this.statusBarDir = e.dir;
      this.statusBar.text = v.text;
      this.statusBar.tooltip = v.tooltip;
      this.statusBar.command = { title: "Open Run Dashboard", command: "tooln1.openDashboard", arguments: [e.dir] };
      this.statusBar.show();
    }
    // the ETA ticks even between events, while a run trains
    if (training.length) this.statusTimer ??= setInterval(() => this.updateStatusBar(), 5000);
    else if (this.statusTimer) {
      clearInterval(this.statusTimer);
      this.statusTimer = null;
    }
  }
}
