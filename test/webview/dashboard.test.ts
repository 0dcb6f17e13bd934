// The dashboard bundle in headless Chromium: Ready handshake, charts, live append, click-to-open
// rollouts, controls and state restore, untrusted text, CSP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { bundleBuilt, openDashboard, send, sent, type DashboardPage } from "./dashboardPage";
import { PANELS, toColumns } from "../../webview/dashboard/data";
import type { RunData } from "../../webview/dashboard/protocol";
import { METRICS } from "../../src/core/types";

const skip = !bundleBuilt() && "dist/webview/dashboard.js not built (node scripts/build.mjs)";
let d: DashboardPage;

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
  return { id, label, source: "tooln1", status: "running", step: n, totalSteps: 100, live: true, garbage: 0, rolloutSteps: [], series: toColumns(pts) };
}

before(async () => {
  if (skip) return;
  d = await openDashboard();
});
after(async () => {
  await d?.close();
});

test("the webview says ready first, with nothing restored", { skip }, async () => {
  await d.page.waitForFunction(() => (globalThis as unknown as { __sent: unknown[] }).__sent.length > 0);
  assert.deepEqual((await sent(d.page))[0], { type: "ready", restored: null });
});

test("init draws every panel that has data and shows the point count", { skip }, async () => {
  await send(d.page, { type: "init", runs: [run("/runs/a", 50)], view: { smoothing: 0, logScale: false, x: "step" } });
  await d.page.waitForSelector("body[data-ready='true']");
  assert.equal(await d.page.locator("#point-count").getAttribute("data-count"), String(50 * 6));
  assert.equal(await d.page.locator(".chart").count(), PANELS.length);
  assert.equal(await d.page.locator(".chart[data-panel='reward'] .uplot").count(), 1);
  assert.equal(await d.page.locator(".chart[data-panel='reasons'] .uplot").count(), 1);
  assert.equal(await d.page.locator(".chart[data-panel='gpu'] .uplot").count(), 0, "no GPU data: placeholder");
  assert.match((await d.page.locator(".chart[data-panel='gpu']").textContent()) ?? "", /no data yet/);
});

test("appended points reach the chart", { skip }, async () => {
  const more = toColumns([{ step: 51, time: 1_700_000_051_000, metrics: { [METRICS.rewardMean]: 0.99, [METRICS.gpuMemory]: 3.5 } }]);
  await send(d.page, { type: "append", runId: "/runs/a", points: more });
  await d.page.waitForSelector("#point-count[data-count='302']");
  await d.page.waitForSelector(".chart[data-panel='gpu'] .uplot");
  await d.page.waitForSelector(".chart[data-panel='reward'][data-points='102']");
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

test("controls change the view, persist it, and a reload restores it through ready", { skip }, async () => {
  await d.page.locator("#log-scale").check();
  await d.page.locator("#x-axis").selectOption("time");
  await d.page.locator("#smoothing").fill("0.6");
  const msgs = await sent(d.page);
  const last = msgs.filter((m) => m.type === "viewChanged").at(-1) as unknown as { view: { x: string; logScale: boolean; smoothing: number } };
  assert.deepEqual(last.view, { x: "time", logScale: true, smoothing: 0.6 });
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
  await send(d.page, { type: "init", runs: [run("/runs/a", 40), b], view: { smoothing: 0, logScale: false, x: "step" } });
  await d.page.waitForSelector("body[data-ready='true']");
  await d.page.waitForSelector(".chart[data-panel='reward'] .uplot");
  assert.equal(await d.page.locator(".runs img, .runs b").count(), 0);
  assert.ok(((await d.page.locator(".runs").textContent()) ?? "").includes(evil));
  assert.match((await d.page.locator(".runs").textContent()) ?? "", /3 unreadable lines skipped/);
  // one series per (run, metric) in the overlaid reward panel, labelled by run
  const labels = await d.page.locator(".chart[data-panel='reward'] .u-legend .u-label").allTextContents();
  assert.equal(labels.filter((l) => l.includes("reward/mean")).length, 2);
  assert.equal(await d.page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(await d.page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations), []);
  // removing a run goes through the host
  await d.page.locator(".runs .run[data-run-id='/runs/b'] .remove").click();
  const rm = (await sent(d.page)).find((m) => m.type === "removeRun");
  assert.deepEqual(rm, { type: "removeRun", runId: "/runs/b" });
});

test("a malformed host message is ignored", { skip }, async () => {
  const before = await d.page.locator("#point-count").getAttribute("data-count");
  await send(d.page, { type: "append", runId: "/nope", points: { step: [1], time: [null], metrics: {} } });
  await send(d.page, { hello: 1 });
  await send(d.page, { type: "init" }); // no runs array: ignored rather than thrown
  assert.equal(await d.page.locator("#point-count").getAttribute("data-count"), before);
});
