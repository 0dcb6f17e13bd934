// Dashboard benchmark in headless Chromium: 12 series x 100,000 points.
// - first render: from posting `init` to the next frame after the charts are drawn (budget 100 ms);
// - live append: 10 points/s per series for 10 s, frames counted with requestAnimationFrame
//   (a dropped frame is an interval over 2 x 16.7 ms);
// - memory: JS heap and ArrayBuffers after a forced GC (budget 150 MB).
// The first of the repeats runs in a browser that has not run the page's code yet (cold); it is
// reported on its own, and the medians include it.
// Baseline, measured in the same run: plain uPlot drawing every point (no decimation) in the
// same browser, 12 charts of 100,000 points. Floor: plain uPlot drawing only as many points as
// ours draws, with no data work (what drawing the charts alone costs here).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { openDashboard, ROOT } from "../test/webview/dashboardPage";
import { METRICS } from "../src/core/types";

// Browser globals used inside page.evaluate callbacks (bench code is type-checked without the DOM lib;
// these declarations are local to this module).
interface PageElement {
  dataset: Record<string, string | undefined>;
  append(...nodes: unknown[]): void;
}
declare const document: { body: PageElement; getElementById(id: string): PageElement | null; createElement(tag: string): PageElement; querySelectorAll(sel: string): ArrayLike<PageElement> };
declare const window: { postMessage(m: unknown, origin: string): void };
declare const sessionStorage: { clear(): void };
declare function requestAnimationFrame(cb: () => void): number;
declare class MutationObserver {
  constructor(cb: () => void);
  observe(target: unknown, opts: { attributes?: boolean; attributeFilter?: string[] }): void;
  disconnect(): void;
}


const SERIES = [
  METRICS.rewardMean,
  METRICS.rewardStd,
  METRICS.formatOkRate,
  METRICS.exactMatchRate,
  METRICS.kl,
  METRICS.loss,
  METRICS.entropy,
  METRICS.responseLength,
  METRICS.learningRate,
  METRICS.gradNorm,
  METRICS.tokensPerSecond,
  METRICS.gpuMemory,
];
const N = 100_000;
const APPEND_SECONDS = 10;
const REPEATS = 7;
/** About what one of our charts draws of 100,000 rows at its width (first, last, min, max per bucket). */
const FLOOR_POINTS = 2_500;

