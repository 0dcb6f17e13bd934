// The run dashboard webview: live uPlot charts of one or more runs (browser code only).
// All text from runs (labels, messages) goes in with textContent, never as HTML. Every color comes
// from the VS Code theme's CSS variables (read again when the theme changes).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./dashboard.css";
import { vscodeApi } from "../vscodeApi";
import {
  OTHER_REASONS,
  PANELS,
  ReasonGroup,
  SeriesCache,
  TokenCounter,
  appendColumns,
  changesPicture,
  chartXRange,
  combineTables,
  hasDataIn,
  metricLabel,
  phaseLabel,
  runStats,
  statusSentence,
  tableCsv,
  type Drawn,
  type PanelDef,
  type PanelTable,
  type PhaseRange,
} from "../../common/dashboard/data";
import {
  DEFAULT_VIEW,
  isHostMessage,
  type HostMessage,
  type ColumnsLike,
  type PackedRun,
  type PersistedState,
  type RunSummary,
  type ViewOptions,
  type WebviewMessage,
  type XAxis,
  valueAt,
} from "../../common/dashboard/protocol";

const vscode = vscodeApi<WebviewMessage, PersistedState>();
const runs = new Map<string, PackedRun>();
let view: ViewOptions = { ...DEFAULT_VIEW };
let totalPoints = 0;
/** Each run's palette slot (stable while the run is shown, and across reloads). */
let colorSlots: Record<string, number> = {};
const reasonGroups = new Map<string, ReasonGroup>();

const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
const X_NAMES: Record<XAxis, string> = { step: "step", time: "wall time (s)", tokens: "tokens" };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

function persist(): void {
  vscode.setState({ runIds: [...runs.keys()], view, colors: colorSlots });
}

// ---- theme --------------------------------------------------------------------------------

interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  band: string;
  font: string;
  palette: string[];
}

function readTheme(): Theme {
  const cs = getComputedStyle(document.documentElement);
  const v = (n: string, fallback: string) => cs.getPropertyValue(n).trim() || fallback;
  const size = v("--vscode-font-size", "13px");
  const family = v("--vscode-font-family", "sans-serif");
  return {
    fg: v("--fg", "#333"),
    muted: v("--muted", "#777"),
    grid: v("--grid", "rgba(128,128,128,0.35)"),
    bg: v("--bg", "#fff"),
    band: v("--band", "rgba(128,128,128,0.12)"),
    font: `${parseInt(size, 10) - 1 || 12}px ${family}`,
    palette: [1, 2, 3, 4, 5, 6].map((i) => v(`--c${i}`, "#888")),
  };
}
let theme = readTheme();

function colorOf(runId: string, metricIdx: number): string {
  const p = theme.palette;
  if (runs.size > 1) return p[(colorSlots[runId] ?? 0) % p.length];
  return p[metricIdx % p.length];
}

function assignColors(): void {
  const used = new Set<number>();
  for (const id of runs.keys()) if (colorSlots[id] != null) used.add(colorSlots[id]);
  for (const id of runs.keys()) {
    if (colorSlots[id] != null) continue;
    let slot = 0;
    while (used.has(slot)) slot++;
    colorSlots[id] = slot;
    used.add(slot);
  }
}

/** Run names as shown: the folder name, with its parent's when two runs share one. */
function runNames(): Map<string, string> {
  const base = (id: string) => id.split(/[\\/]/).filter(Boolean);
  const out = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const r of runs.values()) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  for (const r of runs.values()) {
    const parts = base(r.id);
    out.set(r.id, (counts.get(r.label) ?? 0) > 1 && parts.length > 1 ? `${parts[parts.length - 2]}/${r.label}` : r.label);
  }
  return out;
}

// ---- layout -------------------------------------------------------------------------------

const root = document.getElementById("app") ?? document.body;
const toolbar = el("div", "toolbar");
const runTable = el("table", "runs");
runTable.id = "runs";
const status = el("div", "status");
status.setAttribute("role", "alert");
const notRecorded = el("div", "not-recorded");
notRecorded.id = "not-recorded";
notRecorded.hidden = true;
const evalHead = el("h2", "group-title", "Evaluation");
const evalGrid = el("div", "grid eval");
const trainHead = el("h2", "group-title", "Training");
evalHead.hidden = trainHead.hidden = true;
const grid = el("div", "grid train");
const pointCountEl = el("span", "point-count", "0");
pointCountEl.id = "point-count";
root.append(toolbar, runTable, status, evalHead, evalGrid, trainHead, grid, notRecorded);

