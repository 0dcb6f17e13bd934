/**
 * Editing help on tool schema files and dataset lines: hover, completion, definition, references,
 * document symbols and quick fixes. A "region" is what one position lives in: the whole schema file,
 * or the one dataset line. Everything is computed on demand from the region's text.
 */
import { getLocation, getNodeValue, findNodeAtLocation, modify, type Node, type FormattingOptions } from "jsonc-parser";
import {
  CodeActionKind, CompletionItemKind, InsertTextFormat, MarkupKind, SymbolKind,
  type CodeAction, type CompletionItem, type Diagnostic, type DocumentSymbol, type Hover, type Location, type Position, type Range, type TextEdit,
} from "vscode-languageserver-types";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Json, ToolDef } from "../../src/core/types";
import { readToolList, toJsonSchema, toOpenAITool, toolJsonSchema, xlamTypeToSchema } from "../../src/core/schema";
import type { FixData, JsonPath } from "./problems";
import { safeParseTree, rangeOfPath, nodeAtPath, JSONC_OPTIONS, STRICT_OPTIONS } from "./jsonTree";
import { lineText } from "./diagnostics";
import { toolLayout, JSON_TYPES, clip } from "./toolChecks";
import { BFCL_TYPE_MAP, bfclTypeOrigin, mapBfclTypeNames } from "./bfclTypes";

