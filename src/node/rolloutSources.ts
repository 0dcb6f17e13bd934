/**
 * Reads rollouts from the three places they live, into `RolloutRecord`:
 * - ours: `rollouts/step-NNNNN.jsonl` (and `*.rollouts.jsonl`), one RolloutRecord per line;
 * - verl: `trainer.rollout_data_dir/<step>.jsonl`, lines `{input, output, gts, score, step, ...}`;
 * - TRL: `<output_dir>/completions/completions_NNNNN.parquet` (step, prompt, completion, one column per
 *   reward function, advantage), read with hyparquet.
 * verl and TRL carry only a score; the reason is recomputed with our scorer (`explained: true`).
 */
import { promises as fsp } from "node:fs";
import { basename, join } from "node:path";
import type { Json, ReasonCode, RewardVariant, RolloutRecord, ToolCall } from "../core/types";
import { REASON_CODES } from "../core/types";
import { scoreCompletion } from "../core/reward";
import { rolloutError } from "../core/events";

export type SourceFormat = "tooln1" | "verl" | "trl";

/** A RolloutRecord plus how it was read. */
export interface RolloutRow extends RolloutRecord {
  /** The reason (details) was recomputed by our scorer, because the source carried only a score. */
  explained?: boolean;
  /** The advantage was computed from the group, because the source did not carry one. */
  advantage_computed?: boolean;
}

export interface SourceFile {
  path: string;
  format: SourceFormat;
  /** Step from the file name, when the name carries one. */
  step: number | null;
}

const REASONS = new Set<string>(REASON_CODES);

/** Step number in `step-00012.jsonl`, `12.jsonl`, `completions_00012.parquet`. */
export function stepFromFileName(path: string): number | null {
  const m = /(?:^|[^0-9])(\d+)\.(?:jsonl|parquet)$/.exec(basename(path));
  return m ? Number(m[1]) : null;
}

