import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, appendFileSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RolloutTable } from "../../src/rollouts/rolloutTable";
import { RolloutIndexClient } from "../../src/rollouts/indexClient";
import { syntheticStep } from "../support/syntheticRollouts";
import { explainRollout, verdictText, pairCalls } from "../../src/rollouts/explain";
import { rolloutHoverMarkdown } from "../../src/rollouts/hoverText";
import type { RolloutQuery } from "../../common/inspector/protocol";

const dir = mkdtempSync(join(tmpdir(), "rollout-table-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const q = (over: Partial<RolloutQuery> = {}): RolloutQuery => ({ filter: {}, sort: { key: "row", desc: false }, offset: 0, limit: 1000, groups: false, ...over });

function runDir(steps: number, prompts: number): string {
  const run = join(dir, `run${steps}x${prompts}`);
  mkdirSync(join(run, "rollouts"), { recursive: true });
  for (let s = 1; s <= steps; s++) {
    const lines = syntheticStep(s, 0, prompts, { zeroVarianceEvery: 4 }).map((r) => JSON.stringify(r));
    writeFileSync(join(run, "rollouts", `step-${String(s).padStart(5, "0")}.jsonl`), lines.join("\n") + "\n");
  }
  return run;
}

test("indexes a run directory: filters, sorts, groups, history and summary agree with the data", async () => {
  const run = runDir(3, 20);
  const t = new RolloutTable({ variant: "binary" });
  assert.equal(await t.addPath(run), 3);
  await t.indexAll();
  assert.equal(t.n, 3 * 20 * 5);
  const all = syntheticStep(1, 0, 20, { zeroVarianceEvery: 4 });
  const wrong = await t.query(q({ filter: { reasons: ["wrong_argument_value"], stepMin: 1, stepMax: 1 } }));
  assert.equal(wrong.total, all.filter((r) => r.details.reason === "wrong_argument_value").length);
  assert.ok(wrong.rows.every((r) => r.reason === "wrong_argument_value" && r.step === 1));
  assert.ok(wrong.rows[0].preview && wrong.rows[0].preview.includes("<think>"));
  const byReward = await t.query(q({ sort: { key: "reward", desc: true }, limit: 5 }));
  assert.ok(byReward.rows.every((r) => r.reward === 1));
  const groups = await t.query(q({ groups: true, filter: { zeroVarianceOnly: true } }));
  assert.ok(groups.total >= 3 * 5, `zero-variance groups: ${groups.total}`);
  assert.ok(groups.groups.every((g) => g.zeroVariance && g.count === 5 && new Set(g.rewards).size === 1));
  const hist = t.history("p000001");
  assert.deepEqual(
    hist.map((h) => h.step),
    [1, 2, 3],
  );
  const steps = t.stepSummaries();
  assert.equal(steps.length, 3);
  assert.equal(steps[0].count, 100);
  assert.equal(steps[0].groups, 20);
  const sum = Object.values(steps[0].reasons).reduce((a, b) => a + (b ?? 0), 0);
  assert.equal(sum, 100);
  const text = await t.query(q({ filter: { text: "SEARCH_WEB" } })); // case-insensitive, in the completion
  assert.ok(text.total > 0);
  assert.ok(text.rows.every((r) => r.reason === "wrong_name"));
  const special = await t.query(q({ filter: { text: '[{"NAME"' } })); // quotes and regexp characters
  const expectSpecial = [1, 2, 3].flatMap((s) => syntheticStep(s, 0, 20, { zeroVarianceEvery: 4 })).filter((r) => r.completion.includes('[{"name"')).length;
  assert.equal(special.total, expectSpecial);
  assert.ok(expectSpecial > 0);
  const keyOnly = await t.query(q({ filter: { text: "group_index" } })); // a JSON key, not text
  assert.equal(keyOnly.total, 0);
  const d = await t.detail(wrong.rows[0].row);
  assert.ok(d.explanation);
  assert.equal(d.explanation.agrees, true);
  assert.ok(d.explanation.pairs.some((p) => p.args.some((a) => a.status === "changed")));
  assert.ok(d.explanation.spans.some((s) => s.kind === "reasoning"));
  t.dispose();
});

test("bad lines, a truncated last line and appended lines", async () => {
  const p = join(dir, "live.rollouts.jsonl");
  const recs = syntheticStep(1, 0, 2).map((r) => JSON.stringify(r));
  writeFileSync(p, recs[0] + "\nnot json\n\n" + recs[1] + "\n" + recs[2].slice(0, 50));
  const t = new RolloutTable({ variant: "binary" });
  await t.addPath(p);
  await t.indexAll();
  assert.equal(t.n, 3); // two rollouts and one invalid line; the cut line is not a row
  assert.equal(t.invalid, 1);
  assert.equal(t.progress().partialTail, true);
  const inv = await t.query(q({ filter: { reasons: ["invalid"] } }));
  assert.equal(inv.total, 1);
  const d = await t.detail(inv.rows[0].row);
  assert.match(d.error ?? "", /line 2: not JSON/);
  let changed!: () => void;
  const grew = new Promise<void>((r) => (changed = r));
  const stop = t.follow(() => changed(), 20);
  appendFileSync(p, recs[2].slice(50) + "\n" + recs[3] + "\n");
  await grew;
  while (t.n < 5) await new Promise<void>((r) => setImmediate(r));
  stop();
  assert.equal(t.progress().partialTail, false);
  const rows = await t.query(q({ filter: { reasons: ["ok", "no_think", "wrong_argument_value", "bad_json", "no_tool_call", "wrong_name", "extra_argument"] } }));
  assert.equal(rows.total, 4);
  t.dispose();
});

test("a missing final newline still gives its last record", async () => {
  const p = join(dir, "nonl.rollouts.jsonl");
  const recs = syntheticStep(2, 0, 1).map((r) => JSON.stringify(r));
  writeFileSync(p, recs.join("\n"));
  const t = new RolloutTable({ variant: "binary" });
  await t.addPath(p);
  await t.indexAll();
  assert.equal(t.n, 5);
  assert.ok((await t.detail(4)).record);
});

test("the worker client indexes off the main thread and pages results", async () => {
  const run = runDir(2, 10);
  const c = new RolloutIndexClient(join(__dirname, "../../../dist/index.worker.js"));
  try {
    await c.open([run], "binary", false);
    const p = await c.whenIndexed();
    assert.equal(p.rows, 100);
    const r = await c.query(q({ offset: 10, limit: 10, sort: { key: "step", desc: true } }));
    assert.equal(r.total, 100);
    assert.equal(r.rows.length, 10);
    assert.equal(r.rows[0].step, 2);
    const g = await c.group(r.rows[0].row);
    assert.equal(g?.count, 5);
    const row = await c.rowOfLine(join(run, "rollouts", "step-00002.jsonl"), 7);
    assert.equal((await c.detail(row)).source.line, 7);
  } finally {
    await c.dispose();
  }
});

test("verdict and hover text", () => {
  const rec = syntheticStep(1, 0, 10).find((r) => r.details.reason === "wrong_argument_value")!;
  assert.match(verdictText(rec), /^0\.0: wrong argument value calls\[0\]\.arguments\.\S+ .+ vs .+/);
  const ok = syntheticStep(1, 0, 10).find((r) => r.details.reason === "ok")!;
  assert.equal(verdictText(ok), "1.0");
  assert.equal(pairCalls([{ name: "a", arguments: { x: 1 } }], []).length, 1);
});

test("the argument diff uses the reward's own equality: under official, 1.0 is not the ground truth's 1", () => {
  const rec = syntheticStep(1, 0, 1)[0];
  rec.completion = '<think>t</think><tool_call>[{"name": "f", "arguments": {"a": 1.0, "b": "x"}}]</tool_call>';
  rec.ground_truth = [{ name: "f", arguments: { a: 1, b: "x" } }];
  const official = explainRollout({ ...rec, reward_variant: "official" }, "official");
  assert.equal(official.rescored.reason, "wrong_argument_value");
  assert.deepEqual(official.pairs[0].args.map((d) => [d.key, d.status]), [["a", "changed"], ["b", "same"]]);
  const binary = explainRollout({ ...rec, reward_variant: "binary" }, "binary");
  assert.equal(binary.rescored.reason, "ok");
  assert.deepEqual(binary.pairs[0].args.map((d) => [d.key, d.status]), [["a", "same"], ["b", "same"]]);
});

test("hover markdown keeps model text inside code fences: no links, no HTML, no command URIs", () => {
  const evil = "<script>alert(1)</script> <img src=x onerror=alert(2)> </textarea> [click](command:workbench.action.terminal.new) ``` ```` <think>[x](https://evil.example)</think>";
  const rec = syntheticStep(1, 0, 1)[0];
  rec.completion = `<think>${evil}</think>\n<tool_call>\n[{"name": "get_weather", "arguments": {"city": ${JSON.stringify(evil)}}}]\n</tool_call>`;
  rec.prompt_id = "id`with`ticks [x](command:evil)";
  rec.details.mismatch = "calls[0].arguments.city ](command:x)";
  const md = rolloutHoverMarkdown(rec, "binary");
  // strip fenced blocks and code spans; what is left must hold no model text
  let rest = md;
  rest = rest.replace(/(`{3,})[a-z]*\n[\s\S]*?\n\1(?!`)/g, "");
  rest = rest.replace(/(`+) [^\n]*? \1(?!`)/g, "");
  assert.doesNotMatch(rest, /<|\]\(|command:|https?:/, rest);
  assert.ok(md.includes("alert(1)"), "the text is shown, as text");
});

test("following a run directory picks up a new step file", async () => {
  const run = runDir(1, 2);
  const t = new RolloutTable({ variant: "binary" });
  await t.addPath(run);
  await t.indexAll();
  assert.equal(t.n, 10);
  let changed!: () => void;
  const grew = new Promise<void>((r) => (changed = r));
  const stop = t.follow(() => {
    if (t.n === 20) changed();
  }, 20);
  writeFileSync(join(run, "rollouts", "step-00002.jsonl"), syntheticStep(2, 0, 2).map((r) => JSON.stringify(r) + "\n").join(""));
  await grew;
  stop();
  assert.deepEqual(
    t.stepSummaries().map((s) => s.step),
    [1, 2],
  );
  t.dispose();
});

const python = join(process.cwd(), ".venv", "bin", "python");
test("reads a run directory written by the Python trainer's writer", { skip: existsSync(python) ? false : "needs .venv with the tooln1 package" }, async () => {
  const run = join(dir, "pyrun");
  const script = `
import sys
from tooln1.events import RunWriter
from tooln1.rollouts import build_records, score
gt = [{"name": "get_weather", "arguments": {"city": "Paris"}}]
good = '<think>ok</think>\\n<tool_call>\\n[{"name": "get_weather", "arguments": {"city": "Paris"}}]\\n</tool_call>'
bad = '<think>ok</think>\\n<tool_call>\\n[{"name": "get_weather", "arguments": {"city": "paris"}}]\\n</tool_call>'
w = RunWriter(sys.argv[1], method="grpo", config={}, echo=False)
for step in (1, 2):
    comps = [good, bad, good, bad]
    verdicts = [score(c, gt, "binary") for c in comps]
    recs = build_records(step=step, prompts=["P0", "P0", "P1", "P1"], completions=comps, rewards=[v["reward"] for v in verdicts],
        advantages=[0.7, -0.7, 0.7, -0.7], verdicts=verdicts, ground_truths=[gt] * 4, prompt_ids=["a", "a", "b", "b"],
        num_generations=2, prompt_tokens=[3] * 4, completion_tokens=[20] * 4, variant="binary")
    w.rollouts(step, recs)
`;
  const r = spawnSync(python, ["-c", script, run], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const t = new RolloutTable({ variant: "binary" });
  await t.addPath(run);
  await t.indexAll();
  assert.equal(t.invalid, 0, t.errors.join("\n"));
  assert.equal(t.n, 8);
  const wrong = await t.query(q({ filter: { reasons: ["wrong_argument_value"] } }));
  assert.equal(wrong.total, 4);
  const d = await t.detail(wrong.rows[0].row);
  assert.equal(d.record?.prompt, "P0", "the prompt of a prompt_ref rollout is found on its group's first rollout");
  assert.equal(d.record?.tokens?.completion, 20);
  assert.equal(d.explanation?.agrees, true, "the TypeScript scorer agrees with the Python one");
  assert.deepEqual(
    t.history("a").map((h) => [h.step, h.rewards]),
    [
      [1, [1, 0]],
      [2, [1, 0]],
    ],
  );
});
