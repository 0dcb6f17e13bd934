/**
 * Preview webview: a Monaco editor holding a model output and, beside it, live: the reasoning,
 * the parsed calls with their schema check, parse errors as editor markers, and the reward
 * against an editable ground truth under all four variants. "Try a model" streams a local
 * generation into the same editor. Model text is only ever set with textContent or as Monaco
 * model text, never as HTML.
 *
 * Ready markers for end-to-end tests: body[data-ready="true"], body[data-revision] (bumped after
 * every update), #rewards tr[data-variant][data-reward][data-reason], body[data-generating],
 * body[data-text-version] (the editor text the panels show), body[data-text-length] (its length),
 * body[data-saved-version] (the text in the saved state; state saves are debounced), and after a
 * generation body[data-gen-length] (the generated text's length) and body[data-gen-streamed]
 * ("true" when the streamed pieces alone had built exactly the generated text in the editor).
 */
import * as monaco from "monaco-editor/editor/editor.api";
import "monaco-editor/language/json/monaco.contribution";
import "./preview.css";
import { vscodeApi } from "../vscodeApi";
import { analyze, readGroundTruth, readTools, type Analysis, type GroundTruthState, type ToolsState } from "./analyze";
import {
  DEFAULT_SAMPLING,
  type CheckpointInfo,
  type HostToWebview,
  type PersistedState,
  type Prefill,
  type SamplingSettings,
  type SchemaFileEntry,
  type ToolSource,
  type WebviewToHost,
} from "../../common/preview/protocol";

const vscode = vscodeApi<WebviewToHost, PersistedState>();
const post = (m: WebviewToHost) => vscode.postMessage(m);

// ---- Monaco workers: fetched from the extension's own files, started from blob URLs (CSP worker-src blob:).
const workerScripts = new Map<string, Promise<string>>();
function workerUrlFor(label: string): string {
  const d = document.body.dataset;
  return (label === "json" ? d.jsonWorker : d.editorWorker) ?? "";
}
(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker(_moduleId: string, label: string): Promise<Worker> {
    const key = label === "json" ? "json" : "editor";
    let src = workerScripts.get(key);
    if (!src) {
      src = fetch(workerUrlFor(key)).then((r) => {
        if (!r.ok) throw new Error(`could not load the ${key} worker (${r.status})`);
        return r.text();
      });
      workerScripts.set(key, src);
    }
    return src.then((code) => new Worker(URL.createObjectURL(new Blob([code], { type: "text/javascript" })), { name: label }));
  },
};

// ---- A small tokenizer so <think> and <tool_call> stand out in the output.
monaco.languages.register({ id: "tooln1-output" });
monaco.languages.setMonarchTokensProvider("tooln1-output", {
  tokenizer: {
    root: [
      [/<\/?think>/, "keyword"],
      [/<\/?tool_call>/, "type"],
      [/<\|im_(start|end)\|>/, "comment"],
      [/"(?:[^"\\]|\\.)*"/, "string"],
      [/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, "number"],
    ],
  },
});

