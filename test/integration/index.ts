// The extension's integration suite: mocha inside the VS Code extension host. One entry point for
// both hosts: @vscode/test-electron (run-electron.ts) and code-server's extensionTestsPath
// (run-code-server.ts). Results go to the console and, when TOOLN1_INTEGRATION_REPORT names a file,
// to that file as JSON (the code-server runner reads it: the server's extension host has no terminal).
import Mocha from "mocha";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Result {
  title: string;
  state: "passed" | "failed" | "pending";
  error?: string;
  ms?: number;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "tdd", timeout: 60_000, color: false, reporter: "spec" });
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith(".test.js")).sort()) mocha.addFile(join(__dirname, f));
  const results: Result[] = [];
  const report = process.env.TOOLN1_INTEGRATION_REPORT;
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (report) writeFileSync(report, JSON.stringify({ failures, results }, null, 2));
      if (failures) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on("pass", (t) => results.push({ title: t.fullTitle(), state: "passed", ms: t.duration }));
    runner.on("fail", (t, err: Error) => results.push({ title: t.fullTitle(), state: "failed", error: err?.stack ?? String(err) }));
    runner.on("pending", (t) => results.push({ title: t.fullTitle(), state: "pending" }));
  });
}