function control(label: string, input: HTMLElement): HTMLLabelElement {
  const l = el("label", "control", label);
  l.append(input);
  return l;
}
const smoothInput = el("input");
smoothInput.type = "range";
smoothInput.min = "0";
smoothInput.max = "0.99";
smoothInput.step = "0.01";
smoothInput.id = "smoothing";
const smoothValue = el("span", "value", "0");
const smoothLabel = control("Smoothing", smoothInput);
smoothLabel.append(smoothValue);
const logInput = el("input");
logInput.type = "checkbox";
logInput.id = "log-scale";
const xSelect = el("select");
xSelect.id = "x-axis";
for (const [v, t] of Object.entries(X_NAMES)) {
  const o = el("option", "", t);
  o.value = v;
  xSelect.append(o);
}
const phaseSelect = el("select");
phaseSelect.id = "phase";
const addBtn = el("button", "secondary", "Add run…");
addBtn.id = "add-run";
addBtn.title = "Overlay another run folder: Tool-N1, a TRL output folder or a verl file-logger log";
const pointsLabel = el("span", "points", "points: ");
pointsLabel.append(pointCountEl);
toolbar.append(control("Phase", phaseSelect), control("X axis", xSelect), smoothLabel, control("Log scale", logInput), addBtn, pointsLabel);

let knownPhases: string[] = [];
function syncPhaseOptions(): void {
  const names: string[] = [];
  for (const r of runs.values()) for (const p of r.series.phase ?? []) if (p && !names.includes(p)) names.push(p);
  if (names.join() === knownPhases.join() && phaseSelect.options.length) return;
  knownPhases = names;
  phaseSelect.replaceChildren();
  for (const [v, t] of [["all", "All phases"], ...names.map((n) => [n, phaseLabel(n)])]) {
    const o = el("option", "", t);
    o.value = v;
    phaseSelect.append(o);
  }
  phaseSelect.disabled = names.length < 2;
  phaseSelect.value = names.includes(view.phase) ? view.phase : "all";
}

function syncControls(): void {
  smoothInput.value = String(view.smoothing);
  smoothValue.textContent = view.smoothing.toFixed(2);
  logInput.checked = view.logScale;
  xSelect.value = view.x;
  syncPhaseOptions();
}

function setView(v: Partial<ViewOptions>): void {
  const dropCaches = v.x !== undefined || v.smoothing !== undefined || v.logScale !== undefined;
  view = { ...view, ...v };
  syncControls();
  persist();
  post({ type: "viewChanged", view });
  if (v.x !== undefined) phaseTrackers.clear();
  for (const c of charts) c.zoomed = false;
  invalidateAll(true, dropCaches);
}
smoothInput.addEventListener("input", () => setView({ smoothing: Number(smoothInput.value) }));
logInput.addEventListener("change", () => setView({ logScale: logInput.checked }));
xSelect.addEventListener("change", () => setView({ x: (Object.keys(X_NAMES) as XAxis[]).find((k) => k === xSelect.value) ?? "step" }));
phaseSelect.addEventListener("change", () => setView({ phase: phaseSelect.value || "all" }));
addBtn.addEventListener("click", () => post({ type: "addRun" }));

// ---- run table ----------------------------------------------------------------------------

function fmt(v: number | null | undefined, digits = 2): string {
  return v == null ? "—" : v.toFixed(digits);
}

function renderRuns(): void {
  runTable.replaceChildren();
  if (!runs.size) return;
  const head = el("tr");
  for (const h of ["", "Run", "Method", "Model", "Steps", "Best held-out reward", "Tokens/s", "Status", ""]) head.append(el("th", "", h));
  runTable.append(el("thead"));
  runTable.tHead!.append(head);
  const body = el("tbody");
  const names = runNames();
  for (const r of runs.values()) {
    const row = el("tr", `run run-${r.status}`);
    row.dataset.runId = r.id;
    const sw = el("span", "swatch");
    sw.style.background = theme.palette[(colorSlots[r.id] ?? 0) % theme.palette.length];
    const stats = runStats(r.series);
    const name = el("td", "name", names.get(r.id) ?? r.label);
    name.title = r.id;
    const source = r.source === "tooln1" ? "" : r.source === "trl" ? " (TRL)" : " (verl)";
    name.append(el("span", "source", source));
    const best = stats.bestEval ? `${fmt(stats.bestEval.value)} at step ${stats.bestEval.step}` : "—";
    const tps = stats.tokensPerSecond == null ? "—" : Math.round(stats.tokensPerSecond).toLocaleString("en-US");
    const stateCell = el("td", "state", statusSentence(r));
    if (r.garbage > 0) stateCell.append(el("span", "garbage", ` ${r.garbage} unreadable line${r.garbage === 1 ? "" : "s"} skipped.`));
    const swCell = el("td", "swatch-cell");
    swCell.append(sw);
    row.append(
      swCell,
      name,
      el("td", "method", r.method || "—"),
      el("td", "model", r.model || "—"),
      el("td", "steps", r.totalSteps ? `${r.step} / ${r.totalSteps}` : String(r.step)),
      el("td", "best", best),
      el("td", "tps", tps),
      stateCell,
    );
    const rmCell = el("td");
    if (runs.size > 1) {
      const rm = el("button", "remove icon", "×");
      rm.title = "Remove from dashboard";
      rm.setAttribute("aria-label", `Remove ${r.label} from dashboard`);
      rm.addEventListener("click", () => post({ type: "removeRun", runId: r.id }));
      rmCell.append(rm);
    }
    row.append(rmCell);
    body.append(row);
  }
  runTable.append(body);
}

// ---- phases -------------------------------------------------------------------------------

