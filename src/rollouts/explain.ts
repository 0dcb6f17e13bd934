/**
 * Why a rollout got its reward: the parser's spans, the calls matched against the ground truth
 * argument by argument, and the reward recomputed by our scorer. Pure (no vscode, no node), used by
 * the hover and by the inspector's detail pane.
 */
import type { Json, RewardVariant, RolloutRecord, ToolCall } from "../core/types";
import { parseToolCalls } from "../core/toolcall";
import { scoreCompletion } from "../core/reward";
import type { ArgDiff, CallPair, Explanation, TextSpan } from "../../shared/inspector/protocol";

function canon(v: Json | undefined): string {
  if (v === undefined) return "";
  if (Array.isArray(v)) return "[" + v.map((x) => canon(x)).join(",") + "]";
  if (v !== null && typeof v === "object") {
    return (
      "{" +
      Object.keys(v)
        .sort()
        .map((k) => JSON.stringify(k) + ":" + canon(v[k]))
        .join(",") +
      "}"
    );
  }
  return JSON.stringify(v);
}

/** Argument-level diff of one emitted call against one ground-truth call. */
export function diffArguments(expected: ToolCall["arguments"] | null, actual: ToolCall["arguments"] | null): ArgDiff[] {
  const out: ArgDiff[] = [];
  const e = expected ?? {};
  const a = actual ?? {};
  const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
  for (const k of keys) {
    const inE = Object.prototype.hasOwnProperty.call(e, k);
    const inA = Object.prototype.hasOwnProperty.call(a, k);
    if (inE && !inA) out.push({ key: k, status: "missing", expected: e[k] });
    else if (!inE && inA) out.push({ key: k, status: "extra", actual: a[k] });
    else out.push({ key: k, status: canon(e[k]) === canon(a[k]) ? "same" : "changed", expected: e[k], actual: a[k] });
  }
  return out;
}

/**
 * Pairs emitted calls with ground-truth calls, order-free as the reward is: same name first,
 * preferring the pair with the most equal arguments; the rest are missing or extra calls.
 */
export function pairCalls(expected: ToolCall[], actual: ToolCall[]): CallPair[] {
  const used = new Set<number>();
  const pairs: CallPair[] = [];
  expected.forEach((g, gi) => {
    let best = -1;
    let bestScore = -1;
    actual.forEach((c, ci) => {
      if (used.has(ci) || c.name !== g.name) return;
      const score = diffArguments(g.arguments, c.arguments).filter((d) => d.status === "same").length;
      if (score > bestScore) {
        best = ci;
        bestScore = score;
      }
    });
    if (best === -1) {
      // no call of that name: pair with the first unused call so a wrong name shows side by side
      best = actual.findIndex((_c, ci) => !used.has(ci) && !expected.some((e2) => e2.name === actual[ci].name));
    }
    if (best === -1) {
      pairs.push({ expectedIndex: gi, actualIndex: null, expected: g, actual: null, nameMatch: false, args: diffArguments(g.arguments, null) });
    } else {
      used.add(best);
      const c = actual[best];
      pairs.push({ expectedIndex: gi, actualIndex: best, expected: g, actual: c, nameMatch: c.name === g.name, args: diffArguments(g.arguments, c.arguments) });
    }
  });
  actual.forEach((c, ci) => {
    if (!used.has(ci)) pairs.push({ expectedIndex: null, actualIndex: ci, expected: null, actual: c, nameMatch: false, args: diffArguments(null, c.arguments) });
  });
  return pairs;
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
    pairs: pairCalls(rec.ground_truth, calls),
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
  const parsed = parseToolCalls(rec.completion);
  const pairs = pairCalls(
    rec.ground_truth,
    parsed.calls.map((c) => ({ name: c.name, arguments: c.arguments })),
  );
  for (const p of pairs) {
    const d = p.args.find((a) => a.key === m[2]);
    if (d && d.status === "changed") return `${JSON.stringify(d.actual)} vs ${JSON.stringify(d.expected)}`;
  }
  return null;
}
