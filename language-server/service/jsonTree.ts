/** JSON paths to text ranges, on jsonc-parser's tree. Never throws (deep input can overflow its recursion). */
import { parseTree, findNodeAtLocation, type Node, type ParseError, type ParseOptions } from "jsonc-parser";
import type { JsonPath, PathProblem, Problem } from "./problems";

export const JSONC_OPTIONS: ParseOptions = { disallowComments: false, allowTrailingComma: true, allowEmptyContent: true };
export const STRICT_OPTIONS: ParseOptions = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** parseTree that returns undefined instead of throwing (e.g. stack overflow on 10,000-deep nesting). */
export function safeParseTree(text: string, errors?: ParseError[], options: ParseOptions = JSONC_OPTIONS): Node | undefined {
  try {
    return parseTree(text, errors, options);
  } catch {
    return undefined;
  }
}

/** The node at `path`, or its deepest existing ancestor. */
export function nodeAtPath(root: Node, path: JsonPath): Node {
  let node = root;
  for (let i = 1; i <= path.length; i++) {
    let n: Node | undefined;
    try {
      n = findNodeAtLocation(node, [path[i - 1]]);
    } catch {
      n = undefined;
    }
    if (!n) break;
    node = n;
  }
  return node;
}

/** Offsets of the problem: the value (or key) at its path; containers point at their key. */
export function rangeOfPath(root: Node | undefined, path: JsonPath, key = false): { start: number; end: number } {
  if (!root) return { start: 0, end: 1 };
  const node = nodeAtPath(root, path);
  const parent = node.parent;
  if (parent && parent.type === "property" && parent.children?.[0] && (key || node.type === "object" || node.type === "array")) {
    const k = parent.children[0];
    if (k !== node) return { start: k.offset, end: k.offset + k.length };
  }
  if (node === root && (node.type === "object" || node.type === "array")) return { start: node.offset, end: node.offset + 1 };
  return { start: node.offset, end: node.offset + node.length };
}

// ---------------------------------------------------------------------------------------------
// The same ranges on text that JSON.parse accepted, found by one forward scan along the path, with
// no tree built: dataset lines are checked by JSON.parse, and only lines with problems need ranges.

const WS = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

function skipWs(t: string, i: number): number {
  while (i < t.length && WS(t.charCodeAt(i))) i++;
  return i;
}

/** The index after the string token starting at `i` (a double quote). */
function endOfString(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return t.length;
}

/** The index after the value starting at `i`. */
function endOfValue(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 34) return endOfString(t, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j);
      if (d === 34) j = endOfString(t, j) - 1;
      else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return t.length;
  }
  let j = i;
  while (j < t.length) {
    const d = t.charCodeAt(j);
    if (d === 44 || d === 93 || d === 125 || WS(d)) break;
    j++;
  }
  return j;
}

interface Located {
  /** Start of the value reached (the deepest existing node on the path). */
  at: number;
  /** The key token of the property holding it, or -1 (root, array element). */
  keyStart: number;
  keyEnd: number;
  /** Whether the walk stayed at the root (the first step was not found). */
  atRoot: boolean;
}

/** Walks `path` through valid JSON `t` as nodeAtPath walks jsonc-parser's tree (first of duplicate keys). */
function locate(t: string, path: JsonPath): Located | undefined {
  let i = skipWs(t, 0);
  if (i >= t.length) return undefined;
  const loc: Located = { at: i, keyStart: -1, keyEnd: -1, atRoot: true };
  for (const seg of path) {
    const c = t.charCodeAt(i);
    let next = -1;
    if (c === 123 && typeof seg === "string") {
      let j = skipWs(t, i + 1);
      while (t.charCodeAt(j) === 34) {
        const ks = j;
        const ke = endOfString(t, j);
        const raw = t.slice(ks + 1, ke - 1);
        const name = raw.includes("\\") ? (JSON.parse(t.slice(ks, ke)) as string) : raw;
        j = skipWs(t, skipWs(t, ke) + 1);
        if (name === seg) {
          next = j;
          loc.keyStart = ks;
          loc.keyEnd = ke;
          break;
        }
        j = skipWs(t, endOfValue(t, j));
        if (t.charCodeAt(j) !== 44) break;
        j = skipWs(t, j + 1);
      }
    } else if (c === 91 && typeof seg === "number" && seg >= 0) {
      let j = skipWs(t, i + 1);
      if (t.charCodeAt(j) !== 93) {
        for (let k = 0; ; k++) {
          if (k === seg) {
            next = j;
            loc.keyStart = loc.keyEnd = -1;
            break;
          }
          j = skipWs(t, endOfValue(t, j));
          if (t.charCodeAt(j) !== 44) break;
          j = skipWs(t, j + 1);
        }
      }
    }
    if (next < 0) break;
    i = next;
    loc.at = i;
    loc.atRoot = false;
  }
  return loc;
}

/** rangeOfPath's answer on text that JSON.parse accepted, without building a tree. */
export function rangeInJson(t: string, path: JsonPath, key = false): { start: number; end: number } {
  const loc = locate(t, path);
  if (!loc) return { start: 0, end: 1 };
  const c = t.charCodeAt(loc.at);
  const container = c === 123 || c === 91;
  if (loc.keyStart >= 0 && (key || container)) return { start: loc.keyStart, end: loc.keyEnd };
  if (loc.atRoot && container) return { start: loc.at, end: loc.at + 1 };
  return { start: loc.at, end: endOfValue(t, loc.at) };
}

/** Whether `path` leads nowhere below the root of valid JSON `t` (nodeAtPath would answer the root). */
export function pathStopsAtRoot(t: string, path: JsonPath): boolean {
  return locate(t, path)?.atRoot ?? true;
}

/** placeProblems for text that JSON.parse accepted (dataset lines): the same ranges, no tree. */
export function placeProblemsInJson(text: string, problems: PathProblem[], out: Problem[] = []): Problem[] {
  for (const p of problems) {
    const r = rangeInJson(text, p.path, p.key);
    out.push({ code: p.code, severity: p.severity, message: p.message, start: r.start, end: r.end, ...(p.data ? { data: p.data } : {}) });
  }
  return out;
}

/** Places path problems on a tree; `tree` may be undefined (then they point at the start). */
export function placeProblems(tree: Node | undefined, problems: PathProblem[], out: Problem[] = []): Problem[] {
  for (const p of problems) {
    const r = rangeOfPath(tree, p.path, p.key);
    out.push({ code: p.code, severity: p.severity, message: p.message, start: r.start, end: r.end, ...(p.data ? { data: p.data } : {}) });
  }
  return out;
}

export function syntaxMessage(code: number): string {
  switch (code) {
    case 1: return "Invalid symbol: remove it or quote it as a string.";
    case 2: return "Invalid number format.";
    case 3: return 'Property name expected: property names are double-quoted strings ("name").';
    case 4: return "Value expected.";
    case 5: return 'Colon expected after the property name (":").';
    case 6: return 'Comma expected between values (",").';
    case 7: return 'Closing brace "}" expected.';
    case 8: return 'Closing bracket "]" expected.';
    case 9: return "End of input expected: a JSON document (or dataset line) holds exactly one value.";
    case 10: return "Invalid comment token.";
    case 11: return "Unterminated comment.";
    case 12: return 'Unterminated string: close it with a double quote (").';
    case 13: return "Unexpected end of number.";
    case 14: return "Invalid unicode escape (\\uXXXX).";
    case 15: return "Invalid escape character in string.";
    case 16: return "Invalid character in string: control characters must be escaped (\\n, \\t).";
    default: return "JSON syntax error.";
  }
}
