/**
 * `tooln1 check` on 20,000 BFCL-derived samples, side by side with vscode-json-languageservice.
 *
 * Data: every BFCL category with a possible-answer file (bfcl-eval 2026.3.23, `bfcl_eval/data`),
 * converted by `python -m tooln1 convert --from bfcl`, repeated with fresh ids to 20,000 lines
 * ($TMPDIR/tooln1-bench/bfcl-20000.jsonl, built once). BFCL's data come from $BFCL_EVAL_DIR (a
 * folder holding `bfcl_eval/`), else the wheel is fetched with `pip download` into $TMPDIR.
 *
 * Ours: the whole process, `node dist/cli.js check FILE --json` (start-up and reading included).
 * Baseline: vscode-json-languageservice `parseJSONDocument` + `doValidation` of the same samples as
 * one JSON array against a structural schema of a BFCL sample (tools' parameters validated as
 * schemas), timed inside a warm long-lived process: start-up and reading excluded. The two run in
 * turn (a warm-up each, then 5 pairs) so both see the same machine load; the ratio is taken pair by
 * pair. Wall and CPU seconds (medians), the ratios' range, and the machine's load before and after.
 * Writes bench/results/check-bfcl.json.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { getLanguageService } from "vscode-json-languageservice";
import { ROOT, load, median, pkgVersion as pkg, sampleListSchema, timeNodeProcess, type Timing } from "./common";

const CLI = join(ROOT, "dist", "cli.js");
const DIR = join(tmpdir(), "tooln1-bench");
const LINES = 20_000;
const RUNS = 5;
const PY = process.env.TOOLN1_PYTHON ?? join(ROOT, ".venv", "bin", "python");
const BFCL_VERSION = "2026.3.23";

const SCHEMA = sampleListSchema({
  tool: { type: "object", required: ["name", "parameters"], properties: { name: { type: "string", pattern: "^[a-zA-Z0-9_.-]{1,64}$" }, description: { type: "string" }, parameters: { $ref: "#/definitions/schema" } } },
  schema: {
    type: "object",
    properties: {
      type: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
      description: { type: "string" },
      properties: { type: "object", additionalProperties: { $ref: "#/definitions/schema" } },
      required: { type: "array", items: { type: "string" }, uniqueItems: true },
      enum: { type: "array", minItems: 1 },
      items: { $ref: "#/definitions/schema" },
      minimum: { type: "number" },
      maximum: { type: "number" },
      default: {},
    },
  },
});


function bfclDataDir(): string {
  const given = process.env.BFCL_EVAL_DIR;
  if (given && existsSync(join(given, "bfcl_eval", "data"))) return join(given, "bfcl_eval", "data");
  const dir = join(DIR, `bfcl-eval-${BFCL_VERSION}`);
  if (!existsSync(join(dir, "bfcl_eval", "data"))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(PY, ["-m", "pip", "download", "-q", "--no-deps", "-d", dir, `bfcl-eval==${BFCL_VERSION}`], { stdio: "inherit" });
    const wheel = readdirSync(dir).find((f) => f.endsWith(".whl"));
    if (!wheel) throw new Error("pip download gave no wheel");
    execFileSync(PY, ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", join(dir, wheel), dir]);
  }
  return join(dir, "bfcl_eval", "data");
}

/** 20,000 canonical samples converted from BFCL by the importer, repeated with fresh ids. */
function dataset(): { path: string; distinct: number } {
  const path = join(DIR, `bfcl-${LINES}.jsonl`);
  const meta = path + ".meta.json";
  if (existsSync(path) && existsSync(meta)) return { path, distinct: (JSON.parse(readFileSync(meta, "utf8")) as { distinct: number }).distinct };
  mkdirSync(DIR, { recursive: true });
  const data = bfclDataDir();
  const samples: string[] = [];
  for (const f of readdirSync(join(data, "possible_answer")).sort()) {
    const out = join(DIR, `bfcl-${f}l`);
    spawnSync(PY, ["-m", "tooln1", "convert", "--from", "bfcl", "--answers", join(data, "possible_answer", f), join(data, f), out], { stdio: "ignore", env: { ...process.env, PYTHONPATH: join(ROOT, "trainer", "src") } });
    if (existsSync(out)) samples.push(...readFileSync(out, "utf8").split("\n").filter((l) => l.trim()));
  }
  if (samples.length < 1000) throw new Error(`only ${samples.length} BFCL samples converted`);
  const lines: string[] = [];
  for (let k = 0; lines.length < LINES; k++) {
    for (const s of samples) {
      if (lines.length >= LINES) break;
      const v = JSON.parse(s) as { id: string };
      v.id = `${v.id}~${k}`;
      lines.push(JSON.stringify(v));
    }
  }
  writeFileSync(path, lines.join("\n") + "\n");
  writeFileSync(meta, JSON.stringify({ distinct: samples.length }));
  return { path, distinct: samples.length };
}

/** One whole `tooln1 check` process: wall time from here, CPU time and peak RSS from its own accounting. */
function oursOnce(path: string): Timing {
  const r = timeNodeProcess([CLI, "check", path, "--json"], DIR);
  if (r.status !== 0 && r.status !== 1) throw new Error(`tooln1 check exited ${r.status}`);
  return { wallS: r.wallS, cpuS: r.cpuS, peakMiB: +r.peakMiB.toFixed(1) };
}

/**
 * The baseline in its own long-lived process (`--baseline PATH`): it reads the samples and sets up the
 * language service once, then times one `parseJSONDocument` + `doValidation` per line it is sent, so
 * its runs stay warm and alternate with ours under the same machine load.
 */
