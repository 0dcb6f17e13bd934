// `make demo ARGS=--train` as a newcomer uses it: the script prints a URL; opening it shows the
// examples with the live run in the Runs view, and the run's dashboard gains points within a minute
// or two. Run by scripts/test-e2e.sh after the scenarios (the .vsix is already built).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, Workbench, launchBrowser, log, scenario, waitForChange, within } from "./harness";
import type { Browser } from "playwright-core";

let demo: ChildProcess | undefined;
let browser: Browser | undefined;
let wb: Workbench | undefined;
let runDir = "";
const stateDir = mkdtempSync(join(tmpdir(), "tooln1-demo-"));

after(async () => {
  await wb?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (demo?.pid && demo.exitCode === null) {
    // demo.sh ends code-server and the training run on SIGTERM (its EXIT trap)
    process.kill(-demo.pid, "SIGTERM");
    await new Promise((r) => demo!.once("exit", r));
  }
  rmSync(stateDir, { recursive: true, force: true });
});

test("make demo ARGS=--train: the printed URL opens the examples with a live run and its charts", { timeout: 330_000 }, async () => {
  await scenario(() => wb, "demo-train", 320_000, async () => {
    // A fresh state folder: the window asks for trust as it does for a newcomer.
    const env = { ...process.env, TOOLN1_DEMO_STATE: stateDir };
    // Nothing is written outside the state folder: code-server's own config file included.
    const userConfig = join(homedir(), ".config", "code-server", "config.yaml");
    const configBefore = existsSync(userConfig) ? statSync(userConfig).mtimeMs : null;
    demo = spawn(join(ROOT, "scripts", "demo.sh"), ["--train"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const url = await within(
      180_000,
      "demo.sh to print its URL",
      new Promise<string>((resolve, reject) => {
        const onData = (b: Buffer) => {
          out += b.toString();
          const run = /training: (\S+\/runs\/demo-[\w-]+)/.exec(out);
          if (run) runDir = run[1];
          const m = /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(out);
          if (m) resolve(m[1]);
        };
        demo!.stdout!.on("data", onData);
        demo!.stderr!.on("data", onData);
        demo!.once("exit", (code) => reject(new Error(`demo.sh exited (${code}) before printing a URL:\n${out}`)));
      }),
    );
    log(`demo URL: ${url}`);
    assert.match(out, /tooln1 check: \d+ files?/, "the demo prints the check summary");
    assert.ok(runDir, `the demo names its training run:\n${out}`);
    // The workspace, the tiny model its configs name and the run all live in the state folder.
    assert.ok(runDir.startsWith(join(stateDir, "examples", "runs")), `the run is in the state folder: ${runDir}`);
    assert.ok(existsSync(join(stateDir, "examples", "tiny-model", "config.json")), "the demo built the tiny model its configs name");
    assert.ok(url.includes(encodeURIComponent(join(stateDir, "examples"))), `the window opens the state folder's examples: ${url}`);
    browser = await launchBrowser();
    const w = await Workbench.openUrl(browser, url, { trust: true, holder: (x) => (wb = x) });
    await w.activityBarItem("Tool-N1").click();
    const name = runDir.split("/").pop()!;
    await w.page.locator(".part.sidebar .monaco-list-row", { hasText: name }).first().waitFor({ state: "visible", timeout: 60_000 });
    await w.runCommand("Tool-N1: Open Run Dashboard");
    const dash = await w.webviewFrame(".point-count", 30_000);
    const n = await waitForChange(dash, ".point-count", "data-count", "0", 180_000);
    log(`demo dashboard: ${n} points`);
    await w.hidePanel();
    // By now the git extension has looked at the folder: no "open the parent repository" prompt.
    assert.equal(await w.notification(/parent folder|parent repositor/i).count(), 0, "git offered to open the parent repository");
    const configAfter = existsSync(userConfig) ? statSync(userConfig).mtimeMs : null;
    assert.equal(configAfter, configBefore, `${userConfig} was written by the demo`);
  });
});