export type DocKind = "tools" | "dataset";
type Obj = { [k: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface Region {
  kind: DocKind;
  text: string;
  /** Dataset: the line number; schema files: -1. */
  line: number;
  tree: Node | undefined;
  value: unknown;
  toPos(offset: number): Position;
  toOffset(pos: Position): number;
  /** The tools of the region, with paths from the region's root. */
  tools: ToolDef[];
  /** Raw tool values by the same index as `tools`. */
  rawTools: unknown[];
}

const MAX_REGION = 8 * 1024 * 1024; // editing help on huge single lines/files is skipped, never slow

export function regionAt(doc: TextDocument, kind: DocKind, line: number): Region | undefined {
  try {
    if (kind === "tools") {
      const text = doc.getText();
      if (text.length > MAX_REGION) return undefined;
      const tree = safeParseTree(text, [], JSONC_OPTIONS);
      return finishRegion({ kind, text, line: -1, tree, value: tree ? getNodeValue(tree) : undefined, toPos: (o) => doc.positionAt(o), toOffset: (p) => doc.offsetAt(p), tools: [], rawTools: [] });
    }
    const text = lineText(doc, line);
    if (text.length > MAX_REGION) return undefined;
    const tree = safeParseTree(text, [], STRICT_OPTIONS);
    return finishRegion({ kind, text, line, tree, value: tree ? getNodeValue(tree) : undefined, toPos: (o) => ({ line, character: o }), toOffset: (p) => p.character, tools: [], rawTools: [] });
  } catch {
    return undefined;
  }
}

function finishRegion(r: Region): Region {
  let list: unknown;
  let prefix: JsonPath = [];
  if (r.kind === "dataset") {
    list = isObj(r.value) ? r.value.tools : undefined;
    prefix = ["tools"];
  } else list = r.value;
  if (!Array.isArray(list) && !(r.kind === "tools" && isObj(list))) return r;
  const rl = readToolList(list as Json);
  const arr: unknown[] = Array.isArray(list) ? list : isObj(list) && Array.isArray(list.tools) ? list.tools : [list];
  for (const t of rl.tools) {
    const last = t.path[t.path.length - 1];
    r.rawTools.push(typeof last === "number" ? arr[last] : list);
    r.tools.push({ ...t, path: [...prefix, ...t.path] });
  }
  return r;
}

const startsWith = (p: JsonPath, prefix: JsonPath): boolean => prefix.length <= p.length && prefix.every((x, i) => p[i] === x);

function toolAtPath(r: Region, path: JsonPath): { tool: ToolDef; raw: unknown; rest: JsonPath } | undefined {
  for (let i = 0; i < r.tools.length; i++) {
    const t = r.tools[i];
    if (startsWith(path, t.path)) return { tool: t, raw: r.rawTools[i], rest: path.slice(t.path.length) };
  }
  return undefined;
}

function namePathOf(r: Region, i: number): JsonPath {
  return [...r.tools[i].path, ...toolLayout(r.rawTools[i]).base, "name"];
}

function rangeOf(r: Region, path: JsonPath, key = false): Range {
  const o = rangeOfPath(r.tree, path, key);
  return { start: r.toPos(o.start), end: r.toPos(o.end) };
}

function paramSchema(tool: ToolDef, arg: string): Obj | undefined {
  try {
    const s = toolJsonSchema(tool) as Obj;
    const props = s.properties;
    const p = isObj(props) ? props[arg] : undefined;
    return isObj(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

function requiredOf(tool: ToolDef): string[] {
  try {
    const r = (toolJsonSchema(tool) as Obj).required;
    return Array.isArray(r) ? r.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

function typeText(s: Obj): string {
  const t = s.type;
  if (Array.isArray(t)) return t.join(" | ");
  if (typeof t === "string") return t === "array" && isObj(s.items) && typeof s.items.type === "string" ? `array of ${s.items.type}` : t;
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map((x) => (isObj(x) && typeof x.type === "string" ? x.type : "…")).join(" | ");
  return "any";
}

/**
 * Text from a schema or dataset placed in hover markdown: every character markdown gives a meaning
 * is escaped, so a description's links, images, HTML or emphasis show as the characters they are.
 */
export function mdText(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~&:]/g, "\\$&");
}

/** Data shown as inline code: a backtick fence longer than any run inside, on one line. */
export function mdCode(s: string): string {
  const one = s.replace(/[\r\n]+/g, " ");
  const runs = one.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = one.startsWith("`") || one.endsWith("`") || one === "" ? " " : "";
  return `${fence}${pad}${one}${pad}${fence}`;
}

function toolHover(tool: ToolDef): string {
  const lines = [`**${mdText(tool.name)}** — tool (${tool.dialect})`, ""];
  if (tool.description) lines.push(mdText(tool.description), "");
  try {
    const s = toolJsonSchema(tool) as Obj;
    const props = isObj(s.properties) ? s.properties : {};
    const req = new Set(requiredOf(tool));
    const names = Object.keys(props);
    if (names.length) {
      lines.push("Parameters:");
      for (const n of names.slice(0, 30)) {
        const p = props[n];
        const d = isObj(p) && typeof p.description === "string" ? ` — ${mdText(clip(p.description, 120))}` : "";
        lines.push(`- ${mdCode(n)}${req.has(n) ? "" : "?"}: ${mdText(isObj(p) ? typeText(p) : "any")}${d}`);
      }
    } else lines.push("Takes no arguments.");
  } catch {
    // hover shows what it can
  }
  return lines.join("\n");
}

function paramHover(tool: ToolDef, arg: string, schema: Obj | undefined): string {
  const lines = [`**${mdText(arg)}**: ${mdCode(schema ? typeText(schema) : "unknown")} — argument of ${mdCode(tool.name)}${requiredOf(tool).includes(arg) ? " (required)" : " (optional)"}`];
  if (!schema) lines.push("", `${mdCode(tool.name)} has no parameter named ${mdCode(arg)}.`);
  else {
    if (typeof schema.description === "string") lines.push("", mdText(schema.description));
    if (Array.isArray(schema.enum)) lines.push("", `Allowed values: ${schema.enum.slice(0, 30).map((v) => mdCode(JSON.stringify(v) ?? "null")).join(", ")}`);
    if ("default" in schema) lines.push("", `Default: ${mdCode(JSON.stringify(schema.default) ?? "null")}`);
  }
  return lines.join("\n");
}

/** Hover on a tool name, a call's name or an argument, or a parameter in a schema. */
export function hover(r: Region, pos: Position): Hover | null {
  const offset = r.toOffset(pos);
  const loc = getLocation(r.text, offset);
  const path = loc.path;
  const node = loc.previousNode;
  const range = node ? { start: r.toPos(node.offset), end: r.toPos(node.offset + node.length) } : undefined;
  const md = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, ...(range ? { range } : {}) });
  if (r.kind === "dataset" && path[0] === "answer" && typeof path[1] === "number") {
    const call = isObj(r.value) && Array.isArray(r.value.answer) ? r.value.answer[path[1]] : undefined;
    const name = isObj(call) ? call.name : undefined;
    const tool = typeof name === "string" ? r.tools.find((t) => t.name === name) : undefined;
    if (path[2] === "name") return tool ? md(toolHover(tool)) : typeof name === "string" ? md(`No tool named ${mdCode(name)} in this line's tools.`) : null;
    if (path[2] === "arguments" && typeof path[3] === "string" && tool) return md(paramHover(tool, path[3], paramSchema(tool, path[3])));
    return null;
  }
  const hit = toolAtPath(r, path);
  if (!hit) return null;
  const rest = hit.rest;
  const base = toolLayout(hit.raw).base;
  if (rest.length === base.length + 1 && rest[rest.length - 1] === "name") return md(toolHover(hit.tool));
  const tt = typeHover(r, hit.tool, [...hit.tool.path, ...rest]);
  if (tt) return md(tt);
  const pi = rest.lastIndexOf("properties");
  if (pi >= 0 && typeof rest[pi + 1] === "string" && rest.length <= pi + 3) {
    const arg = rest[pi + 1] as string;
    const s = nodeValue(r, [...hit.tool.path, ...rest.slice(0, pi + 2)]);
    if (pi === base.length + 1) return md(paramHover(hit.tool, arg, isObj(s) ? s : undefined));
    return isObj(s) ? md(`**${mdText(arg)}**: ${mdCode(typeText(s))}${typeof s.description === "string" ? "\n\n" + mdText(s.description) : ""}`) : null;
  }
  return null;
}

/** Hover on a `type` value: what a BFCL or xLAM type name means in JSON Schema. */
function typeHover(r: Region, tool: ToolDef, path: JsonPath): string | undefined {
  const last = path[path.length - 1];
  const isType = last === "type" || (typeof last === "number" && path[path.length - 2] === "type");
  if (!isType) return undefined;
  const v = nodeValue(r, path);
  if (typeof v !== "string") return undefined;
  if (tool.dialect === "xlam") {
    const { schema, optional } = xlamTypeToSchema(v);
    const js = Object.keys(schema).length ? mdCode(JSON.stringify(schema)) : "no constraint (calls are not checked against it)";
    return `xLAM type ${mdCode(v)}: JSON Schema ${js}${optional ? ", optional" : ""}.`;
  }
  if (tool.dialect === "bfcl" && Object.hasOwn(BFCL_TYPE_MAP, v) && !(JSON_TYPES as readonly string[]).includes(v)) {
    const any = v === "any" ? " When checking values this checker lets `any` be anything." : "";
    return `BFCL type \`${v}\` (${bfclTypeOrigin(v)}): BFCL maps it to JSON Schema \`${BFCL_TYPE_MAP[v]}\` (bfcl_eval/constants/type_mappings.py).${any}`;
  }
  return undefined;
}

function nodeValue(r: Region, path: JsonPath): unknown {
  if (!r.tree) return undefined;
  try {
    const n = findNodeAtLocation(r.tree, path);
    return n ? getNodeValue(n) : undefined;
  } catch {
    return undefined;
  }
}

const SCHEMA_KEYWORDS: [string, string][] = [
  ["type", "The JSON type: string, number, integer, boolean, object, array or null."],
  ["description", "What the value means; the model reads it."],
  ["properties", "The named members of an object."],
  ["required", "Names of properties that must be present."],
  ["enum", "The allowed values."],
  ["items", "The schema of each array element."],
  ["default", "The value used when it is omitted."],
  ["additionalProperties", "Whether (or how) members outside `properties` are allowed."],
  ["minimum", "Smallest allowed number."],
  ["maximum", "Largest allowed number."],
  ["minLength", "Shortest allowed string."],
  ["maxLength", "Longest allowed string."],
  ["minItems", "Fewest array elements."],
  ["maxItems", "Most array elements."],
  ["pattern", "A regular expression the string must match."],
  ["format", "A string format such as date-time, email, uri."],
  ["anyOf", "The value matches at least one of these schemas."],
  ["oneOf", "The value matches exactly one of these schemas."],
  ["allOf", "The value matches all of these schemas."],
  ["const", "The one allowed value."],
  ["$ref", "A reference to a definition, e.g. #/$defs/Name."],
  ["$defs", "Reusable definitions for $ref."],
  ["title", "A short title."],
  ["examples", "Example values."],
];
const MAP_KEYS = new Set(["properties", "$defs", "definitions", "patternProperties", "dependentSchemas"]);

/** Completion: argument names and enum values in a call, tool names for a call's name, schema keywords and types. */
export function completion(r: Region, pos: Position): CompletionItem[] {
  const offset = r.toOffset(pos);
  const loc = getLocation(r.text, offset);
  const path = loc.path;
  const prev = loc.previousNode;
  const replace = prev && prev.type === "string" && offset >= prev.offset && offset <= prev.offset + prev.length ? { start: r.toPos(prev.offset), end: r.toPos(prev.offset + prev.length) } : undefined;
  const item = (label: string, insert: string, kind: CompletionItemKind, detail?: string, doc?: string, snippet = false): CompletionItem => ({
    label,
    kind,
    ...(detail ? { detail } : {}),
    ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}),
    // Inside quotes the editor filters by the text from the range's start (the opening quote) to
    // the cursor, so the filter text must start with the quote too.
    ...(replace ? { textEdit: { range: replace, newText: insert }, filterText: insert } : { insertText: insert }),
    ...(snippet ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
  });
  if (r.kind === "dataset" && path[0] === "answer" && typeof path[1] === "number") {
    const call = isObj(r.value) && Array.isArray(r.value.answer) ? r.value.answer[path[1]] : undefined;
    if (path.length === 3 && path[2] === "name" && !loc.isAtPropertyKey) {
      return r.tools.map((t) => item(t.name, JSON.stringify(t.name), CompletionItemKind.Function, "tool", t.description ? mdText(t.description) : undefined));
    }
    const name = isObj(call) ? call.name : undefined;
    const tool = typeof name === "string" ? r.tools.find((t) => t.name === name) : undefined;
    if (!tool || path[2] !== "arguments") return [];
    if (path.length === 4 && loc.isAtPropertyKey) {
      const args = isObj(call) && isObj(call.arguments) ? call.arguments : {};
      const s = toolJsonSchema(tool) as Obj;
      const props = isObj(s.properties) ? s.properties : {};
      const req = new Set(requiredOf(tool));
      return Object.keys(props)
        .filter((k) => !(k in args) || (prev && prev.value === k))
        .map((k) => {
          const p = isObj(props[k]) ? (props[k] as Obj) : {};
          const it = item(k, replace ? JSON.stringify(k) : `${JSON.stringify(k)}: `, CompletionItemKind.Property, `${typeText(p)}${req.has(k) ? " (required)" : ""}`, typeof p.description === "string" ? mdText(p.description) : undefined);
          it.sortText = (req.has(k) ? "0" : "1") + k;
          return it;
        });
    }
    if (path.length === 4 && !loc.isAtPropertyKey && typeof path[3] === "string") {
      const p = paramSchema(tool, path[3]);
      if (!p) return [];
      const vals: Json[] = Array.isArray(p.enum) ? (p.enum as Json[]) : p.type === "boolean" ? [true, false] : [];
      return vals.map((v) => item(JSON.stringify(v), JSON.stringify(v), CompletionItemKind.EnumMember, `${path[3]} of ${tool.name}`));
    }
    return [];
  }
  // Inside a tool's schema?
  const hit = toolAtPath(r, path);
  if (!hit) return [];
  const base = toolLayout(hit.raw).base;
  const pk = isObj(hit.raw) && "inputSchema" in hit.raw && !("parameters" in hit.raw) ? "inputSchema" : "parameters";
  const rest = hit.rest;
  if (rest.length < base.length + 1 || rest[base.length] !== pk) return [];
  const inner = rest.slice(base.length + 1);
  if (loc.isAtPropertyKey) {
    const parentKey = inner[inner.length - 2];
    if (typeof parentKey === "string" && MAP_KEYS.has(parentKey)) return [];
    return SCHEMA_KEYWORDS.map(([k, d]) => item(k, replace ? JSON.stringify(k) : `${JSON.stringify(k)}: `, CompletionItemKind.Keyword, "JSON Schema", d));
  }
  if (inner[inner.length - 1] === "type" || (inner[inner.length - 2] === "type" && typeof inner[inner.length - 1] === "number")) {
    const types = hit.tool.dialect === "bfcl" ? [...new Set([...JSON_TYPES, ...Object.keys(BFCL_TYPE_MAP)])] : [...JSON_TYPES];
    return types.map((t) => item(t, JSON.stringify(t), CompletionItemKind.TypeParameter, "type"));
  }
  return [];
}

/** The name node of tool `name` in the region, as a Location. */
export function toolDefinitionIn(r: Region, uri: string, name: string): Location | undefined {
  const i = r.tools.findIndex((t) => t.name === name);
  return i < 0 ? undefined : { uri, range: rangeOf(r, namePathOf(r, i)) };
}

/** The call name under the cursor in a dataset line, or a tool name being defined. */
export function nameAt(r: Region, pos: Position): { name: string; isCall: boolean } | undefined {
  const loc = getLocation(r.text, r.toOffset(pos));
  const p = loc.path;
  if (r.kind === "dataset" && p[0] === "answer" && p[2] === "name" && p.length === 3) {
    const v = nodeValue(r, p);
    return typeof v === "string" ? { name: v, isCall: true } : undefined;
  }
  const hit = toolAtPath(r, p);
  if (hit && hit.rest.length === toolLayout(hit.raw).base.length + 1 && hit.rest[hit.rest.length - 1] === "name") return { name: hit.tool.name, isCall: false };
  return undefined;
}

/** Ranges of the calls named `name` in a dataset line. */
export function callRangesIn(r: Region, name: string): Range[] {
  const out: Range[] = [];
  const answer = isObj(r.value) ? r.value.answer : undefined;
  if (!Array.isArray(answer)) return out;
  answer.forEach((c, i) => {
    if (isObj(c) && c.name === name) out.push(rangeOf(r, ["answer", i, "name"]));
  });
  return out;
}

/** Document symbols of a schema file: its tools, with their parameters as children. */
export function schemaSymbols(r: Region): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  r.tools.forEach((t, i) => {
    if (!r.tree) return;
    const node = nodeAtPath(r.tree, t.path);
    const range = { start: r.toPos(node.offset), end: r.toPos(node.offset + node.length) };
    const sel = rangeOf(r, namePathOf(r, i));
    const children: DocumentSymbol[] = [];
    const pk = isObj(r.rawTools[i]) && "inputSchema" in (r.rawTools[i] as Obj) && !("parameters" in (r.rawTools[i] as Obj)) ? "inputSchema" : "parameters";
    const propsPath = [...t.path, ...toolLayout(r.rawTools[i]).base, pk, "properties"];
    const props = nodeValue(r, propsPath);
    if (isObj(props)) {
      for (const k of Object.keys(props).slice(0, 200)) {
        const pn = nodeAtPath(r.tree, [...propsPath, k]);
        const prange = { start: r.toPos((pn.parent ?? pn).offset), end: r.toPos((pn.parent ?? pn).offset + (pn.parent ?? pn).length) };
        children.push({ name: k, detail: isObj(props[k]) ? typeText(props[k] as Obj) : "", kind: SymbolKind.Property, range: prange, selectionRange: rangeOf(r, [...propsPath, k], true) });
      }
    }
    out.push({ name: t.name, detail: clip(t.description.split("\n")[0] ?? "", 80), kind: SymbolKind.Function, range, selectionRange: containRange(range, sel), children });
  });
  return out;
}

function containRange(outer: Range, inner: Range): Range {
  const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end) ? inner : outer;
}

