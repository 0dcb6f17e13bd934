// Runs the same integration suite (index.ts) in desktop VS Code through @vscode/test-electron:
// VSCODE_EXECUTABLE names a VS Code build; without it, test-electron downloads one (needs the internet).
// The extension under test is the built .vsix, installed into a fresh extensions folder first.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } from "@vscode/test-electron";
import { OUTPUT, ROOT, VSIX } from "../e2e/harness";
import { integrationWorkspace } from "./workspace";

async function main(): Promise<void> {
  const executable = process.env.VSCODE_EXECUTABLE || (await downloadAndUnzipVSCode(process.env.VSCODE_VERSION || "1.100.3"));
  const home = mkdtempSync(join(tmpdir(), "tooln1-electron-"));
  const userDataDir = join(home, "user-data");
  const extensionsDir = join(home, "extensions");
  const [cli, ...defaults] = resolveCliArgsFromVSCodeExecutablePath(executable, { reuseMachineInstall: false });
  // our own fresh folders replace test-electron's defaults
  const cliArgs = defaults.filter((a) => !/^--(extensions-dir|user-data-dir)/.test(a));
  const inst = spawnSync(cli, [...cliArgs, "--user-data-dir", userDataDir, "--extensions-dir", extensionsDir, "--install-extension", VSIX], { encoding: "utf8", shell: process.platform === "win32" });
  if (inst.status !== 0) throw new Error(`installing ${VSIX} failed:\n${inst.stdout}\n${inst.stderr}`);
  const installed = join(extensionsDir, "tooln1.tool-n1-studio-" + JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  const env = { ...process.env, TOOLN1_INTEGRATION_REPORT: join(OUTPUT, "integration-electron.json") } as Record<string, string>;
  for (const trusted of [true, false]) {
    const ws = integrationWorkspace();
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: installed,
      extensionTestsPath: join(ROOT, "out", "test", "integration", "index.js"),
      extensionTestsEnv: env,
      launchArgs: [
        ws,
        "--user-data-dir",
        userDataDir,
        "--extensions-dir",
        extensionsDir,
        "--skip-welcome",
        "--skip-release-notes",
        ...(trusted ? ["--disable-workspace-trust"] : []),
      ],
    });
  }
}

main().catch((e) => {
  console.error(`integration suite (@vscode/test-electron): ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
