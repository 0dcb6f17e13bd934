/**
 * The schema-aware call check: is `{"name", "arguments"}` a valid call of one of these tools?
 * Understands JSON Schema and the BFCL and xLAM dialects (int accepted for float/number, tuple as
 * array), nested objects and arrays, enum/const, anyOf/oneOf/allOf and local `$ref`s (cycle-safe).
 *
 * Built for volume (the language server checks whole datasets): each tool's schema is compiled once,
 * on first use, into a small validator tree; checking allocates only for the problems it reports.
 * Mirrored by trainer/src/tooln1/callcheck.py (same codes, messages, paths; test/vectors/callcheck).
 */
import type { Json, ToolDef } from "./types";
import { isObject, jsonTypeOf, xlamTypeToSchema, type JsonObject } from "./schema";

export interface CallProblem {
  code: "unknown_tool" | "missing_required" | "wrong_type" | "enum_violation" | "unexpected_argument" | "bad_call";
  severity: "error" | "warning";
  message: string;
  /** Relative to the call object, e.g. ["arguments", "city"] or ["name"]. */
  path: (string | number)[];
}

const T_STRING = 1;
const T_INTEGER = 2;
const T_NUMBER = 4;
const T_BOOLEAN = 8;
const T_ARRAY = 16;
const T_OBJECT = 32;
const T_NULL = 64;
const TYPE_BITS = new Map<string, number>([
  ["string", T_STRING],
  ["integer", T_INTEGER],
  ["number", T_NUMBER],
  ["float", T_NUMBER],
  ["boolean", T_BOOLEAN],
  ["array", T_ARRAY],
  ["tuple", T_ARRAY],
  ["object", T_OBJECT],
  ["dict", T_OBJECT],
  ["null", T_NULL],
]);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const TYPE_ORDER: [number, string][] = [
  [T_STRING, "string"],
  [T_INTEGER, "integer"],
  [T_NUMBER, "number"],
  [T_BOOLEAN, "boolean"],
  [T_ARRAY, "array"],
  [T_OBJECT, "object"],
  [T_NULL, "null"],
];

/** A compiled schema node. `types` 0 means any type. */
interface CNode {
  types: number;
  enumVals: Json[] | null;
  props: Map<string, CNode> | null;
  required: string[] | null;
  /** true: extra keys allowed; false: not allowed; a node: extra values must match it. */
  additional: CNode | boolean;
  items: CNode | null;
  prefix: CNode[] | null;
  anyOf: CNode[] | null;
  allOf: CNode[] | null;
}

const newNode = (): CNode => ({ types: 0, enumVals: null, props: null, required: null, additional: true, items: null, prefix: null, anyOf: null, allOf: null });
const ANY: CNode = newNode();
const MAX_DEPTH = 64;

interface Ctx {
  root: JsonObject;
  refs: Map<string, CNode>;
}

function typeBits(t: Json | undefined): number {
  if (typeof t === "string") {
    const b = TYPE_BITS.get(t);
    return b === undefined ? 0 : b === T_NUMBER ? T_NUMBER | T_INTEGER : b;
  }
  if (Array.isArray(t)) {
    let bits = 0;
    for (const x of t) {
      if (typeof x !== "string") continue;
      if (x === "any") return 0;
      const b = TYPE_BITS.get(x);
      if (b === undefined) return 0;
      bits |= b === T_NUMBER ? T_NUMBER | T_INTEGER : b;
    }
    return bits;
  }
  return 0;
}

function resolvePointer(root: JsonObject, ref: string): Json | undefined {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let cur: Json | undefined = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObject(cur)) cur = hasOwn(cur, key) ? cur[key] : undefined;
    else return undefined;
  }
  return cur;
}

function compile(node: Json | undefined, ctx: Ctx, depth: number, top: boolean): CNode {
  if (!isObject(node) || depth > MAX_DEPTH) return ANY;
  const ref = node.$ref;
  if (typeof ref === "string") {
    const seen = ctx.refs.get(ref);
    if (seen) return seen;
    const holder = newNode();
    ctx.refs.set(ref, holder);
    Object.assign(holder, compile(resolvePointer(ctx.root, ref), ctx, depth + 1, false));
    return holder;
  }
  const n = newNode();
  n.types = typeBits(node.type);
  if (Array.isArray(node.enum)) n.enumVals = node.enum;
  else if (hasOwn(node, "const")) n.enumVals = [node.const];
  const props = node.properties;
  if (isObject(props)) {
    n.props = new Map();
    for (const k in props) n.props.set(k, compile(props[k], ctx, depth + 1, false));
    // Arguments of a tool are closed by default (BFCL rejects parameters outside the schema).
    if (top) n.additional = false;
  }
  if (Array.isArray(node.required)) n.required = node.required.filter((x): x is string => typeof x === "string");
  const ap = node.additionalProperties;
  if (ap === false) n.additional = false;
  else if (ap === true) n.additional = true;
  else if (isObject(ap)) n.additional = compile(ap, ctx, depth + 1, false);
  const items = node.items;
  if (Array.isArray(items)) n.prefix = items.map((s) => compile(s, ctx, depth + 1, false));
  else if (isObject(items)) n.items = compile(items, ctx, depth + 1, false);
  if (Array.isArray(node.prefixItems)) n.prefix = node.prefixItems.map((s) => compile(s, ctx, depth + 1, false));
  const any = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : null;
  if (any && any.length) n.anyOf = any.map((s) => compile(s, ctx, depth + 1, false));
  if (Array.isArray(node.allOf) && node.allOf.length) n.allOf = node.allOf.map((s) => compile(s, ctx, depth + 1, false));
  return n;
}

