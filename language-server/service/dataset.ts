/**
 * Dataset checks, one line at a time: syntax, the sample's shape, the line's tools (deep schema
 * checks), every ground-truth call against those tools, and what the paper's preprocessing would
 * drop. Clean lines never build a syntax tree: JSON.parse is the fast path, ranges are only
 * computed for lines with problems.
 */
import type { Json, ToolDef } from "../../src/core/types";
import { readToolList, indexTools, checkCall, validateSample, wouldPaperDrop } from "./core";
import { CODES, type JsonPath, type PathProblem, type Problem } from "./problems";
import { checkTools } from "./toolChecks";
import { safeParseTree, placeProblems, rangeOfPath, syntaxMessage, STRICT_OPTIONS } from "./jsonTree";
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

/** Checks a parsed sample; `text` is only used to place problems. */
export function checkSampleValue(value: unknown, text: string): LineResult {
  const pp: PathProblem[] = [];
  if (!isObj(value)) {
    return { problems: [{ code: CODES.sampleNotObject, severity: "error", message: `A dataset line must be a JSON object like {"tools": [...], "messages": [...], "answer": [...]}, not ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}.`, start: 0, end: Math.max(1, text.length) }] };
  }
  const result: LineResult = { problems: [] };
  const idv = value.id;
  if (typeof idv === "string" || typeof idv === "number") result.id = String(idv);

  const vs = guard(() => validateSample(value as Json), pp);
  for (const p of vs?.problems ?? []) pp.push(p as PathProblem);
  const sample = vs?.sample;

  // The line's tools.
  let tools: ToolDef[] = [];
  const rawTools = value.tools;
  if (Array.isArray(rawTools)) {
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
      for (let i = 0; i < answer.length; i++) {
        const call = answer[i];
        if (isObj(call) && typeof call.name === "string") names.push(call.name);
        const cps = guard(() => checkCall(call, index), pp);
        for (const p of cps ?? []) pp.push({ code: p.code, severity: p.severity, message: p.message, path: ["answer", i, ...p.path] });
      }
      result.callNames = names;
    }
  }
  if (sample) {
    const reason = guard(() => wouldPaperDrop(sample), pp);
    if (reason) pp.push({ code: CODES.paperDrop, severity: "information", message: `The paper's preprocessing would drop this sample: ${reason}.`, path: ["answer"], key: true });
  }
  if (pp.length) {
    const tree = text.length < 64 * 1024 * 1024 ? safeParseTree(text, undefined, STRICT_OPTIONS) : undefined;
    placeProblems(tree, pp, result.problems);
  }
  return result;
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
  return rangeOfPath(safeParseTree(text, undefined, STRICT_OPTIONS), ["id"]);
}

/** A problem for a line that repeats an earlier line's id. */
export function duplicateIdProblem(text: string, id: string, firstLine: number): Problem {
  const r = idRange(text);
  return { code: CODES.duplicateId, severity: "warning", message: `Sample id "${id.length > 60 ? id.slice(0, 59) + "…" : id}" was already used on line ${firstLine + 1}: give every sample a unique id.`, start: r.start, end: r.end };
}

export function lineTooLongProblem(bytes: number): Problem {
  return { code: CODES.lineTooLong, severity: "error", message: `Line of ${(bytes / 1048576).toFixed(0)} MB is too long to check: split the sample or shorten its content.`, start: 0, end: 1 };
}
