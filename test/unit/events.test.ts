import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { appendByStep, parseEventLine, parseRolloutLine, rewindSteps } from "../../src/core/events";
import { applyEvent, emptyRunState } from "../../src/node/runDir";
import type { TrainEvent } from "../../src/core/types";

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

// The trainer-written run directories under test/fixtures/runs must parse line by line.
function* runFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* runFiles(p);
    else if (name === "events.jsonl" || /^step-\d+\.jsonl$/.test(name)) yield p;
  }
}

test("trainer-written fixture runs parse with the TypeScript reader", () => {
  const files = [...runFiles(join(root, "test/fixtures/runs"))];
  assert.ok(files.length > 0, "test/fixtures/runs holds no trainer-written run");
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    // A run that was killed may end in an unfinished line; everything before it must parse.
    for (let i = 0; i < lines.length - 1; i++) {
      if (!lines[i].trim()) continue;
      const r = file.endsWith("events.jsonl") ? parseEventLine(lines[i]) : parseRolloutLine(lines[i]);
      assert.ok(r.ok, `${file}:${i + 1}: ${r.ok ? "" : r.error}`);
    }
  }
});

// --resume writes again the steps after its checkpoint: the reader keeps only the newest of each
// step (same vectors as trainer/tests/test_events.py).
const resume = JSON.parse(readFileSync(join(root, "test/vectors/events/resume-cases.json"), "utf8")) as {
  cases: { name: string; events: TrainEvent[]; expected: { points: [number, string, Record<string, number>][]; eval: number[]; rollouts: number[]; checkpoints: number[]; eval_metrics?: Record<string, number>[] } }[];
};
for (const c of resume.cases) {
  test(`resumed run series: ${c.name}`, () => {
    const state = emptyRunState("/run");
    for (const ev of c.events) {
      const r = parseEventLine(JSON.stringify(ev));
      assert.ok(r.ok, r.ok ? "" : r.error);
      applyEvent(state, r.event);
    }
    assert.deepEqual(
      state.points.map((p) => [p.step, p.time, p.metrics]),
      c.expected.points.map(([s, t, m]) => [s, Date.parse(t), m]),
    );
    assert.deepEqual(state.evalPoints.map((p) => p.step), c.expected.eval);
    assert.deepEqual(state.rollouts.map((p) => p.step), c.expected.rollouts);
    assert.deepEqual(state.checkpoints.map((p) => p.step), c.expected.checkpoints);
    if (c.expected.eval_metrics) assert.deepEqual(state.evalPoints.map((p) => p.metrics), c.expected.eval_metrics);
    for (const series of [state.points, state.evalPoints, state.rollouts] as { step: number; phase?: string }[][]) {
      for (let i = 1; i < series.length; i++) {
        const [a, b] = [series[i - 1], series[i]];
        assert.ok(b.step > a.step || (b.step === a.step && a.phase !== b.phase), "steps increase (equal only where a phase ends)");
      }
    }
  });
}

test("appendByStep / rewindSteps: what they remove, and the revision a consumer watches", () => {
  const xs: { step: number; v: string }[] = [];
  assert.equal(appendByStep(xs, { step: 1, v: "a" }), 0);
  assert.equal(appendByStep(xs, { step: 2, v: "b" }), 0);
  assert.equal(appendByStep(xs, { step: 3, v: "c" }), 0);
  assert.equal(appendByStep(xs, { step: 2, v: "B" }), 2); // 3 dropped, 2 replaced
  assert.deepEqual(xs, [{ step: 1, v: "a" }, { step: 2, v: "B" }]);
  assert.equal(appendByStep(xs, { step: 2, v: "+" }, (a, b) => ({ step: b.step, v: a.v + b.v })), 1);
  assert.deepEqual(xs.at(-1), { step: 2, v: "B+" });
  assert.equal(rewindSteps(xs, 1), 1);
  assert.equal(rewindSteps(xs, 5), 0);
  assert.deepEqual(xs, [{ step: 1, v: "a" }]);
  const state = emptyRunState("/run");
  applyEvent(state, { v: 1, time: "2026-11-25T15:04:05.123Z", type: "metrics", step: 3, metrics: {} });
  assert.equal(state.pointsRevision, 0);
  applyEvent(state, { v: 1, time: "2026-11-25T15:04:05.123Z", type: "resumed", step: 2, checkpoint: null });
  assert.equal(state.pointsRevision, 1);
  assert.equal(state.step, 2);
  assert.deepEqual(state.resumes, [{ step: 2, time: Date.parse("2026-11-25T15:04:05.123Z") }]);
});