/**
 * Compiled validators by the parameters object they were compiled from: a dataset's lines share one
 * parsed object per distinct tool text (the language server's tool cache), so each is compiled once.
 * Parsed JSON is never mutated, and the compiled nodes are immutable.
 */
const compiledByParams = new WeakMap<object, CNode>();

function compileTool(tool: ToolDef): CNode {
  const key = tool.parameters as object;
  let c = compiledByParams.get(key);
  if (c === undefined) {
    c = compileToolUncached(tool);
    compiledByParams.set(key, c);
  }
  return c;
}

/** Compiles a tool's parameters (any dialect) into its validator. */
function compileToolUncached(tool: ToolDef): CNode {
  if (tool.dialect === "xlam") return compileXlam(tool.parameters);
  const root = tool.parameters;
  return compile(root, { root, refs: new Map() }, 0, true);
}

// xLAM datasets repeat a few dozen type strings ("str", "List[int]", "float, optional") across
// thousands of tools: each string is compiled once and its (immutable) node shared.
const XLAM_TYPES = new Map<string, { node: CNode; optional: boolean }>();

function xlamType(type: string): { node: CNode; optional: boolean } {
  let e = XLAM_TYPES.get(type);
  if (!e) {
    const { schema, optional } = xlamTypeToSchema(type);
    e = { node: compile(schema, { root: schema, refs: new Map() }, 0, false), optional };
    if (XLAM_TYPES.size < 4096) XLAM_TYPES.set(type, e);
  }
  return e;
}

/** Same validator as compile(xlamParamsToJsonSchema(params)), without building the schema. */
function compileXlam(params: JsonObject): CNode {
  const n = newNode();
  n.types = T_OBJECT;
  n.props = new Map();
  n.required = [];
  n.additional = false;
  for (const k in params) {
    const spec = params[k];
    if (!isObject(spec)) continue;
    const e = xlamType(typeof spec.type === "string" ? spec.type : "");
    let node = e.node;
    if (hasOwn(spec, "enum") && Array.isArray(spec.enum)) node = { ...node, enumVals: spec.enum };
    n.props.set(k, node);
    if (!e.optional && !hasOwn(spec, "default")) n.required.push(k);
  }
  return n;
}

interface Entry {
  tool: ToolDef;
  node: CNode | null;
}

/** Tools by name, each compiled on first use. Build once per tool list, check many calls. */
export interface ToolIndex {
  readonly names: readonly string[];
  has(name: string): boolean;
  get(name: string): ToolDef | undefined;
  /** internal: the compiled validator of a tool */
  validator(name: string): unknown;
}

class Index implements ToolIndex {
  private readonly map = new Map<string, Entry>();
  readonly names: string[] = [];
  constructor(tools: ToolDef[]) {
    for (const t of tools) {
      if (this.map.has(t.name)) continue; // the first definition wins, as in readToolList
      this.map.set(t.name, { tool: t, node: null });
      this.names.push(t.name);
    }
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  get(name: string): ToolDef | undefined {
    return this.map.get(name)?.tool;
  }
  validator(name: string): CNode | undefined {
    const e = this.map.get(name);
    if (!e) return undefined;
    if (!e.node) e.node = compileTool(e.tool);
    return e.node;
  }
}

export function indexTools(tools: ToolDef[]): ToolIndex {
  return new Index(tools);
}

function maskOf(v: Json): number {
  if (v === null) return T_NULL;
  switch (typeof v) {
    case "string":
      return T_STRING;
    case "boolean":
      return T_BOOLEAN;
    case "number":
      return Number.isInteger(v) ? T_INTEGER | T_NUMBER : T_NUMBER;
    default:
      return Array.isArray(v) ? T_ARRAY : T_OBJECT;
  }
}

function typeNames(bits: number): string {
  const names: string[] = [];
  for (const [b, n] of TYPE_ORDER) {
    if (b === T_INTEGER && bits & T_NUMBER) continue;
    if (bits & b) names.push(n);
  }
  return names.join(" or ");
}

/** Equality of JSON values as the checker sees it (numbers by value: 1 equals 1.0). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!hasOwn(b, k) || !jsonEqual(a[k], b[k])) return false;
  return true;
}

/** A short, language-neutral rendering of a value for messages (same text in Python). */
export function showValue(v: Json, depth = 0): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (depth > 3) return "…";
  if (Array.isArray(v)) return "[" + v.map((x) => showValue(x, depth + 1)).join(", ") + "]";
  return "{" + Object.keys(v).map((k) => JSON.stringify(k) + ": " + showValue(v[k], depth + 1)).join(", ") + "}";
}

