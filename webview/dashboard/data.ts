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

export interface ViewTransform {
  x: XAxis;
  smoothing: number;
  logScale: boolean;
}

export interface TableOptions extends ViewTransform {
  /** Target buckets (about the plot width in px). */
  buckets: number;
}

/**
 * One pass over a column: false as soon as a value is neither a finite number nor null; else the
 * per-block argmin/argmax (-1 for a block without values) appended to `mins` / `maxs`.
 */
function summariseClean(col: Col, mins: number[][], maxs: number[][]): boolean {
  const n = col.length;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let s = 0; s + BLOCK <= n; s += BLOCK) {
    let mi = -1;
    let ma = -1;
    let vmin = Infinity;
    let vmax = -Infinity;
    for (let i = s; i < s + BLOCK; i++) {
      const y = col[i];
      if (y === null) continue;
      if (typeof y !== "number" || y - y !== 0) return false; // NaN and ±Infinity fail y - y === 0
      if (y < vmin) {
        vmin = y;
        mi = i;
      }
      if (y > vmax) {
        vmax = y;
        ma = i;
      }
    }
    lo.push(mi);
    hi.push(ma);
  }
  for (let i = n - (n % BLOCK); i < n; i++) {
    const y = col[i];
    if (y !== null && (typeof y !== "number" || y - y !== 0)) return false;
  }
  mins.push(lo);
  maxs.push(hi);
  return true;
}

/** Rows per block of the min/max summary. */
export const BLOCK = 32;

/**
 * One run's data for one panel, derived (x values, smoothing, stacking, log cleaning) and
 * summarised per block of BLOCK rows (first, last, min and max row of each column), kept up to
 * date incrementally: appending a point costs O(columns), and drawing 100,000 rows reads about
 * 3,000 block summaries instead of every row.
 */
export class SeriesCache {
  xs: number[] = [];
  steps: number[] = [];
  cols: Col[] = [];
  metrics: string[] = [];
  /** Source rows consumed so far. */
  private rows = 0;
  private ema: { last: number; n: number }[] = [];
  private t0: number | null = null;
  private blockMin: number[][] = [];
  private blockMax: number[][] = [];
  /**
   * x = step with no smoothing, stacking or log: `xs`, `steps` and `cols` are the source arrays
   * themselves (no copy); appends to the source extend them, and `feed` only checks and summarises.
   */
  private aliased = false;
  private noAlias = false;

  constructor(
    readonly panel: PanelDef,
    readonly view: ViewTransform,
  ) {}

  get length(): number {
    return this.xs.length;
  }

  private xOf(s: SeriesColumns, i: number): number | null {
    if (this.view.x === "step") return s.step[i];
    const t = s.time[i];
    if (t == null) return null;
    if (this.t0 == null) this.t0 = t;
    return (t - this.t0) / 1000;
  }

  /**
   * Takes in the rows of `s` not seen yet. Returns false when the cache cannot be extended
   * (rows out of x order, a metric of this panel appearing late, earlier rows changed) and has
   * to be rebuilt: `SeriesCache.build` does that, sorting rows by x.
   */
  sync(s: SeriesColumns): boolean {
    const n = s.step.length;
    if (n < this.rows) return false;
    if (this.rows === 0) {
      this.metrics = this.panel.metrics.filter((m) => s.metrics[m]?.some((v) => v != null));
      this.cols = this.metrics.map(() => []);
      this.ema = this.metrics.map(() => ({ last: 0, n: 0 }));
      this.blockMin = this.metrics.map(() => []);
      this.blockMax = this.metrics.map(() => []);
    } else {
      // a metric of this panel with its first value in the new rows: the column set changes
      for (const m of this.panel.metrics) {
        if (this.metrics.includes(m)) continue;
        const col = s.metrics[m];
        if (col) for (let i = this.rows; i < n; i++) if (col[i] != null) return false;
      }
    }
    if (this.rows === 0 && this.view.x === "step" && this.bulkLoad(s)) {
      this.rows = n;
      return true;
    }
    for (let i = this.rows; i < n; i++) if (!this.feed(s, i)) return false;
    this.rows = n;
    return true;
  }

