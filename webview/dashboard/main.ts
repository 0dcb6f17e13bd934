// The run dashboard webview: live uPlot charts of one or more runs (browser code only).
// All text from runs (labels, messages) goes in with textContent, never as HTML.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./dashboard.css";
import { PANELS, SeriesCache, appendColumns, combineTables, type PanelDef, type PanelTable } from "./data";
import {
  DEFAULT_VIEW,
  isHostMessage,
  type HostMessage,
  type PersistedState,
  type RunData,
  type RunSummary,
  type ViewOptions,
  type WebviewMessage,
} from "./protocol";

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): unknown;
  setState(s: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const runs = new Map<string, RunData>();
let view: ViewOptions = { ...DEFAULT_VIEW };
let totalPoints = 0;

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295"];
const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

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
  vscode.setState({ runIds: [...runs.keys()], view });
}

// ---- layout -------------------------------------------------------------------------------

const root = document.getElementById("app") ?? document.body;
const toolbar = el("div", "toolbar");
const runList = el("div", "runs");
const grid = el("div", "grid");
const status = el("div", "status");
const pointCountEl = el("span", "point-count", "0");
pointCountEl.id = "point-count";
root.append(toolbar, runList, status, grid);

const smoothLabel = el("label", "", "Smoothing ");
const smoothInput = el("input");
smoothInput.type = "range";
smoothInput.min = "0";
smoothInput.max = "0.99";
smoothInput.step = "0.01";
smoothInput.id = "smoothing";
const smoothValue = el("span", "value", "0");
smoothLabel.append(smoothInput, smoothValue);
const logLabel = el("label", "", " Log scale ");
const logInput = el("input");
logInput.type = "checkbox";
logInput.id = "log-scale";
logLabel.append(logInput);
const xLabel = el("label", "", " X axis ");
const xSelect = el("select");
xSelect.id = "x-axis";
for (const [v, t] of [["step", "step"], ["time", "wall time (s)"]]) {
  const o = el("option", "", t);
  o.value = v;
  xSelect.append(o);
}
xLabel.append(xSelect);
const addBtn = el("button", "", "Add run…");
addBtn.id = "add-run";
addBtn.title = "Overlay another run folder";
const pointsLabel = el("span", "points", " points: ");
pointsLabel.append(pointCountEl);
toolbar.append(smoothLabel, logLabel, xLabel, addBtn, pointsLabel);

function syncControls(): void {
  smoothInput.value = String(view.smoothing);
  smoothValue.textContent = view.smoothing.toFixed(2);
  logInput.checked = view.logScale;
  xSelect.value = view.x;
}

function setView(v: Partial<ViewOptions>): void {
  view = { ...view, ...v };
  syncControls();
  persist();
  post({ type: "viewChanged", view });
  invalidateAll(true);
}
smoothInput.addEventListener("input", () => setView({ smoothing: Number(smoothInput.value) }));
logInput.addEventListener("change", () => setView({ logScale: logInput.checked }));
xSelect.addEventListener("change", () => setView({ x: xSelect.value === "time" ? "time" : "step" }));
addBtn.addEventListener("click", () => post({ type: "addRun" }));

// ---- run list -----------------------------------------------------------------------------

function runColor(runIdx: number, metricIdx: number, nMetrics: number): string {
  return nMetrics > 1 && runs.size === 1 ? PALETTE[metricIdx % PALETTE.length] : PALETTE[(runIdx * 3 + metricIdx) % PALETTE.length];
}

function renderRuns(): void {
  runList.replaceChildren();
  let i = 0;
  for (const r of runs.values()) {
    const row = el("div", `run run-${r.status}`);
    row.dataset.runId = r.id;
    const sw = el("span", "swatch");
    sw.style.background = PALETTE[(i * 3) % PALETTE.length];
    const name = el("span", "name", r.label);
    name.title = r.id;
    const total = r.totalSteps ? `/${r.totalSteps}` : "";
    const st = el("span", "state", ` ${r.status} · step ${r.step}${total}`);
    row.append(sw, name, st);
    if (r.garbage > 0) row.append(el("span", "garbage", ` · ${r.garbage} unreadable line${r.garbage === 1 ? "" : "s"} skipped`));
    if (r.message) row.append(el("span", "message", ` · ${r.message}`));
    if (runs.size > 1) {
      const rm = el("button", "remove", "×");
      rm.title = "Remove from dashboard";
      rm.addEventListener("click", () => post({ type: "removeRun", runId: r.id }));
      row.append(rm);
    }
    runList.append(row);
    i++;
  }
}

