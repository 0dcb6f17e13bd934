import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, appendFileSync, openSync, writeSync, closeSync, ftruncateSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonlIndex } from "../../src/node/jsonlIndex";

const dir = mkdtempSync(join(tmpdir(), "jsonlindex-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
let k = 0;
const file = (content: string | Buffer): string => {
  const p = join(dir, `f${k++}.jsonl`);
  writeFileSync(p, content);
  return p;
};

test("indexes complete lines and reads pages by offset", async () => {
  const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ i, text: "x".repeat(i % 37) }));
  const p = file(lines.join("\n") + "\n");
  const idx = new JsonlIndex(p, { chunkBytes: 777 }); // lines straddle chunk borders
  const seen: string[] = [];
  const r = await idx.update((_l, b) => seen.push(b!.toString()));
  assert.equal(r.added, 1000);
  assert.equal(idx.lineCount, 1000);
  assert.equal(idx.tailBytes, 0);
  assert.deepEqual(seen, lines);
  const page = await idx.readLines(500, 3);
  assert.deepEqual(
    page.map((l) => l.text),
    lines.slice(500, 503),
  );
  assert.equal(page[0].line, 500);
  const some = await idx.readSome([999, 0]);
  assert.deepEqual(
    some.map((l) => JSON.parse(l.text).i),
    [999, 0],
  );
});

test("a 0-byte file has no lines and no tail", async () => {
  const idx = new JsonlIndex(file(""));
  const r = await idx.update();
  assert.equal(r.added, 0);
  assert.equal(idx.lineCount, 0);
  assert.equal(await idx.readTail(), null);
  assert.deepEqual(await idx.readLines(0, 10), []);
});

test("a truncated last line is a tail, not a line, until its newline arrives", async () => {
  const p = file('{"a":1}\r\n{"a":2}\n{"a":3, "b": "cut her');
  const idx = new JsonlIndex(p);
  await idx.update();
  assert.equal(idx.lineCount, 2);
  assert.equal((await idx.readLines(0, 1))[0].text, '{"a":1}', "CRLF is stripped");
  const tail = await idx.readTail();
  assert.equal(tail?.text, '{"a":3, "b": "cut her');
  assert.equal(tail?.line, 2);
  appendFileSync(p, 'e"}\n');
  const r = await idx.update();
  assert.equal(r.added, 1);
  assert.equal(idx.tailBytes, 0);
  assert.deepEqual(JSON.parse((await idx.readLines(2, 1))[0].text), { a: 3, b: "cut here" });
});

test("follows an appended file and starts over when it shrinks", async () => {
  const p = file('{"n":0}\n');
  const idx = new JsonlIndex(p);
  await idx.update();
  const changes: { added: number; reset: boolean }[] = [];
  let wake: (() => void) | null = null;
  const stop = idx.follow(
    (r) => {
      changes.push(r);
      wake?.();
    },
    undefined,
    20,
  );
  const next = (): Promise<void> => new Promise((res) => (wake = res));
  try {
    let w = next();
    appendFileSync(p, '{"n":1}\n{"n":2}\n');
    await w;
    assert.equal(idx.lineCount, 3);
    w = next();
    writeFileSync(p, '{"m":0}\n'); // rewritten, shorter
    await w;
    assert.ok(changes.some((c) => c.reset));
    assert.equal(idx.lineCount, 1);
    assert.deepEqual(JSON.parse((await idx.readLines(0, 1))[0].text), { m: 0 });
  } finally {
    stop();
  }
});

test("a line longer than maxLineBytes is capped, never loaded whole", async () => {
  const p = file('{"a":1}\n' + "y".repeat(5000) + '\n{"a":2}\n');
  const idx = new JsonlIndex(p, { maxLineBytes: 1000, chunkBytes: 512 });
  const got: (number | null)[] = [];
  await idx.update((_l, b) => got.push(b ? b.length : null));
  assert.deepEqual(got, [7, null, 7]);
  const [l] = await idx.readLines(1, 1);
  assert.equal(l.truncated, true);
  assert.equal(l.text.length, 1000);
  assert.equal(l.bytes, 5000);
});

test("a 2 GB sparse file: offsets past 2^31 are exact", async () => {
  const p = join(dir, "sparse.jsonl");
  const fd = openSync(p, "w");
  const first = '{"at":"start"}\n';
  writeSync(fd, first, 0);
  const far = 2 ** 31 + 12345; // past the int32 range
  ftruncateSync(fd, far);
  const lastLines = '\n{"at":"far"}\n{"at":"end"}\n';
  writeSync(fd, lastLines, far);
  closeSync(fd);
  const idx = new JsonlIndex(p, { chunkBytes: 8 << 20, maxLineBytes: 1 << 20 });
  let progressCalls = 0;
  const rss0 = process.memoryUsage().rss;
  await idx.update(undefined, () => progressCalls++);
  const rss1 = process.memoryUsage().rss;
  assert.equal(idx.lineCount, 4); // start, the long run of NUL bytes, far, end
  assert.ok(progressCalls > 100, "progress is reported while scanning");
  assert.ok(rss1 - rss0 < 200 * 1048576, `memory grew by ${((rss1 - rss0) / 1048576).toFixed(0)} MB`);
  assert.equal(idx.lineStart(2), far + 1);
  const [farLine, endLine] = await idx.readLines(2, 2);
  assert.deepEqual(JSON.parse(farLine.text), { at: "far" });
  assert.deepEqual(JSON.parse(endLine.text), { at: "end" });
  const [nul] = await idx.readLines(1, 1);
  assert.equal(nul.truncated, true);
  assert.equal(nul.bytes, far - first.length);
  rmSync(p);
});
