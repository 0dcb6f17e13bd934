// Pure chart data shaping of the dashboard: smoothing, stacking, log cleaning, overlay alignment,
// decimation, and the typed protocol's guards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PANELS, appendColumns, decimate, panelTable, positiveOnly, smooth, stack, toColumns, xValues } from "../../webview/dashboard/data";
import { isHostMessage, isWebviewMessage, type SeriesColumns } from "../../webview/dashboard/protocol";
import { METRICS, REASON_CODES } from "../../src/core/types";

const cols = (n: number, f: (i: number) => number | null, name = METRICS.rewardMean): SeriesColumns => ({
  step: Array.from({ length: n }, (_, i) => i + 1),
  time: Array.from({ length: n }, (_, i) => 1_000_000 + i * 2000),
  metrics: { [name]: Array.from({ length: n }, (_, i) => f(i)) },
});

test("every metric the issue names has a panel", () => {
  const drawn = new Set(PANELS.flatMap((p) => p.metrics));
  for (const m of [
    METRICS.rewardMean,
    METRICS.rewardStd,
    METRICS.formatOkRate,
    METRICS.exactMatchRate,
    METRICS.kl,
    METRICS.loss,
    METRICS.entropy,
    METRICS.responseLength,
    METRICS.learningRate,
    METRICS.gradNorm,
    METRICS.tokensPerSecond,
    METRICS.zeroVarianceGroups,
    METRICS.gpuMemory,
    ...REASON_CODES.map((c) => `reason/${c}`),
  ])
    assert.ok(drawn.has(m), m);
});

test("smoothing: debiased EMA, nulls kept, 0 is the identity", () => {
  assert.deepEqual(smooth([1, 2, 3], 0), [1, 2, 3]);
  const s = smooth([2, null, 2, 4], 0.5);
  assert.equal(s[0], 2, "the first value is not pulled towards 0");
  assert.equal(s[1], null);
  assert.equal(s[2], 2);
  assert.ok((s[3] as number) > 2 && (s[3] as number) < 4);
});

test("log scale drops values that cannot be drawn", () => {
  assert.deepEqual(positiveOnly([1, 0, -2, null, Number.NaN, 3]), [1, null, null, null, null, 3]);
});

test("stacking sums per row and keeps rows with no data null", () => {
  assert.deepEqual(
    stack([
      [0.5, null, 0.2],
      [0.25, null, null],
      [0.25, null, 0.8],
    ]),
    [
      [0.5, null, 0.2],
      [0.75, null, 0.2],
      [1, null, 1],
    ],
  );
});

test("x by wall time is seconds since the run's first point", () => {
  assert.deepEqual(xValues(cols(3, (i) => i), "time"), [0, 2, 4]);
  assert.deepEqual(xValues({ step: [1], time: [null], metrics: {} }, "time"), [null]);
});

test("decimation keeps ends and every bucket's extremes, and is the identity when small", () => {
  const xs = Array.from({ length: 100_000 }, (_, i) => i);
  const ys = xs.map((i) => (i === 54_321 ? 1000 : i === 7 ? -1000 : Math.sin(i / 100)));
  const keep = decimate(xs, [ys], 500);
  assert.ok(keep.length <= 500 * 4, `kept ${keep.length}`);
  assert.ok(keep.includes(0) && keep.includes(99_999));
  assert.ok(keep.includes(54_321), "the spike survives");
  assert.ok(keep.includes(7), "the dip survives");
  assert.deepEqual(decimate([1, 2, 3], [[1, 2, 3]], 500), [0, 1, 2]);
});

test("one run: the table has x, the panel's metrics, and steps for clicks", () => {
  const s = cols(5, (i) => i / 10);
  s.metrics[METRICS.rewardStd] = [0.1, 0.1, null, 0.1, 0.1];
  const t = panelTable(PANELS[0], [{ id: "r", series: s }], { x: "step", smoothing: 0, logScale: false, buckets: 400 });
  assert.deepEqual(t.xs, [1, 2, 3, 4, 5]);
  assert.deepEqual(
    t.keys.map((k) => k.metric),
    [METRICS.rewardMean, METRICS.rewardStd],
  );
  assert.deepEqual(t.cols[1], [0.1, 0.1, null, 0.1, 0.1]);
  assert.deepEqual(t.steps, [[1, 2, 3, 4, 5]]);
  assert.equal(t.rawPoints, 10);
});

test("overlaying runs aligns them on the union of x values", () => {
  const a = cols(3, (i) => i); // steps 1..3
  const b: SeriesColumns = { step: [2, 4], time: [null, null], metrics: { [METRICS.rewardMean]: [5, 6] } };
  const t = panelTable(PANELS[0], [
    { id: "a", series: a },
    { id: "b", series: b },
  ], { x: "step", smoothing: 0, logScale: false, buckets: 400 });
  assert.deepEqual(t.xs, [1, 2, 3, 4]);
  assert.deepEqual(t.cols, [
    [0, 1, 2, null],
    [null, 5, null, 6],
  ]);
  assert.deepEqual(t.steps, [
    [1, 2, 3, null],
    [null, 2, null, 4],
  ]);
});

test("a run without a panel's metrics contributes nothing; out-of-order steps are sorted", () => {
  const t = panelTable(PANELS.find((p) => p.id === "kl")!, [{ id: "r", series: cols(3, (i) => i) }], { x: "step", smoothing: 0, logScale: false, buckets: 100 });
  assert.equal(t.cols.length, 0);
  const s: SeriesColumns = { step: [3, 1, 2], time: [null, null, null], metrics: { kl: [0.3, 0.1, 0.2] } };
  const t2 = panelTable(PANELS.find((p) => p.id === "kl")!, [{ id: "r", series: s }], { x: "step", smoothing: 0, logScale: false, buckets: 100 });
  assert.deepEqual(t2.xs, [1, 2, 3]);
  assert.deepEqual(t2.cols[0], [0.1, 0.2, 0.3]);
});

test("appending columns back-fills metrics that appear late", () => {
  const into = toColumns([{ step: 1, time: null, metrics: { loss: 1 } }]);
  appendColumns(into, toColumns([{ step: 2, time: 5, metrics: { kl: 0.1 } }, { step: 3, time: 6, metrics: { kl: 0.2, loss: Number.NaN } }]));
  assert.deepEqual(into.step, [1, 2, 3]);
  assert.deepEqual(into.metrics.loss, [1, null, null]);
  assert.deepEqual(into.metrics.kl, [null, 0.1, 0.2]);
});

test("protocol guards reject malformed messages", () => {
  assert.ok(isWebviewMessage({ type: "openRollouts", runId: "/r", step: 3 }));
  assert.ok(!isWebviewMessage({ type: "openRollouts", runId: "/r", step: "3" }));
  assert.ok(!isWebviewMessage({ type: "openRollouts", runId: "/r", step: Number.POSITIVE_INFINITY }));
  assert.ok(!isWebviewMessage({ type: "runCommand", command: "x" }));
  assert.ok(!isWebviewMessage(null));
  assert.ok(isWebviewMessage({ type: "ready", restored: null }));
  assert.ok(isHostMessage({ type: "init", runs: [], view: { smoothing: 0, logScale: false, x: "step" } }));
  assert.ok(!isHostMessage({ type: "eval" }));
});
