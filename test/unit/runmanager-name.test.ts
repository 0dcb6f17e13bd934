// One naming scheme for run directories, the same as tooln1/train.py's run_dir_name (trainer/tests/test_events.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runDirName } from "../../src/training/runManager";

test("a run directory is named <UTC time>-<config stem>", () => {
  const now = new Date(1764083045000);
  assert.equal(runDirName("examples/train/tiny-grpo.yaml", now), "20251125-150405-tiny-grpo");
  assert.equal(runDirName("a b/my cfg.tooln1.json", now), "20251125-150405-my-cfg");
});
