// Serves the built dashboard bundle with the host's own HTML (same CSP) to headless Chromium,
// with a stand-in for acquireVsCodeApi that records posted messages and keeps state in
// sessionStorage (so a reload restores it like VS Code's getState does).
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { webviewHtml } from "../../src/webviewHtml";

/** The repository root: the nearest folder above this compiled file with a package.json. */
function findRoot(from: string): string {
  let d = from;
  while (!existsSync(join(d, "package.json")) && dirname(d) !== d) d = dirname(d);
  return d;
}
export const ROOT = findRoot(resolve(__dirname));
const DIST = join(ROOT, "dist", "webview");

export const STAND_IN = `
  window.__sent = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__sent.push(JSON.parse(JSON.stringify(m))),
    getState: () => { const s = sessionStorage.getItem("vscode-state"); return s ? JSON.parse(s) : undefined; },
    setState: (s) => sessionStorage.setItem("vscode-state", JSON.stringify(s)),
  });
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
`;

export interface DashboardPage {
  browser: Browser;
  page: Page;
  url: string;
  close(): Promise<void>;
}

export function bundleBuilt(): boolean {
  return existsSync(join(DIST, "dashboard.js")) && existsSync(join(DIST, "dashboard.css"));
}

export async function openDashboard(viewport = { width: 1280, height: 900 }): Promise<DashboardPage> {
  const server: Server = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === "/" || req.url?.startsWith("/?")) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(webviewHtml({ cspSource: origin, nonce: "testnonce123", title: "Tool-N1 Run Dashboard", script: `${origin}/dashboard.js`, styles: [`${origin}/dashboard.css`] }));
      return;
    }
    const name = (req.url ?? "").replace(/^\//, "");
    if (name === "dashboard.js" || name === "dashboard.css") {
      res.writeHead(200, { "content-type": name.endsWith(".js") ? "text/javascript" : "text/css" });
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
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-precise-memory-info"],
  });
  const page = await browser.newPage({ viewport });
  await page.addInitScript(STAND_IN);
  await page.goto(url);
  return {
    browser,
    page,
    url,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Posts a host message into the page, as the extension host would. */
export function send(page: Page, msg: unknown): Promise<void> {
  return page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, "*"), msg);
}

export function sent(page: Page): Promise<{ type: string; [k: string]: unknown }[]> {
  return page.evaluate(() => (globalThis as unknown as { __sent: { type: string }[] }).__sent);
}
