/**
 * Reading a run directory from disk (Node only, no vscode).
 *
 * Three layouts are understood:
 * - tooln1: `run.json` + `events.jsonl` (+ `rollouts/step-NNNNN.jsonl`), written by the trainer;
 * - verl: a file-logger JSONL (`{"step": n, "data": {...}}` per line) anywhere at the top level;
 * - TRL: an output folder with `trainer_state.json` (its `log_history`) and
 *   `completions/completions_<step>.parquet`.
 * Metric names are mapped onto the one vocabulary by `normalizeMetrics`.
 */
import { promises as fsp } from "node:fs";
import { basename, join } from "node:path";
import type { Json, RunInfo, RunStatus, TrainEvent } from "../core/types";
import { appendByStep, parseEventLine, rewindSteps } from "../core/events";
import { normalizeMetrics } from "../core/metrics";
import { FileTailer, type TailLine, type TailStats } from "./tail";

export type RunSource = "tooln1" | "verl" | "trl";

export interface MetricPoint {
  step: number;
  /** Wall time of the point in ms since the epoch, when known. */
  time: number | null;
  metrics: Record<string, number | null>;
  /** The training phase that logged it ("sft", "grpo"), when known. */
  phase?: string;
}

export interface StepFile {
  step: number;
  path: string;
  count: number;
}

export interface GarbageReport {
  count: number;
  /** First few problems: line byte offset and what was wrong. */
  samples: { offset: number; error: string }[];
}

/** Everything the extension shows about one run, built up event by event. */
export interface RunState {
  dir: string;
  source: RunSource;
  runId: string;
  info: RunInfo | null;
  status: RunStatus | "unknown";
  method: string;
  model: string;
  totalSteps: number | null;
  step: number;
  startedAt: number | null;
  finishedAt: number | null;
  points: MetricPoint[];
  evalPoints: MetricPoint[];
  rollouts: StepFile[];
  checkpoints: { step: number; path: string }[];
  warnings: string[];
  errors: { message: string; hint?: string; traceback?: string }[];
  finishMessage?: string;
  garbage: GarbageReport;
  /** `resumed` events: the step each `--resume` continued after. */
  resumes: { step: number; time: number | null }[];
  /**
   * Counts the times earlier points (metrics, eval) were removed or replaced (a resumed run writing
   * its steps again; appendByStep in src/core/events.ts). A consumer that appends the points it is
   * sent to its own copy re-reads the whole series when this changes.
   */
  pointsRevision: number;
}

export function emptyRunState(dir: string, source: RunSource = "tooln1"): RunState {
  return {
    dir,
    source,
    runId: basename(dir),
    info: null,
    status: "unknown",
    method: "",
    model: "",
    totalSteps: null,
    step: 0,
    startedAt: null,
    finishedAt: null,
    points: [],
    evalPoints: [],
    rollouts: [],
    checkpoints: [],
    warnings: [],
    errors: [],
    garbage: { count: 0, samples: [] },
    resumes: [],
    pointsRevision: 0,
  };
}

/** Two records of one step and phase become one point; at a phase boundary both are kept. */
const mergePoints = (a: MetricPoint, b: MetricPoint): MetricPoint | null => {
  if ((a.phase ?? null) !== (b.phase ?? null)) return null;
  const p: MetricPoint = { step: b.step, time: b.time ?? a.time, metrics: { ...a.metrics, ...b.metrics } };
  if (b.phase) p.phase = b.phase;
  return p;
};

const MAX_GARBAGE_SAMPLES = 5;
const MAX_WARNINGS = 200;

export function noteGarbage(state: RunState, offset: number, error: string): void {
  state.garbage.count++;
  if (state.garbage.samples.length < MAX_GARBAGE_SAMPLES) state.garbage.samples.push({ offset, error });
}

