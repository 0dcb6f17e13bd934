/**
 * The tool schema model: reads a tool written in any supported dialect into one `ToolDef`, and
 * converts its parameters to plain JSON Schema. Only structural problems are reported here (not an
 * object, no name, parameters not an object); deeper diagnostics belong to the language server.
 * Mirrored by trainer/src/tooln1/schema.py (same codes, messages and paths; test/vectors/schema).
 *
 * Dialects:
 *  - openai: `{"type": "function", "function": {name, description, parameters}}`
 *  - mcp:    `{name, description, inputSchema}`
 *  - bfcl:   bare functions whose parameters use BFCL types (`dict`, `float`, `tuple`, `any`)
 *  - xlam:   bare functions whose parameters are xLAM's map `{arg: {"type": "str", ...}}`
 *  - bare:   `{name, description, parameters}` with JSON Schema parameters
 */
import type { Json, SchemaNode, ToolDef, ToolDialect } from "./types";

export interface SchemaProblem {
  code: string;
  severity: "error" | "warning" | "information" | "hint";
  message: string;
  path: (string | number)[];
}

export type JsonObject = { [k: string]: Json };

export function isObject(x: unknown): x is JsonObject {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** JSON type name of a value, as JSON Schema names it (`integer` for whole numbers). */
export function jsonTypeOf(v: Json | undefined): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(v) ? "integer" : "number";
    case "object":
      return "object";
    default:
      return "undefined";
  }
}

const BFCL_TYPES: ReadonlySet<string> = new Set(["dict", "float", "tuple", "any"]);
const SCHEMA_MAPS = ["properties", "$defs", "definitions", "patternProperties"] as const;
const SCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"] as const;
const SCHEMA_ONE = ["additionalProperties", "not", "contains", "if", "then", "else"] as const;
const MAX_DEPTH = 64;

/** Calls `visit` on every schema node reachable from `node` (properties, items, anyOf, $defs...). */
export function walkSchema(node: Json, visit: (n: JsonObject) => boolean | void, depth = 0): boolean {
  if (!isObject(node) || depth > MAX_DEPTH) return false;
  if (visit(node) === true) return true;
  for (const k of SCHEMA_MAPS) {
    const m = node[k];
    if (isObject(m)) for (const key in m) if (walkSchema(m[key], visit, depth + 1)) return true;
  }
  for (const k of SCHEMA_LISTS) {
    const l = node[k];
    if (Array.isArray(l)) for (const s of l) if (walkSchema(s, visit, depth + 1)) return true;
  }
  for (const k of SCHEMA_ONE) if (walkSchema(node[k], visit, depth + 1)) return true;
  const items = node.items;
  if (Array.isArray(items)) {
    for (const s of items) if (walkSchema(s, visit, depth + 1)) return true;
  } else if (walkSchema(items, visit, depth + 1)) return true;
  return false;
}

/** True when a schema uses a BFCL-only type name anywhere (`dict`, `float`, `tuple`, `any`). */
export function usesBfclTypes(node: Json): boolean {
  return walkSchema(node, (n) => {
    const t = n.type;
    if (typeof t === "string") return BFCL_TYPES.has(t);
    if (Array.isArray(t)) return t.some((x) => typeof x === "string" && BFCL_TYPES.has(x));
    return false;
  });
}

/**
 * True when `params` is xLAM's parameter map: every value an object whose `type` is a string
 * (`{"city": {"type": "str", "description": ...}}`).
 */
export function isXlamParams(params: Json | undefined): boolean {
  // A parameter may itself be called "type" or "properties": it is a spec object, not a keyword.
  if (!isObject(params) || "$schema" in params) return false;
  let n = 0;
  for (const k in params) {
    const v = params[k];
    if (!isObject(v) || typeof v.type !== "string") return false;
    n++;
  }
  return n > 0;
}

const XLAM_SCALARS = new Map<string, string>(Object.entries({
  str: "string",
  string: "string",
  int: "integer",
  integer: "integer",
  float: "number",
  number: "number",
  double: "number",
  bool: "boolean",
  boolean: "boolean",
  list: "array",
  array: "array",
  tuple: "array",
  set: "array",
  dict: "object",
  object: "object",
  none: "null",
  null: "null",
}));

/** Splits `a, b[c, d], e` at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") depth--;
    else if (c === "," && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/**
 * xLAM type strings (`str`, `List[int]`, `float, optional`, `Optional[str]`, `Union[int, str]`)
 * to a JSON Schema node. Unknown names (`Any`, `Callable`, ...) constrain nothing.
 */
