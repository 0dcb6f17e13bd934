/**
 * The Tool-N1 reward (paper eq. 5 and its Table 4 ablations) and an exact reproduction of the
 * official scorer (NVlabs/Tool-N1 verl/verl/utils/reward_score/toolcall.py, compute_score_v0).
 * Mirrored by trainer/src/tooln1/reward.py: same results, same bytes (test/vectors/reward/).
 * Semantics, reason codes and every divergence from the official scorer: docs/reward.md.
 */
import type { ReasonCode, RewardResult, RewardVariant } from "./types";
import { REASON_CODES, REWARD_VARIANTS } from "./types";
import { OFFICIAL_MAX_DEPTH, PyJsonError, PyNum, fromJs, numberValueText, parsePyJson, pyDumps, pyFloatRepr, pyQuote, sortedKeys, valueKey, type PyJson, type PyObject } from "./pyjson";
import { CALL_CLOSE, CALL_OPEN, THINK_CLOSE, THINK_OPEN, pyStrip, readBlock, scanStructure, scopeStart, type ParseError, type RawCall } from "./toolcall";

export type { RewardResult, RewardVariant } from "./types";

/** A call reduced to what the comparison needs. */
interface Cmp {
  nameKey: string;
  /** nameKey + NUL + canonical arguments: equal keys mean equal calls. */
  key: string;
  args: PyJson;
}

/** A result names the first failing check in the order of REASON_CODES. */
const REASON_RANK: Record<string, number> = {};
REASON_CODES.forEach((c, i) => (REASON_RANK[c] = i));

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `"key"` for a mismatch path: JSON-style quotes, escapes only quotes, backslashes, controls, lone surrogates. */
export function pathKey(k: string): string {
  if (IDENT.test(k)) return "." + k;
  let out = '["';
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += "\\\\";
    else if (c < 32) {
      out += c === 10 ? "\\n" : c === 13 ? "\\r" : c === 9 ? "\\t" : c === 8 ? "\\b" : c === 12 ? "\\f" : "\\u" + c.toString(16).padStart(4, "0");
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = k.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        out += k[i] + k[i + 1];
        i++;
      } else out += "\\u" + c.toString(16);
    } else out += k[i];
  }
  return out + '"]';
}

/**
 * The reward's own equality of argument values: two values are the same argument when their keys
 * are equal. `official` compares json.dumps texts (1 and 1.0 differ); the other variants compare by
 * value. The inspector's argument diff uses it, so it never disagrees with the score.
 */
export function argumentKey(variant: RewardVariant): (v: PyJson) => string {
  return variant === "official" ? pyDumps : valueKey;
}

interface Diff {
  reason: ReasonCode;
  mismatch: string;
}

function diffValue(m: PyJson, g: PyJson, path: string, keyOf: (v: PyJson) => string): Diff {
  if (m instanceof Map && g instanceof Map) {
    const keys = sortedKeys(new Map([...g, ...m]));
    for (const k of keys) {
      const p = path + pathKey(k);
      if (!m.has(k)) return { reason: "missing_argument", mismatch: p };
      if (!g.has(k)) return { reason: "extra_argument", mismatch: p };
      const a = m.get(k) as PyJson;
      const b = g.get(k) as PyJson;
      if (keyOf(a) !== keyOf(b)) return diffValue(a, b, p, keyOf);
    }
  } else if (Array.isArray(m) && Array.isArray(g) && m.length === g.length) {
    for (let i = 0; i < m.length; i++) {
      if (keyOf(m[i]) !== keyOf(g[i])) return diffValue(m[i], g[i], `${path}[${i}]`, keyOf);
    }
  }
  return { reason: "wrong_argument_value", mismatch: path };
}

/**
 * Order-free multiset comparison of calls. Returns null on a full match, else the first difference:
 * exact matches are set aside, the rest of the model's calls (in their order) are paired with the
 * first unpaired ground-truth call of the same name, and the first pair's arguments are diffed.
 */
