/**
 * The tool-call core: splits a model output into its reasoning, its `<tool_call>` blocks and the
 * calls inside them, with every problem located (UTF-16 offsets into the text, for the editor).
 * Mirrored by trainer/src/tooln1/toolcall.py (same results; offsets there are code points).
 *
 * Grammar (docs/reward.md): the text after the last `<|im_start|>assistant` is scored. The reasoning
 * is the first `<think>` and the first `</think>` after it. `<tool_call>` blocks are searched outside
 * the reasoning; each holds one call object, a JSON list of calls, or a JSON string of either
 * (paper form and Hermes/Qwen form). A call is `{"name": str, "arguments": {...} | "<JSON object>"}`.
 */
import type { Json, ReasonCode } from "./types";
import { PyJsonError, parsePyJson, toJson, type PyJson, type PyObject } from "./pyjson";

export const ASSISTANT_MARKER = "<|im_start|>assistant";
export const THINK_OPEN = "<think>";
export const THINK_CLOSE = "</think>";
export const CALL_OPEN = "<tool_call>";
export const CALL_CLOSE = "</tool_call>";

export interface ParseError {
  code: ReasonCode | string;
  message: string;
  start: number;
  end: number;
}
export interface ToolCallBlock {
  start: number;
  end: number;
  contentStart: number;
  contentEnd: number;
  closed: boolean;
}
export interface ParsedCall {
  name: string;
  arguments: Record<string, Json>;
  start: number;
  end: number;
  /** Index of the block the call came from. */
  block: number;
}
export interface ParseResult {
  /** The reasoning between `<think>` and `</think>` (offsets of the text between the tags). */
  reasoning: { text: string; start: number; end: number } | null;
  /** A reasoning block exists and no `<tool_call>` comes before it. */
  thinkOk: boolean;
  blocks: ToolCallBlock[];
  calls: ParsedCall[];
  errors: ParseError[];
}

/** Python's str.isspace() (what str.strip() removes). */
export function isPyWhitespace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    (c >= 0x1c && c <= 0x1f) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Bounds of text[s, e) after Python's str.strip(). */
export function pyStrip(text: string, s: number, e: number): [number, number] {
  while (s < e && isPyWhitespace(text.charCodeAt(s))) s++;
  while (e > s && isPyWhitespace(text.charCodeAt(e - 1))) e--;
  return [s, e];
}

/** Start of the scored text: the last assistant marker, or 0. */
export function scopeStart(text: string): number {
  // Forward indexOf is much faster than lastIndexOf in V8; the marker is rare in a completion.
  let i = text.indexOf(ASSISTANT_MARKER);
  if (i < 0) return 0;
  for (let j = text.indexOf(ASSISTANT_MARKER, i + 1); j >= 0; j = text.indexOf(ASSISTANT_MARKER, j + 1)) i = j;
  return i;
}

/** The tag structure of a completion, before any JSON is read. */
export interface Structure {
  scope: number;
  /** [open tag start, close tag end] of the reasoning, or null. */
  think: [number, number] | null;
  thinkOk: boolean;
  blocks: ToolCallBlock[];
  /** Unclosed or stray `</tool_call>` tags. */
  unbalanced: boolean;
  errors: ParseError[];
}

function findIn(text: string, tag: string, from: number, end: number): number {
  const i = text.indexOf(tag, from);
  return i < 0 || i + tag.length > end ? -1 : i;
}

function scanBlocks(text: string, s: number, e: number, out: Structure): void {
  // Linear: `close` always holds the next unconsumed </tool_call> (or -1), and every search
  // starts after the previous hit, so a text full of unmatched tags is still scanned once.
  let open = findIn(text, CALL_OPEN, s, e);
  let close = findIn(text, CALL_CLOSE, s, e);
  for (;;) {
    const limit = open < 0 ? e : open;
    while (close >= 0 && close < limit) {
      out.unbalanced = true;
      out.errors.push({ code: "unclosed_tool_call", message: "</tool_call> without a matching <tool_call>", start: close, end: close + CALL_CLOSE.length });
      close = findIn(text, CALL_CLOSE, close + CALL_CLOSE.length, e);
    }
    if (open < 0) return;
    const cs = open + CALL_OPEN.length;
    const next = findIn(text, CALL_OPEN, cs, e);
    if (close < 0 || (next >= 0 && next < close)) {
      const ce = next >= 0 ? next : e;
      out.blocks.push({ start: open, end: ce, contentStart: cs, contentEnd: ce, closed: false });
      out.unbalanced = true;
      out.errors.push({ code: "unclosed_tool_call", message: "<tool_call> without </tool_call>", start: open, end: cs });
      if (next < 0) return;
    } else {
      out.blocks.push({ start: open, end: close + CALL_CLOSE.length, contentStart: cs, contentEnd: close, closed: true });
      close = findIn(text, CALL_CLOSE, close + CALL_CLOSE.length, e);
    }
    open = next; // a later <tool_call> can only start after this block's </tool_call>
  }
}