// ---- DOM helpers (text only).
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function buildLayout(): void {
  const app = el("div", { id: "app" });
  const toolbar = el(
    "div",
    { id: "toolbar" },
    el("label", { for: "schema-select", text: "Tool schema" }),
    el("select", { id: "schema-select", title: "Calls are checked against the tools of this file (kept in sync as it changes)" }),
    el("span", { id: "schema-label" }),
    el("span", { id: "schema-problems" }),
  );
  const left = el(
    "div",
    { id: "left" },
    el("div", { id: "output-editor", "aria-label": "Model output" }),
    el(
      "div",
      { id: "try" },
      el("h2", { text: "Try a model" }),
      el("div", { class: "row" }, el("button", { id: "choose-checkpoint", text: "Choose checkpoint…" }), el("span", { id: "checkpoint-label", text: "no checkpoint chosen" })),
      el("textarea", { id: "query", placeholder: "User query (the tools come from the tool schema above)", rows: "2" }),
      el(
        "div",
        { class: "row" },
        el("label", { text: "max tokens" }),
        el("input", { id: "max-tokens", type: "number", min: "1", max: "8192", step: "1" }),
        el("label", { text: "temperature" }),
        el("input", { id: "temperature", type: "number", min: "0", max: "5", step: "0.1", title: "0 = greedy" }),
        el("label", { text: "top-p" }),
        el("input", { id: "top-p", type: "number", min: "0.01", max: "1", step: "0.05" }),
        el("label", { text: "seed" }),
        el("input", { id: "seed", type: "number", min: "0", step: "1" }),
      ),
      el("div", { class: "row" }, el("button", { id: "generate", text: "Generate" }), el("button", { id: "stop", text: "Stop", disabled: "" }), el("span", { id: "gen-status" })),
      el("div", { id: "gen-error" }),
      el("details", { id: "prompt-details" }, el("summary", { text: "Prompt sent to the model" }), el("pre", { id: "prompt-text" })),
    ),
  );
  const right = el(
    "div",
    { id: "right" },
    el("section", {}, el("h2", { text: "Reward" }), el("table", { id: "rewards" }, el("thead", {}, el("tr", {}, el("th", { text: "variant" }), el("th", { text: "reward" }), el("th", { text: "reason" }), el("th", { text: "first mismatch" }))), el("tbody"))),
    el("section", {}, el("h2", { text: "Ground truth (JSON list of calls)" }), el("div", { id: "gt-editor" }), el("div", { id: "gt-error" })),
    el("section", {}, el("h2", { text: "Reasoning" }), el("pre", { id: "reasoning" })),
    el("section", {}, el("h2", { text: "Tool calls" }), el("div", { id: "calls" })),
    el("section", {}, el("h2", { text: "Parse errors" }), el("div", { id: "errors" })),
  );
  app.append(toolbar, left, right);
  document.body.append(app);
}

buildLayout();

// ---- State.
const restored = vscode.getState() ?? null;
let sampling: SamplingSettings = { ...DEFAULT_SAMPLING, ...(restored?.sampling ?? {}) };
let schemaUri = restored?.schemaUri ?? "";
let toolSource: ToolSource | null = null;
let toolsState: ToolsState = readTools(null);
let gtState: GroundTruthState = readGroundTruth(restored?.groundTruth ?? "");
let generating = false;
let revision = 0;
let lastKeyAt = 0;
/** keystroke-to-panels latencies (ms), read by bench/preview.bench.ts */
const timings: { computeMs: number; keyToPaintMs: number | null; length: number }[] = [];
(window as unknown as { __previewTimings: typeof timings }).__previewTimings = timings;

const prefersDark = document.body.classList.contains("vscode-dark") || document.body.classList.contains("vscode-high-contrast");
monaco.editor.setTheme(prefersDark ? "vs-dark" : "vs");

const outputModel = monaco.editor.createModel(restored?.completion ?? "", "tooln1-output", monaco.Uri.parse("inmemory://tooln1/output.txt"));
const output = monaco.editor.create(byId("output-editor"), {
  model: outputModel,
  wordWrap: "on",
  minimap: { enabled: false },
  automaticLayout: true,
  scrollBeyondLastLine: false,
  renderValidationDecorations: "on",
  fontSize: 13,
});
const gtModel = monaco.editor.createModel(restored?.groundTruth ?? "", "json", monaco.Uri.parse("inmemory://tooln1/ground-truth.json"));
monaco.editor.create(byId("gt-editor"), {
  model: gtModel,
  minimap: { enabled: false },
  automaticLayout: true,
  lineNumbers: "off",
  scrollBeyondLastLine: false,
  wordWrap: "on",
  fontSize: 12,
});

