/**
 * `tooln1 check` on 20,000 BFCL-derived samples, side by side with vscode-json-languageservice.
 *
 * Data: every BFCL category with a possible-answer file (bfcl-eval 2026.3.23, `bfcl_eval/data`),
 * converted by `python -m tooln1 convert --from bfcl`, repeated with fresh ids to 20,000 lines
 * ($TMPDIR/tooln1-bench/bfcl-20000.jsonl, built once). BFCL's data come from $BFCL_EVAL_DIR (a
 * folder holding `bfcl_eval/`), else the wheel is fetched with `pip download` into $TMPDIR.
 *
 * Ours: the whole process, `node dist/cli.js check FILE --json`, timed from outside by `farm-bench`
 * when it is installed (else spawned here with its own resource usage), 5 runs after 1 warm-up.
 * Baseline: vscode-json-languageservice `parseJSONDocument` + `doValidation` of the same samples as
 * one JSON array against a structural schema of a BFCL sample (tools' parameters validated as
 * schemas), timed inside its process: start-up and reading excluded. 5 runs. Both wall and CPU
 * seconds (medians) and the machine's load before and after. Writes bench/results/check-bfcl.json.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { getLanguageService } from "vscode-json-languageservice";

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "dist", "cli.js");
const DIR = join(tmpdir(), "tooln1-bench");
const LINES = 20_000;
const RUNS = 5;
const PY = process.env.TOOLN1_PYTHON ?? join(ROOT, ".venv", "bin", "python");
const BFCL_VERSION = "2026.3.23";

const SCHEMA = {
  type: "array",
  items: {
    type: "object",
    required: ["tools", "messages", "answer"],
    properties: {
      id: { type: "string" },
      tools: { type: "array", items: { $ref: "#/definitions/tool" } },
      messages: { type: "array", minItems: 1, items: { type: "object", required: ["role", "content"], properties: { role: { enum: ["system", "user", "assistant", "tool"] }, content: { type: "string" } } } },
      answer: { type: "array", items: { type: "object", required: ["name", "arguments"], properties: { name: { type: "string" }, arguments: { type: "object" } } } },
    },
  },
  definitions: {
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
  },
};

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = (): number[] => loadavg().map((x) => +x.toFixed(2));

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

interface Timing {
  wallS: number;
  cpuS: number;
  peakMiB?: number;
}

/** The whole `tooln1 check` process: farm-bench's medians, else our own runs. */
function ours(path: string): { tool: string; median: Timing; runs?: Timing[]; problems: number } {
  const args = [CLI, "check", path, "--json"];
  const problems = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 30 }).stdout.split("\n").filter(Boolean).length;
  const fb = spawnSync("farm-bench", ["-n", String(RUNS), "--warmup", "1", "--timeout", "600", "--", process.execPath, ...args], { encoding: "utf8" });
  if (fb.status === 0 && /A wall s/.test(fb.stdout)) {
    const row = (name: string) => Number(new RegExp(`A ${name}\\s+([\\d.]+)\\s+([\\d.]+)`).exec(fb.stdout)?.[2]);
    return { tool: "farm-bench", median: { wallS: row("wall s"), cpuS: row("cpu s"), peakMiB: row("peak MiB") }, problems };
  }
  const usage = join(DIR, "usage.json");
  const hook = join(DIR, "usage-hook.js");
  writeFileSync(hook, `process.on("exit", () => { const u = process.resourceUsage(); require("fs").writeFileSync(process.env.TOOLN1_BENCH_USAGE, JSON.stringify(u)); });`);
  const runs: Timing[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-r", hook, ...args], { env: { ...process.env, TOOLN1_BENCH_USAGE: usage }, stdio: "ignore" });
    const u = JSON.parse(readFileSync(usage, "utf8")) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
    if (i > 0) runs.push({ wallS: (performance.now() - t0) / 1000, cpuS: (u.userCPUTime + u.systemCPUTime) / 1e6, peakMiB: u.maxRSS / 1024 });
  }
  return { tool: "spawnSync + process.resourceUsage", median: { wallS: median(runs.map((r) => r.wallS)), cpuS: median(runs.map((r) => r.cpuS)) }, runs, problems };
}

