// The file tailer under adversarial streams: split lines, invalid UTF-8, huge lines,
// truncation, a file replaced mid-run, random chunking.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileTailer, LineSplitter, type TailLine } from "../../src/node/tail";

function tmp(): { dir: string; file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tail-"));
  return { dir, file: join(dir, "events.jsonl"), done: () => rmSync(dir, { recursive: true, force: true }) };
}
const texts = (ls: TailLine[]) => ls.map((l) => l.text);

test("a partial line waits for its newline", async () => {
  const t = tmp();
  const tail = new FileTailer(t.file);
  try {
    writeFileSync(t.file, '{"a":1}\n{"b"');
    assert.deepEqual(texts(await tail.poll()), ['{"a":1}']);
    assert.deepEqual(texts(await tail.poll()), []);
    appendFileSync(t.file, ":2}\r\n");
    const ls = await tail.poll();
    assert.deepEqual(texts(ls), ['{"b":2}'], "CRLF is stripped");
    assert.equal(ls[0].offset, 8);
    assert.equal(tail.stats.offset, 17);
  } finally {
    await tail.close();
    t.done();
  }
});

test("a file that does not exist yet is waited for", async () => {
  const t = tmp();
  const tail = new FileTailer(t.file);
  try {
    assert.deepEqual(await tail.poll(), []);
    writeFileSync(t.file, "x\n");
    assert.deepEqual(texts(await tail.poll()), ["x"]);
  } finally {
    await tail.close();
    t.done();
  }
});

test("invalid UTF-8 lines are counted and skipped; a character split across writes is kept whole", async () => {
  const t = tmp();
  const tail = new FileTailer(t.file);
  const skipped: number[] = [];
  tail.onSkip = (r, off) => {
    assert.equal(r, "invalid-utf8");
    skipped.push(off);
  };
  try {
    const euro = Buffer.from("€", "utf8"); // 3 bytes
    writeFileSync(t.file, Buffer.concat([Buffer.from('{"s":"'), euro.subarray(0, 2)]));
    assert.deepEqual(await tail.poll(), []);
    appendFileSync(t.file, Buffer.concat([euro.subarray(2), Buffer.from('"}\n')]));
    appendFileSync(t.file, Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a])); // {\xff\xfe}
    appendFileSync(t.file, Buffer.from([0xc3, 0x28, 0x0a])); // overlong / bad continuation
    appendFileSync(t.file, "ok\n");
    const ls = await tail.poll();
    assert.deepEqual(texts(ls), ['{"s":"€"}', "ok"]);
    assert.equal(tail.stats.invalidUtf8, 2);
    assert.deepEqual(skipped, [12, 17]);
  } finally {
    await tail.close();
    t.done();
  }
});

test("a 10 MB line is read whole; above the limit it is skipped without being held", async () => {
  const t = tmp();
  const big = '{"x":"' + "a".repeat(10 * 1024 * 1024) + '"}';
  writeFileSync(t.file, big + "\nafter\n");
  const whole = new FileTailer(t.file);
  try {
    const ls = await whole.poll();
    assert.equal(ls.length, 2);
    assert.equal(ls[0].text.length, big.length);
    assert.equal(ls[1].text, "after");
  } finally {
    await whole.close();
  }
  const limited = new FileTailer(t.file, { maxLineBytes: 1024 * 1024, chunkBytes: 64 * 1024 });
  try {
    const ls = await limited.poll();
    assert.deepEqual(texts(ls), ["after"]);
    assert.equal(limited.stats.oversized, 1);
    assert.equal(ls[0].offset, big.length + 1);
  } finally {
    await limited.close();
    t.done();
  }
  // the splitter never holds more than the limit while skipping
  const sp = new LineSplitter({ maxLineBytes: 100 });
  const out: string[] = [];
  let skips = 0;
  for (let i = 0; i < 50; i++) {
    sp.push(Buffer.alloc(64, 0x61), (l) => out.push(l.text), () => skips++);
    assert.ok(sp.pending <= 100);
  }
  sp.push(Buffer.from("\nz\n"), (l) => out.push(l.text), () => skips++);
  assert.deepEqual(out, ["z"]);
  assert.equal(skips, 1);
});

