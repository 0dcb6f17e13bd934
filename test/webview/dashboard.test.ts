// The dashboard bundle in headless Chromium: Ready handshake, charts, live append, click-to-open
// rollouts, controls and state restore, untrusted text, CSP; phases, the evaluation row, theme
// colors, collapsed charts, reason codes, run comparison, export and status sentences.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, bundleBuilt, openDashboard, send, sent, type DashboardPage } from "./dashboardPage";
import { toColumns } from "../../common/dashboard/data";
import { packColumns, packRun, type RunData, type RunSummary } from "../../common/dashboard/protocol";
import { METRICS } from "../../src/core/types";

// Browser globals used inside page.evaluate callbacks (tests are type-checked without the DOM lib;
// these declarations are local to this module).
interface PageEl {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  className: string;
  style: { setProperty(k: string, v: string): void };
  querySelectorAll<T = PageEl>(sel: string): Iterable<T> & ArrayLike<T>;
  removeAttribute(name: string): void;
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
type HTMLElement = PageEl;
type HTMLCanvasElement = PageCanvas;
declare const document: {
  body: PageEl;
  documentElement: PageEl;
  querySelector<T = PageEl>(sel: string): T | null;
  querySelectorAll<T = PageEl>(sel: string): Iterable<T> & ArrayLike<T>;
  getElementById(id: string): PageEl | null;
};
declare function requestAnimationFrame(cb: () => void): number;
declare function getComputedStyle(e: unknown): { backgroundColor: string };

const skip = !bundleBuilt() && "dist/webview/dashboard.js not built (node scripts/build.mjs)";
let d: DashboardPage;
const SHOTS = join(ROOT, "test-output", "webview");

const VIEW = { smoothing: 0, logScale: false, x: "step", phase: "all" };

function run(id: string, n: number, label = id): RunData {
  const pts = Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    time: 1_700_000_000_000 + i * 1000,
    metrics: {
      [METRICS.rewardMean]: i / n,
      [METRICS.rewardStd]: 0.2,
      [METRICS.loss]: 1 / (i + 1),
      [METRICS.kl]: 0.01 * i,
      "reason/ok": i / n,
      "reason/bad_json": 1 - i / n,
    },
  }));
  return { id, label, source: "tooln1", status: "running", step: n, totalSteps: 100, live: true, garbage: 0, method: "grpo", model: "tiny", rolloutSteps: [], series: toColumns(pts) };
}

const REASONS = ["ok", "wrong_argument_value", "wrong_name", "bad_json", "no_think", "missing_argument", "extra_argument", "wrong_call_count"];

/** A sft-then-grpo run: SFT steps 1..sft (loss only), GRPO after (rewards, reasons), eval every 50 steps. */
function sftThenGrpo(id: string, sft = 250, grpo = 60, opts: { tokensPerStep?: number; evalBest?: number } = {}): RunData {
  const pts: { step: number; time: number; metrics: Record<string, number | null>; phase: string }[] = [];
  const t0 = 1_700_000_000_000;
  let tokens = 0;
  const evalAt = (step: number, phase: string, v: number) =>
    pts.push({ step, time: t0 + step * 500, phase, metrics: { [METRICS.evalRewardMean]: v, "eval/reward/format_ok_rate": Math.min(1, v + 0.3), "eval/reward/exact_match_rate": v, "eval/samples": 64 } });
  evalAt(0, "sft", 0);
  for (let s = 1; s <= sft + grpo; s++) {
    const phase = s <= sft ? "sft" : "grpo";
    if (s === sft + 1) tokens = 0; // a new trainer counts tokens from zero
    tokens += opts.tokensPerStep ?? 1000;
    const m: Record<string, number | null> = { [METRICS.loss]: 2 / s, [METRICS.learningRate]: 1e-4, "perf/num_tokens": tokens, [METRICS.tokensPerSecond]: 1000 };
    if (phase === "grpo") {
      const k = s - sft;
      m[METRICS.rewardMean] = 0.2 + k / (grpo * 4);
      m[METRICS.rewardStd] = 0.1;
      m[METRICS.kl] = 0.001 * k;
      const shares = REASONS.map((_, i) => 1 / (i + 2));
      const sum = shares.reduce((a, b) => a + b, 0);
      REASONS.forEach((r, i) => (m[`reason/${r}`] = shares[i] / sum));
    }
    pts.push({ step: s, time: t0 + s * 500, phase, metrics: m });
    if (s % 50 === 0 || s === sft || s === sft + grpo) evalAt(s, phase, Math.min(opts.evalBest ?? 0.75, 0.1 + s / 400));
  }
  const n = sft + grpo;
  return { id, label: id.split("/").pop()!, source: "tooln1", status: "running", step: n, totalSteps: n, live: true, garbage: 0, method: "sft-then-grpo", model: "tiny-qwen", rolloutSteps: [sft + 10, sft + 20], series: toColumns(pts) };
}