const queryBox = byId<HTMLTextAreaElement>("query");
queryBox.value = restored?.query ?? "";
const numberInputs: [keyof SamplingSettings, string][] = [
  ["maxNewTokens", "max-tokens"],
  ["temperature", "temperature"],
  ["topP", "top-p"],
  ["seed", "seed"],
];
for (const [key, id] of numberInputs) {
  const input = byId<HTMLInputElement>(id);
  input.value = String(sampling[key]);
  input.addEventListener("change", () => {
    const v = Number(input.value);
    if (Number.isFinite(v)) sampling = { ...sampling, [key]: v };
    saveState();
  });
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveState(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const s: PersistedState = { completion: outputModel.getValue(), groundTruth: gtModel.getValue(), schemaUri, query: queryBox.value, sampling };
    vscode.setState(s);
    document.body.dataset.savedVersion = String(outputModel.getVersionId());
  }, 200);
}

// ---- Rendering. Each section is rebuilt only when what it shows changed (typing in the
// reasoning leaves the calls, rewards and markers alone).
const shown = new Map<string, string>();
function changed(section: string, key: string): boolean {
  if (shown.get(section) === key) return false;
  shown.set(section, key);
  return true;
}
function renderRewards(a: Analysis): void {
  if (!changed("rewards", JSON.stringify(a.rewards))) return;
  const body = byId("rewards").querySelector("tbody")!;
  const rows = a.rewards.map(({ variant, result }) => {
    const tr = el(
      "tr",
      { id: `reward-${variant}`, "data-variant": variant, "data-reward": String(result.reward), "data-reason": result.reason },
      el("td", { text: variant }),
      el("td", { class: "reward", text: String(result.reward) }),
      el("td", { text: result.reason }),
      el("td", { text: result.mismatch ?? "" }),
    );
    return tr;
  });
  body.replaceChildren(...rows);
}

function renderReasoning(a: Analysis): void {
  const pre = byId("reasoning");
  const r = a.parsed.reasoning;
  if (!changed("reasoning", r ? "+" + r.text : "-")) return;
  if (r) {
    pre.className = "";
    pre.textContent = r.text;
  } else {
    pre.className = "empty";
    pre.textContent = "no <think>…</think> block";
  }
}

function renderCalls(a: Analysis): void {
  const box = byId("calls");
  if (!changed("calls", JSON.stringify([a.calls.map((c) => [c.name, c.arguments, c.problems]), toolsState.index !== null]))) return;
  if (a.calls.length === 0) {
    box.replaceChildren(el("div", { class: "empty", text: "no parsed calls" }));
    return;
  }
  const items = a.calls.map((c, i) => {
    const div = el("div", { class: "call", "data-index": String(i), "data-problems": String(c.problems.length) });
    div.append(el("span", { class: "call-name", text: c.name }));
    div.append(el("pre", { text: JSON.stringify(c.arguments, null, 2) }));
    if (!toolsState.index) div.append(el("div", { class: "empty", text: "no tool schema chosen: not checked" }));
    else if (c.problems.length === 0) div.append(el("div", { class: "ok", text: "✓ valid against the schema" }));
    for (const p of c.problems) div.append(el("div", { class: `problem ${p.severity}`, text: `${p.code}: ${p.message}` }));
    return div;
  });
  box.replaceChildren(...items);
}

function renderErrors(a: Analysis): void {
  const box = byId("errors");
  if (!changed("errors", JSON.stringify(a.parsed.errors))) return;
  if (a.parsed.errors.length === 0) {
    box.replaceChildren(el("div", { class: "empty", text: "none" }));
    return;
  }
  box.replaceChildren(...a.parsed.errors.map((e) => el("div", { class: "problem error", "data-code": e.code, text: `${e.code} at ${e.start}: ${e.message}` })));
}

function rangeOf(model: monaco.editor.ITextModel, start: number, end: number): monaco.IRange {
  const s = model.getPositionAt(start);
  const e = model.getPositionAt(Math.max(end, start + 1));
  return { startLineNumber: s.lineNumber, startColumn: s.column, endLineNumber: e.lineNumber, endColumn: e.column };
}

