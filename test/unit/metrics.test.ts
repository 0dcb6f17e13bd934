import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { metricName, normalizeMetrics } from "../../src/core/metrics";
import { METRICS } from "../../src/core/types";

const root = join(__dirname, "..", "..", "..");
const doc = JSON.parse(readFileSync(join(root, "test/vectors/events/metrics-cases.json"), "utf8")) as {
  cases: { name: string; source: "trl" | "verl" | "tooln1"; raw: Record<string, unknown>; expected: Record<string, number | null> }[];
};

for (const c of doc.cases) {
  test(`metrics vector: ${c.name}`, () => {
    assert.deepEqual(normalizeMetrics(c.source, c.raw), c.expected);
  });
}

test("NaN and Infinity become null", () => {
  assert.deepEqual(normalizeMetrics("trl", { kl: NaN, loss: Infinity, reward: -Infinity }), { kl: null, loss: null, "reward/mean": null });
});

test("every vocabulary name the dashboards use is reachable from TRL or verl", () => {
  const reachable = new Set<string>();
  for (const src of ["trl", "verl"] as const) {
    for (const raw of ["reward", "reward_std", "frac_reward_zero_std", "kl", "loss", "entropy", "completions/mean_length", "learning_rate", "grad_norm", "critic/score/mean", "actor/kl_loss", "perf/throughput", "timing_s/gen", "timing_s/update_actor", "eval_reward"]) {
      reachable.add(metricName(src, raw).name);
    }
  }
  for (const name of [METRICS.rewardMean, METRICS.rewardStd, METRICS.kl, METRICS.loss, METRICS.entropy, METRICS.responseLength, METRICS.learningRate, METRICS.gradNorm, METRICS.tokensPerSecond, METRICS.generationTime, METRICS.updateTime, METRICS.evalRewardMean, METRICS.zeroVarianceGroups]) {
    assert.ok(reachable.has(name), name);
  }
});