const SCHEMA_FORMAT: FormattingOptions = { tabSize: 2, insertSpaces: true, eol: "\n" };

/** Removes an array element or property with its separating comma (jsonc-parser 3.3's removal is off by one). */
function removeEdits(r: Region, path: JsonPath): TextEdit[] {
  if (!r.tree) return [];
  let node = findNodeAtLocation(r.tree, path);
  if (!node) return [];
  if (node.parent?.type === "property") node = node.parent;
  const siblings = node.parent?.children ?? [];
  const i = siblings.indexOf(node);
  let start = node.offset;
  let end = node.offset + node.length;
  if (i > 0) start = siblings[i - 1].offset + siblings[i - 1].length;
  else if (i + 1 < siblings.length) end = siblings[i + 1].offset;
  return [{ range: { start: r.toPos(start), end: r.toPos(end) }, newText: "" }];
}

function editsFor(r: Region, path: JsonPath, value: unknown): TextEdit[] {
  if (value === undefined) return removeEdits(r, path);
  // jsonc-parser mangles array removals when it also formats: removals stay unformatted.
  const fmt = r.kind === "tools" && value !== undefined ? SCHEMA_FORMAT : undefined;
  const edits = modify(r.text, path, value, fmt ? { formattingOptions: fmt } : {});
  return edits.map((e) => ({ range: { start: r.toPos(e.offset), end: r.toPos(e.offset + e.length) }, newText: r.kind === "dataset" ? e.content.replace(/\r?\n\s*/g, " ") : e.content }));
}

