/**
 * Python-compatible JSON for the reward: what `json.loads` and `json.dumps(..., sort_keys=True)` do
 * in CPython, reproduced in TypeScript so both languages score a completion identically.
 *
 * - Numbers keep Python's int/float distinction (`1` vs `1.0`) and ints keep every digit.
 * - Objects are `Map`s: duplicate keys keep the first position and the last value, like a dict.
 * - `constants: true` accepts `NaN`, `Infinity`, `-Infinity` as Python's json does; strict mode
 *   (RFC 8259) rejects them.
 * - Limits shared with trainer/src/tooln1/toolcall.py: nesting deeper than MAX_DEPTH and integer
 *   literals longer than MAX_INT_DIGITS (CPython's int-string limit) are errors.
 * Error messages and positions are mirrored byte for byte by the Python port (`_scan_json`).
 */
import type { Json } from "./types";

export const MAX_DEPTH = 512;
/**
 * How deep the official scorer's `json.loads`/`json.dumps` still go before CPython raises
 * RecursionError: 989-990 levels with compute_score_v0 called from a script's top level on CPython
 * 3.11 (recursion limit 1000; the exact level depends on the caller's stack). Only `official` uses it.
 */
export const OFFICIAL_MAX_DEPTH = 989;
export const MAX_INT_DIGITS = 4300;

/** A JSON number as Python sees it: the literal text, whether it is a float, and its double value. */
export class PyNum {
  constructor(
    readonly text: string,
    readonly isFloat: boolean,
    readonly value: number,
  ) {}
}
export type PyObject = Map<string, PyJson>;
export type PyJson = null | boolean | string | PyNum | PyJson[] | PyObject;

export class PyJsonError extends Error {
  constructor(
    readonly reason: string,
    /** UTF-16 index into the parsed text. */
    readonly pos: number,
  ) {
    super(`${reason} (at ${pos})`);
  }
}

export interface PyParseOptions {
  /** Accept NaN / Infinity / -Infinity (Python's json.loads does). Default false. */
  constants?: boolean;
  /** When the value is an array, collect [start, end) of each element here. */
  elementSpans?: number[];
  /** Deepest nesting accepted (default MAX_DEPTH). */
  maxDepth?: number;
}

export const E_VALUE = "expected a JSON value";
export const E_KEY = "expected '\"' to start a property name";
export const E_COLON = "expected ':' after a property name";
export const E_OBJ_SEP = "expected ',' or '}' after a property value";
export const E_ARR_SEP = "expected ',' or ']' after an array element";
export const E_UNTERMINATED = "unterminated string";
export const E_CONTROL = "invalid control character in string";
export const E_ESCAPE = "invalid escape in string";
export const E_UESCAPE = "invalid \\u escape in string";
export const E_EXTRA = "extra data after the JSON value";
export const E_DEPTH = `nesting deeper than ${MAX_DEPTH} levels`;
export const E_INT_DIGITS = `integer with more than ${MAX_INT_DIGITS} digits`;

// eslint-disable-next-line no-control-regex
const SPECIAL = /[\u0000-\u001f\\]/;
const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

class Parser {
  pos: number;
  constructor(
    readonly s: string,
    start: number,
    readonly end: number,
    readonly constants: boolean,
    readonly maxDepth: number = MAX_DEPTH,
  ) {
    this.pos = start;
  }

  private tooDeep(): PyJsonError {
    return new PyJsonError(this.maxDepth === MAX_DEPTH ? E_DEPTH : `nesting deeper than ${this.maxDepth} levels`, this.pos);
  }

  ws(): void {
    const s = this.s;
    let p = this.pos;
    while (p < this.end && isWs(s.charCodeAt(p))) p++;
    this.pos = p;
  }

  value(depth: number, spans: number[] | undefined): PyJson {
    const s = this.s;
    const p = this.pos;
    if (p >= this.end) throw new PyJsonError(E_VALUE, p);
    const c = s.charCodeAt(p);
    if (c === 34) return this.string();
    if (c === 123) return this.object(depth + 1);
    if (c === 91) return this.array(depth + 1, spans);
    if (c === 45 || (c >= 48 && c <= 57)) {
      if (c === 45 && this.constants && s.startsWith("-Infinity", p) && p + 9 <= this.end) {
        this.pos = p + 9;
        return new PyNum("-Infinity", true, -Infinity);
      }
      return this.number();
    }
    if (c === 110 && s.startsWith("null", p) && p + 4 <= this.end) {
      this.pos = p + 4;
      return null;
    }
    if (c === 116 && s.startsWith("true", p) && p + 4 <= this.end) {
      this.pos = p + 4;
      return true;
    }
    if (c === 102 && s.startsWith("false", p) && p + 5 <= this.end) {
      this.pos = p + 5;
      return false;
    }
    if (this.constants) {
      if (c === 78 && s.startsWith("NaN", p) && p + 3 <= this.end) {
        this.pos = p + 3;
        return new PyNum("NaN", true, NaN);
      }
      if (c === 73 && s.startsWith("Infinity", p) && p + 8 <= this.end) {
        this.pos = p + 8;
        return new PyNum("Infinity", true, Infinity);
      }
    }
    throw new PyJsonError(E_VALUE, p);
  }

