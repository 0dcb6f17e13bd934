// Rollout inspector webview (browser code only). Every piece of model text enters the DOM through
// textContent or text nodes; nothing here assigns HTML.
import "./inspector.css";
import { vscodeApi } from "../vscodeApi";
import { PendingRequests } from "../../common/rpc";
import type {
  CallPair,
  GroupSummary,
  HistoryEntry,
  Progress,
  QueryResult,
  RolloutFilter,
  RolloutQuery,
  RowDetail,
  RowSummary,
  SortKey,
  StepSummary,
  TextSpan,
  ToHost,
  ToWebview,
} from "../../common/inspector/protocol";
import type { Json, ReasonCode } from "../../src/core/types";

const vscode = vscodeApi<ToHost, ViewState>();
const post = (m: ToHost): void => vscode.postMessage(m);

// ---- DOM helpers (text only) ---------------------------------------------------------------
type Child = Node | string | number | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: { cls?: string; title?: string; data?: Record<string, string> } = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.cls) el.className = props.cls;
  if (props.title !== undefined) el.title = props.title;
  if (props.data) for (const [k, v] of Object.entries(props.data)) el.dataset[k] = v;
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const fmt = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || Number.isNaN(x) ? "–" : String(Math.round(x * 10 ** d) / 10 ** d));
const json = (v: Json | undefined): string => (v === undefined ? "" : JSON.stringify(v));

// ---- state -----------------------------------------------------------------------------------
interface ViewState {
  filter: RolloutFilter;
  sort: { key: SortKey; desc: boolean };
  groups: boolean;
  tab: "rows" | "summary";
  selected: number | null;
}
const saved = vscode.getState() ?? null;
const state: ViewState = saved ?? { filter: {}, sort: { key: "row", desc: false }, groups: false, tab: "rows", selected: null };
let reasons: readonly ReasonCode[] = [];
let generation = 0;
const ROW_H = 24;
const PAGE = 100;
const pages = new Map<number, (RowSummary | GroupSummary)[]>();
const inflight = new Set<number>();
const requests = new PendingRequests<ToWebview>();
let total = 0;
let lastProgress: Progress | null = null;

/** Sends the request `make(id)` builds; resolves with the host's answer, or null when the host reports an error for it. */
function request(make: (id: number) => ToHost): Promise<ToWebview | null> {
  return requests.request((id) => post(make(id))).catch(() => null);
}