function setMarkers(a: Analysis): void {
  if (!changed("markers", JSON.stringify([a.parsed.errors, a.calls.map((c) => [c.start, c.end, c.problems])]))) return;
  const markers: monaco.editor.IMarkerData[] = a.parsed.errors.map((e) => ({
    ...rangeOf(outputModel, e.start, e.end),
    severity: monaco.MarkerSeverity.Error,
    message: e.message,
    code: e.code,
    source: "Tool-N1",
  }));
  for (const c of a.calls) {
    for (const p of c.problems) {
      markers.push({ ...rangeOf(outputModel, c.start, c.end), severity: p.severity === "error" ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info, message: `${c.name}: ${p.message}`, code: p.code, source: "Tool-N1 schema" });
    }
  }
  monaco.editor.setModelMarkers(outputModel, "tooln1", markers);
}

function update(): void {
  const t0 = performance.now();
  const text = outputModel.getValue();
  const a = analyze(text, gtState, toolsState);
  renderRewards(a);
  renderReasoning(a);
  renderCalls(a);
  renderErrors(a);
  setMarkers(a);
  revision++;
  document.body.dataset.revision = String(revision);
  document.body.dataset.textVersion = String(outputModel.getVersionId());
  document.body.dataset.textLength = String(text.length);
  const computeMs = performance.now() - t0;
  const keyAt = lastKeyAt;
  lastKeyAt = 0;
  const entry = { computeMs, keyToPaintMs: null as number | null, length: text.length };
  timings.push(entry);
  if (timings.length > 1000) timings.shift();
  // keystroke to the frame that shows the updated panels: the next animation frame, plus a task so
  // the measurement lands after that frame's paint
  if (keyAt) requestAnimationFrame(() => setTimeout(() => (entry.keyToPaintMs = performance.now() - keyAt), 0));
}

// Coalesce bursts (streamed tokens, paste) into one update per task.
let scheduled = false;
function scheduleUpdate(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    update();
  });
}

output.onKeyDown((e) => {
  lastKeyAt = e.browserEvent.timeStamp || performance.now();
});
outputModel.onDidChangeContent(() => {
  scheduleUpdate();
  if (!generating) saveState();
});
gtModel.onDidChangeContent(() => {
  gtState = readGroundTruth(gtModel.getValue());
  byId("gt-error").textContent = gtState.error ?? "";
  monaco.editor.setModelMarkers(
    gtModel,
    "tooln1",
    gtState.error ? [{ ...rangeOf(gtModel, gtState.errorOffset, gtState.errorOffset + 1), severity: monaco.MarkerSeverity.Error, message: gtState.error }] : [],
  );
  scheduleUpdate();
  saveState();
});
queryBox.addEventListener("input", saveState);

// ---- Tool schema choice.
let schemaFiles: SchemaFileEntry[] = [];
const schemaSelect = byId<HTMLSelectElement>("schema-select");
function renderSchemaChoice(): void {
  const opts: HTMLOptionElement[] = [el("option", { value: "", text: toolSource && toolSource.uri === "" ? toolSource.label : "(none)" })];
  for (const f of schemaFiles) opts.push(el("option", { value: f.uri, text: f.label }));
  schemaSelect.replaceChildren(...opts);
  schemaSelect.value = toolSource?.uri ?? "";
}
schemaSelect.addEventListener("change", () => {
  schemaUri = schemaSelect.value;
  saveState();
  post({ type: "chooseSchema", uri: schemaUri });
});

function setTools(src: ToolSource | null, error?: string): void {
  toolSource = src;
  toolsState = readTools(src ? src.text : null);
  byId("schema-label").textContent = src ? `${toolsState.names.length} tool${toolsState.names.length === 1 ? "" : "s"}` : "";
  byId("schema-problems").textContent = [error, ...toolsState.problems].filter(Boolean).join("  ");
  renderSchemaChoice();
  scheduleUpdate();
}

