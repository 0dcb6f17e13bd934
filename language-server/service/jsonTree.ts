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
