// Reading run directories: Tool-N1 runs (written by the real Python RunWriter when the venv is
// there), verl file-logger logs, TRL output folders with a completions parquet, garbage lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RunFollower, VerlFollower, detectRunSource, listRuns, pidAlive, readRunDir, readTrlCompletions } from "../../src/node/runDir";
import { METRICS } from "../../src/core/types";

const ROOT = resolve(__dirname, "../../..");
const PY = join(ROOT, ".venv/bin/python");
const hasPy = existsSync(PY);

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "rundir-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const ev = (o: Record<string, unknown>) => JSON.stringify({ v: 1, time: "2026-11-25T10:00:00.000Z", ...o });

test("a Tool-N1 run written by the Python RunWriter reads back: points, rollouts, status", { skip: !hasPy && "no .venv" }, async () => {
  const t = tmp();
  const run = join(t.dir, "r1");
  try {
    const script = `
import sys
from tooln1.events import RunWriter
w = RunWriter(sys.argv[1], method="grpo", config={"model": "m"}, echo=False)
w.run_started(model="m", data={"train": 10}, total_steps=3)
for s in (1, 2, 3):
    w.metrics(s, {"reward/mean": s / 4, "reward/std": 0.1, "loss": float("nan"), "reason/ok": 0.5, "reason/bad_json": 0.25}, total_steps=3)
w.rollouts(2, [{"v": 1, "step": 2, "prompt_id": "p", "group_index": 0, "completion": "<b>x</b>", "ground_truth": [], "reward": 1.0, "details": {"format_ok": True, "calls_ok": True, "reason": "ok"}}])
w.checkpoint(3, sys.argv[1] + "/checkpoints/step-3")
w.warning("careful")
w.run_finished("completed", step=3)
w.close()
`;
    execFileSync(PY, ["-c", script, run]);
    const s = await readRunDir(run);
    assert.equal(s.source, "tooln1");
    assert.equal(s.status, "completed");
    assert.equal(s.method, "grpo");
    assert.equal(s.totalSteps, 3);
    assert.equal(s.step, 3);
    assert.deepEqual(
      s.points.map((p) => p.metrics[METRICS.rewardMean]),
      [0.25, 0.5, 0.75],
    );
    assert.equal(s.points[0].metrics.loss, null, "NaN arrives as null");
    assert.equal(s.points[0].metrics["reason/bad_json"], 0.25);
    assert.deepEqual(s.rollouts, [{ step: 2, path: "rollouts/step-00002.jsonl", count: 1 }]);
    assert.deepEqual(s.checkpoints, [{ step: 3, path: "checkpoints/step-3" }]);
    assert.deepEqual(s.warnings, ["careful"]);
    assert.equal(s.garbage.count, 0);
    assert.ok(s.info && s.info.status === "completed");
  } finally {
    t.done();
  }
});

test("garbage lines are counted with their offsets, the rest is read", async () => {
  const t = tmp();
  try {
    const lines = [
      ev({ type: "run_started", run_id: "x", method: "grpo", model: "m", config: {}, data: {}, total_steps: 10 }),
      "not json at all",
      ev({ type: "metrics", step: 1, metrics: { "reward/mean": 0.1 } }),
      JSON.stringify({ v: 99, type: "metrics", time: "t", step: 2, metrics: {} }),
      ev({ type: "nonsense" }),
      "[1,2,3]",
      ev({ type: "metrics", step: 2, metrics: { "reward/mean": 0.2 } }),
    ];
    writeFileSync(join(t.dir, "events.jsonl"), lines.join("\n") + "\n" + ev({ type: "metrics", step: 3, metrics: {} }).slice(0, 20));
    appendFileSync(join(t.dir, "events.jsonl"), Buffer.from([0x0a, 0xff, 0x0a]));
    const s = await readRunDir(t.dir);
    assert.deepEqual(
      s.points.map((p) => p.step),
      [1, 2],
    );
    // 4 bad lines, the cut line (now ended by a newline) and the invalid UTF-8 one
    assert.equal(s.garbage.count, 6);
    assert.ok(s.garbage.samples.some((g) => g.offset === lines[0].length + 1 && /JSON/i.test(g.error)));
    assert.equal(s.status, "running", "no run.json, started and not finished");
  } finally {
    t.done();
  }
});

test("a verl file-logger log maps its metric names", async () => {
  const t = tmp();
  try {
    const rows = [1, 2, 3].map((step) =>
      JSON.stringify({ step, data: { "critic/score/mean": step / 10, "actor/entropy": 1.5, "actor/grad_norm": 0.3, "response_length/mean": 40 + step } }),
    );
    writeFileSync(join(t.dir, "metrics.jsonl"), rows.join("\n") + "\n{broken\n");
    assert.equal((await detectRunSource(t.dir))?.source, "verl");
    const s = await readRunDir(t.dir);
    assert.equal(s.source, "verl");
    assert.deepEqual(
      s.points.map((p) => p.metrics[METRICS.rewardMean]),
      [0.1, 0.2, 0.3],
    );
    assert.equal(s.points[2].metrics[METRICS.responseLength], 43);
    assert.equal(s.points[0].metrics[METRICS.entropy], 1.5);
    assert.equal(s.points[0].metrics[METRICS.gradNorm], 0.3);
    assert.equal(s.garbage.count, 1);
  } finally {
    t.done();
  }
});

