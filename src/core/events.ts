/**
 * Readers of the trainer's wire formats: `events.jsonl` lines and `rollouts/step-NNNNN.jsonl` lines.
 * The trainer (trainer/src/tooln1/events.py) owns both; shapes are in ./types.ts and, as JSON Schema,
 * in trainer/src/tooln1/schemas/{event,rollout}.schema.json. A line that does not match is reported
 * with one sentence saying which field is wrong; the reader skips it and goes on.
 */
import eventSchema from "../../trainer/src/tooln1/schemas/event.schema.json";
import { EVENT_VERSION, REASON_CODES, REWARD_VARIANTS, type RolloutRecord, type TrainEvent, type TrainEventType } from "./types";

export type ParseResult<T> = { ok: true; event: T } | { ok: false; error: string };
export type RolloutParseResult = { ok: true; record: RolloutRecord } | { ok: false; error: string };

type Obj = { [k: string]: unknown };
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isInteger(x);
const isStr = (x: unknown): x is string => typeof x === "string";

// The event types, final statuses and log levels come from the format's one spec, event.schema.json
// (tooln1/events.py loads it too); the field checks below follow its `allOf` branches.
interface EventSchema {
  properties: { type: { enum: string[] } };
  allOf: { if: { properties: { type: { const: string } } }; then: { properties: Record<string, { enum?: string[] }> } }[];
}
const SCHEMA = eventSchema as unknown as EventSchema;
const enumOf = (type: TrainEventType, field: string): string[] => SCHEMA.allOf.find((c) => c.if.properties.type.const === type)?.then.properties[field]?.enum ?? [];
const EVENT_TYPES = SCHEMA.properties.type.enum as readonly TrainEventType[];
const FINAL = enumOf("run_finished", "status");
const LEVELS = enumOf("log", "level");

/** Checks that `m` is `{name: number | null}`; returns the first bad name, or null. */
function badMetric(m: Obj): string | null {
  for (const k in m) {
    const v = m[k];
    if (v !== null && !isNum(v)) return k;
  }
  return null;
}

/** Validates a parsed event object against the shapes of types.ts; returns an error or null. */
export function eventError(o: unknown): string | null {
  if (!isObj(o)) return "an event must be a JSON object";
  if (o.v !== EVENT_VERSION) return `unsupported event version ${JSON.stringify(o.v)} (this reader knows v${EVENT_VERSION})`;
  if (!isStr(o.type)) return 'missing "type"';
  if (!isStr(o.time)) return `${o.type} event without "time" (ISO-8601 UTC string)`;
  const t = o.type;
  if (!(EVENT_TYPES as readonly string[]).includes(t)) return `unknown event type ${JSON.stringify(t)}`;
  const need = (field: string, ok: boolean, what: string): string | null => (ok ? null : `${t} event: "${field}" must be ${what}`);
  const optNum = (x: unknown): boolean => x === undefined || x === null || isNum(x);
  switch (t) {
    case "run_started":
      return (
        need("run_id", isStr(o.run_id), "a string") ??
        need("method", isStr(o.method), "a string") ??
        need("model", isStr(o.model), "a string") ??
        need("config", isObj(o.config), "an object") ??
        need("data", isObj(o.data), "an object") ??
        need("total_steps", o.total_steps === undefined || o.total_steps === null || isInt(o.total_steps), "an integer or null") ??
        need("pid", o.pid === undefined || isInt(o.pid), "an integer")
      );
    case "metrics":
    case "eval": {
      const e =
        need("step", isInt(o.step), "an integer") ??
        need("metrics", isObj(o.metrics), "an object of numbers") ??
        (t === "eval" ? need("path", o.path === undefined || isStr(o.path), "a string") : null) ??
        need("phase", o.phase === undefined || o.phase === null || isStr(o.phase), "a string or null") ??
        (t === "metrics" ? (need("total_steps", o.total_steps === undefined || o.total_steps === null || isInt(o.total_steps), "an integer or null") ?? need("epoch", optNum(o.epoch), "a number or null")) : null);
      if (e) return e;
      const bad = badMetric(o.metrics as Obj);
      return bad === null ? null : `${t} event: metric "${bad}" must be a number or null`;
    }
    case "rollouts":
      return need("step", isInt(o.step), "an integer") ?? need("path", isStr(o.path), "a string") ?? need("count", isInt(o.count), "an integer");
    case "checkpoint":
      return need("step", isInt(o.step), "an integer") ?? need("path", isStr(o.path), "a string");
    case "log":
      return need("level", isStr(o.level) && LEVELS.includes(o.level), '"debug" or "info"') ?? need("message", isStr(o.message), "a string");
    case "warning":
      return need("message", isStr(o.message), "a string") ?? need("code", o.code === undefined || isStr(o.code), "a string");
    case "error":
      return (
        need("message", isStr(o.message), "a string") ??
        need("traceback", o.traceback === undefined || isStr(o.traceback), "a string") ??
        need("hint", o.hint === undefined || isStr(o.hint), "a string")
      );
    case "run_finished":
      return (
        need("status", isStr(o.status) && FINAL.includes(o.status), '"completed", "cancelled" or "failed"') ??
        need("step", o.step === undefined || isInt(o.step), "an integer") ??
        need("message", o.message === undefined || isStr(o.message), "a string")
      );
    case "resumed":
      return need("step", isInt(o.step) && (o.step as number) >= 0, "an integer >= 0") ?? need("checkpoint", o.checkpoint === undefined || o.checkpoint === null || isStr(o.checkpoint), "a string or null");
    default:
      return `no reader for event type ${JSON.stringify(t)}`;
  }
}

