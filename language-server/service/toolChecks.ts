/**
 * Deep tool-schema checks: legal names per dialect, duplicate names, `parameters` as a JSON Schema
 * (a hand-written meta-schema check, one pass per schema), `required` vs `properties`, `enum` and
 * `default` against their own type, unknown types, `$ref` resolution (cycles handled), and
 * missing descriptions. Works on raw JSON values; every loop and recursion is bounded.
 */
import type { ToolDialect } from "../../src/core/types";
import { CODES, type JsonPath, type PathProblem } from "./problems";
import { BFCL_TYPE_MAP } from "./bfclTypes";
import { checkXlamParams } from "./xlamChecks";

type Obj = { [k: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export const JSON_TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"] as const;
export const BFCL_TYPES: Record<string, string> = { dict: "object", float: "number", tuple: "array", any: "" };
/** Common misspellings and other languages' names, with the JSON Schema type to use. */
const TYPE_SUGGESTIONS: Record<string, string> = {
  str: "string", text: "string", int: "integer", long: "integer", bool: "boolean", double: "number",
  list: "array", map: "object", none: "null", "null ": "null", decimal: "number", char: "string",
};
/** Name rules of the targets a tool may be sent to, and which dialect treats each as its own. */
const NAME_TARGETS: { target: string; re: RegExp; says: string }[] = [
  { target: "OpenAI's API", re: /^[a-zA-Z0-9_-]{1,64}$/, says: "OpenAI's API rejects it (^[a-zA-Z0-9_-]{1,64}$)" },
  { target: "MCP clients", re: /^[a-zA-Z0-9_.-]{1,128}$/, says: "the MCP spec asks for ^[a-zA-Z0-9_.-]{1,128}$" },
];
/** The rule each dialect's own files follow; a name that passes it is not reported. */
const NAME_RULES: Record<string, RegExp> = {
  openai: /^[a-zA-Z0-9_-]{1,64}$/,
  bare: /^[a-zA-Z0-9_-]{1,64}$/,
  bfcl: /^[a-zA-Z0-9_.-]{1,64}$/,
  xlam: /^[a-zA-Z0-9_.-]{1,64}$/,
  mcp: /^[a-zA-Z0-9_.-]{1,128}$/,
};
const DIALECT_LABEL: Record<string, string> = { openai: "OpenAI", bare: "bare-function", bfcl: "BFCL", mcp: "MCP", xlam: "xLAM" };

const MAX_DEPTH = 64;
const MAX_REF_HOPS = 32;

/** Where a tool keeps its name, description and parameters, by the raw shape. */
export interface ToolLayout {
  base: JsonPath; // relative to the tool
  paramsKey: "parameters" | "inputSchema";
}
export function toolLayout(raw: unknown): ToolLayout {
  // As the core reads it (src/core/schema.ts normalizeTool): a "function" member means the OpenAI form.
  if (isObj(raw) && isObj(raw.function) && (raw.type === "function" || "function" in raw)) return { base: ["function"], paramsKey: "parameters" };
  if (isObj(raw) && "inputSchema" in raw && !("parameters" in raw)) return { base: [], paramsKey: "inputSchema" };
  return { base: [], paramsKey: "parameters" };
}

/** The function object of a raw tool (the `function` member for the OpenAI form). */
export function toolBody(raw: unknown): Obj | undefined {
  if (!isObj(raw)) return undefined;
  const l = toolLayout(raw);
  return l.base.length ? (raw.function as Obj) : raw;
}

/** A name every target accepts (letters, digits, "_" and "-", at most 64). */
export function suggestName(name: string, _dialect?: ToolDialect): string {
  let s = name.trim().replace(/[^a-zA-Z0-9_-]+/g, "_").replace(/^_+|_+$/g, "");
  if (!s) s = "tool";
  return s.slice(0, 64);
}

/**
 * Checks the tools of one document (a schema file or one dataset line's `tools`).
 * `tools` are the raw values with their dialect and path from the document root.
 */
export function checkTools(tools: { raw: unknown; dialect: ToolDialect; path: JsonPath; name?: string }[]): PathProblem[] {
  const out: PathProblem[] = [];
  const seen = new Map<string, number>();
  for (const t of tools) {
    const body = toolBody(t.raw);
    if (!body) continue;
    const layout = toolLayout(t.raw);
    const base = [...t.path, ...layout.base];
    const name = typeof body.name === "string" ? body.name : t.name;
    const namePath = [...base, "name"];
    if (typeof name === "string") {
      const rule = NAME_RULES[t.dialect] ?? NAME_RULES.openai;
      if (!rule.test(name)) {
        const suggestion = suggestName(name, t.dialect);
        const rejecting = NAME_TARGETS.filter((x) => !x.re.test(name));
        const says = rejecting.length ? rejecting.map((x) => x.says).join("; ") : `it breaks the ${DIALECT_LABEL[t.dialect] ?? t.dialect} naming rule`;
        out.push({
          code: CODES.illegalName, severity: "warning", path: namePath,
          message: `Tool name "${clip(name)}": ${says}. The paper's reward and chat templates accept it; to send these tools to ${rejecting.length ? rejecting.map((x) => x.target).join(" or ") : "such a target"}, rename it everywhere (for example "${suggestion}").`,
          data: { fix: "renameAll", name, suggestion },
        });
      }
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      if (n > 1) {
        let suggestion = `${name}_${n}`;
        while (seen.has(suggestion)) suggestion += "_";
        out.push({
          code: CODES.duplicateName, severity: "error", path: namePath,
          message: `Duplicate tool name "${clip(name)}": a model cannot tell the two apart. Rename one (for example "${suggestion}") or remove it.`,
          data: { fix: "rename", name, suggestion, namePath },
        });
      }
    }
    const desc = body.description;
    if (typeof name === "string" && (typeof desc !== "string" || desc.trim() === "")) {
      out.push({ code: CODES.missingDescription, severity: "hint", path: namePath, message: `Tool "${clip(name)}" has no description: add one so the model knows when to call it.` });
    }
    // Chat Completions reads strict mode from "function.strict" (the cookbook's product_search puts it beside "function").
    if (layout.base.length && isObj(t.raw) && "strict" in t.raw && !("strict" in body)) {
      out.push({
        code: CODES.misplacedStrict, severity: "warning", path: [...t.path, "strict"], key: true,
        message: `"strict" beside "function": OpenAI's Chat Completions API takes it inside "function" ("function": {..., "strict": true}); move it there to ask for strict mode as documented.`,
        data: { fix: "moveStrict", toolPath: t.path },
      });
    }
    const params = body[layout.paramsKey];
    if (params === undefined || params === null) continue;
    // xLAM's parameter map is not a JSON Schema: its own checks (type strings, typos).
    if (t.dialect === "xlam") {
      if (isObj(params)) checkXlamParams(params, [...base, layout.paramsKey], out);
      continue;
    }
    // Not an object, or "type" other than object: reported by the core (src/core/schema.ts).
    if (!isObj(params)) continue;
    const paramsPath = [...base, layout.paramsKey];
    const ctx: WalkCtx = { out, root: params, rootPath: paramsPath, dialect: t.dialect, toolPath: t.path, bfclReported: false, deepReported: false };
    walkSchema(params, { up: null, key: "", base: paramsPath }, 0, ctx, true);
  }
  return out;
}

interface WalkCtx {
  out: PathProblem[];
  root: Obj;
  rootPath: JsonPath;
  dialect: ToolDialect;
  toolPath: JsonPath;
  bfclReported: boolean;
  deepReported: boolean;
}

/**
 * A path built only when a problem is reported: each level links to its parent, so walking a clean
 * schema allocates one small object per node and no arrays.
 */
interface LP {
  up: LP | null;
  key: string | number;
  base?: JsonPath;
}
const child = (up: LP, key: string | number): LP => ({ up, key });
function toPath(lp: LP, ...more: (string | number)[]): JsonPath {
  const keys: (string | number)[] = [];
  let cur: LP | null = lp;
  let base: JsonPath = [];
  while (cur) {
    if (cur.base) {
      base = cur.base;
      break;
    }
    keys.push(cur.key);
    cur = cur.up;
  }
  return [...base, ...keys.reverse(), ...more];
}

const enum K { Map, Schema, List, Number, Count, String, Bool, Pattern, Required, Enum, Default, Ref, Items, Other }
const KEY_KIND = new Map<string, K>();
for (const k of ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]) KEY_KIND.set(k, K.Map);
for (const k of ["additionalProperties", "additionalItems", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems"]) KEY_KIND.set(k, K.Schema);
for (const k of ["anyOf", "oneOf", "allOf", "prefixItems"]) KEY_KIND.set(k, K.List);
for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]) KEY_KIND.set(k, K.Number);
for (const k of ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"]) KEY_KIND.set(k, K.Count);
for (const k of ["description", "title", "format", "$id", "$schema", "$comment", "contentMediaType", "contentEncoding"]) KEY_KIND.set(k, K.String);
for (const k of ["uniqueItems", "deprecated", "readOnly", "writeOnly", "nullable"]) KEY_KIND.set(k, K.Bool);
KEY_KIND.set("pattern", K.Pattern);
KEY_KIND.set("required", K.Required);
KEY_KIND.set("enum", K.Enum);
KEY_KIND.set("default", K.Default);
KEY_KIND.set("$ref", K.Ref);
KEY_KIND.set("items", K.Items);

function walkSchema(node: unknown, lp: LP, depth: number, ctx: WalkCtx, isRoot = false, optional = false): void {
  if (typeof node === "boolean") return;
  if (!isObj(node)) {
    ctx.out.push({ code: CODES.invalidSchema, severity: "error", path: toPath(lp), message: `A schema must be an object (or true/false), found ${kind(node)}: write for example {"type": "string"}.` });
    return;
  }
  if (depth > MAX_DEPTH) {
    if (!ctx.deepReported) ctx.out.push({ code: CODES.schemaTooDeep, severity: "warning", path: toPath(lp), message: `Schema nested deeper than ${MAX_DEPTH} levels: not checked further. Flatten it or use $ref.` });
    ctx.deepReported = true;
    return;
  }
  const types = node.type !== undefined ? checkType(node, lp, ctx) : undefined;
  for (const k in node) {
    const kk = KEY_KIND.get(k);
    if (kk === undefined) continue;
    const v = node[k];
    switch (kk) {
      case K.Map: {
        if (!isObj(v)) {
          bad(ctx, lp, k, `"${k}" must be an object mapping names to schemas.`);
          break;
        }
        const mp = child(lp, k);
        const req = k === "properties" && Array.isArray(node.required) ? node.required : undefined;
        for (const name in v) {
          const sub = v[name];
          const sp = child(mp, name);
          walkSchema(sub, sp, depth + 1, ctx, false, k === "properties" && !(req && req.includes(name)));
          if (k === "properties" && isObj(sub) && typeof sub.description !== "string" && !("$ref" in sub)) {
            ctx.out.push({ code: CODES.missingParameterDescription, severity: "hint", path: toPath(sp), key: true, message: `Parameter "${clip(name)}" has no description: add one so the model knows what to pass.` });
          }
          if (k === "patternProperties" && !validRegex(name)) ctx.out.push({ code: CODES.invalidSchema, severity: "error", path: toPath(sp), key: true, message: `Pattern "${clip(name)}" is not a valid regular expression.` });
        }
        break;
      }
      case K.Schema:
        walkSchema(v, child(lp, k), depth + 1, ctx);
        break;
      case K.Items:
        if (Array.isArray(v)) {
          const ip = child(lp, k);
          for (let i = 0; i < v.length; i++) walkSchema(v[i], child(ip, i), depth + 1, ctx);
        } else walkSchema(v, child(lp, k), depth + 1, ctx);
        break;
      case K.List:
        if (!Array.isArray(v) || (v.length === 0 && k !== "prefixItems")) bad(ctx, lp, k, `"${k}" must be a non-empty array of schemas.`);
        else {
          const ip = child(lp, k);
          for (let i = 0; i < v.length; i++) walkSchema(v[i], child(ip, i), depth + 1, ctx);
        }
        break;
      case K.Number:
        if (typeof v !== "number" && !(k.startsWith("exclusive") && typeof v === "boolean")) bad(ctx, lp, k, `"${k}" must be a number.`);
        else if (k === "multipleOf" && !((v as number) > 0)) bad(ctx, lp, k, `"multipleOf" must be greater than 0.`);
        break;
      case K.Count:
        if (!(Number.isInteger(v) && (v as number) >= 0)) bad(ctx, lp, k, `"${k}" must be a non-negative integer.`);
        break;
      case K.String:
        if (typeof v !== "string") bad(ctx, lp, k, `"${k}" must be a string.`);
        break;
      case K.Bool:
        if (typeof v !== "boolean") bad(ctx, lp, k, `"${k}" must be true or false.`);
        break;
      case K.Pattern:
        if (typeof v !== "string") bad(ctx, lp, k, `"pattern" must be a string holding a regular expression.`);
        else if (!validRegex(v)) bad(ctx, lp, k, `"pattern" is not a valid regular expression: fix its syntax.`);
        break;
      case K.Required:
        checkRequired(node, v, lp, ctx, isRoot);
        break;
      case K.Enum:
        if (!Array.isArray(v) || v.length === 0) bad(ctx, lp, k, `"enum" must be a non-empty array of allowed values.`);
        else if (types) {
          for (let i = 0; i < v.length; i++) {
            if (!valueHasType(v[i], types)) ctx.out.push({ code: CODES.enumTypeMismatch, severity: "error", path: toPath(lp, "enum", i), message: `Enum value ${clip(JSON.stringify(v[i]) ?? "")} is not of the declared type ${types.join(" | ")}: change the value or the type.` });
          }
        }
        break;
      case K.Default:
        // BFCL writes `"default": null` to mark an optional parameter: its dialect, not a mistake.
        if (v === null && optional && ctx.dialect === "bfcl") break;
        if (types && !valueHasType(v, types)) {
          ctx.out.push({ code: CODES.defaultTypeMismatch, severity: "warning", path: toPath(lp, "default"), message: `Default ${clip(JSON.stringify(v) ?? "")} is not of the declared type ${types.join(" | ")}: change the default or the type.` });
        } else if (Array.isArray(node.enum) && node.enum.length > 0 && !node.enum.some((e) => jsonEqual(e, v))) {
          ctx.out.push({ code: CODES.defaultTypeMismatch, severity: "warning", path: toPath(lp, "default"), message: `Default ${clip(JSON.stringify(v) ?? "")} is not one of the enum values: pick one of them.` });
        }
        break;
      case K.Ref:
        checkRef(v, lp, ctx);
        break;
    }
  }
  checkBounds(node, lp, ctx);
}

const BOUNDS: [string, string][] = [["minimum", "maximum"], ["minLength", "maxLength"], ["minItems", "maxItems"], ["minProperties", "maxProperties"], ["exclusiveMinimum", "exclusiveMaximum"]];
/** `minimum` > `maximum` (and the other pairs): no value can satisfy the schema. */
function checkBounds(node: Obj, lp: LP, ctx: WalkCtx): void {
  for (const [lo, hi] of BOUNDS) {
    const a = node[lo];
    const b = node[hi];
    if (typeof a !== "number" || typeof b !== "number") continue;
    if (a > b || (lo === "exclusiveMinimum" && a === b)) {
      ctx.out.push({ code: CODES.minGreaterThanMax, severity: "warning", path: toPath(lp, lo), key: true, message: `"${lo}" (${a}) is greater than "${hi}" (${b}): no value can satisfy this schema, so every call fails it. Swap or fix the bounds.` });
    }
  }
}

function checkRequired(node: Obj, req: unknown, lp: LP, ctx: WalkCtx, isRoot: boolean): void {
  if (typeof req === "boolean" && !isRoot) {
    // draft-3 style `"required": true` inside a property: accepted by many tool authors, but not JSON Schema.
    ctx.out.push({ code: CODES.invalidSchema, severity: "warning", path: toPath(lp, "required"), message: `"required": ${req} inside a property is draft-3 style; list required names in the parent's "required" array instead.` });
    return;
  }
  if (!Array.isArray(req)) {
    bad(ctx, lp, "required", `"required" must be an array of property names.`);
    return;
  }
  const props = isObj(node.properties) ? node.properties : undefined;
  for (let i = 0; i < req.length; i++) {
    const r = req[i];
    if (typeof r !== "string") ctx.out.push({ code: CODES.invalidSchema, severity: "error", path: toPath(lp, "required", i), message: `"required" entries must be strings (property names).` });
    else if (req.indexOf(r) < i) {
      ctx.out.push({
        code: CODES.duplicateRequired, severity: "warning", path: toPath(lp, "required", i),
        message: `"${clip(r)}" is listed in "required" more than once (JSON Schema requires unique entries; strict validators reject the schema): remove the repeat.`,
        data: { fix: "dropRequired", name: r, schemaPath: toPath(lp), requiredIndex: i },
      });
    }
    else if (!props || !Object.prototype.hasOwnProperty.call(props, r)) {
      ctx.out.push({
        code: CODES.requiredNotInProperties, severity: "error", path: toPath(lp, "required", i),
        message: `Required parameter "${clip(r)}" is not defined in "properties": add it there, or remove it from "required".`,
        data: { fix: "required", name: r, schemaPath: toPath(lp), requiredIndex: i },
      });
    }
  }
}

function bad(ctx: WalkCtx, lp: LP, key: string, message: string): void {
  ctx.out.push({ code: CODES.invalidSchema, severity: "error", path: toPath(lp, key), message });
}

/** Checks `type`; returns the JSON-Schema types it allows (BFCL names mapped), or undefined for any. */
function checkType(node: Obj, lp: LP, ctx: WalkCtx): string[] | undefined {
  const t = node.type;
  if (typeof t === "string" && JSON_TYPE_SET.has(t)) return SINGLE[t];
  const list = Array.isArray(t) ? t : [t];
  if (list.length === 0 || list.some((x) => typeof x !== "string")) {
    bad(ctx, lp, "type", `"type" must be a type name or an array of them (${JSON_TYPES.join(", ")}).`);
    return undefined;
  }
  const out: string[] = [];
  list.forEach((name, i) => {
    const n = name as string;
    const tp = Array.isArray(t) ? toPath(lp, "type", i) : toPath(lp, "type");
    if (JSON_TYPE_SET.has(n)) out.push(n);
    else if (Object.hasOwn(BFCL_TYPES, n) || (ctx.dialect === "bfcl" && Object.hasOwn(BFCL_TYPE_MAP, n))) {
      // BFCL's "any" constrains nothing when values are checked; its other names map as BFCL maps them.
      const mapped = Object.hasOwn(BFCL_TYPES, n) ? BFCL_TYPES[n] : BFCL_TYPE_MAP[n];
      if (mapped) out.push(mapped);
      else out.push(...JSON_TYPES);
      // In a BFCL tool these names are its dialect: nothing to report (hover explains them, and a
      // refactoring converts the tool). Mixed into another dialect they are worth a note, once.
      if (!ctx.bfclReported && ctx.dialect !== "bfcl") {
        ctx.bfclReported = true;
        ctx.out.push({
          code: CODES.bfclType, severity: "information", path: tp,
          message: `"${n}" is a BFCL dialect type (BFCL maps it to "${BFCL_TYPE_MAP[n]}"); convert the tool to JSON Schema for OpenAI-style trainers and templates.`,
          data: { fix: "bfcl", toolPath: ctx.toolPath },
        });
      }
    } else {
      const s = (Object.hasOwn(TYPE_SUGGESTIONS, n.toLowerCase()) ? TYPE_SUGGESTIONS[n.toLowerCase()] : undefined) ?? (JSON_TYPE_SET.has(n.toLowerCase()) ? n.toLowerCase() : undefined);
      ctx.out.push({
        code: CODES.unknownType, severity: "error", path: tp,
        message: `Unknown type "${clip(n)}": ${s ? `did you mean "${s}"? ` : ""}use one of ${JSON_TYPES.join(", ")}.`,
        ...(s ? { data: { fix: "type" as const, suggestion: s, typePath: tp } } : {}),
      });
    }
  });
  return out.length ? out : undefined;
}
const JSON_TYPE_SET: ReadonlySet<string> = new Set(JSON_TYPES);
const SINGLE: Record<string, string[]> = Object.fromEntries(JSON_TYPES.map((t) => [t, [t]]));

function checkRef(ref: unknown, lp: LP, ctx: WalkCtx): void {
  if (typeof ref !== "string") {
    ctx.out.push({ code: CODES.invalidSchema, severity: "error", path: toPath(lp, "$ref"), message: `"$ref" must be a string like "#/$defs/Name".` });
    return;
  }
  if (!ref.startsWith("#")) {
    ctx.out.push({ code: CODES.externalRef, severity: "information", path: toPath(lp, "$ref"), message: `"$ref" to "${clip(ref)}" points outside this tool and is not checked; tools sent to a model should be self-contained (inline it or use "#/$defs/...").` });
    return;
  }
  const seen = new Set<string>();
  let cur: string = ref;
  for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
    if (seen.has(cur)) {
      ctx.out.push({ code: CODES.refCycle, severity: "error", path: toPath(lp, "$ref"), message: `"$ref" "${clip(ref)}" only leads to other $refs in a cycle and never reaches a schema: point it at a real definition.` });
      return;
    }
    seen.add(cur);
    const target = resolvePointer(ctx.root, cur);
    if (target === undefined) {
      ctx.out.push({ code: CODES.unresolvedRef, severity: "error", path: toPath(lp, "$ref"), message: `"$ref" "${clip(cur)}" does not resolve inside this tool's schema: define it (for example under "$defs") or fix the pointer.` });
      return;
    }
    if (isObj(target) && typeof target.$ref === "string" && target.$ref.startsWith("#") && Object.keys(target).length === 1) cur = target.$ref;
    else return;
  }
}

/** Resolves a local JSON pointer ("#", "#/a/b") against the tool's arguments schema. */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === "#" || ref === "#/") return root;
  if (!ref.startsWith("#/")) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    let seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    try {
      seg = decodeURIComponent(seg);
    } catch {
      // keep it as written
    }
    if (Array.isArray(cur)) {
      const i = Number(seg);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) return undefined;
      cur = cur[i];
    } else if (isObj(cur) && Object.prototype.hasOwnProperty.call(cur, seg)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

export function valueHasType(v: unknown, types: string[]): boolean {
  for (const t of types) {
    switch (t) {
      case "string": if (typeof v === "string") return true; break;
      case "number": if (typeof v === "number") return true; break;
      case "integer": if (typeof v === "number" && Number.isInteger(v)) return true; break;
      case "boolean": if (typeof v === "boolean") return true; break;
      case "null": if (v === null) return true; break;
      case "array": if (Array.isArray(v)) return true; break;
      case "object": if (isObj(v)) return true; break;
      default: return true;
    }
  }
  return false;
}

function jsonEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 32 || typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as Obj)[k], (b as Obj)[k], depth + 1));
}

const regexCache = new Map<string, boolean>();
function validRegex(p: string): boolean {
  let ok = regexCache.get(p);
  if (ok === undefined) {
    try {
      new RegExp(p, "u");
      ok = true;
    } catch {
      try {
        new RegExp(p);
        ok = true;
      } catch {
        ok = false;
      }
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(p, ok);
  }
  return ok;
}

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "string" ? "a string" : typeof v;
}

export function clip(s: string, n = 60): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
