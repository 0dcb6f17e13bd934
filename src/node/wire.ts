/**
 * Stand-ins for src/core/events.ts `parseEventLine` and src/core/metrics.ts `normalizeMetrics`
 * while those are being written; runDir.ts imports from here so the switch is one line.
 */
import type { Json, TrainEvent } from "../core/types";
import { EVENT_VERSION } from "../core/types";

const TYPES = ["run_started", "metrics", "rollouts", "checkpoint", "eval", "log", "warning", "error", "run_finished"];

export function parseEventLine(line: string): { ok: true; event: TrainEvent } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) return { ok: false, error: "not a JSON object" };
  const o = v as Record<string, unknown>;
  if (o.v !== EVENT_VERSION) return { ok: false, error: `unsupported event version ${JSON.stringify(o.v)}` };
  if (typeof o.type !== "string" || !TYPES.includes(o.type)) return { ok: false, error: `unknown event type ${JSON.stringify(o.type)}` };
  if (typeof o.time !== "string") return { ok: false, error: 'missing "time"' };
  const needsStep = ["metrics", "rollouts", "checkpoint", "eval"].includes(o.type);
  if (needsStep && typeof o.step !== "number") return { ok: false, error: `${o.type} event without a numeric "step"` };
  if ((o.type === "metrics" || o.type === "eval") && (!o.metrics || typeof o.metrics !== "object")) return { ok: false, error: `${o.type} event without "metrics"` };
  if (o.type === "run_finished" && !["completed", "cancelled", "failed"].includes(o.status as string)) return { ok: false, error: "run_finished without a final status" };
  return { ok: true, event: o as unknown as TrainEvent };
}

const TRL: Record<string, string> = {
  reward: "reward/mean",
  reward_std: "reward/std",
  frac_reward_zero_std: "reward/zero_variance_groups",
  kl: "kl",
  loss: "loss",
  entropy: "entropy",
  "completions/mean_length": "response_length/mean",
  learning_rate: "lr",
  grad_norm: "grad_norm",
};
const VERL: Record<string, string> = {
  "critic/score/mean": "reward/mean",
  "critic/score/std": "reward/std",
  "actor/pg_loss": "loss",
  "actor/kl_loss": "kl",
  "actor/entropy": "entropy",
  "response_length/mean": "response_length/mean",
  "actor/lr": "lr",
  "actor/grad_norm": "grad_norm",
  "perf/throughput": "perf/tokens_per_s",
};

export function normalizeMetrics(source: "trl" | "verl" | "tooln1", raw: { [k: string]: Json }): Record<string, number | null> {
  const map = source === "trl" ? TRL : source === "verl" ? VERL : {};
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(raw)) {
    const n = typeof v === "number" && Number.isFinite(v) ? v : null;
    if (v !== null && typeof v !== "number") continue;
    out[map[k] ?? k] = n;
  }
  return out;
}
