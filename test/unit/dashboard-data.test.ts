// Pure chart data shaping of the dashboard: smoothing, stacking, log cleaning, overlay alignment,
// decimation, and the typed protocol's guards.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BLOCK,
  OTHER_REASONS,
  PANELS,
  ReasonGroup,
  SeriesCache,
  appendColumns,
  changesPicture,
  chartXRange,
  combineTables,
  mergeByStep,
  panelTable,
  phaseRanges,
  positiveOnly,
  runStats,
  smooth,
  stack,
  statusSentence,
  toColumns,
  toCsv,
  xValues,
} from "../../common/dashboard/data";
import { isHostMessage, isWebviewMessage, packColumns, packRun, valueAt, type PackedColumns, type RunSummary, type SeriesColumns } from "../../common/dashboard/protocol";
import { exportBytes } from "../../src/training/exportFile";
import { METRICS, REASON_CODES } from "../../src/core/types";

/** A column of either form, as plain values (null for none). */
const plain = (c: ArrayLike<number | null>) => Array.from({ length: c.length }, (_, i) => valueAt(c, i));
const emptyPacked = (): PackedColumns => packColumns({ step: [], time: [], metrics: {} });

const cols = (n: number, f: (i: number) => number | null, name: string = METRICS.rewardMean): SeriesColumns => ({
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
  const n = 100_000;
  const s = cols(n, (i) => (i === 54_321 ? 1000 : i === 7 ? -1000 : Math.sin(i / 100)), METRICS.loss);
  const kl = PANELS.find((p) => p.id === "loss")!;
  const cache = SeriesCache.build(kl, { x: "step", smoothing: 0, logScale: false }, s);
  const keep = cache.keep(500);
  assert.ok(keep.length <= 500 * 4 + BLOCK, `kept ${keep.length}`);
  assert.ok(keep.includes(0) && keep.includes(n - 1));
  assert.ok(keep.includes(54_321), "the spike survives");
  assert.ok(keep.includes(7), "the dip survives");
  assert.deepEqual(keep, [...keep].sort((a, b) => a - b), "in x order");
  const small = SeriesCache.build(kl, { x: "step", smoothing: 0, logScale: false }, cols(3, (i) => i, METRICS.loss));
  assert.deepEqual(small.keep(500), [0, 1, 2]);
});

