// End-to-end harness: a real VS Code (code-server, installed by scripts/install-code-server.sh)
// with the built .vsix installed, driven by playwright-core in Debian's Chromium.
// Every wait is for a UI state or an event; nothing sleeps for a fixed time.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before } from "node:test";
import { chromium, type Browser, type Frame, type Locator, type Page } from "playwright-core";

/** The repository root (this file runs from out/test/e2e/). */
export const ROOT = resolve(__dirname, "../../..");
export const OUTPUT = join(ROOT, "test-output", "e2e");
export const VSIX = process.env.TOOLN1_VSIX ?? join(ROOT, "dist-vsix", "tool-n1-studio.vsix");
/** The trainer's interpreter for the scenarios. */
export const PYTHON = process.env.TOOLN1_E2E_PYTHON ?? join(ROOT, ".venv", "bin", "python");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Flags for headless Debian Chromium without a display, a sandbox or network services. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function log(msg: string): void {
  process.stdout.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Path of code-server's launcher, installing it first if needed (fast when installed). */
export function codeServerEntry(): string {
  const r = spawnSync(join(ROOT, "scripts", "install-code-server.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) throw new Error(`scripts/install-code-server.sh failed (exit ${r.status}); run it alone to see why`);
  const entry = r.stdout.trim().split("\n").pop() ?? "";
  if (!existsSync(entry)) throw new Error(`code-server launcher not found at '${entry}'`);
  return entry;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Rejects with `what` when `p` has not settled after `ms`. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export interface CodeServerOptions {
  /** User settings (User/settings.json). */
  userSettings?: Record<string, unknown>;
  /** Machine settings (Machine/settings.json): where machine-scoped settings such as tooln1.pythonPath live. */
  machineSettings?: Record<string, unknown>;
  /** Install this .vsix before starting (what users install is what is tested). */
  vsix?: string;
  /** Extra arguments for the server, e.g. --extensionTestsPath. */
  extraArgs?: string[];
  /** Name used for the log file under test-output/e2e/. */
  name?: string;
  env?: Record<string, string>;
}

export class CodeServer {
  private exited: Promise<number | null>;
  private constructor(
    readonly url: string,
    readonly port: number,
    readonly home: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly logFile: string,
    private proc: ChildProcess,
    readonly output: { text: string },
  ) {
    this.exited = new Promise((res) => proc.once("exit", (code) => res(code)));
  }

  /** Starts code-server bound to 127.0.0.1 on a free port with a fresh user-data and extensions folder. */
  static async start(opts: CodeServerOptions = {}): Promise<CodeServer> {
    const entry = codeServerEntry();
    mkdirSync(OUTPUT, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), "tooln1-e2e-"));
    const userDataDir = join(home, "user-data");
    const extensionsDir = join(home, "extensions");
    mkdirSync(join(userDataDir, "User"), { recursive: true });
    mkdirSync(join(userDataDir, "Machine"), { recursive: true });
    mkdirSync(extensionsDir, { recursive: true });
    const userSettings = {
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "git.enabled": false,
      "window.commandCenter": false,
      "chat.commandCenter.enabled": false,
      ...opts.userSettings,
    };
    writeFileSync(join(userDataDir, "User", "settings.json"), JSON.stringify(userSettings, null, 2));
    writeFileSync(join(userDataDir, "Machine", "settings.json"), JSON.stringify(opts.machineSettings ?? {}, null, 2));
    const configFile = join(home, "config.yaml");
    writeFileSync(configFile, "auth: none\ncert: false\n");
    const common = ["--config", configFile, "--user-data-dir", userDataDir, "--extensions-dir", extensionsDir];
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local"), ...opts.env };

    if (opts.vsix) {
      if (!existsSync(opts.vsix)) throw new Error(`no .vsix at ${opts.vsix}: run 'make package' first`);
      const r = spawnSync(process.execPath, [entry, ...common, "--install-extension", opts.vsix], { encoding: "utf8", env, timeout: 120_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      if (r.status !== 0 || !/successfully installed/i.test(out)) {
        throw new Error(`installing ${opts.vsix} into code-server failed (exit ${r.status}):\n${out}`);
      }
      log(`installed ${opts.vsix}`);
    }

    const port = await freePort();
    const name = opts.name ?? "code-server";
    const logFile = join(OUTPUT, `${name}.log`);
    const logStream = createWriteStream(logFile);
    const args = [
      entry,
      ...common,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-getting-started-override",
      ...(opts.extraArgs ?? []),
    ];
    // Its own process group, so stopping it ends its extension hosts and language servers too.
    const proc = spawn(process.execPath, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const output = { text: "" };
    const url = `http://127.0.0.1:${port}/`;
    const ready = new Promise<void>((res, rej) => {
      const onData = (b: Buffer) => {
        const s = b.toString();
        logStream.write(s);
        output.text += s;
        if (output.text.length > 2_000_000) output.text = output.text.slice(-1_000_000);
        if (output.text.includes(`HTTP server listening on ${url}`) || output.text.includes(`listening on http://127.0.0.1:${port}`)) res();
      };
      proc.stdout?.on("data", onData);
      proc.stderr?.on("data", onData);
      proc.once("exit", (code) => rej(new Error(`code-server exited (${code}) before listening; see ${logFile}`)));
    });
    const server = new CodeServer(url, port, home, userDataDir, extensionsDir, logFile, proc, output);
    try {
      await within(60_000, `code-server to listen on ${url}`, ready);
    } catch (e) {
      await server.stop();
      throw e;
    }
    log(`code-server ${url} (log: ${logFile})`);
    return server;
  }

  /** Resolves when the server process exits; its exit code. */
  waitForExit(): Promise<number | null> {
    return this.exited;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.pid) {
      try {
        process.kill(-this.proc.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const killed = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000).unref())]);
      if (!killed) {
        try {
          process.kill(-this.proc.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    rmSync(this.home, { recursive: true, force: true, maxRetries: 3 });
  }

  folderUrl(folder: string): string {
    return `${this.url}?folder=${encodeURIComponent(folder)}`;
  }
}

/** Ends processes whose command line names `path` (trainers a scenario started there), by their ids. */
export function endProcessesUsing(path: string): number {
  let n = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (Number(pid) === process.pid) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes(path)) {
        process.kill(Number(pid), "SIGKILL");
        n++;
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return n;
}

/** Copies examples/ to a fresh folder, so scenarios can edit files and write runs without touching the clone. */
export function copyExamples(name = "examples"): string {
  const dir = join(mkdtempSync(join(tmpdir(), "tooln1-ws-")), name);
  cpSync(join(ROOT, "examples"), dir, { recursive: true, filter: (src) => !/[/\\](runs|\.tooln1-cache)$/.test(src) });
  return dir;
}

/**
 * The tiny random model the training configs name (tiny-model/), built once per machine by
 * the trainer's own `make-tiny-model` (cached by the hash of its source) and copied into `workspace`.
 */
export function provideTinyModel(workspace: string, python: string): void {
  const src = readFileSync(join(ROOT, "trainer", "src", "tooln1", "tiny.py"));
  const key = createHash("sha256").update(src).digest("hex").slice(0, 12);
  const cache = join(process.env.TOOLN1_E2E_CACHE ?? join(homedir(), ".cache", "tooln1-e2e"), `tiny-model-${key}`);
  if (!existsSync(join(cache, "config.json"))) {
    const tmp = `${cache}.tmp-${process.pid}`;
    const r = spawnSync(python, ["-m", "tooln1", "make-tiny-model", "--out", tmp], { encoding: "utf8", timeout: 180_000 });
    if (r.status !== 0) throw new Error(`python -m tooln1 make-tiny-model failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    rmSync(cache, { recursive: true, force: true });
    renameSync(tmp, cache);
  }
  cpSync(cache, join(workspace, "tiny-model"), { recursive: true });
}

/**
 * The tiny model exported to ONNX by the trainer's own `export-onnx` (cached per machine by the hash
 * of the model builder and the exporter), copied into `workspace/tiny-onnx` for "Try Exported Model".
 */
export function provideTinyOnnx(workspace: string, python: string): string {
  const h = createHash("sha256");
  for (const f of ["tiny.py", "export_onnx.py"]) h.update(readFileSync(join(ROOT, "trainer", "src", "tooln1", f)));
  const cache = join(process.env.TOOLN1_E2E_CACHE ?? join(homedir(), ".cache", "tooln1-e2e"), `tiny-onnx-${h.digest("hex").slice(0, 12)}`);
  if (!existsSync(join(cache, "model.onnx"))) {
    const tmp = `${cache}.tmp-${process.pid}`;
    const r = spawnSync(python, ["-m", "tooln1", "export-onnx", "--checkpoint", join(workspace, "tiny-model"), "--out", tmp], { encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0) throw new Error(`python -m tooln1 export-onnx failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    rmSync(cache, { recursive: true, force: true });
    renameSync(tmp, cache);
  }
  const dest = join(workspace, "tiny-onnx");
  cpSync(cache, dest, { recursive: true });
  return dest;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run 'scripts/ensure-debs.sh' (as root) or set CHROMIUM_PATH`);
  // playwright gives each launch a fresh temporary profile (--user-data-dir).
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

interface PageNode {
  textContent: string | null;
}
interface PageDocument {
  createTreeWalker(root: unknown, whatToShow: number): { nextNode(): PageNode | null };
  createRange(): { setStart(n: PageNode, o: number): void; setEnd(n: PageNode, o: number): void; getBoundingClientRect(): { x: number; y: number; width: number; height: number } };
}

/** The text editor of the active editor group. */
const ACTIVE_EDITOR = ".editor-group-container.active .editor-instance";

/** One open VS Code window in the browser, with helpers that act as a user would. */
export class Workbench {
  constructor(readonly page: Page) {}

  /** Opens a browser window on `folder`; `holder` gets the window at once, so a failure can be captured. */
  static open(browser: Browser, server: CodeServer, folder: string, opts: { trust: boolean; holder?: (wb: Workbench) => void }): Promise<Workbench> {
    return Workbench.openUrl(browser, server.folderUrl(folder), opts);
  }

  /** Opens a code-server URL (`...?folder=PATH`), answers the trust dialog, waits for the folder. */
  static async openUrl(browser: Browser, url: string, opts: { trust: boolean; holder?: (wb: Workbench) => void }): Promise<Workbench> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on("pageerror", (e) => log(`page error: ${e.message}`));
    const wb = new Workbench(page);
    opts.holder?.(wb);
    await page.goto(url);
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
    await wb.answerTrust(opts.trust);
    // The explorer shows the folder once the remote file system is connected.
    const folder = decodeURIComponent(new URL(url).searchParams.get("folder") ?? "");
    const name = folder.split("/").pop() ?? folder;
    await page.locator(".explorer-viewlet .pane-header", { hasText: new RegExp(name, "i") }).first().waitFor({ state: "visible", timeout: 60_000 });
    return wb;
  }

  /** Answers the Workspace Trust dialog that opens with a new folder. */
  async answerTrust(trust: boolean): Promise<void> {
    const dialog = this.page.locator(".monaco-dialog-box");
    await dialog.waitFor({ state: "visible", timeout: 60_000 });
    const label = trust ? /Yes, I trust the authors/ : /No, I don.t trust the authors/;
    await dialog.getByRole("button", { name: label }).click();
    await dialog.waitFor({ state: "hidden", timeout: 15_000 });
  }

  async screenshot(file: string): Promise<string> {
    mkdirSync(OUTPUT, { recursive: true });
    const path = join(OUTPUT, file);
    await this.page.screenshot({ path });
    return path;
  }

  /** Opens the quick input with `key` (focus taken back from a webview first) and types `text`; returns its input box. */
  private async quickInput(key: "F1" | "Control+P", text: string): Promise<Locator> {
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    await this.focusWorkbench();
    await this.page.keyboard.press("Escape");
    await this.page.keyboard.press(key);
    await input.waitFor({ state: "visible", timeout: 15_000 });
    await input.fill(text);
    return input;
  }

  /** Opens the Command Palette with `title` typed; returns its input box. */
  openPalette(title: string): Promise<Locator> {
    return this.quickInput("F1", `>${title}`);
  }

  /** Runs a command from the Command Palette by its title, e.g. "Tool-N1: Show Extension Log". */
  async runCommand(title: string): Promise<void> {
    const input = await this.openPalette(title);
    const row = this.page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
    await row.waitFor({ state: "visible", timeout: 15_000 });
    await row.click();
    // The palette closes, or the command's own quick pick takes its place at once.
    const pickTitle = this.page.locator(".quick-input-widget .quick-input-title");
    const deadline = Date.now() + 15_000;
    while ((await input.isVisible()) && (await input.inputValue().catch(() => "")).startsWith(">") && !(await pickTitle.isVisible().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`the Command Palette stayed open after choosing '${title}'`);
      await this.page.waitForTimeout(100);
    }
  }

  /**
   * Takes the keyboard focus back from a webview (whose own Monaco would take F1) by clicking the
   * window title, which does nothing else.
   */
  async focusWorkbench(): Promise<void> {
    const inWebview = await this.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { tagName: string } | null } }).document.activeElement?.tagName === "IFRAME");
    if (inWebview) await this.page.locator(".part.titlebar .window-title").first().click({ timeout: 10_000, force: true });
  }

  /** Whether the Command Palette offers a command with this title (its list settles on rows or "No matching commands"). */
  async commandOffered(title: string): Promise<boolean> {
    await this.openPalette(title);
    // The list settles on matching rows, "similar commands" or "No matching commands".
    const anyRow = this.page.locator(".quick-input-list .monaco-list-row").first();
    const none = this.page.locator(".quick-input-widget", { hasText: /No matching commands/ }).first();
    await anyRow.or(none).waitFor({ state: "visible", timeout: 15_000 });
    const offered = (await this.page.locator(".quick-input-list .monaco-list-row", { hasText: title }).count()) > 0;
    await this.page.keyboard.press("Escape");
    return offered;
  }

  /** Presses a button of the modal dialog that is up. */
  async answerDialog(button: string | RegExp): Promise<void> {
    const dialog = this.page.locator(".monaco-dialog-box");
    await dialog.waitFor({ state: "visible", timeout: 15_000 });
    await dialog.getByRole("button", { name: button }).click();
    await dialog.waitFor({ state: "hidden", timeout: 15_000 });
  }

  /** Opens a workspace file with Quick Open (Ctrl+P), as a user would; waits for its editor tab. */
  async openFile(relPath: string): Promise<void> {
    await this.quickInput("Control+P", relPath);
    const base = relPath.split("/").pop() ?? relPath;
    const row = this.page.locator(".quick-input-list .monaco-list-row", { hasText: base }).first();
    await row.waitFor({ state: "visible", timeout: 15_000 });
    await this.page.keyboard.press("Enter");
    await this.page.locator(`.tabs-container .tab.active[aria-label^="${base}"]`).waitFor({ state: "visible", timeout: 15_000 });
    await this.page.locator(`${ACTIVE_EDITOR} .monaco-editor .view-lines`).first().waitFor({ state: "visible", timeout: 15_000 });
  }

  /** Hides the bottom panel (Output, Problems), so screenshots show the editors. */
  async hidePanel(): Promise<void> {
    const panel = this.page.locator(".part.panel.bottom");
    if (await panel.isVisible()) {
      await this.runCommand("View: Hide Panel");
      await panel.waitFor({ state: "hidden", timeout: 10_000 });
    }
  }

  /** Puts the keyboard focus in the active editor. */
  async focusEditor(): Promise<void> {
    await this.page.locator(`${ACTIVE_EDITOR} .monaco-editor textarea, ${ACTIVE_EDITOR} .monaco-editor .native-edit-context`).first().focus();
  }

  /** Moves the mouse over the first occurrence of `text` in the visible lines of the active editor. */
  async hoverEditorText(text: string): Promise<void> {
    const line = this.page.locator(`${ACTIVE_EDITOR} .view-lines .view-line`, { hasText: text }).first();
    await line.waitFor({ state: "visible", timeout: 15_000 });
    const rect = await line.evaluate((el, needle) => {
      // Runs in the page; this project's Node tsconfig has no DOM types, so the few used are named here.
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const walker = doc.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = (n.textContent ?? "").replace(/\u00a0/g, " ").indexOf(needle);
        if (i < 0) continue;
        const r = doc.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + needle.length);
        const b = r.getBoundingClientRect();
        return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      }
      return undefined;
    }, text);
    if (!rect) throw new Error(`'${text}' is not in one text run of the editor line`);
    await this.page.mouse.move(rect.x - 5, rect.y);
    await this.page.mouse.move(rect.x, rect.y, { steps: 3 });
  }

  /** Texts of the inline `after` decorations (CSS ::after content) on the active editor's visible lines. */
  async afterDecorations(): Promise<string[]> {
    return this.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().evaluate((root) => {
      const g = globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } };
      const out: string[] = [];
      for (const e of Array.from((root as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll("span[class]"))) {
        const c = g.getComputedStyle(e, "::after").content;
        if (c && c !== "none" && c !== "normal") out.push(c.replace(/^"|"$/g, ""));
      }
      return out;
    });
  }

  /** Moves the keyboard selection of an open menu (quick fix, quick pick) to `row` and accepts it. */
  async chooseFocused(row: Locator, maxMoves = 30): Promise<void> {
    for (let i = 0; i < maxMoves; i++) {
      if (/\bfocused\b/.test((await row.getAttribute("class")) ?? "")) {
        await this.page.keyboard.press("Enter");
        return;
      }
      await this.page.keyboard.press("ArrowDown");
    }
    throw new Error(`could not move the selection to '${await row.textContent()}'`);
  }

  /** A clear window for the next scenario: the panel hidden and every editor closed. */
  async clearLayout(): Promise<void> {
    await this.hidePanel();
    await this.runCommand("View: Close All Editor Groups");
  }

  /** Opens the Tool-N1 side bar on its Runs view (which shows once the extension is up). */
  async showRunsView(timeoutMs: number): Promise<void> {
    const icon = this.activityBarItem("Tool-N1");
    await icon.waitFor({ state: "visible", timeout: timeoutMs });
    await icon.click();
    await this.page.locator(".part.sidebar .composite.title", { hasText: /Tool-N1: Runs/i }).waitFor({ state: "visible", timeout: timeoutMs });
  }

  /** Picks a training config in Train Tool-N1's quick pick (already open) and waits for the run to start. */
  async pickTrainingConfig(name: string, timeoutMs: number): Promise<void> {
    const config = this.page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first();
    await config.waitFor({ state: "visible", timeout: timeoutMs });
    await config.click();
    await this.notification(/training started/).first().waitFor({ state: "visible", timeout: timeoutMs });
  }

  /** The activity bar entry of a view container, by its title. */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.activitybar .action-item a.action-label[aria-label^="${title}"]`);
  }

  /** A notification toast whose message matches `text`. */
  notification(text: string | RegExp): Locator {
    return this.page.locator(".notifications-toasts .notification-list-item", { hasText: text });
  }

  /** Waits for a webview frame whose document holds `selector`; webviews are nested iframes. */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const f of this.page.frames()) {
        if (f === this.page.mainFrame()) continue;
        try {
          if ((await f.locator(selector).count()) > 0) return f;
        } catch {
          // frame navigated away while we looked
        }
      }
      await this.page.waitForEvent("framenavigated", { timeout: 1_000 }).catch(() => undefined);
    }
    throw new Error(`no webview with '${selector}' within ${timeoutMs / 1000} s (frames: ${this.page.frames().map((f) => f.url().slice(0, 80)).join(", ")})`);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/**
 * Waits until the number in attribute `attr` of the first `selector` in `frame` differs from `from`
 * (counters that only grow). A CSS attribute selector, because webview CSP forbids evaluated predicates.
 */
export async function waitForChange(frame: Frame, selector: string, attr: string, from: string, timeoutMs: number): Promise<string> {
  const changed = frame.locator(`${selector}[${attr}]:not([${attr}="${from}"])`).first();
  try {
    await changed.waitFor({ state: "attached", timeout: timeoutMs });
  } catch {
    const now = await frame.locator(selector).first().getAttribute(attr).catch(() => null);
    throw new Error(`${selector} [${attr}] stayed at ${now} for ${timeoutMs / 1000} s`);
  }
  return (await changed.getAttribute(attr)) ?? "";
}

/**
 * Runs one scenario with its own timeout; saves `NN-name.png` on success, `NN-name-FAILED.png`
 * (the moment it failed) otherwise, names the screenshot in the log and rethrows with a clear message.
 */
export async function scenario(wb: () => Workbench | undefined, id: string, timeoutMs: number, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  log(`scenario ${id}: start (timeout ${timeoutMs / 1000} s)`);
  try {
    await within(timeoutMs, `scenario ${id}`, fn());
  } catch (e) {
    const w = wb();
    let shot = "(no window to capture)";
    if (w) shot = await w.screenshot(`${id}-FAILED.png`).catch((err) => `(screenshot failed: ${err})`);
    const msg = e instanceof Error ? e.message : String(e);
    log(`scenario ${id}: FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${msg}\n  screenshot of the moment: ${shot}`);
    throw new Error(`scenario ${id} failed: ${msg}\n  screenshot of the moment: ${shot}`, { cause: e });
  }
  const w = wb();
  if (w) {
    const shot = await w.screenshot(`${id}.png`);
    log(`scenario ${id}: passed in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshot: ${shot}`);
  }
}

/**
 * One e2e file's set-up (registers its before/after hooks): code-server with `server()`'s options,
 * a browser, a copy of the examples with the tiny model; afterwards the window, the browser and the
 * server are closed, and processes still using the workspace (a run of a failed scenario, in its own
 * process group) are ended before it is removed.
 */
export class E2ESession {
  server!: CodeServer;
  browser!: Browser;
  workspace = "";
  /** The trusted window the scenarios share, once `open()` made it. */
  wb: Workbench | undefined;

  constructor(server: () => CodeServerOptions) {
    before(async () => {
      this.server = await CodeServer.start(server());
      this.browser = await launchBrowser();
      this.workspace = copyExamples();
      provideTinyModel(this.workspace, PYTHON);
      log(`workspace: ${this.workspace}`);
    });
    after(async () => {
      await this.wb?.close().catch(() => undefined);
      await this.browser?.close().catch(() => undefined);
      await this.server?.stop();
      if (this.workspace) {
        const n = endProcessesUsing(this.workspace);
        if (n) log(`ended ${n} leftover process(es) of ${this.workspace}`);
        rmSync(dirname(this.workspace), { recursive: true, force: true });
      }
    });
  }

  /** Opens the workspace in a trusted window, kept for the next scenarios and the clean-up. */
  open(): Promise<Workbench> {
    return Workbench.open(this.browser, this.server, this.workspace, { trust: true, holder: (x) => (this.wb = x) });
  }
}