/** A short stable id for a prompt text (FNV-1a, 64-bit as two 32-bit halves, hex). */
export function promptIdOf(text: string): string {
  let h1 = 0x811c9dc5,
    h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return "p" + (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0").slice(0, 4);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Ground truth as written by any of the sources: a list of calls, one call, a JSON string of either
 * (verl's `gts` is often a string), or `{answer: ...}`. Null when it cannot be read.
 */
export function parseGroundTruth(v: unknown): ToolCall[] | null {
  let x: unknown = v;
  for (let i = 0; i < 2 && typeof x === "string"; i++) {
    try {
      x = JSON.parse(x);
    } catch {
      return null;
    }
  }
  if (isObj(x) && !("name" in x) && ("answer" in x || "ground_truth" in x)) return parseGroundTruth(x.answer ?? x.ground_truth);
  if (isObj(x)) x = [x];
  if (!Array.isArray(x)) return null;
  const out: ToolCall[] = [];
  for (const c of x) {
    if (!isObj(c) || typeof c.name !== "string") return null;
    let args: unknown = c.arguments ?? {};
    if (typeof args === "string") {
      try {
        args = JSON.parse(args);
      } catch {
        return null;
      }
    }
    if (!isObj(args)) return null;
    out.push({ name: c.name, arguments: args as { [k: string]: Json } });
  }
  return out;
}

/** Which source a parsed JSONL line comes from. */
export function detectLineFormat(obj: unknown): SourceFormat | null {
  if (!isObj(obj)) return null;
  if (typeof obj.completion === "string" && ("reward" in obj || "details" in obj || "ground_truth" in obj)) return "tooln1";
  if ("output" in obj && ("score" in obj || "input" in obj || "gts" in obj)) return "verl";
  return null;
}

/** Numbers the completions of one (step, prompt) in the order they are read (verl and TRL carry no index). */
export class GroupCounter {
  private readonly seen = new Map<string, number>();
  next(step: number, promptId: string): number {
    const k = step + "\u0000" + promptId;
    const n = this.seen.get(k) ?? 0;
    this.seen.set(k, n + 1);
    return n;
  }
}

function num(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** Text of a TRL conversational field (a list of messages) or a plain string. */
function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    return v
      .map((m) => (isObj(m) ? (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? "")) : String(m)))
      .join("\n");
  }
  if (v === null || v === undefined) return "";
  return JSON.stringify(v);
}

/** Our scorer's verdict. A ground truth written as a JSON string is passed as written (keeps 1 and 1.0 apart). */
function explain(completion: string, gt: ToolCall[] | null, variant: RewardVariant, raw?: unknown): RolloutRecord["details"] {
  if (gt === null) return { format_ok: false, calls_ok: false, reason: "bad_ground_truth" };
  const r = scoreCompletion(completion, typeof raw === "string" ? raw : gt, variant);
  const d: RolloutRecord["details"] = { format_ok: r.format_ok, calls_ok: r.calls_ok, reason: r.reason };
  if (r.mismatch !== undefined) d.mismatch = r.mismatch;
  return d;
}

export interface NormalizeContext {
  format: SourceFormat;
  variant: RewardVariant;
  /** Step to use when the record has none (from the file name). */
  fileStep: number | null;
  groups: GroupCounter;
}

/** One parsed line (or parquet row) to a RolloutRow, or an error that says what is wrong. */
export function normalizeRollout(obj: unknown, ctx: NormalizeContext): RolloutRow | { error: string } {
  if (!isObj(obj)) return { error: "not a JSON object" };
  if (ctx.format === "tooln1") return normalizeOurs(obj, ctx);
  if (ctx.format === "verl") {
    if (!("output" in obj)) return { error: "verl rollout line without `output`" };
    const completion = textOf(obj.output);
    const prompt = textOf(obj.input);
    const step = num(obj.step) ?? ctx.fileStep ?? 0;
    const promptId = typeof obj.uid === "string" ? obj.uid : promptIdOf(prompt);
    const gtRaw = obj.gts ?? obj.ground_truth;
    const gt = parseGroundTruth(gtRaw);
    const details = explain(completion, gt, ctx.variant, gtRaw);
    const score = num(obj.score);
    const row: RolloutRow = {
      v: 1,
      step,
      prompt_id: promptId,
      group_index: ctx.groups.next(step, promptId),
      prompt,
      completion,
      ground_truth: gt ?? [],
      reward: score ?? 0,
      details,
      reward_variant: ctx.variant,
      explained: true,
    };
    return row;
  }
  return normalizeTrl(obj, ctx);
}

function normalizeOurs(obj: Record<string, unknown>, ctx: NormalizeContext): RolloutRow | { error: string } {
  // A record that says it is ours (`v`) must be valid; a bare {completion, ground_truth} is read leniently.
  const strict = rolloutError(obj);
  if (strict === null) {
    const r = obj as unknown as RolloutRow;
    if (r.advantage === null) delete r.advantage;
    return r;
  }
  if (obj.v !== undefined) return { error: strict };
  if (typeof obj.completion !== "string") return { error: "rollout line without a string `completion`" };
  const step = num(obj.step) ?? ctx.fileStep;
  if (step === null) return { error: "rollout line without `step`" };
  const gt = parseGroundTruth(obj.ground_truth ?? []);
  const prompt = typeof obj.prompt === "string" ? obj.prompt : undefined;
  const promptId = typeof obj.prompt_id === "string" ? obj.prompt_id : typeof obj.prompt_ref === "string" ? obj.prompt_ref : promptIdOf(prompt ?? "");
  const groupIndex = num(obj.group_index);
  const variant = typeof obj.reward_variant === "string" ? (obj.reward_variant as RewardVariant) : ctx.variant;
  let details: RolloutRecord["details"];
  let explained = false;
  const d = obj.details;
  if (isObj(d) && typeof d.reason === "string" && REASONS.has(d.reason)) {
    details = { format_ok: d.format_ok === true, calls_ok: d.calls_ok === true, reason: d.reason as ReasonCode };
    if (typeof d.mismatch === "string") details.mismatch = d.mismatch;
  } else {
    details = explain(obj.completion, gt, variant);
    explained = true;
  }
  const reward = num(obj.reward);
  const row: RolloutRow = {
    v: 1,
    step,
    prompt_id: promptId,
    group_index: groupIndex ?? ctx.groups.next(step, promptId),
    completion: obj.completion,
    ground_truth: gt ?? [],
    reward: reward ?? (explained ? scoreCompletion(obj.completion, gt ?? [], variant).reward : 0),
    details,
    reward_variant: variant,
  };
  if (prompt !== undefined) row.prompt = prompt;
  if (typeof obj.prompt_ref === "string") row.prompt_ref = obj.prompt_ref;
  const adv = num(obj.advantage);
  if (adv !== null) row.advantage = adv;
  if (isObj(obj.tokens)) {
    const t: { prompt?: number; completion?: number } = {};
    const p = num(obj.tokens.prompt);
    const c = num(obj.tokens.completion);
    if (p !== null) t.prompt = p;
    if (c !== null) t.completion = c;
    row.tokens = t;
  }
  if (explained) row.explained = true;
  return row;
}

const TRL_FIXED = new Set(["step", "prompt", "completion", "advantage", "answer", "ground_truth", "gts", "tools", "__index_level_0__"]);

function normalizeTrl(obj: Record<string, unknown>, ctx: NormalizeContext): RolloutRow | { error: string } {
  const completion = textOf(obj.completion);
  const prompt = textOf(obj.prompt);
  const step = num(obj.step) ?? ctx.fileStep ?? 0;
  const promptId = promptIdOf(prompt);
  // The total reward is the sum of the reward-function columns (TRL logs them unweighted).
  let reward = 0;
  let any = false;
  for (const [k, v] of Object.entries(obj)) {
    if (TRL_FIXED.has(k)) continue;
    const n = num(v);
    if (n !== null && typeof v === "number") {
      reward += n;
      any = true;
    }
  }
  const gtRaw = obj.answer ?? obj.ground_truth ?? obj.gts;
  const gt = gtRaw === undefined ? null : parseGroundTruth(gtRaw);
  const row: RolloutRow = {
    v: 1,
    step,
    prompt_id: promptId,
    group_index: ctx.groups.next(step, promptId),
    prompt,
    completion,
    ground_truth: gt ?? [],
    reward: any ? reward : 0,
    details: explain(completion, gt, ctx.variant, gtRaw),
    reward_variant: ctx.variant,
    explained: true,
  };
  const adv = num(obj.advantage);
  if (adv !== null) row.advantage = adv;
  return row;
}

/** All rows of one TRL completions parquet file (these files hold one logging step each). */
export async function readTrlParquet(path: string, variant: RewardVariant, groups = new GroupCounter()): Promise<(RolloutRow | { error: string })[]> {
  const { parquetReadObjects } = await import("hyparquet");
  const buf = await fsp.readFile(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file, rowFormat: "object" })) as Record<string, unknown>[];
  const fileStep = stepFromFileName(path);
  return rows.map((r) => {
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) clean[k] = typeof v === "bigint" ? Number(v) : v;
    return normalizeRollout(clean, { format: "trl", variant, fileStep, groups });
  });
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir)).sort();
  } catch {
    return [];
  }
}