test("a TRL output folder: trainer_state log history and the completions parquet", { skip: !hasPy && "no .venv" }, async () => {
  const t = tmp();
  try {
    const ck = join(t.dir, "checkpoint-4");
    mkdirSync(ck);
    const history = [
      { step: 2, epoch: 0.5, reward: 0.25, reward_std: 0.4, loss: 0.01, learning_rate: 1e-6, frac_reward_zero_std: 0.5, "completions/mean_length": 33 },
      { step: 4, epoch: 1.0, reward: 0.5, reward_std: 0.3, loss: 0.02, learning_rate: 1e-6, frac_reward_zero_std: 0.25, "completions/mean_length": 30 },
      { step: 4, eval_reward: 0.4, eval_loss: 0.1 },
    ];
    writeFileSync(join(ck, "trainer_state.json"), JSON.stringify({ global_step: 4, max_steps: 8, log_history: history }));
    mkdirSync(join(t.dir, "completions"));
    const script = `
import sys, pyarrow as pa, pyarrow.parquet as pq
t = pa.table({"step": [2, 2], "prompt": ["p1", "p1"], "completion": ["<think>a</think><tool_call>[]</tool_call>", "<script>x</script>"], "tooln1_reward": [1.0, 0.0], "advantage": [0.7, -0.7]})
pq.write_table(t, sys.argv[1], compression="snappy")
`;
    execFileSync(PY, ["-c", script, join(t.dir, "completions", "completions_00002.parquet")]);
    const s = await readRunDir(t.dir);
    assert.equal(s.source, "trl");
    assert.equal(s.totalSteps, 8);
    assert.deepEqual(
      s.points.map((p) => [p.step, p.metrics[METRICS.rewardMean], p.metrics[METRICS.zeroVarianceGroups], p.metrics[METRICS.responseLength]]),
      [
        [2, 0.25, 0.5, 33],
        [4, 0.5, 0.25, 30],
      ],
    );
    assert.equal(s.evalPoints.length, 1);
    assert.deepEqual(s.rollouts, [{ step: 2, path: join("completions", "completions_00002.parquet"), count: -1 }]);
    const rows = await readTrlCompletions(join(t.dir, s.rollouts[0].path));
    assert.equal(rows.length, 2);
    assert.equal(rows[1].completion, "<script>x</script>");
    assert.equal(rows[0].advantage, 0.7);
    assert.deepEqual(rows[0].rewards, { tooln1_reward: 1 });
    assert.equal(rows[0].step, 2);
  } finally {
    t.done();
  }
});

test("a folder that is not a run says what it expected", async () => {
  const t = tmp();
  try {
    writeFileSync(join(t.dir, "notes.txt"), "hello");
    await assert.rejects(readRunDir(t.dir), /not a run directory: expected run\.json/);
  } finally {
    t.done();
  }
});

test("RunFollower picks up appended events and run.json changes", async () => {
  const t = tmp();
  const f = new RunFollower(t.dir);
  try {
    const info = { v: 1, run_id: "r", pid: process.pid, status: "running", started: "2026-11-25T10:00:00.000Z", method: "grpo", config: {} };
    writeFileSync(join(t.dir, "run.json"), JSON.stringify(info));
    writeFileSync(join(t.dir, "events.jsonl"), ev({ type: "metrics", step: 1, metrics: { loss: 1 } }) + "\n");
    await f.poll();
    assert.equal(f.state.points.length, 1);
    assert.equal(f.state.status, "running");
    appendFileSync(join(t.dir, "events.jsonl"), ev({ type: "metrics", step: 2, metrics: { loss: 0.5 } }) + "\n" + ev({ type: "run_finished", status: "cancelled", step: 2 }) + "\n");
    await f.poll();
    assert.deepEqual(
      f.state.points.map((p) => p.metrics.loss),
      [1, 0.5],
    );
    assert.equal(f.state.status, "cancelled");
  } finally {
    await f.close();
    t.done();
  }
});

