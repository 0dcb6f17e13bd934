/**
 * `tooln1 check` benchmark.
 * 1. `node dist/cli.js check` over a generated 60,000-line (~120 MB) dataset with ~1% bad lines:
 *    wall time, CPU time and peak RSS of the child process (targets: <= 3 s, <= 1 GB).
 * 2. Side by side on the first 20,000 samples: our check (streaming from disk, cross-checking every
 *    call against its line's tools) vs vscode-json-languageservice validating the same samples as one
 *    JSON document against an equivalent structural JSON Schema (target: >= 5x faster).
 * Data goes to $TMPDIR/tooln1-bench (generated once, seeded). Writes bench/results/check.json.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { getLanguageService } from "vscode-json-languageservice";
import { writeDataset } from "../test/server/datasetGen";
import { checkFile } from "../language-server/fileCheck";
import { ROOT, median, pkgVersion as pkg, sampleListSchema, timeNodeProcess } from "./common";

const CLI = join(ROOT, "dist", "cli.js");
const DIR = join(tmpdir(), "tooln1-bench");
const LINES = 60_000;
const SIDE_BY_SIDE = 20_000;

const SAMPLE_SCHEMA = sampleListSchema({
  tool: {
    type: "object",
    required: ["type", "function"],
    properties: {
      type: { const: "function" },
      function: {
        type: "object",
        required: ["name", "parameters"],
        properties: { name: { type: "string", pattern: "^[a-zA-Z0-9_-]{1,64}$" }, description: { type: "string" }, parameters: { $ref: "#/definitions/schema" } },
      },
    },
  },
  schema: {
    type: "object",
    properties: {
      type: { enum: ["string", "number", "integer", "boolean", "object", "array", "null"] },
      description: { type: "string" },
      properties: { type: "object", additionalProperties: { $ref: "#/definitions/schema" } },
      required: { type: "array", items: { type: "string" } },
      enum: { type: "array", minItems: 1 },
      items: { $ref: "#/definitions/schema" },
      minimum: { type: "number" },
      maximum: { type: "number" },
      default: {},
    },
  },
  answerName: { type: "string", pattern: "^[a-zA-Z0-9_-]{1,64}$" },
});

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const full = join(DIR, `check-${LINES}.jsonl`);
  const part = join(DIR, `check-${SIDE_BY_SIDE}.jsonl`);
  let badLines: number | undefined;
  if (!existsSync(full)) {
    process.stderr.write(`generating ${full}...\n`);
    badLines = (await writeDataset(full, LINES, { seed: 42, badFraction: 0.01 })).bad.length;
  }
  if (!existsSync(part)) {
    const lines = readFileSync(full, "utf8").split("\n").slice(0, SIDE_BY_SIDE);
    writeFileSync(part, lines.join("\n") + "\n");
  }
  const bytes = statSync(full).size;

  // 1. The CLI over the full dataset, three runs.
  const runs: { wallS: number; cpuS: number; maxRssMB: number; exit: number | null; problems: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const r = timeNodeProcess([CLI, "check", full, "--json"], DIR, { stdout: true, maxBuffer: 512 * 1024 * 1024 });
    const wallS = r.wallS;
    runs.push({ wallS, cpuS: r.cpuS, maxRssMB: r.peakMiB, exit: r.status, problems: r.stdout.split("\n").filter(Boolean).length });
    process.stderr.write(`check run ${i + 1}: ${wallS.toFixed(2)} s wall, ${runs[i].cpuS.toFixed(2)} s CPU, ${runs[i].maxRssMB.toFixed(0)} MB peak RSS\n`);
  }

  // 2. Side by side on 20,000 samples, same process, same data.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const t1 = performance.now();
  const c1 = cpu();
  let ours = 0;
  await checkFile(part, "dataset", () => ours++);
  const oursS = (performance.now() - t1) / 1000;
  const oursCpuS = cpu() - c1;

  const lines = readFileSync(part, "utf8").split("\n").filter((l) => l.trim());
  const asOneDocument = "[\n" + lines.filter((l) => { try { JSON.parse(l); return true; } catch { return false; } }).join(",\n") + "\n]";
  const ls = getLanguageService({});
  ls.configure({ validate: true, allowComments: false, schemas: [{ uri: "file:///tooln1/sample-list.schema.json", fileMatch: ["*.json"], schema: SAMPLE_SCHEMA }] });
  // The schema really applies: a tiny document that breaks it gets diagnostics.
  const probe = TextDocument.create("file:///bench/probe.json", "json", 1, '[{"tools": 5, "messages": [{"role": "robot", "content": "x"}], "answer": []}]');
  const probeDiags = await ls.doValidation(probe, ls.parseJSONDocument(probe), { schemaValidation: "error" });
  if (probeDiags.length < 2) throw new Error(`baseline schema not applied: ${JSON.stringify(probeDiags)}`);
  const doc = TextDocument.create("file:///bench/samples.json", "json", 1, asOneDocument);
  const t2 = performance.now();
  const c2 = cpu();
  const jsonDoc = ls.parseJSONDocument(doc);
  const diags = await ls.doValidation(doc, jsonDoc, { schemaValidation: "error" });
  const baseS = (performance.now() - t2) / 1000;
  const baseCpuS = cpu() - c2;
  process.stderr.write(`side by side (${SIDE_BY_SIDE} samples): ours ${oursS.toFixed(2)} s (${ours} problems), vscode-json-languageservice ${baseS.toFixed(2)} s (${diags.length} diagnostics)\n`);

  const result = {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version, loadAvg1m: +loadavg()[0].toFixed(1), note: "shared 2-core machine; wall time depends on other load, CPU time does not" },
    dataset: { path: full, lines: LINES, bytes, megabytes: +(bytes / 1e6).toFixed(1), badFraction: 0.01, ...(badLines !== undefined ? { badLines } : {}) },
    check: {
      command: `node dist/cli.js check ${full} --json`,
      runs,
      medianWallS: +median(runs.map((r) => r.wallS)).toFixed(3),
      medianCpuS: +median(runs.map((r) => r.cpuS)).toFixed(3),
      maxPeakRssMB: +Math.max(...runs.map((r) => r.maxRssMB)).toFixed(1),
      targets: { wallS: 3, peakRssMB: 1024 },
    },
    sideBySide: {
      samples: SIDE_BY_SIDE,
      ours: { what: "checkFile (tooln1 check's engine): streaming from disk, every tool and every call checked", seconds: +oursS.toFixed(3), cpuSeconds: +oursCpuS.toFixed(3), problems: ours },
      baseline: { what: `vscode-json-languageservice ${pkg("vscode-json-languageservice")} parseJSONDocument + doValidation of the samples as one JSON array against a structural sample schema`, seconds: +baseS.toFixed(3), cpuSeconds: +baseCpuS.toFixed(3), diagnostics: diags.length },
      ratio: +(baseS / oursS).toFixed(2),
      cpuRatio: +(baseCpuS / oursCpuS).toFixed(2),
      target: 5,
    },
  };
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(join(ROOT, "bench", "results", "check.json"), JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(JSON.stringify({ medianWallS: result.check.medianWallS, medianCpuS: result.check.medianCpuS, peakRssMB: result.check.maxPeakRssMB, ratio: result.sideBySide.ratio, cpuRatio: result.sideBySide.cpuRatio }) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`check.bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