// ---- layout ----------------------------------------------------------------------------------
function buildLayout(): void {
  const reasonSel = h("select", { cls: "reason", title: "Reason code" }) as HTMLSelectElement;
  reasonSel.id = "f-reason";
  reasonSel.append(new Option("all reasons", ""));
  for (const r of reasons) reasonSel.append(new Option(r, r));
  reasonSel.append(new Option("invalid lines", "invalid"));
  const num = (id: string, ph: string, title: string): HTMLInputElement => {
    const i = h("input", { title }) as HTMLInputElement;
    i.id = id;
    i.type = "number";
    i.placeholder = ph;
    i.step = "any";
    return i;
  };
  const search = h("input", { title: "Text in the completion, prompt, prompt id or ground truth" }) as HTMLInputElement;
  search.id = "f-text";
  search.type = "search";
  search.placeholder = "search text";
  const check = (id: string, label: string, title: string): HTMLLabelElement => {
    const c = h("input") as HTMLInputElement;
    c.type = "checkbox";
    c.id = id;
    return h("label", { title }, c, " " + label);
  };
  const bar = h(
    "header",
    { cls: "filters" },
    reasonSel,
    num("f-rmin", "reward ≥", "Lowest reward"),
    num("f-rmax", "reward ≤", "Highest reward"),
    num("f-smin", "step ≥", "First step"),
    num("f-smax", "step ≤", "Last step"),
    search,
    check("f-zero", "zero-variance groups", "Only groups whose rewards are all equal (no learning signal)"),
    check("f-groups", "group by prompt", "One row per prompt group, its N completions side by side"),
    h("span", { cls: "spacer" }),
    h("span", { cls: "status" }, h("span", { cls: "count" }), h("progress", { cls: "progress" })),
  );
  (bar.querySelector(".count") as HTMLElement).id = "row-count";
  (bar.querySelector("progress") as HTMLElement).id = "index-progress";
  const tabs = h("nav", { cls: "tabs" }, h("button", { data: { tab: "rows" } }, "Rollouts"), h("button", { data: { tab: "summary" } }, "Summary per step"));
  const head = h("div", { cls: "thead" });
  head.id = "thead";
  const viewport = h("div", { cls: "viewport" }, h("div", { cls: "spacer-rows" }), h("div", { cls: "rows" }));
  viewport.id = "viewport";
  const list = h("section", { cls: "list" }, head, viewport);
  list.id = "list";
  const detail = h("section", { cls: "detail" }, h("p", { cls: "hint" }, "Select a rollout to see why it got its reward."));
  detail.id = "detail";
  const summary = h("section", { cls: "summary hidden" });
  summary.id = "summary";
  const errors = h("div", { cls: "errors" });
  errors.id = "errors";
  document.body.append(bar, tabs, errors, h("main", { cls: "split" }, list, detail), summary);

  // restore controls from state
  const f = state.filter;
  const group = f.reasons ?? [];
  if (group.length > 1) {
    // several reasons (the dashboard's "other reasons"): one choice that keeps all of them
    const o = new Option(`${group.length} reasons: ${group.join(", ")}`, group.join(","));
    o.title = group.join("\n");
    reasonSel.insertBefore(o, reasonSel.options[1] ?? null);
  }
  reasonSel.value = group.join(",");
  const setNum = (id: string, v: number | undefined): void => void ($<HTMLInputElement>(id).value = v === undefined ? "" : String(v));
  setNum("f-rmin", f.rewardMin);
  setNum("f-rmax", f.rewardMax);
  setNum("f-smin", f.stepMin);
  setNum("f-smax", f.stepMax);
  search.value = f.text ?? "";
  $<HTMLInputElement>("f-zero").checked = !!f.zeroVarianceOnly;
  $<HTMLInputElement>("f-groups").checked = state.groups;

  let debounce: ReturnType<typeof setTimeout> | undefined;
  const onChange = (): void => {
    clearTimeout(debounce);
    debounce = setTimeout(readFilters, 200);
  };
  for (const el of bar.querySelectorAll("input,select")) {
    el.addEventListener("input", onChange);
    el.addEventListener("change", onChange);
  }
  for (const b of tabs.querySelectorAll("button")) b.addEventListener("click", () => showTab((b as HTMLElement).dataset.tab as ViewState["tab"]));
  viewport.addEventListener("scroll", () => renderRows());
  window.addEventListener("resize", () => renderRows());
  viewport.tabIndex = 0;
  viewport.addEventListener("keydown", onListKey);
  renderHead();
}

function readFilters(): void {
  const n = (id: string): number | undefined => {
    const v = $<HTMLInputElement>(id).value.trim();
    return v === "" || Number.isNaN(Number(v)) ? undefined : Number(v);
  };
  const r = $<HTMLSelectElement>("f-reason").value;
  const text = $<HTMLInputElement>("f-text").value;
  const filter: RolloutFilter = {};
  if (r) filter.reasons = r.split(",") as (ReasonCode | "invalid")[];
  const rmin = n("f-rmin"),
    rmax = n("f-rmax"),
    smin = n("f-smin"),
    smax = n("f-smax");
  if (rmin !== undefined) filter.rewardMin = rmin;
  if (rmax !== undefined) filter.rewardMax = rmax;
  if (smin !== undefined) filter.stepMin = smin;
  if (smax !== undefined) filter.stepMax = smax;
  if (text.trim()) filter.text = text;
  if ($<HTMLInputElement>("f-zero").checked) filter.zeroVarianceOnly = true;
  if (state.filter.promptId) filter.promptId = state.filter.promptId;
  state.filter = filter;
  state.groups = $<HTMLInputElement>("f-groups").checked;
  if (state.groups && !["step", "prompt", "reward"].includes(state.sort.key)) state.sort = { key: "step", desc: false };
  saveState();
  renderHead();
  resetView();
}

function saveState(): void {
  vscode.setState(state);
  post({ type: "saveState", state: state as unknown as Json });
}

function showTab(tab: ViewState["tab"]): void {
  state.tab = tab;
  saveState();
  document.querySelector("main.split")!.classList.toggle("hidden", tab !== "rows");
  $("summary").classList.toggle("hidden", tab !== "summary");
  for (const b of document.querySelectorAll("nav.tabs button")) b.classList.toggle("active", (b as HTMLElement).dataset.tab === tab);
  if (tab === "summary") void loadSummary();
}