export function xlamTypeToSchema(type: string): { schema: JsonObject; optional: boolean } {
  let t = type.trim();
  let optional = false;
  const m = /^(.*?),\s*optional\s*$/i.exec(t);
  if (m) {
    optional = true;
    t = m[1].trim();
  }
  return { schema: xlamCore(t, 0), optional };
}

function xlamCore(t: string, depth: number): JsonObject {
  if (depth > 16) return {};
  const br = t.indexOf("[");
  const head = (br >= 0 ? t.slice(0, br) : t).trim().toLowerCase();
  const inner = br >= 0 && t.endsWith("]") ? t.slice(br + 1, -1) : "";
  if (head === "optional" && inner) {
    const s = xlamCore(inner, depth + 1);
    if (typeof s.type === "string") return { ...s, type: [s.type, "null"] };
    if (Array.isArray(s.anyOf)) return { anyOf: [...s.anyOf, { type: "null" }] };
    return s;
  }
  if (head === "union" && inner) {
    const parts = splitTop(inner).map((p) => xlamCore(p, depth + 1));
    if (parts.some((p) => !("type" in p))) return {};
    return { anyOf: parts };
  }
  const base = XLAM_SCALARS.get(head);
  if (!base) return {};
  if (base === "array" && inner) {
    const args = splitTop(inner);
    if (head === "tuple" && args.length > 1 && !args.includes("...")) {
      return { type: "array", prefixItems: args.map((a) => xlamCore(a, depth + 1)) };
    }
    const items = xlamCore(args[0], depth + 1);
    return "type" in items || "anyOf" in items ? { type: "array", items } : { type: "array" };
  }
  return { type: base };
}

/** xLAM's parameter map to a JSON Schema object (required: entries with no default, not optional). */
export function xlamParamsToJsonSchema(params: JsonObject): JsonObject {
  const properties: JsonObject = {};
  const required: Json[] = [];
  for (const name in params) {
    const spec = params[name];
    if (!isObject(spec)) continue;
    const { schema, optional } = xlamTypeToSchema(typeof spec.type === "string" ? spec.type : "");
    const prop: JsonObject = { ...schema };
    if (typeof spec.description === "string") prop.description = spec.description;
    if ("enum" in spec) prop.enum = spec.enum;
    properties[name] = prop;
    if (!optional && !("default" in spec)) required.push(name);
  }
  return { type: "object", properties, required };
}

function mapType(t: Json): Json {
  if (t === "dict") return "object";
  if (t === "float") return "number";
  if (t === "tuple") return "array";
  return t;
}

/** BFCL dialect to JSON Schema: dict->object, float->number, tuple->array, any->no constraint. */
export function toJsonSchema(node: SchemaNode): SchemaNode {
  return convertNode(node, 0) as SchemaNode;
}

function convertNode(node: Json, depth: number): Json {
  if (!isObject(node) || depth > MAX_DEPTH) return node;
  const out: JsonObject = {};
  for (const k in node) {
    const v = node[k];
    if (k === "type") {
      if (v === "any") continue;
      if (Array.isArray(v)) {
        if (v.includes("any")) continue;
        out.type = v.map(mapType);
      } else out.type = mapType(v);
    } else if ((SCHEMA_MAPS as readonly string[]).includes(k) && isObject(v)) {
      const m: JsonObject = {};
      for (const p in v) m[p] = convertNode(v[p], depth + 1);
      out[k] = m;
    } else if ((SCHEMA_LISTS as readonly string[]).includes(k) && Array.isArray(v)) {
      out[k] = v.map((s) => convertNode(s, depth + 1));
    } else if (k === "items") {
      out[k] = Array.isArray(v) ? v.map((s) => convertNode(s, depth + 1)) : convertNode(v, depth + 1);
    } else if ((SCHEMA_ONE as readonly string[]).includes(k)) {
      out[k] = convertNode(v, depth + 1);
    } else out[k] = v;
  }
  return out;
}

/** A tool's parameters as plain JSON Schema, whatever dialect it was written in. */
export function toolJsonSchema(tool: ToolDef): SchemaNode {
  if (tool.dialect === "xlam") return xlamParamsToJsonSchema(tool.parameters);
  return toJsonSchema(tool.parameters);
}

/** The OpenAI form of a tool, with JSON Schema parameters. */
export function toOpenAITool(tool: ToolDef): Json {
  return { type: "function", function: { name: tool.name, description: tool.description, parameters: toolJsonSchema(tool) } };
}

const EMPTY_PARAMS = (): SchemaNode => ({ type: "object", properties: {} });