  number(): PyNum {
    const s = this.s;
    const end = this.end;
    const start = this.pos;
    let p = start;
    if (s.charCodeAt(p) === 45) p++;
    const d0 = p;
    let c = p < end ? s.charCodeAt(p) : -1;
    if (c === 48) p++;
    else if (c >= 49 && c <= 57) {
      p++;
      while (p < end && (c = s.charCodeAt(p)) >= 48 && c <= 57) p++;
    } else throw new PyJsonError(E_VALUE, start);
    const intDigits = p - d0;
    let isFloat = false;
    if (p + 1 < end && s.charCodeAt(p) === 46 && (c = s.charCodeAt(p + 1)) >= 48 && c <= 57) {
      isFloat = true;
      p += 2;
      while (p < end && (c = s.charCodeAt(p)) >= 48 && c <= 57) p++;
    }
    if (p < end && ((c = s.charCodeAt(p)) === 101 || c === 69)) {
      let q = p + 1;
      if (q < end && ((c = s.charCodeAt(q)) === 43 || c === 45)) q++;
      if (q < end && (c = s.charCodeAt(q)) >= 48 && c <= 57) {
        q++;
        while (q < end && (c = s.charCodeAt(q)) >= 48 && c <= 57) q++;
        isFloat = true;
        p = q;
      }
    }
    this.pos = p;
    const text = s.slice(start, p);
    if (!isFloat && intDigits > MAX_INT_DIGITS) throw new PyJsonError(E_INT_DIGITS, start);
    return new PyNum(text, isFloat, Number(text));
  }

  string(): string {
    const s = this.s;
    const end = this.end;
    const start = this.pos;
    let p = start + 1;
    // Fast path (native search): up to the next quote there is no escape and no control character.
    const q = s.indexOf('"', p);
    if (q >= 0 && q < end) {
      const seg = s.slice(p, q);
      if (!SPECIAL.test(seg)) {
        this.pos = q + 1;
        return seg;
      }
    }
    for (; p < end; p++) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return s.slice(start + 1, p);
      }
      if (c === 92) break;
      if (c < 32) throw new PyJsonError(E_CONTROL, p);
    }
    if (p >= end) throw new PyJsonError(E_UNTERMINATED, start);
    let out = s.slice(start + 1, p);
    let chunk = p;
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return out + s.slice(chunk, p);
      }
      if (c < 32) throw new PyJsonError(E_CONTROL, p);
      if (c !== 92) {
        p++;
        continue;
      }
      out += s.slice(chunk, p);
      if (p + 1 >= end) throw new PyJsonError(E_UNTERMINATED, start);
      const e = s.charCodeAt(p + 1);
      switch (e) {
        case 34: out += '"'; break;
        case 92: out += "\\"; break;
        case 47: out += "/"; break;
        case 98: out += "\b"; break;
        case 102: out += "\f"; break;
        case 110: out += "\n"; break;
        case 114: out += "\r"; break;
        case 116: out += "\t"; break;
        case 117: {
          if (p + 6 > end || !/^[0-9a-fA-F]{4}$/.test(s.slice(p + 2, p + 6))) throw new PyJsonError(E_UESCAPE, p);
          out += String.fromCharCode(parseInt(s.slice(p + 2, p + 6), 16));
          p += 6;
          chunk = p;
          continue;
        }
        default:
          throw new PyJsonError(E_ESCAPE, p);
      }
      p += 2;
      chunk = p;
    }
    throw new PyJsonError(E_UNTERMINATED, start);
  }

  object(depth: number): PyObject {
    if (depth > this.maxDepth) throw this.tooDeep();
    const s = this.s;
    const m: PyObject = new Map();
    this.pos++;
    this.ws();
    if (this.pos < this.end && s.charCodeAt(this.pos) === 125) {
      this.pos++;
      return m;
    }
    for (;;) {
      if (this.pos >= this.end || s.charCodeAt(this.pos) !== 34) throw new PyJsonError(E_KEY, this.pos);
      const k = this.string();
      this.ws();
      if (this.pos >= this.end || s.charCodeAt(this.pos) !== 58) throw new PyJsonError(E_COLON, this.pos);
      this.pos++;
      this.ws();
      m.set(k, this.value(depth, undefined));
      this.ws();
      const c = this.pos < this.end ? s.charCodeAt(this.pos) : -1;
      if (c === 125) {
        this.pos++;
        return m;
      }
      if (c !== 44) throw new PyJsonError(E_OBJ_SEP, this.pos);
      this.pos++;
      this.ws();
    }
  }

  array(depth: number, spans: number[] | undefined): PyJson[] {
    if (depth > this.maxDepth) throw this.tooDeep();
    const s = this.s;
    const a: PyJson[] = [];
    this.pos++;
    this.ws();
    if (this.pos < this.end && s.charCodeAt(this.pos) === 93) {
      this.pos++;
      return a;
    }
    for (;;) {
      const st = this.pos;
      a.push(this.value(depth, undefined));
      if (spans) spans.push(st, this.pos);
      this.ws();
      const c = this.pos < this.end ? s.charCodeAt(this.pos) : -1;
      if (c === 93) {
        this.pos++;
        return a;
      }
      if (c !== 44) throw new PyJsonError(E_ARR_SEP, this.pos);
      this.pos++;
      this.ws();
    }
  }
}