// ---- charts -------------------------------------------------------------------------------

interface Chart {
  def: PanelDef;
  box: HTMLDivElement;
  plot: uPlot | null;
  /** Series identity the plot was built for; a change rebuilds the plot. */
  signature: string;
  table: PanelTable | null;
  focusedRun: number;
  dirty: boolean;
  /** Per run: derived, block-summarised data, extended as points arrive. */
  caches: Map<string, SeriesCache>;
  /** Last known width (read in one batch, never between DOM writes). */
  width: number;
  /** The user dragged to zoom: live updates keep the zoomed range until a double-click. */
  zoomed: boolean;
}

const charts: Chart[] = PANELS.map((def) => {
  const box = el("div", "chart");
  box.dataset.panel = def.id;
  const empty = el("div", "empty", `${def.title}: no data yet`);
  box.append(empty);
  grid.append(box);
  return { def, box, plot: null, signature: "", table: null, focusedRun: 0, dirty: true, caches: new Map(), width: 0, zoomed: false };
});

function measureWidths(): void {
  for (const c of charts) c.width = Math.max(200, Math.floor(c.box.clientWidth || grid.clientWidth / 2 || 400) - 4);
}
function chartWidth(c: Chart): number {
  if (!c.width) measureWidths();
  return c.width;
}
const CHART_HEIGHT = 200;

function buildOpts(c: Chart, t: PanelTable, width: number): uPlot.Options {
  const runIds = [...runs.keys()];
  const series: uPlot.Series[] = [{ label: view.x === "step" ? "step" : "seconds" }];
  const metricsPerRun = new Map<string, number>();
  for (const k of t.keys) metricsPerRun.set(k.runId, (metricsPerRun.get(k.runId) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const k of t.keys) {
    const ri = runIds.indexOf(k.runId);
    const mi = seen.get(k.runId) ?? 0;
    seen.set(k.runId, mi + 1);
    const color = runColor(ri, mi, metricsPerRun.get(k.runId) ?? 1);
    const label = (runs.size > 1 ? `${runs.get(k.runId)?.label ?? "run"} ` : "") + k.metric;
    series.push({
      label,
      stroke: color,
      width: 1.5,
      dash: runs.size > 1 ? DASHES[ri % DASHES.length] : undefined,
      fill: c.def.stacked ? color + "55" : undefined,
      spanGaps: true,
      // uPlot's default: dots only where points are sparse (a run's first steps)
    });
  }
  const bands: uPlot.Band[] = [];
  if (c.def.stacked) {
    // fill between consecutive cumulative series of the same run
    for (let s = 2; s < series.length; s++) if (t.keys[s - 1].runId === t.keys[s - 2].runId) bands.push({ series: [s, s - 1] });
  }
  return {
    width,
    height: CHART_HEIGHT,
    title: c.def.title,
    scales: { x: { time: false }, y: view.logScale && !c.def.stacked ? { distr: 3 } : { auto: true } },
    series,
    bands,
    legend: { live: true },
    cursor: { focus: { prox: 16 }, drag: { x: true, y: false } },
    focus: { alpha: 0.4 },
    axes: [{ stroke: "var(--fg)", grid: { stroke: "#8884" } }, { stroke: "var(--fg)", grid: { stroke: "#8884" }, size: 60 }],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width > 0) c.zoomed = true;
        },
      ],
      setSeries: [
        (_u, sidx) => {
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

function renderChart(c: Chart): void {
  c.dirty = false;
  const width = chartWidth(c);
  const parts: { id: string; cache: SeriesCache }[] = [];
  for (const r of runs.values()) {
    let cache = c.caches.get(r.id);
    if (!cache || !cache.sync(r.series)) {
      cache = SeriesCache.build(c.def, view, r.series);
      c.caches.set(r.id, cache);
    }
    parts.push({ id: r.id, cache });
  }
  const t = combineTables(parts, width);
  c.table = t;
  c.box.dataset.points = String(t.rawPoints);
  if (!t.cols.length) {
    c.plot?.destroy();
    c.plot = null;
    c.signature = "";
    if (!c.box.querySelector(".empty")) c.box.replaceChildren(el("div", "empty", `${c.def.title}: no data yet`));
    return;
  }
  const sig = JSON.stringify([t.keys, view.logScale, view.x, runs.size, [...runs.keys()]]);
  if (c.plot && sig === c.signature) {
    c.plot.setData(tableData(t), !c.zoomed);
    return;
  }
  c.zoomed = false;
  c.plot?.destroy();
  c.box.replaceChildren();
  c.signature = sig;
  c.plot = new uPlot(buildOpts(c, t, width), tableData(t), c.box);
  c.plot.over.addEventListener("click", () => onChartClick(c));
  c.plot.over.addEventListener("dblclick", () => (c.zoomed = false));
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
      post({ type: "openRollouts", runId: runIds[ri], step });
      return;
    }
  }
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
function drain(): void {
  scheduled = false;
  const t0 = performance.now();
  setPointCount();
  for (const c of charts) {
    if (!c.dirty) continue;
    renderChart(c);
    if (liveMode || performance.now() - t0 > FRAME_BUDGET_MS) break;
  }
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
    if (dropCaches) c.caches.clear();
  }
  if (now) schedule();
}

