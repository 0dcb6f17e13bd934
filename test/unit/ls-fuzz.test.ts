/**
 * Never crash: mutated inputs (fixed seed) from valid fixtures through the language service. Every
 * call must return, never throw, and give ranges inside the text; the fast dataset path must agree
 * with the slow one; incremental re-validation must agree with a fresh one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { ToolN1LanguageService, LineDocument } from "../../language-server/service";
import { checkDatasetLine, checkDatasetLineSlow } from "../../language-server/service/dataset";
import { checkSchemaText } from "../../language-server/service/schemaFile";
import { seededRandom as rng } from "../../src/core/random";

const FIX = join(__dirname, "..", "..", "..", "test", "fixtures", "ls");
const read = (n: string) => readFileSync(join(FIX, n), "utf8");


const PIECES = ['{', '}', '[', ']', '"', ':', ',', '\\', '\\u', '0', '-1e999', 'null', 'true', '"type"', '"dict"', '"$ref": "#"', '"$ref": "#/x"', '"required": ["zz"]', '"enum": []', "\u0000", "\ud83d", "😀", "\n", "\r", "\t", " ", '"tools": [', '"answer": [{"name": "x", "arguments": {}}]', '{"name": "a"}', "/*", "//", "NaN"];

function mutate(r: () => number, s: string): string {
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * (s.length + 1));
    const j = Math.min(s.length, i + Math.floor(r() * 12));
    switch (Math.floor(r() * 7)) {
      case 0: s = s.slice(0, i) + s.slice(j); break; // delete
      case 1: s = s.slice(0, i) + PIECES[Math.floor(r() * PIECES.length)] + s.slice(i); break; // insert
      case 2: s = s.slice(0, i) + s.slice(i, j) + s.slice(i); break; // duplicate
      case 3: s = s.slice(0, i); break; // truncate
      case 4: { // binary junk
        let junk = "";
        for (let q = 0; q < 1 + r() * 8; q++) junk += String.fromCharCode(Math.floor(r() * 0x10000));
        s = s.slice(0, i) + junk + s.slice(j);
        break;
      }
      case 5: s = s.slice(0, i) + s.slice(i, j).split("").reverse().join("") + s.slice(j); break;
      default: s = s.replace(/"(string|integer|object|number)"/, () => ['"str"', '"dict"', '"float"', '"any"', "5", "[]"][Math.floor(r() * 6)]);
    }
  }
  return s;
}

function checkRanges(problems: { start: number; end: number }[], len: number): void {
  for (const p of problems) {
    assert.ok(p.start >= 0 && p.start <= p.end && p.end <= Math.max(1, len), `range ${p.start}-${p.end} in ${len}`);
  }
}

test("10,000 mutated dataset lines: never throw, ranges inside the line, fast path == slow path", () => {
  const r = rng(20250505);
  const seeds = [...read("valid.jsonl").split("\n"), ...read("problems.jsonl").split("\n")].filter((l) => l.length);
  let withProblems = 0;
  for (let n = 0; n < 10_000; n++) {
    const line = mutate(r, seeds[n % seeds.length]).replace(/[\n\r]/g, " ");
    const fast = checkDatasetLine(line);
    const slow = checkDatasetLineSlow(line);
    assert.deepEqual(fast, slow, `fast and slow paths differ on: ${line.slice(0, 300)}`);
    checkRanges(fast.problems, line.length);
    if (fast.problems.length) withProblems++;
  }
  assert.ok(withProblems > 3000, `mutations found problems in ${withProblems} lines`);
});

test("4,000 mutated schema files and editing requests at random positions: never throw", () => {
  const r = rng(7);
  const seeds = [read("weather.tools.json"), read("problems.tools.json"), read("bfcl.tools.json")];
  const s = new ToolN1LanguageService();
  for (let n = 0; n < 4_000; n++) {
    const text = mutate(r, seeds[n % seeds.length]);
    checkRanges(checkSchemaText(text).problems, text.length);
    const d = TextDocument.create(`file:///f${n}.tools.json`, "tooln1-tools", 1, text);
    const diags = s.validate(d);
    const pos = d.positionAt(Math.floor(r() * (text.length + 1)));
    s.hover(d, pos);
    s.completion(d, pos);
    s.definition(d, pos);
    s.documentSymbols(d);
    s.codeActions(d, { start: pos, end: pos }, diags);
    for (const diag of diags) s.codeActions(d, diag.range, [diag]);
  }
});

test("rapid edits to an open dataset: incremental results equal a fresh validation", () => {
  const r = rng(99);
  const base = read("valid.jsonl") + read("problems.jsonl");
  const s = new ToolN1LanguageService();
  // The server keeps open datasets as LineDocuments: the same as a TextDocument, edited line by line.
  const d = new LineDocument("file:///inc.jsonl", "tooln1-dataset", 1, base);
  s.validate(d);
  for (let n = 0; n < 900; n++) {
    const text = d.getText();
    const a = Math.floor(r() * (text.length + 1));
    const b = Math.min(text.length, a + Math.floor(r() * 40));
    const insert = r() < 0.2 ? "\n" : r() < 0.5 ? PIECES[Math.floor(r() * PIECES.length)] : text.slice(b, b + Math.floor(r() * 30));
    const change = { range: { start: d.positionAt(a), end: d.positionAt(b) }, text: insert };
    s.noteChanges(d.uri, [change]);
    d.update([change], d.version + 1);
    // Several edits land between validations, as they do under a debounce.
    if (n % 3 !== 2) continue;
    const inc = s.validate(d);
    const fresh = new ToolN1LanguageService().validate(TextDocument.create("file:///inc.jsonl", "tooln1-dataset", 1, d.getText()));
    assert.deepEqual(inc, fresh, `after edit ${n}`);
    const pos = d.positionAt(Math.floor(r() * (d.getText().length + 1)));
    s.hover(d, pos);
    s.completion(d, pos);
    s.references(d, pos, true);
    s.codeActions(d, { start: pos, end: pos }, inc);
  }
});

test("extremes: 10,000-deep nesting, $ref cycles, binary junk, a 50 MB line", () => {
  const s = new ToolN1LanguageService();
  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  const deepObj = '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000);
  const deepTool = `{"tools": [{"name": "t", "description": "d", "parameters": ${'{"type": "object", "properties": {"a": '.repeat(10_000)}{"type": "string"}${"}}".repeat(10_000)}}], "messages": [{"role": "user", "content": "q"}], "answer": [{"name": "t", "arguments": ${'{"a": '.repeat(10_000)}"x"${"}".repeat(10_000)}}]}`;
  for (const line of [deep, deepObj, deepTool, deep.slice(0, -1), deepTool.slice(0, -3)]) {
    const res = checkDatasetLine(line);
    checkRanges(res.problems, line.length);
    assert.ok(res.problems.length > 0 || line === deepObj || line === deep, "deep input gets a verdict");
    const sd = TextDocument.create("file:///deep.tools.json", "tooln1-tools", 1, line);
    s.validate(sd);
    s.hover(sd, { line: 0, character: 5000 });
    s.completion(sd, { line: 0, character: 5000 });
    s.documentSymbols(sd);
  }
  const deepSchema = checkDatasetLine(deepTool);
  assert.ok(deepSchema.problems.some((p) => p.code === "schema_too_deep"), JSON.stringify(deepSchema.problems.map((p) => p.code)));

  const cycles = JSON.stringify([{ name: "c", description: "d", parameters: { type: "object", properties: { a: { $ref: "#/$defs/A" }, self: { $ref: "#" }, b: { $ref: "#/$defs/B" } }, $defs: { A: { $ref: "#/$defs/A" }, B: { type: "object", properties: { next: { $ref: "#/$defs/B" } } } } } }]);
  const cd = TextDocument.create("file:///cyc.tools.json", "tooln1-tools", 1, cycles);
  const cdiags = s.validate(cd);
  const cyc = cdiags.filter((x) => x.code === "ref_cycle").map((x) => cd.getText(x.range));
  assert.ok(cyc.length >= 1 && cyc.every((t) => t === '"#/$defs/A"'), `A -> A is a cycle; recursive B and # are legal: ${cyc}`);
  const line = JSON.stringify({ tools: JSON.parse(cycles), messages: [{ role: "user", content: "q" }], answer: [{ name: "c", arguments: { self: { self: { b: { next: { next: {} } } } }, a: 1 } }] });
  checkDatasetLine(line);

  const r = rng(3);
  for (let n = 0; n < 200; n++) {
    let junk = "";
    const len = Math.floor(r() * 3000);
    for (let i = 0; i < len; i++) junk += String.fromCharCode(Math.floor(r() * 256));
    const jd = TextDocument.create(`file:///junk${n}.jsonl`, "tooln1-dataset", 1, junk);
    s.validate(jd);
    s.documentSymbols(jd);
    checkSchemaText(junk);
  }

  const big = JSON.stringify({ id: "big", tools: [], messages: [{ role: "user", content: "x".repeat(50 * 1024 * 1024) }], answer: [] });
  const t0 = Date.now();
  const bres = checkDatasetLine(big);
  assert.ok(bres.problems.every((p) => p.end <= big.length));
  const bad = checkDatasetLine(big.slice(0, -2));
  assert.equal(bad.problems[0]?.code, "json_syntax");
  assert.ok(Date.now() - t0 < 30_000);
});

test("LineDocument matches TextDocument under random edits (\\n, \\r\\n and lone \\r breaks)", () => {
  const r = rng(5);
  const bits = ["a", "bc", "\n", "\r\n", "\r", "😀", "", "xyz\n"];
  for (let round = 0; round < 40; round++) {
    let text = "";
    for (let i = 0; i < 30; i++) text += bits[Math.floor(r() * bits.length)];
    const td = TextDocument.create("file:///x", "x", 1, text);
    const ld = new LineDocument("file:///x", "x", 1, text);
    for (let n = 0; n < 60; n++) {
      const len = td.getText().length;
      const a = Math.floor(r() * (len + 1));
      const b = Math.min(len, a + Math.floor(r() * 6));
      const cur = TextDocument.create("file:///x", "x", 1, td.getText());
      const change = { range: { start: cur.positionAt(a), end: cur.positionAt(b) }, text: bits[Math.floor(r() * bits.length)] + bits[Math.floor(r() * bits.length)] };
      TextDocument.update(td, [change], n + 2);
      ld.update([change], n + 2);
      assert.equal(ld.getText(), td.getText(), `round ${round} edit ${n}`);
      // Lines as a freshly opened document splits them (TextDocument's own incremental line index
      // can count a \r and a \n typed apart as two breaks; VS Code normalises EOLs so never sends that).
      const fresh = TextDocument.create("file:///x", "x", 1, td.getText());
      assert.equal(ld.lineCount, fresh.lineCount);
      for (let l = 0; l < fresh.lineCount; l++) {
        const range = { start: { line: l, character: 0 }, end: { line: l + 1, character: 0 } };
        assert.equal(ld.getText(range), fresh.getText(range));
      }
      const o = Math.floor(r() * (td.getText().length + 1));
      assert.deepEqual(ld.positionAt(o), fresh.positionAt(o));
    }
  }
});
