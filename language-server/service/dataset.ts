/**
 * Dataset checks, one line at a time: syntax, the sample's shape, the line's tools (deep schema
 * checks), every ground-truth call against those tools, and what the paper's preprocessing would
 * drop. Valid lines never build a syntax tree: JSON.parse reads them, and a problem's range is
 * found by a scan along its path (jsonTree.ts rangeInJson); only invalid lines are parsed for errors.
 */
import type { Json, ToolDef } from "../../src/core/types";
import { readToolList, normalizeTool } from "../../src/core/schema";
import { indexTools, checkCall } from "../../src/core/callcheck";
import { validateSample, wouldPaperDrop } from "../../src/core/sample";
import { CODES, type FixData, type JsonPath, type PathProblem, type Problem } from "./problems";
import { checkTools } from "./toolChecks";
import { isBfclCodeSample } from "./bfclTypes";
import { safeParseTree, placeProblemsInJson, rangeInJson, pathStopsAtRoot, syntaxMessage, STRICT_OPTIONS } from "./jsonTree";
import type { ParseError } from "jsonc-parser";

/** What one line contributes to its document (kept per line, reused while the line is unchanged). */
export interface LineResult {
  problems: Problem[];
  /** The sample's id, when it has one. */
  id?: string;
  /** Names of the tools the line defines and of the calls it makes (navigation). */
  toolNames?: string[];
  callNames?: string[];
}

