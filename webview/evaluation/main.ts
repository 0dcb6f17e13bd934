// The BFCL results view: every evaluation as a row of the paper's Table 2, and for the selected one
// its per-category table and its failures (each opens in the rollout inspector). Browser code only;
// every text from disk or the model goes in with textContent, never as HTML.
import "./evaluation.css";
import type { Column, EvaluationView, HostMessage, RunningView, WebviewMessage } from "../../common/evaluation/protocol";
import { vscodeApi } from "../vscodeApi";

const vscode = vscodeApi<WebviewMessage, { selected?: unknown }>();
let columns: Column[] = [];
let evaluations: EvaluationView[] = [];
let selected: string | null = null;
let problems: string[] = [];
let running: RunningView | null = null;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

const pct = (v: number | null): string => (v === null ? "N/A" : (100 * v).toFixed(2));

function renderToolbar(root: HTMLElement): void {
  const bar = el("div", "toolbar");
  const run = el("button", undefined, "Evaluate Checkpoint...");
  run.id = "evaluate";
  run.onclick = () => vscode.postMessage({ type: "evaluate" });
  bar.append(run);
  if (running) {
    const s = el("span", "running", `Evaluating ${running.model}: ${running.done}/${running.total || "?"} generated`);
    s.id = "running";
    const cancel = el("button", "secondary", "Cancel");
    cancel.onclick = () => vscode.postMessage({ type: "cancel" });
    bar.append(s, cancel);
  }
  root.append(bar);
}

function renderTable2(root: HTMLElement): void {
  root.append(el("h2", undefined, "BFCL accuracy (%)"));
  if (!evaluations.length) {
    root.append(el("div", "empty", "No evaluations yet: run Evaluate Checkpoint."));
    return;
  }
  const table = el("table", "table2");
  const head1 = el("tr");
  head1.append(el("th", "name"));
  for (let i = 0; i < columns.length; ) {
    let j = i;
    while (j < columns.length && columns[j].group === columns[i].group) j++;
    const th = el("th", "group", columns[i].group);
    th.colSpan = j - i;
    head1.append(th);
    i = j;
  }
  const head2 = el("tr");
  head2.append(el("th", "name", "Model"));
  for (const c of columns) head2.append(el("th", undefined, c.label));
  table.append(head1, head2);
  // The best value of each column in bold, as the paper marks it.
  const best = columns.map((_, k) => Math.max(...evaluations.map((e) => e.row[k] ?? -1)));
  for (const e of evaluations) {
    const tr = el("tr", "eval" + (e.dir === selected ? " selected" : ""));
    tr.dataset.dir = e.dir;
    const name = el("td", "name");
    name.append(el("div", undefined, e.label), el("div", "model", e.model));
    tr.append(name);
    e.row.forEach((v, k) => {
      const td = el("td", v === null ? "na" : evaluations.length > 1 && v === best[k] ? "best" : undefined, pct(v));
      td.dataset.col = String(k);
      tr.append(td);
    });
    tr.onclick = () => {
      selected = e.dir;
      vscode.setState({ selected });
      vscode.postMessage({ type: "select", dir: e.dir });
      render();
    };
    table.append(tr);
  }
  const scroll = el("div", "scroll");
  scroll.append(table);
  root.append(scroll);
}

function renderDetail(root: HTMLElement): void {
  const e = evaluations.find((x) => x.dir === selected) ?? evaluations[evaluations.length - 1];
  if (!e) return;
  root.append(el("h2", undefined, `${e.label}: per category`));
  const t = el("table", "categories");
  const h = el("tr");
  for (const [label, cls] of [["Category", "name"], ["Accuracy (%)", ""], ["Correct", ""], ["Total", ""]]) h.append(el("th", cls || undefined, label));
  t.append(h);
  for (const c of e.categories) {
    const tr = el("tr");
    tr.dataset.category = c.name;
    tr.append(el("td", "name", c.name), el("td", undefined, pct(c.accuracy)), el("td", undefined, String(c.correct)), el("td", undefined, String(c.total)));
    t.append(tr);
  }
  root.append(t);
  const open = el("button", "secondary", "Open all results in the inspector");
  open.onclick = () => vscode.postMessage({ type: "openResults", dir: e.dir });
  root.append(open);
  root.append(el("h2", undefined, `Failures (${e.failures.length + e.moreFailures})`));
  const ul = el("ul", "failures");
  for (const f of e.failures) {
    const li = el("li", "failure");
    li.dataset.line = String(f.line);
    li.title = "Open in the rollout inspector";
    li.append(el("span", "fid", f.id), el("span", "reason", f.reason), el("span", "detail", f.detail));
    li.onclick = () => vscode.postMessage({ type: "openFailure", dir: e.dir, line: f.line });
    ul.append(li);
  }
  root.append(ul);
  if (e.moreFailures) root.append(el("div", "empty", `${e.moreFailures} more: open all results in the inspector (filter by reward 0).`));
}

function render(): void {
  const root = document.getElementById("app") ?? document.body.appendChild(el("div"));
  root.id = "app";
  root.replaceChildren();
  renderToolbar(root);
  for (const p of problems) root.append(el("div", "problem", p));
  renderTable2(root);
  renderDetail(root);
}

window.addEventListener("message", (ev: MessageEvent<HostMessage>) => {
  const m = ev.data;
  if (!m || typeof m !== "object") return;
  if (m.type === "init") {
    columns = m.columns;
    evaluations = m.evaluations;
    problems = m.problems;
    if (m.selected) selected = m.selected;
    if (selected && !evaluations.some((e) => e.dir === selected)) selected = null;
    selected ??= evaluations[evaluations.length - 1]?.dir ?? null;
  } else if (m.type === "running") {
    running = m.running;
  }
  render();
});

const saved = vscode.getState();
if (typeof saved?.selected === "string") selected = saved.selected;
render();
vscode.postMessage({ type: "ready" });