/**
 * Parses `text.slice(start, end)` as one JSON document (surrounding JSON whitespace allowed).
 * Throws PyJsonError with a position in `text`.
 */
export function parsePyJson(text: string, opts: PyParseOptions = {}, start = 0, end = text.length): PyJson {
  const p = new Parser(text, start, end, opts.constants === true, opts.maxDepth ?? MAX_DEPTH);
  p.ws();
  const v = p.value(0, opts.elementSpans);
  p.ws();
  if (p.pos < end) throw new PyJsonError(E_EXTRA, p.pos);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Serialisation

const HEX = "0123456789abcdef";
const SHORT_ESC: Record<number, string> = { 34: '\\"', 92: "\\\\", 10: "\\n", 13: "\\r", 9: "\\t", 8: "\\b", 12: "\\f" };

/** A string as `json.dumps(s)` writes it (ensure_ascii: everything outside printable ASCII as \\uXXXX). */
export function pyQuote(s: string): string {
  let i = 0;
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || c === 34 || c === 92) break;
  }
  if (i === n) return '"' + s + '"';
  let out = '"' + s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c <= 126 && c !== 34 && c !== 92) out += s[i];
    else {
      const short = SHORT_ESC[c];
      out += short ?? "\\u" + HEX[(c >> 12) & 15] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15];
    }
  }
  return out + '"';
}

/** `repr(x)` of a Python float (shortest round-trip digits, Python's switch to exponent form). */
export function pyFloatRepr(x: number): string {
  if (x !== x) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const neg = x < 0;
  const e = (neg ? -x : x).toExponential(); // shortest digits, e.g. "1.2345e+21"
  const ei = e.indexOf("e");
  const digits = e.slice(0, ei).replace(".", "");
  const exp = parseInt(e.slice(ei + 1), 10);
  const decpt = exp + 1;
  let out: string;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) out = "0." + "0".repeat(-decpt) + digits;
    else if (decpt >= digits.length) out = digits + "0".repeat(decpt - digits.length) + ".0";
    else out = digits.slice(0, decpt) + "." + digits.slice(decpt);
  } else {
    const ax = Math.abs(exp);
    out = digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + "e" + (exp < 0 ? "-" : "+") + (ax < 10 ? "0" : "") + ax;
  }
  return neg ? "-" + out : out;
}

/** The decimal text Python prints for a JSON int literal (`-0` is `0`). */
export function pyIntText(text: string): string {
  return text === "-0" ? "0" : text;
}

/** Python code-point order of two strings (what `sorted()` uses), not UTF-16 order. */
export function cmpCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  // Step back into a surrogate pair split by the first difference.
  if (i > 0) {
    const prev = a.charCodeAt(i - 1);
    if (prev >= 0xd800 && prev <= 0xdbff) {
      const ca = a.charCodeAt(i);
      const cb = b.charCodeAt(i);
      if ((ca >= 0xdc00 && ca <= 0xdfff) || (cb >= 0xdc00 && cb <= 0xdfff)) i--;
    }
  }
  return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
}

