/**
 * Why a rollout got its reward: the parser's spans, the calls matched against the ground truth
 * argument by argument, and the reward recomputed by our scorer. Pure (no vscode, no node), used by
 * the hover and by the inspector's detail pane.
 */
import type { RewardVariant, RolloutRecord, ToolCall } from "../core/types";
import { parseToolCalls, readBlock, scanStructure, type ParseError, type RawCall } from "../core/toolcall";
import { argumentKey, scoreCompletion } from "../core/reward";
import { fromJs, toJson, type PyJson, type PyObject } from "../core/pyjson";
import type { ArgDiff, CallPair, Explanation, TextSpan } from "../../common/inspector/protocol";

/** A call with its arguments as the reward reads them (numbers keep their text: 1 and 1.0 stay apart). */
interface ReadCall {
  call: ToolCall;
  args: PyObject;
}

function readCall(c: ToolCall): ReadCall {
  const args = fromJs(c.arguments);
  return { call: c, args: args instanceof Map ? args : new Map() };
}

/** The model's calls as the reward reads them, from every closed block. */
function readModelCalls(text: string): ReadCall[] {
  const raw: RawCall[] = [];
  const errors: ParseError[] = [];
  scanStructure(text).blocks.forEach((b, i) => {
    if (b.closed) readBlock(text, b, i, raw, errors);
  });
  return raw.map((c) => ({ call: { name: c.name, arguments: toJson(c.args) as ToolCall["arguments"] }, args: c.args }));
}

function diffRead(expected: PyObject | null, actual: PyObject | null, key: (v: PyJson) => string): ArgDiff[] {
  const out: ArgDiff[] = [];
  const e = expected ?? new Map<string, PyJson>();
  const a = actual ?? new Map<string, PyJson>();
  const keys = [...new Set([...e.keys(), ...a.keys()])].sort();
  for (const k of keys) {
    const x = e.get(k);
    const y = a.get(k);
    if (x !== undefined && y === undefined) out.push({ key: k, status: "missing", expected: toJson(x) });
    else if (x === undefined && y !== undefined) out.push({ key: k, status: "extra", actual: toJson(y) });
    else if (x !== undefined && y !== undefined) out.push({ key: k, status: key(x) === key(y) ? "same" : "changed", expected: toJson(x), actual: toJson(y) });
  }
  return out;
}

function pairRead(expected: ReadCall[], actual: ReadCall[], key: (v: PyJson) => string): CallPair[] {
  const used = new Set<number>();
  const pairs: CallPair[] = [];
  expected.forEach((g, gi) => {
    let best = -1;
    let bestScore = -1;
    actual.forEach((c, ci) => {
      if (used.has(ci) || c.call.name !== g.call.name) return;
      const score = diffRead(g.args, c.args, key).filter((d) => d.status === "same").length;
      if (score > bestScore) {
        best = ci;
        bestScore = score;
      }
    });
    if (best === -1) {
      // no call of that name: pair with the first unused call so a wrong name shows side by side
      best = actual.findIndex((c, ci) => !used.has(ci) && !expected.some((e2) => e2.call.name === c.call.name));
    }
    if (best === -1) {
      pairs.push({ expectedIndex: gi, actualIndex: null, expected: g.call, actual: null, nameMatch: false, args: diffRead(g.args, null, key) });
    } else {
      used.add(best);
      const c = actual[best];
      pairs.push({ expectedIndex: gi, actualIndex: best, expected: g.call, actual: c.call, nameMatch: c.call.name === g.call.name, args: diffRead(g.args, c.args, key) });
    }
  });
  actual.forEach((c, ci) => {
    if (!used.has(ci)) pairs.push({ expectedIndex: null, actualIndex: ci, expected: null, actual: c.call, nameMatch: false, args: diffRead(null, c.args, key) });
  });
  return pairs;
}

/**
 * Pairs emitted calls with ground-truth calls, order-free as the reward is: same name first,
 * preferring the pair with the most equal arguments; the rest are missing or extra calls. Argument
 * values are compared with the reward's own equality for `variant` (argumentKey).
 */
