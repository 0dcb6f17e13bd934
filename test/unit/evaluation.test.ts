// BFCL evaluations on disk, the Table 2 row, the results view's protocol, and the evaluation
// process (progress, completion, cancel) with a stand-in interpreter that behaves like the trainer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  BFCL_CATEGORIES,
  EvalProcess,
  TABLE2_COLUMNS,
  categoryOf,
  evalArgs,
  listEvaluations,
  newEvaluationDir,
  parseProgress,
  readFailures,
  table2Row,
  type BfclScores,
} from "../../src/evaluation/bfcl";
import { isWebviewMessage } from "../../common/evaluation/protocol";
import { webviewHtml } from "../../src/webviewHtml";

const SCORES: BfclScores = {
  categories: {
    simple_python: { accuracy: 0.5, correct: 1, total: 2 },
    live_simple: { accuracy: 1, correct: 2, total: 2 },
    irrelevance: { accuracy: 0, correct: 0, total: 2 },
  },
  overall: 0.25,
  summary: { non_live: 0.125, live: 1, irrelevance: null },
  checkpoint: "/w/runs/r1/checkpoints/checkpoint-40",
};

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "tooln1-eval-"));
}

test("the trainer's argument list, never a shell string", () => {
  assert.deepEqual(evalArgs({ model: "/m dir", categories: ["simple_python", "irrelevance"], limit: 5, outDir: "/o", maxNewTokens: 64 }), [
    "-m", "tooln1", "eval", "bfcl", "--checkpoint", "/m dir", "--categories", "simple_python,irrelevance", "--out", "/o", "--json", "--limit", "5", "--max-new-tokens", "64",
  ]);
  assert.ok(!evalArgs({ model: "m", categories: ["multiple"], limit: null, outDir: "o" }).includes("--limit"));
  assert.equal(BFCL_CATEGORIES.length, 13);
});

test("progress lines", () => {
  assert.deepEqual(parseProgress("progress generate 12/40 (1.52/s)"), { done: 12, total: 40 });
  assert.equal(parseProgress("checking 40 outputs with BFCL's checker"), null);
  assert.equal(parseProgress("progress generate x/40"), null);
});