async function init(runs: RunData[], view = VIEW): Promise<void> {
  await d.page.evaluate(() => delete document.body.dataset.ready);
  // packed for postMessage, as the host posts them (src/training/dashboardPanel.ts)
  await send(d.page, { type: "init", runs: runs.map(packRun), view });
  await d.page.waitForSelector("body[data-ready='true']");
  await waitIdle();
}

/** Waits until every chart is drawn (the webview marks the body after each full pass). */
async function waitIdle(): Promise<void> {
  await d.page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

const attr = (sel: string, name: string) => d.page.locator(sel).getAttribute(name);
const visible = (panel: string) => d.page.locator(`.chart[data-panel='${panel}']`).isVisible();

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  d = await openDashboard();
});
after(async () => {
  await d?.close();
});

test("the webview says ready first, with nothing restored", { skip }, async () => {
  await d.page.waitForFunction(() => (globalThis as unknown as { __sent: unknown[] }).__sent.length > 0);
  assert.deepEqual((await sent(d.page))[0], { type: "ready", restored: null });
  // the off-screen warm-up chart is drawn and removed while the host reads the runs
  await d.page.waitForSelector("body[data-warmed-up='true']");
  assert.equal(await d.page.locator(".warm-up").count(), 0);
  assert.deepEqual(await d.page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations), []);
});

test("init draws the charts that have data; the others collapse into one 'not recorded' line", { skip }, async () => {
  await init([run("/runs/a", 50)]);
  assert.equal(await attr("#point-count", "data-count"), String(50 * 6));
  assert.equal(await d.page.locator(".chart[data-panel='reward'] .uplot").count(), 1);
  assert.equal(await d.page.locator(".chart[data-panel='reasons'] .uplot").count(), 1);
  assert.equal(await attr(".chart[data-panel='reward']", "data-line-width"), "1.5", "50 steps: 1.5 px lines");
  assert.equal(await visible("gpu"), false, "no GPU data: no chart");
  const line = (await d.page.locator("#not-recorded").textContent()) ?? "";
  assert.match(line, /^Not recorded in this run yet: /, "a live run: yet");
  assert.match(line, /GPU memory/);
  assert.match(line, /Held-out reward \(training reward beside\), Held-out format-ok and exact-match rates/);
  assert.doesNotMatch(line, /Training reward|Loss/);
  assert.doesNotMatch((await d.page.locator("body").textContent()) ?? "", /no data yet/);
});

test("appended points reach the chart; a chart that gets data leaves the 'not recorded' line", { skip }, async () => {
  const more = toColumns([{ step: 51, time: 1_700_000_051_000, metrics: { [METRICS.rewardMean]: 0.99, [METRICS.gpuMemory]: 3.5 } }]);
  await send(d.page, { type: "append", runId: "/runs/a", points: packColumns(more) });
  await d.page.waitForSelector("#point-count[data-count='302']");
  await d.page.waitForSelector(".chart[data-panel='gpu'] .uplot");
  await d.page.waitForSelector(".chart[data-panel='reward'][data-points='102']");
  await d.page.waitForFunction(() => !document.getElementById("not-recorded")!.textContent!.includes("GPU memory"));
});