function invalidateMetrics(names: string[]): void {
  const set = new Set(names);
  for (const c of charts) if (c.def.metrics.some((m) => set.has(m))) c.dirty = true;
  schedule(true);
}

/** Draws everything synchronously (first render after init). */
function renderAllNow(): void {
  measureWidths();
  for (const c of charts) renderChart(c);
}

function countPoints(cols: RunData["series"]): number {
  let n = 0;
  for (const col of Object.values(cols.metrics)) for (const v of col) if (v != null) n++;
  return n;
}

function setPointCount(): void {
  pointCountEl.textContent = String(totalPoints);
  pointCountEl.dataset.count = String(totalPoints);
}

function recount(): void {
  totalPoints = 0;
  for (const r of runs.values()) totalPoints += countPoints(r.series);
  setPointCount();
}

new ResizeObserver(() => {
  measureWidths();
  for (const c of charts) if (c.plot) c.plot.setSize({ width: c.width, height: CHART_HEIGHT });
}).observe(grid);

// ---- messages -----------------------------------------------------------------------------

function updateSummary(s: RunSummary): void {
  const r = runs.get(s.id);
  if (!r) return;
  Object.assign(r, s);
  renderRuns();
}

function handle(m: HostMessage): void {
  switch (m.type) {
    case "init": {
      document.body.dataset.initStart = String(performance.now());
      runs.clear();
      for (const c of charts) c.caches.clear();
      for (const r of m.runs) runs.set(r.id, r);
      view = { ...DEFAULT_VIEW, ...m.view };
      syncControls();
      persist();
      renderRuns();
      const t0 = performance.now();
      renderAllNow();
      document.body.dataset.firstRenderMs = (performance.now() - t0).toFixed(1);
      document.body.dataset.drawn = "true";
      // counting every point is not needed for the first frame
      setTimeout(() => {
        recount();
        document.body.dataset.rendered = String(totalPoints);
        document.body.dataset.ready = "true";
      });
      return;
    }
    case "append": {
      const r = runs.get(m.runId);
      if (!r) return;
      appendColumns(r.series, m.points);
      totalPoints += countPoints(m.points);
      invalidateMetrics(Object.keys(m.points.metrics));
      return;
    }
    case "addRun":
      runs.set(m.run.id, m.run);
      persist();
      renderRuns();
      recount();
      invalidateAll(true);
      return;
    case "runStatus":
      updateSummary(m.run);
      return;
    case "removeRun":
      runs.delete(m.runId);
      persist();
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

const restored = vscode.getState() as PersistedState | undefined;
if (restored?.view) {
  view = { ...DEFAULT_VIEW, ...restored.view };
  syncControls();
}
post({ type: "ready", restored: restored && Array.isArray(restored.runIds) ? restored : null });