test("a cache extended point by point equals one built at once (smoothing, stacking, log)", () => {
  const reasons = PANELS.find((p) => p.id === "reasons")!;
  const loss = PANELS.find((p) => p.id === "loss")!;
  const full: SeriesColumns = { step: [], time: [], metrics: { "reason/ok": [], "reason/bad_json": [], loss: [] } };
  for (let i = 0; i < 1000; i++) {
    full.step.push(i + 1);
    full.time.push(5000 + i * 100);
    full.metrics["reason/ok"].push(i % 7 === 0 ? null : (i % 10) / 10);
    full.metrics["reason/bad_json"].push(1 - (i % 10) / 10);
    full.metrics.loss.push(i % 5 === 0 ? -1 : 1 / (i + 1));
  }
  for (const [panel, view] of [
    [reasons, { x: "step", smoothing: 0.5, logScale: false }],
    [loss, { x: "time", smoothing: 0.3, logScale: true }],
    [loss, { x: "step", smoothing: 0, logScale: false }], // shares the source arrays
  ] as const) {
    const once = SeriesCache.build(panel, view, full);
    // `once` from plain columns, `live` from packed appends (the webview's form): the same data
    const live = new SeriesCache(panel, view);
    const grow = emptyPacked();
    for (let i = 0; i < 1000; i += 37) {
      const j = Math.min(1000, i + 37);
      appendColumns(
        grow,
        packColumns({
          step: full.step.slice(i, j),
          time: full.time.slice(i, j),
          metrics: Object.fromEntries(Object.entries(full.metrics).map(([k, v]) => [k, v.slice(i, j)])),
        }),
      );
      assert.ok(live.sync(grow));
    }
    assert.deepEqual(Array.from(live.xs), once.xs);
    assert.deepEqual(live.cols.map(plain), once.cols.map(plain));
    assert.deepEqual(live.keep(50), once.keep(50));
  }
  // the shared-array cache: built on the growing source, then extended by appends (each append a
  // new, longer view of the columns: the cache follows it instead of starting over)
  const grow = packColumns({ step: full.step.slice(0, 500), time: full.time.slice(0, 500), metrics: { loss: full.metrics.loss.slice(0, 500) } });
  const shared = SeriesCache.build(loss, { x: "step", smoothing: 0, logScale: false }, grow);
  for (let i = 500; i < 1000; i += 100) {
    appendColumns(grow, packColumns({ step: full.step.slice(i, i + 100), time: full.time.slice(i, i + 100), metrics: { loss: full.metrics.loss.slice(i, i + 100) } }));
    assert.ok(shared.sync(grow));
    assert.equal(shared.cols[0], grow.metrics.loss, "aliases the newest view");
  }
  const whole = SeriesCache.build(loss, { x: "step", smoothing: 0, logScale: false }, { step: full.step.slice(), time: full.time.slice(), metrics: { loss: full.metrics.loss.slice() } });
  assert.deepEqual(shared.keep(50), whole.keep(50));
  assert.deepEqual(shared.cols.map(plain), whole.cols.map(plain));
  // NaN is "no value" in a packed column: kept aliased, never picked for drawing
  appendColumns(grow, packColumns({ step: Array.from({ length: 64 }, (_, i) => 1001 + i), time: new Array(64).fill(null), metrics: { loss: new Array(64).fill(null) } }));
  assert.ok(shared.sync(grow));
  const picked = combineTables([{ id: "r", cache: shared }], 50).cols[0];
  assert.ok(picked.every((v) => v === null || Number.isFinite(v)), "no NaN reaches the chart");
  // an infinite value appended to a shared column forces a rebuild rather than being drawn
  appendColumns(grow, packColumns({ step: [2000], time: [null], metrics: { loss: [Number.POSITIVE_INFINITY] } }));
  assert.equal(shared.sync(grow), false);
});

test("packed columns grow in place: old views keep their rows; a buffer that came over postMessage is never written past its column", () => {
  // two columns in one buffer, as a transfer may deliver them
  const buf = new ArrayBuffer(4 * 8);
  const into: PackedColumns = { step: new Float64Array([1, 2]), time: new Float64Array([NaN, NaN]), metrics: { a: new Float64Array(buf, 0, 2), b: new Float64Array(buf, 16, 2) } };
  into.metrics.a.set([10, 11]);
  into.metrics.b.set([20, 21]);
  const oldA = into.metrics.a;
  appendColumns(into, packColumns({ step: [3], time: [null], metrics: { a: [12] } }));
  assert.deepEqual(Array.from(into.metrics.b.subarray(0, 2)), [20, 21], "b's rows untouched");
  assert.deepEqual(plain(into.metrics.b), [20, 21, null], "a metric missing from the append gets no value");
  assert.deepEqual(Array.from(oldA), [10, 11], "the old view still reads its rows");
  assert.deepEqual(Array.from(into.metrics.a), [10, 11, 12]);
  // later appends reuse the room of the grown buffer: the same buffer, longer views
  const room = into.metrics.a.buffer;
  for (let s = 4; s < 40; s++) appendColumns(into, packColumns({ step: [s], time: [s * 1000], metrics: { a: [s + 9], c: [s] } }));
  assert.equal(into.metrics.a.buffer, room);
  assert.equal(into.step.length, 39);
  assert.deepEqual(plain(into.metrics.c).slice(0, 4), [null, null, null, 4], "a late metric is back-filled with no value");
  assert.deepEqual(Array.from(into.step.subarray(35)), [36, 37, 38, 39]);
  assert.equal(into.time[38], 39_000);
});