function compareCalls(model: Cmp[], gt: Cmp[], keyOf: (v: PyJson) => string): (Diff & { namesOk: boolean }) | null {
  if (model.length !== gt.length) return { reason: "wrong_call_count", mismatch: "calls", namesOk: false };
  if (model.length === 1) {
    if (model[0].key === gt[0].key) return null;
    if (model[0].nameKey !== gt[0].nameKey) return { reason: "wrong_name", mismatch: "calls[0].name", namesOk: false };
    return { ...diffValue(model[0].args, gt[0].args, "calls[0].arguments", keyOf), namesOk: true };
  }
  const pool = new Map<string, number>();
  for (const c of gt) pool.set(c.key, (pool.get(c.key) ?? 0) + 1);
  const unmatched: number[] = [];
  const exact = new Map<string, number>(); // exact matches per key
  model.forEach((c, i) => {
    const n = pool.get(c.key) ?? 0;
    if (n > 0) {
      pool.set(c.key, n - 1);
      exact.set(c.key, (exact.get(c.key) ?? 0) + 1);
    } else unmatched.push(i);
  });
  if (unmatched.length === 0) return null;
  // Set aside the ground-truth calls consumed by exact matches (the first ones of each key, in
  // order); queue the rest by name, in order.
  const byName = new Map<string, number[]>();
  gt.forEach((c, j) => {
    const n = exact.get(c.key) ?? 0;
    if (n > 0) exact.set(c.key, n - 1);
    else {
      const q = byName.get(c.nameKey);
      if (q) q.push(j);
      else byName.set(c.nameKey, [j]);
    }
  });
  let first: Diff | null = null;
  for (const i of unmatched) {
    const q = byName.get(model[i].nameKey);
    const j = q?.shift();
    if (j === undefined) return { reason: "wrong_name", mismatch: `calls[${i}].name`, namesOk: false };
    if (!first) first = diffValue(model[i].args, gt[j].args, `calls[${i}].arguments`, keyOf);
  }
  return { ...(first as Diff), namesOk: true };
}

// ---------------------------------------------------------------------------------------------
// Ground truth

type GroundTruth = { calls: Cmp[] } | null;

/**
 * The rollouts of one prompt share its ground truth: a ground-truth text is read once per variant
 * family. Bounded (cleared when full); values are never mutated.
 */
const GT_CACHE_SIZE = 4096;
const GT_CACHE_MAX_CHARS = 16384; // bounds the cache's memory
const defaultGtCache = new Map<string, GroundTruth>();
const officialGtCache = new Map<string, GroundTruth>();
function cached(cache: Map<string, GroundTruth>, gt: unknown, read: (gt: unknown) => GroundTruth): GroundTruth {
  if (typeof gt !== "string" || gt.length > GT_CACHE_MAX_CHARS) return read(gt);
  let v = cache.get(gt);
  if (v === undefined) {
    if (cache.size >= GT_CACHE_SIZE) cache.clear();
    v = read(gt);
    cache.set(gt, v);
  }
  return v;
}

/** Equality by value (what valueKey compares), without building the canonical text. */
function valueEqual(a: PyJson, b: PyJson): boolean {
  if (a === b) return true;
  if (a instanceof PyNum) return b instanceof PyNum && ((a.isFloat === b.isFloat && a.text === b.text) || numberValueText(a) === numberValueText(b));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, x] of a) {
      const y = b.get(k);
      if (y === undefined || !valueEqual(x, y)) return false;
    }
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEqual(a[i], b[i])) return false;
    return true;
  }
  return false; // strings, booleans and null are equal only when ===
}

function defaultCmp(name: string, args: PyObject): Cmp {
  const nameKey = "s:" + name;
  return { nameKey, key: nameKey + "\u0000" + valueKey(args), args };
}

function readDefaultGroundTruth(gt: unknown): GroundTruth {
  let v: PyJson | undefined;
  try {
    if (typeof gt === "string") {
      v = parsePyJson(gt);
      if (typeof v === "string") v = parsePyJson(v);
    } else v = fromJs(gt);
  } catch (e) {
    if (e instanceof PyJsonError) return null;
    throw e;
  }
  if (v instanceof Map) v = [v];
  if (!Array.isArray(v)) return null;
  const calls: Cmp[] = [];
  for (const item of v) {
    if (!(item instanceof Map)) return null;
    const name = item.get("name");
    let args = item.get("arguments");
    if (typeof name !== "string") return null;
    if (typeof args === "string") {
      try {
        args = parsePyJson(args);
      } catch (e) {
        if (e instanceof PyJsonError) return null;
        throw e;
      }
    }
    if (!(args instanceof Map)) return null;
    calls.push(defaultCmp(name, args));
  }
  return { calls };
}

/**
 * Python hash-equality of a call name (1 == 1.0 == True); null if unhashable. NaN equals itself here:
 * json.loads returns its one NaN object every time, and Counter compares keys by identity first.
 */
function officialNameKey(name: PyJson): string | null {
  if (typeof name === "string") return "s:" + name;
  if (name === null) return "None";
  if (name === true) return "n:1";
  if (name === false) return "n:0";
  if (name instanceof PyNum) {
    if (name.value !== name.value) return "nan";
    return "n:" + numberValueText(name);
  }
  return null; // list or dict: unhashable
}