function sortedKeys(m: PyObject): string[] {
  const keys = [...m.keys()];
  let ascii = true;
  for (const k of keys) {
    for (let i = 0; i < k.length; i++) {
      if (k.charCodeAt(i) >= 0xd800) {
        ascii = false;
        break;
      }
    }
    if (!ascii) break;
  }
  // Below U+D800, UTF-16 order is code-point order.
  return ascii ? keys.sort() : keys.sort(cmpCodePoints);
}

/** `json.dumps(v, sort_keys=True)` with Python's default separators. */
export function pyDumps(v: PyJson): string {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "string") return pyQuote(v);
  if (v instanceof PyNum) return v.isFloat ? pyFloatRepr(v.value) : pyIntText(v.text);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    let out = "[" + pyDumps(v[0]);
    for (let i = 1; i < v.length; i++) out += ", " + pyDumps(v[i]);
    return out + "]";
  }
  if (v.size === 0) return "{}";
  let out = "{";
  let first = true;
  for (const k of sortedKeys(v)) {
    out += (first ? "" : ", ") + pyQuote(k) + ": " + pyDumps(v.get(k) as PyJson);
    first = false;
  }
  return out + "}";
}

/** Exact decimal text of a finite integral double. */
function integralText(x: number): string {
  if (x === 0) return "0";
  return Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString();
}

/**
 * The canonical text of a number compared by value: ints exactly, floats with an integral value as
 * that int (1.0 and 1e2 equal 1 and 100), other floats as repr.
 */
export function numberValueText(n: PyNum): string {
  if (!n.isFloat) return pyIntText(n.text);
  const x = n.value;
  if (Number.isFinite(x) && Math.floor(x) === x) return integralText(x);
  return pyFloatRepr(x);
}

/**
 * Canonical text for comparison by value: like pyDumps (keys sorted), but numbers by value
 * (`numberValueText`). Booleans stay distinct from numbers.
 */
export function valueKey(v: PyJson): string {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "string") return pyQuote(v);
  if (v instanceof PyNum) return numberValueText(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    let out = "[" + valueKey(v[0]);
    for (let i = 1; i < v.length; i++) out += ", " + valueKey(v[i]);
    return out + "]";
  }
  if (v.size === 0) return "{}";
  let out = "{";
  let first = true;
  for (const k of sortedKeys(v)) {
    out += (first ? "" : ", ") + pyQuote(k) + ": " + valueKey(v.get(k) as PyJson);
    first = false;
  }
  return out + "}";
}

export { sortedKeys };

/** Plain JSON for display and the public ParseResult (big ints and 1.0 lose their form). */
export function toJson(v: PyJson): Json {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (v instanceof PyNum) return v.isFloat || v.text !== "-0" ? v.value : 0; // Python's int -0 is 0
  if (Array.isArray(v)) return v.map(toJson);
  const o: { [k: string]: Json } = {};
  for (const [k, x] of v) {
    if (k === "__proto__") Object.defineProperty(o, k, { value: toJson(x), enumerable: true, writable: true, configurable: true });
    else o[k] = toJson(x);
  }
  return o;
}

/**
 * A JavaScript value (e.g. from JSON.parse) as Python would see `json.loads(JSON.stringify(v))`:
 * integral numbers below 1e21 are ints, everything else floats. PyJson values pass through.
 * Returns undefined for values JSON cannot hold (functions, undefined, symbols, bigint).
 */
export function fromJs(v: unknown, depth = 0): PyJson | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (v === null || typeof v === "boolean" || typeof v === "string" || v instanceof PyNum) return v as PyJson;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return new PyNum(v !== v ? "NaN" : v > 0 ? "Infinity" : "-Infinity", true, v);
    const t = JSON.stringify(v);
    return new PyNum(t, /[.eE]/.test(t), v);
  }
  if (Array.isArray(v)) {
    const out: PyJson[] = [];
    for (const x of v) {
      const y = fromJs(x, depth + 1);
      if (y === undefined) return undefined;
      out.push(y);
    }
    return out;
  }
  if (v instanceof Map) {
    const m: PyObject = new Map();
    for (const [k, x] of v) {
      if (typeof k !== "string") return undefined;
      const y = fromJs(x, depth + 1);
      if (y === undefined) return undefined;
      m.set(k, y);
    }
    return m;
  }
  if (typeof v === "object") {
    const m: PyObject = new Map();
    for (const k of Object.keys(v as object)) {
      const y = fromJs((v as Record<string, unknown>)[k], depth + 1);
      if (y === undefined) return undefined;
      m.set(k, y);
    }
    return m;
  }
  return undefined;
}

/** Number of code points in text[0, utf16Index) (Python's index for the same place). */
export function codePointIndex(text: string, utf16Index: number): number {
  let n = utf16Index;
  for (let i = 0; i < utf16Index - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
