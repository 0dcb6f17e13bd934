/**
 * Pure data shaping for the dashboard charts: which panels exist, smoothing, log-scale cleaning,
 * stacking, aligning several runs on one x axis, and min/max decimation so a chart never draws
 * more than a few points per pixel. No DOM: tested under node --test.
 */
import { METRICS, REASON_CODES } from "../../src/core/types";
import { valueAt, type ColumnsLike, type PackedColumns, type RunSummary, type SeriesColumns, type XAxis } from "./protocol";

export interface PanelDef {
  id: string;
  title: string;
  /** Metric names drawn in this panel. */
  metrics: string[];
  /** Also every metric whose name matches (minus `metrics` of other panels listed in `exclude`). */
  match?: RegExp;
  exclude?: string[];
  stacked?: boolean;
  /** Values are fractions in [0, 1]. */
  unit?: "fraction";
  /** The y axis label. */
  yLabel: string;
  /** Evaluation panels come first, in their own row. */
  group: "eval" | "train";
  /** The reason-code panel: the top reasons by share, the rest summed into one series. */
  reasons?: boolean;
  /** The panel shows only when one of these metrics has data. */
  requires?: string[];
  /** Sparse series (evaluations): draw a dot at every point. */
  dots?: boolean;
}

/** The reasons not among the top ones, summed (a derived metric of the reason panel). */
export const OTHER_REASONS = "reason/other";
/** How many reasons the reason panel draws one by one. */
export const TOP_REASONS = 5;

const EVAL_MAIN = [METRICS.evalRewardMean, "eval/reward/format_ok_rate", "eval/reward/exact_match_rate"];