// ---- table -----------------------------------------------------------------------------------
const ROW_COLS: [SortKey, string][] = [
  ["step", "step"],
  ["prompt", "prompt"],
  ["group", "#"],
  ["reward", "reward"],
  ["advantage", "adv."],
  ["reason", "reason"],
  ["length", "length"],
];
const GROUP_COLS: [SortKey, string][] = [
  ["step", "step"],
  ["prompt", "prompt"],
  ["reward", "mean reward"],
];

function renderHead(): void {
  const head = $("thead");
  head.replaceChildren();
  head.className = "thead " + (state.groups ? "grid-groups" : "grid-rows");
  for (const [key, label] of state.groups ? GROUP_COLS : ROW_COLS) {
    const active = state.sort.key === key;
    const b = h("button", { cls: active ? "sorted" : "", title: `Sort by ${label}` }, label + (active ? (state.sort.desc ? " ▼" : " ▲") : ""));
    b.addEventListener("click", () => {
      state.sort = { key, desc: active ? !state.sort.desc : key === "reward" || key === "length" };
      saveState();
      renderHead();
      resetView();
    });
    head.append(b);
  }
  head.append(h("span", { cls: "col-preview" }, state.groups ? "rewards · reasons" : "completion"));
  if (state.filter.promptId) {
    const clear = h("button", { cls: "chip", title: "Show every prompt again" }, "prompt " + state.filter.promptId + " ✕");
    clear.addEventListener("click", () => {
      delete state.filter.promptId;
      readFilters();
    });
    head.append(clear);
  }
}

function resetView(): void {
  generation++;
  pages.clear();
  inflight.clear();
  $("viewport").scrollTop = 0;
  void loadPage(0);
}

async function loadPage(p: number): Promise<void> {
  if (pages.has(p) || inflight.has(p)) return;
  inflight.add(p);
  const query: RolloutQuery = { filter: state.filter, sort: state.sort, offset: p * PAGE, limit: PAGE, groups: state.groups };
  const gen = generation;
  const m = await request((id) => ({ type: "query", id, query }));
  if (gen !== generation) return;
  inflight.delete(p);
  if (m?.type !== "queryResult") return;
  const r: QueryResult = m.result;
  pages.set(p, state.groups ? r.groups : r.rows);
  total = r.total;
  renderCount();
  renderRows();
}

function renderCount(): void {
  const el = $("row-count");
  el.dataset.count = String(total);
  const what = state.groups ? "groups" : "rollouts";
  const p = lastProgress;
  el.textContent = p && !p.done ? `${total.toLocaleString()} ${what} (indexing…)` : `${total.toLocaleString()} ${what}`;
}

function renderRows(): void {
  const vp = $("viewport");
  const spacer = vp.querySelector(".spacer-rows") as HTMLElement;
  const holder = vp.querySelector(".rows") as HTMLElement;
  spacer.style.height = `${total * ROW_H}px`;
  const first = Math.max(0, Math.floor(vp.scrollTop / ROW_H) - 5);
  const count = Math.ceil((vp.clientHeight || 600) / ROW_H) + 10;
  const last = Math.min(total, first + count);
  holder.style.transform = `translateY(${first * ROW_H}px)`;
  const frag = document.createDocumentFragment();
  for (let i = first; i < last; i++) {
    const page = pages.get(Math.floor(i / PAGE));
    if (!page) {
      void loadPage(Math.floor(i / PAGE));
      frag.append(h("div", { cls: "row loading" }, "…"));
      continue;
    }
    const item = page[i % PAGE];
    if (!item) continue;
    frag.append(state.groups ? groupRow(item as GroupSummary, i) : rolloutRow(item as RowSummary, i));
  }
  holder.replaceChildren(frag);
  holder.dataset.first = String(first);
}

function rewardClass(r: number): string {
  return Number.isNaN(r) ? "r-nan" : r >= 1 ? "r-1" : r <= 0 ? "r-0" : "r-mid";
}