test("clicking a point asks the host to open that step's rollouts", { skip }, async () => {
  const over = d.page.locator(".chart[data-panel='loss'] .u-over");
  const box = (await over.boundingBox())!;
  await d.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await d.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await d.page.waitForFunction(() => (globalThis as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === "openRollouts"));
  const m = (await sent(d.page)).find((x) => x.type === "openRollouts")!;
  assert.equal(m.runId, "/runs/a");
  assert.ok(typeof m.step === "number" && m.step >= 20 && m.step <= 32, `step ${m.step} near the middle`);
});

test("hover shows values in the legend", { skip }, async () => {
  const legend = await d.page.locator(".chart[data-panel='loss'] .u-legend .u-value").allTextContents();
  assert.ok(legend.some((v) => /\d/.test(v)), `legend values: ${legend.join(",")}`);
});

test("every chart has axis labels: x by what the axis shows, y by the metric's unit", { skip }, async () => {
  // uPlot draws axis text on the canvas; the options are what we control
  const labels = await d.page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".chart:not([hidden])")].map((c) => [c.dataset.panel, c.dataset.xLabel, c.dataset.yLabel]),
  );
  assert.ok(labels.length >= 5);
  for (const [panel, x, y] of labels) {
    assert.equal(x, "step", `${panel} x label`);
    assert.ok(y && y.length > 1, `${panel} y label`);
  }
});

test("controls change the view, persist it, and a reload restores it through ready", { skip }, async () => {
  await d.page.locator("#log-scale").check();
  await d.page.locator("#x-axis").selectOption("time");
  await d.page.locator("#smoothing").fill("0.6");
  const msgs = await sent(d.page);
  const last = msgs.filter((m) => m.type === "viewChanged").at(-1) as unknown as { view: Record<string, unknown> };
  assert.deepEqual(last.view, { x: "time", logScale: true, smoothing: 0.6, phase: "all" });
  await d.page.reload();
  await d.page.waitForFunction(() => (globalThis as unknown as { __sent: unknown[] }).__sent.length > 0);
  const ready = (await sent(d.page))[0] as { type: string; restored: { runIds: string[]; view: { x: string } } };
  assert.equal(ready.type, "ready");
  assert.deepEqual(ready.restored.runIds, ["/runs/a"]);
  assert.equal(ready.restored.view.x, "time");
  assert.equal(await d.page.locator("#x-axis").inputValue(), "time");
});

test("overlay of runs; labels and messages from runs are text, never HTML; no CSP violation", { skip }, async () => {
  const evil = '<img src=x onerror="window.__pwned=1">';
  const b = { ...run("/runs/b", 30, evil), status: "failed" as const, message: `<b>boom</b>`, garbage: 3 };
  await init([run("/runs/a", 40), b]);
  await d.page.waitForSelector(".chart[data-panel='reward'] .uplot");
  assert.equal(await d.page.locator(".runs img, .runs b").count(), 0);
  assert.ok(((await d.page.locator(".runs").textContent()) ?? "").includes(evil));
  assert.match((await d.page.locator(".runs").textContent()) ?? "", /3 unreadable lines skipped/);
  // one series per (run, metric) in the overlaid reward panel, labelled by run
  const labels = await d.page.locator(".chart[data-panel='reward'] .u-legend .u-label").allTextContents();
  assert.equal(labels.filter((l) => l.includes("training reward")).length, 2);
  assert.equal(await d.page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(await d.page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations), []);
  // removing a run goes through the host
  await d.page.locator(".runs .run[data-run-id='/runs/b'] .remove").click();
  const rm = (await sent(d.page)).find((m) => m.type === "removeRun");
  assert.deepEqual(rm, { type: "removeRun", runId: "/runs/b" });
});