async function baseline(path: string): Promise<{ median: Timing; runs: Timing[]; diagnostics: number }> {
  const text = "[\n" + readFileSync(path, "utf8").split("\n").filter((l) => l.trim()).join(",\n") + "\n]";
  const ls = getLanguageService({});
  ls.configure({ validate: true, allowComments: false, schemas: [{ uri: "file:///tooln1/bfcl-sample-list.schema.json", fileMatch: ["*.json"], schema: SCHEMA }] });
  const probe = TextDocument.create("file:///bench/probe.json", "json", 1, '[{"tools": [{"name": "a b", "parameters": {"required": 5}}], "messages": [], "answer": []}]');
  const probeDiags = await ls.doValidation(probe, ls.parseJSONDocument(probe), { schemaValidation: "error" });
  if (probeDiags.length < 3) throw new Error(`baseline schema not applied: ${JSON.stringify(probeDiags)}`);
  const runs: Timing[] = [];
  let diagnostics = 0;
  for (let i = 0; i < RUNS; i++) {
    const doc = TextDocument.create(`file:///bench/bfcl-${i}.json`, "json", 1, text);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const diags = await ls.doValidation(doc, ls.parseJSONDocument(doc), { schemaValidation: "error" });
    const c = process.cpuUsage(c0);
    runs.push({ wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 });
    diagnostics = diags.length;
  }
  return { median: { wallS: median(runs.map((r) => r.wallS)), cpuS: median(runs.map((r) => r.cpuS)) }, runs, diagnostics };
}

async function main(): Promise<void> {
  const { path, distinct } = dataset();
  const loadBefore = load();
  const o = ours(path);
  const b = await baseline(path);
  const loadAfter = load();
  const pkg = (name: string) => (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  const result = {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version, loadAvgBefore: loadBefore, loadAvgAfter: loadAfter, note: "shared machine: wall time stretches with other load (load averages 1/5/15 min above), CPU time much less" },
    dataset: { lines: LINES, distinctSamples: distinct, source: `bfcl-eval ${BFCL_VERSION}: every category with a possible_answer file, converted by python -m tooln1 convert --from bfcl, repeated with fresh ids`, bytes: readFileSync(path).length },
    ours: { what: "node dist/cli.js check FILE --json, the whole process (start-up and reading included)", timedBy: o.tool, medianWallS: +o.median.wallS.toFixed(3), medianCpuS: +o.median.cpuS.toFixed(3), ...(o.median.peakMiB ? { peakMiB: o.median.peakMiB } : {}), problems: o.problems, ...(o.runs ? { runs: o.runs } : {}) },
    baseline: { what: `vscode-json-languageservice ${pkg("vscode-json-languageservice")} parseJSONDocument + doValidation of the same samples as one JSON array against a structural BFCL-sample schema, in-process (start-up and reading excluded)`, medianWallS: +b.median.wallS.toFixed(3), medianCpuS: +b.median.cpuS.toFixed(3), diagnostics: b.diagnostics, runs: b.runs },
    ratio: +(b.median.wallS / o.median.wallS).toFixed(2),
    cpuRatio: +(b.median.cpuS / o.median.cpuS).toFixed(2),
    target: 5,
  };
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(join(ROOT, "bench", "results", "check-bfcl.json"), JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(JSON.stringify({ oursWallS: result.ours.medianWallS, oursCpuS: result.ours.medianCpuS, baseWallS: result.baseline.medianWallS, baseCpuS: result.baseline.medianCpuS, ratio: result.ratio, cpuRatio: result.cpuRatio, load: loadAfter }) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`check-bfcl.bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
