// `tooln1 score` streaming (src/cli/score.ts): one line per record, per-line errors, exit status.
// Byte equality with `python -m tooln1 score` is checked by trainer/tests/test_score_fuzz.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { parseScoreArgs, scoreStream } from "../../src/cli/score";
import type { RewardVariant } from "../../src/core/types";

async function run(input: Buffer | string, variant: RewardVariant = "binary", chunk = 7): Promise<{ out: string; bad: number; records: number }> {
  const buf = Buffer.from(input);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk)); // split mid-line and mid-character
  let out = "";
  const r = await scoreStream(Readable.from(parts), variant, async (s) => {
    out += s;
  });
  return { out, ...r };
}

const OK = JSON.stringify({ completion: '<think>t</think><tool_call>[{"name": "f", "arguments": {"a": 1}}]</tool_call>', answer: [{ name: "f", arguments: { a: 1.5 } }] });

test("one output line per record; bad lines give an error record and processing continues", async () => {
  const input = ["\ufeff" + OK, "{not json", "", JSON.stringify({ completion: 1, answer: [] }), JSON.stringify({ completion: "x" }), "[1]", OK + "\r"].join("\n");
  const r = await run(input);
  const lines = r.out.trimEnd().split("\n");
  assert.equal(lines.length, 6);
  assert.equal(r.bad, 4);
  assert.equal(lines[0], '{"reward":0,"format_ok":true,"calls_ok":false,"reason":"wrong_argument_value","mismatch":"calls[0].arguments.a"}');
  assert.equal(lines[1], `{"error":"line 2: invalid JSON at column 2: expected '\\"' to start a property name","line":2}`);
  assert.equal(lines[2], '{"error":"line 4: \\"completion\\" must be a string","line":4}');
  assert.equal(lines[3], '{"error":"line 5: missing \\"answer\\" (the ground-truth calls)","line":5}');
  assert.equal(lines[4], '{"error":"line 6: a record must be a JSON object with \\"completion\\" and \\"answer\\"","line":6}');
  assert.equal(lines[5], lines[0]);
});

test("answer as a JSON string keeps 1.0 a float (official sees 1 != 1.0)", async () => {
  const rec = JSON.stringify({ completion: '<think>t</think><tool_call>[{"name": "f", "arguments": {"a": 1}}]</tool_call>', answer: '[{"name": "f", "arguments": {"a": 1.0}}]' });
  assert.match((await run(rec, "official")).out, /"reward":0,.*wrong_argument_value/);
  assert.match((await run(rec, "binary")).out, /"reward":1,/);
  // and in a list written with 1.0 in the record itself
  const rec2 = '{"completion": "<think>t</think><tool_call>[{\\"name\\": \\"f\\", \\"arguments\\": {\\"a\\": 1}}]</tool_call>", "answer": [{"name": "f", "arguments": {"a": 1.0}}]}';
  assert.match((await run(rec2, "official")).out, /"reward":0,/);
});

test("invalid UTF-8 is a per-line error; the last line needs no newline", async () => {
  const input = Buffer.concat([Buffer.from(OK + "\n"), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from(OK)]);
  const r = await run(input, "binary", 3);
  const lines = r.out.trimEnd().split("\n");
  assert.deepEqual(lines[1], '{"error":"line 2: not valid UTF-8","line":2}');
  assert.equal(lines.length, 3);
  assert.equal(r.records, 3);
});

test("fine-grained rewards print as 0.2 / 0.4 / 0.8 / 1", async () => {
  const recs = [
    { completion: "<think>t</think>", answer: [{ name: "f", arguments: {} }] },
    { completion: '<think>t</think><tool_call>{"name": "f", "arguments": {"x": 2}}</tool_call>', answer: [{ name: "f", arguments: { x: 1 } }] },
    { completion: '<tool_call>{"name": "f", "arguments": {}}</tool_call>', answer: [{ name: "f", arguments: {} }] },
    { completion: '<think>t</think><tool_call>{"name": "f", "arguments": {}}</tool_call>', answer: [{ name: "f", arguments: {} }] },
  ];
  const r = await run(recs.map((x) => JSON.stringify(x)).join("\n"), "fine-grained");
  assert.deepEqual(r.out.trimEnd().split("\n").map((l) => l.slice(0, l.indexOf(","))), ['{"reward":0.2', '{"reward":0.4', '{"reward":0.8', '{"reward":1']);
});

test("arguments: file, stdin, --reward forms, errors", () => {
  assert.deepEqual(parseScoreArgs(["a.jsonl"]), { file: "a.jsonl", variant: "binary" });
  assert.deepEqual(parseScoreArgs(["-", "--reward", "official"]), { file: "-", variant: "official" });
  assert.deepEqual(parseScoreArgs(["--reward=no-format", "x"]), { file: "x", variant: "no-format" });
  assert.match(parseScoreArgs(["x", "--reward", "nope"]) as string, /unknown reward 'nope'/);
  assert.match(parseScoreArgs([]) as string, /missing FILE/);
  assert.equal(parseScoreArgs(["--help"]), "");
});
