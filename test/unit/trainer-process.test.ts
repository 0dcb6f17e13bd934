// The proof a pid must pass before anything signals it (src/node/trainerProcess.ts), on real
// processes: a detached sleep holding a token in its environment plays the trainer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN_TOKEN_ENV, identityOf, newRunToken, readProcStat, verifyRunInfo, verifyTrainer } from "../../src/node/trainerProcess";

const linux = process.platform === "linux" ? false : "needs /proc";

function sleeper(env: NodeJS.ProcessEnv, detached: boolean): Promise<ChildProcess> {
  const p = spawn("sleep", ["300"], { env: { ...process.env, ...env }, detached, stdio: "ignore" });
  return new Promise((resolve, reject) => {
    p.once("spawn", () => resolve(p));
    p.once("error", reject);
  });
}

test("identityOf: pid <= 1, a missing or malformed token, a missing start time claim nothing", () => {
  const token = newRunToken();
  assert.match(token, /^[0-9a-f]{32}$/);
  assert.notEqual(newRunToken(), token);
  assert.deepEqual(identityOf({ pid: 4242, run_token: token, pid_start: 7 }), { pid: 4242, token, start: 7 });
  for (const bad of [
    { pid: 1, run_token: token, pid_start: 7 },
    { pid: 0, run_token: token, pid_start: 7 },
    { pid: -5, run_token: token, pid_start: 7 },
    { pid: 1.5, run_token: token, pid_start: 7 },
    { pid: "12" as unknown as number, run_token: token, pid_start: 7 },
    { pid: 4242, pid_start: 7 },
    { pid: 4242, run_token: "x", pid_start: 7 },
    { pid: 4242, run_token: token },
    { pid: 4242, run_token: token, pid_start: -1 },
  ]) {
    assert.equal(typeof identityOf(bad), "string", JSON.stringify(bad));
    assert.ok("reason" in verifyRunInfo(bad));
  }
});

test("verifyTrainer: only the process with the token, its start time and its own group passes", { skip: linux }, async () => {
  const token = newRunToken();
  const ours = await sleeper({ [RUN_TOKEN_ENV]: token }, true);
  const noToken = await sleeper({}, true);
  const notLeader = await sleeper({ [RUN_TOKEN_ENV]: token }, false);
  try {
    const start = readProcStat(ours.pid!)!.start;
    assert.deepEqual(verifyTrainer({ pid: ours.pid!, token, start }), { ok: true });
    const reason = (id: { pid: number; token: string; start: number }) => {
      const v = verifyTrainer(id);
      assert.equal(v.ok, false, JSON.stringify(id));
      return (v as { reason: string }).reason;
    };
    assert.match(reason({ pid: ours.pid!, token: newRunToken(), start }), /does not hold the run's token/);
    assert.match(reason({ pid: ours.pid!, token, start: start + 1 }), /started at another time/);
    assert.match(reason({ pid: noToken.pid!, token, start: readProcStat(noToken.pid!)!.start }), /does not hold the run's token/);
    assert.match(reason({ pid: notLeader.pid!, token, start: readProcStat(notLeader.pid!)!.start }), /does not lead its own process group/);
    assert.match(reason({ pid: 1, token, start: readProcStat(1)?.start ?? 0 }), /never signalled/);
    assert.match(reason({ pid: -ours.pid!, token, start }), /never signalled/);
    ours.kill("SIGKILL");
    await new Promise((r) => ours.once("exit", r));
    assert.match(reason({ pid: ours.pid!, token, start }), /no process|started at another time/);
  } finally {
    for (const p of [ours, noToken, notLeader]) p.kill("SIGKILL");
  }
});

test("readProcStat: a command name with spaces and parentheses does not shift the fields", { skip: linux }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "procstat-"));
  const odd = join(dir, "x) 1 2 (y");
  copyFileSync(execFileSync("sh", ["-c", "command -v sleep"], { encoding: "utf8" }).trim(), odd);
  chmodSync(odd, 0o755);
  const p = spawn(odd, ["300"], { detached: true, stdio: "ignore" });
  try {
    await new Promise((r) => p.once("spawn", r));
    assert.match(readFileSync(`/proc/${p.pid}/stat`, "latin1"), /\(x\) 1 2 \(y\)/);
    const st = readProcStat(p.pid!);
    assert.equal(st?.pgrp, p.pid, "field 5 is the group it leads");
    assert.ok(st && st.start >= readProcStat(process.pid)!.start, "field 22: started after this process");
    assert.equal(readProcStat(2 ** 30), null);
  } finally {
    p.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