export function pairCalls(expected: ToolCall[], actual: ToolCall[], variant: RewardVariant = "binary"): CallPair[] {
  return pairRead(expected.map(readCall), actual.map(readCall), argumentKey(variant));
}

/** Everything the detail pane and the hover show about one rollout. */
export function explainRollout(rec: RolloutRecord, variant: RewardVariant): Explanation {
  const parsed = parseToolCalls(rec.completion);
  const v = rec.reward_variant ?? variant;
  const rescored = scoreCompletion(rec.completion, rec.ground_truth, v);
  const spans: TextSpan[] = [];
  if (parsed.reasoning) spans.push({ start: parsed.reasoning.start, end: parsed.reasoning.end, kind: "reasoning", label: "reasoning" });
  parsed.blocks.forEach((b, i) =>
    spans.push({ start: b.start, end: b.end, kind: b.closed ? "block" : "error", label: b.closed ? `tool_call block ${i}` : `unclosed tool_call block ${i}` }),
  );
  parsed.calls.forEach((c, i) => spans.push({ start: c.start, end: c.end, kind: "call", label: `call ${i}: ${c.name}` }));
  parsed.errors.forEach((e) => spans.push({ start: e.start, end: Math.max(e.end, e.start), kind: "error", label: `${e.code}: ${e.message}` }));
  const calls: ToolCall[] = parsed.calls.map((c) => ({ name: c.name, arguments: c.arguments }));
  return {
    reasoning: parsed.reasoning ? parsed.reasoning.text : null,
    thinkOk: parsed.thinkOk,
    calls,
    errors: parsed.errors.map((e) => ({ code: e.code, message: e.message, start: e.start, end: e.end })),
    pairs: pairRead(rec.ground_truth.map(readCall), readModelCalls(rec.completion), argumentKey(v)),
    spans: normalizeSpans(spans, rec.completion.length),
    rescored,
    variant: v,
    agrees: rescored.reward === rec.reward && rescored.reason === rec.details.reason,
  };
}

/** Clamps spans to the text and orders them by start (outer spans before inner). */
export function normalizeSpans(spans: TextSpan[], length: number): TextSpan[] {
  return spans
    .map((s) => ({ ...s, start: Math.max(0, Math.min(length, s.start)), end: Math.max(0, Math.min(length, s.end)) }))
    .filter((s) => s.end >= s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
}

/** One-line verdict for the end of a rollout line: `1.0` or `0: wrong_argument_value calls[0].arguments.city "Paris" vs "paris"`. */
export function verdictText(rec: RolloutRecord, maxLen = 140): string {
  const r = Number.isInteger(rec.reward) ? rec.reward.toFixed(1) : String(Math.round(rec.reward * 1000) / 1000);
  if (rec.details.reason === "ok") return r;
  let s = `${r}: ${rec.details.reason.replace(/_/g, " ")}`;
  if (rec.details.mismatch) {
    s += " " + rec.details.mismatch;
    const vals = mismatchValues(rec);
    if (vals) s += " " + vals;
  }
  s = s.replace(/[\r\n\t]+/g, " ");
  return s.length > maxLen ? s.slice(0, maxLen - 1) + "…" : s;
}

/** `"Paris" vs "paris"` for a mismatch path `calls[i].arguments.key`, when both sides are found. */
function mismatchValues(rec: RolloutRecord): string | null {
  const m = /^calls\[(\d+)\]\.arguments\.(.+)$/.exec(rec.details.mismatch ?? "");
  if (!m) return null;
  const pairs = pairRead(rec.ground_truth.map(readCall), readModelCalls(rec.completion), argumentKey(rec.reward_variant ?? "binary"));
  for (const p of pairs) {
    const d = p.args.find((a) => a.key === m[2]);
    if (d && d.status === "changed") return `${JSON.stringify(d.actual)} vs ${JSON.stringify(d.expected)}`;
  }
  return null;
}