function officialCmp(args: PyJson, nameKey: string): Cmp {
  return { nameKey, key: nameKey + "\u0000" + pyDumps(args), args };
}

/** Python's json as compute_score_v0 meets it: NaN/Infinity accepted, nesting to CPython's recursion limit. */
const OFFICIAL_JSON = { constants: true, maxDepth: OFFICIAL_MAX_DEPTH };

function readOfficialGroundTruth(gt: unknown): GroundTruth {
  let v: PyJson | undefined;
  try {
    if (typeof gt === "string") {
      v = parsePyJson(gt, OFFICIAL_JSON);
      if (typeof v === "string") v = parsePyJson(v, OFFICIAL_JSON);
    } else v = fromJs(gt);
  } catch (e) {
    if (e instanceof PyJsonError) return null;
    throw e;
  }
  if (v === undefined) return null;
  // compute_score_v0 only ever succeeds with a list of {"name", "arguments"} dicts or an empty container.
  if (v === "" || (v instanceof Map && v.size === 0)) return { calls: [] };
  if (!Array.isArray(v)) return null;
  const calls: Cmp[] = [];
  for (const item of v) {
    if (!(item instanceof Map) || !item.has("name") || !item.has("arguments")) return null;
    const nk = officialNameKey(item.get("name") as PyJson);
    if (nk === null) return null;
    calls.push(officialCmp(item.get("arguments") as PyJson, nk));
  }
  return { calls };
}

/**
 * Fast check that the model's calls equal the ground truth as a multiset (by value), without
 * canonical texts. Greedy matching is exact because equality is an equivalence relation.
 */