  /**
   * The first fill, column by column (several times faster than row by row). Only for x = step
   * with steps already in order; otherwise the row path decides.
   */
  private bulkLoad(s: SeriesColumns): boolean {
    const n = s.step.length;
    const st = s.step;
    for (let i = 0; i < n; i++) {
      const x = st[i];
      if (typeof x !== "number" || !Number.isFinite(x) || (i > 0 && x < st[i - 1])) return false;
    }
    const w = this.view.smoothing;
    if (w === 0 && !this.panel.stacked && !this.view.logScale && !this.noAlias) {
      const srcs = this.metrics.map((m) => s.metrics[m]);
      const mins: number[][] = [];
      const maxs: number[][] = [];
      if (srcs.every((src) => src && src.length === n && summariseClean(src, mins, maxs))) {
        this.aliased = true;
        this.xs = st;
        this.steps = st;
        this.cols = srcs as Col[];
        this.blockMin = mins;
        this.blockMax = maxs;
        return true;
      }
    }
    this.xs = st.slice();
    this.steps = st.slice();
    let acc: Float64Array | null = null;
    let any: Uint8Array | null = null;
    if (this.panel.stacked) {
      acc = new Float64Array(n);
      any = new Uint8Array(n);
    }
    for (let c = 0; c < this.metrics.length; c++) {
      const src = s.metrics[this.metrics[c]] ?? [];
      const col: Col = new Array(n);
      const e = this.ema[c];
      for (let i = 0; i < n; i++) {
        const raw = src[i];
        let y: number | null = raw != null && Number.isFinite(raw) ? raw : null;
        if (y != null && w > 0) {
          e.last = e.last * w + (1 - w) * y;
          e.n++;
          y = e.last / (1 - Math.pow(w, e.n));
        }
        if (acc && any) {
          if (y != null) {
            acc[i] += y;
            any[i] = 1;
          }
          y = any[i] ? acc[i] : null;
        } else if (this.view.logScale && y != null && !(y > 0)) y = null;
        col[i] = y;
      }
      this.cols[c] = col;
    }
    for (let b = 0; b + BLOCK <= n; b += BLOCK) this.summarise(b, b + BLOCK);
    return true;
  }

  /** A cache holding all of `s`, rows sorted by x when they are not already. */
  static build(panel: PanelDef, view: ViewTransform, s: SeriesColumns): SeriesCache {
    const c = new SeriesCache(panel, view);
    if (c.sync(s)) return c;
    const fresh = new SeriesCache(panel, view);
    fresh.noAlias = true; // its arrays are sorted copies, which later appends do not reach
    const xs = view.x === "step" ? s.step : xValues(s, "time");
    const order = orderByX(xs);
    const sorted: SeriesColumns = { step: order.map((i) => s.step[i]), time: order.map((i) => s.time[i]), metrics: {} };
    for (const [m, col] of Object.entries(s.metrics)) sorted.metrics[m] = order.map((i) => col[i] ?? null);
    fresh.sync(sorted);
    // later appends continue from the source's row count
    fresh.rows = s.step.length;
    return fresh;
  }

  private feed(s: SeriesColumns, i: number): boolean {
    if (this.aliased) {
      // the row is already in the arrays (they are the source's): check it, then summarise
      const st = s.step;
      if (st !== this.xs || !Number.isFinite(st[i]) || (i > 0 && st[i] < st[i - 1])) return false;
      for (let c = 0; c < this.cols.length; c++) {
        const y = this.cols[c][i];
        if (y !== null && !(typeof y === "number" && Number.isFinite(y))) return false;
      }
      if ((i + 1) % BLOCK === 0) this.summarise(i + 1 - BLOCK, i + 1);
      return true;
    }
    const x = this.xOf(s, i);
    if (x == null || !Number.isFinite(x)) return true;
    const k = this.xs.length;
    if (k > 0 && x < this.xs[k - 1]) return false;
    this.xs.push(x);
    this.steps.push(s.step[i]);
    const w = this.view.smoothing;
    let acc = 0;
    let any = false;
    for (let c = 0; c < this.metrics.length; c++) {
      const raw = s.metrics[this.metrics[c]]?.[i];
      let y: number | null = raw != null && Number.isFinite(raw) ? raw : null;
      if (y != null && w > 0) {
        const e = this.ema[c];
        e.last = e.last * w + (1 - w) * y;
        e.n++;
        y = e.last / (1 - Math.pow(w, e.n));
      }
      if (this.panel.stacked) {
        if (y != null) {
          acc += y;
          any = true;
        }
        y = any ? acc : null;
      } else if (this.view.logScale && y != null && !(y > 0)) y = null;
      this.cols[c].push(y);
    }
    if ((k + 1) % BLOCK === 0) this.summarise(k + 1 - BLOCK, k + 1);
    return true;
  }