function rolloutRow(r: RowSummary, i: number): HTMLElement {
  const el = h(
    "div",
    { cls: "row grid-rows" + (state.selected === r.row ? " selected" : "") + (r.zeroVariance ? " zv" : ""), data: { row: String(r.row), index: String(i) } },
    h("span", {}, r.step),
    h("span", { cls: "mono", title: r.promptId }, r.promptId),
    h("span", {}, r.group),
    h("span", { cls: "reward " + rewardClass(r.reward) }, fmt(r.reward)),
    h("span", { title: r.advantageComputed ? "computed from the group (the source has no advantage)" : "" }, fmt(r.advantage, 2) + (r.advantageComputed && r.advantage !== null ? "*" : "")),
    h("span", { cls: "reason reason-" + r.reason, title: r.explained ? "reason recomputed by Tool-N1's scorer" : "" }, r.reason + (r.zeroVariance ? " ·zv" : "")),
    h("span", {}, r.length),
    h("span", { cls: "preview" }, r.preview ?? ""),
  );
  el.addEventListener("click", () => select(r.row));
  return el;
}

function groupRow(g: GroupSummary, i: number): HTMLElement {
  const chips = h("span", { cls: "preview" });
  g.rewards.forEach((rw, k) => chips.append(h("span", { cls: "chip " + rewardClass(rw), title: g.reasons[k] }, fmt(rw, 2))));
  if (g.zeroVariance) chips.append(h("span", { cls: "flag", title: "All rewards equal: the advantages are 0, this group teaches nothing" }, "zero variance"));
  const el = h(
    "div",
    { cls: "row grid-groups" + (g.zeroVariance ? " zv" : ""), data: { group: String(g.key), index: String(i) } },
    h("span", {}, g.step),
    h("span", { cls: "mono", title: g.promptId }, g.promptId),
    h("span", { cls: "reward " + rewardClass(g.mean) }, `${fmt(g.mean)} ± ${fmt(g.std, 2)} (n=${g.count})`),
    chips,
  );
  el.addEventListener("click", () => void showGroup(g.rows[0]));
  return el;
}

function onListKey(e: KeyboardEvent): void {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  e.preventDefault();
  const rows = [...document.querySelectorAll<HTMLElement>("#viewport .row[data-row]")];
  const at = rows.findIndex((r) => Number(r.dataset.row) === state.selected);
  const next = rows[at + (e.key === "ArrowDown" ? 1 : -1)];
  if (next) select(Number(next.dataset.row));
}

// ---- detail ----------------------------------------------------------------------------------
async function select(row: number): Promise<void> {
  state.selected = row;
  saveState();
  for (const el of document.querySelectorAll<HTMLElement>("#viewport .row")) el.classList.toggle("selected", Number(el.dataset.row) === row);
  const m = await request((id) => ({ type: "detail", id, row }));
  if (m?.type === "detailResult" && state.selected === row) renderDetail(m.detail);
}

function metaTable(pairs: [string, Child][]): HTMLElement {
  const t = h("dl", { cls: "meta" });
  for (const [k, v] of pairs) t.append(h("dt", {}, k), h("dd", {}, v));
  return t;
}