/** Parses one line of `events.jsonl`. */
export function parseEventLine(line: string): ParseResult<TrainEvent> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  const err = eventError(v);
  return err === null ? { ok: true, event: v as TrainEvent } : { ok: false, error: err };
}

function callsError(x: unknown, field: string): string | null {
  if (!Array.isArray(x)) return `"${field}" must be an array of calls`;
  for (let i = 0; i < x.length; i++) {
    const c = x[i];
    if (!isObj(c) || !isStr(c.name) || !isObj(c.arguments)) return `"${field}[${i}]" must be {"name": string, "arguments": object}`;
  }
  return null;
}

/** Validates a parsed rollout record; returns an error or null. */
export function rolloutError(o: unknown): string | null {
  if (!isObj(o)) return "a rollout record must be a JSON object";
  if (o.v !== 1) return `unsupported rollout version ${JSON.stringify(o.v)} (this reader knows v1)`;
  const need = (field: string, ok: boolean, what: string): string | null => (ok ? null : `"${field}" must be ${what}`);
  const e =
    need("step", isInt(o.step), "an integer") ??
    need("prompt_id", isStr(o.prompt_id), "a string") ??
    need("group_index", isInt(o.group_index), "an integer") ??
    need("prompt", o.prompt === undefined || isStr(o.prompt), "a string") ??
    need("prompt_ref", o.prompt_ref === undefined || isStr(o.prompt_ref), "a string") ??
    (o.prompt === undefined && o.prompt_ref === undefined ? 'a rollout needs "prompt" or "prompt_ref"' : null) ??
    need("completion", isStr(o.completion), "a string") ??
    callsError(o.ground_truth, "ground_truth") ??
    need("reward", isNum(o.reward), "a number") ??
    need("details", isObj(o.details), "an object");
  if (e) return e;
  const d = o.details as Obj;
  const de =
    need("details.format_ok", typeof d.format_ok === "boolean", "a boolean") ??
    need("details.calls_ok", typeof d.calls_ok === "boolean", "a boolean") ??
    need("details.reason", isStr(d.reason) && (REASON_CODES as readonly string[]).includes(d.reason), `one of ${REASON_CODES.join(", ")}`) ??
    need("details.mismatch", d.mismatch === undefined || isStr(d.mismatch), "a string");
  if (de) return de;
  if (!(o.advantage === undefined || o.advantage === null || isNum(o.advantage))) return '"advantage" must be a number or null';
  if (o.tokens !== undefined) {
    if (!isObj(o.tokens)) return '"tokens" must be an object';
    for (const k of ["prompt", "completion"]) if (o.tokens[k] !== undefined && !isInt(o.tokens[k])) return `"tokens.${k}" must be an integer`;
  }
  if (o.reward_variant !== undefined && !(isStr(o.reward_variant) && (REWARD_VARIANTS as readonly string[]).includes(o.reward_variant))) {
    return `"reward_variant" must be one of ${REWARD_VARIANTS.join(", ")}`;
  }
  return null;
}

/** Parses one line of `rollouts/step-NNNNN.jsonl`. */
export function parseRolloutLine(line: string): RolloutParseResult {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  const err = rolloutError(v);
  return err === null ? { ok: true, record: v as RolloutRecord } : { ok: false, error: err };
}

/**
 * Step order of a run's series (metric points, eval points, rollout files). A `--resume` run writes
 * again the steps after its checkpoint, so one events.jsonl can hold steps 13, 14, 13, 14. Every
 * reader keeps only the newest record of a step, so x axes stay increasing:
 *
 * - a `resumed` event at step S drops the entries after S (`rewindSteps`);
 * - an entry whose step is below the last one's drops the entries at or after its step;
 * - an entry at the last one's step replaces it; `merge` combines the two instead, or returns null to
 *   keep both (two phases of a run meeting at one step).
 *
 * tooln1/events.py (`append_by_step`, `rewind_steps`, `run_series`) applies the same rules; both are
 * tested on test/vectors/events/resume-cases.json. Each returns how many earlier entries it removed
 * (a merged entry counts as one), so a consumer holding its own copy knows when to rebuild it.
 */
export function appendByStep<T extends { step: number }>(list: T[], item: T, merge?: (older: T, newer: T) => T | null): number {
  let n = list.length;
  while (n > 0 && list[n - 1].step > item.step) n--;
  const removed = list.length - n;
  list.length = n;
  if (n > 0 && list[n - 1].step === item.step) {
    if (removed > 0 || !merge) {
      list[n - 1] = item;
      return removed + 1;
    }
    const merged = merge(list[n - 1], item);
    if (merged === null) {
      list.push(item);
      return 0;
    }
    list[n - 1] = merged;
    return 1;
  }
  list.push(item);
  return removed;
}

/** Drops the entries after `step` (a `resumed` event); returns how many. */
export function rewindSteps<T extends { step: number }>(list: T[], step: number): number {
  let n = list.length;
  while (n > 0 && list[n - 1].step > step) n--;
  const removed = list.length - n;
  list.length = n;
  return removed;
}