test("decimation of a growing run equals decimating it afresh after every append (kept groups reused)", () => {
  const reward = PANELS.find((p) => p.id === "reward")!;
  const v = { x: "step", smoothing: 0, logScale: false } as const;
  const y = (i: number) => (i % 97 === 0 ? null : Math.sin(i / 37) + (i % 13) / 50);
  const all = { step: Array.from({ length: 20_000 }, (_, i) => i + 1), time: new Array(20_000).fill(null), metrics: { [METRICS.rewardMean]: Array.from({ length: 20_000 }, (_, i) => y(i)), [METRICS.rewardStd]: Array.from({ length: 20_000 }, (_, i) => y(i + 5) ?? 0) } };
  const slice = (a: number, b: number) => packColumns({ step: all.step.slice(a, b), time: all.time.slice(a, b), metrics: Object.fromEntries(Object.entries(all.metrics).map(([m, c]) => [m, c.slice(a, b)])) });
  const grow = slice(0, 1000);
  // one chart width per cache, as in the webview (a chart's cache is asked for its own width)
  const lives = [50, 120].map((buckets) => ({ buckets, cache: SeriesCache.build(reward, v, grow) }));
  let checked = 0;
  for (let i = 1000; i < 20_000; i += 333) {
    appendColumns(grow, slice(i, Math.min(20_000, i + 333)));
    const fresh = SeriesCache.build(reward, v, slice(0, grow.step.length));
    for (const { buckets, cache } of lives) {
      assert.ok(cache.sync(grow));
      assert.deepEqual(cache.keep(buckets), fresh.keep(buckets), `rows ${grow.step.length}, ${buckets} buckets`);
    }
    checked++;
  }
  assert.ok(checked > 50);
});

test("a live redraw is skipped only when the new points land on pixels already drawn", () => {
  const loss = PANELS.find((p) => p.id === "loss")!;
  const v = { x: "step", smoothing: 0, logScale: false } as const;
  const y = (i: number) => Math.sin(i / 500) + 2;
  /** `count` rows from row `a` on. */
  const rows = (a: number, count: number, f = y) => packColumns({ step: Array.from({ length: count }, (_, i) => a + i + 1), time: new Array(count).fill(null), metrics: { loss: Array.from({ length: count }, (_, i) => f(a + i)) } });
  // a chart 600 px wide and 200 px high over the data drawn, as uPlot maps it (y grows downwards)
  const picture = (s: PackedColumns) => {
    const cache = SeriesCache.build(loss, v, s);
    const table = combineTables([{ id: "r", cache }], 600);
    const xs = table.xs;
    const ys = table.cols[0].filter((q): q is number => q !== null);
    const [x0, x1, y0, y1] = [xs[0], xs[xs.length - 1], Math.min(...ys), Math.max(...ys)];
    const xPx = (x: number) => ((x - x0) / (x1 - x0)) * 600;
    const yPx = (q: number) => 200 - ((q - y0) / (y1 - y0)) * 200;
    return { cache, drawn: { table, rows: new Map([["r", cache.length]]) }, xPx, yPx };
  };
  const after = (n: number, add: PackedColumns) => {
    const s = rows(0, n);
    const p = picture(s);
    appendColumns(s, add);
    assert.ok(p.cache.sync(s));
    return changesPicture(p.drawn, [{ id: "r", cache: p.cache }], p.xPx, p.yPx);
  };
  assert.equal(after(100_000, rows(100_000, 1)), false, "100,000 steps: the next one moves nothing by half a pixel");
  assert.equal(after(100_000, rows(100_000, 3)), false, "nor do three (a tenth of a pixel up each)");
  assert.equal(after(100_000, rows(100_000, 100)), true, "a hundred steps move the right edge");
  assert.equal(after(100_000, rows(100_000, 1, () => 1.5)), true, "a value off the last pixel column's extent draws a spike");
  assert.equal(after(100_000, rows(100_000, 1, () => 9)), true, "a value past the y range changes the axis");
  assert.equal(after(300, rows(300, 1)), true, "300 steps: each new one is two pixels to the right");
  // another run's points appear: the table's series change
  const s = rows(0, 100_000);
  const p = picture(s);
  const other = SeriesCache.build(loss, v, rows(0, 10));
  assert.equal(changesPicture(p.drawn, [{ id: "r", cache: p.cache }, { id: "q", cache: other }], p.xPx, p.yPx), true);
});

