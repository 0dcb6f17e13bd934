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
  assert.deepEqual(parseScoreArgs(["a.jsonl"]), { file: "a.jsonl", variant: "binary", maxLineBytes: 64 * 1024 * 1024 });
  assert.deepEqual(parseScoreArgs(["-", "--reward", "official"]), { file: "-", variant: "official", maxLineBytes: 64 * 1024 * 1024 });
  assert.deepEqual(parseScoreArgs(["--reward=no-format", "x"]), { file: "x", variant: "no-format", maxLineBytes: 64 * 1024 * 1024 });
  assert.match(parseScoreArgs(["x", "--reward", "nope"]) as string, /unknown reward 'nope'/);
  assert.match(parseScoreArgs([]) as string, /missing FILE/);
  assert.equal(parseScoreArgs(["--help"]), "");
});

test("a line over --max-line-bytes is one error record; lines at the limit are scored; the rest goes on", async () => {
  const long = JSON.stringify({ completion: "x".repeat(400), answer: [] });
  const input = [OK, long, OK].join("\n") + "\n" + "y".repeat(500); // the last, unterminated line is too long too
  for (const chunk of [3, 64, 1 << 16]) {
    let out = "";
    const r = await scoreStream(Readable.from(split(Buffer.from(input), chunk)), "binary", async (s) => void (out += s), 300);
    const lines = out.trimEnd().split("\n");
    assert.equal(lines.length, 4, out);
    assert.equal(lines[1], '{"error":"line 2: longer than 300 bytes (--max-line-bytes)","line":2}');
    assert.equal(lines[3], '{"error":"line 4: longer than 300 bytes (--max-line-bytes)","line":4}');
    assert.equal(lines[0], lines[2]);
    assert.deepEqual([r.records, r.bad], [4, 2]);
  }
  const exact = OK.length;
  let out = "";
  await scoreStream(Readable.from([Buffer.from(OK + "\n" + OK)]), "binary", async (s) => void (out += s), exact);
  assert.doesNotMatch(out, /error/, "a line of exactly the limit is scored");
  assert.equal((await scoreStream(Readable.from([Buffer.from(OK)]), "binary", async () => {}, exact - 1)).bad, 1);
});

test("a long line is joined once: bytes copied stay linear in its length", async () => {
  // 8 MB in 64 KB chunks: the old reader re-joined the carried bytes per chunk (about 500 MB copied)
  const line = Buffer.from(JSON.stringify({ completion: "x".repeat(8 << 20), answer: [] }));
  const concat = Buffer.concat;
  let copied = 0;
  Buffer.concat = ((list: readonly Uint8Array[], n?: number) => {
    const b = concat(list, n);
    copied += b.length;
    return b;
  }) as typeof Buffer.concat;
  try {
    const r = await scoreStream(Readable.from(split(line, 1 << 16)), "binary", async () => {});
    assert.equal(r.records, 1);
  } finally {
    Buffer.concat = concat;
  }
  assert.ok(copied <= 2 * line.length, `copied ${copied} bytes for a ${line.length}-byte line`);
});

test("--max-line-bytes parses in both forms and is checked", () => {
  assert.deepEqual(parseScoreArgs(["f", "--max-line-bytes", "1000"]), { file: "f", variant: "binary", maxLineBytes: 1000 });
  assert.deepEqual(parseScoreArgs(["--max-line-bytes=5", "f"]), { file: "f", variant: "binary", maxLineBytes: 5 });
  assert.equal((parseScoreArgs(["f"]) as { maxLineBytes: number }).maxLineBytes, 64 * 1024 * 1024);
  assert.equal(parseScoreArgs(["f", "--max-line-bytes", "0"]), "tooln1 score: --max-line-bytes must be a positive integer, not '0'");
  assert.equal(parseScoreArgs(["f", "--max-line-bytes", "1e3"]), "tooln1 score: --max-line-bytes must be a positive integer, not '1e3'");
  assert.equal(parseScoreArgs(["f", "--max-line-bytes"]), "tooln1 score: --max-line-bytes needs a value");
});

function split(buf: Buffer, chunk: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  return parts;
}
