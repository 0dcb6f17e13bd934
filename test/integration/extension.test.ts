// Real behaviour through the vscode API, in whichever VS Code runs the suite (see index.ts).
// The workspace is a copy of examples/; in an untrusted window only the untrusted suite runs.
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { activeExtension, findOne, waitForDiagnostics } from "./helpers";

const trusted = vscode.workspace.isTrusted;
suite("Tool-N1 Studio: activation and commands", () => {
  test("the extension activates", async () => {
    const ext = await activeExtension();
    assert.equal(ext.isActive, true);
  });

  test("every command in the manifest is registered", async () => {
    const ext = await activeExtension();
    const declared: string[] = (ext.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    assert.ok(declared.length > 0, "the manifest declares no commands");
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared in package.json but not registered: ${missing.join(", ")}`);
  });
});

suite("Tool-N1 Studio: settings", () => {
  test("a workspace cannot set the interpreter path (machine scope)", () => {
    // The runners write "tooln1.pythonPath": "/nonexistent/workspace-python" into the copy's .vscode/settings.json.
    const value = vscode.workspace.getConfiguration("tooln1").get<string>("pythonPath");
    assert.notEqual(value, "/nonexistent/workspace-python", "tooln1.pythonPath was taken from workspace settings");
  });
});

(trusted ? suite : suite.skip)("Tool-N1 Studio: scoring", () => {
  test("Score Completions File opens one result per record, scored with the reward", async () => {
    await activeExtension();
    const uri = await findOne("e2e/completions.jsonl");
    const records = (await vscode.workspace.fs.readFile(uri)).toString().split("\n").filter((l) => l.trim());
    await vscode.commands.executeCommand("tooln1.scoreFile", uri);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc, "no result document was opened");
    // A read-only report named after its input: nothing to save, closing asks nothing.
    assert.equal(doc.uri.scheme, "tooln1-report");
    assert.match(doc.uri.path, /\/completions\.scores-[\w-]+\.jsonl$/);
    assert.equal(doc.isUntitled, false);
    assert.equal(doc.isDirty, false);
    const results = doc.getText().split("\n").filter((l) => l).map((l) => JSON.parse(l) as { reward: number; reason: string });
    assert.equal(results.length, records.length);
    assert.deepEqual(results.slice(0, 3).map((r) => [r.reward, r.reason]), [[1, "ok"], [0, "wrong_argument_value"], [0, "no_think"]]);
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document === doc), "the report stayed open (a save prompt?)");
  });

  test("Show All Dataset Problems opens a read-only report named after the dataset", async () => {
    await activeExtension();
    const uri = await findOne("data/broken.tooln1.jsonl");
    await vscode.commands.executeCommand("tooln1.showAllProblems", uri);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc, "no report was opened");
    assert.equal(doc.uri.scheme, "tooln1-report");
    assert.match(doc.uri.path, /\/broken\.tooln1\.jsonl\.problems\.txt$/);
    assert.equal(doc.isDirty, false);
    assert.match(doc.getText(), /^Tool-N1 problems in .*broken\.tooln1\.jsonl\n\d+ problems: [1-9]\d* errors/);
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  });
});

suite("Tool-N1 Studio: tool schema language server", () => {
  test("a broken tool schema gets a diagnostic with its message, and a quick fix clears it", async function () {
    await activeExtension();
    const uri = await findOne("e2e/broken.tools.json");
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, "tooln1-tools", "*.tools.json opens in the tool-schema language");
    await vscode.window.showTextDocument(doc);
    const diags = await waitForDiagnostics(uri, (d) => d.some((x) => x.code === "required_not_in_properties"));
    const d = diags.find((x) => x.code === "required_not_in_properties")!;
    assert.equal(d.source, "tooln1");
    assert.match(d.message, /Required parameter "days" is not defined in "properties"/);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);

    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", uri, d.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
    const fix = actions.find((a) => /days/.test(a.title) && a.edit);
    assert.ok(fix, `no quick fix offered; got: ${actions.map((a) => a.title).join(", ") || "none"}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit!), "the quick fix's edit did not apply");
    await waitForDiagnostics(uri, (x) => !x.some((y) => y.code === "required_not_in_properties"));
    assert.match(doc.getText(), /"days"\s*:/, "the fix adds \"days\" to properties");
    // leave the copy as it was for the next window
    await vscode.commands.executeCommand("workbench.action.files.revert");
  });

  test("hover over a tool name shows its description", async () => {
    await activeExtension();
    const uri = await findOne("e2e/broken.tools.json");
    const doc = await vscode.workspace.openTextDocument(uri);
    const at = doc.positionAt(doc.getText().indexOf("get_weather") + 3);
    // Diagnostics mean the server has read the file; then its hover answers.
    await waitForDiagnostics(uri, (d) => d.some((x) => x.source === "tooln1"));
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, at)) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
    assert.match(text, /Current weather for a city/);
  });
});