function renderDetail(d: RowDetail): void {
  const pane = $("detail");
  pane.replaceChildren();
  pane.dataset.row = String(d.summary.row);
  const s = d.summary;
  const actions = h("div", { cls: "actions" });
  const act = (label: string, title: string, fn: () => void): void => {
    const b = h("button", { title }, label);
    b.addEventListener("click", fn);
    actions.append(b);
  };
  act("Group", "The N completions of this prompt at this step, side by side", () => void showGroup(s.row));
  act("Prompt history", "This prompt at every step", () => void showHistory(s.promptId));
  act("Only this prompt", "Filter the table to this prompt", () => {
    state.filter.promptId = s.promptId;
    readFilters();
  });
  act("Open in preview", "Open the completion and its ground truth in the Tool-N1 preview", () => post({ type: "openPreview", row: s.row }));
  act("Reveal line", "Open the source file at this line", () => post({ type: "revealLine", row: s.row }));
  pane.append(h("h2", {}, `Rollout: step ${s.step}, prompt ${s.promptId}, completion ${s.group}`), actions);
  const rec = d.record;
  const ex = d.explanation;
  pane.append(
    metaTable([
      ["reward", h("span", { cls: "reward " + rewardClass(s.reward) }, fmt(s.reward))],
      ["reason", h("span", { cls: "reason reason-" + s.reason }, s.reason)],
      ["mismatch", rec?.details.mismatch ?? "–"],
      ["advantage", fmt(s.advantage, 4) + (s.advantageComputed && s.advantage !== null ? " (computed from the group)" : "")],
      ["group", s.zeroVariance ? "zero variance: every completion got the same reward" : "rewards differ"],
      ["format ok / calls ok", rec ? `${rec.details.format_ok} / ${rec.details.calls_ok}` : "–"],
      ["tokens", rec?.tokens ? `prompt ${rec.tokens.prompt ?? "–"}, completion ${rec.tokens.completion ?? "–"}` : `${s.length} characters`],
      ["source", `${d.source.path}:${d.source.line + 1}`],
    ]),
  );
  if (d.error) pane.append(h("p", { cls: "error" }, d.error));
  if (!rec) return;
  if (ex) {
    const verdict = ex.agrees
      ? `Tool-N1's scorer (${ex.variant}) agrees: ${ex.rescored.reward}, ${ex.rescored.reason}.`
      : `Tool-N1's scorer (${ex.variant}) gives ${ex.rescored.reward}, ${ex.rescored.reason}${ex.rescored.mismatch ? " at " + ex.rescored.mismatch : ""}` +
        (rec.explained ? " (the source recorded only a score)." : "; the recorded reward differs.");
    pane.append(h("p", { cls: ex.agrees ? "ok" : "warn" }, verdict));
    const reasoning = h("details", { cls: "reasoning" }, h("summary", {}, ex.reasoning === null ? "Reasoning: none found" : `Reasoning (${ex.reasoning.length} characters)`));
    reasoning.open = true;
    if (ex.reasoning !== null) reasoning.append(h("pre", {}, ex.reasoning));
    pane.append(reasoning);
    pane.append(h("h3", {}, "Calls against the ground truth"), callsDiff(ex.pairs));
    if (ex.errors.length) {
      const ul = h("ul", { cls: "parse-errors" });
      for (const e of ex.errors) ul.append(h("li", {}, `${e.code} at ${e.start}–${e.end}: ${e.message}`));
      pane.append(h("h3", {}, "Parser errors"), ul);
    }
    const parsed = h("details", {}, h("summary", {}, "Parsed calls (JSON)"), h("pre", { cls: "json" }, JSON.stringify(ex.calls, null, 2)));
    const gt = h("details", {}, h("summary", {}, "Ground truth (JSON)"), h("pre", { cls: "json" }, JSON.stringify(rec.ground_truth, null, 2)));
    pane.append(parsed, gt);
    pane.append(h("h3", {}, "Raw completion"), highlighted(rec.completion, ex.spans));
  } else {
    pane.append(h("h3", {}, "Raw completion"), h("pre", { cls: "raw" }, rec.completion));
  }
  if (rec.prompt) pane.append(h("details", {}, h("summary", {}, `Prompt (${rec.prompt.length} characters)`), h("pre", { cls: "raw" }, rec.prompt)));
  if (d.truncated) pane.append(h("p", { cls: "warn" }, "The line is longer than the inspector reads; it is shown cut."));
}

function callsDiff(pairs: CallPair[]): HTMLElement {
  const box = h("div", { cls: "calls" });
  if (pairs.length === 0) box.append(h("p", { cls: "hint" }, "No calls, and none expected."));
  for (const p of pairs) {
    const title =
      p.expected && p.actual
        ? p.nameMatch
          ? `${p.actual.name}`
          : `${p.actual.name} (expected ${p.expected.name})`
        : p.expected
          ? `missing call ${p.expected.name}`
          : `extra call ${p.actual?.name ?? "?"}`;
    const cls = !p.expected ? "extra" : !p.actual ? "missing" : !p.nameMatch ? "changed" : p.args.every((a) => a.status === "same") ? "same" : "changed";
    const t = h("table", { cls: "args" }, h("thead", {}, h("tr", {}, h("th", {}, "argument"), h("th", {}, "model"), h("th", {}, "ground truth"), h("th", {}, ""))));
    const body = h("tbody");
    for (const a of p.args) body.append(h("tr", { cls: "arg-" + a.status }, h("td", { cls: "mono" }, a.key), h("td", { cls: "mono" }, json(a.actual)), h("td", { cls: "mono" }, json(a.expected)), h("td", {}, a.status)));
    t.append(body);
    box.append(h("div", { cls: "call call-" + cls }, h("div", { cls: "call-title" }, title), t));
  }
  return box;
}