  private summarise(s: number, e: number): void {
    for (let c = 0; c < this.cols.length; c++) {
      const col = this.cols[c];
      let mi = -1;
      let ma = -1;
      for (let i = s; i < e; i++) {
        const y = col[i];
        if (y == null) continue;
        if (mi < 0 || y < (col[mi] as number)) mi = i;
        if (ma < 0 || y > (col[ma] as number)) ma = i;
      }
      this.blockMin[c].push(mi);
      this.blockMax[c].push(ma);
    }
  }

  /** Row indices to draw: everything when small, else per bucket the first, last, min and max rows. */
  keep(buckets: number): number[] {
    const n = this.xs.length;
    if (n <= Math.max(1, buckets) * 4) return Array.from({ length: n }, (_, i) => i);
    const nb = Math.floor(n / BLOCK);
    const group = Math.max(1, Math.ceil(nb / buckets));
    const out: number[] = [];
    for (let b0 = 0; b0 < nb; b0 += group) {
      const b1 = Math.min(nb, b0 + group);
      const picks = [b0 * BLOCK, b1 * BLOCK - 1];
      for (let c = 0; c < this.cols.length; c++) {
        const col = this.cols[c];
        let mi = -1;
        let ma = -1;
        for (let b = b0; b < b1; b++) {
          const a = this.blockMin[c][b];
          const z = this.blockMax[c][b];
          if (a >= 0 && (mi < 0 || (col[a] as number) < (col[mi] as number))) mi = a;
          if (z >= 0 && (ma < 0 || (col[z] as number) > (col[ma] as number))) ma = z;
        }
        if (mi >= 0) picks.push(mi);
        if (ma >= 0) picks.push(ma);
      }
      picks.sort((p, q) => p - q);
      for (const p of picks) if (out.length === 0 || out[out.length - 1] !== p) out.push(p);
    }
    for (let i = nb * BLOCK; i < n; i++) out.push(i);
    return out;
  }
}

/** Combines the runs' caches into one table (overlay: aligned on the union of drawn x values). */
export function combineTables(runs: { id: string; cache: SeriesCache }[], buckets: number): PanelTable {
  const parts = runs.filter((r) => r.cache.metrics.length > 0 && r.cache.length > 0);
  const keys = parts.flatMap((r) => r.cache.metrics.map((metric) => ({ runId: r.id, metric })));
  const rawPoints = parts.reduce((a, r) => a + r.cache.length * r.cache.metrics.length, 0);
  if (parts.length === 0) return { xs: [], cols: [], steps: [], keys, rawPoints: 0 };
  const picked = parts.map((r) => {
    const keep = r.cache.keep(buckets);
    return { xs: keep.map((i) => r.cache.xs[i]), steps: keep.map((i) => r.cache.steps[i]), cols: r.cache.cols.map((c) => keep.map((i) => c[i])) };
  });
  if (picked.length === 1) return { xs: picked[0].xs, cols: picked[0].cols, steps: [picked[0].steps], keys, rawPoints };
  const all = new Set<number>();
  for (const p of picked) for (const x of p.xs) all.add(x);
  const xs = Array.from(all).sort((a, b) => a - b);
  const pos = new Map<number, number>();
  xs.forEach((x, i) => pos.set(x, i));
  const cols: Col[] = [];
  const steps: Col[] = [];
  for (const p of picked) {
    const st: Col = new Array(xs.length).fill(null);
    const rc = p.cols.map(() => new Array(xs.length).fill(null) as Col);
    for (let i = 0; i < p.xs.length; i++) {
      const at = pos.get(p.xs[i])!;
      st[at] = p.steps[i];
      for (let k = 0; k < rc.length; k++) rc[k][at] = p.cols[k][i];
    }
    steps.push(st);
    cols.push(...rc);
  }
  return { xs, cols, steps, keys, rawPoints };
}

/** One panel's table from scratch (tests and one-off use; the webview keeps caches). */
export function panelTable(panel: PanelDef, runs: RunInput[], o: TableOptions): PanelTable {
  return combineTables(
    runs.map((r) => ({ id: r.id, cache: SeriesCache.build(panel, o, r.series) })),
    o.buckets,
  );
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