/** Phase ranges of a run in the current x, kept up to date as rows arrive. */
class PhaseTracker {
  ranges: PhaseRange[] = [];
  private rows = 0;
  private tokens = new TokenCounter();
  private t0: number | null = null;
  sync(s: ColumnsLike): PhaseRange[] {
    const n = s.step.length;
    if (!s.phase) return this.ranges;
    if (n < this.rows) {
      this.ranges = [];
      this.rows = 0;
      this.tokens = new TokenCounter();
    }
    for (let i = this.rows; i < n; i++) {
      let x: number | null;
      if (view.x === "step") x = s.step[i];
      else if (view.x === "tokens") x = this.tokens.at(s, i);
      else {
        const t = valueAt(s.time, i);
        if (t != null && this.t0 == null) this.t0 = t;
        x = t == null || this.t0 == null ? null : (t - this.t0) / 1000;
      }
      const p = s.phase[i];
      if (x == null || !p) continue;
      const last = this.ranges[this.ranges.length - 1];
      if (last && last.name === p) {
        last.x0 = Math.min(last.x0, x);
        last.x1 = Math.max(last.x1, x);
      } else this.ranges.push({ name: p, x0: x, x1: x });
    }
    this.rows = n;
    return this.ranges;
  }
}
const phaseTrackers = new Map<string, PhaseTracker>();

/** The phases drawn as bands: those of the first run that has phases. */
function currentPhases(): PhaseRange[] {
  for (const r of runs.values()) {
    if (!r.series.phase) continue;
    let t = phaseTrackers.get(r.id);
    if (!t) phaseTrackers.set(r.id, (t = new PhaseTracker()));
    return t.sync(r.series);
  }
  return [];
}

// ---- charts -------------------------------------------------------------------------------

interface Chart {
  def: PanelDef;
  box: HTMLDivElement;
  plotBox: HTMLDivElement;
  plot: uPlot | null;
  /** Series identity the plot was built for; a change rebuilds the plot. */
  signature: string;
  table: PanelTable | null;
  focusedRun: number;
  /** The series under the cursor's focus (1-based as in uPlot), or null. */
  focusedSeries: number | null;
  /** Per run: the step under the cursor the last time it was over the plot. */
  lastSteps: (number | null)[];
  dirty: boolean;
  /** Dirty only because points arrived (a redraw that would look the same may be skipped). */
  liveOnly: boolean;
  /** What the plot shows now. */
  drawn: Drawn | null;
  /** Per run: derived, block-summarised data, extended as points arrive. */
  caches: Map<string, SeriesCache>;
  /** Per run: the reason group version the cache was built from. */
  reasonVersions: Map<string, number>;
  width: number;
  /** The user dragged to zoom: live updates keep the zoomed range until a double-click. */
  zoomed: boolean;
  xRange: [number, number] | null;
  phases: PhaseRange[];
  visible: boolean;
}

const charts: Chart[] = PANELS.map((def) => {
  const box = el("div", "chart");
  box.dataset.panel = def.id;
  box.hidden = true;
  const head = el("div", "chart-head");
  const title = el("span", "chart-title", def.title);
  const actions = el("span", "actions");
  const png = el("button", "secondary export-png", "PNG");
  png.title = `Save "${def.title}" as a PNG image`;
  const csv = el("button", "secondary export-csv", "CSV");
  csv.title = `Save the series of "${def.title}" as CSV`;
  actions.append(png, csv);
  head.append(title, actions);
  const plotBox = el("div", "plot");
  box.append(head, plotBox);
  (def.group === "eval" ? evalGrid : grid).append(box);
  const c: Chart = {
    def,
    box,
    plotBox,
    plot: null,
    signature: "",
    table: null,
    focusedRun: 0,
    focusedSeries: null,
    lastSteps: [],
    dirty: true,
    liveOnly: false,
    drawn: null,
    caches: new Map(),
    reasonVersions: new Map(),
    width: 0,
    zoomed: false,
    xRange: null,
    phases: [],
    visible: false,
  };
  png.addEventListener("click", () => exportPng(c));
  csv.addEventListener("click", () => exportCsv(c));
  return c;
});

/** Chart widths from the grid's column tracks (hidden charts have no width of their own). */
function measureWidths(): void {
  const track = parseFloat(getComputedStyle(grid).gridTemplateColumns) || grid.clientWidth / 2 || 400;
  // the box's border and padding
  for (const c of charts) c.width = Math.max(240, Math.floor(track) - 10);
  lastGridWidth = grid.clientWidth;
}
let lastGridWidth = 0;
function chartWidth(c: Chart): number {
  if (!c.width) measureWidths();
  return c.width;
}
const CHART_HEIGHT = 200;

function seriesKeyLabel(c: Chart, k: { runId: string; metric: string }, names: Map<string, string>): string {
  let label = metricLabel(k.metric);
  if (c.def.reasons) {
    const g = reasonGroups.get(k.runId);
    if (g) label += ` ${(100 * g.share(k.metric)).toFixed(0)}%`;
  }
  return (runs.size > 1 ? `${names.get(k.runId) ?? "run"} · ` : "") + label;
}