async function main(): Promise<void> {
  const d = await openDashboard({ width: 1400, height: 1000 });
  const { page } = d;
  const cdp = await page.context().newCDPSession(page);
  await page.waitForFunction(() => (globalThis as unknown as { __sent: unknown[] }).__sent.length > 0);

  // ---- first render (repeated on a fresh page; the machine is shared, so the median is reported)
  const stashInit = () => page.evaluate(
    ({ series, n }) => {
      // the host's wire form (common/dashboard/protocol.ts packColumns): one Float64Array per column
      const metrics: Record<string, Float64Array> = {};
      series.forEach((m, k) => {
        metrics[m] = Float64Array.from({ length: n }, (_, i) => Math.sin(i / (500 + k * 37)) + k + Math.random() * 0.1 + 0.001);
      });
      const step = Float64Array.from({ length: n }, (_, i) => i + 1);
      const time = step.map((s) => 1_700_000_000_000 + s * 1000);
      (globalThis as unknown as { __msg: unknown }).__msg = { type: "init", runs: [{ id: "/bench/run", label: "bench", source: "tooln1", status: "running", step: n, totalSteps: null, live: true, garbage: 0, method: "grpo", model: "bench", rolloutSteps: [], series: { step, time, metrics } }], view: { smoothing: 0, logScale: false, x: "step", phase: "all" } };
    },
    { series: SERIES, n: N },
  );
  const measureFirst = () => page.evaluate(
    () => {
      const msg = (globalThis as unknown as { __msg: unknown }).__msg;
      return new Promise<{ totalMs: number; handlerMs: number; deliveryMs: number; wallMs: number }>((resolve) => {
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (document.body.dataset.drawn !== "true") return;
          obs.disconnect();
          requestAnimationFrame(() => {
            const start = Number(document.body.dataset.initStart);
            const end = performance.now();
            resolve({ totalMs: end - start, handlerMs: Number(document.body.dataset.firstRenderMs), deliveryMs: start - t0, wallMs: end - t0 });
          });
        });
        obs.observe(document.body, { attributes: true });
        window.postMessage(msg, "*");
      });
    },
  );
  const threadMs = async (c: typeof cdp): Promise<number> => {
    const { metrics } = (await c.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
    return (metrics.find((m) => m.name === "ThreadTime")?.value ?? NaN) * 1000;
  };
  await cdp.send("Performance.enable");
  const firsts: { totalMs: number; handlerMs: number; deliveryMs: number; wallMs: number; cpuMs: number }[] = [];
  for (let r = 0; r < REPEATS; r++) {
    if (r > 0) {
      await page.evaluate(() => sessionStorage.clear());
      await page.reload();
      await page.waitForFunction(() => (globalThis as unknown as { __sent: unknown[] }).__sent.length > 0);
    }
    await stashInit();
    const c0 = await threadMs(cdp);
    const f = await measureFirst();
    firsts.push({ ...f, cpuMs: (await threadMs(cdp)) - c0 });
  }
  const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
  const first = {
    totalMs: med(firsts.map((f) => f.totalMs)),
    handlerMs: med(firsts.map((f) => f.handlerMs)),
    deliveryMs: med(firsts.map((f) => f.deliveryMs)),
    wallMs: med(firsts.map((f) => f.wallMs)),
    cpuMs: med(firsts.map((f) => f.cpuMs)),
  };
  const charts = await page.locator(".chart .uplot").count();

  // ---- live append ---------------------------------------------------------------------------
  const frames = (appending: boolean) => page.evaluate(
    ({ series, n, seconds, appending }) =>
      new Promise<{ frames: number; dropped: number; maxFrameMs: number; p95FrameMs: number; points: number }>((resolve) => {
        const intervals: number[] = [];
        let last = performance.now();
        let running = true;
        const frame = () => {
          const now = performance.now();
          intervals.push(now - last);
          last = now;
          if (running) requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
        let step = n;
        const timer = setInterval(() => {
          if (!appending) return;
          step++;
          const metrics: Record<string, Float64Array> = {};
          // the run goes on as it began (the init's curves, with their noise)
          series.forEach((m, k) => (metrics[m] = Float64Array.of(Math.sin((step - 1) / (500 + k * 37)) + k + Math.random() * 0.1 + 0.001)));
          window.postMessage({ type: "append", runId: "/bench/run", points: { step: Float64Array.of(step), time: Float64Array.of(1_700_000_000_000 + step * 1000), metrics } }, "*");
        }, 100);
        setTimeout(() => {
          clearInterval(timer);
          running = false;
          const sorted = intervals.slice(1).sort((a, b) => a - b);
          resolve({
            frames: sorted.length,
            dropped: sorted.filter((x) => x > 2 * (1000 / 60)).length,
            maxFrameMs: sorted[sorted.length - 1],
            p95FrameMs: sorted[Math.floor(sorted.length * 0.95)],
            points: Number(document.getElementById("point-count")?.dataset.count),
          });
        }, seconds * 1000);
      }),
    { series: SERIES, n: N, seconds: APPEND_SECONDS, appending },
  );
  const draws = () => page.evaluate(() => Array.from(document.querySelectorAll(".chart"), (c) => Number(c.dataset.draws ?? 0)).reduce((a, b) => a + b, 0));
  const control = await frames(false);
  const drawsBefore = await draws();
  const append = await frames(true);
  const chartRedraws = (await draws()) - drawsBefore;

  // ---- memory --------------------------------------------------------------------------------
  await cdp.send("HeapProfiler.collectGarbage");
  // JS heap plus ArrayBuffer backing stores (the packed columns live there, outside the JS heap)
  type HeapUsage = { usedSize: number; totalSize: number; backingStorageSize?: number };
  const withBuffers = (h: HeapUsage) => h.usedSize + (h.backingStorageSize ?? 0);
  const heap = (await cdp.send("Runtime.getHeapUsage")) as HeapUsage;
  const dom = (await cdp.send("Memory.getDOMCounters")) as { nodes: number };

  // ---- baseline: plain uPlot, every point ---------------------------------------------------
  const base = await d.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await base.addStyleTag({ path: join(ROOT, "node_modules/uplot/dist/uPlot.min.css") });
  await base.addScriptTag({ path: join(ROOT, "node_modules/uplot/dist/uPlot.iife.min.js") });
  // (baseline timing also starts with the data already in the page)
  const baseStash = () => base.evaluate(
    ({ series, n }) => {
      const xs = Array.from({ length: n }, (_, i) => i + 1);
      const cols = series.map((_, k) => xs.map((i) => Math.sin(i / (500 + k * 37)) + k + Math.random() * 0.1));
      (globalThis as unknown as { __msg: unknown }).__msg = { xs, cols };
    },
    { series: SERIES, n: N },
  );
  const baselineOnce = () => base.evaluate(
    ({ series }) => {
      const U = (globalThis as unknown as { uPlot: new (o: object, d: unknown, el: unknown) => unknown }).uPlot;
      const g = globalThis as unknown as { __msg: { xs: number[]; cols: number[][] }; __plots: unknown[]; addEventListener(t: string, f: (e: { data: { xs: number[]; cols: number[][] } }) => void, o: { once: boolean }): void };
      return new Promise<{ afterDeliveryMs: number; wallMs: number }>((resolve) => {
        const t0 = performance.now();
        g.addEventListener(
          "message",
          (e) => {
            const { xs, cols } = e.data;
            const start = performance.now();
            series.forEach((name, k) => {
              const el = document.createElement("div");
              document.body.append(el);
              (g.__plots ??= []).push(new U({ width: 680, height: 200, title: name, scales: { x: { time: false } }, series: [{}, { label: name, stroke: "#4e79a7" }] }, [xs.slice(), cols[k]], el));
            });
            requestAnimationFrame(() => resolve({ afterDeliveryMs: performance.now() - start, wallMs: performance.now() - t0 }));
          },
          { once: true },
        );
        window.postMessage(g.__msg, "*");
      });
    },
    { series: SERIES },
  );
  const baseCdp0 = await base.context().newCDPSession(base);
  await baseCdp0.send("Performance.enable");
  const baselines: { afterDeliveryMs: number; wallMs: number; cpuMs: number }[] = [];
  for (let r = 0; r < REPEATS; r++) {
    if (r > 0) {
      await base.reload();
      await base.addStyleTag({ path: join(ROOT, "node_modules/uplot/dist/uPlot.min.css") });
      await base.addScriptTag({ path: join(ROOT, "node_modules/uplot/dist/uPlot.iife.min.js") });
    }
    await baseStash();
    const c0 = await threadMs(baseCdp0);
    const b = await baselineOnce();
    baselines.push({ ...b, cpuMs: (await threadMs(baseCdp0)) - c0 });
  }
  const baseline = med(baselines.map((b) => b.afterDeliveryMs));
  const baselineWall = med(baselines.map((b) => b.wallMs));
  const baselineCpu = med(baselines.map((b) => b.cpuMs));
  // baseline live append: every 100 ms one point per series, setData with the full arrays
  const baseAppend = await base.evaluate(
    ({ seconds }) =>
      new Promise<{ frames: number; dropped: number }>((resolve) => {
        const plots = (globalThis as unknown as { __plots: { data: number[][]; setData(d: number[][]): void }[] }).__plots;
        const intervals: number[] = [];
        let last = performance.now();
        let running = true;
        const frame = () => {
          const now = performance.now();
          intervals.push(now - last);
          last = now;
          if (running) requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
        const timer = setInterval(() => {
          for (const u of plots) {
            const [xs, ys] = u.data;
            xs.push(xs[xs.length - 1] + 1);
            ys.push(ys[ys.length - 1]);
            u.setData([xs, ys]);
          }
        }, 100);
        setTimeout(() => {
          clearInterval(timer);
          running = false;
          const iv = intervals.slice(1);
          resolve({ frames: iv.length, dropped: iv.filter((x) => x > 2 * (1000 / 60)).length });
        }, seconds * 1000);
      }),
    { seconds: APPEND_SECONDS },
  );
  // ---- floor: plain uPlot drawing only as many points as ours draws (no data work at all) ----
  const floorPage = await d.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const floors: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    await floorPage.goto("about:blank");
    await floorPage.addStyleTag({ path: join(ROOT, "node_modules/uplot/dist/uPlot.min.css") });
    await floorPage.addScriptTag({ path: join(ROOT, "node_modules/uplot/dist/uPlot.iife.min.js") });
    floors.push(
      await floorPage.evaluate(
        ({ charts, points, n }) =>
          new Promise<number>((resolve) => {
            const U = (globalThis as unknown as { uPlot: new (o: object, d: unknown, el: unknown) => unknown }).uPlot;
            const xs = Array.from({ length: points }, (_, i) => 1 + Math.round((i * (n - 1)) / (points - 1)));
            const cols = Array.from({ length: charts }, (_, k) => xs.map((x) => Math.sin(x / (500 + k * 37)) + k));
            const t0 = performance.now();
            for (let k = 0; k < charts; k++) {
              const el = document.createElement("div");
              document.body.append(el);
              new U({ width: 680, height: 200, scales: { x: { time: false } }, series: [{}, { label: "s", stroke: "#4e79a7", width: 1 }] }, [xs, cols[k]], el);
            }
            requestAnimationFrame(() => resolve(performance.now() - t0));
          }),
        { charts, points: FLOOR_POINTS, n: N },
      ),
    );
  }
  await floorPage.close();

  const baseCdp = await base.context().newCDPSession(base);
  await baseCdp.send("HeapProfiler.collectGarbage");
  const baseHeap = (await baseCdp.send("Runtime.getHeapUsage")) as HeapUsage;
  await d.close();

  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  const result = {
    load: { loadAverage1m: loadavg()[0], note: "the machine is shared with other work; timings vary with load" },
    runs: { firstRenderMs: firsts.map((f) => Math.round(f.totalMs)), baselineMs: baselines.map((b) => Math.round(b.afterDeliveryMs)) },
    area: "dashboard",
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", browser: "headless Chromium (/usr/bin/chromium), --disable-gpu" },
    workload: { series: SERIES.length, pointsPerSeries: N, appendPointsPerSecondPerSeries: 10, appendSeconds: APPEND_SECONDS },
    firstRender: {
      what: "from the webview receiving init (12 x 100,000 points) to the first frame with every chart drawn",
      totalMs: Math.round(first.totalMs),
      chartsDrawMs: Math.round(first.handlerMs),
      charts,
      budgetMs: 100,
      ok: first.totalMs <= 100,
      coldMs: Math.round(firsts[0].totalMs),
      mainThreadCpuMs: Math.round(first.cpuMs),
      mainThreadCpuNote: "CPU time of the page's main thread from posting init to the drawn frame (message deserialisation included); less sensitive to the shared machine's load than wall time",
      wallIncludingDeliveryMs: Math.round(first.wallMs),
      messageDeliveryMs: Math.round(first.deliveryMs),
      messageDeliveryNote: "structured clone of the 1.2M-number init message inside Chromium (postMessage), before the webview sees it; not part of the budget",
    },
    append: {
      ...append,
      maxFrameMs: Math.round(append.maxFrameMs),
      p95FrameMs: Math.round(append.p95FrameMs * 10) / 10,
      droppedWithoutAppends: control.dropped,
      framesWithoutAppends: control.frames,
      p95FrameMsWithoutAppends: Math.round(control.p95FrameMs * 10) / 10,
      appendMessages: APPEND_SECONDS * 10,
      chartRedraws,
      chartRedrawsNote: "charts redrawn while the points arrived; a redraw that would change no pixel is skipped (changesPicture)",
      note: "dropped = frame intervals over 33 ms; droppedWithoutAppends is the same page idle for the same time (what the shared machine alone costs)",
      ok: append.dropped <= control.dropped,
    },
    memory: { jsHeapUsedMB: mb(heap.usedSize), arrayBuffersMB: mb(heap.backingStorageSize ?? 0), totalMB: mb(withBuffers(heap)), domNodes: dom.nodes, budgetMB: 150, ok: mb(withBuffers(heap)) <= 150, note: "after a forced GC: the JS heap and the ArrayBuffer backing stores (the packed columns) together" },
    baseline: {
      name: "plain uPlot drawing all 12 x 100,000 points (no decimation), same browser",
      firstRenderMs: Math.round(baseline),
      coldMs: Math.round(baselines[0].afterDeliveryMs),
      wallIncludingDeliveryMs: Math.round(baselineWall),
      mainThreadCpuMs: Math.round(baselineCpu),
      note: "fed the same 12 x 100,000 numbers by postMessage; firstRenderMs from receiving them to the drawn frame, as for ours",
      appendDroppedFrames: baseAppend.dropped,
      appendFrames: baseAppend.frames,
      jsHeapUsedMB: mb(baseHeap.usedSize),
      totalMB: mb(withBuffers(baseHeap)),
    },
    floor: {
      name: `plain uPlot drawing ${FLOOR_POINTS.toLocaleString("en-US")} points in each of as many charts as ours (about what ours draws after decimation, 1 px lines as ours draws a dense series), no data work`,
      firstRenderMs: Math.round(med(floors)),
      runs: floors.map((f) => Math.round(f)),
      note: "what drawing the charts alone costs in this browser: ours minus this is the dashboard's own work",
    },
    ratio: {
      firstRenderBaselineOverOurs: Math.round((baseline / first.totalMs) * 100) / 100,
      mainThreadCpuBaselineOverOurs: Math.round((baselineCpu / first.cpuMs) * 100) / 100,
      appendFramesOursOverBaseline: Math.round((append.frames / Math.max(1, baseAppend.frames)) * 100) / 100,
      appendDroppedFraction: { ours: Math.round((append.dropped / Math.max(1, append.frames)) * 100) / 100, baseline: Math.round((baseAppend.dropped / Math.max(1, baseAppend.frames)) * 100) / 100 },
    },
  };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/dashboard.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