test("a malformed host message is ignored", { skip }, async () => {
  const before = await attr("#point-count", "data-count");
  await send(d.page, { type: "append", runId: "/nope", points: { step: [1], time: [null], metrics: {} } });
  await send(d.page, { type: "append", runId: "/runs/a", points: { step: [51], time: [null], metrics: { [METRICS.loss]: [1] } } }); // plain arrays: not the wire form
  await send(d.page, { type: "append", runId: "/runs/a", points: { ...packColumns(toColumns([{ step: 52, time: null, metrics: {} }])), metrics: { [METRICS.loss]: new Float64Array(2) } } }); // ragged
  await send(d.page, { hello: 1 });
  await send(d.page, { type: "init" }); // no runs array: ignored rather than thrown
  assert.equal(await attr("#point-count", "data-count"), before);
});

test("a long live run: points that land on pixels already drawn skip the redraw; a visible change redraws", { skip }, async () => {
  const n = 50_000;
  const y = (i: number) => Math.sin(i / 700) + 2;
  const pts = Array.from({ length: n }, (_, i) => ({ step: i + 1, time: 1_700_000_000_000 + i * 1000, metrics: { [METRICS.loss]: y(i) } as Record<string, number | null> }));
  await init([{ ...run("/runs/long", 0), series: toColumns(pts) }]);
  const draws = async () => Number(await attr(".chart[data-panel='loss']", "data-draws"));
  const append = async (step: number, loss: number) => {
    await send(d.page, { type: "append", runId: "/runs/long", points: packColumns(toColumns([{ step, time: null, metrics: { [METRICS.loss]: loss } }])) });
    await d.page.waitForFunction((c) => Number(document.body.dataset.rendered) === c, n + step - n);
  };
  const before = await draws();
  assert.ok(before >= 1);
  assert.equal(await attr(".chart[data-panel='loss']", "data-line-width"), "1", "a dense series: 1 px lines");
  await append(n + 1, y(n));
  await append(n + 2, y(n + 1));
  assert.equal(await draws(), before, "the next steps of a 50,000-step curve change no pixel");
  await append(n + 3, 1.02); // a dip to near the curve's minimum, at the right edge
  await d.page.waitForFunction((b) => Number(document.querySelector<HTMLElement>(".chart[data-panel='loss']")!.dataset.draws) === b + 1, before);
  assert.equal(await attr(".chart[data-panel='loss']", "data-points"), String(n + 3), "the redraw has every point, the skipped ones too");
});

test("phases: each chart spans the phases where its metric exists, with bands; the selector narrows to one phase", { skip }, async () => {
  await init([sftThenGrpo("/runs/sg")]);
  await d.page.screenshot({ path: join(SHOTS, "dashboard-phases.png"), fullPage: true });
  // GRPO-only metrics: the x range is GRPO's, not squeezed into a 0..310 axis
  assert.deepEqual([await attr(".chart[data-panel='reward']", "data-x-min"), await attr(".chart[data-panel='reward']", "data-x-max")], ["251", "310"]);
  // loss exists in both phases: the whole run, SFT from its first evaluation at step 0
  assert.deepEqual([await attr(".chart[data-panel='loss']", "data-x-min"), await attr(".chart[data-panel='loss']", "data-x-max")], ["0", "310"]);
  assert.equal(await attr(".chart[data-panel='loss']", "data-phases"), "sft,grpo");
  assert.deepEqual(await d.page.locator(".chart[data-panel='loss'] .phase-label").allTextContents(), ["SFT", "GRPO"]);
  assert.equal(await d.page.locator(".chart[data-panel='reward'] .phase-label").count(), 0, "one phase in view: no bands");
  // held-out evaluation spans both phases (step 0 to the end)
  assert.deepEqual([await attr(".chart[data-panel='eval-reward']", "data-x-min"), await attr(".chart[data-panel='eval-reward']", "data-x-max")], ["0", "310"]);
  const options = await d.page.locator("#phase option").allTextContents();
  assert.deepEqual(options, ["All phases", "SFT", "GRPO"]);
  await d.page.locator("#phase").selectOption("sft");
  await d.page.waitForFunction(() => document.querySelector<HTMLElement>(".chart[data-panel='loss']")!.dataset.xMax === "250");
  assert.equal(await visible("reward"), false, "no training reward in SFT");
  assert.match((await d.page.locator("#not-recorded").textContent()) ?? "", /^Not recorded in SFT yet: .*Training reward/);
  await d.page.locator("#phase").selectOption("grpo");
  await d.page.waitForFunction(() => document.querySelector<HTMLElement>(".chart[data-panel='loss']")!.dataset.xMin === "251");
  assert.equal(await visible("reward"), true);
  await d.page.locator("#phase").selectOption("all");
});

