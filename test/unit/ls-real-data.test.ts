/**
 * The language server on tool files written by others (test/fixtures/real: BFCL incl. Java and
 * JavaScript, ToolACE, xLAM, Hermes, OpenAI's cookbook, six MCP servers): the false alarms the dialects
 * explain are gone, the true findings stay, and the misses (duplicate `required`, xLAM type typos,
 * min > max) are caught. The datasets among them also go through the importers and are checked as
 * Tool-N1 datasets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { readToolList } from "../../src/core/schema";
import type { Json } from "../../src/core/types";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic } from "vscode-languageserver-types";
import { ToolN1LanguageService } from "../../language-server/service";
import { BFCL_TYPE_MAP } from "../../language-server/service/bfclTypes";

const ROOT = join(__dirname, "..", "..", "..");
const REAL = join(ROOT, "test", "fixtures", "real");
const read = (n: string) => readFileSync(join(REAL, n), "utf8");
let version = 1;
const doc = (name: string, text = read(name)) => TextDocument.create(`file:///real/${name}`, name.endsWith(".jsonl") ? "tooln1-dataset" : "tooln1-tools", version++, text);
const SEV = ["", "error", "warning", "information", "hint"];

/** Alarms (hints left out) by "severity code". */
function alarms(diags: Diagnostic[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of diags) {
    if (d.severity === 4) continue;
    const k = `${SEV[d.severity ?? 1]} ${String(d.code)}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

test("the BFCL type table is the one in bfcl_eval/constants/type_mappings.py", () => {
  const py = read("bfcl/type_mappings.py");
  const dict = (name: string): Record<string, string> => {
    const m = new RegExp(`${name} = \\{([^}]*)\\}`).exec(py);
    assert.ok(m, name);
    const out: Record<string, string> = {};
    for (const e of m[1].matchAll(/"([^"]+)":\s*("?)([A-Za-z]+)\2/g)) out[e[1]] = e[3];
    return out;
  };
  const openapi = dict("GORILLA_TO_OPENAPI");
  const PY: Record<string, string> = { int: "integer", float: "number", str: "string", bool: "boolean", list: "array", set: "array", dict: "object" };
  const expected: Record<string, string> = { ...openapi };
  for (const name of ["JAVA_TYPE_CONVERSION", "JS_TYPE_CONVERSION"]) {
    for (const [k, v] of Object.entries(dict(name))) if (!(k in expected)) expected[k] = PY[v];
  }
  assert.ok(Object.keys(openapi).length >= 26);
  assert.deepEqual({ ...BFCL_TYPE_MAP }, expected);
});

test("BFCL Java and JavaScript files: their types are valid, the one empty type is still reported", () => {
  const s = new ToolN1LanguageService();
  assert.deepEqual(alarms(s.validate(doc("bfcl-simple-java.tools.json"))), {});
  const js = doc("bfcl-simple-javascript.tools.json");
  const diags = s.validate(js);
  assert.deepEqual(alarms(diags), { "error unknown_type": 1 });
  assert.equal(js.getText(diags.find((d) => d.code === "unknown_type")!.range), '""');
});

test("hover on a BFCL Java/JavaScript type says what BFCL maps it to", () => {
  const s = new ToolN1LanguageService();
  const d = doc("bfcl-simple-javascript.tools.json");
  const at = d.getText().indexOf('"type": "Boolean"') + 10;
  const h = s.hover(d, d.positionAt(at));
  const text = h && typeof h.contents === "object" && "value" in h.contents ? h.contents.value : "";
  assert.match(text, /BFCL type `Boolean` \(JavaScript\): BFCL maps it to JSON Schema `boolean`/);
  const j = doc("bfcl-simple-java.tools.json");
  const h2 = s.hover(j, j.positionAt(j.getText().indexOf('"type": "HashMap"') + 10));
  assert.match(h2 && typeof h2.contents === "object" && "value" in h2.contents ? h2.contents.value : "", /`HashMap`.*`object`/);
});

test("BFCL's `default: null` on optional parameters is not a type mismatch; on a required one it still is", () => {
  const s = new ToolN1LanguageService();
  assert.deepEqual(alarms(s.validate(doc("bfcl-live-multiple.tools.json"))), {});
  const req = JSON.stringify([{ name: "f", description: "d", parameters: { type: "dict", required: ["a"], properties: { a: { type: "string", description: "x", default: null } } } }]);
  assert.deepEqual(alarms(s.validate(doc("req.tools.json", req))), { "warning default_type_mismatch": 1 });
});

test("ToolACE: names with spaces are warnings naming the targets; `int` types are still errors", () => {
  const s = new ToolN1LanguageService();
  const diags = s.validate(doc("toolace.tools.json"));
  const a = alarms(diags);
  assert.equal(a["error illegal_tool_name"], undefined);
  assert.ok(a["warning illegal_tool_name"] >= 40, JSON.stringify(a));
  assert.equal(a["error unknown_type"], 9);
  const m = diags.find((d) => d.code === "illegal_tool_name")!.message;
  assert.match(String(m), /OpenAI's API rejects it/);
  assert.match(String(m), /MCP/);
  assert.match(String(m), /paper's reward and chat templates accept it/);
});

test("MCP (GitHub's server) and xLAM files raise nothing", () => {
  const s = new ToolN1LanguageService();
  assert.deepEqual(alarms(s.validate(doc("mcp-github.tools.json"))), {});
  assert.deepEqual(alarms(s.validate(doc("xlam.tools.json"))), {});
});

test("renaming a tool with spaces renames it everywhere in a dataset: tools, answers, assistant tool calls", () => {
  const tool = JSON.parse(read("toolace.tools.json")).find((t: { name: string }) => t.name === "Market Trends API");
  const other = { name: "Other", description: "d", parameters: { type: "dict", properties: {} } };
  const line = (i: number) =>
    JSON.stringify({
      id: `s${i}`,
      tools: [tool, other],
      messages: [
        { role: "user", content: "first" },
        { role: "assistant", content: "", tool_calls: [{ type: "function", function: { name: "Market Trends API", arguments: "{}" } }] },
        { role: "tool", name: "Market Trends API", content: "{}" },
        { role: "user", content: "trends?" },
      ],
      answer: [{ name: "Market Trends API", arguments: { trend_type: "GAINERS" } }, { name: "Other", arguments: {} }],
    });
  const text = [line(1), line(2), JSON.stringify({ id: "s3", tools: [other], messages: [{ role: "user", content: "x" }], answer: [{ name: "Other", arguments: {} }] })].join("\n");
  const s = new ToolN1LanguageService();
  const d = doc("toolace.tooln1.jsonl", text);
  const diags = s.validate(d);
  const warn = diags.filter((x) => x.code === "illegal_tool_name");
  assert.equal(warn.length, 2);
  const actions = s.codeActions(d, warn[0].range, [warn[0]]);
  const all = actions.find((a) => /everywhere/.test(a.title));
  assert.ok(all, JSON.stringify(actions.map((a) => a.title)));
  assert.match(all.title, /8 places/);
  const fixed = TextDocument.applyEdits(d, all.edit!.changes![d.uri]);
  assert.ok(!fixed.includes("Market Trends API"));
  assert.equal(fixed.split("Market_Trends_API").length - 1, 8);
  const after = s.validate(doc("fixed.tooln1.jsonl", fixed));
  assert.deepEqual(after.filter((x) => x.severity !== 4).map((x) => x.code), []);
});

test("misses: duplicate required entries, min > max pairs, xLAM type typos", () => {
  const s = new ToolN1LanguageService();
  const tools = [
    {
      name: "f", description: "d",
      parameters: {
        type: "object", required: ["a", "b", "a"],
        properties: {
          a: { type: "integer", description: "x", minimum: 10, maximum: 1 },
          b: { type: "string", description: "x", minLength: 5, maxLength: 2 },
          c: { type: "array", description: "x", items: { type: "string" }, minItems: 3, maxItems: 1 },
          d: { type: "integer", description: "x", minimum: 1, maximum: 1 },
        },
      },
    },
    {
      name: "g", description: "d",
      parameters: { n: { type: "integr", description: "count" }, m: { type: "List[strr], optional", description: "x" }, k: { type: "datetime", description: "x" }, ok: { type: "Dict[str, Any]", description: "x" }, t: { type: "Tuple[int, int]", description: "x" }, c: { type: "Callable", description: "x" } },
    },
  ];
  const d = doc("misses.tools.json", JSON.stringify(tools, null, 1));
  const diags = s.validate(d);
  assert.deepEqual(alarms(diags), { "warning duplicate_required": 1, "warning min_greater_than_max": 3, "warning unknown_type": 2, "information unknown_type": 1 });
  const dup = diags.find((x) => x.code === "duplicate_required")!;
  const fix = s.codeActions(d, dup.range, [dup]).find((a) => /repeated/.test(a.title))!;
  const fixed = JSON.parse(TextDocument.applyEdits(d, fix.edit!.changes![d.uri]));
  assert.deepEqual(fixed[0].parameters.required, ["a", "b"]);
  const typo = diags.find((x) => x.code === "unknown_type" && /integr/.test(String(x.message)))!;
  assert.match(String(typo.message), /did you mean "integer"/);
  const tfix = s.codeActions(d, typo.range, [typo]).find((a) => /Change type/.test(a.title))!;
  assert.equal(JSON.parse(TextDocument.applyEdits(d, tfix.edit!.changes![d.uri]))[1].parameters.n.type, "integer");
  const list = diags.find((x) => x.code === "unknown_type" && /strr/.test(String(x.message)))!;
  assert.match(String(list.message), /did you mean "str"/);
});

test("severity is configurable per code, in the service and in tooln1 check", () => {
  const s = new ToolN1LanguageService();
  const d = doc("toolace.tools.json");
  const a = alarms(s.validate(d, 1000, { illegal_tool_name: "off", unknown_type: "hint" }));
  assert.deepEqual(a, {});
  const all = s.allProblems(d, { illegal_tool_name: "information" });
  assert.ok(all.some((p) => p.code === "illegal_tool_name" && p.severity === "information"));
  const CLI = join(ROOT, "dist", "cli.js");
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "check", join(REAL, "toolace.tools.json"), ...args], { encoding: "utf8" });
  const plain = run();
  assert.equal(plain.status, 1, plain.stderr); // the `int` types are errors
  const relaxed = run("--severity", "unknown_type=warning,illegal_tool_name=off");
  assert.equal(relaxed.status, 0, relaxed.stderr);
  assert.ok(!relaxed.stdout.includes("illegal_tool_name"));
  assert.match(relaxed.stdout, /warning unknown_type/);
  const bad = run("--severity", "unknown_type=loud");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--severity takes CODE=LEVEL/);
});

/** Every diagnostic, hints included, by "severity code". */
function all(diags: Diagnostic[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of diags) {
    const k = `${SEV[d.severity ?? 1]} ${String(d.code)}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

// Each file: how many tools it holds, and every diagnostic it gets (the true findings, nothing else).
const TOOL_FILES: Record<string, { tools: number; expect: Record<string, number> }> = {
  "bfcl-simple-java.tools.json": { tools: 40, expect: {} },
  "bfcl-simple-javascript.tools.json": { tools: 30, expect: { "error unknown_type": 1 } },
  "bfcl-live-multiple.tools.json": { tools: 28, expect: {} },
  "toolace.tools.json": { tools: 54, expect: { "error unknown_type": 9, "warning illegal_tool_name": 48 } },
  "xlam.tools.json": { tools: 8, expect: {} },
  "hermes.tools.json": { tools: 9, expect: { "hint missing_parameter_description": 9 } },
  "openai-cookbook.tools.json": { tools: 3, expect: { "warning misplaced_strict": 1 } },
  "openai-cookbook-functions.tools.json": { tools: 14, expect: {} },
  "mcp-github.tools.json": { tools: 24, expect: {} },
  "mcp-filesystem.tools.json": { tools: 14, expect: { "hint missing_parameter_description": 18 } },
  "mcp-memory.tools.json": { tools: 9, expect: { "hint missing_parameter_description": 4 } },
  "mcp-fetch.tools.json": { tools: 1, expect: {} },
  "mcp-puppeteer.tools.json": { tools: 7, expect: {} },
  "mcp-cloudflare-radar.tools.json": { tools: 19, expect: { "hint missing_parameter_description": 7 } },
};

test("every real tool file: its tools are read and the diagnostics are exactly its true findings", () => {
  const s = new ToolN1LanguageService();
  let tools = 0;
  for (const [name, { tools: n, expect }] of Object.entries(TOOL_FILES)) {
    const text = read(name);
    assert.equal(readToolList(JSON.parse(text) as Json).tools.length, n, name);
    tools += n;
    assert.deepEqual(all(s.validate(doc(name, text))), expect, name);
  }
  assert.equal(tools, 260);
});

test("MCP, cookbook and Hermes files go through the deep checks: a typo planted in each is reported", () => {
  const s = new ToolN1LanguageService();
  for (const name of ["hermes.tools.json", "openai-cookbook.tools.json", "openai-cookbook-functions.tools.json", "mcp-filesystem.tools.json", "mcp-memory.tools.json", "mcp-fetch.tools.json", "mcp-puppeteer.tools.json", "mcp-cloudflare-radar.tools.json"]) {
    const text = read(name);
    const at = text.search(/"type": "(string|integer|number)"/);
    assert.ok(at >= 0, name);
    const bad = text.slice(0, at) + text.slice(at).replace(/"type": "(string|integer|number)"/, '"type": "strin"');
    assert.equal(alarms(s.validate(doc(name, bad)))["error unknown_type"], 1, name);
  }
});

test("the JSON Schema an MCP server sends ($schema, additionalProperties, anyOf, format, pattern, exclusiveMinimum, title) raises nothing", () => {
  const text = read("mcp-cloudflare-radar.tools.json") + read("mcp-filesystem.tools.json") + read("mcp-fetch.tools.json");
  for (const k of ["$schema", "additionalProperties", "anyOf", "format", "pattern", "exclusiveMinimum", "title"]) assert.ok(text.includes(`"${k}"`), k);
});

test("OpenAI strict mode: additionalProperties false raises nothing; \"strict\" beside \"function\" is a warning on that key", () => {
  const s = new ToolN1LanguageService();
  const text = read("openai-cookbook.tools.json");
  const cookbook = JSON.parse(text) as { strict?: boolean; function: { name: string; parameters: { additionalProperties?: boolean } } }[];
  assert.ok(cookbook.some((t) => t.strict === true && t.function.parameters.additionalProperties === false));
  const d = doc("openai-cookbook.tools.json", text);
  const w = s.validate(d).find((x) => x.code === "misplaced_strict")!;
  assert.equal(d.getText(w.range), '"strict"');
  assert.match(String(w.message), /inside "function"/);
  // Where Chat Completions reads it, nothing.
  const moved = JSON.stringify(cookbook.map(({ strict, ...t }) => (strict === undefined ? t : { ...t, function: { ...t.function, strict } })));
  assert.deepEqual(all(s.validate(doc("moved.tools.json", moved))), {});
  // The quick fix moves it there: the file then equals the moved one, and nothing is reported.
  const fix = s.codeActions(d, w.range, [w]).find((a) => a.title === 'Move "strict" into "function"');
  assert.ok(fix?.isPreferred, JSON.stringify(s.codeActions(d, w.range, [w]).map((a) => a.title)));
  const fixedText = TextDocument.applyEdits(d, fix.edit!.changes![d.uri]);
  assert.deepEqual(JSON.parse(fixedText), JSON.parse(moved));
  assert.deepEqual(all(s.validate(doc("fixed.tools.json", fixedText))), {});
  // The same inside a dataset line (the fix's path is the line's).
  const strictTool = cookbook.find((t) => t.strict !== undefined)!;
  const line = JSON.stringify({ id: "s1", tools: [strictTool], messages: [{ role: "user", content: "find shoes" }], answer: [{ name: strictTool.function.name, arguments: {} }] });
  const ld = doc("strict.tooln1.jsonl", `${JSON.stringify({ id: "s0", tools: [], messages: [{ role: "user", content: "x" }], answer: [] })}\n${line}`);
  const lw = s.validate(ld).find((x) => x.code === "misplaced_strict")!;
  assert.equal(lw.range.start.line, 1);
  const lfix = s.codeActions(ld, lw.range, [lw]).find((a) => a.title === 'Move "strict" into "function"')!;
  const fixedLine = TextDocument.applyEdits(ld, lfix.edit!.changes![ld.uri]).split("\n")[1];
  const tool = JSON.parse(fixedLine).tools[0];
  assert.equal(tool.strict, undefined);
  assert.equal(tool.function.strict, strictTool.strict);
});

const PY = process.env.TOOLN1_PYTHON ?? join(ROOT, ".venv", "bin", "python");
const CLI = join(ROOT, "dist", "cli.js");

/** A real file through `tooln1 convert` (the Python importers): the canonical lines and the report. */
function convert(from: string, input: string, answers?: string): { lines: string[]; stderr: string } {
  const out = join(mkdtempSync(join(tmpdir(), "tooln1-real-")), "out.jsonl");
  const args = [CLI, "convert", "--from", from, ...(answers ? ["--answers", join(REAL, answers)] : []), join(REAL, input), out];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, TOOLN1_PYTHON: PY, PYTHONPATH: join(ROOT, "trainer", "src") } });
  assert.equal(r.status, 0, r.stderr);
  return { lines: readFileSync(out, "utf8").split("\n").filter((l) => l), stderr: r.stderr };
}

