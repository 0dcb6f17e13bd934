/**
 * The dashboard's message protocol, shared by the extension host (src/training/dashboardPanel.ts)
 * and the webview (webview/dashboard/main.ts). One discriminated union per direction.
 *
 * Handshake: the webview sends `ready` (carrying what it restored from getState), the host answers
 * with `init` (every run's full series); afterwards the host sends `append` / `runStatus` /
 * `removeRun`, and the webview asks for `openRollouts`, `addRun`, `removeRun`.
 */
import { arrayOf, bool, messageGuard, nullable, num, obj, oneOf, opt, recordOf, str } from "../guard";

/** Columnar points of one run: `step[i]`, `time[i]` and `metrics[name][i]` belong together. */
export interface SeriesColumns {
  step: number[];
  /** Wall time in ms since the epoch, null when the source has none (verl, TRL). */
  time: (number | null)[];
  metrics: Record<string, (number | null)[]>;
  /** The training phase of each row ("sft", "grpo"); absent when no row knows it. */
  phase?: (string | null)[];
}

/**
 * A run's columns as they cross postMessage and as the webview keeps them: numbers packed in
 * Float64Arrays, NaN where a row has no value. VS Code moves typed arrays between the extension
 * host and the webview as bytes (no JSON, no per-number objects), and the webview's structured
 * clone of them is one copy: a 12 x 100,000-point run arrives in milliseconds and costs its page
 * no garbage collection.
 */
export interface PackedColumns {
  step: Float64Array;
  time: Float64Array;
  metrics: Record<string, Float64Array>;
  phase?: (string | null)[];
}

/** Either form, read-only: what the dashboard's data shaping (common/dashboard/data.ts) reads. */
export interface ColumnsLike {
  step: ArrayLike<number>;
  time: ArrayLike<number | null>;
  metrics: Record<string, ArrayLike<number | null>>;
  phase?: ArrayLike<string | null>;
}

/** A value of a column of either form: null for none (null, NaN). */
export function valueAt(col: ArrayLike<number | null> | undefined, i: number): number | null {
  const v = col?.[i];
  return v == null || v !== v ? null : v;
}

function packCol(col: ArrayLike<number | null>): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    out[i] = typeof v === "number" ? v : NaN;
  }
  return out;
}

/** Columns packed for postMessage (a packed column is copied too: the result owns its buffers). */
export function packColumns(s: ColumnsLike): PackedColumns {
  const metrics: Record<string, Float64Array> = {};
  for (const [m, col] of Object.entries(s.metrics)) metrics[m] = packCol(col);
  const out: PackedColumns = { step: packCol(s.step), time: packCol(s.time), metrics };
  if (s.phase) out.phase = Array.from(s.phase, (p) => (typeof p === "string" ? p : null));
  return out;
}

export type RunStatusName = "running" | "completed" | "cancelled" | "failed" | "unknown";

export interface RunSummary {
  /** The run directory (absolute path): the run's identity everywhere. */
  id: string;
  label: string;
  source: "tooln1" | "verl" | "trl";
  status: RunStatusName;
  step: number;
  totalSteps: number | null;
  live: boolean;
  /** Lines of events.jsonl that could not be read. */
  garbage: number;
  /** The trainer's finish message (plain text, shown with textContent). */
  message?: string;
  /** The last error's first line and the trainer's hint for it (plain text). */
  error?: string;
  hint?: string;
  /** `sft`, `grpo`, `sft-then-grpo`; empty when the source does not say. */
  method: string;
  model: string;
  /** Steps that have rollouts on disk. */
  rolloutSteps: number[];
}

export interface RunData extends RunSummary {
  series: SeriesColumns;
}

/** A run as the host posts it (and the webview keeps it). */
export interface PackedRun extends RunSummary {
  series: PackedColumns;
}

export function packRun(r: RunData): PackedRun {
  return { ...r, series: packColumns(r.series) };
}

/** x by training step, by wall time (seconds since the run's first point) or by tokens processed. */
export type XAxis = "step" | "time" | "tokens";