(trusted ? suite.skip : suite)("Tool-N1 Studio: untrusted workspace", () => {
  test("Train Tool-N1 refuses to launch anything and says why", async () => {
    await activeExtension();
    assert.equal(vscode.workspace.isTrusted, false);
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const runs = join(folder, "runs");
    const before = existsSync(runs) ? readdirSync(runs).length : 0;
    let settled = false;
    const result = vscode.commands.executeCommand("tooln1.train").then((r) => {
      settled = true;
      return r;
    });
    // The refusal is a notification; dismissing it lets the command return.
    for (let i = 0; i < 100 && !settled; i++) {
      await vscode.commands.executeCommand("notifications.clearAll");
      await Promise.race([result, new Promise((r) => setTimeout(r, 100))]);
    }
    assert.equal(settled, true, "Train Tool-N1 did not return in an untrusted workspace");
    assert.equal(await result, undefined, "Train Tool-N1 returned a run in an untrusted workspace");
    const after = existsSync(runs) ? readdirSync(runs).length : 0;
    assert.equal(after, before, "a run directory was created in an untrusted workspace");
  });

  test("Evaluate Checkpoint on BFCL refuses to launch anything, even with every answer given", async () => {
    await activeExtension();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const bfcl = join(folder, "runs", "bfcl");
    let settled = false;
    const result = vscode.commands
      .executeCommand("tooln1.evaluateCheckpoint", { model: join(folder, "e2e"), categories: ["simple_python"], limit: 1 })
      .then((r) => {
        settled = true;
        return r;
      });
    for (let i = 0; i < 100 && !settled; i++) {
      await vscode.commands.executeCommand("notifications.clearAll");
      await Promise.race([result, new Promise((r) => setTimeout(r, 100))]);
    }
    assert.equal(settled, true, "Evaluate Checkpoint did not return in an untrusted workspace");
    assert.equal(await result, undefined, "Evaluate Checkpoint returned an evaluation in an untrusted workspace");
    assert.equal(existsSync(bfcl), false, "an evaluation folder was created in an untrusted workspace");
  });
});

// run.json is workspace data: it may name any pid. Only a process proven to be the run's trainer
// (token in its environment, start time, its own process group) is reattached and cancelled, and
// only in a trusted workspace. Two detached sleeps play the processes: one holds a run's token.
suite("Tool-N1 Studio: cancel and reattach signal only the run's own trainer", () => {
  const procs: ChildProcess[] = [];
  const dirs: string[] = [];
  function sleeper(env: Record<string, string>): Promise<ChildProcess> {
    const p = spawn("sleep", ["300"], { env: { ...process.env, ...env }, detached: true, stdio: "ignore" });
    procs.push(p);
    return new Promise((resolve, reject) => {
      p.once("spawn", () => resolve(p));
      p.once("error", reject);
    });
  }
  function plant(name: string, fields: Record<string, unknown>): string {
    const dir = join(vscode.workspace.workspaceFolders![0].uri.fsPath, "runs", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "run.json"), JSON.stringify({ v: 1, run_id: name, status: "running", started: new Date().toISOString(), method: "grpo", config: {}, ...fields }));
    dirs.push(dir);
    return dir;
  }
  const startOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1].split(" ")[19]);
  const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

  suiteTeardown(() => {
    for (const p of procs) if (alive(p)) p.kill("SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  (process.platform === "linux" ? test : test.skip)(trusted ? "trusted: the proven trainer is reattached and cancelled; an unrelated process is not" : "untrusted: nothing is reattached, nothing is signalled", async () => {
    await activeExtension();
    const token = "0123456789abcdef0123456789abcdef";
    const stranger = await sleeper({});
    const ours = await sleeper({ TOOLN1_RUN_TOKEN: token });
    const strangerRun = plant("planted-stranger", { pid: stranger.pid, pid_start: startOf(stranger.pid!), run_token: token });
    const pid1Run = plant("planted-pid1", { pid: 1, pid_start: startOf(1), run_token: token });
    const ourRun = plant("planted-ours", { pid: ours.pid, pid_start: startOf(ours.pid!), run_token: token });
    await vscode.commands.executeCommand("tooln1.refreshRuns");
    assert.equal(await vscode.commands.executeCommand("tooln1.cancelRun", strangerRun), false, "Cancel refused for a process without the run's token");
    assert.equal(await vscode.commands.executeCommand("tooln1.cancelRun", pid1Run), false, "Cancel refused for pid 1");
    const ourCancel = await vscode.commands.executeCommand("tooln1.cancelRun", ourRun);
    assert.equal(ourCancel, trusted, trusted ? "the proven trainer is reattached and cancelled" : "an untrusted workspace reattaches nothing");
    // what ended each process: the extension's SIGTERM, or the SIGKILL this test sends last
    const endedBy = async (p: ChildProcess, kill: boolean) => {
      if (kill && alive(p)) p.kill("SIGKILL");
      if (alive(p)) await new Promise((r) => p.once("exit", r));
      return p.signalCode;
    };
    assert.equal(await endedBy(ours, !trusted), trusted ? "SIGTERM" : "SIGKILL");
    assert.equal(await endedBy(stranger, true), "SIGKILL", "the unrelated process survived Cancel");
    await vscode.commands.executeCommand("notifications.clearAll");
  });
});