test("evaluation folders keep the run's name in front of checkpoint-N, and never collide", () => {
  const root = tmp();
  try {
    const now = new Date(2026, 10, 30, 17, 5, 9);
    const a = newEvaluationDir(root, "/w/runs/20261130-1200-demo/checkpoints/checkpoint-40", now);
    assert.equal(basename(a), "20261130-170509-checkpoint-40");
    assert.equal(basename(newEvaluationDir(root, "/w/exports/my model", now)), "20261130-170509-my-model");
    assert.equal(basename(newEvaluationDir(root, "/w/runs/r/sft/checkpoint-3", now)), "20261130-170509-sft-checkpoint-3");
    mkdirSync(a);
    assert.equal(basename(newEvaluationDir(root, "/w/runs/x/checkpoints/checkpoint-40", now)), "20261130-170509-checkpoint-40-2");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("listing evaluations: readable ones in time order, a broken scores.json reported", async () => {
  const root = tmp();
  try {
    for (const [name, body] of [["a", JSON.stringify(SCORES)], ["b", "{not json"], ["c", JSON.stringify({ ...SCORES, overall: 0.5 })]] as const) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, "scores.json"), body);
    }
    mkdirSync(join(root, "no-scores"));
    const { evaluations, problems } = await listEvaluations(root);
    assert.deepEqual(evaluations.map((e) => e.label).sort(), ["a", "c"]);
    assert.equal(evaluations.find((e) => e.label === "a")!.model, SCORES.checkpoint);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /b[\\/]scores\.json is not valid JSON/);
    assert.deepEqual(await listEvaluations(join(root, "missing")), { evaluations: [], problems: [] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a Table 2 row: categories, then BFCL's summaries; null where not run", () => {
  const row = table2Row(SCORES);
  assert.equal(row.length, TABLE2_COLUMNS.length);
  const at = (key: string) => row[TABLE2_COLUMNS.findIndex((c) => c.key === key)];
  assert.equal(at("simple_python"), 0.5);
  assert.equal(at("multiple"), null);
  assert.equal(at("live_simple"), 1);
  assert.equal(at("non_live"), 0.125);
  assert.equal(at("live"), 1);
  assert.equal(at("overall"), 0.25);
  // No live category run: its summary is N/A here (BFCL's table would say 0).
  const nonLiveOnly = table2Row({ ...SCORES, categories: { simple_python: SCORES.categories.simple_python }, summary: { non_live: 0.125, live: 0 } });
  assert.equal(nonLiveOnly[TABLE2_COLUMNS.findIndex((c) => c.key === "live")], null);
});

test("failures of a results file: reward 0 lines with their 0-based line, capped", async () => {
  const dir = tmp();
  try {
    const rec = (id: string, reward: number, reason = "ok", mismatch?: string) =>
      JSON.stringify({ v: 1, step: 0, prompt_id: id, group_index: 0, prompt: "p", completion: "c", ground_truth: [], reward, details: { format_ok: true, calls_ok: reward === 1, reason, mismatch } });
    const file = join(dir, "results.rollouts.jsonl");
    writeFileSync(file, [rec("simple_python_0", 1), rec("simple_python_1", 0, "wrong_argument_value", "value_error:string: Invalid value"), "not json", "", rec("live_multiple_3-1-0", 0, "no_tool_call")].join("\n") + "\n");
    const { failures, more } = await readFailures(file);
    assert.equal(more, 0);
    assert.deepEqual(failures.map((f) => [f.id, f.category, f.reason, f.line]), [
      ["simple_python_1", "simple_python", "wrong_argument_value", 1],
      ["live_multiple_3-1-0", "live_multiple", "no_tool_call", 4],
    ]);
    assert.equal(failures[0].detail, "value_error:string: Invalid value");
    const capped = await readFailures(file, 1);
    assert.equal(capped.failures.length, 1);
    assert.equal(capped.more, 1);
    assert.equal(categoryOf("parallel_multiple_12"), "parallel_multiple");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the results view accepts only well-formed messages; its page has a strict CSP", () => {
  assert.ok(isWebviewMessage({ type: "openFailure", dir: "/r/bfcl/a", line: 3 }));
  assert.ok(!isWebviewMessage({ type: "openFailure", dir: "/r/bfcl/a", line: -1 }));
  assert.ok(!isWebviewMessage({ type: "openFailure", dir: 3, line: 1 }));
  assert.ok(!isWebviewMessage({ type: "runCommand", command: "x" }));
  assert.ok(isWebviewMessage({ type: "ready" }));
  const html = webviewHtml({ cspSource: "vscode-resource:", nonce: "abc", title: "t", script: 'x" onload="1', styles: ["s.css"] });
  assert.match(html, /default-src 'none'; script-src 'nonce-abc'/);
  assert.ok(!html.includes('x" onload'));
});

/** A stand-in for python: prints the trainer's progress lines, then exits or waits to be cancelled. */
function fakePython(dir: string, body: string): string {
  const p = join(dir, "python");
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

test("an evaluation process: progress from stderr, exit code, stderr tail", { skip: process.platform === "win32" }, async () => {
  const dir = tmp();
  try {
    const py = fakePython(dir, 'echo "progress generate 1/2 (1.0/s)" >&2; echo "progress generate 2/2 (1.0/s)" >&2; echo "tooln1 eval: boom" >&2; exit 3');
    const seen: string[] = [];
    const p = new EvalProcess(py, { model: "m", categories: ["simple_python"], limit: 1, outDir: join(dir, "o") }, { cwd: dir, onProgress: (x) => seen.push(`${x.done}/${x.total}`) });
    const out = await p.done;
    assert.deepEqual(seen, ["1/2", "2/2"]);
    assert.equal(out.code, 3);
    assert.equal(out.cancelled, false);
    assert.match(out.stderrTail, /tooln1 eval: boom$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cancel ends the evaluation and its children", { skip: process.platform === "win32" }, async () => {
  const dir = tmp();
  try {
    // The child (sleep) stands for the generation the trainer runs; the group signal must reach it.
    const py = fakePython(dir, `sleep 60 & echo $! > "${join(dir, "child.pid")}"; echo "progress generate 0/5 (0/s)" >&2; wait`);
    let started!: () => void;
    const progressed = new Promise<void>((r) => (started = r));
    const p = new EvalProcess(py, { model: "m", categories: ["simple_python"], limit: 1, outDir: join(dir, "o") }, { cwd: dir, onProgress: () => started() });
    await progressed;
    p.cancel(2000);
    const out = await p.done;
    assert.equal(out.cancelled, true);
    assert.notEqual(out.code, 0);
    const { readFileSync } = await import("node:fs");
    const child = Number(readFileSync(join(dir, "child.pid"), "utf8"));
    // The group received SIGTERM: the sleeping child is gone too (no process, or a zombie waiting
    // for init to reap it). The loop only guards against a hang; a live child fails at the end.
    const alive = (): boolean => {
      try {
        const stat = readFileSync(`/proc/${child}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(!alive(), `child ${child} still alive after cancel`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
