// The inspector webview in headless Chromium, fed by the real host session and index worker over a
// generated rollout file whose model text is hostile. Nothing may execute and nothing may become a link.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { RolloutIndexClient } from "../../src/rollouts/indexClient";
import { InspectorSession } from "../../src/rollouts/inspectorSession";
import { webviewHtml } from "../../src/webviewHtml";
import { syntheticStep } from "../support/syntheticRollouts";
import type { ReasonCode, RolloutRecord } from "../../src/core/types";

const DIST = join(__dirname, "../../../dist");
const dir = mkdtempSync(join(tmpdir(), "inspector-web-"));
const EVIL = [
  "<script>window.__pwned = 'script'</script>",
  "<img src=x onerror=\"window.__pwned='img'\">",
  "</textarea><svg onload=\"window.__pwned='svg'\">",
  "[click me](command:workbench.action.terminal.new)",
  "[site](https://evil.example) <a href=\"command:tooln1.train\">run</a>",
  "command:tooln1.train?%5B%5D",
].join(" \n ");

let server: Server;
let browser: Browser;
let page: Page;
let client: RolloutIndexClient;
let session: InspectorSession;
const toHost: { type: string }[] = [];
const dialogs: string[] = [];
let records: RolloutRecord[] = [];
let url = "";

before(async () => {
  records = [...syntheticStep(1, 0, 6, { zeroVarianceEvery: 3 }), ...syntheticStep(2, 0, 6)];
  // hostile text everywhere model or dataset text shows: reasoning, calls, arguments, prompt, ids
  for (const r of records.slice(0, 10)) {
    r.completion = `<think>${EVIL}</think>\n<tool_call>\n[{"name": "get_weather", "arguments": {"city": ${JSON.stringify(EVIL)}}}]\n</tool_call> trailing ${EVIL}`;
    r.prompt = `user: ${EVIL}`;
    r.details = { format_ok: true, calls_ok: false, reason: "wrong_argument_value", mismatch: "calls[0].arguments.city" };
    r.reward = 0;
  }
  for (const r of records.slice(0, 5)) r.prompt_id = "<b>id</b>[x](command:evil)"; // one whole group
  const file = join(dir, "evil.rollouts.jsonl");
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n") + "\n");

  server = createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(webviewHtml({ cspSource: origin, nonce: "n0nce", script: `${origin}/inspector.js`, styles: [`${origin}/inspector.css`], title: "test" }));
    } else if (req.url === "/inspector.js" || req.url === "/inspector.css") {
      res.writeHead(200, { "content-type": req.url.endsWith(".js") ? "text/javascript" : "text/css" });
      res.end(readFileSync(join(DIST, "webview", req.url.slice(1))));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  client = new RolloutIndexClient(join(DIST, "index.worker.js"));
  await client.open([file], "binary", false);
  session = new InspectorSession(client, (m) => void page.evaluate((msg) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(msg, "*"), m as unknown), { title: "evil", variant: "binary", filter: {} }, {
    openPreview: () => undefined,
    revealLine: () => undefined,
  });
  await page.exposeFunction("__toHost", (m: { type: string }) => {
    toHost.push(m);
    void session.handle(m as never);
  });
  // stand-in for the webview's acquireVsCodeApi: messages go to the real host session
  await page.addInitScript(() => {
    let state: unknown;
    (globalThis as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => (globalThis as unknown as { __toHost(m: unknown): void }).__toHost(m),
      getState: () => state,
      setState: (s: unknown) => (state = s),
    });
  });
  await page.goto(url);
});