test("the real datasets converted and checked as Tool-N1 datasets: exactly the true findings", () => {
  const s = new ToolN1LanguageService();
  const cases: [string, string, string | undefined, number, Record<string, number>][] = [
    ["bfcl", "bfcl/BFCL_v4_simple_java.json", "bfcl/possible_answer_BFCL_v4_simple_java.json", 40, {}],
    ["bfcl", "bfcl/BFCL_v4_simple_javascript.json", "bfcl/possible_answer_BFCL_v4_simple_javascript.json", 30, { "error unknown_type": 1 }],
    ["bfcl", "bfcl/BFCL_v4_live_multiple.json", "bfcl/possible_answer_BFCL_v4_live_multiple.json", 10, {}],
    ["xlam", "xlam.json", undefined, 3, {}],
    // The export cut names at the first space ("Market Trends API" called as "API"): 19 steps dropped.
    ["sharegpt", "toolace-sharegpt.json", undefined, 3, { "error unknown_type": 3, "warning illegal_tool_name": 10 }],
    // Hermes: one tool-use record kept; its extraction record's call is malformed; two JSON-mode records call nothing.
    ["sharegpt", "hermes-fc-v1.json", undefined, 1, {}],
  ];
  for (const [from, input, answers, kept, expect] of cases) {
    const { lines } = convert(from, input, answers);
    assert.equal(lines.length, kept, input);
    assert.deepEqual(alarms(s.validate(doc(`${input}.tooln1.jsonl`, lines.join("\n")))), expect, input);
  }
});