function timeOf(iso: string | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/**
 * The phase of a point: as the event says, else (runs written before events carried it) from the
 * method; in `sft-then-grpo`, GRPO logs rewards and SFT does not, and an evaluation belongs to the
 * phase of the training point before it.
 */
export function phaseOf(state: RunState, ev: { phase?: string | null; metrics: Record<string, unknown> }, isEval: boolean): string | undefined {
  if (typeof ev.phase === "string" && ev.phase) return ev.phase;
  if (state.method === "sft" || state.method === "grpo") return state.method;
  if (state.method !== "sft-then-grpo") return undefined;
  if (isEval) return state.points.at(-1)?.phase ?? "sft";
  return Object.keys(ev.metrics).some((k) => k.startsWith("reward/") || k.startsWith("reason/")) ? "grpo" : "sft";
}

/** Applies one trainer event to the state. Returns the new metric or evaluation point, if any. */
export function applyEvent(state: RunState, ev: TrainEvent): MetricPoint | null {
  const t = timeOf(ev.time);
  switch (ev.type) {
    case "run_started":
      state.runId = ev.run_id || state.runId;
      state.method = ev.method;
      state.model = ev.model;
      state.totalSteps = ev.total_steps ?? state.totalSteps;
      state.startedAt = t;
      if (state.status === "unknown") state.status = "running";
      return null;
    case "metrics": {
      const p: MetricPoint = { step: ev.step, time: t, metrics: normalizeMetrics("tooln1", ev.metrics as Record<string, Json>) };
      const phase = phaseOf(state, ev, false);
      if (phase) p.phase = phase;
      if (appendByStep(state.points, p, mergePoints)) state.pointsRevision++;
      state.step = Math.max(state.step, ev.step);
      if (ev.total_steps != null) state.totalSteps = ev.total_steps;
      return state.points[state.points.length - 1];
    }
    case "eval": {
      const p: MetricPoint = { step: ev.step, time: t, metrics: normalizeMetrics("tooln1", ev.metrics as Record<string, Json>) };
      const phase = phaseOf(state, ev, true);
      if (phase) p.phase = phase;
      if (appendByStep(state.evalPoints, p, mergePoints)) state.pointsRevision++;
      return state.evalPoints[state.evalPoints.length - 1];
    }
    case "rollouts":
      appendByStep(state.rollouts, { step: ev.step, path: ev.path, count: ev.count });
      return null;
    case "resumed":
      state.resumes.push({ step: ev.step, time: t });
      if (rewindSteps(state.points, ev.step) + rewindSteps(state.evalPoints, ev.step)) state.pointsRevision++;
      rewindSteps(state.rollouts, ev.step);
      rewindSteps(state.checkpoints, ev.step);
      state.step = ev.step;
      if (state.status !== "unknown") state.status = "running"; // a cancelled run can be resumed
      state.finishedAt = null;
      state.finishMessage = undefined;
      return null;
    case "checkpoint":
      state.checkpoints.push({ step: ev.step, path: ev.path });
      return null;
    case "warning":
      if (state.warnings.length < MAX_WARNINGS) state.warnings.push(ev.message);
      return null;
    case "error":
      state.errors.push({ message: ev.message, hint: ev.hint, traceback: ev.traceback });
      return null;
    case "run_finished":
      state.status = ev.status;
      state.finishedAt = t;
      state.finishMessage = ev.message;
      if (ev.step != null) state.step = Math.max(state.step, ev.step);
      return null;
    case "log":
      return null;
  }
}

/** Reads and checks `run.json`; null when absent, an Error when unreadable. */
export async function readRunInfo(dir: string): Promise<RunInfo | null | Error> {
  let text: string;
  try {
    text = await fsp.readFile(join(dir, "run.json"), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    return e as Error;
  }
  try {
    const v = JSON.parse(text) as RunInfo;
    if (!v || typeof v !== "object" || typeof v.status !== "string") return new Error(`${join(dir, "run.json")}: no "status" field`);
    return v;
  } catch (e) {
    // The trainer replaces run.json atomically; a half-written file means someone else wrote it.
    return new Error(`${join(dir, "run.json")}: not valid JSON (${(e as Error).message})`);
  }
}

export function applyRunInfo(state: RunState, info: RunInfo): void {
  state.info = info;
  state.runId = info.run_id || state.runId;
  state.method = state.method || info.method;
  if (state.startedAt == null) state.startedAt = timeOf(info.started);
  // run.json is rewritten at the end; events.jsonl may say more (run_finished), never less
  if (state.status === "unknown" || state.status === "running") state.status = info.status;
  if (info.finished && state.finishedAt == null) state.finishedAt = timeOf(info.finished);
}

/** Feeds event lines into a state; bad lines become garbage, never errors. */
export function applyLines(state: RunState, lines: TailLine[], onEvent?: (ev: TrainEvent, p: MetricPoint | null) => void): void {
  for (const l of lines) {
    if (!l.text.trim()) continue;
    const r = parseEventLine(l.text);
    if (r.ok) {
      const p = applyEvent(state, r.event);
      onEvent?.(r.event, p);
    } else noteGarbage(state, l.offset, r.error);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Which layout a folder has, or null when it is not a run directory. */
export async function detectRunSource(dir: string): Promise<{ source: RunSource; file: string } | null> {
  if ((await exists(join(dir, "events.jsonl"))) || (await exists(join(dir, "run.json")))) return { source: "tooln1", file: join(dir, "events.jsonl") };
  if (await exists(join(dir, "trainer_state.json"))) return { source: "trl", file: join(dir, "trainer_state.json") };
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  // TRL writes trainer_state.json into checkpoint-N/; the latest one holds the whole log history
  const ckpts = names.filter((n) => /^checkpoint-\d+$/.test(n)).sort((a, b) => Number(b.slice(11)) - Number(a.slice(11)));
  for (const c of ckpts) if (await exists(join(dir, c, "trainer_state.json"))) return { source: "trl", file: join(dir, c, "trainer_state.json") };
  if (names.includes("completions")) return { source: "trl", file: "" };
  for (const n of names.sort()) {
    if (!/\.jsonl?$/.test(n)) continue;
    const first = await firstLine(join(dir, n));
    if (first == null) continue;
    try {
      const v = JSON.parse(first) as { step?: unknown; data?: unknown };
      if (typeof v.step === "number" && v.data && typeof v.data === "object") return { source: "verl", file: join(dir, n) };
    } catch {
      // not a verl log
    }
  }
  return null;
}

async function firstLine(path: string): Promise<string | null> {
  const fh = await fsp.open(path, "r").catch(() => null);
  if (!fh) return null;
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const s = buf.subarray(0, bytesRead).toString("utf8");
    const nl = s.indexOf("\n");
    return nl === -1 ? s : s.slice(0, nl);
  } finally {
    await fh.close();
  }
}

/** Reads a whole run directory once (finished runs, foreign runs). */
export async function readRunDir(dir: string): Promise<RunState> {
  const found = await detectRunSource(dir);
  if (!found) {
    throw new Error(`${dir} is not a run directory: expected run.json/events.jsonl (Tool-N1), trainer_state.json or completions/ (TRL), or a verl file-logger .jsonl`);
  }
  const state = emptyRunState(dir, found.source);
  if (found.source === "tooln1") {
    const tailer = new FileTailer(found.file);
    tailer.onSkip = (r, off) => noteGarbage(state, off, r === "oversized" ? "line too long" : "not valid UTF-8");
    try {
      applyLines(state, await tailer.poll());
    } finally {
      await tailer.close();
    }
    const info = await readRunInfo(dir);
    if (info instanceof Error) state.warnings.push(info.message);
    else if (info) applyRunInfo(state, info);
  } else if (found.source === "verl") {
    await readVerlLog(state, found.file);
  } else {
    await readTrlFolder(state, found.file);
  }
  return state;
}

async function readVerlLog(state: RunState, file: string): Promise<void> {
  const tailer = new FileTailer(file);
  tailer.onSkip = (r, off) => noteGarbage(state, off, r === "oversized" ? "line too long" : "not valid UTF-8");
  try {
    applyVerlLines(state, await tailer.poll());
  } finally {
    await tailer.close();
  }
  state.method = "grpo";
  state.status = "unknown";
}

/** verl file-logger lines (`{"step": n, "data": {...}}`) into `state`; returns the new points. */
function applyVerlLines(state: RunState, lines: TailLine[]): MetricPoint[] {
  const added: MetricPoint[] = [];
  for (const l of lines) {
    if (!l.text.trim()) continue;
    let v: { step?: unknown; data?: unknown; elapsed_seconds?: unknown };
    try {
      v = JSON.parse(l.text);
    } catch (e) {
      noteGarbage(state, l.offset, (e as Error).message);
      continue;
    }
    if (typeof v.step !== "number" || !v.data || typeof v.data !== "object") {
      noteGarbage(state, l.offset, 'expected {"step": n, "data": {...}}');
      continue;
    }
    const metrics = normalizeMetrics("verl", v.data as Record<string, Json>);
    const evalOnly = Object.keys(metrics).length > 0 && Object.keys(metrics).every((k) => k.startsWith("eval/"));
    const time = typeof v.elapsed_seconds === "number" && Number.isFinite(v.elapsed_seconds) ? v.elapsed_seconds * 1000 : null;
    const point: MetricPoint = { step: v.step, time, metrics, phase: "grpo" };
    (evalOnly ? state.evalPoints : state.points).push(point);
    added.push(point);
    state.step = Math.max(state.step, v.step);
  }
  return added;
}

/**
 * Follows a verl run through its file-logger output as verl appends to it (a run started outside
 * VS Code, e.g. by the scripts of `tooln1 export-verl`): each poll returns the points added since.
 */
export class VerlFollower {
  readonly state: RunState;
  private readonly tailer: FileTailer;

  constructor(readonly dir: string, readonly file: string) {
    this.state = emptyRunState(dir, "verl");
    this.state.method = "grpo";
    this.state.status = "unknown";
    this.tailer = new FileTailer(file);
    this.tailer.onSkip = (r, off) => noteGarbage(this.state, off, r === "oversized" ? "line too long" : "not valid UTF-8");
  }

  async poll(): Promise<MetricPoint[]> {
    return applyVerlLines(this.state, await this.tailer.poll());
  }

  close(): Promise<void> {
    return this.tailer.close();
  }
}

interface TrlState {
  log_history?: Record<string, Json>[];
  max_steps?: number;
  global_step?: number;
}

async function readTrlFolder(state: RunState, stateFile: string): Promise<void> {
  if (stateFile) {
    let st: TrlState;
    try {
      st = JSON.parse(await fsp.readFile(stateFile, "utf8")) as TrlState;
    } catch (e) {
      throw new Error(`${stateFile}: not readable as TRL trainer state (${(e as Error).message})`, { cause: e });
    }
    for (const entry of st.log_history ?? []) {
      const step = typeof entry.step === "number" ? entry.step : null;
      if (step == null) continue;
      const metrics = normalizeMetrics("trl", entry);
      delete metrics.step;
      delete metrics.epoch;
      const isEval = Object.keys(entry).some((k) => k.startsWith("eval_"));
      (isEval ? state.evalPoints : state.points).push({ step, time: null, metrics });
      state.step = Math.max(state.step, step);
    }
    if (typeof st.max_steps === "number" && st.max_steps > 0) state.totalSteps = st.max_steps;
  }
  const compDir = join(state.dir, "completions");
  const names = await fsp.readdir(compDir).catch(() => [] as string[]);
  for (const n of names) {
    const m = /^completions_(\d+)\.parquet$/.exec(n);
    if (m) state.rollouts.push({ step: Number(m[1]), path: join("completions", n), count: -1 });
  }
  state.rollouts.sort((a, b) => a.step - b.step);
  state.status = "unknown";
}

/** One row of TRL's completions parquet (columns beyond these are kept in `extra`). */
export interface TrlCompletionRow {
  step: number;
  prompt: string;
  completion: string;
  advantage: number | null;
  rewards: Record<string, number | null>;
}

/** Reads `completions_<step>.parquet` written by TRL's `log_completions`. */
export async function readTrlCompletions(path: string): Promise<TrlCompletionRow[]> {
  const { asyncBufferFromFile, parquetReadObjects } = await import("hyparquet");
  const file = await asyncBufferFromFile(path);
  const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  const text = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x)));
  const num = (v: unknown): number | null => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : null);
  return rows.map((r) => {
    const rewards: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(r)) if (!["step", "prompt", "completion", "advantage"].includes(k)) rewards[k] = num(v);
    return { step: num(r.step) ?? -1, prompt: text(r.prompt), completion: text(r.completion), advantage: num(r.advantage), rewards };
  });
}

