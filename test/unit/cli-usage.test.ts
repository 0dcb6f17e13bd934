/** The `tooln1` CLI's answers to wrong input (node dist/cli.js), and the README's examples. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const ROOT = join(__dirname, "..", "..", "..");
const CLI = join(ROOT, "dist", "cli.js");

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("tooln1 with no arguments prints usage to stderr and exits 2; --help exits 0", () => {
  const r = cli();
  assert.equal(r.code, 2);
  assert.match(r.err, /usage: tooln1 COMMAND/);
  assert.equal(r.out, "");
  assert.equal(cli("--help").code, 0);
});

test("a folder where a file is expected: the message names the path and says it is a folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "tooln1-cli-"));
  try {
    const s = cli("score", dir);
    assert.equal(s.code, 1);
    assert.match(s.err, new RegExp(`tooln1 score: ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is a directory`));
    assert.doesNotMatch(s.err, /at .*\.js:\d+/, "no stack trace");
    const c = cli("convert", "--from", "xlam", dir, join(dir, "out.jsonl"));
    assert.equal(c.code, 1);
    assert.match(c.err, /is a directory/i);
    assert.ok(c.err.includes(dir), "the message names the path");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("convert that keeps no sample exits 1 and names the format the input looks like", () => {
  const dir = mkdtempSync(join(tmpdir(), "tooln1-cli-"));
  try {
    // xLAM records read as ShareGPT keep nothing.
    const out = join(dir, "out.jsonl");
    const r = cli("convert", "--from", "sharegpt", join(ROOT, "examples", "data", "xlam-sample.json"), out);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /kept 0 samples/);
    assert.match(r.err, /no sample was kept from \d+ records; the input looks like --from xlam/);
    // The right format keeps them and exits 0.
    assert.equal(cli("convert", "--from", "xlam", join(ROOT, "examples", "data", "xlam-sample.json"), out).code, 0);
    // Nothing recognisable at all: no guess, but the formats are listed.
    writeFileSync(join(dir, "odd.jsonl"), '{"x": 1}\n{"y": 2}\n');
    const odd = cli("convert", "--from", "xlam", join(dir, "odd.jsonl"), out);
    assert.equal(odd.code, 1);
    assert.match(odd.err, /check --from \(one of /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's command lines name files that exist (or that an earlier line creates)", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const created = new Set<string>();
  const missing: string[] = [];
  for (const line of blocks.join("\n").split("\n")) {
    const cmd = line.replace(/#.*$/, "").trim().split(/\s+/);
    for (let i = 0; i < cmd.length; i++) {
      const t = cmd[i].replace(/\/$/, "");
      if (!/^(examples|runs|docs|trainer|bench)\//.test(cmd[i]) && t !== "examples") continue;
      if (["--out", "--run-dir"].includes(cmd[i - 1])) created.add(t);
      else if (!existsSync(join(ROOT, t)) && !created.has(t)) missing.push(`${t} (in: ${line.trim()})`);
    }
  }
  assert.deepEqual(missing, []);
});