/** The phases a chart shows: their x edges (boundaries halfway between phases), when two or more are in view. */
function visiblePhases(u: uPlot, ps: PhaseRange[]): { name: string; a: number; b: number; i: number }[] {
  if (ps.length < 2) return [];
  const min = u.scales.x.min ?? -Infinity;
  const max = u.scales.x.max ?? Infinity;
  const out = ps
    .map((p, i) => ({ name: p.name, i, a: i === 0 ? p.x0 : (ps[i - 1].x1 + p.x0) / 2, b: i === ps.length - 1 ? p.x1 : (p.x1 + ps[i + 1].x0) / 2 }))
    .filter((p) => p.b > min && p.a < max);
  return out.length < 2 ? [] : out;
}

/** Phase bands (shaded on the canvas, every other phase) with a dashed line and a label at each phase. */
function bandsPlugin(c: Chart): uPlot.Plugin {
  let labels: HTMLDivElement | null = null;
  return {
    hooks: {
      init: [
        (u) => {
          labels = el("div", "phase-labels");
          u.over.append(labels);
        },
      ],
      drawClear: [
        (u) => {
          const vis = visiblePhases(u, c.phases);
          if (!vis.length) return;
          const ctx = u.ctx;
          const { top, height, left, width } = u.bbox;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          for (const p of vis) {
            const x0 = u.valToPos(p.a, "x", true);
            const x1 = u.valToPos(p.b, "x", true);
            if (p.i % 2 === 0) {
              ctx.fillStyle = theme.band;
              ctx.fillRect(x0, top, x1 - x0, height);
            }
            if (p.i > 0 && x0 > left) {
              ctx.strokeStyle = theme.muted;
              ctx.setLineDash([4, 4]);
              ctx.lineWidth = 1;
              ctx.beginPath();
              ctx.moveTo(Math.round(x0) + 0.5, top);
              ctx.lineTo(Math.round(x0) + 0.5, top + height);
              ctx.stroke();
            }
          }
          ctx.restore();
        },
      ],
      draw: [
        (u) => {
          if (!labels) return;
          const vis = visiblePhases(u, c.phases);
          if (!vis.length) {
            if (labels.firstChild) labels.replaceChildren();
            return;
          }
          // the plot area's width from uPlot's own box: reading the DOM here would force a layout per chart
          const w = u.bbox.width / uPlot.pxRatio;
          const spans: HTMLSpanElement[] = [];
          for (const p of vis) {
            const x0 = Math.max(0, u.valToPos(p.a, "x"));
            const x1 = Math.min(w, u.valToPos(p.b, "x"));
            if (x1 - x0 < 40) continue; // no room for a label
            const s = el("span", "phase-label", phaseLabel(p.name));
            s.style.left = `${Math.round(x0) + 4}px`;
            spans.push(s);
          }
          labels.replaceChildren(...spans);
        },
      ],
    },
  };
}

/** A y range with some room; a flat series gets a range around its value (not uPlot's 0..100). */
function yRange(min: number, max: number): uPlot.Range.MinMax {
  if (min == null || max == null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) * 0.1;
    return [min - (min === 0 ? 0 : d), max + d];
  }
  return uPlot.rangeNum(min, max, 0.1, true);
}

/** Tick text: small values (learning rates) in exponent form, large ones grouped. */
function tickLabel(v: number): string {
  if (v == null || !Number.isFinite(v)) return "";
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a < 1e-3) return v.toExponential(1);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(4));
}

/**
 * Line width: a dense table (more rows than the chart has pixels) is drawn 1 px wide, since its
 * per-pixel min/max strokes fill the curve's envelope anyway and a 1 px line is a hairline the
 * canvas draws about three times faster; a sparse one gets 1.5 px, to read well.
 */
function lineWidth(t: PanelTable, width: number): number {
  return t.xs.length > width ? 1 : 1.5;
}

function buildOpts(c: Chart, t: PanelTable, width: number): uPlot.Options {
  const names = runNames();
  const lw = lineWidth(t, width);
  const series: uPlot.Series[] = [{ label: X_NAMES[view.x] }];
  const seen = new Map<string, number>();
  for (const k of t.keys) {
    const mi = seen.get(k.runId) ?? 0;
    seen.set(k.runId, mi + 1);
    const color = colorOf(k.runId, mi);
    const multi = runs.size > 1;
    series.push({
      label: seriesKeyLabel(c, k, names),
      stroke: color,
      width: lw,
      dash: multi ? DASHES[mi % DASHES.length] : k.metric === OTHER_REASONS ? [4, 3] : undefined,
      spanGaps: true,
      points: c.def.dots && k.metric.startsWith("eval/") ? { show: true, size: 6, stroke: color, fill: color } : undefined,
    });
  }
  const axis = (label: string, size?: number): uPlot.Axis => ({
    stroke: theme.fg,
    font: theme.font,
    labelFont: theme.font,
    label,
    labelSize: 18,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
    size,
    values: (_u, splits) => splits.map(tickLabel),
  });
  return {
    width,
    height: CHART_HEIGHT,
    scales: {
      x: {
        time: false,
        range: (_u, min, max) => c.xRange ?? (min === max ? [min - 1, max + 1] : [min, max]),
      },
      y: view.logScale && !c.def.stacked ? { distr: 3 } : c.def.unit === "fraction" ? { auto: true, range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } : { auto: true, range: (_u, min, max) => yRange(min, max) },
    },
    series,
    legend: { live: true },
    cursor: { focus: { prox: 16 }, drag: { x: true, y: false } },
    focus: { alpha: 0.35 },
    axes: [axis(X_NAMES[view.x], 44), axis(c.def.yLabel, 64)],
    plugins: [bandsPlugin(c)],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width > 0) c.zoomed = true;
        },
      ],
      setCursor: [
        (u) => {
          const idx = u.cursor.idx;
          if (idx == null || !c.table) return;
          c.lastSteps = c.table.steps.map((col) => col[idx] ?? null);
        },
      ],
      setSeries: [
        (_u, sidx) => {
          c.focusedSeries = sidx ?? null;
          if (sidx != null && sidx > 0 && c.table) {
            const runId = c.table.keys[sidx - 1]?.runId;
            c.focusedRun = Math.max(0, [...new Set(c.table.keys.map((k) => k.runId))].indexOf(runId));
          }
        },
      ],
    },
  };
}

