// The run dashboard in a real VS Code (code-server) during a live sft-then-grpo run: both phases,
// the evaluation row, then the same run after switching to a light theme. Saves
// test-output/e2e/dashboard-sft-grpo-{dark,light}.png (the README's screenshots come from here).
// Run by scripts/test-e2e.sh after the workbench scenarios.
import { test } from "node:test";
import assert from "node:assert/strict";
import { E2ESession, PYTHON, VSIX, type Workbench, log, scenario, waitForChange } from "./harness";

const session = new E2ESession(() => ({
  vsix: VSIX,
  name: "dashboard",
  machineSettings: { "tooln1.pythonPath": PYTHON },
  userSettings: { "tooln1.pythonPath": PYTHON, "workbench.colorTheme": "Default Dark Modern" },
}));

/** Runs a command whose own quick pick opens in the palette's box (so the box stays open). */
async function paletteCommand(w: Workbench, title: string): Promise<void> {
  await w.openPalette(title);
  await w.page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().click();
}

test("a live sft-then-grpo run: phases and evaluation on the dashboard, in a dark and a light theme", { timeout: 480_000 }, async () => {
  await scenario(() => session.wb, "dashboard-sft-grpo", 470_000, async () => {
    const w = await session.open();
    // the extension is up once its Runs view opens
    await w.showRunsView(60_000);
    // (the command's own quick pick follows at once in the same box: no wait for it to close)
    await paletteCommand(w, "Tool-N1: Train Tool-N1");
    await w.pickTrainingConfig("tiny-sft-grpo.tooln1.yaml", 30_000);
    await w.runCommand("Tool-N1: Open Run Dashboard");
    const dash = await w.webviewFrame(".chart[data-panel='reward']", 30_000);
    await w.runCommand("View: Close Primary Side Bar");
    await w.hidePanel();
    // SFT first (loss), then GRPO's rewards, with held-out evaluations on the way
    await dash.locator(".chart[data-panel='loss']:not([hidden])").waitFor({ state: "attached", timeout: 200_000 });
    // a dozen GRPO steps after SFT's 40, so both phases show
    let last = await waitForChange(dash, ".chart[data-panel='reward']", "data-x-max", "", 300_000);
    while (Number(last) < 52) last = await waitForChange(dash, ".chart[data-panel='reward']", "data-x-max", last, 120_000);
    await dash.locator(".chart[data-panel='eval-reward']:not([hidden])").waitFor({ state: "attached", timeout: 60_000 });
    assert.equal(await dash.locator(".chart[data-panel='loss']").getAttribute("data-phases"), "sft,grpo");
    assert.equal(await dash.locator(".chart[data-panel='gpu']").isVisible(), false, "no GPU on this run: no GPU chart");
    assert.match((await dash.locator("#not-recorded").textContent()) ?? "", /Not recorded in this run( yet)?: .*GPU memory/);
    assert.equal(await dash.locator("#phase").isEnabled(), true);
    await w.screenshot("dashboard-sft-grpo-dark.png");
    // a light theme, chosen as a user would: the dashboard follows without a reload
    const input = w.page.locator(".quick-input-widget .quick-input-box input");
    await paletteCommand(w, "Preferences: Color Theme");
    // the same box now lists the themes
    await w.page.locator(".quick-input-list .monaco-list-row", { hasText: "Dark Modern" }).first().waitFor({ state: "visible", timeout: 15_000 });
    await input.fill("Light Modern");
    const light = w.page.locator(".quick-input-list .monaco-list-row", { hasText: /^\s*Light Modern/ }).first();
    await light.waitFor({ state: "visible", timeout: 15_000 });
    await light.click();
    await input.waitFor({ state: "hidden", timeout: 15_000 });
    await dash.locator("body[data-theme*='vscode-light']").waitFor({ state: "attached", timeout: 60_000 });
    const now = (await dash.locator(".chart[data-panel='reward']").getAttribute("data-x-max")) ?? "";
    await waitForChange(dash, ".chart[data-panel='reward']", "data-x-max", now, 120_000);
    await w.screenshot("dashboard-sft-grpo-light.png");
    log("dashboard: dark and light screenshots saved");
    await w.runCommand("Tool-N1: Cancel Training Run");
    await w.answerDialog("Cancel Run"); // it asks first
    await dash.locator(".run.run-cancelled").first().waitFor({ state: "visible", timeout: 60_000 });
  });
});
