// Python-compatible JSON (src/core/pyjson.ts) against CPython's own verdicts and json.dumps output
// (test/vectors/reward/pyjson/cases.json), and the reward API around the shared vectors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PyJsonError, PyNum, cmpCodePoints, fromJs, parsePyJson, pyDumps, pyFloatRepr, pyQuote, valueKey, type PyJson } from "../../src/core/pyjson";
import { formatReward, pathKey, scoreCompletion, serializeResult } from "../../src/core/reward";

function vector(rel: string): string {
  for (const d of [resolve(__dirname, "../../../test/vectors/reward"), resolve(process.cwd(), "test/vectors/reward")]) {
    if (existsSync(resolve(d, rel))) return resolve(d, rel);
  }
  throw new Error(`${rel} not found`);
}

test("pyjson: same verdicts, positions and json.dumps(sort_keys=True) bytes as CPython", () => {
  const cases = JSON.parse(readFileSync(vector("pyjson/cases.json"), "utf8")).cases as { text: string; constants: boolean; error: [string, number] | null; dumps: string | null }[];
  assert.ok(cases.length > 600);
  for (const c of cases) {
    let got: PyJson | undefined;
    let err: [string, number] | null = null;
    try {
      got = parsePyJson(c.text, { constants: c.constants });
    } catch (e) {
      if (!(e instanceof PyJsonError)) throw e;
      err = [e.reason, e.pos];
    }
    assert.deepEqual(err, c.error, `verdict for ${JSON.stringify(c.text.slice(0, 60))}`);
    if (c.dumps !== null) assert.equal(pyDumps(got as PyJson), c.dumps, `dumps of ${JSON.stringify(c.text.slice(0, 60))}`);
  }
});

test("pyjson: int and float stay apart; values compare by value in valueKey", () => {
  const a = parsePyJson('{"a": 1, "b": 1.0, "c": 1e2, "d": -0.0, "e": 12345678901234567890}') as Map<string, PyJson>;
  assert.equal(pyDumps(a), '{"a": 1, "b": 1.0, "c": 100.0, "d": -0.0, "e": 12345678901234567890}');
  assert.equal(valueKey(a), '{"a": 1, "b": 1, "c": 100, "d": 0, "e": 12345678901234567890}');
  assert.equal((a.get("e") as PyNum).text, "12345678901234567890");
});

test("pyFloatRepr matches Python repr at the notation switches", () => {
  const cases: [number, string][] = [
    [1e16, "1e+16"], [1e15, "1000000000000000.0"], [0.0001, "0.0001"], [0.00001, "1e-05"], [1.5e-7, "1.5e-07"],
    [123.456, "123.456"], [-2.5, "-2.5"], [5e-324, "5e-324"], [1.7976931348623157e308, "1.7976931348623157e+308"], [-0, "-0.0"], [0.1 + 0.2, "0.30000000000000004"],
  ];
  for (const [x, want] of cases) assert.equal(pyFloatRepr(x), want, String(x));
});

test("pyQuote escapes like json.dumps (ensure_ascii)", () => {
  assert.equal(pyQuote('a"b\\c\n\u0001é😀\u007f'), '"a\\"b\\\\c\\n\\u0001\\u00e9\\ud83d\\ude00\\u007f"');
});

test("cmpCodePoints sorts like Python (astral after U+FFFF)", () => {
  assert.deepEqual(["😀", "\uffff", "a", "B"].sort(cmpCodePoints), ["B", "a", "\uffff", "😀"]);
  assert.ok(cmpCodePoints("\ud800", "\ue000") < 0, "a lone surrogate is its own code point");
});

test("fromJs: JavaScript values read as Python would read their JSON", () => {
  assert.equal(pyDumps(fromJs({ a: 1, b: 1.5, c: 1e21, d: [true, null] }) as PyJson), '{"a": 1, "b": 1.5, "c": 1e+21, "d": [true, null]}');
  assert.equal(fromJs(() => 1), undefined);
});

const W = '[{"name": "get_weather", "arguments": {"city": "Paris"}}]';
test("scoreCompletion: every variant, and why a rollout got 0", () => {
  const ok = `<think>t</think><tool_call>${W}</tool_call>`;
  assert.deepEqual(scoreCompletion(ok, W), { reward: 1, format_ok: true, calls_ok: true, reason: "ok" });
  const wrong = ok.replace("Paris", "Lyon");
  assert.deepEqual(scoreCompletion(wrong, W), { reward: 0, format_ok: true, calls_ok: false, reason: "wrong_argument_value", mismatch: "calls[0].arguments.city" });
  assert.equal(scoreCompletion(wrong, W, "fine-grained").reward, 0.4);
  const noThink = `<tool_call>${W}</tool_call>`;
  assert.equal(scoreCompletion(noThink, W, "no-format").reward, 1);
  assert.equal(scoreCompletion(noThink, W).reason, "no_think");
  // ground truth given as plain JavaScript objects
  assert.equal(scoreCompletion(ok, [{ name: "get_weather", arguments: { city: "Paris" } }], "official").reward, 1);
  assert.throws(() => scoreCompletion(ok, W, "bogus" as never), /unknown reward variant/);
});

test("1 vs 1.0: equal by value by default, apart in official (gt as a string keeps 1.0)", () => {
  const c = '<think>t</think><tool_call>[{"name": "f", "arguments": {"a": 1}}]</tool_call>';
  const gt = '[{"name": "f", "arguments": {"a": 1.0}}]';
  assert.equal(scoreCompletion(c, gt).reward, 1);
  assert.deepEqual(scoreCompletion(c, gt, "official"), { reward: 0, format_ok: true, calls_ok: false, reason: "wrong_argument_value", mismatch: "calls[0].arguments.a" });
});

test("serializeResult and formatReward print what Python prints", () => {
  assert.equal(formatReward(1), "1");
  assert.equal(formatReward(0), "0");
  assert.equal(formatReward(0.2 + 0.2), "0.4");
  assert.equal(formatReward(0.2 + 0.8), "1");
  assert.equal(serializeResult({ reward: 0, format_ok: true, calls_ok: false, reason: "missing_argument", mismatch: 'calls[0].arguments["città"]' }),
    '{"reward":0,"format_ok":true,"calls_ok":false,"reason":"missing_argument","mismatch":"calls[0].arguments[\\"citt\\u00e0\\"]"}');
});

test("pathKey: identifiers dotted, other keys quoted", () => {
  assert.equal(pathKey("city"), ".city");
  assert.equal(pathKey("k e y"), '["k e y"]');
  assert.equal(pathKey('a"\n'), '["a\\"\\n"]');
  assert.equal(pathKey(""), '[""]');
});
