// A run is one disposable that owns its resources (docs/architecture.md, "Lifetimes"): the run
// list (src/training/runs.ts, what the controller holds) creates each run's output channel through
// a factory; here the factory counts what is created and disposed, and Node's list of active
// resources shows whether the trainer's tailers and timers are gone. The trainer is the real one
// (`python -m tooln1 train` on a config it rejects), or a missing interpreter.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RunList, type RunEntry, type RunOutput } from "../../src/training/runs";
import { TrainingRun, type RunListener } from "../../src/training/runManager";

const ROOT = resolve(__dirname, "../../..");
const PY = join(ROOT, ".venv/bin/python");
const skip = !existsSync(PY) && "no .venv (make venv)";

class Channel implements RunOutput {
  text = "";
  disposed = 0;
  constructor(readonly name: string) {}
  append(t: string): void {
    assert.equal(this.disposed, 0, `${this.name}: written after dispose`);
    this.text += t;
  }
  appendLine(t: string): void {
    this.append(t + "\n");
  }
  show(): void {}
  dispose(): void {
    this.disposed++;
  }
}

function factory() {
  const made: Channel[] = [];
  return { made, make: (name: string) => (made.push(new Channel(name)), made.at(-1)!) };
}

/** The timers and file watchers this process holds (the run's pollers and fs.watch). */
function handles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "FSEventWrap").length;
}

let ws = "";
before(() => {
  ws = mkdtempSync(join(tmpdir(), "run-lifetime-"));
  // rejected at once by the trainer: there is no model folder
  writeFileSync(join(ws, "bad.tooln1.json"), JSON.stringify({ model: "no-model", method: "grpo", data: { train: "data.jsonl" } }));
});
after(() => rmSync(ws, { recursive: true, force: true }));

/** Launches into a list entry as the controller does: the entry's channel gets the output, its end is reported. */
function launch(list: RunList, name: string, python: string): { e: RunEntry; exit: Promise<void>; calls: string[] } {
  const dir = join(ws, "runs", name);
  const e = list.add(dir, { configPath: "bad.tooln1.json" });
  const out = e.openOutput();
  const calls: string[] = [];
  let exited: () => void = () => {};
  const exit = new Promise<void>((r) => (exited = r));
  const listener: RunListener = {
    onEvent: (_r, ev) => calls.push(ev.type),
    onOutput: (_r, t) => out.append(t),
    onExit: () => {
      calls.push("exit");
      list.runEnded(e);
      exited();
    },
  };
  e.follow(TrainingRun.launch({ python, config: join(ws, "bad.tooln1.json"), runDir: dir, cwd: ws, pollMs: 50, logFile: join(ws, "logs", `${name}.log`) }, listener));
  return { e, exit, calls };
}

test("ended runs beyond the kept ones and every run at dispose release their channel exactly once", async () => {
  const f = factory();
  const list = new RunList(f.make, 2);
  const base = handles();
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const r = launch(list, `gone-${i}`, join(ws, "no-such-python"));
    await r.exit;
    runs.push(r);
  }
  assert.equal(f.made.length, 5);
  assert.deepEqual(
    f.made.map((c) => c.disposed),
    [1, 1, 1, 0, 0],
    "the two newest ended runs keep their channel",
  );
  assert.equal(list.size, 5, "every run is still listed");
  for (const r of runs.slice(0, 3)) {
    assert.ok(r.e.isDisposed);
    const now = list.get(r.e.dir)!;
    assert.notEqual(now, r.e, "replaced by a listing-only entry");
    assert.equal(now.run, null);
    assert.equal(now.output, null);
    assert.equal(r.e.run!.followed, false, "its trainer is not followed any more");
  }
  assert.match(f.made[4].text, /^$|could not start/);
  list.dispose();
  list.dispose();
  assert.deepEqual(
    f.made.map((c) => c.disposed),
    [1, 1, 1, 1, 1],
    "each channel disposed once",
  );
  assert.ok(runs.every((r) => r.e.isDisposed && !r.e.run!.followed));
  assert.equal(handles(), base, "no timer or watcher left");
  assert.throws(() => list.add(join(ws, "late")), /disposed/);
});

test("replacing an entry disposes the one it replaces", () => {
  const f = factory();
  const list = new RunList(f.make);
  const a = list.add(join(ws, "same"));
  a.openOutput();
  const b = list.add(join(ws, "same"));
  assert.ok(a.isDisposed);
  assert.equal(f.made[0].disposed, 1);
  list.remove(a); // already gone: nothing twice
  assert.equal(f.made[0].disposed, 1);
  assert.equal(list.get(join(ws, "same")), b);
  list.remove(b);
  assert.equal(list.size, 0);
  assert.ok(b.isDisposed);
  assert.throws(() => b.openOutput(), /left the list/);
});

test("a live run removed from the list stops following at once and is never signalled", { skip, timeout: 120_000 }, async () => {
  const f = factory();
  const list = new RunList(f.make);
  const base = handles();
  const r = launch(list, "live", PY);
  const run = r.e.run!;
  assert.ok(run.running && run.pid > 0);
  assert.ok(handles() > base, "the run polls events.jsonl and its log");
  list.remove(r.e);
  await run.detach();
  assert.equal(f.made[0].disposed, 1);
  assert.equal(handles(), base, "its tailers and timers are gone");
  // the trainer goes on alone (unreferenced: this keeps the test's event loop alive meanwhile)
  const keepAlive = setInterval(() => undefined, 60_000);
  const [code, signal] = run.proc!.exitCode !== null ? [run.proc!.exitCode, run.proc!.signalCode] : await once(run.proc!, "exit");
  clearInterval(keepAlive);
  assert.equal(signal, null, "not signalled");
  assert.equal(code, 2, "the trainer rejected the config itself");
  assert.deepEqual(r.calls, [], "nothing reaches the listener after dispose");
  assert.equal(f.made[0].text, "");
});

test("an ended run of the real trainer, once removed, leaves nothing open", { skip, timeout: 120_000 }, async () => {
  const f = factory();
  const list = new RunList(f.make);
  const base = handles();
  const r = launch(list, "ended", PY);
  await r.exit;
  assert.equal(r.e.run!.state.status, "failed");
  assert.ok(r.calls.includes("error") && r.calls.at(-1) === "exit", r.calls.join(","));
  assert.match(f.made[0].text, /no-model/, "the trainer's output reached the run's channel");
  assert.equal(f.made[0].disposed, 0, "an ended run keeps its channel while listed");
  list.remove(r.e);
  assert.equal(f.made[0].disposed, 1);
  await r.e.run!.detach();
  assert.equal(handles(), base);
});