function tableData(t: PanelTable): uPlot.AlignedData {
  return [t.xs, ...t.cols] as unknown as uPlot.AlignedData;
}

function reasonGroupOf(runId: string): ReasonGroup {
  let g = reasonGroups.get(runId);
  if (!g) reasonGroups.set(runId, (g = new ReasonGroup()));
  return g;
}

/** The data a chart draws for one run (the reason panel's is derived: top reasons and the rest). */
function sourceOf(c: Chart, r: PackedRun): ColumnsLike {
  if (!c.def.reasons) return r.series;
  const g = reasonGroupOf(r.id);
  const s = g.sync(r.series);
  if (c.reasonVersions.get(r.id) !== g.version) {
    c.caches.delete(r.id);
    c.reasonVersions.set(r.id, g.version);
  }
  return s;
}

function tableOf(c: Chart, buckets: number): PanelTable {
  const parts: { id: string; cache: SeriesCache }[] = [];
  for (const r of runs.values()) {
    const src = sourceOf(c, r);
    let cache = c.caches.get(r.id);
    if (!cache || !cache.sync(src)) {
      cache = SeriesCache.build(c.def, view, src);
      c.caches.set(r.id, cache);
    }
    parts.push({ id: r.id, cache });
  }
  return combineTables(parts, buckets);
}

function setVisible(c: Chart, visible: boolean): void {
  if (c.visible === visible) return;
  c.visible = visible;
  c.box.hidden = !visible;
}

function renderChart(c: Chart): void {
  c.dirty = false;
  c.liveOnly = false;
  c.drawn = null;
  const width = chartWidth(c);
  const t = tableOf(c, width);
  c.table = t;
  c.box.dataset.points = String(t.rawPoints);
  c.phases = currentPhases();
  c.xRange = chartXRange(t, c.phases, view.phase);
  c.box.dataset.xMin = c.xRange ? String(c.xRange[0]) : "";
  c.box.dataset.xMax = c.xRange ? String(c.xRange[1]) : "";
  c.box.dataset.phases = c.phases.map((p) => p.name).join(",");
  c.box.dataset.xLabel = X_NAMES[view.x];
  c.box.dataset.yLabel = c.def.yLabel;
  const required = !c.def.requires || t.keys.some((k) => c.def.requires!.includes(k.metric));
  if (!t.cols.length || !required || !hasDataIn(t, view.phase === "all" ? null : c.xRange)) {
    c.plot?.destroy();
    c.plot = null;
    c.signature = "";
    setVisible(c, false);
    return;
  }
  setVisible(c, true);
  const lw = lineWidth(t, width);
  const sig = JSON.stringify([t.keys, view.logScale, view.x, runs.size, [...runs.keys()], theme.palette, theme.fg, lw]);
  c.box.dataset.draws = String(Number(c.box.dataset.draws ?? 0) + 1);
  c.box.dataset.lineWidth = String(lw);
  c.drawn = { table: t, rows: new Map([...runs.keys()].map((id) => [id, c.caches.get(id)?.length ?? 0])) };
  if (c.plot && sig === c.signature) {
    c.plot.setData(tableData(t), !c.zoomed);
    if (c.def.reasons) relabel(c);
    return;
  }
  c.zoomed = false;
  c.plot?.destroy();
  c.plotBox.replaceChildren();
  c.signature = sig;
  if (!c.width) c.width = width;
  c.plot = new uPlot(buildOpts(c, t, width), tableData(t), c.plotBox);
  c.plot.over.addEventListener("click", () => onChartClick(c));
  c.plot.over.addEventListener("dblclick", () => (c.zoomed = false));
  if (c.def.reasons) hookReasonLegend(c);
}