class BaselineProcess {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  constructor(path: string) {
    this.child = spawn(process.execPath, [__filename, "--baseline", path], { stdio: ["pipe", "pipe", "inherit"] });
    this.lines = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }
  async next<T>(): Promise<T> {
    const r = await this.lines.next();
    if (r.done) throw new Error("the baseline process ended early");
    return JSON.parse(r.value) as T;
  }
  async run(): Promise<Timing & { diagnostics: number }> {
    this.child.stdin!.write("run\n");
    return this.next();
  }
  close(): void {
    this.child.stdin!.end();
  }
}

async function baselineServer(path: string): Promise<void> {
  const text = "[\n" + readFileSync(path, "utf8").split("\n").filter((l) => l.trim()).join(",\n") + "\n]";
  const ls = getLanguageService({});
  ls.configure({ validate: true, allowComments: false, schemas: [{ uri: "file:///tooln1/bfcl-sample-list.schema.json", fileMatch: ["*.json"], schema: SCHEMA }] });
  const probe = TextDocument.create("file:///bench/probe.json", "json", 1, '[{"tools": [{"name": "a b", "parameters": {"required": 5}}], "messages": [], "answer": []}]');
  const probeDiags = await ls.doValidation(probe, ls.parseJSONDocument(probe), { schemaValidation: "error" });
  if (probeDiags.length < 3) throw new Error(`baseline schema not applied: ${JSON.stringify(probeDiags)}`);
  process.stdout.write(JSON.stringify({ ready: true }) + "\n");
  let i = 0;
  for await (const _ of createInterface({ input: process.stdin })) {
    const doc = TextDocument.create(`file:///bench/bfcl-${i++}.json`, "json", 1, text);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const diags = await ls.doValidation(doc, ls.parseJSONDocument(doc), { schemaValidation: "error" });
    const c = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6, diagnostics: diags.length }) + "\n");
  }
}

/** Ours and the baseline in turn (A B A B ...), one warm-up each, then RUNS pairs; ratios pair by pair. */
async function sideBySide(path: string): Promise<{ ours: Timing[]; base: Timing[]; problems: number; diagnostics: number }> {
  const problems = spawnSync(process.execPath, [CLI, "check", path, "--json"], { encoding: "utf8", maxBuffer: 1 << 30 }).stdout.split("\n").filter(Boolean).length;
  const b = new BaselineProcess(path);
  try {
    await b.next();
    oursOnce(path);
    await b.run();
    const ours: Timing[] = [];
    const base: Timing[] = [];
    let diagnostics = 0;
    for (let i = 0; i < RUNS; i++) {
      ours.push(oursOnce(path));
      const r = await b.run();
      diagnostics = r.diagnostics;
      base.push({ wallS: r.wallS, cpuS: r.cpuS });
    }
    return { ours, base, problems, diagnostics };
  } finally {
    b.close();
  }
}

async function main(): Promise<void> {
  const { path, distinct } = dataset();
  const loadBefore = load();
  const r = await sideBySide(path);
  const loadAfter = load();
  const ratios = r.ours.map((o, i) => r.base[i].wallS / o.wallS);
  const cpuRatios = r.ours.map((o, i) => r.base[i].cpuS / o.cpuS);
  const med = (ts: Timing[], k: "wallS" | "cpuS") => +median(ts.map((t) => t[k])).toFixed(3);
  const result = {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version, loadAvgBefore: loadBefore, loadAvgAfter: loadAfter, note: "shared machine: wall time stretches with other load (load averages 1/5/15 min above), CPU time much less; the two sides run in turn so both see the same load" },
    dataset: { lines: LINES, distinctSamples: distinct, source: `bfcl-eval ${BFCL_VERSION}: every category with a possible_answer file, converted by python -m tooln1 convert --from bfcl, repeated with fresh ids`, bytes: readFileSync(path).length },
    method: `one warm-up each, then ${RUNS} pairs in turn (ours, baseline, ours, ...); ratios are baseline / ours pair by pair, the median quoted`,
    ours: { what: "node dist/cli.js check FILE --json, the whole process (start-up and reading included); wall from the parent, CPU and peak RSS from process.resourceUsage()", medianWallS: med(r.ours, "wallS"), medianCpuS: med(r.ours, "cpuS"), peakMiB: median(r.ours.map((o) => o.peakMiB ?? 0)), problems: r.problems, runs: r.ours },
    baseline: { what: `vscode-json-languageservice ${pkg("vscode-json-languageservice")} parseJSONDocument + doValidation of the same samples as one JSON array against a structural BFCL-sample schema, in a warm long-lived process (start-up and reading excluded)`, medianWallS: med(r.base, "wallS"), medianCpuS: med(r.base, "cpuS"), diagnostics: r.diagnostics, runs: r.base },
    ratio: +median(ratios).toFixed(2),
    ratioRange: [+Math.min(...ratios).toFixed(2), +Math.max(...ratios).toFixed(2)],
    cpuRatio: +median(cpuRatios).toFixed(2),
    target: 5,
  };
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(join(ROOT, "bench", "results", "check-bfcl.json"), JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(JSON.stringify({ oursWallS: result.ours.medianWallS, oursCpuS: result.ours.medianCpuS, baseWallS: result.baseline.medianWallS, baseCpuS: result.baseline.medianCpuS, ratio: result.ratio, ratioRange: result.ratioRange, cpuRatio: result.cpuRatio, load: loadAfter }) + "\n");
}

const baselineAt = process.argv.indexOf("--baseline");
(baselineAt >= 0 ? baselineServer(process.argv[baselineAt + 1]) : main()).catch((e: unknown) => {
  process.stderr.write(`check-bfcl.bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
