import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { applyEdits as applyJsonEdits, parse as parseJsonc } from "jsonc-parser";
import type { CodeAction, Diagnostic, Position, TextEdit } from "vscode-languageserver-types";
import { ToolN1LanguageService } from "../../language-server/service";

const FIX = join(__dirname, "..", "..", "..", "test", "fixtures", "ls");
const read = (n: string) => readFileSync(join(FIX, n), "utf8");
let version = 1;
const doc = (name: string, text = read(name), languageId = name.endsWith(".jsonl") ? "tooln1-dataset" : "tooln1-tools") => TextDocument.create(`file:///fx/${name}`, languageId, version++, text);

function textAt(d: TextDocument, diag: Diagnostic): string {
  return d.getText(diag.range);
}
const msg = (d: Diagnostic): string => (typeof d.message === "string" ? d.message : d.message.value);
function codes(diags: Diagnostic[]): string[] {
  return diags.map((d) => String(d.code));
}
function find(diags: Diagnostic[], code: string, line?: number): Diagnostic {
  const d = diags.find((x) => x.code === code && (line === undefined || x.range.start.line === line));
  assert.ok(d, `expected a ${code} diagnostic${line !== undefined ? ` on line ${line}` : ""}; got ${JSON.stringify(diags.map((x) => [x.code, x.range.start.line]))}`);
  return d;
}
/** Applies LSP text edits to a document's text. */
function apply(d: TextDocument, edits: TextEdit[]): string {
  return TextDocument.applyEdits(d, edits);
}
function posOf(d: TextDocument, needle: string, line?: number, delta = 1): Position {
  const text = line === undefined ? d.getText() : d.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} not found`);
  return line === undefined ? d.positionAt(i + delta) : { line, character: i + delta };
}

test("a valid tool schema file has no problems", () => {
  const s = new ToolN1LanguageService();
  assert.deepEqual(s.validate(doc("weather.tools.json")), []);
});

test("tool schema problems: each with its code and a precise range", () => {
  const s = new ToolN1LanguageService();
  const d = doc("problems.tools.json");
  const diags = s.validate(d);
  assert.equal(textAt(d, find(diags, "illegal_tool_name")), '"get weather"');
  const ut = find(diags, "unknown_type");
  assert.equal(textAt(d, ut), '"str"');
  assert.match(msg(ut), /did you mean "string"/);
  assert.equal(textAt(d, find(diags, "enum_type_mismatch")), '"three"');
  assert.equal(textAt(d, find(diags, "default_type_mismatch")), "5");
  assert.equal(textAt(d, find(diags, "unresolved_ref")), '"#/$defs/Place"');
  assert.ok(diags.some((x) => x.code === "ref_cycle"), "a $ref cycle is reported, not followed forever");
  const req = find(diags, "required_not_in_properties");
  assert.equal(textAt(d, req), '"country"');
  assert.match(msg(req), /add it there, or remove it/);
  assert.equal(find(diags, "missing_description").severity, 4);
  assert.ok(diags.some((x) => x.code === "duplicate_name"), `duplicates: ${codes(diags)}`);
  for (const x of diags) assert.ok(msg(x).length > 10 && x.source === "tooln1");
});

test("BFCL dialect types are a dialect, not errors; dotted names are legal in BFCL", () => {
  const s = new ToolN1LanguageService();
  const diags = s.validate(doc("bfcl.tools.json"));
  assert.deepEqual(diags.filter((x) => x.severity === 1), []);
  // A BFCL tool's own types are its dialect: no diagnostic at all (hover explains them).
  assert.ok(!diags.some((x) => x.code === "bfcl_type"));
});

test("OpenAI names must not contain dots; a syntax error keeps the rest checked", () => {
  const s = new ToolN1LanguageService();
  const d = doc("x.tools.json", '[{"type":"function","function":{"name":"a.b","description":"d","parameters":{"type":"object","properties":{}}}},]\n// c\n');
  const diags = s.validate(d);
  assert.equal(textAt(d, find(diags, "illegal_tool_name")), '"a.b"');
  const d2 = doc("y.tools.json", '[{"name": "ok", "description": "d", "parameters": {"type": "object", "properties": {"a": {"type": "strin", "description": "x"}}}} "oops"]');
  const diags2 = s.validate(d2);
  find(diags2, "json_syntax");
  find(diags2, "unknown_type");
});

test("a valid dataset has no problems", () => {
  const s = new ToolN1LanguageService();
  assert.deepEqual(s.validate(doc("valid.jsonl")), []);
});

test("dataset lines: one bad line never hides the rest", () => {
  const s = new ToolN1LanguageService();
  const d = doc("problems.jsonl");
  const diags = s.validate(d);
  find(diags, "json_syntax", 1);
  const unk = find(diags, "unknown_tool", 2);
  assert.equal(textAt(d, unk), '"get_wether"');
  const miss = find(diags, "missing_required", 3);
  assert.equal(miss.severity, 1);
  const en = find(diags, "enum_violation", 3);
  assert.equal(textAt(d, en), '"kelvin"');
  assert.equal(textAt(d, find(diags, "wrong_type", 4)), '"ten"');
  find(diags, "unexpected_argument", 4);
  const dup = find(diags, "duplicate_sample_id", 5);
  assert.equal(textAt(d, dup), '"s1"');
  assert.match(msg(dup), /line 1/);
  find(diags, "sample_not_object", 6);
  assert.ok(diags.some((x) => x.range.start.line === 7 && x.severity === 1), `line 8 (bad role) has an error: ${JSON.stringify(diags.filter((x) => x.range.start.line === 7))}`);
  assert.ok(!diags.some((x) => x.range.start.line === 0 || x.range.start.line === 8 || x.range.start.line === 9), "clean and blank lines stay clean");
  // The paper's preprocessing drops calls to tools absent from the line.
  assert.ok(diags.some((x) => x.code === "paper_would_drop" && x.range.start.line === 2));
});

test("at most 1,000 diagnostics: errors first, then one summary", () => {
  const s = new ToolN1LanguageService();
  const good = read("valid.jsonl").split("\n")[0];
  const lines: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const v = JSON.parse(good);
    v.id = `x${i}`;
    if (i % 2) v.answer = [{ name: "nope", arguments: {} }];
    else v.tools[0].function.parameters.properties.city.enum = [1]; // warning? no: error + hint
    v.tools[1].function.description = "";
    lines.push(JSON.stringify(v));
  }
  const d = doc("many.jsonl", lines.join("\n"));
  const diags = s.validate(d);
  assert.equal(diags.length, 1000);
  const last = diags[diags.length - 1];
  assert.equal(last.code, "too_many_problems");
  assert.match(msg(last), /Show All Dataset Problems/);
  const sev = diags.slice(0, -1).map((x) => x.severity ?? 1);
  for (let i = 1; i < sev.length; i++) assert.ok(sev[i] >= sev[i - 1], "sorted by severity, errors first");
  assert.equal(sev[0], 1);
  assert.ok(s.allProblems(d).length > 2000, "the full report has every problem");
});

test("incremental: an edit re-checks only the lines it touched", () => {
  const s = new ToolN1LanguageService();
  const base = read("valid.jsonl").trimEnd().split("\n");
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) lines.push(base[i % base.length].replace(/"s\d"/, `"id${i}"`));
  const d = doc("inc.jsonl", lines.join("\n") + "\n");
  assert.deepEqual(s.validate(d), []);
  assert.equal(s.lastChecked(d.uri), 401);
  // Break the city argument on line 200.
  const l = 200;
  const text = lines[l];
  const at = text.lastIndexOf('"city": "');
  const change = { range: { start: { line: l, character: at }, end: { line: l, character: at + 6 } }, text: '"town"' };
  s.noteChanges(d.uri, [change]);
  TextDocument.update(d, [change], d.version + 1);
  const diags = s.validate(d);
  assert.equal(s.lastChecked(d.uri), 1);
  assert.ok(diags.some((x) => x.range.start.line === l && x.code === "unexpected_argument"), JSON.stringify(diags));
  // Insert two lines above: results shift with their lines, only the new ones are checked.
  const ins = { range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } }, text: "{}\n[]\n" };
  s.noteChanges(d.uri, [ins]);
  TextDocument.update(d, [ins], d.version + 1);
  const diags2 = s.validate(d);
  assert.ok(s.lastChecked(d.uri) <= 3);
  assert.ok(diags2.some((x) => x.range.start.line === l + 2 && x.code === "unexpected_argument"));
  assert.ok(diags2.some((x) => x.range.start.line === 11 && x.code === "sample_not_object"));
  // Full-content replacement resets.
  const full = { text: lines.slice(0, 3).join("\n") };
  s.noteChanges(d.uri, [full]);
  TextDocument.update(d, [full], d.version + 1);
  assert.deepEqual(s.validate(d), []);
});

test("hover: tool, call name and argument", () => {
  const s = new ToolN1LanguageService();
  const d = doc("valid.jsonl");
  const h1 = s.hover(d, posOf(d, '"name": "get_weather", "arguments"', 0, 10));
  assert.ok(h1 && typeof h1.contents === "object" && "value" in h1.contents);
  assert.match((h1.contents as { value: string }).value, /Current weather for a city/);
  assert.match((h1.contents as { value: string }).value, /`city`: string/);
  const h2 = s.hover(d, posOf(d, '"unit": "celsius"', 1, 2));
  assert.match((h2!.contents as { value: string }).value, /Allowed values: `"celsius"`, `"fahrenheit"`/);
  const t = doc("weather.tools.json");
  const h3 = s.hover(t, posOf(t, '"convert_currency"', undefined, 3));
  assert.match((h3!.contents as { value: string }).value, /Convert an amount between currencies/);
  const h4 = s.hover(t, posOf(t, '"amount"', undefined, 2));
  assert.match((h4!.contents as { value: string }).value, /\*\*amount\*\*: `number`/);
});

test("completion: argument names, enum values, tool names, schema keywords and types", () => {
  const s = new ToolN1LanguageService();
  const line = '{"tools": [{"type": "function", "function": {"name": "get_weather", "description": "W", "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "c"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "u"}}, "required": ["city"]}}}], "messages": [{"role": "user", "content": "hi"}], "answer": [{"name": "get_weather", "arguments": {"city": "Paris", "unit": ""}}]}';
  const d = doc("c.jsonl", line);
  const argsAt = line.indexOf('{"city": "Paris"') + 1;
  const names = s.completion(d, { line: 0, character: argsAt }).map((c) => c.label);
  assert.ok(names.includes("city") || names.includes("unit"), `argument names: ${names}`);
  const enumAt = line.indexOf('"unit": ""') + 9;
  assert.deepEqual(s.completion(d, { line: 0, character: enumAt }).map((c) => c.label), ['"celsius"', '"fahrenheit"']);
  const nameAt = line.indexOf('"name": "get_weather", "arguments"') + 10;
  assert.deepEqual(s.completion(d, { line: 0, character: nameAt }).map((c) => c.label), ["get_weather"]);
  const t = doc("weather.tools.json");
  const kw = s.completion(t, posOf(t, '"type": "object"', undefined, 2)).map((c) => c.label);
  assert.ok(kw.includes("properties") && kw.includes("required") && kw.includes("enum"), `keywords: ${kw}`);
  const ty = s.completion(t, posOf(t, '"string", "description": "City', undefined, 2)).map((c) => c.label);
  assert.ok(ty.includes("integer") && ty.includes("boolean"), `types: ${ty}`);
});

test("completion inside quotes: what the editor filters by (the text from the quote to the cursor) matches the items", () => {
  const s = new ToolN1LanguageService();
  // The editor keeps an item when its filterText (else its label) starts like the typed word.
  const shown = (d: TextDocument, pos: Position) =>
    s
      .completion(d, pos)
      .filter((c) => {
        const edit = c.textEdit && "range" in c.textEdit ? c.textEdit : undefined;
        const typed = edit ? d.getText({ start: edit.range.start, end: pos }) : "";
        return (c.filterText ?? c.label).toLowerCase().startsWith(typed.toLowerCase());
      })
      .map((c) => c.label);
  const schema = (type: string) =>
    doc("q.tools.json", `[{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {"a": {"type": ${type}}}}}}]`);
  const empty = schema('""');
  assert.ok(shown(empty, posOf(empty, '""', undefined, 1)).includes("number"), '"type": "|" offers the types');
  const mid = schema('"number"');
  const ty = shown(mid, posOf(mid, '"number"', undefined, 4));
  assert.ok(ty.includes("number") && !ty.includes("string"), `"num|ber" offers number: ${ty}`);
  const line = '{"tools": [{"name": "get_weather", "description": "W", "parameters": {"type": "object", "properties": {"unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}], "messages": [{"role": "user", "content": "hi"}], "answer": [{"name": "get_w", "arguments": {"unit": "ce"}}]}';
  const d = doc("c.jsonl", line);
  assert.deepEqual(shown(d, { line: 0, character: line.indexOf('"get_w"') + 6 }), ["get_weather"]);
  const full = line.replace('"get_w"', '"get_weather"');
  assert.deepEqual(shown(doc("c2.jsonl", full), { line: 0, character: full.indexOf('"ce"') + 3 }), ['"celsius"']);
});

test("definition, references and document symbols", () => {
  const schema = doc("weather.tools.json");
  const s = new ToolN1LanguageService({ documents: () => [schema] });
  const d = doc("valid.jsonl");
  const defs = s.definition(d, posOf(d, '"name": "convert_currency", "arguments"', 2, 10));
  assert.equal(defs.length, 1);
  assert.equal(defs[0].uri, d.uri);
  assert.equal(d.getText(defs[0].range), '"convert_currency"');
  assert.equal(defs[0].range.start.line, 2);
  // A call whose line lacks the tool: go to an open schema file.
  const lone = doc("lone.jsonl", '{"tools": [], "messages": [{"role": "user", "content": "x"}], "answer": [{"name": "get_weather", "arguments": {}}]}');
  const defs2 = s.definition(lone, posOf(lone, '"get_weather"', 0, 2));
  assert.equal(defs2[0]?.uri, schema.uri);
  assert.equal(schema.getText(defs2[0].range), '"get_weather"');
  const refs = s.references(d, posOf(d, '"name": "get_weather", "arguments"', 0, 10), false);
  assert.deepEqual(refs.map((r) => r.range.start.line).sort(), [0, 1, 3]);
  const sym = s.documentSymbols(schema);
  assert.deepEqual(sym.map((x) => x.name), ["get_weather", "convert_currency"]);
  assert.deepEqual(sym[0].children?.map((x) => x.name), ["city", "unit"]);
  assert.deepEqual(s.documentSymbols(d).map((x) => x.name), ["s1", "s2", "s3", "s4"]);
});

test("quick fixes: required, rename, type, BFCL conversion, OpenAI form", () => {
  const s = new ToolN1LanguageService();
  const d = doc("problems.tools.json");
  const diags = s.validate(d);
  const req = find(diags, "required_not_in_properties");
  const acts: CodeAction[] = s.codeActions(d, req.range, [req]);
  const add = acts.find((a) => a.title.startsWith('Add "country"'))!;
  const rm = acts.find((a) => a.title.startsWith('Remove "country"'))!;
  const added = parseJsonc(apply(d, add.edit!.changes![d.uri]));
  assert.deepEqual(added.tools[0].parameters.properties.country, { type: "string", description: "" });
  const removed = parseJsonc(apply(d, rm.edit!.changes![d.uri]));
  assert.deepEqual(removed.tools[0].parameters.required, ["city"]);
  const ut = find(diags, "unknown_type");
  const fixType = s.codeActions(d, ut.range, [ut]).find((a) => a.title.includes("string"))!;
  assert.equal(parseJsonc(apply(d, fixType.edit!.changes![d.uri])).tools[0].parameters.properties.city.type, "string");
  const dup = find(diags, "duplicate_name");
  const ren = s.codeActions(d, dup.range, [dup]).find((a) => a.title.startsWith("Rename"))!;
  const renamed = parseJsonc(apply(d, ren.edit!.changes![d.uri]));
  assert.equal(renamed.tools[2].name, "set_timer_2");
  // After the rename the duplicate is gone.
  assert.ok(!codesOf(s, "r.tools.json", apply(d, ren.edit!.changes![d.uri])).includes("duplicate_name"));

  const b = doc("bfcl.tools.json");
  const at = { start: posOf(b, '"math.factorial"'), end: posOf(b, '"math.factorial"') };
  const conv = s.codeActions(b, at, []).find((a) => a.title.includes("JSON Schema"))!;
  assert.equal(conv.kind, "refactor.rewrite");
  const converted = parseJsonc(apply(b, conv.edit!.changes![b.uri]));
  assert.equal(converted[0].parameters.type, "object");
  assert.equal(converted[0].parameters.properties.scale.type, "number");
  const toOpenAI = s.codeActions(b, { start: posOf(b, '"math.factorial"'), end: posOf(b, '"math.factorial"') }, []).find((a) => a.title.includes("OpenAI form"))!;
  const oa = parseJsonc(apply(b, toOpenAI.edit!.changes![b.uri]));
  assert.equal(oa[0].type, "function");
  assert.equal(oa[0].function.name, "math.factorial");
  assert.equal(oa[0].function.parameters.type, "object");

  // In a dataset the fix stays on its line.
  const line = '{"tools": [{"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}, "required": ["x"]}}], "messages": [{"role": "user", "content": "q"}], "answer": [{"name": "f", "arguments": {"x": 1}}]}';
  const ld = doc("fix.jsonl", line + "\n" + line);
  const ldiags = s.validate(ld);
  const lreq = find(ldiags, "required_not_in_properties", 1);
  const ladd = s.codeActions(ld, lreq.range, ldiags).find((a) => a.title.startsWith('Add "x"'))!;
  const out = apply(ld, ladd.edit!.changes![ld.uri]).split("\n");
  assert.equal(out.length, 2);
  assert.deepEqual(JSON.parse(out[1]).tools[0].parameters.properties.x, { type: "string", description: "" });
  void applyJsonEdits;
});

function codesOf(s: ToolN1LanguageService, name: string, text: string): string[] {
  return codes(s.validate(doc(name, text)));
}

test("hover: descriptions from data are text, not markdown (links, images, HTML, code fences escaped)", () => {
  const s = new ToolN1LanguageService();
  const evil = "See [docs](command:workbench.action.terminal.new) ![x](https://evil.example/p.png) <img src=x onerror=alert(1)> **bold** https://evil.example/a";
  const line = JSON.stringify({
    tools: [{ type: "function", function: { name: "f", description: evil, parameters: { type: "object", properties: { "a`b": { type: "string", description: evil, enum: ["`x`"] } }, required: [] } } }],
    messages: [{ role: "user", content: "hi" }],
    answer: [{ name: "f", arguments: { "a`b": "`x`" } }],
  });
  const d = doc("evil.jsonl", line);
  const tool = (s.hover(d, { line: 0, character: line.lastIndexOf('"name":"f"') + 8 })?.contents as { value: string }).value;
  const arg = (s.hover(d, { line: 0, character: line.lastIndexOf('"a`b"') + 2 })?.contents as { value: string }).value;
  for (const md of [tool, arg]) {
    assert.ok(!/(^|[^\\])\]\(/.test(md), `no link or image survives: ${md}`);
    assert.ok(!/(^|[^\\])</.test(md), `no raw HTML: ${md}`);
    assert.ok(!/(^|[^\\])\*\*bold/.test(md), "no emphasis from data");
    assert.ok(!/https:\/\//.test(md), "no bare URL to autolink");
    assert.ok(md.includes("See \\[docs\\]"), md);
  }
  assert.match(tool, /- ``a`b``\?: string/, "a name with a backtick stays inside its code span");
  assert.match(arg, /Allowed values: ``"`x`"``/);
});