test("evaluation first: held-out reward with the training reward beside it, rates, other eval metrics", { skip }, async () => {
  const r = sftThenGrpo("/runs/ev");
  const n = r.series.step.length;
  const atEval = (v: number) => Array.from({ length: n }, (_, i) => (r.series.metrics[METRICS.evalRewardMean][i] != null ? v : null));
  r.series.metrics["eval/bfcl/simple_python"] = atEval(0.5);
  r.series.metrics["eval/bfcl/overall"] = atEval(0.4);
  r.series.metrics["eval/api_bank/accuracy"] = atEval(0.3);
  await init([r]);
  const firstGrid = await d.page.evaluate(() => [...document.querySelectorAll(".grid")[0].querySelectorAll<HTMLElement>(".chart:not([hidden])")].map((c) => c.dataset.panel));
  assert.deepEqual(firstGrid, ["eval-reward", "eval-rates", "eval-bfcl", "eval-other"]);
  const labels = await d.page.locator(".chart[data-panel='eval-reward'] .u-legend .u-label").allTextContents();
  assert.deepEqual(labels.slice(1), ["held-out reward", "training reward"]);
  const rates = await d.page.locator(".chart[data-panel='eval-rates'] .u-legend .u-label").allTextContents();
  assert.deepEqual(rates.slice(1), ["held-out format-ok", "held-out exact match"]);
  const bfcl = await d.page.locator(".chart[data-panel='eval-bfcl'] .u-legend .u-label").allTextContents();
  assert.deepEqual(bfcl.slice(1), ["BFCL overall", "BFCL simple_python"]);
  const other = await d.page.locator(".chart[data-panel='eval-other'] .u-legend .u-label").allTextContents();
  assert.deepEqual(other.slice(1), ["eval/api_bank/accuracy"]);
  // a live eval event adds a point
  await send(d.page, { type: "append", runId: "/runs/ev", points: packColumns(toColumns([{ step: 320, time: null, metrics: { [METRICS.evalRewardMean]: 0.9 }, phase: "grpo" }])) });
  await d.page.waitForFunction(() => document.querySelector<HTMLElement>(".chart[data-panel='eval-reward']")!.dataset.xMax === "320");
});

