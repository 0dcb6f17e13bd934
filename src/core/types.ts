/**
 * The shared vocabulary of Tool-N1 Studio. Pure types and constants: no vscode, no DOM, no node.
 * Python mirrors these in trainer/src/tooln1 (same field names on the wire); lists both languages
 * need at run time are JSON specs in trainer/src/tooln1/schemas/, loaded by both.
 */
import reasonSpec from "../../trainer/src/tooln1/schemas/reasons.json";

/** JSON values as they cross every boundary. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A tool call: ground truth in datasets, or what a model emitted. */
export interface ToolCall {
  name: string;
  arguments: { [k: string]: Json };
}

/** Dialects a tool schema can be written in; the normalised model remembers which. */
export type ToolDialect = "openai" | "bare" | "mcp" | "bfcl" | "xlam";

/** A JSON Schema (or BFCL-dialect schema) node, kept as written. */
export type SchemaNode = { [k: string]: Json };

/** One tool, normalised. `parameters` is the object schema of its arguments, as written. */
export interface ToolDef {
  name: string;
  description: string;
  parameters: SchemaNode;
  dialect: ToolDialect;
  /** JSON path of this tool inside the document it came from (for diagnostics). */
  path: (string | number)[];
}

/** A dataset sample: one line of a canonical `.jsonl` dataset. */
export type Role = "system" | "user" | "assistant" | "tool";
export interface Message {
  role: Role;
  content: string;
}
export interface Sample {
  id?: string;
  tools: Json[];
  messages: Message[];
  /** Ground-truth calls for the next assistant step. */
  answer: ToolCall[];
}

/** Reward variants (docs/reward.md). `binary` is the paper's eq. 5 and the default. */
export const REWARD_VARIANTS = ["binary", "fine-grained", "no-format", "official"] as const;
export type RewardVariant = (typeof REWARD_VARIANTS)[number];

/**
 * Why a completion got the reward it got. Stable codes: charts, filters, the CLI and the
 * inspector all key on them. `ok` is a full match. The codes, their order (a result names the first
 * failing check in this order) and their meaning are in trainer/src/tooln1/schemas/reasons.json,
 * which tooln1/reward.py loads too.
 */
export type ReasonCode = keyof (typeof reasonSpec)["codes"];
export const REASON_CODES: readonly ReasonCode[] = Object.keys(reasonSpec.codes) as ReasonCode[];

/** The scorer's verdict on one completion. Same fields, same bytes in Python. */
export interface RewardResult {
  reward: number;
  format_ok: boolean;
  calls_ok: boolean;
  reason: ReasonCode;
  /** First differing path, e.g. `calls[1].arguments.city`; absent when nothing differs. */
  mismatch?: string;
}

/** A span in a completion's text (UTF-16 offsets in TS, code-point offsets documented in Python). */
export interface Span {
  start: number;
  end: number;
}

/** A rollout record: one line of `rollouts/step-NNNNN.jsonl`. Owner: the trainer (Python). */
export interface RolloutRecord {
  v: 1;
  step: number;
  prompt_id: string;
  group_index: number;
  prompt?: string;
  prompt_ref?: string;
  completion: string;
  ground_truth: ToolCall[];
  reward: number;
  details: Omit<RewardResult, "reward">;
  advantage?: number | null;
  tokens?: { prompt?: number; completion?: number };
  reward_variant?: RewardVariant;
}

/** Training events: one JSON object per line of `events.jsonl`. Owner: the trainer (Python). */
export const EVENT_VERSION = 1;
interface EventBase {
  v: 1;
  /** ISO-8601 UTC time the event was written. */
  time: string;
}
export type RunStatus = "running" | "completed" | "cancelled" | "failed";
export type TrainEvent =
  | (EventBase & { type: "run_started"; run_id: string; method: string; model: string; config: { [k: string]: Json }; data: { [k: string]: Json }; total_steps?: number | null; pid?: number })
  | (EventBase & { type: "metrics"; step: number; total_steps?: number | null; epoch?: number | null; phase?: string | null; metrics: { [name: string]: number | null } })
  | (EventBase & { type: "rollouts"; step: number; path: string; count: number })
  | (EventBase & { type: "checkpoint"; step: number; path: string })
  | (EventBase & { type: "eval"; step: number; phase?: string | null; metrics: { [name: string]: number | null }; path?: string })
  | (EventBase & { type: "log"; level: "debug" | "info"; message: string })
  | (EventBase & { type: "warning"; message: string; code?: string })
  | (EventBase & { type: "error"; message: string; traceback?: string; hint?: string })
  | (EventBase & { type: "run_finished"; status: Exclude<RunStatus, "running">; step?: number; message?: string })
  /** `--resume`: training continues after `step`; what was logged after it is superseded. */
  | (EventBase & { type: "resumed"; step: number; checkpoint?: string | null });
export type TrainEventType = TrainEvent["type"];

/**
 * The one metric vocabulary (TRL's and verl's names are mapped onto it by src/core/metrics.ts and
 * tooln1/metrics.py). Per-reason fractions are `reason/<code>`.
 */
export const METRICS = {
  rewardMean: "reward/mean",
  rewardStd: "reward/std",
  formatOkRate: "reward/format_ok_rate",
  exactMatchRate: "reward/exact_match_rate",
  zeroVarianceGroups: "reward/zero_variance_groups",
  kl: "kl",
  loss: "loss",
  entropy: "entropy",
  responseLength: "response_length/mean",
  learningRate: "lr",
  gradNorm: "grad_norm",
  tokensPerSecond: "perf/tokens_per_s",
  generationTokensPerSecond: "perf/generation_tokens_per_s",
  generationTime: "time/generation_s",
  updateTime: "time/update_s",
  gpuMemory: "perf/gpu_mem_gb",
  evalRewardMean: "eval/reward/mean",
} as const;

/** `run.json` at the top of a run directory. Owner: the trainer. */
export interface RunInfo {
  v: 1;
  run_id: string;
  pid: number;
  /** The token the launcher put in the trainer's environment (`TOOLN1_RUN_TOKEN`); absent when started by hand. */
  run_token?: string;
  /** The trainer process's start time, clock ticks since boot (`/proc/PID/stat` field 22); Linux only. */
  pid_start?: number;
  status: RunStatus;
  started: string;
  finished?: string;
  method: string;
  config_path?: string;
  config: { [k: string]: Json };
}
