/**
 * `node dist/cli.js convert` runs the Python trainer's importers (the one implementation; their tests
 * are trainer/tests/test_importers.py): same bytes as `python -m tooln1 convert`, and a clear error
 * when no interpreter with the trainer can be found.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const CLI = join(ROOT, "dist", "cli.js");
const PY = process.env.TOOLN1_PYTHON ?? join(ROOT, ".venv", "bin", "python");
const env = { ...process.env, TOOLN1_PYTHON: PY, PYTHONPATH: join(ROOT, "trainer", "src") };

test("node dist/cli.js convert delegates to python -m tooln1 convert: same file, report and exit code", () => {
  const dir = mkdtempSync(join(tmpdir(), "tooln1-convert-"));
  const input = join(ROOT, "test", "fixtures", "real", "toolace-sharegpt.json");
  const viaNode = spawnSync(process.execPath, [CLI, "convert", "--from", "sharegpt", input, join(dir, "a.jsonl")], { encoding: "utf8", env });
  const viaPy = spawnSync(PY, ["-m", "tooln1", "convert", "--from", "sharegpt", input, join(dir, "b.jsonl")], { encoding: "utf8", env, cwd: ROOT });
  assert.equal(viaNode.status, 0, viaNode.stderr);
  assert.equal(viaNode.status, viaPy.status);
  assert.equal(readFileSync(join(dir, "a.jsonl"), "utf8"), readFileSync(join(dir, "b.jsonl"), "utf8"));
  assert.equal(viaNode.stderr.replace("a.jsonl", "X"), viaPy.stderr.replace("b.jsonl", "X"));
  assert.match(viaNode.stderr, /kept [1-9]\d* samples/);
});

test("convert: usage errors come from the Python command; a missing interpreter says what to do", () => {
  const bad = spawnSync(process.execPath, [CLI, "convert", "--from", "nope", "a", "b"], { encoding: "utf8", env });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /invalid choice: 'nope'/);
  const none = spawnSync(process.execPath, [CLI, "convert", "--from", "xlam", "a", "b"], { encoding: "utf8", env: { ...env, TOOLN1_PYTHON: join(ROOT, "no-such-python") } });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /cannot run .*no-such-python.*TOOLN1_PYTHON/);
});