test("theme: dark, light and high contrast colors come from VS Code's variables", { skip }, async () => {
  await init([run("/runs/t", 60)]);
  const themes = [
    {
      cls: "vscode-dark",
      vars: { "--vscode-editor-background": "#1e1e1e", "--vscode-foreground": "#cccccc", "--vscode-charts-blue": "#ff0000", "--vscode-button-secondaryBackground": "#123456", "--vscode-dropdown-background": "#3c3c3c" },
      bg: [30, 30, 30],
    },
    { cls: "vscode-light", vars: { "--vscode-editor-background": "#ffffff", "--vscode-foreground": "#616161", "--vscode-charts-blue": "#00c000" }, bg: [255, 255, 255] },
    { cls: "vscode-high-contrast", vars: { "--vscode-editor-background": "#000000", "--vscode-foreground": "#ffffff", "--vscode-charts-blue": "#0000ff" }, bg: [0, 0, 0] },
  ];
  for (const t of themes) {
    await d.page.evaluate((t) => {
      // as VS Code does it: CSSOM, which the CSP allows (a style attribute it would block)
      for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
      document.body.className = t.cls;
    }, t);
    await d.page.waitForFunction((cls) => document.body.dataset.theme === cls, t.cls);
    await waitIdle();
    await d.page.screenshot({ path: join(SHOTS, `dashboard-${t.cls}.png`) });
    const bodyBg = await d.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bodyBg, `rgb(${t.bg.join(", ")})`);
    // the first series of the loss chart is drawn in the theme's first chart color
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(t.vars["--vscode-charts-blue"].slice(i, i + 2), 16));
    const hits = await d.page.evaluate(
      ({ r, g, b }) => {
        const cv = document.querySelector<HTMLCanvasElement>(".chart[data-panel='loss'] canvas")!;
        const px = cv.getContext("2d")!.getImageData(0, 0, cv.width, cv.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i] - r) < 40 && Math.abs(px[i + 1] - g) < 40 && Math.abs(px[i + 2] - b) < 40 && px[i + 3] > 200) n++;
        return n;
      },
      { r, g, b },
    );
    assert.ok(hits > 30, `${t.cls}: ${hits} pixels in the theme's chart color`);
    if (t.cls === "vscode-dark") {
      // controls take VS Code's own button and dropdown colors
      assert.equal(await d.page.locator("#add-run").evaluate((e) => getComputedStyle(e).backgroundColor), "rgb(18, 52, 86)");
      assert.equal(await d.page.locator("#x-axis").evaluate((e) => getComputedStyle(e).backgroundColor), "rgb(60, 60, 60)");
    }
    // the swatch in the run table follows the theme too
    assert.equal(await d.page.locator(".runs .swatch").first().evaluate((e) => getComputedStyle(e).backgroundColor), `rgb(${r}, ${g}, ${b})`);
  }
  await d.page.evaluate(() => {
    document.documentElement.removeAttribute("style");
    document.body.className = "";
  });
});

test("reason codes: the top five by share, the rest grouped; clicking a reason opens the inspector on it at the hovered step", { skip }, async () => {
  await init([sftThenGrpo("/runs/rc")]);
  const labels = (await d.page.locator(".chart[data-panel='reasons'] .u-legend .u-label").allTextContents()).slice(1);
  assert.equal(labels.length, 6);
  assert.deepEqual(
    labels.map((l) => l.replace(/ \d+%$/, "")),
    ["ok", "wrong_argument_value", "wrong_name", "bad_json", "no_think", "other reasons"],
  );
  const pct = labels.map((l) => Number(/(\d+)%$/.exec(l)![1]));
  assert.ok(pct[0] >= pct[1] && pct[1] >= pct[2], `sorted by share: ${labels.join(", ")}`);
  // hover a step in the GRPO phase, then click "wrong_name" in the legend
  const over = d.page.locator(".chart[data-panel='reasons'] .u-over");
  const box = (await over.boundingBox())!;
  await d.page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  const hovered = await d.page.locator(".chart[data-panel='reasons'] .u-legend .u-value").first().textContent();
  await d.page.locator(".chart[data-panel='reasons'] .u-legend .u-series").nth(3).click();
  const m = (await sent(d.page)).filter((x) => x.type === "openRollouts").at(-1)!;
  assert.equal(m.runId, "/runs/rc");
  assert.deepEqual(m.reasons, ["wrong_name"]);
  assert.equal(String(m.step), hovered, "the step under the cursor");
  // the legend click did not hide the series (uPlot's default toggle is replaced)
  assert.equal(await d.page.locator(".chart[data-panel='reasons'] .u-legend .u-series.u-off").count(), 0);
  await d.page.locator(".chart[data-panel='reasons'] .u-legend .u-series").nth(6).click();
  const other = (await sent(d.page)).filter((x) => x.type === "openRollouts").at(-1)!;
  assert.deepEqual(other.reasons, ["missing_argument", "extra_argument", "wrong_call_count"]);
  // the grouped entry says which reasons it holds
  const title = (await d.page.locator(".chart[data-panel='reasons'] .u-legend .u-series").nth(6).getAttribute("title")) ?? "";
  for (const r of other.reasons as string[]) assert.ok(title.includes(r), `the "other reasons" entry's tooltip "${title}" does not name ${r}`);
});

