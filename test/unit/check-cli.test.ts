/** `tooln1 check` end to end (node dist/cli.js check), and the streaming line reader under it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync, rmSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { readLines, type Line } from "../../src/node/lineReader";
import { DEFAULT_DATASET_GLOBS, DEFAULT_SCHEMA_GLOBS, globToRegExp } from "../../src/cli/check";

const ROOT = join(__dirname, "..", "..", "..");
const CLI = join(ROOT, "dist", "cli.js");
const FIX = join(ROOT, "test", "fixtures", "ls");

function check(...args: string[]) {
  return checkEnv({}, ...args);
}
function checkEnv(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, "check", ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("clean files exit 0 with a summary on stderr", () => {
  const r = check(join(FIX, "valid.jsonl"), join(FIX, "weather.tools.json"));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "");
  assert.match(r.err, /2 files, \d+ lines: 0 errors, 0 warnings/);
});

test("--json: one problem per line, 1-based, exit 1 on errors", () => {
  const r = check(join(FIX, "problems.jsonl"), "--json");
  assert.equal(r.code, 1);
  const rows = r.out.trim().split("\n").map((l) => JSON.parse(l));
  for (const row of rows) {
    assert.deepEqual(Object.keys(row), ["file", "line", "column", "endLine", "endColumn", "severity", "code", "message"]);
    assert.ok(["error", "warning", "information", "hint"].includes(row.severity));
    assert.ok(row.line >= 1 && row.column >= 1);
  }
  const unk = rows.find((x) => x.code === "unknown_tool");
  assert.equal(unk.line, 3);
  const text = readFileSync(join(FIX, "problems.jsonl"), "utf8").split("\n")[2];
  assert.equal(text.slice(unk.column - 1, unk.endColumn - 1), '"get_wether"');
  assert.ok(rows.some((x) => x.code === "json_syntax" && x.line === 2));
  assert.ok(rows.some((x) => x.code === "duplicate_sample_id" && x.line === 6));
  assert.match(r.err, /1 file, 10 lines: \d+ errors/);
});

test("schema files: positions across lines; --as overrides the kind; text output", () => {
  const r = check(join(FIX, "problems.tools.json"), "--json");
  assert.equal(r.code, 1);
  const rows = r.out.trim().split("\n").map((l) => JSON.parse(l));
  const name = rows.find((x) => x.code === "illegal_tool_name");
  assert.equal(name.line, 4);
  const lines = readFileSync(join(FIX, "problems.tools.json"), "utf8").split("\n");
  assert.equal(lines[name.line - 1].slice(name.column - 1, name.endColumn - 1), '"get weather"');

  const dir = mkdtempSync(join(tmpdir(), "tooln1-check-"));
  try {
    const p = join(dir, "samples.txt");
    writeFileSync(p, readFileSync(join(FIX, "problems.jsonl")));
    const asDataset = check(p, "--as", "dataset");
    assert.equal(asDataset.code, 1);
    assert.match(asDataset.out, new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:\\d+: error unknown_tool: `, "m"));
    const warnOnly = join(dir, "w.tools.json");
    writeFileSync(warnOnly, JSON.stringify({ name: "t", description: "d", parameters: { type: "object", properties: {} } }));
    const w = check(warnOnly);
    assert.equal(w.code, 0, "warnings alone do not fail");
    assert.match(w.out, /warning single_tool/);
    // A folder: *.jsonl and *.tools.json inside.
    const f = check(dir, "--json");
    assert.ok(f.out.includes("w.tools.json"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(check().code, 2);
  assert.equal(check("--as", "yaml", "x").code, 2);
  assert.equal(check(join(FIX, "nope.jsonl")).code, 1);
});

test("--jobs 2 splits a dataset across processes and gives the same answers, duplicate ids across the split included", () => {
  const dir = mkdtempSync(join(tmpdir(), "tooln1-jobs-"));
  try {
    const p = join(dir, "d.jsonl");
    const lines = readFileSync(join(FIX, "problems.jsonl"), "utf8").trimEnd().split("\n");
    const many: string[] = [];
    for (let i = 0; i < 200; i++) many.push(lines[i % lines.length]);
    writeFileSync(p, many.join("\n") + "\n");
    const env = { TOOLN1_CHECK_PARALLEL_MIN_BYTES: "1" };
    const seq = checkEnv(env, p, "--json", "--jobs", "1");
    const par = checkEnv(env, p, "--json", "--jobs", "2");
    assert.equal(par.code, seq.code);
    assert.equal(par.out, seq.out);
    assert.ok(seq.out.split("\n").filter((l) => l.includes("duplicate_sample_id")).length > 100);
    assert.equal(par.err.replace(/\(.*\)/, ""), seq.err.replace(/\(.*\)/, ""));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function collect(path: string, opts = {}): Promise<Line[]> {
  const out: Line[] = [];
  for await (const l of readLines(path, opts)) out.push(l);
  return out;
}

test("line reader: byte offsets, CRLF, BOM, no final newline, lines across chunks, over-long lines", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tooln1-lines-"));
  try {
    const p = join(dir, "a.jsonl");
    const text = "\ufeffab\r\nçé😀\n\nlast";
    writeFileSync(p, text);
    for (const chunkBytes of [1, 2, 3, 7, 1024]) {
      const lines = await collect(p, { chunkBytes });
      assert.deepEqual(lines.map((l) => l.text), ["ab", "çé😀", "", "last"], `chunk ${chunkBytes}`);
      assert.deepEqual(lines.map((l) => l.byteOffset), [3, 7, 16, 17]);
      assert.deepEqual(lines.map((l) => l.line), [0, 1, 2, 3]);
    }
    const q = join(dir, "b.jsonl");
    writeFileSync(q, "x".repeat(100) + "\nshort\n" + "y".repeat(50));
    const lines = await collect(q, { chunkBytes: 16, maxLineBytes: 40 });
    assert.equal(lines[0].tooLong, true);
    assert.equal(lines[0].byteLength, 100);
    assert.equal(lines[1].text, "short");
    assert.equal(lines[1].byteOffset, 101);
    assert.equal(lines[2].tooLong, true);
    assert.equal(lines[2].byteLength, 50);
    const e = join(dir, "empty.jsonl");
    writeFileSync(e, "");
    assert.deepEqual(await collect(e), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bytes that are not UTF-8 are an error at their file and line (the trainer refuses them)", () => {
  const dir = mkdtempSync(join(tmpdir(), "check-utf8-"));
  try {
    const good = readFileSync(join(FIX, "valid.jsonl"), "utf8").split("\n").filter((l) => l.trim());
    const bad = Buffer.from(good[1].replace(/"([^"]*)"\s*:\s*"([^"]+)"/, '"$1": "\u0000$2"'));
    const at = bad.indexOf(0);
    bad[at] = 0xff; // one byte that is not UTF-8, inside a string value
    const data = join(dir, "data.jsonl");
    writeFileSync(data, Buffer.concat([Buffer.from(good[0] + "\n"), bad, Buffer.from("\n" + good[2] + "\n")]));
    const tools = join(dir, "bad.tools.json");
    writeFileSync(tools, Buffer.concat([Buffer.from('[\n  {"name": "f",\n   "description": "'), Buffer.from([0xc3, 0x28]), Buffer.from('", "parameters": {"type": "object"}}\n]\n')]));
    const r = check(data, tools, "--json");
    assert.equal(r.code, 1, r.err);
    const rows = r.out.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      rows.filter((x) => x.code === "invalid_utf8").map((x) => [x.file, x.line, x.severity]),
      [
        [data, 2, "error"],
        [tools, 3, "error"],
      ],
    );
    assert.ok(!rows.some((x) => x.file === data && x.line !== 2), "the other lines are fine");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("CR-only line endings: one line (as the trainer reads it), reported as one bad line", () => {
  const dir = mkdtempSync(join(tmpdir(), "check-cr-"));
  try {
    const good = readFileSync(join(FIX, "valid.jsonl"), "utf8").split("\n").filter((l) => l.trim());
    const data = join(dir, "cr.jsonl");
    writeFileSync(data, good.slice(0, 3).join("\r") + "\r");
    const r = check(data, "--json");
    assert.equal(r.code, 1);
    const rows = r.out.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual([...new Set(rows.map((x) => x.line))], [1]);
    assert.match(r.err, /1 file, 1 lines?:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a folder: datasets by the editor's globs or first record; a run's events, rollouts and completions are skipped and counted", () => {
  const dir = mkdtempSync(join(tmpdir(), "tooln1-check-dir-"));
  try {
    const sample = readFileSync(join(FIX, "valid.jsonl"), "utf8");
    mkdirSync(join(dir, "data"), { recursive: true });
    mkdirSync(join(dir, "runs", "r1", "rollouts"), { recursive: true });
    mkdirSync(join(dir, "elsewhere"), { recursive: true });
    writeFileSync(join(dir, "data", "train.jsonl"), sample);
    writeFileSync(join(dir, "elsewhere", "mixed.jsonl"), sample); // no glob matches, but it holds samples
    writeFileSync(join(dir, "runs", "r1", "events.jsonl"), '{"v":1,"type":"run_started","time":"2026-01-01T00:00:00Z"}\n');
    writeFileSync(join(dir, "runs", "r1", "rollouts", "step-00001.jsonl"), '{"v":1,"step":1,"prompt_id":"a","group_index":0,"completion":"x","ground_truth":[],"reward":0,"details":{}}\n');
    writeFileSync(join(dir, "completions.jsonl"), '{"completion":"<tool_call>[]</tool_call>","answer":[]}\n');
    const r = check(dir, "--json");
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.out, "", "no problems: only the datasets were checked");
    assert.match(r.err, /tooln1 check: 2 files,/);
    assert.match(r.err, /skipped 3 \.jsonl files that are not datasets/);
    assert.match(r.err, /events\.jsonl/);
    // --datasets replaces the globs; a file named on the command line is always checked.
    const only = check(dir, "--datasets", "data/*.jsonl");
    assert.match(only.err, /tooln1 check: 2 files,/); // data/train.jsonl, and elsewhere/mixed.jsonl by its first record
    const named = check(join(dir, "runs", "r1", "events.jsonl"));
    assert.equal(named.code, 1, "a file named explicitly is checked as a dataset");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the CLI's default dataset and schema globs are the editor's", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const props = pkg.contributes.configuration.properties ?? pkg.contributes.configuration[0]?.properties;
  assert.deepEqual(props["tooln1.datasetFiles"].default, DEFAULT_DATASET_GLOBS);
  assert.deepEqual(props["tooln1.schemaFiles"].default, DEFAULT_SCHEMA_GLOBS);
  assert.ok(globToRegExp("**/data/**/*.jsonl").test("data/a.jsonl"));
  assert.ok(globToRegExp("**/data/**/*.jsonl").test("x/data/y/a.jsonl"));
  assert.ok(!globToRegExp("**/data/**/*.jsonl").test("runs/r/events.jsonl"));
  assert.ok(globToRegExp("**/*.{tools,schema}.json").test("a/b.schema.json"));
});