/** The completion with the parser's spans marked; nested spans become nested elements. */
function highlighted(text: string, spans: TextSpan[]): HTMLElement {
  const pre = h("pre", { cls: "raw" });
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k],
      b = points[k + 1];
    if (a === b) continue;
    const cover = spans.filter((s) => s.start <= a && s.end >= b && s.end > s.start);
    const piece = text.slice(a, b);
    if (cover.length === 0) {
      pre.append(document.createTextNode(piece));
      continue;
    }
    const kinds = [...new Set(cover.map((s) => s.kind))];
    pre.append(h("span", { cls: kinds.map((x) => "hl-" + x).join(" "), title: cover.map((s) => s.label).join("\n") }, piece));
  }
  for (const s of spans) if (s.start === s.end && s.kind === "error") pre.append(h("span", { cls: "hl-error marker", title: s.label }, `⟂ ${s.label}`));
  return pre;
}

async function showGroup(row: number): Promise<void> {
  const m = await request((id) => ({ type: "group", id, row }));
  if (m?.type !== "groupResult") return;
  const pane = $("detail");
  pane.replaceChildren();
  const g = m.group;
  pane.dataset.group = String(g.key);
  pane.append(h("h2", {}, `Group: step ${g.step}, prompt ${g.promptId}, ${g.count} completions`));
  pane.append(
    h(
      "p",
      { cls: g.zeroVariance ? "warn" : "ok" },
      g.zeroVariance
        ? `Zero variance: every completion got ${fmt(g.mean)}, so every advantage is 0 and this group gives no learning signal.`
        : `Mean reward ${fmt(g.mean)}, std ${fmt(g.std)}.`,
    ),
  );
  const hist = h("button", {}, "Prompt history");
  hist.addEventListener("click", () => void showHistory(g.promptId));
  pane.append(hist);
  const cols = h("div", { cls: "side-by-side" });
  for (const d of m.details) {
    const s = d.summary;
    const col = h(
      "div",
      { cls: "completion " + rewardClass(s.reward), data: { row: String(s.row) } },
      h("div", { cls: "completion-head" }, `#${s.group}  reward ${fmt(s.reward)}  adv ${fmt(s.advantage, 2)}${s.advantageComputed && s.advantage !== null ? "*" : ""}`),
      h("div", { cls: "reason reason-" + s.reason }, s.reason + (d.record?.details.mismatch ? " · " + d.record.details.mismatch : "")),
      d.record && d.explanation ? highlighted(d.record.completion, d.explanation.spans) : h("pre", { cls: "raw" }, d.record?.completion ?? d.error ?? ""),
    );
    const open = h("button", {}, "Details");
    open.addEventListener("click", () => void select(s.row));
    col.append(open);
    cols.append(col);
  }
  pane.append(cols);
}

async function showHistory(promptId: string): Promise<void> {
  const m = await request((id) => ({ type: "history", id, promptId }));
  if (m?.type !== "historyResult") return;
  const pane = $("detail");
  pane.replaceChildren();
  pane.append(h("h2", {}, `Prompt ${promptId} across steps`));
  const t = h("table", { cls: "history" }, h("thead", {}, h("tr", {}, h("th", {}, "step"), h("th", {}, "n"), h("th", {}, "mean"), h("th", {}, "rewards"), h("th", {}, ""))));
  const body = h("tbody");
  m.entries.forEach((e: HistoryEntry) => {
    const chips = h("td");
    e.rewards.forEach((r, k) => chips.append(h("span", { cls: "chip " + rewardClass(r), title: e.reasons[k] }, fmt(r, 2))));
    const tr = h("tr", { cls: e.zeroVariance ? "zv" : "" }, h("td", {}, e.step), h("td", {}, e.count), h("td", {}, fmt(e.mean)), chips, h("td", {}, e.zeroVariance ? "zero variance" : ""));
    tr.addEventListener("click", () => void showGroup(e.rows[0]));
    body.append(tr);
  });
  t.append(body);
  pane.append(t);
}