/**
 * The rollout files of a run directory or a rollout folder: ours (`rollouts/step-*.jsonl`), verl
 * (`<step>.jsonl`), TRL (`completions/completions_*.parquet`). Sorted by step. A file path is returned
 * as itself.
 */
export async function discoverRolloutFiles(path: string): Promise<SourceFile[]> {
  const st = await fsp.stat(path);
  if (!st.isDirectory()) {
    const format: SourceFormat = path.endsWith(".parquet") ? "trl" : /^\d+\.jsonl$/.test(basename(path)) ? "verl" : "tooln1";
    return [{ path, format, step: stepFromFileName(path) }];
  }
  const out: SourceFile[] = [];
  const take = (dir: string, names: string[], re: RegExp, format: SourceFormat): void => {
    for (const n of names) if (re.test(n)) out.push({ path: join(dir, n), format, step: stepFromFileName(n) });
  };
  const top = await listDir(path);
  if (top.includes("rollouts")) {
    const names = await listDir(join(path, "rollouts"));
    take(join(path, "rollouts"), names, /^step-\d+\.jsonl$/, "tooln1");
    take(join(path, "rollouts"), names, /^\d+\.jsonl$/, "verl"); // trainer.rollout_data_dir of tooln1 export-verl
  }
  if (top.includes("completions")) take(join(path, "completions"), await listDir(join(path, "completions")), /^completions_\d+\.parquet$/, "trl");
  take(path, top, /^step-\d+\.jsonl$/, "tooln1");
  take(path, top, /\.rollouts\.jsonl$/, "tooln1");
  take(path, top, /^\d+\.jsonl$/, "verl");
  take(path, top, /^completions_\d+\.parquet$/, "trl");
  out.sort((a, b) => (a.step ?? 0) - (b.step ?? 0) || a.path.localeCompare(b.path));
  return out;
}
