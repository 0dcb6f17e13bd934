/**
 * Pure data shaping for the dashboard charts: which panels exist, smoothing, log-scale cleaning,
 * stacking, aligning several runs on one x axis, and min/max decimation so a chart never draws
 * more than a few points per pixel. No DOM: tested under node --test.
 */
import { METRICS, REASON_CODES } from "../../src/core/types";
import type { SeriesColumns, XAxis } from "./protocol";

export interface PanelDef {
  id: string;
  title: string;
  /** Metric names drawn in this panel. `reason/*` panels list every reason code. */
  metrics: string[];
  stacked?: boolean;
  /** Values are fractions in [0, 1]. */
  unit?: "fraction";
}

export const PANELS: PanelDef[] = [
  { id: "reward", title: "Reward (mean, std)", metrics: [METRICS.rewardMean, METRICS.rewardStd] },
  { id: "format", title: "Format-ok rate", metrics: [METRICS.formatOkRate], unit: "fraction" },
  { id: "exact", title: "Exact-match rate", metrics: [METRICS.exactMatchRate], unit: "fraction" },
  { id: "reasons", title: "Reward by reason code", metrics: REASON_CODES.map((c) => `reason/${c}`), stacked: true, unit: "fraction" },
  { id: "kl", title: "KL", metrics: [METRICS.kl] },
  { id: "loss", title: "Loss", metrics: [METRICS.loss] },
  { id: "entropy", title: "Entropy", metrics: [METRICS.entropy] },
  { id: "length", title: "Response length (tokens)", metrics: [METRICS.responseLength] },
  { id: "lr", title: "Learning rate", metrics: [METRICS.learningRate] },
  { id: "grad", title: "Grad norm", metrics: [METRICS.gradNorm] },
  { id: "tps", title: "Tokens/s", metrics: [METRICS.tokensPerSecond] },
  { id: "zerovar", title: "Zero-variance groups", metrics: [METRICS.zeroVarianceGroups], unit: "fraction" },
  { id: "gpu", title: "GPU memory (GB)", metrics: [METRICS.gpuMemory] },
];

export type Col = (number | null)[];

/**
 * TensorBoard's debiased EMA: weight w in [0, 1). Nulls stay null and do not reset the average.
 */
export function smooth(ys: Col, w: number): Col {
  if (!(w > 0)) return ys;
  const out: Col = new Array(ys.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (y == null || !Number.isFinite(y)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * y;
    n++;
    out[i] = last / (1 - Math.pow(w, n));
  }
  return out;
}

/** For a log axis: values <= 0 (and non-finite ones) cannot be drawn and become null. */
export function positiveOnly(ys: Col): Col {
  return ys.map((y) => (y != null && Number.isFinite(y) && y > 0 ? y : null));
}

/** Cumulative sums across series (for a stacked chart); a null adds nothing. */
export function stack(cols: Col[]): Col[] {
  if (!cols.length) return [];
  const n = cols[0].length;
  const out: Col[] = [];
  let acc: number[] = new Array(n).fill(0);
  let any: boolean[] = new Array(n).fill(false);
  for (const c of cols) {
    const next = acc.slice();
    const nextAny = any.slice();
    const col: Col = new Array(n);
    for (let i = 0; i < n; i++) {
      const y = c[i];
      if (y != null && Number.isFinite(y)) {
        next[i] += y;
        nextAny[i] = true;
      }
      col[i] = nextAny[i] ? next[i] : null;
    }
    out.push(col);
    acc = next;
    any = nextAny;
  }
  return out;
}

/** The x values of a run: step, or seconds since its first timed point. */
export function xValues(s: SeriesColumns, x: XAxis): Col {
  if (x === "step") return s.step;
  let t0: number | null = null;
  for (const t of s.time) if (t != null) t0 = t0 == null ? t : Math.min(t0, t);
  return s.time.map((t) => (t == null || t0 == null ? null : (t - t0) / 1000));
}

/** Sorts rows by x (stable) and drops rows without an x. Returns row indices. */
export function orderByX(xs: Col): number[] {
  const idx: number[] = [];
  let sorted = true;
  let prev = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x == null || !Number.isFinite(x)) continue;
    if (x < prev) sorted = false;
    prev = x;
    idx.push(i);
  }
  if (!sorted) idx.sort((a, b) => (xs[a] as number) - (xs[b] as number) || a - b);
  return idx;
}

/**
 * Min/max decimation: splits the x range into `buckets` equal spans and keeps, per span, the first,
 * last, minimum and maximum row of every series. Rows are row indices into the inputs, in x order.
 */
export function decimate(xs: number[], ys: Col[], buckets: number): number[] {
  const n = xs.length;
  if (n <= buckets * 4 || buckets < 1) return Array.from({ length: n }, (_, i) => i);
  const x0 = xs[0];
  const span = xs[n - 1] - x0 || 1;
  const keep = new Uint8Array(n);
  let b = -1;
  let start = 0;
  const flush = (s: number, e: number) => {
    if (e <= s) return;
    keep[s] = 1;
    keep[e - 1] = 1;
    for (const col of ys) {
      let mi = -1;
      let ma = -1;
      for (let i = s; i < e; i++) {
        const y = col[i];
        if (y == null) continue;
        if (mi < 0 || y < (col[mi] as number)) mi = i;
        if (ma < 0 || y > (col[ma] as number)) ma = i;
      }
      if (mi >= 0) keep[mi] = 1;
      if (ma >= 0) keep[ma] = 1;
    }
  };
  for (let i = 0; i < n; i++) {
    const bi = Math.min(buckets - 1, Math.floor(((xs[i] - x0) / span) * buckets));
    if (bi !== b) {
      flush(start, i);
      start = i;
      b = bi;
    }
  }
  flush(start, n);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}

