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
  | { type: "init"; runs: RunData[]; view: ViewOptions }
  | { type: "append"; runId: string; points: SeriesColumns }
  | { type: "addRun"; run: RunData }
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
  const isCols = (c: unknown) => !!c && typeof c === "object" && Array.isArray((c as SeriesColumns).step) && Array.isArray((c as SeriesColumns).time) && !!(c as SeriesColumns).metrics && typeof (c as SeriesColumns).metrics === "object";
  const isRun = (r: unknown) => !!r && typeof r === "object" && typeof (r as RunData).id === "string" && isCols((r as RunData).series);
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