/** Reason shares change as rows arrive: the legend labels follow. */
function relabel(c: Chart): void {
  if (!c.plot || !c.table) return;
  const names = runNames();
  const rows = c.plot.root.querySelectorAll(".u-legend .u-series");
  c.table.keys.forEach((k, i) => {
    const label = rows[i + 1]?.querySelector(".u-label");
    const text = seriesKeyLabel(c, k, names);
    if (label && label.textContent !== text) label.textContent = text;
    const codes = reasonsOf(c, i + 1) ?? [];
    const title = codes.length > 1 ? `Click: open the rollouts with any of these reasons at the hovered step: ${codes.join(", ")}` : "Click: open the rollouts with this reason at the hovered step";
    const row = rows[i + 1] as HTMLElement | undefined;
    if (row && row.title !== title) row.title = title;
  });
}

/** The reason codes behind a reason-panel series (the grouped rest for "other"). */
function reasonsOf(c: Chart, sidx: number): string[] | undefined {
  const k = c.table?.keys[sidx - 1];
  if (!c.def.reasons || !k) return undefined;
  if (k.metric === OTHER_REASONS) return reasonGroups.get(k.runId)?.rest.map((m) => m.slice(7));
  return [k.metric.slice(7)];
}

/** Clicking a reason in the legend opens the inspector on that reason, at the hovered step. */
function hookReasonLegend(c: Chart): void {
  const u = c.plot!;
  const legend = u.root.querySelector(".u-legend");
  if (!legend) return;
  legend.addEventListener(
    "click",
    (e) => {
      const row = (e.target as HTMLElement).closest(".u-series");
      if (!row || !c.table) return;
      const sidx = [...legend.querySelectorAll(".u-series")].indexOf(row);
      if (sidx < 1) return;
      e.stopPropagation();
      e.preventDefault();
      const k = c.table.keys[sidx - 1];
      const ri = [...new Set(c.table.keys.map((x) => x.runId))].indexOf(k.runId);
      const r = runs.get(k.runId);
      const step = c.lastSteps[ri] ?? r?.rolloutSteps.at(-1) ?? r?.step ?? 0;
      post({ type: "openRollouts", runId: k.runId, step, reasons: reasonsOf(c, sidx) });
    },
    true,
  );
  relabel(c);
}

function onChartClick(c: Chart): void {
  const u = c.plot;
  const t = c.table;
  if (!u || !t) return;
  const idx = u.cursor.idx;
  if (idx == null) return;
  const runIds = [...new Set(t.keys.map((k) => k.runId))];
  // the focused run if it has a point here, else the first run that does
  const order = [c.focusedRun, ...runIds.map((_, i) => i)];
  for (const ri of order) {
    const step = t.steps[ri]?.[idx];
    if (step != null) {
      const sidx = c.focusedSeries;
      const reasons = sidx != null && sidx > 0 && t.keys[sidx - 1]?.runId === runIds[ri] ? reasonsOf(c, sidx) : undefined;
      post(reasons ? { type: "openRollouts", runId: runIds[ri], step, reasons } : { type: "openRollouts", runId: runIds[ri], step });
      return;
    }
  }
}

// ---- export -------------------------------------------------------------------------------