export interface RunInput {
  id: string;
  series: SeriesColumns;
}

/** uPlot's data table for one panel: x values, then one column per (run, metric). */
export interface PanelTable {
  xs: number[];
  cols: Col[];
  /** For each x, the step it came from, per run (for "open the rollouts of this step"). */
  steps: Col[];
  /** Which (run, metric) each column is. */
  keys: { runId: string; metric: string }[];
  /** Points before decimation (all runs). */
  rawPoints: number;
}

export interface TableOptions {
  x: XAxis;
  smoothing: number;
  logScale: boolean;
  /** Target buckets (about the plot width in px). */
  buckets: number;
}

/**
 * Builds one panel's table. A single run is decimated directly; several runs are aligned on the
 * union of their x values (a run has nulls where it has no point) and the result decimated.
 */
export function panelTable(panel: PanelDef, runs: RunInput[], o: TableOptions): PanelTable {
  const perRun: { id: string; xs: number[]; steps: number[]; cols: Col[]; metrics: string[] }[] = [];
  let raw = 0;
  for (const r of runs) {
    const metrics = panel.metrics.filter((m) => r.series.metrics[m]?.some((v) => v != null));
    if (!metrics.length) continue;
    const xAll = xValues(r.series, o.x);
    const order = orderByX(xAll);
    const xs = order.map((i) => xAll[i] as number);
    const steps = order.map((i) => r.series.step[i]);
    let cols = metrics.map((m) => {
      const src = r.series.metrics[m];
      const c = order.map((i) => src[i] ?? null);
      return smooth(c, o.smoothing);
    });
    if (panel.stacked) cols = stack(cols);
    if (o.logScale && !panel.stacked) cols = cols.map(positiveOnly);
    raw += xs.length * cols.length;
    perRun.push({ id: r.id, xs, steps, cols, metrics });
  }
  const keys = perRun.flatMap((r) => r.metrics.map((metric) => ({ runId: r.id, metric })));
  if (perRun.length === 0) return { xs: [], cols: [], steps: [], keys, rawPoints: 0 };
  if (perRun.length === 1) {
    const r = perRun[0];
    const keep = decimate(r.xs, r.cols, o.buckets);
    return {
      xs: keep.map((i) => r.xs[i]),
      cols: r.cols.map((c) => keep.map((i) => c[i])),
      steps: [keep.map((i) => r.steps[i])],
      keys,
      rawPoints: raw,
    };
  }
  // union of x values
  const all = new Set<number>();
  for (const r of perRun) for (const x of r.xs) all.add(x);
  const xs = Float64Array.from(all).sort();
  const pos = new Map<number, number>();
  xs.forEach((x, i) => pos.set(x, i));
  const cols: Col[] = [];
  const steps: Col[] = [];
  for (const r of perRun) {
    const st: Col = new Array(xs.length).fill(null);
    const rc = r.cols.map(() => new Array(xs.length).fill(null) as Col);
    for (let i = 0; i < r.xs.length; i++) {
      const p = pos.get(r.xs[i])!;
      st[p] = r.steps[i];
      for (let k = 0; k < rc.length; k++) rc[k][p] = r.cols[k][i];
    }
    steps.push(st);
    cols.push(...rc);
  }
  const xArr = Array.from(xs);
  const keep = decimate(xArr, cols, o.buckets);
  return {
    xs: keep.map((i) => xArr[i]),
    cols: cols.map((c) => keep.map((i) => c[i])),
    steps: steps.map((c) => keep.map((i) => c[i])),
    keys,
    rawPoints: raw,
  };
}

/** Appends columns to columns in place (the append message). Unknown metrics get back-filled nulls. */
export function appendColumns(into: SeriesColumns, add: SeriesColumns): void {
  const before = into.step.length;
  const n = add.step.length;
  for (let i = 0; i < n; i++) {
    into.step.push(add.step[i]);
    into.time.push(add.time[i] ?? null);
  }
  for (const [m, col] of Object.entries(add.metrics)) {
    let dst = into.metrics[m];
    if (!dst) {
      dst = into.metrics[m] = new Array(before).fill(null);
    }
    for (let i = 0; i < n; i++) dst.push(col[i] ?? null);
  }
  for (const [m, dst] of Object.entries(into.metrics)) if (!(m in add.metrics)) for (let i = 0; i < n; i++) dst.push(null);
}

/** Columns from points `{step, time, metrics}` (the host's shape). */
export function toColumns(points: { step: number; time: number | null; metrics: Record<string, number | null> }[]): SeriesColumns {
  const out: SeriesColumns = { step: [], time: [], metrics: {} };
  points.forEach((p, i) => {
    out.step.push(p.step);
    out.time.push(p.time);
    for (const [m, v] of Object.entries(p.metrics)) {
      const col = out.metrics[m] ?? (out.metrics[m] = new Array(i).fill(null));
      col.push(typeof v === "number" && Number.isFinite(v) ? v : null);
    }
    for (const col of Object.values(out.metrics)) if (col.length < i + 1) col.push(null);
  });
  return out;
}

/** Total points in a run (rows x metrics that have a value). */
export function pointCount(s: SeriesColumns): number {
  let n = 0;
  for (const col of Object.values(s.metrics)) for (const v of col) if (v != null) n++;
  return n;
}