function applyPrefill(p: Prefill): void {
  if (p.groundTruth !== undefined) gtModel.setValue(p.groundTruth);
  if (p.completion !== undefined) outputModel.setValue(p.completion);
  if (p.query !== undefined) queryBox.value = p.query;
  if (p.tools) {
    schemaUri = p.tools.uri;
    setTools(p.tools);
  }
  saveState();
}

// ---- Try a model.
const genBtn = byId<HTMLButtonElement>("generate");
const stopBtn = byId<HTMLButtonElement>("stop");
const genStatus = byId("gen-status");
const genError = byId("gen-error");
function setCheckpoint(c: CheckpointInfo | null, error?: string, loading?: string): void {
  byId("checkpoint-label").textContent = loading ?? (c ? `${c.dir} (${c.provider}${c.hasChatTemplate ? "" : ", no chat template"})` : "no checkpoint chosen");
  genError.textContent = error ?? c?.providerNote ?? "";
  document.body.dataset.checkpoint = c ? "loaded" : loading ? "loading" : "none";
}
function setGenerating(on: boolean): void {
  generating = on;
  document.body.dataset.generating = String(on);
  genBtn.disabled = on;
  stopBtn.disabled = !on;
  output.updateOptions({ readOnly: on });
}
genBtn.addEventListener("click", () => {
  genError.textContent = "";
  post({ type: "generate", query: queryBox.value, sampling });
});
stopBtn.addEventListener("click", () => post({ type: "stop" }));
byId("choose-checkpoint").addEventListener("click", () => post({ type: "chooseCheckpoint" }));

function appendOutput(text: string): void {
  if (!text) return;
  const end = outputModel.getFullModelRange().getEndPosition();
  outputModel.applyEdits([{ range: new monaco.Range(end.lineNumber, end.column, end.lineNumber, end.column), text }]);
}

window.addEventListener("message", (ev: MessageEvent<HostToWebview>) => {
  const m = ev.data;
  switch (m.type) {
    case "init":
      schemaFiles = m.schemaFiles;
      setTools(m.tools);
      setCheckpoint(m.checkpoint);
      if (!m.trusted) genError.textContent = "This workspace is not trusted: running a model is disabled until you trust it.";
      if (m.prefill) applyPrefill(m.prefill);
      scheduleUpdate();
      document.body.dataset.ready = "true";
      return;
    case "schemaFiles":
      schemaFiles = m.files;
      renderSchemaChoice();
      return;
    case "schema":
      setTools(m.tools, m.error);
      return;
    case "prefill":
      applyPrefill(m.prefill);
      return;
    case "checkpoint":
      setCheckpoint(m.checkpoint, m.error, m.loading);
      return;
    case "focusTry":
      queryBox.focus();
      return;
    case "genStarted":
      setGenerating(true);
      delete document.body.dataset.genStreamed;
      delete document.body.dataset.genLength;
      // the generated text replaces the editor's text; the panels follow it as it streams in
      outputModel.setValue("");
      byId("prompt-text").textContent = m.promptText;
      genStatus.textContent = `prompt ${m.promptTokens} tokens…`;
      genError.textContent = m.note ?? "";
      return;
    case "genText":
      appendOutput(m.text);
      return;
    case "genDone": {
      const streamed = outputModel.getValue() === m.text;
      document.body.dataset.genStreamed = String(streamed);
      document.body.dataset.genLength = String(m.text.length);
      // the final text wins where the streamed pieces differ from it
      if (!streamed) outputModel.setValue(m.text);
      setGenerating(false);
      genStatus.textContent = `${m.summary.tokens} tokens, ${m.summary.tokensPerSecond.toFixed(1)} tok/s, stopped: ${m.summary.stopReason}`;
      document.body.dataset.genStop = m.summary.stopReason;
      saveState();
      return;
    }
    case "genError":
      setGenerating(false);
      genError.textContent = m.message;
      document.body.dataset.genStop = "error";
      return;
  }
});

scheduleUpdate();
post({ type: "ready", state: restored });