test("a cache refuses rows that go back in x and a metric that appears late; build sorts", () => {
  const lossPanel = PANELS.find((p) => p.id === "loss")!;
  const v = { x: "step", smoothing: 0, logScale: false } as const;
  const s = packColumns({ step: [1, 2], time: [null, null], metrics: { loss: [1, 2] } });
  const c = SeriesCache.build(lossPanel, v, s);
  appendColumns(s, packColumns({ step: [1.5], time: [null], metrics: { loss: [9] } }));
  assert.equal(c.sync(s), false);
  assert.deepEqual(SeriesCache.build(lossPanel, v, s).xs, [1, 1.5, 2]);
  const reward = PANELS.find((p) => p.id === "reward")!;
  const r = packColumns({ step: [1], time: [null], metrics: { [METRICS.rewardMean]: [1] } });
  const rc = SeriesCache.build(reward, v, r);
  appendColumns(r, packColumns({ step: [2], time: [null], metrics: { [METRICS.rewardStd]: [0.5] } }));
  assert.equal(rc.sync(r), false, "reward/std appeared: the column set changes");
});

test("one run: the table has x, the panel's metrics, and steps for clicks", () => {
  const s = cols(5, (i) => i / 10);
  s.metrics[METRICS.rewardStd] = [0.1, 0.1, null, 0.1, 0.1];
  const t = panelTable(PANELS.find((p) => p.id === "reward")!, [{ id: "r", series: s }], { x: "step", smoothing: 0, logScale: false, buckets: 400 });
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
  const t = panelTable(PANELS.find((p) => p.id === "reward")!, [
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
  const into = packColumns(toColumns([{ step: 1, time: null, metrics: { loss: 1 } }]));
  appendColumns(into, packColumns(toColumns([{ step: 2, time: 5, metrics: { kl: 0.1 } }, { step: 3, time: 6, metrics: { kl: 0.2, loss: Number.NaN } }])));
  assert.deepEqual(Array.from(into.step), [1, 2, 3]);
  assert.deepEqual(plain(into.time), [null, 5, 6]);
  assert.deepEqual(plain(into.metrics.loss), [1, null, null]);
  assert.deepEqual(plain(into.metrics.kl), [null, 0.1, 0.2]);
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
  // runs travel packed; plain arrays, ragged columns or a non-numeric column are refused
  const summary: RunSummary = { id: "/r", label: "r", source: "tooln1", status: "running", step: 2, totalSteps: null, live: true, garbage: 0, method: "grpo", model: "m", rolloutSteps: [] };
  const series: SeriesColumns = { step: [1, 2], time: [null, 5], metrics: { loss: [1, null] }, phase: ["sft", null] };
  const run = packRun({ ...summary, series });
  assert.ok(isHostMessage({ type: "addRun", run }));
  assert.ok(isHostMessage({ type: "append", runId: "/r", points: run.series }));
  assert.ok(!isHostMessage({ type: "addRun", run: { ...summary, series } }), "plain arrays");
  assert.ok(!isHostMessage({ type: "append", runId: "/r", points: { ...run.series, metrics: { loss: new Float64Array(3) } } }), "ragged");
  assert.ok(!isHostMessage({ type: "append", runId: "/r", points: { ...run.series, metrics: { loss: ["1", "2"] } } }), "strings");
  assert.ok(!isHostMessage({ type: "append", runId: "/r", points: { ...run.series, phase: ["sft"] } }), "short phase column");
  assert.deepEqual(plain(run.series.time), [null, 5]);
  assert.deepEqual(run.series.phase, ["sft", null]);
});

test("training and evaluation points merge by step; phases travel as a column", () => {
  type P = { step: number; time: number | null; metrics: Record<string, number | null>; phase: string };
  const train: P[] = [1, 2, 3].map((step) => ({ step, time: null, metrics: { loss: step }, phase: step < 3 ? "sft" : "grpo" }));
  const evals: P[] = [0, 2, 3].map((step) => ({ step, time: null, metrics: { "eval/reward/mean": step / 10 }, phase: step < 3 ? "sft" : "grpo" }));
  const merged = mergeByStep(train, evals);
  assert.deepEqual(merged.map((p) => p.step), [0, 1, 2, 2, 3, 3]);
  const c = toColumns(merged);
  assert.deepEqual(c.phase, ["sft", "sft", "sft", "sft", "grpo", "grpo"]);
  assert.deepEqual(c.metrics.loss, [null, 1, 2, null, 3, null]);
  const packed = packColumns(c);
  appendColumns(packed, packColumns(toColumns([{ step: 4, time: null, metrics: { loss: 4 }, phase: "grpo" }])));
  assert.equal(packed.phase?.at(-1), "grpo");
  assert.equal(packed.phase?.length, packed.step.length);
  assert.equal(toColumns([{ step: 1, time: null, metrics: {} }]).phase, undefined, "no phase column when no point knows one");
});

test("phase ranges, and the x range a chart shows (its data's phases, or the chosen phase)", () => {
  const xs = [0, 1, 2, 3, 4, 5];
  const phases = ["sft", "sft", "sft", "grpo", "grpo", "grpo"];
  const ranges = phaseRanges(xs, phases);
  assert.deepEqual(ranges, [
    { name: "sft", x0: 0, x1: 2 },
    { name: "grpo", x0: 3, x1: 5 },
  ]);
  const table = (cols: (number | null)[][]) => ({ xs, cols, steps: [xs], keys: cols.map((_, i) => ({ runId: "r", metric: `m${i}` })), rawPoints: 0 });
  assert.deepEqual(chartXRange(table([[null, null, null, null, 0.5, 0.6]]), ranges, "all"), [3, 5], "a GRPO-only metric spans GRPO");
  assert.deepEqual(chartXRange(table([[null, 1, null, null, 0.5, null]]), ranges, "all"), [0, 5]);
  assert.deepEqual(chartXRange(table([[1, 1, 1, 1, 1, 1]]), ranges, "sft"), [0, 2]);
  assert.equal(chartXRange(table([[1, 1, 1, 1, 1, 1]]), ranges, "rl"), null);
  assert.deepEqual(chartXRange(table([[1, 1, 1, 1, 1, 1]]), [], "all"), [0, 5], "no phases: the data's range");
});

test("x by tokens: a counter that restarts continues from its last value; rows without one carry it", () => {
  const s: SeriesColumns = {
    step: [0, 1, 2, 2, 3, 4],
    time: [null, null, null, null, null, null],
    metrics: { "perf/num_tokens": [null, 100, 200, null, 50, 120] },
  };
  assert.deepEqual(xValues(s, "tokens"), [0, 100, 200, 200, 250, 320]);
  const verl: SeriesColumns = { step: [1, 2, 3], time: [null, null, null], metrics: { "perf/total_num_tokens": [10, 20, 30] } };
  assert.deepEqual(xValues(verl, "tokens"), [10, 30, 60]);
  const loss = PANELS.find((p) => p.id === "loss")!;
  const withLoss = { ...s, metrics: { ...s.metrics, loss: [null, 1, 2, null, 3, 4] } };
  assert.deepEqual(SeriesCache.build(loss, { x: "tokens", smoothing: 0, logScale: false }, withLoss).xs, [0, 100, 200, 200, 250, 320]);
});

test("reason group: the top reasons by mean share, the rest summed; kept up to date as rows arrive", () => {
  const codes = REASON_CODES.slice(0, 8);
  const s: SeriesColumns = { step: [], time: [], metrics: Object.fromEntries(codes.map((c) => [`reason/${c}`, []])) };
  const add = (row: number[]) => {
    s.step.push(s.step.length + 1);
    s.time.push(null);
    codes.forEach((c, i) => s.metrics[`reason/${c}`].push(row[i]));
  };
  add([0.4, 0.2, 0.1, 0.1, 0.08, 0.06, 0.04, 0.02]);
  const g = new ReasonGroup(5);
  let d = g.sync(s);
  assert.deepEqual(Object.keys(d.metrics), [...codes.slice(0, 5).map((c) => `reason/${c}`), OTHER_REASONS]);
  assert.deepEqual(plain(d.metrics[OTHER_REASONS]).map((v) => +v!.toFixed(6)), [0.12]);
  assert.equal(+g.share(OTHER_REASONS).toFixed(6), 0.12);
  const v = g.version;
  add([0.4, 0.2, 0.1, 0.1, 0.08, 0.06, 0.04, 0.02]);
  d = g.sync(s);
  assert.equal(g.version, v, "same top set: extended, not rebuilt");
  assert.equal(d.metrics[OTHER_REASONS].length, 2);
  // a grouped reason overtakes: the top set changes
  add([0, 0, 0, 0, 0, 0, 0, 5]);
  d = g.sync(s);
  assert.notEqual(g.version, v);
  assert.equal(Object.keys(d.metrics)[0], `reason/${codes[7]}`);
  assert.equal(d.metrics[OTHER_REASONS].length, 3);
  // six reasons: all drawn (grouping one would only rename it)
  const six = new ReasonGroup(5);
  const s6: SeriesColumns = { step: [1], time: [null], metrics: Object.fromEntries(codes.slice(0, 6).map((c) => [`reason/${c}`, [0.1]])) };
  assert.equal(Object.keys(six.sync(s6).metrics).length, 6);
  assert.ok(!(OTHER_REASONS in six.sync(s6).metrics));
  // packed columns (the webview's): appends make new views of the same rows, not a new top set
  const packed = packColumns({ step: [1], time: [null], metrics: Object.fromEntries(codes.map((c, i) => [`reason/${c}`, [0.4 / (i + 1)]])) });
  const pg = new ReasonGroup(5);
  pg.sync(packed);
  const pv = pg.version;
  for (let k = 2; k <= 5; k++) appendColumns(packed, packColumns({ step: [k], time: [null], metrics: Object.fromEntries(codes.map((c, i) => [`reason/${c}`, [0.4 / (i + 1)]])) }));
  const pd = pg.sync(packed);
  assert.equal(pg.version, pv, "same top set after appends");
  assert.equal(pd.step, packed.step, "follows the newest view");
  assert.equal(pd.metrics[`reason/${codes[0]}`].length, 5);
  assert.deepEqual(plain(pd.metrics[OTHER_REASONS]).map((v) => +v!.toFixed(6)), Array(5).fill(+(0.4 / 6 + 0.4 / 7 + 0.4 / 8).toFixed(6)));
});

test("run stats for the comparison table: best held-out reward and mean tokens/s", () => {
  const s: SeriesColumns = {
    step: [0, 1, 2, 3],
    time: [null, null, null, null],
    metrics: { [METRICS.evalRewardMean]: [0.1, null, 0.6, 0.5], [METRICS.tokensPerSecond]: [null, 100, 300, null] },
  };
  assert.deepEqual(runStats(s), { bestEval: { value: 0.6, step: 2 }, tokensPerSecond: 200 });
  assert.deepEqual(runStats({ step: [], time: [], metrics: {} }), { bestEval: null, tokensPerSecond: null });
});

test("status sentences: finish (older dict messages in words), failure with error and hint, running, foreign logs", () => {
  const base: RunSummary = { id: "/r", label: "r", source: "tooln1", status: "completed", step: 12, totalSteps: 40, live: false, garbage: 0, method: "grpo", model: "m", rolloutSteps: [] };
  assert.equal(statusSentence({ ...base, message: "finished at step 12; {'eval/reward/mean': 0.25}" }), "Finished at step 12; held-out reward 0.25.");
  assert.equal(statusSentence({ ...base, message: undefined }), "Completed at step 12 of 40.");
  assert.equal(statusSentence({ ...base, status: "running" }), "Running: step 12 of 40 (30%).");
  assert.equal(statusSentence({ ...base, status: "unknown", source: "verl", totalSteps: null }), "verl log: 12 steps read.");
});

test("status sentences say each thing once: the trainer's cancel, failure and OOM messages", () => {
  const base: RunSummary = { id: "/r", label: "r", source: "tooln1", status: "cancelled", step: 69, totalSteps: 300, live: false, garbage: 0, method: "grpo", model: "m", rolloutSteps: [] };
  const cases: [Partial<RunSummary>, string][] = [
    // the trainer's run_finished messages (trainer/src/tooln1/train.py)
    [{ message: "cancelled (SIGTERM or SIGINT); checkpoint saved" }, "Cancelled at step 69 of 300; checkpoint saved."],
    [{ message: "cancelled (SIGTERM); checkpoint saved" }, "Cancelled at step 69 of 300; checkpoint saved."],
    [{ message: "cancelled during SFT" }, "Cancelled during SFT at step 69 of 300."],
    [{ message: "cancelled before training started", step: 0 }, "Cancelled before training started."],
    [{ message: "interrupted" }, "Interrupted at step 69 of 300."],
    [{ message: undefined }, "Cancelled at step 69 of 300."],
    // the extension's, when the trainer was killed before it could say anything
    [{ message: "the trainer was killed by SIGKILL without finishing the run" }, "Cancelled at step 69 of 300; the trainer was killed by SIGKILL without finishing the run."],
    [{ status: "completed", message: "Finished at step 300; held-out reward 0.42 on 64 samples, exact match 30%." }, "Finished at step 300; held-out reward 0.42 on 64 samples, exact match 30%."],
    [{ status: "completed", message: undefined, step: 300 }, "Completed at step 300 of 300."],
    [
      { status: "failed", message: "RuntimeError during GRPO at step 69: boom.", error: "RuntimeError: boom" },
      "RuntimeError during GRPO at step 69: boom.",
    ],
    [
      { status: "failed", message: "ValueError during SFT at step 3: bad shape.", error: "KeyError: 'prompt'" },
      "ValueError during SFT at step 3: bad shape. Error: KeyError: 'prompt'.",
    ],
    [
      {
        status: "failed",
        message: "Out of memory during GRPO at step 69; see the hint for settings to lower.",
        error: "OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
        hint: "out of memory: lower grpo.per_device_batch_size (now 8) and raise grpo.gradient_accumulation_steps, or set gradient_checkpointing: true",
      },
      "Out of memory during GRPO at step 69. To fit, lower grpo.per_device_batch_size (now 8) and raise grpo.gradient_accumulation_steps, or set gradient_checkpointing: true.",
    ],
    [{ status: "failed", message: "the trainer exited with code 1 without finishing the run" }, "Failed at step 69 of 300: the trainer exited with code 1 without finishing the run."],
    [{ status: "failed", message: "pre-flight refused the run", error: "grpo.num_generations must divide the batch", step: 0 }, "Failed at step 0 of 300: pre-flight refused the run. Error: grpo.num_generations must divide the batch."],
    [{ status: "failed", message: undefined }, "Failed at step 69 of 300."],
  ];
  for (const [over, want] of cases) {
    const got = statusSentence({ ...base, ...over });
    assert.equal(got, want);
    // no word group of three or more said twice
    const w = got.toLowerCase().match(/[a-z0-9]+/g) ?? [];
    const seen = new Set<string>();
    for (let i = 0; i + 3 <= w.length; i++) {
      const g = w.slice(i, i + 3).join(" ");
      assert.ok(!seen.has(g), `"${g}" is said twice in: ${got}`);
      seen.add(g);
    }
  }
});

test("CSV: quoted where needed, formulas defused, empty cells for missing values", () => {
  assert.equal(toCsv(["step", 'a "b", c', "=cmd"], [[1, 0.5, null], [2, Number.NaN, 3]]), 'step,"a ""b"", c",\'=cmd\r\n1,0.5,\r\n2,,3\r\n');
});

test("export bytes: a PNG data URL becomes the PNG, anything else is refused with a reason", () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]);
  assert.deepEqual(exportBytes("png", "data:image/png;base64," + png.toString("base64")), png);
  assert.match(String(exportBytes("png", "data:text/html;base64,PGI+")), /no PNG data/);
  assert.match(String(exportBytes("png", "data:image/png;base64,PGI+")), /not a PNG/);
  assert.equal(Buffer.from(exportBytes("csv", "a,b\r\n") as Uint8Array).toString(), "a,b\r\n");
});

test("webview messages: openRollouts with reasons and export are checked", () => {
  assert.ok(isWebviewMessage({ type: "openRollouts", runId: "/r", step: 3, reasons: ["wrong_name"] }));
  assert.ok(!isWebviewMessage({ type: "openRollouts", runId: "/r", step: 3, reasons: [1] }));
  assert.ok(isWebviewMessage({ type: "export", format: "csv", name: "a.csv", data: "x" }));
  assert.ok(!isWebviewMessage({ type: "export", format: "svg", name: "a.svg", data: "x" }));
});