function listValues(vals: Json[]): string {
  const shown = vals.slice(0, 10).map((x) => showValue(x)).join(", ");
  return vals.length > 10 ? `${shown}, … (${vals.length} in all)` : shown;
}

/** `city`, `location.city`, `stops[0].name`: a path below "arguments", for messages. */
function display(path: (string | number)[]): string {
  let s = "";
  for (let i = 1; i < path.length; i++) {
    const p = path[i];
    s += typeof p === "number" ? `[${p}]` : s === "" ? p : `.${p}`;
  }
  return s;
}

function report(out: CallProblem[], code: CallProblem["code"], message: string, path: (string | number)[]): void {
  out.push({ code, severity: "error", message, path: path.slice() });
}

function validate(v: Json, n: CNode, path: (string | number)[], out: CallProblem[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (n.anyOf) {
    let ok = false;
    const scratch: CallProblem[] = [];
    for (const alt of n.anyOf) {
      scratch.length = 0;
      validate(v, alt, path, scratch, depth + 1);
      if (scratch.length === 0) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      report(out, "wrong_type", `'${display(path)}' matches none of the allowed schemas (got ${jsonTypeOf(v)})`, path);
      return;
    }
  }
  if (n.allOf) for (const sub of n.allOf) validate(v, sub, path, out, depth + 1);
  if (n.types !== 0 && (maskOf(v) & n.types) === 0) {
    report(out, "wrong_type", `'${display(path)}' should be ${typeNames(n.types)}, not ${jsonTypeOf(v)}`, path);
    return;
  }
  if (n.enumVals) {
    let found = false;
    for (const e of n.enumVals) {
      if (jsonEqual(e, v)) {
        found = true;
        break;
      }
    }
    if (!found) report(out, "enum_violation", `'${display(path)}' is ${showValue(v)}; allowed: ${listValues(n.enumVals)}`, path);
  }
  if (v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    if (n.prefix) {
      const m = Math.min(n.prefix.length, v.length);
      for (let i = 0; i < m; i++) {
        path.push(i);
        validate(v[i], n.prefix[i], path, out, depth + 1);
        path.pop();
      }
    } else if (n.items) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        validate(v[i], n.items, path, out, depth + 1);
        path.pop();
      }
    }
    return;
  }
  if (n.required) {
    for (const k of n.required) {
      if (!hasOwn(v, k)) {
        path.push(k);
        report(out, "missing_required", `missing required argument '${display(path)}'`, path);
        path.pop();
      }
    }
  }
  const props = n.props;
  if (!props && n.additional === true) return;
  for (const k in v) {
    const p = props ? props.get(k) : undefined;
    path.push(k);
    if (p) validate(v[k], p, path, out, depth + 1);
    else if (n.additional === false) {
      const known = props && props.size ? `; known: ${[...props.keys()].slice(0, 12).join(", ")}` : "; it takes no arguments here";
      report(out, "unexpected_argument", `unexpected argument '${display(path)}'${known}`, path);
    } else if (n.additional !== true) validate(v[k], n.additional, path, out, depth + 1);
    path.pop();
  }
}

/** Checks one call `{"name", "arguments"}` against the tools. `arguments` may be a JSON string. */
export function checkCall(call: Json, tools: ToolIndex): CallProblem[] {
  const out: CallProblem[] = [];
  if (!isObject(call)) {
    report(out, "bad_call", `a call must be an object with "name" and "arguments", not ${jsonTypeOf(call)}`, []);
    return out;
  }
  const name = call.name;
  if (typeof name !== "string") {
    report(out, "bad_call", name === undefined ? `the call has no "name"` : `"name" must be a string, not ${jsonTypeOf(name)}`, ["name"]);
    return out;
  }
  let args = call.arguments;
  if (typeof args === "string") {
    try {
      args = JSON.parse(args) as Json;
    } catch {
      report(out, "bad_call", `"arguments" is a string that is not valid JSON`, ["arguments"]);
      return out;
    }
  }
  if (args === undefined) {
    report(out, "bad_call", `the call has no "arguments" object`, ["arguments"]);
    return out;
  }
  if (!isObject(args)) {
    report(out, "bad_call", `"arguments" must be an object, not ${jsonTypeOf(args)}`, ["arguments"]);
    return out;
  }
  const node = (tools as Index).validator(name);
  if (!node) {
    const names = tools.names;
    const known = names.length ? `; the tools are: ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", …" : ""}` : "; no tools are listed";
    report(out, "unknown_tool", `unknown tool '${name}'${known}`, ["name"]);
    return out;
  }
  validate(args, node, ["arguments"], out, 0);
  return out;
}