// ---- summary ---------------------------------------------------------------------------------
async function loadSummary(): Promise<void> {
  const m = await request((id) => ({ type: "summary", id }));
  if (m?.type !== "summaryResult") return;
  const pane = $("summary");
  pane.replaceChildren();
  const codes = [...reasons, "invalid"] as (ReasonCode | "invalid")[];
  const legend = h("div", { cls: "legend" });
  codes.forEach((c, i) => legend.append(h("span", { cls: "swatch", data: { c: String(i) } }, c)));
  const t = h(
    "table",
    { cls: "steps" },
    h("thead", {}, h("tr", {}, h("th", {}, "step"), h("th", {}, "rollouts"), h("th", {}, "mean reward"), h("th", {}, "zero-variance groups"), h("th", {}, "reasons"))),
  );
  const body = h("tbody");
  m.steps.forEach((s: StepSummary) => {
    const bar = h("div", { cls: "bar" });
    codes.forEach((c, i) => {
      const n = s.reasons[c] ?? 0;
      if (!n) return;
      const seg = h("span", { cls: "seg", title: `${c}: ${n} (${((100 * n) / s.count).toFixed(1)}%)`, data: { c: String(i) } });
      seg.style.width = `${(100 * n) / s.count}%`;
      bar.append(seg);
    });
    const tr = h("tr", {}, h("td", {}, s.step), h("td", {}, s.count), h("td", {}, fmt(s.mean)), h("td", {}, `${s.zeroVarianceGroups} / ${s.groups}`), h("td", {}, bar));
    tr.addEventListener("click", () => {
      $<HTMLInputElement>("f-smin").value = String(s.step);
      $<HTMLInputElement>("f-smax").value = String(s.step);
      showTab("rows");
      readFilters();
    });
    body.append(tr);
  });
  t.append(body);
  pane.append(legend, t);
  pane.dataset.steps = String(m.steps.length);
}

// ---- messages --------------------------------------------------------------------------------
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener("message", (ev: MessageEvent<ToWebview>) => {
  const m = ev.data;
  if (!m || typeof m !== "object" || typeof (m as { type?: unknown }).type !== "string") return;
  switch (m.type) {
    case "init": {
      reasons = m.reasons;
      document.title = m.title;
      if (!saved) state.filter = { ...m.filter };
      if (!document.querySelector("header.filters")) buildLayout();
      showTab(state.tab);
      resetView();
      document.body.dataset.ready = "1";
      if (state.selected !== null && saved) void select(state.selected);
      return;
    }
    case "progress": {
      lastProgress = m.progress;
      const p = m.progress;
      const bar = $<HTMLProgressElement>("index-progress");
      if (bar) {
        bar.max = Math.max(1, p.totalBytes);
        bar.value = p.bytes;
        bar.title = `${p.rows.toLocaleString()} rows, ${(p.bytes / 1048576).toFixed(0)} of ${(p.totalBytes / 1048576).toFixed(0)} MB indexed` + (p.partialTail ? "; the last line is incomplete (being written or truncated)" : "");
        bar.classList.toggle("hidden", p.done);
      }
      document.body.dataset.indexing = p.done ? "done" : "running";
      const errs = $("errors");
      if (errs) {
        errs.replaceChildren();
        if (p.invalid) errs.append(h("div", { cls: "warn" }, `${p.invalid} line(s) are not readable rollouts; filter by "invalid lines" to see them.`));
        if (p.partialTail) errs.append(h("div", { cls: "hint" }, "The last line has no newline yet: still being written, or truncated."));
      }
      // refresh what is shown as rows arrive (at most twice a second)
      if (!refreshTimer && document.body.dataset.ready) {
        refreshTimer = setTimeout(() => {
          refreshTimer = undefined;
          generation++;
          const keep = [...pages.keys()];
          pages.clear();
          inflight.clear();
          for (const k of keep.length ? keep : [0]) void loadPage(k);
          if (state.tab === "summary") void loadSummary();
        }, 500);
      }
      renderCount();
      return;
    }
    case "select": {
      void select(m.row);
      return;
    }
    case "error": {
      if (m.id !== undefined) requests.reject(m.id, new Error(m.message));
      const errs = $("errors");
      if (errs) errs.append(h("div", { cls: "error" }, m.message));
      return;
    }
    default:
      requests.resolve(m.id, m);
  }
});

post({ type: "ready" });