export interface FollowCallbacks {
  onEvent?: (ev: TrainEvent, point: MetricPoint | null) => void;
  onBatch?: (state: RunState) => void;
  onInfo?: (info: RunInfo) => void;
  onError?: (e: Error) => void;
}

/**
 * Follows a live tooln1 run: tails `events.jsonl` and re-reads `run.json` when it changes.
 * The state keeps growing; callbacks fire after each batch.
 */
export class RunFollower {
  readonly state: RunState;
  private readonly tailer: FileTailer;
  private infoMtime = 0;
  private closed = false;

  constructor(readonly dir: string, private readonly cb: FollowCallbacks = {}) {
    this.state = emptyRunState(dir, "tooln1");
    this.tailer = new FileTailer(join(dir, "events.jsonl"));
    this.tailer.onSkip = (r, off) => noteGarbage(this.state, off, r === "oversized" ? "line too long" : "not valid UTF-8");
  }

  get tailStats(): TailStats {
    return this.tailer.stats;
  }

  /** Reads what is new once. */
  async poll(): Promise<void> {
    const lines = await this.tailer.poll();
    await this.pollInfo();
    this.handle(lines);
  }

  private handle(lines: TailLine[]): void {
    if (this.closed) return;
    applyLines(this.state, lines, this.cb.onEvent);
    if (lines.length) this.cb.onBatch?.(this.state);
  }