test("compare runs: stable colors and names, a summary table, x by tokens", { skip }, async () => {
  const a = sftThenGrpo("/runs/x/ours", 250, 60, { evalBest: 0.75 });
  const trl: RunData = { ...sftThenGrpo("/runs/trl-out", 0, 100, { evalBest: 0.5 }), source: "trl", method: "", model: "", status: "unknown", label: "trl-out" };
  const verl: RunData = { ...sftThenGrpo("/runs/y/ours", 0, 80, { evalBest: 0.4 }), source: "verl", method: "grpo", model: "", status: "unknown" };
  await init([a, trl, verl]);
  const rows = await d.page.locator(".runs tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
  assert.deepEqual(
    rows.map((r) => r.slice(1, 7)),
    [
      ["x/ours", "sft-then-grpo", "tiny-qwen", "310 / 310", "0.75 at step 300", "1,000"],
      ["trl-out (TRL)", "—", "—", "100 / 100", "0.35 at step 100", "1,000"],
      ["y/ours (verl)", "grpo", "—", "80 / 80", "0.30 at step 80", "1,000"],
    ],
  );
  const color = (id: string) => d.page.locator(`.runs .run[data-run-id='${id}'] .swatch`).evaluate((e) => getComputedStyle(e).backgroundColor);
  const verlColor = await color("/runs/y/ours");
  const legend = await d.page.locator(".chart[data-panel='reward'] .u-legend .u-label").allTextContents();
  assert.ok(legend.includes("y/ours · training reward"), legend.join(" | "));
  // removing a run keeps the others' colors
  await send(d.page, { type: "removeRun", runId: "/runs/trl-out" });
  await waitIdle();
  assert.equal(await color("/runs/y/ours"), verlColor);
  // x by tokens: the counter that restarts with GRPO continues from SFT's total
  await d.page.locator("#x-axis").selectOption("tokens");
  await d.page.waitForFunction(() => document.querySelector<HTMLElement>(".chart[data-panel='loss']")!.dataset.xLabel === "tokens");
  assert.equal(await attr(".chart[data-panel='loss']", "data-x-max"), String(310 * 1000));
  await d.page.locator("#x-axis").selectOption("time");
  await d.page.waitForFunction(() => document.querySelector<HTMLElement>(".chart[data-panel='loss']")!.dataset.xLabel === "wall time (s)");
  assert.equal(await attr(".chart[data-panel='loss']", "data-x-max"), String(155));
  await d.page.locator("#x-axis").selectOption("step");
});

test("export: a chart as PNG and its series as CSV go to the host", { skip }, async () => {
  await init([sftThenGrpo("/runs/exp")]);
  await d.page.locator(".chart[data-panel='reward'] .export-png").click();
  const png = (await sent(d.page)).filter((x) => x.type === "export").at(-1)!;
  assert.equal(png.format, "png");
  assert.equal(png.name, "exp-reward.png");
  assert.match(String(png.data), /^data:image\/png;base64,/);
  const bytes = Buffer.from(String(png.data).slice(22), "base64");
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.ok(bytes.readUInt32BE(16) >= 240 && bytes.readUInt32BE(20) > 200, "width and height of a drawn chart");
  await d.page.locator(".chart[data-panel='reward'] .export-csv").click();
  const csv = (await sent(d.page)).filter((x) => x.type === "export").at(-1)!;
  assert.equal(csv.format, "csv");
  const lines = String(csv.data).trimEnd().split("\r\n");
  assert.equal(lines[0], "step,training reward,reward std");
  const grpoRows = lines.slice(1).filter((l) => !l.endsWith(",,"));
  assert.equal(grpoRows.length, 60, "every GRPO step, not a decimated subset");
  assert.equal(grpoRows[0], `251,${0.2 + 1 / 240},0.1`);
});

test("status: finish, cancel, error and out-of-memory hint as sentences that say each thing once, never a Python dict", { skip }, async () => {
  const base = sftThenGrpo("/runs/done");
  const done: RunData = { ...base, status: "completed", live: false, message: "finished at step 310; {'eval/reward/mean': 0.8125}" };
  const oom: RunData = {
    ...sftThenGrpo("/runs/oom"),
    status: "failed",
    live: false,
    step: 12,
    message: "Out of memory during GRPO at step 12; see the hint for settings to lower.",
    error: "OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
    hint: "out of memory: lower grpo.per_device_batch_size (now 8, keep it a multiple of grpo.num_generations=4)",
  };
  const cancelled: RunData = { ...sftThenGrpo("/runs/cancelled"), status: "cancelled", live: false, step: 69, totalSteps: 310, message: "cancelled (SIGTERM or SIGINT); checkpoint saved" };
  await init([done, oom, cancelled]);
  assert.match((await d.page.locator("#not-recorded").textContent()) ?? "", /^Not recorded in these runs: /, "finished runs: no 'yet'");
  const state = (id: string) => d.page.locator(`.runs .run[data-run-id='${id}'] .state`).textContent();
  assert.equal(await state("/runs/done"), "Finished at step 310; held-out reward 0.81.");
  assert.equal(
    await state("/runs/oom"),
    "Out of memory during GRPO at step 12. To fit, lower grpo.per_device_batch_size (now 8, keep it a multiple of grpo.num_generations=4).",
  );
  assert.equal(await state("/runs/cancelled"), "Cancelled at step 69 of 310; checkpoint saved.");
  const update: RunSummary = { ...oom, status: "running", step: 40, totalSteps: 310 };
  delete (update as Partial<RunData>).series;
  await send(d.page, { type: "runStatus", run: { ...update, message: undefined, error: undefined, hint: undefined } });
  await d.page.waitForFunction(() => document.querySelector(".runs .run[data-run-id='/runs/oom'] .state")!.textContent === "Running: step 40 of 310 (12%).");
  assert.doesNotMatch((await d.page.locator(".runs").textContent()) ?? "", /[{}]/);
});

test("a resumed run: the host's full replacement (addRun with the same id) leaves only the newest points", { skip }, async () => {
  await init([run("/runs/res", 20)]);
  assert.equal(await attr(".chart[data-panel='loss']", "data-x-max"), "20");
  // after --resume from step 12 the host resends the run as its reader now holds it (steps 1..12)
  const rewound = run("/runs/res", 12);
  await send(d.page, { type: "addRun", run: packRun(rewound) });
  await d.page.waitForFunction(() => document.querySelector<HTMLElement>(".chart[data-panel='loss']")!.dataset.xMax === "12");
  await send(d.page, { type: "append", runId: "/runs/res", points: packColumns(toColumns([13, 14].map((step) => ({ step, time: null, metrics: { [METRICS.loss]: 0.5 } })))) });
  await d.page.waitForFunction(() => document.querySelector<HTMLElement>(".chart[data-panel='loss']")!.dataset.xMax === "14");
  assert.equal(await attr(".chart[data-panel='loss']", "data-points"), "14", "steps 13-20 of the first attempt are gone");
  assert.equal(await d.page.locator(".runs tbody tr").count(), 1);
  assert.equal(await attr("#point-count", "data-count"), String(12 * 6 + 2));
});