/** Finds the reasoning and the `<tool_call>` blocks (offsets into `text`). */
export function scanStructure(text: string): Structure {
  const scope = scopeStart(text);
  const end = text.length;
  const out: Structure = { scope, think: null, thinkOk: false, blocks: [], unbalanced: false, errors: [] };
  const a = text.indexOf(THINK_OPEN, scope);
  const b = a < 0 ? -1 : text.indexOf(THINK_CLOSE, a + THINK_OPEN.length);
  if (a >= 0 && b >= 0) {
    out.think = [a, b + THINK_CLOSE.length];
    scanBlocks(text, scope, a, out);
    const before = out.blocks.length;
    if (before > 0) {
      out.errors.push({ code: "no_think", message: "<tool_call> before the <think> reasoning: the reasoning must come first", start: out.blocks[0].start, end: out.blocks[0].contentStart });
    }
    out.thinkOk = before === 0;
    scanBlocks(text, b + THINK_CLOSE.length, end, out);
  } else {
    if (a >= 0) out.errors.push({ code: "no_think", message: "<think> without </think>", start: a, end: a + THINK_OPEN.length });
    else {
      const c = text.indexOf(THINK_CLOSE, scope);
      if (c >= 0) out.errors.push({ code: "no_think", message: "</think> without a preceding <think>", start: c, end: c + THINK_CLOSE.length });
    }
    scanBlocks(text, scope, end, out);
  }
  out.errors.sort((x, y) => x.start - y.start);
  return out;
}

/** A call as the scorer sees it: name and arguments kept in Python form. */
export interface RawCall {
  name: string;
  args: PyObject;
  start: number;
  end: number;
  block: number;
}

function jsonError(e: unknown, prefix: string, errors: ParseError[], s: number, e2: number, block: ToolCallBlock, inString: boolean): void {
  if (!(e instanceof PyJsonError)) throw e;
  let start: number;
  let end: number;
  if (inString) {
    start = s;
    end = e2;
  } else {
    start = e.pos;
    end = Math.min(e.pos + 1, block.contentEnd);
    if (end <= start) {
      start = block.start;
      end = block.end;
    }
  }
  errors.push({ code: "bad_json", message: `${prefix}: ${e.reason}`, start, end });
}

/** Reads one call object; returns null after pushing an error. */
function readCall(obj: PyObject, start: number, end: number, blockIndex: number, errors: ParseError[]): RawCall | null {
  const name = obj.get("name");
  if (typeof name !== "string") {
    errors.push({ code: "bad_call_shape", message: obj.has("name") ? 'the call\'s "name" is not a string' : 'the call has no "name"', start, end });
    return null;
  }
  const args = obj.get("arguments");
  if (args instanceof Map) return { name, args, start, end, block: blockIndex };
  if (typeof args === "string") {
    let v: PyJson;
    try {
      v = parsePyJson(args);
    } catch (e) {
      if (!(e instanceof PyJsonError)) throw e;
      errors.push({ code: "bad_json", message: `"arguments" is a string that is not valid JSON: ${e.reason}`, start, end });
      return null;
    }
    if (v instanceof Map) return { name, args: v, start, end, block: blockIndex };
    errors.push({ code: "bad_call_shape", message: '"arguments" is a string that does not hold a JSON object', start, end });
    return null;
  }
  errors.push({ code: "bad_call_shape", message: obj.has("arguments") ? '"arguments" is not an object' : 'the call has no "arguments"', start, end });
  return null;
}

/** Reads the calls of one closed block, pushing errors for what cannot be read. */
export function readBlock(text: string, block: ToolCallBlock, blockIndex: number, calls: RawCall[], errors: ParseError[]): void {
  const [s, e] = pyStrip(text, block.contentStart, block.contentEnd);
  const spans: number[] = [];
  let v: PyJson;
  try {
    v = parsePyJson(text, { elementSpans: spans }, s, e);
  } catch (err) {
    jsonError(err, "invalid JSON in <tool_call>", errors, s, e, block, false);
    return;
  }
  let inString = false;
  if (typeof v === "string") {
    inString = true;
    try {
      v = parsePyJson(v);
    } catch (err) {
      jsonError(err, "the string in <tool_call> is not valid JSON", errors, s, e, block, true);
      return;
    }
  }
  if (v instanceof Map) {
    const c = readCall(v, s, e, blockIndex, errors);
    if (c) calls.push(c);
    return;
  }
  if (!Array.isArray(v)) {
    errors.push({ code: "bad_call_shape", message: "a <tool_call> must hold a call object or a JSON list of calls", start: s, end: e });
    return;
  }
  for (let i = 0; i < v.length; i++) {
    const cs = inString ? s : spans[2 * i];
    const ce = inString ? e : spans[2 * i + 1];
    const item = v[i];
    if (!(item instanceof Map)) {
      errors.push({ code: "bad_call_shape", message: `item ${i} of the call list is not an object`, start: cs, end: ce });
      continue;
    }
    const c = readCall(item, cs, ce, blockIndex, errors);
    if (c) calls.push(c);
  }
}

/** Parses a model output into reasoning, blocks, calls and located errors. */
export function parseToolCalls(text: string): ParseResult {
  const st = scanStructure(text);
  const raw: RawCall[] = [];
  const errors = st.errors;
  const jsonErrors: ParseError[] = [];
  st.blocks.forEach((b, i) => {
    if (b.closed) readBlock(text, b, i, raw, jsonErrors);
  });
  const all = errors.concat(jsonErrors).sort((x, y) => x.start - y.start);
  const r = st.think;
  return {
    reasoning: r ? { text: text.slice(r[0] + THINK_OPEN.length, r[1] - THINK_CLOSE.length), start: r[0] + THINK_OPEN.length, end: r[1] - THINK_CLOSE.length } : null,
    thinkOk: st.thinkOk,
    blocks: st.blocks,
    calls: raw.map((c) => ({ name: c.name, arguments: toJson(c.args) as Record<string, Json>, start: c.start, end: c.end, block: c.block })),
    errors: all,
  };
}
