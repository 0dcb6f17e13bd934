// Serves the built preview bundle (Monaco and its workers) with the panel's own HTML and CSP to
// headless Chromium, with a stand-in for acquireVsCodeApi that records posted messages and keeps
// state in sessionStorage. Used by test/webview/preview.test.ts and bench/preview.bench.ts.
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { previewHtml } from "../../src/preview/page";
import type { HostToWebview, WebviewToHost } from "../../common/preview/protocol";

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM library.
interface BrowserEl {
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
}
declare const document: { body: BrowserEl; querySelector(s: string): BrowserEl | null; querySelectorAll(s: string): Iterable<BrowserEl> };

/** The repository root, from out/test/webview or out/bench (this file is bundled into both). */
export const ROOT = (() => {
  let d = __dirname;
  while (!existsSync(join(d, "package.json")) && dirname(d) !== d) d = dirname(d);
  return d;
})();
const DIST = join(ROOT, "dist", "webview");
const FILES = ["preview.js", "preview.css", "editor.worker.js", "json.worker.js"];

const STAND_IN = `
  window.__sent = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => { window.__sent.push(JSON.parse(JSON.stringify(m))); if (window.__toHost) window.__toHost(m); },
    getState: () => { const s = sessionStorage.getItem("vscode-state"); return s ? JSON.parse(s) : undefined; },
    setState: (s) => sessionStorage.setItem("vscode-state", JSON.stringify(s)),
  });
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
`;

export function previewBuilt(): boolean {
  return FILES.every((f) => existsSync(join(DIST, f)));
}

export interface PreviewPage {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** `toHost` receives every message the webview posts (a test can play the extension host). */
export async function openPreview(viewport = { width: 1400, height: 900 }, toHost?: (m: WebviewToHost) => void): Promise<PreviewPage> {
  const server: Server = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const name = (req.url ?? "").replace(/^\//, "").split("?")[0];
    if (name === "") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(previewHtml(origin, "testnonce123", (f) => `${origin}/${f}`));
      return;
    }
    if (FILES.includes(name) || /^codicon-[\w-]+\.ttf$/.test(name)) {
      const type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "font/ttf";
      res.writeHead(200, { "content-type": type });
      res.end(readFileSync(join(DIST, name)));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport });
  if (toHost) await page.exposeFunction("__toHost", toHost);
  await page.addInitScript(STAND_IN);
  await page.goto(url);
  return {
    browser,
    page,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Posts a host message into the page, as the extension host would. */
export function send(page: Page, msg: HostToWebview): Promise<void> {
  return page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, "*"), msg as unknown);
}

export function sent(page: Page): Promise<{ type: string; [k: string]: unknown }[]> {
  return page.evaluate(() => (globalThis as unknown as { __sent: { type: string }[] }).__sent);
}

export function revision(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.body.dataset.revision ?? 0));
}

/** Waits until the panels have been updated past `after`. */
export async function waitRevision(page: Page, after: number): Promise<number> {
  await page.waitForFunction((n) => Number(document.body.dataset.revision ?? 0) > n, after);
  return revision(page);
}

/** Sends `init` after the webview's `ready`, and waits for body[data-ready]. */
export async function init(page: Page, msg: Partial<Extract<HostToWebview, { type: "init" }>> = {}): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === "ready"));
  await send(page, { type: "init", schemaFiles: [], tools: null, prefill: null, checkpoint: null, trusted: true, ...msg });
  await page.waitForSelector("body[data-ready='true']");
}

/** Focuses the model-output editor and moves the cursor to the end of its text. */
export async function focusOutputEnd(page: Page): Promise<void> {
  await page.click("#output-editor .view-lines");
  await page.keyboard.press("Control+End");
}