/** Replaces the value at `path` with `value`, printed to fit the region (one line for datasets). */
function replaceEdit(r: Region, path: JsonPath, value: unknown): TextEdit | undefined {
  if (!r.tree) return undefined;
  const node = findNodeAtLocation(r.tree, path);
  if (!node) return undefined;
  let text: string;
  if (r.kind === "dataset") text = JSON.stringify(value);
  else {
    const start = r.toPos(node.offset);
    const lineStart = r.text.lastIndexOf("\n", node.offset - 1) + 1;
    const indent = /^\s*/.exec(r.text.slice(lineStart, node.offset))?.[0] ?? "";
    text = JSON.stringify(value, null, 2).replace(/\n/g, "\n" + indent);
    void start;
  }
  return { range: { start: r.toPos(node.offset), end: r.toPos(node.offset + node.length) }, newText: text };
}

function action(title: string, uri: string, edits: TextEdit[], diag?: Diagnostic, kind: string = CodeActionKind.QuickFix, preferred = false): CodeAction {
  return { title, kind, edit: { changes: { [uri]: edits } }, ...(diag ? { diagnostics: [diag] } : {}), ...(preferred ? { isPreferred: true } : {}) };
}

/**
 * Edits that rename tool `from` to `to` in one region: the tool definitions with that name and, in a
 * dataset line, the ground-truth calls and the assistant messages' tool calls that use it.
 */
