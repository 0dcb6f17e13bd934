// "Set up Training Environment" for real, from the installed .vsix in code-server: a virtual
// environment in the extension's storage, `pip install <trainer>[train]` with pip's progress in the
// notification, the trainer's import check; then "Train Tool-N1" runs with that environment. Offline:
// pip installs from a wheelhouse packed from this checkout's .venv (scripts/wheelhouse-from-venv.py,
// cached per machine), through the ordinary PIP_NO_INDEX / PIP_FIND_LINKS settings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { E2ESession, PYTHON, ROOT, VSIX, log, scenario, waitForChange } from "./harness";

/** Wheels of what `tooln1[train]` needs, packed once per machine from the .venv's installed versions. */
function wheelhouse(): string {
  const freeze = spawnSync(PYTHON, ["-m", "pip", "freeze", "--exclude-editable"], { encoding: "utf8" });
  if (freeze.status !== 0) throw new Error(`pip freeze failed: ${freeze.stderr}`);
  const pins = freeze.stdout.split("\n").filter((l) => l && !/^tooln1\b/i.test(l)).join("\n"); // the trainer itself is installed from the .vsix
  const key = createHash("sha256").update(pins).update(readFileSync(join(ROOT, "scripts", "wheelhouse-from-venv.py"))).digest("hex").slice(0, 12);
  const dir = join(process.env.TOOLN1_E2E_CACHE ?? join(homedir(), ".cache", "tooln1-e2e"), `wheelhouse-${key}`);
  if (!existsSync(join(dir, ".complete"))) {
    mkdirSync(dir, { recursive: true });
    log(`packing a wheelhouse from ${PYTHON}'s environment into ${dir} (once per machine)`);
    const r = spawnSync(PYTHON, [join(ROOT, "scripts", "wheelhouse-from-venv.py"), dir], { encoding: "utf8", timeout: 600_000 });
    if (r.status !== 0) throw new Error(`wheelhouse-from-venv.py failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    writeFileSync(join(dir, ".complete"), "");
  }
  return dir;
}

const session = new E2ESession(() => ({
  vsix: VSIX,
  name: "code-server-setup-env",
  // No tooln1.pythonPath: the interpreter is the one "Set up Training Environment" makes.
  env: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheelhouse(), PIP_DISABLE_PIP_VERSION_CHECK: "1" },
}));

test("Set up Training Environment installs the trainer with TRL, showing pip's progress; Train Tool-N1 then runs with it", { timeout: 1_200_000 }, async () => {
  await scenario(() => session.wb, "09-setup-environment", 1_150_000, async () => {
    const w = await session.open();
    await w.runCommand("Tool-N1: Set up Training Environment");
    // pip's own steps show in the progress notification as they happen.
    const progress = w.notification(/setting up the training environment/);
    await progress.first().waitFor({ state: "visible", timeout: 60_000 });
    await w.notification(/collecting \S+ \(\d+ packages so far\)|installing \d+ packages/).first().waitFor({ state: "visible", timeout: 300_000 });
    await w.screenshot("09-setup-environment-progress.png");
    const seen = (await progress.first().textContent()) ?? "";
    log(`progress: ${seen.slice(0, 160)}`);
    await w.notification(/training environment ready/).first().waitFor({ state: "visible", timeout: 900_000 });
    // The environment has TRL (the [train] extra), in the extension's global storage.
    const storage = join(session.server.userDataDir, "User", "globalStorage");
    const venvs = readdirSync(storage)
      .map((d) => join(storage, d, "venv", "bin", "python"))
      .filter((p) => existsSync(p));
    assert.equal(venvs.length, 1, "one managed environment in the extension's storage");
    const check = spawnSync(venvs[0], ["-c", "import tooln1, trl, torch; print(trl.__version__)"], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
    // Train Tool-N1 now finds that environment and starts a run.
    await w.runCommand("Tool-N1: Train Tool-N1");
    await w.pickTrainingConfig("tiny-e2e.tooln1.yaml", 60_000);
    // ... with the managed environment (the extension's log says which interpreter and why).
    await w.runCommand("Tool-N1: Show Extension Log");
    await w.page.locator(".output-view, .panel .monaco-editor", { hasText: "the environment from Set up Training Environment" }).first().waitFor({ state: "visible", timeout: 30_000 });
    await w.runCommand("Tool-N1: Open Run Dashboard");
    const dash = await w.webviewFrame('.chart[data-panel="reward"]', 60_000);
    const points = await waitForChange(dash, '.chart[data-panel="reward"]', "data-points", "0", 300_000);
    log(`the run trained with the managed environment: ${points} reward points`);
    await w.runCommand("Tool-N1: Cancel Training Run");
    await w.answerDialog("Cancel Run");
  });
});