test("BFCL Java/JavaScript answers are source text: a string for any type is BFCL's form there, not elsewhere", () => {
  const s = new ToolN1LanguageService();
  const { lines } = convert("bfcl", "bfcl/BFCL_v4_simple_javascript.json", "bfcl/possible_answer_BFCL_v4_simple_javascript.json");
  const line = lines.find((l) => l.startsWith('{"id":"simple_javascript_5"'))!;
  assert.deepEqual(alarms(s.validate(doc("js5.tooln1.jsonl", line))), {});
  // Without its one JavaScript type name the tool reads as Python BFCL; the category in the id still says JavaScript.
  const plain = line.replaceAll('"type":"String"', '"type":"string"');
  assert.deepEqual(alarms(s.validate(doc("js5.tooln1.jsonl", plain))), {});
  const a = alarms(s.validate(doc("py5.tooln1.jsonl", plain.replace('"id":"simple_javascript_5"', '"id":"simple_5"'))));
  assert.deepEqual(a, { "error wrong_type": 2 });
  // A Java type name in the tool says Java whatever the id; a non-string value is still checked.
  const java = JSON.stringify({ id: "x", tools: [{ name: "f", description: "d", parameters: { type: "dict", properties: { n: { type: "long", description: "n" }, m: { type: "dict", description: "m" } }, required: ["n"] } }], messages: [{ role: "user", content: "q" }], answer: [{ name: "f", arguments: { n: "42L", m: 3 } }] });
  assert.deepEqual(alarms(s.validate(doc("java.tooln1.jsonl", java))), { "error wrong_type": 1 });
});