after(async () => {
  session?.dispose();
  await client?.dispose();
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for the row-count marker (the ready marker end-to-end tests use too). */
type Doc = { document: { getElementById(id: string): { dataset: { count?: string } } | null } };
const countIs = (n: number): Promise<unknown> => page.waitForFunction((want) => (globalThis as unknown as Doc).document.getElementById("row-count")?.dataset.count === want, String(n));

async function assertInert(): Promise<void> {
  const r = await page.evaluate(() => {
    interface El {
      attributes: ArrayLike<{ name: string }>;
    }
    const g = globalThis as unknown as { __pwned?: string; document: { body: { querySelectorAll(s: string): ArrayLike<El> }; querySelectorAll(s: string): ArrayLike<El> } };
    const all = Array.from(g.document.querySelectorAll("*"));
    return {
      pwned: g.__pwned ?? null,
      links: g.document.body.querySelectorAll("a, [href]").length,
      imgs: g.document.querySelectorAll("img, svg, iframe, object, embed, textarea").length,
      scripts: g.document.querySelectorAll("script").length,
      handlers: all.filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
    };
  });
  assert.deepEqual(r, { pwned: null, links: 0, imgs: 0, scripts: 1, handlers: 0 });
  assert.deepEqual(dialogs, []);
}

test("handshake, then every rollout is listed", async () => {
  await page.waitForSelector("body[data-ready='1']");
  await countIs(records.length);
  assert.equal(toHost[0].type, "ready");
  await page.waitForSelector("#viewport .row[data-row]");
  await assertInert();
});

test("the detail pane shows hostile text as text", async () => {
  await page.click("#viewport .row[data-row='0']");
  await page.waitForSelector("#detail[data-row='0'] pre.raw");
  const text = await page.textContent("#detail");
  assert.ok(text?.includes("<script>window.__pwned = 'script'</script>"), "the completion is shown literally");
  assert.ok(text?.includes("[click me](command:workbench.action.terminal.new)"));
  // the argument diff names the wrong argument
  const changed = await page.$$eval("#detail tr.arg-changed td:first-child", (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(changed, ["city"]);
  // parser spans are highlighted
  assert.ok((await page.$$("#detail pre.raw .hl-reasoning")).length > 0);
  assert.ok((await page.$$("#detail pre.raw .hl-call")).length > 0);
  if (process.env.INSPECTOR_SCREENSHOT) await page.screenshot({ path: process.env.INSPECTOR_SCREENSHOT });
  await assertInert();
});

test("group, prompt history and summary render and stay inert", async () => {
  await page.click("#detail .actions button:has-text('Group')");
  await page.waitForSelector("#detail .side-by-side .completion");
  assert.equal((await page.$$("#detail .side-by-side .completion")).length, 5);
  await page.click("#detail button:has-text('Prompt history')");
  await page.waitForSelector("#detail table.history tbody tr");
  await page.click("nav.tabs button[data-tab='summary']");
  await page.waitForSelector("#summary[data-steps='2'] table.steps tbody tr");
  await assertInert();
  await page.click("nav.tabs button[data-tab='rows']");
});

test("filtering by reason code and text goes through the host", async () => {
  await page.selectOption("#f-reason", "wrong_argument_value");
  await page.waitForFunction((all) => (globalThis as unknown as Doc).document.getElementById("row-count")?.dataset.count !== all, String(records.length));
  const expected = records.filter((r) => r.details.reason === "wrong_argument_value").length;
  await countIs(expected);
  await page.selectOption("#f-reason", "");
  await page.fill("#f-text", "__PWNED = 'SCRIPT'");
  await countIs(10);
  await page.fill("#f-text", "");
  await page.check("#f-groups");
  await countIs(12);
  await page.click("#viewport .row[data-group]");
  await page.waitForSelector("#detail .side-by-side");
  await assertInert();
});

test("at 500 px wide the details sit below the table, not over it", async () => {
  await page.uncheck("#f-groups");
  await countIs(records.length);
  await page.setViewportSize({ width: 500, height: 800 });
  try {
    await page.click("#viewport .row[data-row='0']");
    await page.waitForSelector("#detail dl.meta");
    type Box = { top: number; bottom: number; left: number; right: number; width: number };
    type Q = { document: { getElementById(id: string): { getBoundingClientRect(): Box } } };
    const m = await page.evaluate(() => {
      const d = (globalThis as unknown as Q).document;
      const b = (id: string) => {
        const r = d.getElementById(id).getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width };
      };
      return { list: b("list"), detail: b("detail") };
    });
    assert.ok(m.detail.top >= m.list.bottom - 1, `the detail pane (top ${m.detail.top}) overlaps the table (bottom ${m.list.bottom})`);
    assert.ok(m.list.right <= 501 && m.detail.right <= 501, `both fit the 500 px panel: ${JSON.stringify(m)}`);
    assert.ok(m.list.bottom - m.list.top >= 150, "the table keeps room for rows");
    assert.ok(await page.locator("#viewport .row[data-row='0']").isVisible(), "the selected row stays visible");
    await page.screenshot({ path: join(__dirname, "../../../test-output/webview/inspector-500px.png") });
  } finally {
    await page.setViewportSize({ width: 1400, height: 900 });
  }
});

test("a filter of several reasons (the dashboard's \"other reasons\") is one choice in the reason menu, kept when other filters change", async () => {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.details.reason, (counts.get(r.details.reason) ?? 0) + 1);
  // two reasons these rollouts have, and one they do not
  const have = [...counts.keys()].filter((r) => r !== "ok").sort();
  assert.ok(have.length >= 2, `the rollouts need two reasons besides ok: ${[...counts.keys()]}`);
  const group = [...have.slice(0, 2), ...(["wrong_call_count", "extra_argument", "missing_argument"].filter((r) => !counts.has(r)).slice(0, 1))] as ReasonCode[];
  const expected = group.reduce((n, r) => n + (counts.get(r) ?? 0), 0);
  const p2 = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const sent2: { type: string; query?: { filter: { reasons?: string[] } } }[] = [];
  const s2 = new InspectorSession(client, (m) => void p2.evaluate((msg) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(msg, "*"), m as unknown), { title: "group", variant: "binary", filter: { reasons: group } }, {
    openPreview: () => undefined,
    revealLine: () => undefined,
  });
  try {
    await p2.exposeFunction("__toHost", (m: { type: string }) => {
      sent2.push(m);
      void s2.handle(m as never);
    });
    await p2.addInitScript(() => {
      (globalThis as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
        postMessage: (m: unknown) => (globalThis as unknown as { __toHost(m: unknown): void }).__toHost(m),
        getState: () => undefined,
        setState: () => undefined,
      });
    });
    await p2.goto(url);
    const count = (n: number) => p2.waitForFunction((want) => (globalThis as unknown as Doc).document.getElementById("row-count")?.dataset.count === want, String(n));
    await count(expected);
    const chosen = await p2.$eval("#f-reason", (sel) => {
      const s = sel as unknown as { selectedOptions: ArrayLike<{ textContent: string | null }> };
      return s.selectedOptions[0]?.textContent ?? "";
    });
    for (const r of group) assert.ok(chosen.includes(r), `the reason menu shows "${chosen}", not ${r}`);
    // another filter changes (no reward is <= -1, then the bound is cleared): every reason of the group stays
    await p2.fill("#f-rmax", "-1");
    await count(0);
    await p2.fill("#f-rmax", "");
    await count(expected);
    const last = sent2.filter((m) => m.type === "query").at(-1);
    assert.deepEqual(last?.query?.filter.reasons, group);
  } finally {
    s2.dispose();
    await p2.close();
  }
});