export interface ViewOptions {
  /** EMA weight in [0, 0.99]; 0 is no smoothing. */
  smoothing: number;
  logScale: boolean;
  x: XAxis;
  /** "all", or one phase's name: the charts show that phase's x range. */
  phase: string;
}

export const DEFAULT_VIEW: ViewOptions = { smoothing: 0, logScale: false, x: "step", phase: "all" };

/** What the webview keeps with setState (survives hide and reload; the serializer reads it). */
export interface PersistedState {
  runIds: string[];
  view: ViewOptions;
  /** Each run's palette slot, so a run keeps its color when others come and go. */
  colors?: Record<string, number>;
}

export type HostMessage =
  | { type: "init"; runs: PackedRun[]; view: ViewOptions }
  | { type: "append"; runId: string; points: PackedColumns }
  | { type: "addRun"; run: PackedRun }
  | { type: "runStatus"; run: RunSummary }
  | { type: "removeRun"; runId: string }
  | { type: "error"; message: string };

export type WebviewMessage =
  | { type: "ready"; restored: PersistedState | null }
  /** `reasons`: open the inspector filtered to these reason codes. */
  | { type: "openRollouts"; runId: string; step: number; reasons?: string[] }
  /** Save a chart: `png` carries a `data:image/png;base64,` URL, `csv` the text. */
  | { type: "export"; format: "png" | "csv"; name: string; data: string }
  | { type: "addRun" }
  | { type: "removeRun"; runId: string }
  | { type: "viewChanged"; view: ViewOptions };

export type HostMessageType = HostMessage["type"];

const HOST_TYPES: readonly string[] = ["init", "append", "addRun", "runStatus", "removeRun", "error"];

/** Narrowing guards for messages arriving over postMessage (never trust the shape). */
export function isHostMessage(m: unknown): m is HostMessage {
  if (!m || typeof m !== "object") return false;
  const o = m as Record<string, unknown>;
  if (!HOST_TYPES.includes(o.type as string)) return false;
  const isCols = (c: unknown) => {
    if (!c || typeof c !== "object") return false;
    const p = c as PackedColumns;
    if (!(p.step instanceof Float64Array) || !(p.time instanceof Float64Array) || p.time.length !== p.step.length) return false;
    if (!p.metrics || typeof p.metrics !== "object") return false;
    for (const col of Object.values(p.metrics)) if (!(col instanceof Float64Array) || col.length !== p.step.length) return false;
    return p.phase === undefined || (Array.isArray(p.phase) && p.phase.length === p.step.length);
  };
  const isRun = (r: unknown) => !!r && typeof r === "object" && typeof (r as PackedRun).id === "string" && isCols((r as PackedRun).series);
  switch (o.type) {
    case "init":
      return Array.isArray(o.runs) && o.runs.every(isRun) && !!o.view && typeof o.view === "object";
    case "append":
      return typeof o.runId === "string" && isCols(o.points);
    case "addRun":
      return isRun(o.run);
    case "runStatus":
      return !!o.run && typeof (o.run as RunSummary).id === "string";
    case "removeRun":
      return typeof o.runId === "string";
    default:
      return typeof o.message === "string";
  }
}
const viewOptions = obj({ smoothing: num, logScale: bool, x: oneOf("step", "time", "tokens"), phase: str });

/** Every message the dashboard webview may post, checked (common/guard.ts). */
export const isWebviewMessage = messageGuard<WebviewMessage>({
  ready: { restored: nullable(obj({ runIds: arrayOf(str), view: opt(obj({ smoothing: opt(num), logScale: opt(bool), x: opt(oneOf("step", "time", "tokens")), phase: opt(str) })), colors: opt(recordOf(num)) })) },
  openRollouts: { runId: str, step: num, reasons: opt(arrayOf(str)) },
  export: { format: oneOf("png", "csv"), name: str, data: str },
  addRun: {},
  removeRun: { runId: str },
  viewChanged: { view: viewOptions },
});
