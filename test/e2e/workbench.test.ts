// The user's workflows in a real VS Code (code-server) with the built .vsix installed, driven by
// headless Chromium. Run by scripts/test-e2e.sh; each scenario saves a screenshot under test-output/e2e/.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { E2ESession, PYTHON, VSIX, Workbench, copyExamples, log, provideTinyOnnx, scenario, waitForChange } from "./harness";

describe("Tool-N1 Studio in code-server", { concurrency: 1 }, () => {
  const session = new E2ESession(() => ({
    vsix: VSIX,
    // tooln1.pythonPath is machine-scoped: only user/machine settings may set it.
    machineSettings: { "tooln1.pythonPath": PYTHON },
    userSettings: { "tooln1.pythonPath": PYTHON },
  }));
  let onnxDir = "";
  before(() => {
    onnxDir = provideTinyOnnx(session.workspace, PYTHON);
  });

  test("01 the examples workspace opens and the extension activates", { timeout: 150_000 }, async () => {
    await scenario(() => session.wb, "01-activate", 140_000, async () => {
      const w = await session.open();
      // The Tool-N1 side bar opens on its Runs view.
      await w.showRunsView(30_000);
      // Activation is proven by the extension's own log line in its output channel.
      await w.runCommand("Tool-N1: Show Extension Log");
      await w.page.locator(".output-view, .panel .monaco-editor", { hasText: "Tool-N1 Studio activated" }).first().waitFor({ state: "visible", timeout: 30_000 });
    });
  });

  test("02 a broken tool schema shows its problem, the quick fix clears it", { timeout: 100_000 }, async () => {
    await scenario(() => session.wb, "02-diagnostics-quickfix", 90_000, async () => {
      const w = need(session.wb);
      await w.openFile("e2e/broken.tools.json");
      await w.page.keyboard.press("Control+Shift+M");
      const problem = w.page.locator(".markers-panel .monaco-list-row", { hasText: 'Required parameter "days" is not defined in "properties"' });
      await problem.first().waitFor({ state: "visible", timeout: 45_000 });
      await w.screenshot("02-diagnostics.png");
      // Clicking the problem puts the cursor on it; Ctrl+. lists its quick fixes.
      await problem.first().click();
      await w.focusEditor();
      await w.page.keyboard.press("Control+.");
      const fix = w.page.locator(".action-widget .monaco-list-row", { hasText: 'Add "days" to properties' });
      await fix.first().waitFor({ state: "visible", timeout: 15_000 });
      await w.screenshot("02-quickfix-menu.png");
      await w.chooseFocused(fix.first());
      await problem.first().waitFor({ state: "detached", timeout: 30_000 });
      await w.page.locator(".editor-group-container.active .editor-instance .view-lines", { hasText: '"days"' }).first().waitFor({ state: "visible", timeout: 10_000 });
      await w.focusEditor();
      await w.page.keyboard.press("Control+S");
      await w.page.locator(".tabs-container .tab.active:not(.dirty)").first().waitFor({ state: "visible", timeout: 10_000 });
    });
  });

  test("03 hovering a tool name shows its description", { timeout: 70_000 }, async () => {
    await scenario(() => session.wb, "03-hover", 60_000, async () => {
      const w = need(session.wb);
      await w.openFile("tools/weather.tools.json");
      await w.hoverEditorText("get_current_weather");
      const hover = w.page.locator(".monaco-hover", { hasText: "Current conditions for a city" });
      await hover.first().waitFor({ state: "visible", timeout: 20_000 });
    });
  });

  test("04 Train Tool-N1: the dashboard's reward chart gains points, then the run is cancelled", { timeout: 250_000 }, async () => {
    await scenario(() => session.wb, "04-train-dashboard", 240_000, async () => {
      const w = need(session.wb);
      // No run is running yet: the palette does not offer to cancel one.
      assert.equal(await w.commandOffered("Tool-N1: Cancel Training Run"), false, "Cancel Training Run is offered with no run running");
      await w.runCommand("Tool-N1: Train Tool-N1");
      await w.pickTrainingConfig("tiny-e2e.tooln1.yaml", 30_000);
      await w.runCommand("Tool-N1: Open Run Dashboard");
      const dash = await w.webviewFrame('.chart[data-panel="reward"]', 30_000);
      await dash.locator(".run.run-running").first().waitFor({ state: "visible", timeout: 30_000 });
      // The first GRPO step's reward arrives after the model loads; then more steps follow.
      const chart = '.chart[data-panel="reward"]';
      const first = await waitForChange(dash, chart, "data-points", "0", 150_000);
      const more = await waitForChange(dash, chart, "data-points", first, 60_000);
      log(`reward chart: ${first} -> ${more} points while the run was live`);
      await w.hidePanel();
      await w.screenshot("04-dashboard-live.png");
      await w.runCommand("Tool-N1: Cancel Training Run");
      // It asks first; "Cancel Run" confirms.
      await w.page.locator(".monaco-dialog-box", { hasText: "Cancel the training run" }).waitFor({ state: "visible", timeout: 15_000 });
      await w.screenshot("04-cancel-confirm.png");
      await w.answerDialog("Cancel Run");
      await dash.locator(".run.run-cancelled").first().waitFor({ state: "visible", timeout: 60_000 });
      // Once the trainer's process has ended (it says so), there is nothing left to cancel.
      await w.notification(/cancelled at step/).first().waitFor({ state: "visible", timeout: 60_000 });
      // The status bar shows the end state, with no ETA left over from training.
      const item = w.page.locator(".statusbar-item", { hasText: /Tool-N1 cancelled at step \d+/ }).first();
      await item.waitFor({ state: "visible", timeout: 15_000 });
      assert.equal(await w.page.locator(".statusbar-item", { hasText: /ETA/ }).count(), 0, `the status bar still shows an ETA: ${await item.textContent()}`);
      assert.equal(await w.commandOffered("Tool-N1: Cancel Training Run"), false, "Cancel Training Run is still offered after the run ended");
    });
  });

  test("05 the run's rollouts: inline verdicts in the file, and the inspector", { timeout: 130_000 }, async () => {
    await scenario(() => session.wb, "05-rollouts", 120_000, async () => {
      const w = need(session.wb);
      await w.hidePanel();
      // The run scenario 04 wrote; Quick Open takes its absolute path (its file index may predate the run).
      const runs = join(session.workspace, "runs");
      const run = readdirSync(runs).find((d) => existsSync(join(runs, d, "rollouts", "step-00001.jsonl")));
      assert.ok(run, `no run with rollouts under ${runs} (scenario 04 writes one)`);
      await w.openFile(join(runs, run, "rollouts", "step-00001.jsonl"));
      // Every rollout line ends with its reward and reason (an `after` decoration); the lines are
      // long and wrap, so go to the end of the file to see the last line's end.
      await w.focusEditor();
      await w.page.keyboard.press("Control+End");
      let verdicts: string[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
        verdicts = (await w.afterDecorations()).filter((t) => /^\d+(\.\d+)?(: |$)/.test(t));
        if (verdicts.length) break;
        await w.page.waitForEvent("requestfinished", { timeout: 500 }).catch(() => undefined);
      }
      assert.ok(verdicts.length > 0, "no reward/reason decorations on the rollout lines");
      log(`inline verdicts: ${verdicts.slice(0, 3).join(" | ")}`);
      await w.screenshot("05-rollouts-inline.png");
      // The "Inspect" CodeLens above each line carries the verdict too (the line's end can be far away),
      // and opens the inspector (a custom editor webview) on that rollout.
      await w.page.keyboard.press("Control+Home");
      const lens = w.page.locator(".contentWidgets .codelens-decoration a", { hasText: /^Inspect · \d/ }).first();
      await lens.waitFor({ state: "visible", timeout: 30_000 });
      log(`CodeLens: ${await lens.textContent()}`);
      await w.screenshot("05-rollouts-codelens.png");
      await lens.click();
      const insp = await w.webviewFrame(".row.grid-rows", 45_000);
      await insp.locator(".row.grid-rows").first().click();
      await insp.locator(".detail dl.meta").first().waitFor({ state: "visible", timeout: 20_000 });
    });
  });

  test("06 the preview parses and scores an output typed for a dataset sample", { timeout: 100_000 }, async () => {
    await scenario(() => session.wb, "06-preview", 90_000, async () => {
      const w = need(session.wb);
      // The sample on the cursor's line (ex-001: weather in Paris) fills the tools and the ground truth.
      await w.clearLayout();
      await w.openFile("data/train.tooln1.jsonl");
      await w.focusEditor();
      await w.page.keyboard.press("Control+Home");
      await w.runCommand("Tool-N1: Open Preview");
      const pv = await w.webviewFrame("#output-editor .monaco-editor", 45_000);
      await pv.locator("#output-editor .monaco-editor .view-lines").click();
      await w.page.keyboard.press("Control+A");
      await w.page.keyboard.insertText("<think>The user wants the current weather in Paris.</think>\n");
      await w.page.keyboard.insertText('<tool_call>[{"name": "get_current_weather", "arguments": {"city": "Paris"}}]</tool_call>');
      await pv.locator('#reward-binary[data-reward="1"]').waitFor({ state: "attached", timeout: 30_000 });
      await pv.locator("#calls", { hasText: "get_current_weather" }).waitFor({ state: "visible", timeout: 10_000 });
      await pv.locator("#reasoning", { hasText: "current weather in Paris" }).waitFor({ state: "visible", timeout: 10_000 });
      await w.screenshot("06-preview-scored.png");
      // A wrong argument value: parsed, scored 0, with the reason.
      await w.page.keyboard.press("Control+A");
      await w.page.keyboard.insertText('<think>Paris.</think>\n<tool_call>[{"name": "get_current_weather", "arguments": {"city": "London"}}]</tool_call>');
      await pv.locator('#reward-binary[data-reward="0"][data-reason="wrong_argument_value"]').waitFor({ state: "attached", timeout: 30_000 });
    });
  });

  test("07 an untrusted workspace refuses to train and says why", { timeout: 130_000 }, async () => {
    let untrusted: Workbench | undefined;
    const folder = copyExamples("untrusted-examples");
    try {
      await scenario(() => untrusted, "07-untrusted", 120_000, async () => {
        const w = await Workbench.open(session.browser, session.server, folder, { trust: false, holder: (x) => (untrusted = x) });
        await w.runCommand("Tool-N1: Train Tool-N1");
        const refusal = w.notification(/Training launches a process, which is disabled in an untrusted workspace/).first();
        await refusal.waitFor({ state: "visible", timeout: 30_000 });
        await refusal.hover(); // keeps the toast up (and waits for its animation) for the screenshot
      });
    } finally {
      await untrusted?.close().catch(() => undefined);
      rmSync(dirname(folder), { recursive: true, force: true });
    }
  });

  test("10 completion inside quotes; Inspect Rollouts from an untitled editor", { timeout: 100_000 }, async () => {
    await scenario(() => session.wb, "10-editor-edges", 90_000, async () => {
      const w = need(session.wb);
      await w.clearLayout();
      // "type": "num| inside the quotes offers number.
      writeFileSync(join(session.workspace, "tools", "quoted.tools.json"), '[{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {"a": {"type": "num"}}}}}]\n');
      await w.openFile("tools/quoted.tools.json");
      await w.focusEditor();
      await w.page.keyboard.press("Control+F");
      await w.page.keyboard.insertText('"num"');
      await w.page.keyboard.press("Enter");
      await w.page.keyboard.press("Escape");
      await w.page.keyboard.press("ArrowLeft"); // the cursor at the match's start: before the opening quote
      for (let i = 0; i < 4; i++) await w.page.keyboard.press("ArrowRight"); // "num|"
      await w.page.keyboard.press("Control+Space");
      const row = w.page.locator(".suggest-widget .monaco-list-row", { hasText: "number" }).first();
      await row.waitFor({ state: "visible", timeout: 30_000 });
      await w.screenshot("10-completion-in-quotes.png");
      await w.page.keyboard.press("Escape");
      // Inspect Rollouts with an untitled editor active: it offers the workspace's runs, not an error.
      await w.runCommand("View: Close All Editor Groups");
      await w.runCommand("File: New Untitled Text File");
      await w.runCommand("Tool-N1: Inspect Rollouts");
      // The workspace's runs (scenario 04 wrote one), or the file dialog when there are none.
      await w.page.locator(".quick-input-widget", { hasText: /Inspect Rollouts: which run\?|A rollout file or a run directory/ }).waitFor({ state: "visible", timeout: 20_000 });
      assert.equal(await w.notification(/does not exist/).count(), 0, "an error about the untitled document");
      await w.screenshot("10-inspect-from-untitled.png");
      await w.page.keyboard.press("Escape");
      await w.runCommand("View: Revert and Close Editor");
    });
  });

  test("08 Try Exported Model: the installed extension loads the exported tiny model and generates text", { timeout: 130_000 }, async () => {
    await scenario(() => session.wb, "08-try-model", 120_000, async () => {
      const w = need(session.wb);
      await w.clearLayout();
      await w.runCommand("Tool-N1: Try Exported Model...");
      // The folder picker: code-server's file dialog is a quick input that takes a path.
      const input = w.page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ state: "visible", timeout: 30_000 });
      await input.fill(onnxDir + "/");
      await w.page.locator(".quick-input-widget .monaco-button", { hasText: "Use this checkpoint" }).click();
      await input.waitFor({ state: "hidden", timeout: 15_000 });
      const pv = await w.webviewFrame("#checkpoint-label", 45_000);
      // The generation worker loads onnxruntime-node from the installed extension.
      const loaded = pv.locator('body[data-checkpoint="loaded"]');
      await loaded.waitFor({ state: "attached", timeout: 60_000 }).catch(async (e) => {
        throw new Error(`the checkpoint did not load: ${await pv.locator("#gen-error").textContent()}`, { cause: e });
      });
      // A previous sample's output with its own call: generating replaces it.
      await pv.locator("#output-editor .monaco-editor .view-lines").click();
      await w.page.keyboard.press("Control+A");
      await w.page.keyboard.insertText('<think>Previous sample.</think>\n<tool_call>[{"name": "previous_sample_tool", "arguments": {}}]</tool_call>');
      await pv.locator("#calls .call-name", { hasText: "previous_sample_tool" }).waitFor({ state: "visible", timeout: 30_000 });
      await pv.locator("#query").fill("What is the weather in Paris?");
      await pv.locator("#max-tokens").fill("24");
      // Sampled (the random tiny model's greedy choice is a newline, again and again).
      await pv.locator("#temperature").fill("1");
      await pv.locator("#seed").fill("7");
      await pv.locator("#generate").click();
      await pv.locator("body[data-gen-stop]").waitFor({ state: "attached", timeout: 60_000 });
      const stop = await pv.locator("body").getAttribute("data-gen-stop");
      assert.notEqual(stop, "error", `generation failed: ${await pv.locator("#gen-error").textContent()}`);
      const text = (await pv.locator("#output-editor .view-lines").textContent())?.replace(/\u00a0/g, " ").trim() ?? "";
      log(`generated (${stop}): ${JSON.stringify(text.slice(0, 80))}; ${await pv.locator("#gen-status").textContent()}`);
      assert.ok(text.length > 0, "no generated text in the output editor");
      await pv.locator("#gen-status", { hasText: /\d+ tokens/ }).waitFor({ state: "visible", timeout: 10_000 });
      // The streamed text alone built the generated text in the editor (nothing of the previous
      // sample before or after it), and the panels show that text: none of the previous sample's call.
      const body = pv.locator("body");
      assert.equal(await body.getAttribute("data-gen-streamed"), "true", "the streamed pieces did not build the generated text");
      const genLength = await body.getAttribute("data-gen-length");
      await pv.locator(`body[data-text-length="${genLength}"]`).waitFor({ state: "attached", timeout: 10_000 });
      assert.ok(Number(genLength) > 0);
      assert.doesNotMatch((await pv.locator("#calls").textContent()) ?? "", /previous_sample_tool/, "the tool-calls panel still shows the previous sample's call");
      assert.doesNotMatch((await pv.locator("#reasoning").textContent()) ?? "", /Previous sample/);
      assert.doesNotMatch(text, /previous_sample_tool|Previous sample/);
    });
  });
});

function need<T>(x: T | undefined): T {
  if (x === undefined) throw new Error("the window from scenario 01 is not open");
  return x;
}
