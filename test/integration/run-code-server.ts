// Runs the integration suite (index.ts) offline inside code-server's extension host, with the built
// .vsix installed: once in a trusted window, once in an untrusted one. The workbench passes
// extensionTestsPath to the extension host through its `payload` URL parameter, as VS Code's own
// browser integration tests do, and reports the end through window.codeAutomationExit.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CodeServer, ROOT, VSIX, launchBrowser, log, within, OUTPUT } from "../e2e/harness";
import { integrationWorkspace } from "./workspace";

interface Report {
  failures: number;
  results: { title: string; state: string; error?: string; ms?: number }[];
}

/** printf-style console arguments ("%s", "%d", "%c") to one line. */
function formatConsole(args: unknown[]): string {
  if (typeof args[0] !== "string") return args.map(String).join(" ");
  let i = 1;
  const head = args[0].replace(/%[sdoOjc]/g, (m) => (m === "%c" ? (i++, "") : String(args[i++] ?? "")));
  return [head, ...args.slice(i).map(String)].join(" ").trimEnd();
}

/** The folder code-server unpacked the .vsix into. */
function installedExtension(extensionsDir: string): string {
  const dir = readdirSync(extensionsDir).find((d) => d.startsWith("tooln1.tool-n1-studio-"));
  if (!dir) throw new Error(`the .vsix is not installed in ${extensionsDir}`);
  return join(extensionsDir, dir);
}

async function runWindow(trusted: boolean): Promise<Report> {
  const name = trusted ? "integration-trusted" : "integration-untrusted";
  const report = join(OUTPUT, `${name}.json`);
  const server = await CodeServer.start({
    name,
    vsix: VSIX,
    env: { TOOLN1_INTEGRATION_REPORT: report },
    // Trusted window: trust off (everything trusted). Untrusted: trust on, no prompt: Restricted Mode.
    userSettings: trusted ? { "security.workspace.trust.enabled": false } : { "security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never" },
  });
  const browser = await launchBrowser();
  try {
    const ws = integrationWorkspace();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction("codeAutomationExit", (code: number) => resolve(code));
    });
    // The workbench forwards the extension host's console here; mocha's spec lines are the ones kept.
    await page.exposeFunction("codeAutomationLog", (_type: string, args: unknown[]) => {
      const line = formatConsole(args);
      if (process.env.TOOLN1_E2E_VERBOSE || /^\s*(✔|\d+\)|\d+ (passing|failing|pending)|Tool-N1)/.test(line)) log(`${name} | ${line}`);
    });
    const authority = new URL(server.url).host;
    const testsUri = `vscode-remote://${authority}${join(ROOT, "out", "test", "integration", "index.js")}`;
    // The workbench runs extension tests only in extension development mode: point it at the
    // installed copy of the .vsix, so what runs is exactly what users install.
    const installed = installedExtension(server.extensionsDir);
    const devUri = `vscode-remote://${authority}${installed}`;
    const payload = JSON.stringify([["extensionDevelopmentPath", devUri], ["extensionTestsPath", testsUri], ["skipWelcome", "true"]]);
    log(`${name}: running the suite in ${ws}`);
    await page.goto(`${server.folderUrl(ws)}&payload=${encodeURIComponent(payload)}`);
    const code = await within(Number(process.env.TOOLN1_INTEGRATION_TIMEOUT_S ?? 240) * 1000, `${name}: the integration suite to finish`, exited);
    await page.screenshot({ path: join(OUTPUT, `${name}.png`) }).catch(() => undefined);
    let r: Report;
    try {
      r = JSON.parse(readFileSync(report, "utf8"));
    } catch {
      throw new Error(`${name}: the suite exited with ${code} and wrote no report (${report}); see ${server.logFile}`);
    }
    for (const t of r.results) log(`${name}: ${t.state === "passed" ? "ok  " : t.state === "pending" ? "skip" : "FAIL"} ${t.title}${t.error ? `\n${t.error}` : ""}`);
    if (code !== 0 && r.failures === 0) throw new Error(`${name}: the extension host exited with ${code}; see ${server.logFile}`);
    return r;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

async function main(): Promise<void> {
  let failures = 0;
  for (const trusted of [true, false]) failures += (await runWindow(trusted)).failures;
  if (failures) {
    log(`integration suite (code-server): ${failures} failure(s)`);
    process.exit(1);
  }
  log("integration suite (code-server): all passed");
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
