// The training status bar item's text: step, reward and ETA while a run trains; its end state, with
// no ETA, once the trainer reported the end or its process is gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyEvent, emptyRunState } from "../../src/node/runDir";
import { statusBarText } from "../../src/training/statusBarText";
import type { TrainEvent } from "../../src/core/types";

const T0 = Date.parse("2026-11-30T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function runAtStep69(): ReturnType<typeof emptyRunState> {
  const s = emptyRunState("/runs/r1");
  const events: TrainEvent[] = [
    { v: 1, time: at(0), type: "run_started", run_id: "r1", method: "grpo", model: "m", config: {}, data: {}, total_steps: 300 },
    { v: 1, time: at(69), type: "metrics", step: 69, total_steps: 300, metrics: { "reward/mean": 0.25 } },
  ];
  for (const ev of events) applyEvent(s, ev);
  return s;
}

test("while a run trains: step, reward and ETA", () => {
  const v = statusBarText(runAtStep69(), true, "r1", 0, T0 + 69_000);
  assert.equal(v.text, "$(sync~spin) Tool-N1 step 69/300 · reward 0.250 · ETA 3m51s");
  assert.equal(v.training, true);
});

test("a cancelled, completed or failed run shows its end state and no ETA, even before its process has ended", () => {
  const cases = [
    ["cancelled", "cancelled (SIGTERM or SIGINT); checkpoint saved", "$(circle-slash) Tool-N1 cancelled at step 69/300"],
    ["completed", "Finished at step 69.", "$(check) Tool-N1 completed at step 69/300"],
    ["failed", "RuntimeError during GRPO at step 69: boom.", "$(error) Tool-N1 failed at step 69/300"],
  ] as const;
  for (const [status, message, want] of cases) {
    const s = runAtStep69();
    applyEvent(s, { v: 1, time: at(70), type: "run_finished", status, step: 69, message });
    for (const processRunning of [true, false]) {
      const v = statusBarText(s, processRunning, "r1", 0, T0 + 80_000);
      assert.equal(v.text, want, `${status}, process ${processRunning ? "still saving" : "gone"}`);
      assert.doesNotMatch(v.text + v.tooltip, /ETA|spin/);
      assert.equal(v.training, false);
      assert.match(v.tooltip, new RegExp(`^r1: ${status} at step 69/300`));
    }
  }
});

test("a trainer process gone without a run_finished event: ended, no ETA", () => {
  const v = statusBarText(runAtStep69(), false, "r1", 0, T0 + 80_000);
  assert.equal(v.text, "$(debug-stop) Tool-N1 ended at step 69/300");
  assert.equal(v.training, false);
});