export const PANELS: PanelDef[] = [
  { id: "eval-reward", title: "Held-out reward (training reward beside)", metrics: [METRICS.evalRewardMean, METRICS.rewardMean], unit: "fraction", yLabel: "mean reward", group: "eval", dots: true, requires: [METRICS.evalRewardMean] },
  { id: "eval-rates", title: "Held-out format-ok and exact-match rates", metrics: EVAL_MAIN.slice(1), unit: "fraction", yLabel: "fraction of samples", group: "eval", dots: true },
  { id: "eval-bfcl", title: "BFCL accuracy", metrics: ["eval/bfcl/overall"], match: /^eval\/bfcl\//, unit: "fraction", yLabel: "accuracy", group: "eval", dots: true },
  { id: "eval-other", title: "Other evaluations", metrics: [], match: /^eval\/(?!bfcl\/)/, exclude: [...EVAL_MAIN, "eval/samples"], yLabel: "value", group: "eval", dots: true },
  { id: "reward", title: "Training reward (mean, std)", metrics: [METRICS.rewardMean, METRICS.rewardStd], unit: "fraction", yLabel: "reward", group: "train" },
  { id: "format", title: "Format-ok rate (training)", metrics: [METRICS.formatOkRate], unit: "fraction", yLabel: "fraction of rollouts", group: "train" },
  { id: "exact", title: "Exact-match rate (training)", metrics: [METRICS.exactMatchRate], unit: "fraction", yLabel: "fraction of rollouts", group: "train" },
  { id: "reasons", title: "Reason codes (share of rollouts)", metrics: [...REASON_CODES.map((c) => `reason/${c}`), OTHER_REASONS], unit: "fraction", yLabel: "fraction of rollouts", group: "train", reasons: true },
  { id: "kl", title: "KL", metrics: [METRICS.kl], yLabel: "KL", group: "train" },
  { id: "loss", title: "Loss", metrics: [METRICS.loss], yLabel: "loss", group: "train" },
  { id: "entropy", title: "Entropy", metrics: [METRICS.entropy], yLabel: "nats", group: "train" },
  { id: "length", title: "Response length", metrics: [METRICS.responseLength], yLabel: "tokens", group: "train" },
  { id: "lr", title: "Learning rate", metrics: [METRICS.learningRate], yLabel: "learning rate", group: "train" },
  { id: "grad", title: "Grad norm", metrics: [METRICS.gradNorm], yLabel: "norm", group: "train" },
  { id: "tps", title: "Throughput (all, generation)", metrics: [METRICS.tokensPerSecond, METRICS.generationTokensPerSecond], yLabel: "tokens/s", group: "train" },
  { id: "zerovar", title: "Zero-variance groups", metrics: [METRICS.zeroVarianceGroups], unit: "fraction", yLabel: "fraction of groups", group: "train" },
  { id: "gpu", title: "GPU memory", metrics: [METRICS.gpuMemory], yLabel: "GB", group: "train" },
];

/** Readable series names (legend, CSV); other metrics keep their own name. */
export const METRIC_LABELS: Record<string, string> = {
  [METRICS.evalRewardMean]: "held-out reward",
  "eval/reward/format_ok_rate": "held-out format-ok",
  "eval/reward/exact_match_rate": "held-out exact match",
  [METRICS.rewardMean]: "training reward",
  [METRICS.rewardStd]: "reward std",
  [METRICS.formatOkRate]: "format-ok",
  [METRICS.exactMatchRate]: "exact match",
  [OTHER_REASONS]: "other reasons",
};

export function metricLabel(m: string): string {
  if (METRIC_LABELS[m]) return METRIC_LABELS[m];
  if (m.startsWith("reason/")) return m.slice(7);
  if (m.startsWith("eval/bfcl/")) return `BFCL ${m.slice(10)}`;
  return m;
}

/** The metrics of `s` this panel draws (those with at least one value). */
export function panelMetrics(panel: PanelDef, s: ColumnsLike): string[] {
  const has = (m: string) => {
    const col = s.metrics[m];
    if (col) for (let i = 0; i < col.length; i++) if (valueAt(col, i) !== null) return true;
    return false;
  };
  // the reason panel draws its derived series in their order (by share)
  if (panel.reasons) return Object.keys(s.metrics).filter((m) => panel.metrics.includes(m) && has(m));
  const out = panel.metrics.filter(has);
  if (panel.match) {
    const extra = Object.keys(s.metrics)
      .filter((m) => panel.match!.test(m) && !panel.metrics.includes(m) && !panel.exclude?.includes(m) && has(m))
      .sort();
    out.push(...extra);
  }
  return out;
}

export type Col = (number | null)[];
/** A column read but never written: plain (null for none) or packed (NaN for none). */
export type SrcCol = ArrayLike<number | null>;

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

/** Cumulative tokens (TRL's `num_tokens`); verl logs tokens per step, summed here. */
export const TOKENS_CUMULATIVE = "perf/num_tokens";
export const TOKENS_PER_STEP = "perf/total_num_tokens";

/**
 * Tokens processed so far, row by row: a cumulative counter that restarts (a new phase's trainer)
 * continues from where it was; rows without a count carry the last one (an evaluation row).
 */
export class TokenCounter {
  private base = 0;
  private prev: number | null = null;
  private sum = 0;
  at(s: ColumnsLike, i: number): number | null {
    const cum = s.metrics[TOKENS_CUMULATIVE]?.[i];
    if (cum != null && Number.isFinite(cum)) {
      if (this.prev != null && cum < this.prev) this.base += this.prev;
      this.prev = cum;
      return this.base + cum;
    }
    const per = s.metrics[TOKENS_PER_STEP]?.[i];
    if (per != null && Number.isFinite(per) && !(TOKENS_CUMULATIVE in s.metrics)) {
      this.sum += per;
      this.prev = this.sum;
      return this.sum;
    }
    return this.prev ?? (s.step[i] === 0 ? 0 : null);
  }
}

/** The x values of a run: step, seconds since its first timed point, or tokens processed. */
export function xValues(s: ColumnsLike, x: XAxis): Col {
  if (x === "step") return Array.from(s.step);
  if (x === "tokens") {
    const tc = new TokenCounter();
    return Array.from(s.step, (_, i) => tc.at(s, i));
  }
  let t0: number | null = null;
  for (let i = 0; i < s.time.length; i++) {
    const t = valueAt(s.time, i);
    if (t != null) t0 = t0 == null ? t : Math.min(t0, t);
  }
  return Array.from(s.time, (_, i) => {
    const t = valueAt(s.time, i);
    return t == null || t0 == null ? null : (t - t0) / 1000;
  });
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
 * One pass over a packed column (NaN is no value): false as soon as a value is ±Infinity; else the
 * per-block argmin/argmax (-1 for a block without values) appended to `mins` / `maxs`.
 */
function summarisePacked(col: Float64Array, mins: number[][], maxs: number[][]): boolean {
  const n = col.length;
  const blocks = Math.floor(n / BLOCK);
  const lo: number[] = new Array(blocks);
  const hi: number[] = new Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const s = b * BLOCK;
    let mi = -1;
    let ma = -1;
    let vmin = Infinity;
    let vmax = -Infinity;
    for (let i = s; i < s + BLOCK; i++) {
      const y = col[i];
      if (y !== y) continue;
      if (y - y !== 0) return false;
      if (y < vmin) {
        vmin = y;
        mi = i;
      }
      if (y > vmax) {
        vmax = y;
        ma = i;
      }
    }
    lo[b] = mi;
    hi[b] = ma;
  }
  for (let i = blocks * BLOCK; i < n; i++) {
    const y = col[i];
    if (y === y && y - y !== 0) return false;
  }
  mins.push(lo);
  maxs.push(hi);
  return true;
}

/**
 * Step columns known to be finite and in order, with how far: every panel's cache reads the same
 * run's steps, and columns only grow at the end (appendColumns), so a checked prefix stays checked.
 */
const orderedPrefix = new WeakMap<ArrayLike<number>, { n: number; last: number }>();

function stepsInOrder(st: ArrayLike<number>): boolean {
  const known = orderedPrefix.get(st);
  const from = known && known.n <= st.length && st[known.n - 1] === known.last ? known.n : 0;
  for (let i = from; i < st.length; i++) {
    const x = st[i];
    if (typeof x !== "number" || !Number.isFinite(x) || (i > 0 && x < (st[i - 1] as number))) return false;
  }
  if (st.length > 0) orderedPrefix.set(st, { n: st.length, last: st[st.length - 1] as number });
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
  /** Plain arrays this cache grows, or (aliased) the source's own columns. */
  xs: number[] | ArrayLike<number> = [];
  steps: number[] | ArrayLike<number> = [];
  cols: SrcCol[] = [];
  metrics: string[] = [];
  /** Source rows consumed so far. */
  private rows = 0;
  private ema: { last: number; n: number }[] = [];
  private t0: number | null = null;
  private blockMin: number[][] = [];
  private blockMax: number[][] = [];
  /**
   * x = step with no smoothing, stacking or log, over packed columns: `xs`, `steps` and `cols` are
   * the source's own arrays (no copy); an append makes a new, longer view of the same rows, which
   * `sync` follows, and `feed` only checks and summarises.
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

  private tokens: TokenCounter | null = null;

  private xOf(s: ColumnsLike, i: number): number | null {
    if (this.view.x === "step") return s.step[i];
    if (this.view.x === "tokens") return (this.tokens ??= new TokenCounter()).at(s, i);
    const t = valueAt(s.time, i);
    if (t == null) return null;
    if (this.t0 == null) this.t0 = t;
    return (t - this.t0) / 1000;
  }

  /**
   * Takes in the rows of `s` not seen yet. Returns false when the cache cannot be extended
   * (rows out of x order, a metric of this panel appearing late, earlier rows changed) and has
   * to be rebuilt: `SeriesCache.build` does that, sorting rows by x.
   */
  sync(s: ColumnsLike): boolean {
    const n = s.step.length;
    if (n < this.rows) return false;
    if (this.aliased && this.rows > 0) {
      // the rows seen so far are unchanged (columns only grow at the end): read the newest views
      const cols = this.metrics.map((m) => s.metrics[m]);
      if (cols.some((c) => !c || c.length !== n)) return false;
      this.xs = this.steps = s.step;
      this.cols = cols;
    }
    if (this.rows === 0) {
      this.metrics = panelMetrics(this.panel, s);
      this.cols = this.metrics.map(() => []);
      this.ema = this.metrics.map(() => ({ last: 0, n: 0 }));
      this.blockMin = this.metrics.map(() => []);
      this.blockMax = this.metrics.map(() => []);
    } else {
      // a metric of this panel with its first value in the new rows: the column set changes
      const candidates = this.panel.match ? Object.keys(s.metrics).filter((m) => this.panel.metrics.includes(m) || (this.panel.match!.test(m) && !this.panel.exclude?.includes(m))) : this.panel.metrics;
      for (const m of candidates) {
        if (this.metrics.includes(m)) continue;
        const col = s.metrics[m];
        if (col) for (let i = this.rows; i < n; i++) if (valueAt(col, i) !== null) return false;
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
  private bulkLoad(s: ColumnsLike): boolean {
    const n = s.step.length;
    const st = s.step;
    if (!stepsInOrder(st)) return false;
    const w = this.view.smoothing;
    if (w === 0 && !this.panel.stacked && !this.view.logScale && !this.noAlias) {
      const srcs = this.metrics.map((m) => s.metrics[m]);
      const mins: number[][] = [];
      const maxs: number[][] = [];
      // only packed columns (the webview's) are shared; plain ones are copied below
      const clean = (src: SrcCol | undefined) => src instanceof Float64Array && src.length === n && summarisePacked(src, mins, maxs);
      if (srcs.every(clean)) {
        this.aliased = true;
        this.xs = st;
        this.steps = st;
        this.cols = srcs as SrcCol[];
        this.blockMin = mins;
        this.blockMax = maxs;
        return true;
      }
    }
    this.xs = Array.from(st);
    this.steps = Array.from(st);
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
  static build(panel: PanelDef, view: ViewTransform, s: ColumnsLike): SeriesCache {
    const c = new SeriesCache(panel, view);
    if (c.sync(s)) return c;
    const fresh = new SeriesCache(panel, view);
    fresh.noAlias = true; // its arrays are sorted copies, which later appends do not reach
    const xs = xValues(s, view.x);
    const order = orderByX(xs);
    const sorted: SeriesColumns = { step: order.map((i) => s.step[i]), time: order.map((i) => valueAt(s.time, i)), metrics: {} };
    if (s.phase) sorted.phase = order.map((i) => s.phase![i] ?? null);
    for (const [m, col] of Object.entries(s.metrics)) sorted.metrics[m] = order.map((i) => valueAt(col, i));
    // the x values travel with the sorted copy (a token count depends on the original row order)
    if (view.x === "tokens") sorted.metrics[TOKENS_CUMULATIVE] = order.map((i) => xs[i]);
    fresh.sync(sorted);
    // later appends continue from the source's row count
    fresh.rows = s.step.length;
    return fresh;
  }

  private feed(s: ColumnsLike, i: number): boolean {
    if (this.aliased) {
      // the row is already in the arrays (they are the source's): check it, then summarise
      const st = s.step;
      if (st !== this.xs || !Number.isFinite(st[i]) || (i > 0 && st[i] < st[i - 1])) return false;
      for (let c = 0; c < this.cols.length; c++) {
        const y = this.cols[c][i];
        if (y !== null && y === y && !(typeof y === "number" && Number.isFinite(y))) return false;
      }
      if ((i + 1) % BLOCK === 0) this.summarise(i + 1 - BLOCK, i + 1);
      return true;
    }
    const x = this.xOf(s, i);
    if (x == null || !Number.isFinite(x)) return true;
    const xs = this.xs as number[];
    const k = xs.length;
    if (k > 0 && x < xs[k - 1]) return false;
    xs.push(x);
    (this.steps as number[]).push(s.step[i]);
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
      (this.cols[c] as Col).push(y);
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
        if (y == null || y !== y) continue;
        if (mi < 0 || y < (col[mi] as number)) mi = i;
        if (ma < 0 || y > (col[ma] as number)) ma = i;
      }
      this.blockMin[c].push(mi);
      this.blockMax[c].push(ma);
    }
  }

  /** `keep`'s picks of the groups of blocks already complete (they never change: rows only arrive at the end). */
  private kept: { buckets: number; group: number; groups: number; out: number[] } | null = null;

  /** Row indices to draw: everything when small, else per bucket the first, last, min and max rows. */
  keep(buckets: number): number[] {
    const n = this.xs.length;
    if (n <= Math.max(1, buckets) * 4) return Array.from({ length: n }, (_, i) => i);
    const nb = Math.floor(n / BLOCK);
    const group = Math.max(1, Math.ceil(nb / buckets));
    let k = this.kept;
    if (!k || k.group !== group || k.buckets !== buckets) k = this.kept = { buckets, group, groups: 0, out: [] };
    const full = Math.floor(nb / group);
    for (let g = k.groups; g < full; g++) this.pick(g * group, g * group + group, k.out);
    k.groups = full;
    const out = k.out.slice();
    if (full * group < nb) this.pick(full * group, nb, out);
    for (let i = nb * BLOCK; i < n; i++) out.push(i);
    return out;
  }

  /** The first, last, min and max rows of blocks [b0, b1), in row order, onto `out`. */
  private pick(b0: number, b1: number, out: number[]): void {
    const picks = [b0 * BLOCK, b1 * BLOCK - 1];
    for (let c = 0; c < this.cols.length; c++) {
      const col = this.cols[c];
      const bmin = this.blockMin[c];
      const bmax = this.blockMax[c];
      let mi = -1;
      let ma = -1;
      for (let b = b0; b < b1; b++) {
        const a = bmin[b];
        const z = bmax[b];
        if (a >= 0 && (mi < 0 || (col[a] as number) < (col[mi] as number))) mi = a;
        if (z >= 0 && (ma < 0 || (col[z] as number) > (col[ma] as number))) ma = z;
      }
      if (mi >= 0) picks.push(mi);
      if (ma >= 0) picks.push(ma);
    }
    picks.sort((p, q) => p - q);
    let last = -1;
    for (const p of picks) if (p !== last) out.push((last = p));
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
    const { xs, steps, cols } = r.cache;
    return { xs: keep.map((i) => xs[i]), steps: keep.map((i) => steps[i]), cols: cols.map((c) => keep.map((i) => valueAt(c, i))) };
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

/** What a chart last drew: its table and how many rows of each run's cache it held. */
export interface Drawn {
  table: PanelTable;
  rows: Map<string, number>;
}

/**
 * Whether the rows that arrived since `drawn` would change the chart's picture by half a pixel or
 * more (`xPx`, `yPx`: data to CSS pixels as the plot maps them now). False when every new point
 * lands within half a pixel of the right edge and of the vertical extent already drawn in the last
 * pixel column of its series, inside the y range drawn: on a long run a new step moves nothing
 * visible, and redrawing a canvas is most of a frame's work.
 */
export function changesPicture(drawn: Drawn, parts: { id: string; cache: SeriesCache }[], xPx: (x: number) => number, yPx: (y: number) => number): boolean {
  const t = drawn.table;
  const n = t.xs.length;
  if (!n || !t.cols.length) return true;
  const live = parts.filter((r) => r.cache.metrics.length > 0 && r.cache.length > 0);
  const keys = live.flatMap((r) => r.cache.metrics.map((metric) => `${r.id}\n${metric}`));
  if (keys.length !== t.keys.length || keys.some((k, i) => k !== `${t.keys[i].runId}\n${t.keys[i].metric}`)) return true;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const col of t.cols)
    for (let i = 0; i < n; i++) {
      const y = col[i];
      if (y == null) continue;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  const edge = xPx(t.xs[n - 1]);
  // the last pixel column: the drawn rows within a pixel of the right edge
  let from = n - 1;
  while (from > 0 && edge - xPx(t.xs[from - 1]) < 1) from--;
  // each series' vertical extent there, in pixels (none: a new point there would add a segment)
  const tails = t.cols.map((col) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = from; j < n; j++) {
      const v = col[j];
      if (v == null) continue;
      const p = yPx(v);
      if (p < lo) lo = p;
      if (p > hi) hi = p;
    }
    return [lo - 0.5, hi + 0.5];
  });
  let k = 0;
  for (const { id, cache } of live) {
    const seen = drawn.rows.get(id);
    if (seen === undefined || cache.length < seen) return true;
    for (let i = seen; i < cache.length; i++) {
      if (xPx(cache.xs[i]) - edge >= 0.5) return true;
      for (let c = 0; c < cache.cols.length; c++) {
        const y = valueAt(cache.cols[c], i);
        if (y === null) continue;
        if (!(y >= yMin && y <= yMax)) return true; // the y axis would change
        const p = yPx(y);
        const [lo, hi] = tails[k + c];
        if (!(p >= lo && p <= hi)) return true;
      }
    }
    k += cache.metrics.length;
  }
  return false;
}

/** One panel's table from scratch (tests and one-off use; the webview keeps caches). */
export function panelTable(panel: PanelDef, runs: RunInput[], o: TableOptions): PanelTable {
  return combineTables(
    runs.map((r) => ({ id: r.id, cache: SeriesCache.build(panel, o, r.series) })),
    o.buckets,
  );
}

/** Buffers allocated by `grown` (room to spare after their columns' rows). */
const spare = new WeakSet<ArrayBufferLike>();

/**
 * `col` with `extra` more rows: a longer view of the same buffer when it has room (rows are only
 * ever written past every view's end), else a copy into a larger buffer. Buffers that
 * came over postMessage are never written past their column (they may hold other columns). A
 * quarter more room each time: a 100,000-row column copies once per 25,000 appended rows.
 */
function grown(col: Float64Array, extra: number): Float64Array {
  const n = col.length + extra;
  if (spare.has(col.buffer) && col.byteOffset === 0 && col.buffer.byteLength >= n * 8) return new Float64Array(col.buffer, 0, n);
  const room = new Float64Array(Math.max(n, Math.ceil(col.length * 1.25), 256));
  spare.add(room.buffer);
  room.set(col);
  return room.subarray(0, n);
}

/** Appends columns to columns in place (the append message). Unknown metrics get back-filled NaN. */
export function appendColumns(into: PackedColumns, add: PackedColumns): void {
  const before = into.step.length;
  const n = add.step.length;
  if (!n) return;
  into.step = grown(into.step, n);
  into.step.set(add.step, before);
  into.time = grown(into.time, n);
  into.time.set(add.time, before);
  for (const [m, col] of Object.entries(add.metrics)) {
    if (!into.metrics[m]) into.metrics[m] = new Float64Array(before).fill(NaN);
    const dst = (into.metrics[m] = grown(into.metrics[m], n));
    dst.set(col, before);
  }
  for (const [m, dst] of Object.entries(into.metrics)) if (!(m in add.metrics)) into.metrics[m] = grown(dst, n).fill(NaN, before);
  if (add.phase || into.phase) {
    const ph = (into.phase ??= new Array(before).fill(null));
    for (let i = 0; i < n; i++) ph.push(add.phase?.[i] ?? null);
  }
}

/** Columns from points `{step, time, metrics, phase?}` (the host's shape). */
export function toColumns(points: { step: number; time: number | null; metrics: Record<string, number | null>; phase?: string }[]): SeriesColumns {
  const out: SeriesColumns = { step: [], time: [], metrics: {} };
  if (points.some((p) => p.phase)) out.phase = points.map((p) => p.phase ?? null);
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

/** Training and evaluation points in one list, ordered by step (stable: a step's training point first). */
export function mergeByStep<P extends { step: number }>(train: P[], evals: P[]): P[] {
  if (!evals.length) return train;
  const out: P[] = [];
  let j = 0;
  for (const p of train) {
    while (j < evals.length && evals[j].step < p.step) out.push(evals[j++]);
    out.push(p);
  }
  while (j < evals.length) out.push(evals[j++]);
  return out;
}

/**
 * The reason panel's data: the TOP_REASONS reasons with the largest mean share (over the rows that
 * have reasons), and the rest summed into OTHER_REASONS. Kept up to date as rows arrive; `version`
 * changes when the top set does (the chart then starts over).
 */
export class ReasonGroup {
  private sums = new Map<string, number>();
  private rows = 0;
  private counted = 0;
  private otherLen = 0;
  private other: Col | null = null;
  /** The run's columns this group was derived from (appends grow them in place). */
  private source: ColumnsLike | null = null;
  top: string[] = [];
  rest: string[] = [];
  derived: ColumnsLike = { step: [], time: [], metrics: {} };
  version = 0;

  constructor(readonly k = TOP_REASONS) {}

  /** Mean share of a reason metric so far (0 when never seen). */
  share(metric: string): number {
    if (metric === OTHER_REASONS) return this.rest.reduce((a, m) => a + this.share(m), 0);
    return this.counted ? (this.sums.get(metric) ?? 0) / this.counted : 0;
  }

  sync(s: ColumnsLike): ColumnsLike {
    const n = s.step.length;
    if (n < this.rows || s !== this.source) {
      this.sums.clear();
      this.rows = this.counted = 0;
    }
    const codes = Object.keys(s.metrics).filter((m) => m.startsWith("reason/") && m !== OTHER_REASONS);
    // column by column with indexed loops: this runs over every row of a 100k-row run on first draw
    if (codes.length) {
      const sums = codes.map((m) => this.sums.get(m) ?? 0);
      const counted = new Uint8Array(n - this.rows);
      codes.forEach((m, k) => {
        const col = s.metrics[m];
        let sum = sums[k];
        for (let i = this.rows; i < n; i++) {
          const v = col[i];
          if (v == null || !Number.isFinite(v)) continue;
          sum += v;
          counted[i - this.rows] = 1;
        }
        sums[k] = sum;
      });
      codes.forEach((m, k) => this.sums.set(m, sums[k]));
      for (let i = 0; i < counted.length; i++) this.counted += counted[i];
    }
    this.rows = n;
    const ranked = codes.filter((m) => (this.sums.get(m) ?? 0) > 0).sort((a, b) => this.sums.get(b)! - this.sums.get(a)! || a.localeCompare(b));
    // grouping a single reason would only rename it
    const top = ranked.length <= this.k + 1 ? ranked : ranked.slice(0, this.k);
    const rest = ranked.slice(top.length);
    const same = this.source === s && top.join() === this.top.join() && rest.join() === this.rest.join();
    if (!same) {
      this.source = s;
      this.top = top;
      this.rest = rest;
      this.derived = { step: s.step, time: s.time, metrics: {} };
      for (const m of top) this.derived.metrics[m] = s.metrics[m]; // legend order: top, then the rest
      this.other = rest.length ? [] : null;
      if (this.other) this.derived.metrics[OTHER_REASONS] = this.other;
      this.otherLen = 0;
      this.version++;
    }
    // the source's newest views of the same rows (a packed column grows into a new view)
    const d = this.derived;
    d.step = s.step;
    d.time = s.time;
    for (const m of top) d.metrics[m] = s.metrics[m];
    if (s.phase) d.phase = s.phase;
    const other = this.other;
    if (other) {
      const restCols = rest.map((m) => s.metrics[m]);
      for (let i = this.otherLen; i < n; i++) {
        let sum = 0;
        let any = false;
        for (let k = 0; k < restCols.length; k++) {
          const v = restCols[k][i];
          if (v != null && Number.isFinite(v)) {
            sum += v;
            any = true;
          }
        }
        other.push(any ? sum : null);
      }
    }
    this.otherLen = n;
    return this.derived;
  }
}

export interface PhaseRange {
  name: string;
  /** First and last x of the phase's rows. */
  x0: number;
  x1: number;
}

/** Consecutive rows of one phase, in x order (`xs` as the chart draws them, `phases` alongside). */
export function phaseRanges(xs: Col, phases: (string | null)[] | undefined): PhaseRange[] {
  const out: PhaseRange[] = [];
  if (!phases) return out;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const p = phases[i];
    if (x == null || !Number.isFinite(x) || !p) continue;
    const last = out[out.length - 1];
    if (last && last.name === p) {
      if (x > last.x1) last.x1 = x;
      if (x < last.x0) last.x0 = x;
    } else out.push({ name: p, x0: x, x1: x });
  }
  return out;
}

/** Display names of phases. */
export function phaseLabel(name: string): string {
  return name === "sft" ? "SFT" : name === "grpo" ? "GRPO" : name;
}

/**
 * The x range a chart shows: with a phase chosen, that phase's range; else the range where the
 * chart has data, widened to the whole of each phase it touches. Null: let the chart decide.
 */
export function chartXRange(t: PanelTable, phases: PhaseRange[], phase: string): [number, number] | null {
  if (phase !== "all") {
    const ps = phases.filter((p) => p.name === phase);
    if (!ps.length) return null;
    return [Math.min(...ps.map((p) => p.x0)), Math.max(...ps.map((p) => p.x1))];
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < t.xs.length; i++) {
    if (!anyAt(t.cols, i)) continue;
    if (t.xs[i] < lo) lo = t.xs[i];
    if (t.xs[i] > hi) hi = t.xs[i];
  }
  if (!(hi >= lo)) return null;
  for (const p of phases) {
    if (p.x1 >= lo && p.x0 <= lo) lo = Math.min(lo, p.x0);
    if (p.x0 <= hi && p.x1 >= hi) hi = Math.max(hi, p.x1);
  }
  if (hi === lo) return [lo - 1, hi + 1];
  return [lo, hi];
}

/** Whether any column has a value at row `i`. */
function anyAt(cols: Col[], i: number): boolean {
  for (let k = 0; k < cols.length; k++) if (cols[k][i] != null) return true;
  return false;
}

/** Whether a table has a value inside [x0, x1] (a chart without one collapses). */
export function hasDataIn(t: PanelTable, range: [number, number] | null): boolean {
  for (let i = 0; i < t.xs.length; i++) {
    if (range && (t.xs[i] < range[0] || t.xs[i] > range[1])) continue;
    if (anyAt(t.cols, i)) return true;
  }
  return false;
}

export interface RunStats {
  /** Best held-out reward and its step. */
  bestEval: { value: number; step: number } | null;
  /** Mean of the logged tokens/s. */
  tokensPerSecond: number | null;
}

export function runStats(s: ColumnsLike): RunStats {
  let bestEval: RunStats["bestEval"] = null;
  const ev = s.metrics[METRICS.evalRewardMean];
  if (ev) for (let i = 0; i < ev.length; i++) {
    const v = ev[i];
    if (v != null && Number.isFinite(v) && (!bestEval || v > bestEval.value)) bestEval = { value: v, step: s.step[i] };
  }
  const tps = s.metrics[METRICS.tokensPerSecond];
  let sum = 0;
  let n = 0;
  if (tps) for (let i = 0; i < tps.length; i++) {
    const v = tps[i];
    if (v != null && Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return { bestEval, tokensPerSecond: n ? sum / n : null };
}

/** Python dict reprs in older finish messages (`{'eval/reward/mean': 0.25}`), as words. */
function humaniseDicts(text: string): string {
  return text.replace(/\{('[^']+': [^,{}]+)(, '[^']+': [^,{}]+)*\}/g, (dict) =>
    [...dict.matchAll(/'([^']+)': ([^,{}]+)/g)]
      .map(([, k, v]) => {
        const num = Number(v);
        return `${metricLabel(k)} ${Number.isFinite(num) ? num.toFixed(2) : v.trim()}`;
      })
      .join(", "),
  );
}

function sentence(text: string): string {
  const t = humaniseDicts(text.trim());
  if (!t) return t;
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : s + ".";
}

const SOURCE_NAMES = { tooln1: "Tool-N1", trl: "TRL", verl: "verl" } as const;

/** `text` without a trailing period, for joining into a longer sentence. */
function clause(text: string): string {
  return humaniseDicts(text.trim()).replace(/[.\s]+$/, "");
}

/** Compares texts by their words only (case, punctuation and spacing aside). */
function words(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
}

/**
 * Where a run stands, as plain sentences that say each thing once: the trainer's finish message
 * already names the step, the cancel signal, the error's type or the OOM hint, so those parts are
 * not said again.
 */
export function statusSentence(r: RunSummary): string {
  const at = r.totalSteps ? `step ${r.step} of ${r.totalSteps}` : `step ${r.step}`;
  switch (r.status) {
    case "running":
      return `Running: ${at}${r.totalSteps ? ` (${Math.floor((100 * r.step) / r.totalSteps)}%)` : ""}.`;
    case "completed":
      return r.message ? sentence(r.message) : `Completed at ${at}.`;
    case "cancelled": {
      // "cancelled (SIGTERM or SIGINT); checkpoint saved", "cancelled during SFT", "interrupted", or
      // the extension's "the trainer was killed by SIGKILL without finishing the run"
      const rest = clause(r.message ?? "")
        .replace(/^cancell?ed\b\s*/i, "")
        .replace(/^\((?:SIG[A-Z]+(?:\s+or\s+SIG[A-Z]+)?)\)\s*/, "")
        .replace(/^[;:,]\s*/, "");
      if (/^before\b/i.test(rest)) return sentence(`cancelled ${rest}`);
      if (/^(during|in)\b/i.test(rest)) return `Cancelled ${rest} at ${at}.`;
      if (/^interrupted$/i.test(rest)) return `Interrupted at ${at}.`;
      return `Cancelled at ${at}${rest ? `; ${rest}` : ""}.`;
    }
    case "failed": {
      let head = r.message ? clause(r.message) : "";
      const oomHint = /^out of memory:/i.test(r.hint ?? "");
      const hint = r.hint ? clause(r.hint.replace(/^out of memory:\s*/i, "")) : "";
      // the OOM message points at the hint: the hint follows directly instead
      if (hint) head = head.replace(/[;,]?\s*see the hint\b.*$/i, "");
      if (!head) head = `Failed at ${at}`;
      else if (!/\bstep \d+/i.test(head)) head = `Failed at ${at}: ${head}`;
      const parts = [sentence(head)];
      if (r.error) {
        // "RuntimeError: boom" after "RuntimeError during GRPO at step 5: boom." says nothing new
        const [, type = "", detail = r.error] = /^(?:(\w+(?:Error|Exception|Interrupt)):\s*)?([\s\S]*)$/.exec(r.error.trim()) ?? [];
        const known = words(head);
        const oom = /out of memory/i.test(head) && /out of memory/i.test(r.error);
        if (!oom && !(known.includes(words(detail)) && (!type || known.includes(words(type))))) parts.push(`Error: ${clause(r.error)}.`);
      }
      if (hint) parts.push(oomHint ? `To fit, ${hint[0].toLowerCase()}${hint.slice(1)}.` : sentence(hint));
      return parts.join(" ");
    }
    default:
      return r.source === "tooln1" ? `No status recorded; last step ${r.step}.` : `${SOURCE_NAMES[r.source]} log: ${r.step} steps read.`;
  }
}

function csvCell(v: string | number | null): string {
  if (v == null) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  // a leading = + - @ would be a formula in a spreadsheet
  const t = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** RFC 4180 CSV (CRLF line ends) of a header and rows. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** A panel's full table (no decimation) as CSV: the x column, then one column per run and metric. */
export function tableCsv(t: PanelTable, xName: string, names: Map<string, string>, multiRun: boolean): string {
  const header = [xName, ...t.keys.map((k) => (multiRun ? `${names.get(k.runId) ?? k.runId} ` : "") + metricLabel(k.metric))];
  const rows = t.xs.map((x, i) => [x, ...t.cols.map((c) => c[i])]);
  return toCsv(header, rows);
}