function sameCalls(raw: RawCall[], g: Cmp[]): boolean {
  if (raw.length !== g.length || raw.length > 16) return false; // many calls: compareCalls' keyed pools
  if (raw.length === 1) return g[0].nameKey === "s:" + raw[0].name && valueEqual(raw[0].args, g[0].args);
  const used = new Array<boolean>(g.length).fill(false);
  for (const c of raw) {
    const nk = "s:" + c.name;
    let found = false;
    for (let j = 0; j < g.length; j++) {
      if (!used[j] && g[j].nameKey === nk && valueEqual(c.args, g[j].args)) {
        used[j] = found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Scoring

function result(reward: number, formatOk: boolean, callsOk: boolean, reason: ReasonCode, mismatch?: string): RewardResult {
  const r: RewardResult = { reward, format_ok: formatOk, calls_ok: callsOk, reason };
  if (mismatch !== undefined) r.mismatch = mismatch;
  return r;
}

function firstReason(codes: ReasonCode[]): ReasonCode {
  let best: ReasonCode = "ok";
  for (const c of codes) if (best === "ok" || REASON_RANK[c] < REASON_RANK[best]) best = c;
  return best;
}

function scoreDefault(text: string, gtIn: unknown, variant: RewardVariant): RewardResult {
  const gt = cached(defaultGtCache, gtIn, readDefaultGroundTruth);
  const st = scanStructure(text);
  const needThink = variant !== "no-format";
  const fails: ReasonCode[] = [];
  if (needThink && !st.thinkOk) fails.push("no_think");
  const expectCalls = gt === null || gt.calls.length > 0;
  if (st.blocks.length === 0 && expectCalls) fails.push("no_tool_call");
  if (st.unbalanced) fails.push("unclosed_tool_call");
  const formatOk = fails.length === 0;
  const thinkCredit = st.thinkOk ? 0.2 : 0;
  if (gt === null) return result(0, formatOk, false, "bad_ground_truth");

  let diff: (Diff & { namesOk: boolean }) | null = null;
  let callsOk = false;
  let namesOk = false;
  if (!st.unbalanced && (st.blocks.length > 0 || !expectCalls)) {
    const raw: RawCall[] = [];
    const errors: ParseError[] = [];
    for (let i = 0; i < st.blocks.length; i++) readBlock(text, st.blocks[i], i, raw, errors);
    if (errors.length > 0) {
      for (const e of errors) fails.push(e.code as ReasonCode);
    } else {
      const g = gt.calls;
      // Fast path for the common single call: equal by value without building canonical texts.
      if (sameCalls(raw, g)) diff = null;
      else diff = compareCalls(raw.map((c) => defaultCmp(c.name, c.args)), g, argumentKey(variant));
      callsOk = diff === null;
      namesOk = callsOk || diff!.namesOk;
      if (diff) fails.push(diff.reason);
    }
  }
  let reward: number;
  if (variant === "fine-grained") reward = thinkCredit + (callsOk ? 0.8 : namesOk ? 0.2 : 0);
  else reward = formatOk && callsOk ? 1 : 0;
  return result(reward, formatOk, callsOk, firstReason(fails), diff ? diff.mismatch : undefined);
}

/** compute_score_v0, step by step; where it raises, 0 with the reason of the failing step. */
function scoreOfficial(text: string, gtIn: unknown): RewardResult {
  const gt = cached(officialGtCache, gtIn, readOfficialGroundTruth);
  const scope = scopeStart(text);
  const think = text.indexOf(THINK_OPEN, scope) >= 0 && text.indexOf(THINK_CLOSE, scope) >= 0;
  // The last non-overlapping match of <tool_call>(.*?)</tool_call>.
  let ms = -1;
  let me = -1;
  for (let pos = scope; ; ) {
    const o = text.indexOf(CALL_OPEN, pos);
    if (o < 0) break;
    const c = text.indexOf(CALL_CLOSE, o + CALL_OPEN.length);
    if (c < 0) break;
    ms = o + CALL_OPEN.length;
    me = c;
    pos = c + CALL_CLOSE.length;
  }
  const formatOk = think && ms >= 0;
  if (gt === null) return result(0, formatOk, false, "bad_ground_truth");
  const fails: ReasonCode[] = [];
  if (!think) fails.push("no_think");
  if (ms < 0) {
    fails.push("no_tool_call");
    return result(0, formatOk, false, firstReason(fails));
  }
  const [s, e] = pyStrip(text, ms, me);
  let v: PyJson;
  try {
    v = parsePyJson(text, OFFICIAL_JSON, s, e);
    if (typeof v === "string") v = parsePyJson(v, OFFICIAL_JSON);
  } catch (err) {
    if (!(err instanceof PyJsonError)) throw err;
    fails.push("bad_json");
    return result(0, formatOk, false, firstReason(fails));
  }
  let items: PyJson[];
  if (v instanceof Map) items = [v];
  else if (Array.isArray(v)) items = v;
  else if (typeof v === "string") items = [...v]; // validate_format iterates the characters
  else {
    // null is "result is None"; numbers and booleans make validate_format raise.
    fails.push("bad_call_shape");
    return result(0, formatOk, false, firstReason(fails));
  }
  const model: Cmp[] = [];
  for (const it of items) {
    if (!(it instanceof Map) || !it.has("name") || !it.has("arguments")) {
      fails.push("bad_call_shape");
      return result(0, formatOk, false, firstReason(fails));
    }
  }
  let diff: (Diff & { namesOk: boolean }) | null;
  if (items.length === 0 || gt.calls.length === 0) {
    diff = items.length === gt.calls.length ? null : { reason: "wrong_call_count", mismatch: "calls", namesOk: false };
  } else {
    for (const it of items as PyObject[]) {
      const nk = officialNameKey(it.get("name") as PyJson);
      if (nk === null) {
        fails.push("bad_call_shape"); // TypeError: unhashable name
        return result(0, formatOk, false, firstReason(fails));
      }
      model.push(officialCmp(it.get("arguments") as PyJson, nk));
    }
    diff = compareCalls(model, gt.calls, argumentKey("official"));
  }
  if (diff) fails.push(diff.reason);
  const callsOk = diff === null;
  return result(think && callsOk ? 1 : 0, formatOk, callsOk, firstReason(fails), diff ? diff.mismatch : undefined);
}

/**
 * Scores one completion against its ground-truth calls. `groundTruth` is a list of calls, one call,
 * or a JSON string of either; pass the string (or a parsePyJson tree) to keep 1 and 1.0 apart.
 */
export function scoreCompletion(completion: string, groundTruth: unknown, variant: RewardVariant = "binary"): RewardResult {
  if (typeof completion !== "string") throw new TypeError("completion must be a string");
  if (variant === "official") return scoreOfficial(completion, groundTruth);
  if (variant === "binary" || variant === "fine-grained" || variant === "no-format") return scoreDefault(completion, groundTruth, variant);
  throw new RangeError(`unknown reward variant '${String(variant)}' (expected one of ${REWARD_VARIANTS.join(", ")})`);
}

/** A reward as both CLIs print it: integral values without a fraction, others as the shortest repr. */
export function formatReward(x: number): string {
  return Number.isInteger(x) ? String(x) : pyFloatRepr(x);
}

/** One output line of `tooln1 score` (no newline): identical bytes in Python. */
export function serializeResult(r: RewardResult): string {
  let out = `{"reward":${formatReward(r.reward)},"format_ok":${r.format_ok},"calls_ok":${r.calls_ok},"reason":${pyQuote(r.reason)}`;
  if (r.mismatch !== undefined) out += `,"mismatch":${pyQuote(r.mismatch)}`;
  return out + "}";
}