  private async pollInfo(): Promise<void> {
    const st = await fsp.stat(join(this.dir, "run.json")).catch(() => null);
    if (!st || st.mtimeMs === this.infoMtime) return;
    const info = await readRunInfo(this.dir);
    if (info instanceof Error || !info) return; // a later poll reads the finished file
    this.infoMtime = st.mtimeMs;
    applyRunInfo(this.state, info);
    this.cb.onInfo?.(info);
  }

  /** Polls every `intervalMs`; with `useWatch`, also as soon as fs.watch reports a change. */
  start(intervalMs = 250, useWatch = true): void {
    this.tailer.start(
      (lines) => this.handle(lines),
      (e) => this.cb.onError?.(e),
      intervalMs,
      useWatch,
    );
    const t = setInterval(() => void this.pollInfo().catch((e: Error) => this.cb.onError?.(e)), Math.max(intervalMs, 500));
    this.stopInfo = () => clearInterval(t);
    void this.pollInfo();
  }
  private stopInfo = () => {};

  async close(): Promise<void> {
    this.closed = true;
    this.stopInfo();
    await this.tailer.close();
  }
}

/** Whether a process with this pid exists (signal 0 probes without sending anything). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface RunListing {
  dir: string;
  info: RunInfo | null;
  /** run.json says running but the process is gone (crashed or killed without finishing). */
  stale: boolean;
  error?: string;
}

/** Scans `<runsDir>/*\/run.json`, newest first. */
export async function listRuns(runsDir: string): Promise<RunListing[]> {
  const names = await fsp.readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const out: RunListing[] = [];
  for (const d of names) {
    if (!d.isDirectory()) continue;
    const dir = join(runsDir, d.name);
    const info = await readRunInfo(dir);
    if (info === null) continue;
    if (info instanceof Error) out.push({ dir, info: null, stale: false, error: info.message });
    else out.push({ dir, info, stale: info.status === "running" && !pidAlive(info.pid) });
  }
  out.sort((a, b) => (b.info?.started ?? "").localeCompare(a.info?.started ?? "") || b.dir.localeCompare(a.dir));
  return out;
}
