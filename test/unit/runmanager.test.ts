// The run manager against the real trainer (`python -m tooln1 train`) on a tiny random model:
// start and stream, cancel (SIGTERM: the trainer checkpoints and finishes "cancelled"), SIGKILL
// escalation, crash (bad config; killed from outside), and reattach after the launcher detaches.
// Needs .venv with the tooln1 package (make venv); skipped otherwise.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TrainingRun, checkTrainer, findLiveRuns, resolvePython, trainArgs, type RunListener } from "../../src/training/runManager";
import { pidAlive, readRunDir } from "../../src/node/runDir";
import { readProcStat } from "../../src/node/trainerProcess";
import type { TrainEvent } from "../../src/core/types";
import { METRICS } from "../../src/core/types";

const ROOT = resolve(__dirname, "../../..");
const PY = join(ROOT, ".venv/bin/python");
const skip = !existsSync(PY) && "no .venv (make venv)";
const TIMEOUT = 300_000;

let ws = "";
let runs = "";

function config(name: string, steps: number, extra: Record<string, unknown> = {}): string {
  const p = join(ws, `${name}.tooln1.json`);
  const cfg = {
    model: "model",
    method: "grpo",
    data: { train: "data.jsonl", validation_split: 0 },
    grpo: { max_steps: steps, num_generations: 2, per_device_batch_size: 4, max_completion_length: 12, learning_rate: 1e-5 },
    eval: { every_steps: 0, max_samples: 2 },
    checkpoint: { every_steps: 1000, keep: 1 },
    threads: 1,
    ...extra,
  };
  writeFileSync(p, JSON.stringify(cfg, null, 2));
  return p;
}

