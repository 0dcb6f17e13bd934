/**
 * The rollout inspector's wire protocol: one discriminated union per direction, request ids on
 * requests and their results, a Ready handshake answered by Init. Shared by the host
 * (src/rollouts/inspector.ts), the index worker and the webview (webview/inspector/main.ts).
 */
import { anything, arrayOf, bool, int, messageGuard, nat, num, obj, opt, str } from "../guard";
import type { Json, ReasonCode, RewardResult, RewardVariant, RolloutRecord, ToolCall } from "../../src/core/types";

/** Sortable columns of the table. */
export type SortKey = "row" | "step" | "prompt" | "group" | "reward" | "advantage" | "reason" | "length";

export interface RolloutFilter {
  /** Reason codes to keep (empty or absent: all). `invalid` keeps lines that could not be read. */
  reasons?: (ReasonCode | "invalid")[];
  rewardMin?: number;
  rewardMax?: number;
  stepMin?: number;
  stepMax?: number;
  /** Substring of the completion, prompt, prompt id or ground truth (case-insensitive for ASCII). */
  text?: string;
  promptId?: string;
  zeroVarianceOnly?: boolean;
}

export interface RolloutQuery {
  filter: RolloutFilter;
  sort: { key: SortKey; desc: boolean };
  offset: number;
  limit: number;
  /** Rows (false) or prompt groups (true). */
  groups: boolean;
}

/** One table row: what the index keeps in memory, plus a preview read from disk. */
export interface RowSummary {
  row: number;
  file: number;
  line: number;
  step: number;
  promptId: string;
  group: number;
  reward: number;
  advantage: number | null;
  advantageComputed: boolean;
  reason: ReasonCode | "invalid";
  length: number;
  zeroVariance: boolean;
  explained: boolean;
  preview?: string;
}

/** One prompt group (a step, a prompt, its N completions). */
export interface GroupSummary {
  key: number;
  step: number;
  promptId: string;
  count: number;
  mean: number;
  std: number;
  zeroVariance: boolean;
  rewards: number[];
  reasons: (ReasonCode | "invalid")[];
  rows: number[];
}

export interface QueryResult {
  total: number;
  offset: number;
  rows: RowSummary[];
  groups: GroupSummary[];
  /** Milliseconds spent filtering and sorting. */
  ms: number;
}

export interface ArgDiff {
  key: string;
  status: "same" | "changed" | "missing" | "extra";
  expected?: Json;
  actual?: Json;
}
export interface CallPair {
  expectedIndex: number | null;
  actualIndex: number | null;
  expected: ToolCall | null;
  actual: ToolCall | null;
  nameMatch: boolean;
  args: ArgDiff[];
}
export interface TextSpan {
  start: number;
  end: number;
  kind: "reasoning" | "block" | "call" | "error";
  label: string;
}
export interface Explanation {
  reasoning: string | null;
  thinkOk: boolean;
  calls: ToolCall[];
  errors: { code: string; message: string; start: number; end: number }[];
  pairs: CallPair[];
  spans: TextSpan[];
  rescored: RewardResult;
  variant: RewardVariant;
  /** Our scorer agrees with the recorded reward and reason. */
  agrees: boolean;
}

export interface RowDetail {
  summary: RowSummary;
  /** Null when the line is not a readable rollout; `error` says why. */
  record: (RolloutRecord & { explained?: boolean }) | null;
  error?: string;
  explanation: Explanation | null;
  /** The completion was longer than the cap and is cut. */
  truncated: boolean;
  source: { path: string; line: number };
}

export interface HistoryEntry {
  step: number;
  count: number;
  mean: number;
  zeroVariance: boolean;
  rewards: number[];
  reasons: (ReasonCode | "invalid")[];
  rows: number[];
}

export interface StepSummary {
  step: number;
  count: number;
  mean: number;
  reasons: Partial<Record<ReasonCode | "invalid", number>>;
  groups: number;
  zeroVarianceGroups: number;
}

export interface Progress {
  rows: number;
  bytes: number;
  totalBytes: number;
  files: number;
  done: boolean;
  /** A last line without newline: still being written, or truncated. */
  partialTail: boolean;
  /** Lines that could not be read as rollouts. */
  invalid: number;
  errors: string[];
}

/** Webview -> host. */
export type ToHost =
  | { type: "ready" }
  | { type: "query"; id: number; query: RolloutQuery }
  | { type: "detail"; id: number; row: number }
  | { type: "group"; id: number; row: number }
  | { type: "history"; id: number; promptId: string }
  | { type: "summary"; id: number }
  | { type: "openPreview"; row: number }
  | { type: "revealLine"; row: number }
  | { type: "saveState"; state: Json };

/** Host -> webview. */
const rolloutFilter = obj({
  reasons: opt(arrayOf(str)),
  rewardMin: opt(num),
  rewardMax: opt(num),
  stepMin: opt(num),
  stepMax: opt(num),
  text: opt(str),
  promptId: opt(str),
  zeroVarianceOnly: opt(bool),
});

/** Every message the inspector webview may post, checked (common/guard.ts). */
export const isToHost = messageGuard<ToHost>({
  ready: {},
  query: { id: int, query: obj({ filter: rolloutFilter, sort: obj({ key: str, desc: bool }), offset: nat, limit: nat, groups: bool }) },
  detail: { id: int, row: nat },
  group: { id: int, row: nat },
  history: { id: int, promptId: str },
  summary: { id: int },
  openPreview: { row: nat },
  revealLine: { row: nat },
  saveState: { state: anything },
});

export type ToWebview =
  | { type: "init"; title: string; reasons: readonly ReasonCode[]; variant: RewardVariant; filter: RolloutFilter }
  | { type: "select"; row: number }
  | { type: "progress"; progress: Progress }
  | { type: "queryResult"; id: number; result: QueryResult }
  | { type: "detailResult"; id: number; detail: RowDetail }
  | { type: "groupResult"; id: number; group: GroupSummary; details: RowDetail[] }
  | { type: "historyResult"; id: number; promptId: string; entries: HistoryEntry[] }
  | { type: "summaryResult"; id: number; steps: StepSummary[] }
  | { type: "error"; id?: number; message: string };