export function renameToolEdits(r: Region, from: string, to: string): TextEdit[] {
  const out: TextEdit[] = [];
  const add = (path: JsonPath) => {
    const e = replaceEdit(r, path, to);
    if (e) out.push(e);
  };
  r.tools.forEach((t, i) => {
    if (t.name === from) add(namePathOf(r, i));
  });
  if (r.kind === "dataset" && isObj(r.value)) {
    const answer = r.value.answer;
    if (Array.isArray(answer)) answer.forEach((c, i) => isObj(c) && c.name === from && add(["answer", i, "name"]));
    const messages = r.value.messages;
    if (Array.isArray(messages)) {
      messages.forEach((m, k) => {
        if (!isObj(m)) return;
        if (Array.isArray(m.tool_calls)) {
          m.tool_calls.forEach((c, j) => {
            if (!isObj(c)) return;
            if (isObj(c.function) && c.function.name === from) add(["messages", k, "tool_calls", j, "function", "name"]);
            else if (c.name === from) add(["messages", k, "tool_calls", j, "name"]);
          });
        }
        if ((m.role === "tool" || m.role === "function") && m.name === from) add(["messages", k, "name"]);
      });
    }
  }
  return out;
}

/** Quick fixes for the diagnostics in `diags` (same region), and converting a tool to OpenAI form. */
export function codeActions(r: Region, uri: string, range: Range, diags: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diags) {
    const data = d.data as FixData | undefined;
    if (!data || typeof data !== "object" || !("fix" in data)) continue;
    try {
      if (data.fix === "required") {
        const add = editsFor(r, [...data.schemaPath, "properties", data.name], { type: "string", description: "" });
        out.push(action(`Add "${data.name}" to properties`, uri, add, d, CodeActionKind.QuickFix, true));
        const rm = editsFor(r, [...data.schemaPath, "required", data.requiredIndex], undefined);
        out.push(action(`Remove "${data.name}" from required`, uri, rm, d));
      } else if (data.fix === "dropRequired") {
        const rm = editsFor(r, [...data.schemaPath, "required", data.requiredIndex], undefined);
        out.push(action(`Remove the repeated "${data.name}" from required`, uri, rm, d, CodeActionKind.QuickFix, true));
      } else if (data.fix === "rename") {
        const e = replaceEdit(r, data.namePath, data.suggestion);
        if (e) out.push(action(`Rename to "${data.suggestion}"`, uri, [e], d, CodeActionKind.QuickFix, true));
      } else if (data.fix === "type") {
        const e = replaceEdit(r, data.typePath, data.suggestion);
        if (e) out.push(action(`Change type to "${data.suggestion}"`, uri, [e], d, CodeActionKind.QuickFix, true));
      } else if (data.fix === "moveStrict") {
        const raw = nodeValue(r, data.toolPath);
        if (!isObj(raw) || !isObj(raw.function) || !("strict" in raw)) continue;
        const { strict, ...rest } = raw;
        const e = replaceEdit(r, data.toolPath, { ...rest, function: { ...raw.function, strict } });
        if (e) out.push(action(`Move "strict" into "function"`, uri, [e], d, CodeActionKind.QuickFix, true));
      } else if (data.fix === "bfcl") {
        const i = r.tools.findIndex((t) => t.path.length === data.toolPath.length && startsWith(t.path, data.toolPath));
        if (i < 0) continue;
        const raw = r.rawTools[i] as Obj;
        const l = toolLayout(raw);
        const pk = "inputSchema" in (l.base.length ? (raw.function as Obj) : raw) && l.paramsKey === "inputSchema" ? "inputSchema" : "parameters";
        const paramsPath = [...r.tools[i].path, ...l.base, pk];
        const params = nodeValue(r, paramsPath);
        if (!isObj(params)) continue;
        const e = replaceEdit(r, paramsPath, toJsonSchema(mapBfclTypeNames(params) as Obj));
        if (e) out.push(action(`Convert "${r.tools[i].name}" from BFCL types to JSON Schema`, uri, [e], d, CodeActionKind.QuickFix, true));
      }
    } catch {
      // a fix that cannot be computed is simply not offered
    }
  }
  // Refactor: the tool under the cursor to OpenAI form (and a BFCL tool's types to JSON Schema).
  try {
    const loc = getLocation(r.text, r.toOffset(range.start));
    const hit = toolAtPath(r, loc.path);
    if (hit && hit.tool.dialect === "bfcl" && !out.some((a) => a.title.includes("from BFCL types"))) {
      const i = r.tools.indexOf(hit.tool);
      const l = toolLayout(hit.raw);
      const paramsPath = [...hit.tool.path, ...l.base, l.paramsKey];
      const params = nodeValue(r, paramsPath);
      const e = i >= 0 && isObj(params) ? replaceEdit(r, paramsPath, toJsonSchema(mapBfclTypeNames(params) as Obj)) : undefined;
      if (e) out.push(action(`Convert "${hit.tool.name}" from BFCL types to JSON Schema`, uri, [e], undefined, CodeActionKind.RefactorRewrite));
    }
    if (hit && hit.tool.dialect !== "openai") {
      const e = replaceEdit(r, hit.tool.path, toOpenAITool(hit.tool));
      if (e) out.push(action(`Convert "${hit.tool.name}" to OpenAI form`, uri, [e], undefined, CodeActionKind.RefactorRewrite));
    }
  } catch {
    // not offered
  }
  return out;
}
