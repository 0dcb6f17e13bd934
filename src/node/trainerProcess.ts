/**
 * Proof that a pid named by a run directory's `run.json` is the trainer of that run, before anything
 * signals it. `run.json` is workspace data: a hostile or stale file can name any pid (1, the editor,
 * a program that reused the pid of a killed run). A process counts as our trainer only when, read
 * from `/proc/PID/` (Linux):
 *
 * - its pid is greater than 1 and leads its own process group (the launcher starts the trainer in a
 *   new session, so signalling the group reaches only the trainer and its children);
 * - its start time (`/proc/PID/stat` field 22) equals `pid_start` in run.json;
 * - its environment holds `TOOLN1_RUN_TOKEN=<run_token>` from run.json (a random token the launcher
 *   gave that process alone).
 *
 * Elsewhere (no `/proc`) nothing is proven, so nothing is signalled.
 */
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { RunInfo } from "../core/types";

/** The environment variable that carries a run's token to the trainer. */
export const RUN_TOKEN_ENV = "TOOLN1_RUN_TOKEN";

/** What identifies one trainer process: its pid, its start time and the token in its environment. */
export interface TrainerIdentity {
  pid: number;
  token: string;
  start: number;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export function newRunToken(): string {
  return randomBytes(16).toString("hex");
}

/** The identity a run.json claims, or why it claims none. */
export function identityOf(info: Pick<RunInfo, "pid" | "run_token" | "pid_start">): TrainerIdentity | string {
  const { pid, run_token: token, pid_start: start } = info;
  if (!Number.isSafeInteger(pid) || pid <= 1) return `pid ${String(pid)} is not a trainer's`;
  if (typeof token !== "string" || !/^[0-9a-f]{32}$/.test(token)) return "run.json has no run token (the run was not started by this extension)";
  if (!Number.isSafeInteger(start) || (start as number) < 0) return "run.json has no process start time";
  return { pid, token, start: start as number };
}

interface ProcStat {
  pgrp: number;
  start: number;
}

/** Fields of `/proc/PID/stat` (the command name may hold spaces and parentheses: split after the last `)`). */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return null;
  }
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state): field 5 (pgrp) is rest[2], field 22 (starttime) is rest[19]
  const pgrp = Number(rest[2]);
  const start = Number(rest[19]);
  if (!Number.isSafeInteger(pgrp) || !Number.isSafeInteger(start)) return null;
  return { pgrp, start };
}

function environHas(pid: number, entry: string): boolean {
  let buf: Buffer;
  try {
    buf = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  return buf.toString("latin1").split("\0").includes(entry);
}

/** Whether `id` names a live process that is provably the trainer holding that token. */
export function verifyTrainer(id: TrainerIdentity): Verdict {
  if (!Number.isSafeInteger(id.pid) || id.pid <= 1) return { ok: false, reason: `pid ${id.pid} is never signalled` };
  if (process.platform !== "linux") return { ok: false, reason: "the trainer's identity can only be checked on Linux (/proc)" };
  const stat = readProcStat(id.pid);
  if (!stat) return { ok: false, reason: `no process ${id.pid}` };
  if (stat.start !== id.start) return { ok: false, reason: `process ${id.pid} started at another time (not the run's trainer)` };
  if (stat.pgrp !== id.pid) return { ok: false, reason: `process ${id.pid} does not lead its own process group` };
  if (!environHas(id.pid, `${RUN_TOKEN_ENV}=${id.token}`)) return { ok: false, reason: `process ${id.pid} does not hold the run's token` };
  return { ok: true };
}

/** The run.json's trainer, proven; a reason otherwise. */
export function verifyRunInfo(info: Pick<RunInfo, "pid" | "run_token" | "pid_start">): { id: TrainerIdentity } | { reason: string } {
  const id = identityOf(info);
  if (typeof id === "string") return { reason: id };
  const v = verifyTrainer(id);
  return v.ok ? { id } : { reason: v.reason };
}