test("truncation restarts from byte 0", async () => {
  const t = tmp();
  const tail = new FileTailer(t.file);
  try {
    writeFileSync(t.file, "one\ntwo\nthree\n");
    assert.equal((await tail.poll()).length, 3);
    truncateSync(t.file, 0);
    appendFileSync(t.file, "fresh\n");
    assert.deepEqual(texts(await tail.poll()), ["fresh"]);
    assert.equal(tail.stats.truncations, 1);
    assert.equal(tail.stats.offset, 6);
  } finally {
    await tail.close();
    t.done();
  }
});

test("a writer cutting its own unfinished last line does not replay the file", async () => {
  const t = tmp();
  const tail = new FileTailer(t.file);
  try {
    writeFileSync(t.file, "one\ntwo\nhalf-writ");
    assert.deepEqual(texts(await tail.poll()), ["one", "two"]);
    truncateSync(t.file, 8);
    appendFileSync(t.file, "three\n");
    assert.deepEqual(texts(await tail.poll()), ["three"]);
    assert.equal(tail.stats.truncations, 0);
  } finally {
    await tail.close();
    t.done();
  }
});

test("a file replaced mid-run: the old file is finished, then the new one read from the start", async () => {
  const t = tmp();
  const tail = new FileTailer(t.file);
  try {
    writeFileSync(t.file, "a1\n");
    assert.deepEqual(texts(await tail.poll()), ["a1"]);
    appendFileSync(t.file, "a2\n");
    const repl = join(t.dir, "new.jsonl");
    writeFileSync(repl, "b1\nb2\n");
    renameSync(repl, t.file);
    assert.deepEqual(texts(await tail.poll()), ["a2", "b1", "b2"]);
    assert.equal(tail.stats.replacements, 1);
    appendFileSync(t.file, "b3\n");
    assert.deepEqual(texts(await tail.poll()), ["b3"]);
  } finally {
    await tail.close();
    t.done();
  }
});

test("resuming at a byte offset reads only what follows, with true offsets", async () => {
  const t = tmp();
  writeFileSync(t.file, "aa\nbb\ncc\n");
  const tail = new FileTailer(t.file, { offset: 3 });
  try {
    const ls = await tail.poll();
    assert.deepEqual(texts(ls), ["bb", "cc"]);
    assert.deepEqual(
      ls.map((l) => l.offset),
      [3, 6],
    );
  } finally {
    await tail.close();
    t.done();
  }
});

test("random write and read chunking never changes the lines (fuzz)", async () => {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 20; round++) {
    const t = tmp();
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(JSON.stringify({ i, s: "é€😀".repeat(rnd(5)) + "x".repeat(rnd(300)) }));
    const bytes = Buffer.from(lines.join("\n") + "\n", "utf8");
    const tail = new FileTailer(t.file, { chunkBytes: 1 + rnd(97) });
    const got: string[] = [];
    try {
      writeFileSync(t.file, "");
      let pos = 0;
      while (pos < bytes.length) {
        const n = 1 + rnd(400);
        appendFileSync(t.file, bytes.subarray(pos, pos + n));
        pos += n;
        if (rnd(3) === 0) got.push(...texts(await tail.poll()));
      }
      got.push(...texts(await tail.poll()));
      assert.deepEqual(got, lines);
      assert.equal(tail.stats.invalidUtf8, 0);
    } finally {
      await tail.close();
      t.done();
    }
  }
});

test("start() delivers appended lines without being polled by hand", async () => {
  const t = tmp();
  writeFileSync(t.file, "");
  const tail = new FileTailer(t.file);
  try {
    const got = new Promise<string[]>((resolve, reject) => {
      const acc: string[] = [];
      tail.start(
        (ls) => {
          acc.push(...texts(ls));
          if (acc.length >= 2) resolve(acc);
        },
        reject,
        50,
      );
    });
    appendFileSync(t.file, "p\n");
    appendFileSync(t.file, "q\n");
    assert.deepEqual(await got, ["p", "q"]);
  } finally {
    await tail.close();
    t.done();
  }
});