/** Launches and records everything the listener sees; `until` resolves on a predicate over events. */
function launch(name: string, cfg: string, extra: { logFile?: string; extraArgs?: string[] } = {}) {
  const events: TrainEvent[] = [];
  const output: string[] = [];
  let liveMetrics = 0;
  const waiters: { pred: (e: TrainEvent) => boolean; resolve: (e: TrainEvent) => void }[] = [];
  let exited: () => void = () => {};
  const exit = new Promise<void>((r) => (exited = r));
  const listener: RunListener = {
    onEvent(r, ev) {
      events.push(ev);
      if (ev.type === "metrics" && r.running) liveMetrics++;
      for (const w of waiters.slice()) {
        if (!w.pred(ev)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(ev);
      }
    },
    onOutput: (_r, text) => output.push(text),
    onExit: () => exited(),
  };
  const run = TrainingRun.launch({ python: PY, config: cfg, runDir: join(runs, name), cwd: ws, pollMs: 100, ...extra }, listener);
  const until = (pred: (e: TrainEvent) => boolean) =>
    new Promise<TrainEvent>((resolve) => {
      const hit = events.find(pred);
      if (hit) resolve(hit);
      else waiters.push({ pred, resolve });
    });
  return { run, events, output, exit, until, listener, liveMetrics: () => liveMetrics };
}

function groupGone(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

before(() => {
  if (skip) return;
  ws = mkdtempSync(join(tmpdir(), "runmgr-"));
  runs = join(ws, "runs");
  execFileSync(PY, ["-m", "tooln1", "make-tiny-model", "--out", join(ws, "model")], { stdio: "ignore" });
  execFileSync(PY, ["-m", "tooln1", "synth-data", "--out", join(ws, "data.jsonl"), "--n", "40"], { stdio: "ignore" });
});

after(() => {
  if (ws) rmSync(ws, { recursive: true, force: true });
});

test("argument array and interpreter order", () => {
  assert.deepEqual(trainArgs("c.json", "/r", true, ["--quiet"]), ["-m", "tooln1", "train", "--config", "c.json", "--run-dir", "/r", "--resume", "--quiet"]);
  assert.deepEqual(resolvePython({ setting: "/x/py", pythonExtension: "/y/py" }), { path: "/x/py", source: "setting" });
  assert.deepEqual(resolvePython({ pythonExtension: "/y/py" }), { path: "/y/py", source: "python-extension" });
  assert.equal(resolvePython({ managedVenv: "/does/not/exist" }).source, "path");
});

test("the environment check names what is missing", { skip, timeout: TIMEOUT }, async () => {
  assert.deepEqual(await checkTrainer(PY), { ok: true, detail: "" });
  const bad = await checkTrainer("/no/such/python");
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /no Python interpreter at \/no\/such\/python/);
  const noTrainer = await checkTrainer("python3", tmpdir(), 30_000);
  if (!noTrainer.ok) assert.match(noTrainer.detail, /cannot import the trainer: .*(tooln1|trl)/);
});

test("start and stream: metrics arrive while the trainer runs, the run completes", { skip, timeout: TIMEOUT }, async () => {
  const l = launch("complete", config("complete", 3));
  assert.ok(l.run.pid > 0);
  await l.exit;
  const s = l.run.state;
  assert.equal(s.status, "completed", `${s.finishMessage} ${JSON.stringify(s.errors)} ${l.output.join("").slice(-2000)}`);
  assert.equal(l.run.exitCode, 0);
  assert.ok(l.liveMetrics() >= 1, "at least one metrics event was streamed before the process ended");
  assert.equal(s.step, 3);
  assert.ok(s.points.length >= 3);
  assert.ok(s.points.some((p) => typeof p.metrics[METRICS.rewardMean] === "number"));
  assert.ok(l.output.join("").includes('"type":"run_started"'), "stdout reaches the output listener");
  // what was streamed is what is on disk
  const disk = await readRunDir(join(runs, "complete"));
  assert.deepEqual(
    disk.points.map((p) => p.step),
    s.points.map((p) => p.step),
  );
  assert.equal(JSON.parse(readFileSync(join(runs, "complete", "run.json"), "utf8")).status, "completed");
});

test("cancel: SIGTERM lets the trainer (2 processes) finish as cancelled, and the process group is gone", { skip, timeout: TIMEOUT }, async () => {
  const l = launch("cancel", config("cancel", 500), { extraArgs: ["--processes", "2"] });
  await l.until((e) => e.type === "metrics");
  const workers = process.platform === "linux" ? readFileSync(`/proc/${l.run.pid}/task/${l.run.pid}/children`, "utf8").trim().split(/\s+/).map(Number) : [];
  if (process.platform === "linux") assert.equal(workers.length, 2, "the launcher runs one worker per process");
  assert.equal(JSON.parse(readFileSync(join(runs, "cancel", "run.json"), "utf8")).pid, l.run.pid, "run.json names the launcher");
  assert.deepEqual(l.run.cancel(120_000), { ok: true });
  await l.exit;
  const s = l.run.state;
  assert.equal(s.status, "cancelled", `${s.finishMessage} ${l.output.join("").slice(-1500)}`);
  assert.ok(l.events.some((e) => e.type === "run_finished" && e.status === "cancelled"), "the trainer itself wrote run_finished cancelled");
  assert.equal(l.run.exitSignal, null, "it exited on its own before SIGKILL");
  assert.ok(s.step < 500);
  assert.equal(JSON.parse(readFileSync(join(runs, "cancel", "run.json"), "utf8")).status, "cancelled");
  assert.ok(groupGone(l.run.pid));
  for (const pid of workers) assert.throws(() => process.kill(pid, 0), /ESRCH/, `rank process ${pid} is gone`);
});

test("crash: a config the trainer rejects ends as failed with its error", { skip, timeout: TIMEOUT }, async () => {
  const l = launch("crash-config", config("crash-config", 3, { data: { train: "missing.jsonl" } }));
  await l.exit;
  const s = l.run.state;
  assert.equal(s.status, "failed");
  assert.notEqual(l.run.exitCode, 0);
  const text = [...s.errors.map((e) => e.message), s.finishMessage ?? "", l.output.join("")].join("\n");
  assert.match(text, /missing\.jsonl/);
});

test("crash: a trainer killed from outside ends as failed, saying how", { skip, timeout: TIMEOUT }, async () => {
  const l = launch("crash-kill", config("crash-kill", 500));
  await l.until((e) => e.type === "metrics");
  process.kill(-l.run.pid, "SIGKILL"); // the OOM killer, say
  await l.exit;
  const s = l.run.state;
  assert.equal(s.status, "failed");
  assert.match(s.finishMessage ?? "", /killed by SIGKILL without finishing/);
  const listed = await findLiveRuns(runs);
  assert.ok(!listed.some((r) => r.dir.endsWith("crash-kill")), "a dead run is not reattached");
});

test("reattach: a detached run is found, followed with its log, and cancelled with SIGKILL escalation", { skip, timeout: TIMEOUT }, async () => {
  const logFile = join(ws, "logs", "reattach.log");
  const l = launch("reattach", config("reattach", 500), { logFile });
  const first = await l.until((e) => e.type === "metrics");
  const pid = l.run.pid;
  await l.run.detach(); // the window reloads; the trainer keeps going
  assert.ok(pidAlive(pid));
  const live = await findLiveRuns(runs);
  const found = live.find((r) => r.dir === join(runs, "reattach"));
  assert.ok(found, `found ${live.map((r) => r.dir).join(", ")}`);
  assert.equal(found.info.pid, pid);

  const seen: TrainEvent[] = [];
  const out: string[] = [];
  let more: (e: TrainEvent) => void = () => {};
  const later = new Promise<TrainEvent>((r) => (more = r));
  let exited: () => void = () => {};
  const exit = new Promise<void>((r) => (exited = r));
  const again = TrainingRun.attach(
    found.dir,
    found.id,
    {
      onEvent(_r, ev) {
        seen.push(ev);
        if (ev.type === "metrics" && ev.step > (first as { step: number }).step) more(ev);
      },
      onOutput: (_r, t) => out.push(t),
      onExit: () => exited(),
    },
    100,
    logFile,
  );
  await later; // new steps stream into the reattached window
  assert.ok(seen.some((e) => e.type === "run_started"), "history is replayed from the start");
  assert.ok(out.join("").includes('"type":"metrics"'), "the trainer's output is read from its log file");
  again.cancel(1); // grace 1 ms: SIGTERM, then SIGKILL
  await exit;
  assert.equal(again.state.status, "cancelled");
  assert.ok(groupGone(pid));
});

test("a planted run.json naming an unrelated process (setsid sleep, pid 1, this process) is never reattached or signalled", { skip: skip || (process.platform !== "linux" && "needs /proc"), timeout: TIMEOUT }, async () => {
  const real = launch("planted-src", config("planted-src", 500), { logFile: join(ws, "logs", "planted-src.log") });
  await real.until((e) => e.type === "metrics");
  const info = JSON.parse(readFileSync(join(runs, "planted-src", "run.json"), "utf8"));
  assert.match(info.run_token, /^[0-9a-f]{32}$/, "the trainer records the token the launcher gave it");
  assert.equal(info.pid_start, readProcStat(real.run.pid)?.start, "and its own start time");

  const sleeper = spawn("setsid", ["sleep", "300"], { stdio: "ignore" });
  const sleepPid = sleeper.pid!;
  try {
    // wait until setsid has become sleep (it execs in place: the pid stays)
    for (let i = 0; i < 200 && !readFileSync(`/proc/${sleepPid}/cmdline`, "latin1").startsWith("sleep"); i++) await new Promise((r) => setImmediate(r));
    const sleepStart = readProcStat(sleepPid)!.start;
    const plant = (name: string, fields: Record<string, unknown>) => {
      mkdirSync(join(runs, name), { recursive: true });
      writeFileSync(join(runs, name, "run.json"), JSON.stringify({ ...info, status: "running", ...fields }));
      return join(runs, name);
    };
    const planted = [
      plant("planted-copy", { pid: sleepPid, pid_start: sleepStart }), // the real token, another process
      plant("planted-notoken", { pid: sleepPid, pid_start: sleepStart, run_token: undefined }),
      plant("planted-pid1", { pid: 1, pid_start: readProcStat(1)?.start }),
      plant("planted-self", { pid: process.pid, pid_start: readProcStat(process.pid)?.start }),
    ];
    const skipped: { dir: string; reason: string }[] = [];
    const live = await findLiveRuns(runs, skipped);
    assert.deepEqual(
      live.map((r) => r.dir),
      [join(runs, "planted-src")],
      "only the real trainer is reattached",
    );
    assert.deepEqual(skipped.map((s) => s.dir).sort(), [...planted].sort());
    assert.match(skipped.find((s) => s.dir.endsWith("planted-copy"))!.reason, /does not hold the run's token/);

    // attaching with what a planted file claims: the process is not proven, Cancel sends nothing
    const claims = [
      { pid: sleepPid, token: info.run_token, start: sleepStart },
      { pid: 1, token: info.run_token, start: readProcStat(1)?.start ?? 0 },
      { pid: process.pid, token: info.run_token, start: readProcStat(process.pid)!.start },
    ];
    for (const id of claims) {
      const r = TrainingRun.attach(planted[0], id, {}, 100);
      await r.waitForExit(); // not the trainer: followed as ended at once
      const c = r.cancel(1);
      assert.equal(c.ok, false, `cancel of pid ${id.pid} was refused`);
    }
    assert.ok(pidAlive(sleepPid), "the unrelated setsid sleep survived Cancel");
    assert.equal(readProcStat(sleepPid)?.start, sleepStart);

    // the real trainer, found by the same scan, is cancelled
    const found = live[0];
    await real.run.detach();
    let exited: () => void = () => {};
    const exit = new Promise<void>((r) => (exited = r));
    const again = TrainingRun.attach(found.dir, found.id, { onExit: () => exited() }, 100);
    assert.deepEqual(again.cancel(120_000), { ok: true });
    await exit;
    assert.equal(again.state.status, "cancelled");
    assert.ok(groupGone(found.id.pid));
    // what ends the sleep is the SIGKILL sent here, not a signal from Cancel
    sleeper.kill("SIGKILL");
    if (sleeper.exitCode === null && sleeper.signalCode === null) await new Promise((r) => sleeper.once("exit", r));
    assert.equal(sleeper.signalCode, "SIGKILL", "the unrelated setsid sleep survived every Cancel");
  } finally {
    sleeper.kill("SIGKILL");
  }
});
