import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseEventLine, parseRolloutLine } from "../../src/core/events";

const root = join(__dirname, "..", "..", "..");
const doc = JSON.parse(readFileSync(join(root, "test/vectors/events/cases.json"), "utf8")) as {
  events: { name: string; line: string; ok: boolean; error?: string }[];
  rollouts: { name: string; line: string; ok: boolean; error?: string }[];
};

function expectError(got: string, want: string): void {
  if (want.endsWith(": ")) assert.ok(got.startsWith(want), `${got} should start with ${want}`);
  else assert.equal(got, want);
}

for (const c of doc.events) {
  test(`event line: ${c.name}`, () => {
    const r = parseEventLine(c.line);
    assert.equal(r.ok, c.ok, r.ok ? "parsed" : r.error);
    if (r.ok) assert.deepEqual(r.event, JSON.parse(c.line));
    else expectError(r.error, c.error ?? "");
  });
}

for (const c of doc.rollouts) {
  test(`rollout line: ${c.name}`, () => {
    const r = parseRolloutLine(c.line);
    assert.equal(r.ok, c.ok, r.ok ? "parsed" : r.error);
    if (r.ok) assert.deepEqual(r.record, JSON.parse(c.line));
    else expectError(r.error, c.error ?? "");
  });
}

// The trainer's own run directories (engineer D's fixtures), when present, must parse line by line.
function* runFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* runFiles(p);
    else if (name === "events.jsonl" || /^step-\d+\.jsonl$/.test(name)) yield p;
  }
}

test("trainer-written fixture runs parse with the TypeScript reader", () => {
  for (const file of runFiles(join(root, "test/fixtures/runs"))) {
    const lines = readFileSync(file, "utf8").split("\n");
    // A run that was killed may end in an unfinished line; everything before it must parse.
    for (let i = 0; i < lines.length - 1; i++) {
      if (!lines[i].trim()) continue;
      const r = file.endsWith("events.jsonl") ? parseEventLine(lines[i]) : parseRolloutLine(lines[i]);
      assert.ok(r.ok, `${file}:${i + 1}: ${r.ok ? "" : r.error}`);
    }
  }
});