const EMPTY: LineResult = { problems: [] };
type Obj = { [k: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks one dataset line. Never throws. */
export function checkDatasetLine(text: string): LineResult {
  if (text.length === 0 || isBlank(text)) return EMPTY;
  const fast = fastPath(text);
  if (fast) return fast;
  return checkDatasetLineSlow(text);
}

/** The straightforward check (parse everything, read every tool); the fast path must agree with it. */
export function checkDatasetLineSlow(text: string): LineResult {
  if (text.length === 0 || isBlank(text)) return EMPTY;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { problems: syntaxProblems(text, e) };
  }
  try {
    return checkSampleValue(value, text);
  } catch (e) {
    return { problems: [internalError(e)] };
  }
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

export function internalError(e: unknown): Problem {
  const msg = e instanceof Error ? e.message : String(e);
  return { code: CODES.internalError, severity: "warning", message: `The checker failed on this line (${msg.slice(0, 200)}); the line was not checked. Please report this.`, start: 0, end: 1 };
}

function syntaxProblems(text: string, e: unknown): Problem[] {
  const errors: ParseError[] = [];
  const tree = safeParseTree(text, errors, STRICT_OPTIONS);
  const out: Problem[] = [];
  if (tree !== undefined || errors.length) {
    for (const err of errors.slice(0, 3)) {
      const start = Math.min(err.offset, Math.max(0, text.length - 1));
      out.push({ code: CODES.jsonSyntax, severity: "error", message: `${syntaxMessage(err.error)} Each dataset line must be one JSON object.`, start, end: Math.max(start + 1, Math.min(text.length, err.offset + err.length)) });
    }
  }
  if (out.length === 0) {
    // jsonc-parser accepted it (or overflowed): fall back to JSON.parse's own position.
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    const start = m ? Math.min(Number(m[1]), Math.max(0, text.length - 1)) : 0;
    out.push({ code: CODES.jsonSyntax, severity: "error", message: `Invalid JSON: ${msg.slice(0, 200)}. Each dataset line must be one JSON object.`, start, end: start + 1 });
  }
  return out;
}

/** Checks a parsed sample; `text` is only used to place problems. `pre`: the line's tools, already read. */
export function checkSampleValue(value: unknown, text: string, pre?: PreReadTools): LineResult {
  const pp: PathProblem[] = [];
  if (!isObj(value)) {
    return { problems: [{ code: CODES.sampleNotObject, severity: "error", message: `A dataset line must be a JSON object like {"tools": [...], "messages": [...], "answer": [...]}, not ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}.`, start: 0, end: Math.max(1, text.length) }] };
  }
  const result: LineResult = { problems: [] };
  const idv = value.id;
  if (typeof idv === "string" || typeof idv === "number") result.id = String(idv);

  const vs = guard(() => validateSample(value as Json), pp);
  // Calls the sample check already called malformed are not reported again by the call check.
  const malformedCalls = new Set<unknown>();
  for (const p of vs?.problems ?? []) {
    pp.push(p as PathProblem);
    if (p.code === "bad_answer_call" && p.path[0] === "answer") malformedCalls.add(p.path[1]);
  }
  const sample = vs?.sample;

  // The line's tools.
  let tools: ToolDef[] = [];
  const rawTools = value.tools;
  if (pre) {
    tools = pre.tools;
    for (const p of pre.problems) pp.push(p);
    result.toolNames = tools.map((t) => t.name);
  } else if (Array.isArray(rawTools)) {
    const rl = guard(() => readToolList(rawTools), pp);
    if (rl) {
      tools = rl.tools;
      for (const p of rl.problems) pp.push(withFix({ ...p, path: ["tools", ...p.path] }, rawTools, ["tools"]));
      const deep = guard(() => checkTools(tools.map((t) => ({ raw: rawTools[t.path[0] as number], dialect: t.dialect, path: ["tools", ...t.path], name: t.name }))), pp);
      if (deep) pp.push(...deep);
      result.toolNames = tools.map((t) => t.name);
    }
  }
  // Ground-truth calls against the line's tools.
  const answer = value.answer;
  if (Array.isArray(answer)) {
    const index = guard(() => indexTools(tools), pp);
    if (index) {
      const names: string[] = [];
      let bfclCode: boolean | undefined;
      for (let i = 0; i < answer.length; i++) {
        const call = answer[i];
        if (isObj(call) && typeof call.name === "string") names.push(call.name);
        const cps = guard(() => checkCall(call, index), pp);
        for (const p of cps ?? []) {
          if (p.code === "bad_call" && malformedCalls.has(i)) continue;
          // BFCL's Java/JavaScript answers are source text: a string is their form for every type.
          if (p.code === "wrong_type" && typeof valueAt(call, p.path) === "string" && (bfclCode ??= isBfclCodeSample(result.id, tools))) continue;
          pp.push({ code: p.code, severity: p.severity, message: p.message, path: ["answer", i, ...p.path] });
        }
      }
      result.callNames = names;
    }
  }
  if (sample) {
    const reason = guard(() => (pre ? dropReasonOf(sample, pre) : wouldPaperDrop(sample)), pp);
    if (reason) pp.push({ code: CODES.paperDrop, severity: "information", message: `The paper's preprocessing would drop this sample: ${reason}.`, path: ["answer"], key: true });
  }
  if (pp.length) {
    const before = result.problems.length;
    if (pre && !pp.some((p) => p.path[0] === "tools")) {
      // Nothing points into the tools: place on the line without them (what JSON.parse read), then shift.
      placeProblemsInJson(pre.reduced, pp, result.problems);
      const at = pre.spanStart + TOOLS_SENTINEL.length;
      const by = pre.spanEnd - at;
      for (let k = before; k < result.problems.length; k++) {
        const p = result.problems[k];
        if (p.start >= at) p.start += by;
        if (p.end >= at) p.end += by;
      }
    } else {
      placeProblemsInJson(text, pp, result.problems);
    }
  }
  if (pre) for (const p of pre.placed) result.problems.push(p);
  // One order whatever the path: by position.
  if (result.problems.length > 1) result.problems.sort(byPosition);
  return result;
}

function valueAt(v: unknown, path: readonly (string | number)[]): unknown {
  for (const k of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** wouldPaperDrop, from the tools the fast path already read (same rules: src/core/sample.ts). */
function dropReasonOf(sample: { tools: unknown[]; answer: { name: string }[] }, pre: PreReadTools): string | null {
  if (!sample.tools.length) return "the candidate tool list is empty";
  if (pre.unreadable !== undefined) return pre.unreadable;
  const names = new Set(pre.tools.map((t) => t.name));
  for (const c of sample.answer) if (!names.has(c.name)) return `the ground truth calls '${c.name}', which is not among the candidate tools`;
  return null;
}

function byPosition(a: Problem, b: Problem): number {
  return a.start - b.start || a.end - b.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

/** Adds quick-fix data to the core's duplicate-name problem. */
export function withFix(p: PathProblem, _root: unknown, _prefix: JsonPath): PathProblem {
  if (p.code === "duplicate_name" && p.path[p.path.length - 1] === "name") {
    const m = /'(.*)'/.exec(p.message);
    const name = m ? m[1] : "tool";
    return { ...p, message: `${p.message}: rename one (for example "${name}_2") or remove it`, data: { fix: "rename", name, suggestion: `${name}_2`, namePath: p.path } };
  }
  return p;
}

function guard<T>(fn: () => T, pp: PathProblem[]): T | undefined {
  try {
    return fn();
  } catch (e) {
    const p = internalError(e);
    pp.push({ code: p.code, severity: p.severity, message: p.message, path: [] });
    return undefined;
  }
}

/** The range of the sample's `"id"` value in a line (only needed for duplicate ids, which are rare). */
export function idRange(text: string): { start: number; end: number } {
  return rangeInJson(text, ["id"]);
}

/** A problem for a line that repeats an earlier line's id. */
export function duplicateIdProblem(text: string, id: string, firstLine: number): Problem {
  const r = idRange(text);
  return { code: CODES.duplicateId, severity: "warning", message: `Sample id "${id.length > 60 ? id.slice(0, 59) + "…" : id}" was already used on line ${firstLine + 1}: give every sample a unique id.`, start: r.start, end: r.end };
}

/** A line whose bytes are not UTF-8: the trainer refuses it, so the check does too. */
export function invalidUtf8Problem(): Problem {
  return { code: CODES.invalidUtf8, severity: "error", message: "Line is not valid UTF-8: save the file as UTF-8 (the trainer reads UTF-8 only).", start: 0, end: 1 };
}

export function lineTooLongProblem(bytes: number): Problem {
  return { code: CODES.lineTooLong, severity: "error", message: `Line of ${(bytes / 1048576).toFixed(0)} MB is too long to check: split the sample or shorten its content.`, start: 0, end: 1 };
}

// ---------------------------------------------------------------------------------------------
// Fast path. Datasets repeat the same tools on many lines: each distinct tool text is parsed and
// checked once (cached by its exact text), and only the rest of the line goes through JSON.parse.
// A line the scanner does not fully understand takes the slow path; tests hold both to the same answers.

interface PreReadTools {
  tools: ToolDef[];
  /** The line with its tools array replaced by TOOLS_SENTINEL (what JSON.parse read), and the array's span. */
  reduced: string;
  spanStart: number;
  spanEnd: number;
  /** The first tool that cannot be read, as the paper's preprocessing reports it. */
  unreadable?: string;
  /** Problems still to be placed on the line's tree. */
  problems: PathProblem[];
  /** Problems already placed (tool problems, from each tool's cached ranges). */
  placed: Problem[];
}

interface ToolEntry {
  raw: Json;
  tool?: ToolDef;
  /** Problems relative to the tool: the core's structural ones, and the deep ones. */
  structural: PathProblem[];
  deep: PathProblem[];
  /** The same with offsets relative to the tool's text (computed once, on first need). */
  placed?: { structural: Problem[]; deep: Problem[] };
}

/** Places a cached tool's problems on its own text; a problem at the tool itself spans the tool. */
function placedOf(e: ToolEntry, src: string): { structural: Problem[]; deep: Problem[] } {
  if (!e.placed) {
    const place = (list: PathProblem[]) =>
      list.map((p): Problem => {
        // In the line the tool is an array element: a problem that lands on the tool spans it.
        const r = pathStopsAtRoot(src, p.path) ? { start: 0, end: src.length } : rangeInJson(src, p.path, p.key);
        return { code: p.code, severity: p.severity, message: p.message, start: r.start, end: r.end };
      });
    e.placed = { structural: place(e.structural), deep: place(e.deep) };
  }
  return e.placed;
}

/**
 * Tools by their exact text, looked up without slicing the line. Tools of at least PREFIX chars are
 * found by the hash of their first PREFIX chars (so the scanner can skip a known tool without
 * scanning it), shorter ones by the hash of their whole text; comparing the text at the offset confirms.
 */
interface Cached {
  src: string;
  entry: ToolEntry | null;
}
const PREFIX = 128;
const byPrefix = new Map<number, Cached[]>();
const byWhole = new Map<number, Cached[]>();
let toolCacheSize = 0;
const TOOL_CACHE_MAX = 20_000;

function hashRange(text: string, start: number, end: number): number {
  let h = (end - start) | 0;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + text.charCodeAt(k)) | 0;
  return h;
}

/**
 * `text.startsWith(src, i)`, fast: V8 compares a slice with `===` several times faster than
 * `startsWith` walks it (measured on BFCL lines).
 */
function sameAt(text: string, i: number, src: string): boolean {
  return text.length - i >= src.length && text.slice(i, i + src.length) === src;
}

/** A cached tool whose text starts at `i`, if any. */
function lookupAt(text: string, i: number): Cached | undefined {
  if (text.length - i < PREFIX) return undefined;
  const b = byPrefix.get(hashRange(text, i, i + PREFIX));
  if (b) for (const c of b) if (sameAt(text, i, c.src)) return c;
  return undefined;
}

function toolEntry(text: string, start: number, end: number): ToolEntry | null {
  const len = end - start;
  const map = len >= PREFIX ? byPrefix : byWhole;
  const h = len >= PREFIX ? hashRange(text, start, start + PREFIX) : hashRange(text, start, end);
  const bucket = map.get(h);
  if (bucket) for (const b of bucket) if (b.src.length === len && sameAt(text, start, b.src)) return b.entry;
  // A copy, not a slice: the cache must not keep the whole line (or the reader's chunk) alive.
  const src = (" " + text.slice(start, end)).slice(1);
  let e: ToolEntry | null;
  try {
    const raw = JSON.parse(src) as Json;
    const n = normalizeTool(raw, []);
    const structural = n.problems.map((p) => p as PathProblem);
    const deep = n.tool ? checkTools([{ raw, dialect: n.tool.dialect, path: [], name: n.tool.name }]) : [];
    e = { raw, ...(n.tool ? { tool: n.tool } : {}), structural, deep };
  } catch {
    e = null;
  }
  if (toolCacheSize >= TOOL_CACHE_MAX) {
    byPrefix.clear();
    byWhole.clear();
    toolCacheSize = 0;
  }
  const list = map.get(h) ?? [];
  list.push({ src, entry: e });
  map.set(h, list);
  toolCacheSize++;
  return e;
}

/** The `"tools"` array of a line: its span and its elements' spans (objects only), or undefined. */
interface ToolsSpan {
  start: number;
  end: number;
  /** Start and end offset of each element. */
  items: number[];
  /** Each element's cached entry when the scanner recognised it (undefined: look it up). */
  known: (Cached | undefined)[];
}

function scanTools(text: string): ToolsSpan | undefined {
  const n = text.length;
  let i = 0;
  while (i < n && text.charCodeAt(i) <= 32) i++;
  if (text.charCodeAt(i) !== 123 /* { */) return undefined;
  let depth = 0;
  let key: string | undefined;
  let expectKey = false;
  let inTools = false;
  let toolsKeys = 0;
  let cur: ToolsSpan | undefined;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = text.indexOf('"', i + 1);
      while (j !== -1) {
        let b = 0;
        for (let k = j - 1; text.charCodeAt(k) === 92; k--) b++;
        if ((b & 1) === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (j === -1) return undefined;
      if (depth === 1 && expectKey) {
        key = text.slice(i + 1, j);
        expectKey = false;
        if (key.includes("\\")) return undefined; // escaped keys: let JSON.parse decide
        if (key === "tools" && ++toolsKeys > 1) return undefined;
      } else if (inTools && depth === 2) return undefined; // a string element: slow path
      i = j;
      continue;
    }
    if (c === 123 || c === 91) {
      if (inTools && depth === 2) {
        if (c !== 123) return undefined; // an array element: slow path
        const hit = lookupAt(text, i);
        if (hit) {
          cur!.items.push(i, i + hit.src.length);
          cur!.known.push(hit);
          i += hit.src.length - 1;
          continue;
        }
        cur!.items.push(i);
        cur!.known.push(undefined);
      }
      depth++;
      if (depth === 1) expectKey = true;
      else if (depth === 2 && key === "tools") {
        if (c !== 91) return undefined; // not an array: the slow path reports it
        inTools = true;
        cur = { start: i, end: -1, items: [], known: [] };
      }
    } else if (c === 125 || c === 93) {
      if (depth === 3 && inTools) cur!.items.push(i + 1);
      else if (depth === 2 && inTools) {
        // The rest of the line is validated by JSON.parse (a repeated "tools" key shows there).
        cur!.end = i + 1;
        return cur;
      }
      depth--;
      if (depth === 1) key = undefined;
      if (depth === 0) return undefined; // no "tools" array

    } else if (c === 44 /* , */) {
      if (depth === 1) expectKey = true;
    } else if (depth === 2 && inTools && c > 32) return undefined; // a number/literal element
  }
  return undefined;
}

function prefixFix(d: FixData, pre: JsonPath): FixData {
  switch (d.fix) {
    case "required": return { ...d, schemaPath: [...pre, ...d.schemaPath] };
    case "rename": return { ...d, namePath: [...pre, ...d.namePath] };
    case "renameAll": return d;
    case "dropRequired": return { ...d, schemaPath: [...pre, ...d.schemaPath] };
    case "bfcl": return { ...d, toolPath: [...pre, ...d.toolPath] };
    case "moveStrict": return { ...d, toolPath: [...pre, ...d.toolPath] };
    case "type": return { ...d, typePath: [...pre, ...d.typePath] };
  }
}

const TOOLS_SENTINEL = '"\\u0000tooln1-tools"';
const TOOLS_VALUE = "\u0000tooln1-tools";

function fastPath(text: string): LineResult | undefined {
  if (text.length < 64) return undefined;
  const span = scanTools(text);
  if (!span) return undefined;
  let value: unknown;
  const reduced = text.slice(0, span.start) + TOOLS_SENTINEL + text.slice(span.end);
  try {
    value = JSON.parse(reduced);
  } catch {
    return undefined;
  }
  if (!isObj(value) || value.tools !== TOOLS_VALUE) return undefined;
  try {
    const raws: Json[] = [];
    const tools: ToolDef[] = [];
    const structural: Problem[] = [];
    const deep: Problem[] = [];
    const dups: PathProblem[] = [];
    const seen = new Set<string>();
    let unreadable: string | undefined;
    const shift = (list: Problem[], from: PathProblem[], at: number, i: number, out: Problem[]) => {
      for (let q = 0; q < list.length; q++) {
        const p = list[q];
        const d = from[q].data;
        out.push({ code: p.code, severity: p.severity, message: p.message, start: p.start + at, end: p.end + at, ...(d ? { data: prefixFix(d, ["tools", i]) } : {}) });
      }
    };
    for (let k = 0, i = 0; k < span.items.length; k += 2, i++) {
      const start = span.items[k];
      const end = span.items[k + 1];
      const cached = span.known[i];
      const e = cached ? cached.entry : toolEntry(text, start, end);
      if (!e) return undefined;
      raws.push(e.raw);
      if (!e.tool && unreadable === undefined) unreadable = `tools[${i}] cannot be read as a tool (${e.structural[0]?.message ?? "no name"})`;
      // The same reading as readToolList over an array: the first tool of a name wins.
      const placed = e.structural.length || e.deep.length ? placedOf(e, cached ? cached.src : text.slice(start, end)) : undefined;
      if (placed) shift(placed.structural, e.structural, start, i, structural);
      if (!e.tool) continue;
      if (seen.has(e.tool.name)) {
        const namePath = e.tool.dialect === "openai" ? ["tools", i, "function", "name"] : ["tools", i, "name"];
        dups.push(withFix({ code: "duplicate_name", severity: "error", message: `another tool is already named '${e.tool.name}'`, path: namePath }, null, []));
        continue;
      }
      seen.add(e.tool.name);
      tools.push({ ...e.tool, path: [i] });
      if (placed) shift(placed.deep, e.deep, start, i, deep);
    }
    value.tools = raws;
    return checkSampleValue(value, text, { tools, problems: dups, placed: structural.concat(deep), reduced, spanStart: span.start, spanEnd: span.end, ...(unreadable !== undefined ? { unreadable } : {}) });
  } catch {
    return undefined;
  }
}