function problem(code: string, message: string, path: (string | number)[], severity: SchemaProblem["severity"] = "error"): SchemaProblem {
  return { code, severity, message, path };
}

/** Reads one tool in any dialect. `tool` is absent when it has no usable name. */
export function normalizeTool(raw: Json, path: (string | number)[] = []): { tool?: ToolDef; problems: SchemaProblem[] } {
  const problems: SchemaProblem[] = [];
  if (!isObject(raw)) {
    problems.push(problem("not_an_object", `a tool must be a JSON object, not ${jsonTypeOf(raw)}`, path));
    return { problems };
  }
  let fn: JsonObject = raw;
  let fnPath = path;
  let dialect: ToolDialect = "bare";
  let paramsKey = "parameters";
  if ("function" in raw || (raw.type === "function" && !("name" in raw))) {
    if (!isObject(raw.function)) {
      problems.push(problem("missing_function", `an OpenAI tool needs a "function" object holding name, description and parameters`, [...path, "function"]));
      return { problems };
    }
    fn = raw.function;
    fnPath = [...path, "function"];
    dialect = "openai";
  } else if ("inputSchema" in raw) {
    dialect = "mcp";
    paramsKey = "inputSchema";
  }
  const name = fn.name;
  if (name === undefined) {
    problems.push(problem("missing_name", `the tool has no "name"`, fnPath));
  } else if (typeof name !== "string" || name === "") {
    problems.push(problem("bad_name", `"name" must be a non-empty string`, [...fnPath, "name"]));
  }
  let description = "";
  if (typeof fn.description === "string") description = fn.description;
  else if (fn.description !== undefined && fn.description !== null) {
    problems.push(problem("bad_description", `"description" must be a string, not ${jsonTypeOf(fn.description)}`, [...fnPath, "description"]));
  }
  let parameters: SchemaNode = EMPTY_PARAMS();
  const p = fn[paramsKey];
  if (p === undefined || p === null) {
    // No parameters: a tool that takes no arguments.
  } else if (!isObject(p)) {
    problems.push(problem("parameters_not_object", `"${paramsKey}" must be a JSON Schema object, not ${jsonTypeOf(p)}`, [...fnPath, paramsKey]));
  } else {
    parameters = p;
    if (dialect === "bare" && isXlamParams(p)) dialect = "xlam";
    else {
      const t = p.type;
      if (t !== undefined && t !== "object" && t !== "dict") {
        problems.push(problem("parameters_not_object_schema", `"${paramsKey}" must describe an object ("type": "object")`, [...fnPath, paramsKey, "type"]));
      }
      if (dialect === "bare" && usesBfclTypes(p)) dialect = "bfcl";
    }
  }
  if (typeof name !== "string" || name === "") return { problems };
  return { tool: { name, description, parameters, dialect, path }, problems };
}

/** Reads a tool schema file: a JSON array of tools, or `{"tools": [...]}`. */
export function readToolList(doc: Json): { tools: ToolDef[]; problems: SchemaProblem[] } {
  const tools: ToolDef[] = [];
  const problems: SchemaProblem[] = [];
  let list: Json[];
  let base: (string | number)[] = [];
  if (Array.isArray(doc)) list = doc;
  else if (isObject(doc) && "tools" in doc) {
    if (!Array.isArray(doc.tools)) {
      problems.push(problem("bad_tools", `"tools" must be an array of tools, not ${jsonTypeOf(doc.tools)}`, ["tools"]));
      return { tools, problems };
    }
    list = doc.tools;
    base = ["tools"];
  } else if (isObject(doc) && ("name" in doc || "function" in doc || "inputSchema" in doc)) {
    problems.push(problem("single_tool", `expected a list of tools; read this single tool (write it as [ {...} ] or {"tools": [ ... ]})`, [], "warning"));
    const r = normalizeTool(doc, []);
    problems.push(...r.problems);
    if (r.tool) tools.push(r.tool);
    return { tools, problems };
  } else {
    problems.push(problem("not_a_tool_list", `a tool schema file is a JSON array of tools or {"tools": [...]}, not ${jsonTypeOf(doc)}`, []));
    return { tools, problems };
  }
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const r = normalizeTool(list[i], [...base, i]);
    problems.push(...r.problems);
    if (!r.tool) continue;
    if (seen.has(r.tool.name)) {
      const namePath = r.tool.dialect === "openai" ? [...base, i, "function", "name"] : [...base, i, "name"];
      problems.push(problem("duplicate_name", `another tool is already named '${r.tool.name}'`, namePath));
      continue;
    }
    seen.add(r.tool.name);
    tools.push(r.tool);
  }
  return { tools, problems };
}