test("listRuns: newest first; running with a dead pid is stale", async () => {
  const t = tmp();
  try {
    const mk = (name: string, status: string, pid: number, started: string) => {
      mkdirSync(join(t.dir, name));
      writeFileSync(join(t.dir, name, "run.json"), JSON.stringify({ v: 1, run_id: name, pid, status, started, method: "grpo", config: {} }));
    };
    mk("a", "completed", 1, "2026-11-25T09:00:00Z");
    mk("b", "running", process.pid, "2026-11-25T11:00:00Z");
    mk("c", "running", 2 ** 22 + 12345, "2026-11-25T10:00:00Z");
    mkdirSync(join(t.dir, "d"));
    writeFileSync(join(t.dir, "d", "run.json"), "{half");
    mkdirSync(join(t.dir, "not-a-run"));
    const runs = await listRuns(t.dir);
    assert.deepEqual(
      runs.map((r) => [r.dir.split("/").pop(), r.stale]),
      [
        ["b", false],
        ["c", true],
        ["a", false],
        ["d", false],
      ],
    );
    assert.match(runs[3].error ?? "", /not valid JSON/);
    assert.equal(pidAlive(process.pid), true);
    assert.equal(pidAlive(-1), false);
  } finally {
    t.done();
  }
});

test("phases: taken from the events, else inferred for older sft-then-grpo runs; evaluation points are returned", async () => {
  const t = tmp();
  try {
    const started = ev({ type: "run_started", run_id: "r", method: "sft-then-grpo", model: "m", config: {}, data: {} });
    const withPhase = [
      started,
      ev({ type: "eval", step: 0, phase: "sft", metrics: { "eval/reward/mean": 0 } }),
      ev({ type: "metrics", step: 1, phase: "sft", metrics: { loss: 2 } }),
      ev({ type: "eval", step: 1, phase: "grpo", metrics: { "eval/reward/mean": 0.25 } }),
      ev({ type: "metrics", step: 2, phase: "grpo", metrics: { loss: 1, "reward/mean": 0.5 } }),
    ];
    const older = withPhase.map((l) => l.replace(/"phase":"\w+",/, ""));
    for (const [name, lines, phases] of [
      ["new", withPhase, ["sft", "grpo"]],
      ["old", older, ["sft", "sft"]], // the GRPO phase's first evaluation reads as the SFT model's
    ] as const) {
      const dir = join(t.dir, name);
      mkdirSync(dir);
      writeFileSync(join(dir, "events.jsonl"), lines.join("\n") + "\n");
      const s = await readRunDir(dir);
      assert.deepEqual(s.points.map((p) => p.phase), ["sft", "grpo"], name);
      assert.deepEqual(s.evalPoints.map((p) => p.phase), phases, name);
      assert.equal(s.garbage.count, 0);
    }
    const bad = join(t.dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "events.jsonl"), [started, ev({ type: "metrics", step: 1, phase: 3, metrics: {} })].join("\n") + "\n");
    const s = await readRunDir(bad);
    assert.equal(s.garbage.count, 1);
    assert.match(s.garbage.samples[0].error, /"phase" must be a string or null/);
  } finally {
    t.done();
  }
});

test("a verl log: points are GRPO; a step with only val/ metrics is an evaluation; elapsed_seconds gives wall time", async () => {
  const t = tmp();
  try {
    const rows = [
      { step: 1, data: { "critic/score/mean": 0.1 }, elapsed_seconds: 2 },
      { step: 2, data: { "val/reward/mean": 0.3 } },
    ].map((r) => JSON.stringify(r));
    writeFileSync(join(t.dir, "m.jsonl"), rows.join("\n") + "\n");
    const s = await readRunDir(t.dir);
    assert.deepEqual(s.points.map((p) => [p.step, p.phase, p.time]), [[1, "grpo", 2000]]);
    assert.deepEqual(s.evalPoints.map((p) => [p.step, p.metrics[METRICS.evalRewardMean]]), [[2, 0.3]]);
  } finally {
    t.done();
  }
});

test("VerlFollower: the points verl's file logger appends, each once, a partial line when complete", async () => {
  const dir = mkdtempSync(join(tmpdir(), "verl-follow-"));
  try {
    const file = join(dir, "verl-metrics.jsonl");
    writeFileSync(file, JSON.stringify({ step: 1, data: { "critic/score/mean": 0.1 } }) + "\n");
    assert.equal((await detectRunSource(dir))?.source, "verl");
    const f = new VerlFollower(dir, file);
    const first = await f.poll();
    assert.deepEqual(first.map((p) => [p.step, p.metrics[METRICS.rewardMean]]), [[1, 0.1]]);
    assert.deepEqual(await f.poll(), []);
    appendFileSync(file, JSON.stringify({ step: 2, data: { "critic/score/mean": 0.4 } }) + "\n" + '{"step": 3, "da');
    assert.deepEqual((await f.poll()).map((p) => p.step), [2]);
    appendFileSync(file, 'ta": {"critic/score/mean": 0.5}}\n');
    assert.deepEqual((await f.poll()).map((p) => [p.step, p.metrics[METRICS.rewardMean]]), [[3, 0.5]]);
    assert.equal(f.state.step, 3);
    await f.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
