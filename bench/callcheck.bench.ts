// Dataset checking throughput: 60,000 xLAM-style dataset lines (about 2 KB each, ~120 MB), each
// parsed, its tools read (readToolList) and indexed, and every ground-truth call checked
// (checkCall) — the language server's per-line work on a large dataset. Budget: under 3 s.
// Baseline, same run: ajv (JSON Schema 2020-12) compiling each line's tool schemas and validating
// the calls, on a slice of the lines (scaled to lines/s), since a compile per line is the cost the
// precompiled-once-per-tool design avoids.
import { cpus, loadavg } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { readToolList, toolJsonSchema } from "../src/core/schema";
import { checkCall, indexTools } from "../src/core/callcheck";
import type { Json } from "../src/core/types";

const ROOT = join(__dirname, "..", "..");
const LINES = 60_000;
const BASELINE_LINES = 200;

let seed = 7;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
const words = "alpha beta gamma delta city weather price stock rate convert search find list compute average user order product review flight hotel".split(" ");
const sentence = (n: number): string => Array.from({ length: n }, () => pick(words)).join(" ");
const TYPES = ["str", "int", "float", "bool", "List[int]", "List[str]", "Dict[str, Any]", "str, optional", "float, optional"];

function makeLine(i: number): string {
  const tools: Json[] = [];
  const nTools = 2 + Math.floor(rnd() * 4);
  for (let t = 0; t < nTools; t++) {
    const params: { [k: string]: Json } = {};
    const nParams = 2 + Math.floor(rnd() * 4);
    for (let p = 0; p < nParams; p++) {
      const type = pick(TYPES);
      params[`${pick(words)}_${p}`] = type.endsWith("optional") ? { description: sentence(8), type, default: "" } : { description: sentence(8), type };
    }
    tools.push({ name: `tool_${i % 97}_${t}`, description: sentence(16), parameters: params });
  }
  const answer: Json[] = [];
  for (let c = 0; c < 1 + Math.floor(rnd() * 2); c++) {
    const tool = tools[Math.floor(rnd() * tools.length)] as { name: string; parameters: { [k: string]: { type: string } } };
    const args: { [k: string]: Json } = {};
    for (const [k, spec] of Object.entries(tool.parameters)) {
      const t = spec.type.replace(", optional", "");
      args[k] = t === "int" ? 42 : t === "float" ? 1.5 : t === "bool" ? true : t === "List[int]" ? [1, 2, 3] : t === "List[str]" ? ["a", "b"] : t.startsWith("Dict") ? { k: 1 } : sentence(3);
    }
    if (rnd() < 0.1) args.unexpected = 1;
    answer.push({ name: rnd() < 0.05 ? "missing_tool" : tool.name, arguments: args });
  }
  return JSON.stringify({ id: String(i), tools, messages: [{ role: "user", content: sentence(30) }], answer });
}

const lines: string[] = [];
let bytes = 0;
for (let i = 0; i < LINES; i++) {
  const l = makeLine(i);
  lines.push(l);
  bytes += l.length + 1;
}

function parseOnly(ls: string[]): number {
  const t0 = performance.now();
  for (const line of ls) JSON.parse(line);
  return performance.now() - t0;
}

function ours(ls: string[]): { ms: number; problems: number } {
  const t0 = performance.now();
  let problems = 0;
  for (const line of ls) {
    const v = JSON.parse(line) as { tools: Json; answer: Json[] };
    const index = indexTools(readToolList(v.tools).tools);
    for (const call of v.answer) problems += checkCall(call, index).length;
  }
  return { ms: performance.now() - t0, problems };
}

function baseline(ls: string[]): { ms: number; problems: number } {
  const t0 = performance.now();
  let problems = 0;
  for (const line of ls) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const v = JSON.parse(line) as { tools: Json; answer: { name: string; arguments: Json }[] };
    const { tools } = readToolList(v.tools);
    const validators = new Map(tools.map((t) => [t.name, ajv.compile({ ...toolJsonSchema(t), additionalProperties: false })]));
    for (const call of v.answer) {
      const validate = validators.get(call.name);
      if (!validate) problems++;
      else if (!validate(call.arguments)) problems += validate.errors?.length ?? 1;
    }
  }
  return { ms: performance.now() - t0, problems };
}

ours(lines.slice(0, 2000)); // warm-up
const parseMs = parseOnly(lines);
const a = ours(lines);
const b = baseline(lines.slice(0, BASELINE_LINES));
const oursPerS = LINES / (a.ms / 1000);
const basePerS = BASELINE_LINES / (b.ms / 1000);
const result = {
  area: "callcheck",
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", loadAverage1m: Math.round(loadavg()[0] * 100) / 100 },
  what: "dataset lines parsed, tools read and indexed, ground-truth calls checked (src/core/schema.ts + callcheck.ts)",
  ours: { lines: LINES, megabytes: Math.round(bytes / 1e5) / 10, seconds: Math.round(a.ms) / 1000, linesPerSecond: Math.round(oursPerS), problemsFound: a.problems, budgetSeconds: 3, ok: a.ms < 3000, jsonParseAloneSeconds: Math.round(parseMs) / 1000 },
  baseline: { name: "ajv 2020 compile of each line's tool schemas, then validate (allErrors)", lines: BASELINE_LINES, seconds: Math.round(b.ms) / 1000, linesPerSecond: Math.round(basePerS) },
  ratio: { oursOverBaselineThroughput: Math.round((oursPerS / basePerS) * 10) / 10 },
};
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/callcheck.json"), JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));
if (!result.ours.ok) process.exitCode = 1;
