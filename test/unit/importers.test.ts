import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { answersFromText, convertText, literal, parseFunctionString, summary, type ImportFormat } from "../../src/core/importers";
import { pyJsonDumps } from "../../src/core/template";

const root = join(__dirname, "..", "..", "..");
const base = join(root, "test/vectors/importers");
const doc = JSON.parse(readFileSync(join(base, "cases.json"), "utf8")) as {
  cases: { format: ImportFormat; input: string; answers: string | null; expected: string; dropped: Record<string, number>; bad: [number, string][]; records: number; summary: string }[];
};

for (const c of doc.cases) {
  test(`importer fixture: ${c.format} (${c.input})`, () => {
    const answers = c.answers ? answersFromText(readFileSync(join(base, c.answers), "utf8")).answers : null;
    const r = convertText(c.format, readFileSync(join(base, c.input), "utf8"), answers);
    const expected = readFileSync(join(base, c.expected), "utf8");
    assert.equal(r.lines.map((l) => l + "\n").join(""), expected);
    assert.deepEqual(r.dropped, c.dropped);
    assert.deepEqual(r.bad, c.bad);
    assert.equal(r.records, c.records);
    assert.equal(summary(r, "OUT"), c.summary);
  });
}

test("importer fixtures cover every format except canonical, and both kept and dropped samples", () => {
  const formats = new Set(doc.cases.map((c) => c.format));
  for (const f of ["tooln1-raw", "xlam", "sharegpt", "bfcl", "openai"]) assert.ok(formats.has(f as ImportFormat), f);
  assert.ok(doc.cases.every((c) => Object.keys(c.dropped).length > 0));
});

test("Python literals as Tool-N1 reads call arguments", () => {
  const show = (s: string): string => pyJsonDumps(literal(s));
  assert.equal(show("'Paris'"), '"Paris"');
  assert.equal(show('"a" \'b\''), '"ab"');
  assert.equal(show("1.0"), "1.0");
  assert.equal(show("-2e3"), "-2000.0");
  assert.equal(show("0x1F"), "31");
  assert.equal(show("1_000"), "1000");
  assert.equal(show("(1, [True, None], {'k': 'v'})"), '[1, [true, null], {"k": "v"}]');
  assert.equal(show("007"), '"007"'); // a syntax error in Python: the text, unquoted
  assert.equal(show("Paris"), '"Paris"');
  assert.equal(show("'unterminated"), '"unterminated"');
  assert.equal(show("--5"), '"--5"');
  assert.equal(show("{1, 2}"), '"{1, 2}"');
  assert.equal(show("'\\u00e9\\n\\x41'"), '"\\u00e9\\nA"');
});

test("function strings as Tool-N1 reads them", () => {
  assert.deepEqual(JSON.parse(pyJsonDumps(parseFunctionString("[Get Stock Price(symbol='AAPL'), f(a=1, b=[1, 2])]"))), [
    { name: "Get Stock Price", arguments: { symbol: "AAPL" } },
    { name: "f", arguments: { a: 1, b: [1, 2] } },
  ]);
});

test("a whole-file JSON document that is not an array is read as one record", () => {
  const r = convertText("xlam", '{\n "id": 9,\n "query": "q",\n "tools": "[{\\"name\\": \\"f\\", \\"description\\": \\"\\", \\"parameters\\": {}}]",\n "answers": "[{\\"name\\": \\"f\\", \\"arguments\\": {}}]"\n}\n');
  assert.equal(r.lines.length, 1);
  assert.deepEqual(r.bad, []);
  assert.ok(r.lines[0].startsWith('{"id":"9","tools":[{"name":"f"'));
});

test("tooln1 convert (the CLI module): writes the fixture bytes, reports, and exits 2 on unreadable lines", async () => {
  const { run } = await import("../../src/cli/convert");
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "convert-"));
  const err: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    for (const c of doc.cases) {
      err.length = 0;
      const out = join(dir, `${c.format}.jsonl`);
      const args = ["--from", c.format, join(base, c.input), out, ...(c.answers ? ["--answers", join(base, c.answers)] : [])];
      assert.equal(await run(args), c.bad.length ? 2 : 0);
      assert.equal(readFileSync(out, "utf8"), readFileSync(join(base, c.expected), "utf8"));
      assert.equal(err.join(""), c.summary.replace("-> OUT", `-> ${out}`));
    }
    assert.equal(await run(["--from", "xlam", join(dir, "missing.json"), join(dir, "o.jsonl")]), 1);
    assert.equal(await run(["--from", "nope", "a", "b"]), 2);
    assert.match(err.join(""), /unknown format 'nope'/);
  } finally {
    process.stderr.write = write;
    rmSync(dir, { recursive: true, force: true });
  }
});