function fileName(c: Chart, ext: string): string {
  const run = runs.size === 1 ? `${[...runs.values()][0].label}-` : "";
  return `${run}${c.def.id}.${ext}`.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/** The chart as drawn (title, plot, legend) on the theme's background. */
function exportPng(c: Chart): void {
  const u = c.plot;
  if (!u) return;
  const dpr = devicePixelRatio || 1;
  const src = u.ctx.canvas;
  const labels = u.series.slice(1).map((s, i) => ({ label: String(s.label ?? ""), color: typeof s.stroke === "function" ? theme.fg : String(s.stroke ?? theme.fg), i }));
  const titleH = 24 * dpr;
  const rowH = 18 * dpr;
  const legendH = labels.length * rowH + 8 * dpr;
  const canvas = document.createElement("canvas");
  canvas.width = src.width;
  canvas.height = titleH + src.height + legendH;
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = theme.fg;
  ctx.font = `600 ${13 * dpr}px ${theme.font.replace(/^\d+px\s*/, "")}`;
  ctx.textBaseline = "middle";
  ctx.fillText(c.def.title, 8 * dpr, titleH / 2);
  ctx.drawImage(src, 0, titleH);
  ctx.font = `${12 * dpr}px ${theme.font.replace(/^\d+px\s*/, "")}`;
  for (const l of labels) {
    const y = titleH + src.height + 4 * dpr + l.i * rowH + rowH / 2;
    ctx.fillStyle = l.color;
    ctx.fillRect(8 * dpr, y - 2 * dpr, 16 * dpr, 4 * dpr);
    ctx.fillStyle = theme.fg;
    ctx.fillText(l.label, 30 * dpr, y);
  }
  post({ type: "export", format: "png", name: fileName(c, "png"), data: canvas.toDataURL("image/png") });
}

/** Every point of the chart's series (no decimation, no smoothing) as CSV. */
function exportCsv(c: Chart): void {
  const raw = { ...view, smoothing: 0, logScale: false };
  const parts = [...runs.values()].map((r) => ({ id: r.id, cache: SeriesCache.build(c.def, raw, sourceOf(c, r)) }));
  const t = combineTables(parts, Infinity);
  post({ type: "export", format: "csv", name: fileName(c, "csv"), data: tableCsv(t, X_NAMES[view.x], runNames(), runs.size > 1) });
}

// ---- drawing schedule ---------------------------------------------------------------------

function updateNotRecorded(): void {
  const missing = charts.filter((c) => !c.visible).map((c) => c.def.title);
  const hide = !runs.size || !missing.length;
  if (notRecorded.hidden !== hide) notRecorded.hidden = hide;
  const where = view.phase !== "all" ? `in ${phaseLabel(view.phase)}` : runs.size > 1 ? "in these runs" : "in this run";
  const live = [...runs.values()].some((r) => r.live);
  const text = [...runs.values()].every((r) => r.series.step.length === 0)
    ? live
      ? "No points yet: the charts appear as the run logs them."
      : "This run recorded no points."
    : `Not recorded ${where}${live ? " yet" : ""}: ${missing.join(", ")}.`;
  if (notRecorded.textContent !== text) notRecorded.textContent = text;
  const noEval = !charts.some((c) => c.visible && c.def.group === "eval");
  const noTrain = !charts.some((c) => c.visible && c.def.group === "train");
  if (evalHead.hidden !== noEval) evalHead.hidden = noEval;
  if (trainHead.hidden !== noTrain) trainHead.hidden = noTrain;
}

// Panels are redrawn a few per frame so a big update never blocks a frame for long. Live appends
// redraw one panel per frame (a canvas repaint is the costly part) and each panel at most every
// LIVE_REDRAW_MS, which keeps point-to-screen latency well under a second.
let scheduled = false;
let liveMode = false;
let lastPass = 0;
const FRAME_BUDGET_MS = 8;
const LIVE_REDRAW_MS = 400;
function schedule(live = false): void {
  liveMode = live;
  if (scheduled) return;
  scheduled = true;
  const wait = live ? lastPass + LIVE_REDRAW_MS - performance.now() : 0;
  if (wait > 0) setTimeout(() => requestAnimationFrame(drain), wait);
  else requestAnimationFrame(drain);
}
/** Whether the points that arrived since a chart was drawn would change what it shows. */
function pictureChanges(c: Chart): boolean {
  const u = c.plot;
  if (!u || !c.drawn || c.zoomed || view.phase !== "all") return true;
  const parts: { id: string; cache: SeriesCache }[] = [];
  for (const r of runs.values()) {
    const src = sourceOf(c, r);
    const cache = c.caches.get(r.id);
    if (!cache || !cache.sync(src)) return true;
    parts.push({ id: r.id, cache });
  }
  return changesPicture(c.drawn, parts, (x) => u.valToPos(x, "x"), (y) => u.valToPos(y, "y"));
}

function drain(): void {
  scheduled = false;
  const t0 = performance.now();
  setPointCount();
  for (const c of charts) {
    if (!c.dirty) continue;
    if (c.liveOnly && !pictureChanges(c)) {
      // the new points land on pixels already drawn: they are kept for the next redraw
      c.dirty = false;
      if (c.def.reasons) relabel(c);
      continue;
    }
    renderChart(c);
    if (liveMode || performance.now() - t0 > FRAME_BUDGET_MS) break;
  }
  updateNotRecorded();
  if (charts.some((c) => c.dirty)) {
    scheduled = true;
    requestAnimationFrame(drain);
  } else {
    lastPass = performance.now();
    document.body.dataset.rendered = String(totalPoints);
  }
}

/** Redraw everything; `dropCaches` when the view (x, smoothing, log) or the run set changed. */
function invalidateAll(now = false, dropCaches = true): void {
  for (const c of charts) {
    c.dirty = true;
    c.liveOnly = false;
    if (dropCaches) c.caches.clear();
  }
  if (now) schedule();
}

function invalidateMetrics(names: string[]): void {
  const set = new Set(names);
  for (const c of charts) {
    // a hidden chart that needs a metric these points lack stays as it is
    if (!c.visible && c.def.requires && !c.def.requires.some((m) => set.has(m))) continue;
    if (c.def.metrics.some((m) => set.has(m)) || (c.def.match && names.some((m) => c.def.match!.test(m))) || (c.def.reasons && names.some((m) => m.startsWith("reason/")))) {
      if (!c.dirty) c.liveOnly = true;
      c.dirty = true;
    }
  }
  schedule(true);
}

/** Draws everything synchronously (first render after init). */
function renderAllNow(): void {
  measureWidths();
  for (const c of charts) renderChart(c);
  updateNotRecorded();
}

function countPoints(cols: PackedRun["series"]): number {
  let n = 0;
  for (const col of Object.values(cols.metrics)) for (let i = 0; i < col.length; i++) if (col[i] === col[i]) n++; // NaN: no value
  return n;
}

let shownPoints = -1;
function setPointCount(): void {
  if (totalPoints === shownPoints) return;
  shownPoints = totalPoints;
  pointCountEl.textContent = String(totalPoints);
  pointCountEl.dataset.count = String(totalPoints);
}

function recount(): void {
  totalPoints = 0;
  for (const r of runs.values()) totalPoints += countPoints(r.series);
  setPointCount();
}

new ResizeObserver(() => {
  // the grid grows taller as charts appear; only a new width needs new chart sizes
  if (grid.clientWidth === lastGridWidth) return;
  measureWidths();
  for (const c of charts) if (c.plot) c.plot.setSize({ width: c.width, height: CHART_HEIGHT });
}).observe(grid);

// VS Code changes the body's class and the root's variables when the theme changes.
document.body.dataset.theme = document.body.className;
const themeWatch = new MutationObserver(() => {
  const next = readTheme();
  document.body.dataset.theme = document.body.className;
  if (JSON.stringify(next) === JSON.stringify(theme)) return;
  theme = next;
  renderRuns();
  invalidateAll(true, false);
});
themeWatch.observe(document.body, { attributes: true, attributeFilter: ["class"] });
themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });

// ---- messages -----------------------------------------------------------------------------

function updateSummary(s: RunSummary): void {
  const r = runs.get(s.id);
  if (!r) return;
  Object.assign(r, s);
  renderRuns();
}

function forgetRun(id: string): void {
  reasonGroups.delete(id);
  phaseTrackers.delete(id);
}

function handle(m: HostMessage): void {
  switch (m.type) {
    case "init": {
      initSeen = true;
      document.body.dataset.initStart = String(performance.now());
      runs.clear();
      reasonGroups.clear();
      phaseTrackers.clear();
      for (const c of charts) {
        c.caches.clear();
        c.zoomed = false;
      }
      for (const r of m.runs) runs.set(r.id, r);
      view = { ...DEFAULT_VIEW, ...m.view };
      assignColors();
      syncControls();
      persist();
      renderRuns();
      const t0 = performance.now();
      renderAllNow();
      document.body.dataset.firstRenderMs = (performance.now() - t0).toFixed(1);
      document.body.dataset.drawn = "true";
      // counting every point is not needed for the first frame: after it is shown
      requestAnimationFrame(() => setTimeout(() => {
        recount();
        document.body.dataset.rendered = String(totalPoints);
        document.body.dataset.ready = "true";
      }));
      return;
    }
    case "append": {
      const r = runs.get(m.runId);
      if (!r) return;
      appendColumns(r.series, m.points);
      totalPoints += countPoints(m.points);
      if (m.points.phase?.some((p) => p && !knownPhases.includes(p))) syncPhaseOptions();
      invalidateMetrics(Object.keys(m.points.metrics));
      return;
    }
    case "addRun":
      runs.set(m.run.id, m.run);
      forgetRun(m.run.id);
      assignColors();
      persist();
      syncPhaseOptions();
      renderRuns();
      recount();
      invalidateAll(true);
      return;
    case "runStatus":
      updateSummary(m.run);
      updateNotRecorded();
      return;
    case "removeRun":
      runs.delete(m.runId);
      forgetRun(m.runId);
      persist();
      syncPhaseOptions();
      renderRuns();
      recount();
      invalidateAll(true);
      return;
    case "error":
      status.textContent = m.message;
      return;
  }
}

window.addEventListener("message", (e: MessageEvent) => {
  if (isHostMessage(e.data)) handle(e.data);
});

const restored = vscode.getState();
if (restored?.view) view = { ...DEFAULT_VIEW, ...restored.view };
if (restored?.colors && typeof restored.colors === "object") colorSlots = { ...restored.colors };
syncControls();
post({ type: "ready", restored: restored && Array.isArray(restored.runIds) ? restored : null });

// ---- warm-up ------------------------------------------------------------------------------

let initSeen = false;
/**
 * While the host reads the runs, one small chart is summarised, drawn off screen and thrown away:
 * the first real render then finds the data path's and uPlot's code compiled and the canvas and
 * its font ready. Skipped when the runs have already arrived.
 */
function warmUp(): void {
  if (initSeen) return;
  const n = 4096;
  const step = Float64Array.from({ length: n }, (_, i) => i + 1);
  const loss = step.map((x) => Math.sin(x / 100));
  const cache = SeriesCache.build(PANELS.find((p) => p.id === "loss")!, { x: "step", smoothing: 0, logScale: false }, { step, time: new Float64Array(n).fill(NaN), metrics: { loss } });
  const t = combineTables([{ id: "warm-up", cache }], 200);
  const box = el("div", "warm-up");
  box.style.cssText = "position:fixed;left:-10000px;top:0;width:300px;height:120px;visibility:hidden";
  document.body.append(box);
  const axis = { stroke: theme.fg, font: theme.font, labelFont: theme.font, label: "x", grid: { stroke: theme.grid, width: 1 }, values: (_u: uPlot, splits: number[]) => splits.map(tickLabel) };
  const u = new uPlot({ width: 300, height: 120, scales: { x: { time: false } }, series: [{}, { stroke: theme.fg, width: 1 }, { stroke: theme.fg, width: 1.5 }], axes: [axis, axis] }, [t.xs, t.cols[0], t.cols[0]] as unknown as uPlot.AlignedData, box);
  setTimeout(() => {
    u.destroy();
    box.remove();
    document.body.dataset.warmedUp = "true";
  });
}
setTimeout(warmUp);
