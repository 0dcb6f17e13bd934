/** Tool schema files (`*.tools.json`, JSONC): syntax, the core's structural problems, deep schema checks. */
import { getNodeValue, type Node, type ParseError } from "jsonc-parser";
import type { Json } from "../../src/core/types";
import { readToolList } from "../../src/core/schema";
import { CODES, type PathProblem, type Problem } from "./problems";
import { checkTools } from "./toolChecks";
import { safeParseTree, placeProblems, syntaxMessage, JSONC_OPTIONS } from "./jsonTree";
import { internalError, withFix } from "./dataset";

export interface SchemaFileResult {
  problems: Problem[];
  tree?: Node;
  value?: unknown;
}

/** Checks the text of a tool schema file. Never throws. */
export function checkSchemaText(text: string): SchemaFileResult {
  const errors: ParseError[] = [];
  const tree = safeParseTree(text, errors, JSONC_OPTIONS);
  const problems: Problem[] = [];
  for (const err of errors) {
    const start = Math.min(err.offset, Math.max(0, text.length - 1));
    problems.push({ code: CODES.jsonSyntax, severity: "error", message: syntaxMessage(err.error), start, end: Math.max(start + 1, err.offset + err.length) });
  }
  if (!tree) {
    if (errors.length === 0 && text.trim() !== "") {
      problems.push({ code: CODES.jsonSyntax, severity: "error", message: "This file is nested too deeply to read: tool schemas never need thousands of levels; flatten it.", start: 0, end: 1 });
    }
    return { problems };
  }
  let value: unknown;
  try {
    value = getNodeValue(tree);
  } catch (e) {
    problems.push(internalError(e));
    return { problems, tree };
  }
  const pp: PathProblem[] = [];
  try {
    const rl = readToolList(value as Json);
    for (const p of rl.problems) pp.push(withFix(p as PathProblem, value, []));
    const list: unknown[] = Array.isArray(value) ? value : Array.isArray((value as { tools?: unknown })?.tools) ? (value as { tools: unknown[] }).tools : [value];
    pp.push(
      ...checkTools(
        rl.tools.map((t) => {
          const last = t.path[t.path.length - 1];
          return { raw: typeof last === "number" ? list[last] : value, dialect: t.dialect, path: t.path, name: t.name };
        }),
      ),
    );
  } catch (e) {
    problems.push(internalError(e));
  }
  placeProblems(tree, pp, problems);
  return { problems, tree, value };
}
