import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GroupCounter,
  detectLineFormat,
  discoverRolloutFiles,
  normalizeRollout,
  parseGroundTruth,
  readTrlParquet,
  stepFromFileName,
  type RolloutRow,
} from "../../src/node/rolloutSources";
import { syntheticStep } from "../support/syntheticRollouts";

const dir = mkdtempSync(join(tmpdir(), "rolloutsources-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const GOOD = '<think>ok</think>\n<tool_call>\n[{"name": "get_weather", "arguments": {"city": "Paris"}}]\n</tool_call>';
const WRONG = '<think>ok</think>\n<tool_call>\n[{"name": "get_weather", "arguments": {"city": "paris"}}]\n</tool_call>';
const GT = [{ name: "get_weather", arguments: { city: "Paris" } }];

test("step numbers come from our, verl's and TRL's file names", () => {
  assert.equal(stepFromFileName("/r/rollouts/step-00012.jsonl"), 12);
  assert.equal(stepFromFileName("/verl/37.jsonl"), 37);
  assert.equal(stepFromFileName("/out/completions/completions_00005.parquet"), 5);
  assert.equal(stepFromFileName("/x/foo.jsonl"), null);
});

test("ground truth in every written form", () => {
  assert.deepEqual(parseGroundTruth(GT), GT);
  assert.deepEqual(parseGroundTruth(JSON.stringify(GT)), GT);
  assert.deepEqual(parseGroundTruth(JSON.stringify(JSON.stringify(GT[0]))), GT);
  assert.deepEqual(parseGroundTruth({ name: "f", arguments: '{"a": 1}' }), [{ name: "f", arguments: { a: 1 } }]);
  assert.deepEqual(parseGroundTruth({ answer: GT }), GT);
  assert.equal(parseGroundTruth("not json"), null);
  assert.equal(parseGroundTruth([{ arguments: {} }]), null);
});

test("our rollout lines are read as written and bad ones say what is wrong", () => {
  const [rec] = syntheticStep(3, 0, 1);
  assert.equal(detectLineFormat(rec), "tooln1");
  const r = normalizeRollout(JSON.parse(JSON.stringify(rec)), { format: "tooln1", variant: "binary", fileStep: 3, groups: new GroupCounter() }) as RolloutRow;
  assert.equal(r.step, 3);
  assert.equal(r.details.reason, rec.details.reason);
  assert.equal(r.explained, undefined);
  const bad = normalizeRollout({ ...rec, details: { reason: "nope" } }, { format: "tooln1", variant: "binary", fileStep: 3, groups: new GroupCounter() });
  assert.ok("error" in bad && /details/.test(bad.error), JSON.stringify(bad));
});

test("a bare {completion, ground_truth} line is scored to explain it", () => {
  const r = normalizeRollout({ completion: WRONG, ground_truth: GT, step: 1 }, { format: "tooln1", variant: "binary", fileStep: null, groups: new GroupCounter() }) as RolloutRow;
  assert.equal(r.explained, true);
  assert.equal(r.reward, 0);
  assert.equal(r.details.reason, "wrong_argument_value");
  assert.match(r.details.mismatch ?? "", /city/);
});

test("verl rollout_data_dir lines: score kept, reason recomputed, groups numbered per prompt", () => {
  const groups = new GroupCounter();
  const ctx = { format: "verl" as const, variant: "binary" as const, fileStep: 7, groups };
  const lines = [
    { input: "<|im_start|>user\nweather in Paris<|im_end|>", output: GOOD, gts: JSON.stringify(GT), score: 1.0, step: 7 },
    { input: "<|im_start|>user\nweather in Paris<|im_end|>", output: WRONG, gts: JSON.stringify(GT), score: 0.0, step: 7 },
    { input: "other prompt", output: "no calls", gts: "{broken", score: 0, step: 7 },
  ];
  assert.equal(detectLineFormat(lines[0]), "verl");
  const rows = lines.map((l) => normalizeRollout(l, ctx) as RolloutRow);
  assert.equal(rows[0].reward, 1);
  assert.equal(rows[0].details.reason, "ok");
  assert.equal(rows[1].details.reason, "wrong_argument_value");
  assert.equal(rows[0].prompt_id, rows[1].prompt_id);
  assert.deepEqual(
    rows.map((r) => r.group_index),
    [0, 1, 0],
  );
  assert.equal(rows[2].details.reason, "bad_ground_truth");
  assert.ok(rows.every((r) => r.explained));
});

test("finds rollout files in our run directory, a verl folder and a TRL output folder", async () => {
  const run = join(dir, "run");
  mkdirSync(join(run, "rollouts"), { recursive: true });
  writeFileSync(join(run, "rollouts", "step-00002.jsonl"), "");
  writeFileSync(join(run, "rollouts", "step-00001.jsonl"), "");
  writeFileSync(join(run, "events.jsonl"), "");
  const verl = join(dir, "verl");
  mkdirSync(verl);
  writeFileSync(join(verl, "10.jsonl"), "");
  writeFileSync(join(verl, "9.jsonl"), "");
  const a = await discoverRolloutFiles(run);
  assert.deepEqual(
    a.map((f) => [f.step, f.format]),
    [
      [1, "tooln1"],
      [2, "tooln1"],
    ],
  );
  const b = await discoverRolloutFiles(verl);
  assert.deepEqual(
    b.map((f) => [f.step, f.format]),
    [
      [9, "verl"],
      [10, "verl"],
    ],
  );
  // the run folder of `tooln1 export-verl`'s scripts: verl's rollout_data_dir is RUN_DIR/rollouts
  const exported = join(dir, "verl-run");
  mkdirSync(join(exported, "rollouts"), { recursive: true });
  writeFileSync(join(exported, "rollouts", "3.jsonl"), "");
  writeFileSync(join(exported, "verl-metrics.jsonl"), "");
  assert.deepEqual((await discoverRolloutFiles(exported)).map((f) => [f.step, f.format]), [[3, "verl"]]);
});

const python = join(process.cwd(), ".venv", "bin", "python");
test("TRL completions parquet is read with hyparquet", { skip: existsSync(python) ? false : "needs .venv (pyarrow) to write the parquet file" }, async () => {
  const out = join(dir, "trl", "completions");
  mkdirSync(out, { recursive: true });
  const file = join(out, "completions_00004.parquet");
  const script = `
import pandas as pd, json, sys
gt = json.dumps([{"name": "get_weather", "arguments": {"city": "Paris"}}])
pd.DataFrame({"step": ["4"] * 3, "prompt": ["weather?", "weather?", "other"], "completion": [${JSON.stringify(GOOD)}, ${JSON.stringify(WRONG)}, "plain"],
  "reward_fn": [1.0, 0.0, 0.0], "answer": [gt, gt, gt], "advantage": [0.7, -0.7, 0.0]}).to_parquet(sys.argv[1])
`;
  const r = spawnSync(python, ["-c", script, file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const found = await discoverRolloutFiles(join(dir, "trl"));
  assert.deepEqual(
    found.map((f) => f.format),
    ["trl"],
  );
  const rows = (await readTrlParquet(file, "binary")) as RolloutRow[];
  assert.equal(rows.length, 3);
  assert.equal(rows[0].step, 4);
  assert.equal(rows[0].reward, 1);
  assert.equal(rows[0].advantage, 0.7);
  assert.equal(rows[1].details.reason, "wrong_argument_value");
  assert.equal(rows[2].details.reason, "no_think");
  assert.equal(rows[0].prompt_id, rows[1].prompt_id);
  assert.deepEqual(
    rows.map((x) => x.group_index),
    [0, 1, 0],
  );
});
