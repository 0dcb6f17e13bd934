// "Evaluate Checkpoint on BFCL" in a real VS Code (code-server) with the built .vsix installed,
// driven by headless Chromium: the tiny model is evaluated by BFCL's own checker in the background,
// the results view shows its Table 2 row and failures, a failure opens in the rollout inspector, and
// a second evaluation is cancelled. Needs the BFCL environment (make venv-bfcl). Run by
// scripts/test-e2e.sh; alone: node --test out/test/e2e/evaluation.test.js (after packaging).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { E2ESession, PYTHON, ROOT, VSIX, type Workbench, log, scenario } from "./harness";
const BFCL_PYTHON = process.env.TOOLN1_BFCL_PYTHON ?? join(ROOT, ".venv-bfcl", "bin", "python");

describe("Evaluate Checkpoint on BFCL in code-server", { concurrency: 1 }, () => {
  const session = new E2ESession(() => {
    assert.ok(existsSync(BFCL_PYTHON), `no BFCL environment at ${BFCL_PYTHON} (make venv-bfcl)`);
    const settings = { "tooln1.pythonPath": PYTHON, "tooln1.bfcl.pythonPath": BFCL_PYTHON, "tooln1.evaluation.maxNewTokens": 16 };
    return { vsix: VSIX, machineSettings: settings, userSettings: settings };
  });

  async function startEvaluation(w: Workbench, limit: string): Promise<void> {
    await w.runCommand("Tool-N1: Evaluate Checkpoint on BFCL...");
    const model = w.page.locator(".quick-input-list .monaco-list-row", { hasText: "tiny-model" }).first();
    await model.waitFor({ state: "visible", timeout: 30_000 });
    await model.click();
    // Categories: a multi-select with BFCL's default set picked; keep it.
    await w.page.locator(".quick-input-list .monaco-list-row", { hasText: "live_relevance" }).first().waitFor({ state: "visible", timeout: 20_000 });
    await w.page.keyboard.press("Enter");
    // Questions per category.
    await w.page.locator(".quick-input-widget .quick-input-title", { hasText: "Questions per category" }).waitFor({ state: "visible", timeout: 20_000 });
    await w.page.keyboard.press("Control+A");
    await w.page.keyboard.insertText(limit);
    await w.page.keyboard.press("Enter");
  }

  test("01 evaluate the tiny model: Table 2 row, per-category table, a failure opens in the inspector", { timeout: 420_000 }, async () => {
    await scenario(() => session.wb, "eval-01-evaluate", 410_000, async () => {
      const w = await session.open();
      await startEvaluation(w, "1");
      await w.notification(/BFCL evaluation of tiny-model/).first().waitFor({ state: "visible", timeout: 60_000 });
      // The results view opens at once; the row appears when BFCL's checker has scored the outputs.
      const view = await w.webviewFrame("#evaluate", 60_000);
      await w.notification(/BFCL overall \d+\.\d\d% for tiny-model/).first().waitFor({ state: "visible", timeout: 360_000 });
      const row = view.locator("tr.eval").first();
      await row.waitFor({ state: "visible", timeout: 30_000 });
      const cells = await row.locator("td").allTextContents();
      log(`Table 2 row: ${cells.join(" | ")}`);
      assert.match(cells[0], /tiny-model/);
      // Default categories, one question each: five categories in the per-category table.
      const cats = await view.locator("table.categories tr[data-category]").evaluateAll((trs) => trs.map((t) => t.getAttribute("data-category")));
      assert.deepEqual(cats, ["simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance"]);
      // What the view shows is what the trainer wrote.
      const root = join(session.workspace, "runs", "bfcl");
      const dirs = readdirSync(root);
      assert.equal(dirs.length, 1);
      const scores = JSON.parse(readFileSync(join(root, dirs[0], "scores.json"), "utf8")) as { categories: Record<string, { total: number }> };
      assert.deepEqual(Object.values(scores.categories).map((c) => c.total), [1, 1, 1, 1, 1]);
      await w.screenshot("eval-01-results.png");
      // A random tiny model fails the AST categories: each failure opens in the inspector.
      const failure = view.locator("li.failure").first();
      await failure.waitFor({ state: "visible", timeout: 10_000 });
      await failure.click();
      const insp = await w.webviewFrame(".detail dl.meta", 60_000);
      await insp.locator(".detail dl.meta").first().waitFor({ state: "visible", timeout: 20_000 });
    });
  });

  test("02 a running evaluation is cancelled from the results view", { timeout: 240_000 }, async () => {
    await scenario(() => session.wb, "eval-02-cancel", 230_000, async () => {
      const w = session.wb!;
      await w.runCommand("View: Close All Editor Groups");
      await startEvaluation(w, "");
      const view = await w.webviewFrame("#evaluate", 60_000);
      await view.locator("#running").waitFor({ state: "visible", timeout: 60_000 });
      await view.locator("button", { hasText: "Cancel" }).click();
      await w.notification(/BFCL evaluation cancelled/).first().waitFor({ state: "visible", timeout: 60_000 });
      await view.locator("#running").waitFor({ state: "detached", timeout: 30_000 });
      // Only the finished evaluation has scores.
      const root = join(session.workspace, "runs", "bfcl");
      assert.equal(readdirSync(root).filter((d) => existsSync(join(root, d, "scores.json"))).length, 1);
    });
  });
});
