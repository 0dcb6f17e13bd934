// Scoring throughput of src/core/reward.ts over 100,000 generated realistic completions (1-3 KB,
// correct and wrong mixed, groups of 5 rollouts sharing a ground truth as in GRPO), side by side with
// a plain JavaScript port of the official scorer's semantics (regex, JSON.parse, sorted
// JSON.stringify, multiset). Writes bench/results/score-ts.json.
// Run: node scripts/build.mjs && node out/bench/score.bench.js [--n 100000]
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { scoreCompletion } from "../src/core/reward";
import { REWARD_VARIANTS } from "../src/core/types";
import { seededRandom as rng } from "../src/core/random";

const CITIES = ["Paris", "London", "Tokyo", "São Paulo", "New York", "Zürich", "Berlin", "東京"];
const SENTENCES = [
  "The user wants to know the weather, so I should call the weather tool with the city they named.",
  "I need to convert the amount between the two currencies before answering.",
  "Let me check which of the available tools matches the request and what arguments it requires.",
  "The unit was not specified; the tool's default is celsius, so I will pass it explicitly.",
  "There are two independent requests here, so two parallel calls are appropriate.",
  "First, identify the parameters: the location, the date range and the preferred units.",
];


type Call = { name: string; arguments: Record<string, unknown> };

function generate(n: number, seed = 1): [string, string][] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (a: number, b: number): number => a + Math.floor(r() * (b - a));
  const makeCalls = (): Call[] => {
    const calls: Call[] = [];
    const count = pick([1, 1, 1, 2, 2, 3]);
    for (let i = 0; i < count; i++) {
      const k = int(0, 4);
      if (k === 0) calls.push({ name: "get_weather", arguments: { city: pick(CITIES), unit: pick(["celsius", "fahrenheit"]), days: int(1, 8) } });
      else if (k === 1) calls.push({ name: "convert_currency", arguments: { amount: pick([100, 25.5, 1000, 0.99]), from: "USD", to: pick(["EUR", "JPY", "GBP"]) } });
      else if (k === 2)
        calls.push({
          name: "search_flights",
          arguments: { origin: pick(CITIES), destination: pick(CITIES), date: `2025-06-${String(int(1, 29)).padStart(2, "0")}`, passengers: { adults: int(1, 4), children: int(0, 3) }, cabin: pick(["economy", "business"]) },
        });
      else calls.push({ name: "set_reminder", arguments: { text: pick(SENTENCES).slice(0, 40), minutes: int(1, 120), tags: ["work", "home"].slice(0, int(0, 3)) } });
    }
    return calls;
  };
  const render = (calls: Call[], target: number): string => {
    let reasoning = "";
    while (reasoning.length < target) reasoning += pick(SENTENCES) + " ";
    const body = r() < 0.7 ? `<tool_call>\n${JSON.stringify(calls)}\n</tool_call>` : calls.map((c) => `<tool_call>\n${JSON.stringify(c)}\n</tool_call>\n`).join("");
    return `<think>${reasoning}</think>\n${body}`;
  };
  const out: [string, string][] = [];
  while (out.length < n) {
    const gt = makeCalls();
    const gtS = JSON.stringify(gt);
    for (let i = 0; i < 5; i++) {
      let model = JSON.parse(gtS) as Call[];
      const k = r();
      if (k < 0.15) model[0].arguments[Object.keys(model[0].arguments)[0]] = "wrong";
      else if (k < 0.25) model[0].name = "get_time";
      else if (k < 0.3) model = model.length > 1 ? model.slice(0, -1) : [model[0], model[0]];
      let text = render(model, int(900, 2700));
      if (k > 0.93) text = text.replace("</think>", "");
      else if (k > 0.9) text = text.slice(0, -"</tool_call>".length - 1);
      out.push([text, gtS]);
    }
  }
  return out.slice(0, n);
}

// ---- a plain JavaScript port of compute_score_v0's semantics (no int/float distinction) ----------
function sortedStringify(v: unknown): string {
  if (Array.isArray(v)) return "[" + v.map(sortedStringify).join(", ") + "]";
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return "{" + Object.keys(o).sort().map((k) => JSON.stringify(k) + ": " + sortedStringify(o[k])).join(", ") + "}";
  }
  return JSON.stringify(v);
}
function officialPlain(solution: string, groundTruth: string): number {
  const answer = JSON.parse(groundTruth) as { name: unknown; arguments: unknown }[];
  const i = solution.lastIndexOf("<|im_start|>assistant");
  const output = i >= 0 ? solution.slice(i) : solution;
  const matches = [...output.matchAll(/<tool_call>([\s\S]*?)<\/tool_call>/g)];
  let result: unknown = null;
  if (matches.length) {
    try {
      result = JSON.parse(matches[matches.length - 1][1].trim());
    } catch {
      result = null;
    }
  }
  if (typeof result === "string") {
    try {
      result = JSON.parse(result);
    } catch {
      result = null;
    }
  }
  if (result !== null && typeof result === "object" && !Array.isArray(result)) result = [result];
  if (result !== null && (!output.includes("<think>") || !output.includes("</think>"))) return 0;
  if (!Array.isArray(result)) return 0;
  if (!result.every((x) => x !== null && typeof x === "object" && !Array.isArray(x) && "name" in x && "arguments" in x)) return 0;
  if (result.length === 0 || answer.length === 0) return result.length === answer.length ? 1 : 0;
  const count = (xs: { name: unknown; arguments: unknown }[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of xs) {
      const k = JSON.stringify(x.name) + "\u0000" + sortedStringify(x.arguments);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const a = count(result as { name: unknown; arguments: unknown }[]);
  const b = count(answer);
  if (a.size !== b.size) return 0;
  for (const [k, n] of a) if (b.get(k) !== n) return 0;
  return 1;
}

/**
 * Outputs per second, best of `repeat` runs: by wall clock and by this process's CPU time. On a
 * shared machine (other processes competing for the cores) the CPU-time rate is the stable one.
 */
function measure(data: [string, string][], fn: (c: string, g: string) => unknown, repeat: number): { wall: number; cpu: number } {
  let bestWall = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < repeat; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const [c, g] of data) fn(c, g);
    bestWall = Math.min(bestWall, performance.now() - t0);
    const cu = process.cpuUsage(c0);
    bestCpu = Math.min(bestCpu, (cu.user + cu.system) / 1000);
  }
  return { wall: data.length / (bestWall / 1000), cpu: data.length / (bestCpu / 1000) };
}

function main(): void {
  const args = process.argv.slice(2);
  const nIdx = args.indexOf("--n");
  const n = nIdx >= 0 ? Number(args[nIdx + 1]) : 100_000;
  const repeat = 3;
  const data = generate(n);
  const sizes = data.map(([c]) => Buffer.byteLength(c));
  let disagree = 0;
  let correct = 0;
  for (const [c, g] of data) {
    if (officialPlain(c, g) !== scoreCompletion(c, g, "official").reward) disagree++;
    if (scoreCompletion(c, g).reward === 1) correct++;
  }
  if (disagree) throw new Error(`official baseline and ours disagree on ${disagree} outputs`);
  const wall: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  const base = measure(data, officialPlain, repeat);
  for (const v of REWARD_VARIANTS) {
    const m = measure(data, (c, g) => scoreCompletion(c, g, v), repeat);
    wall[v] = Math.round(m.wall);
    cpu[v] = Math.round(m.cpu);
  }
  const result = {
    what: `scoreCompletion throughput (outputs/s), best of ${repeat} runs over ${data.length} outputs`,
    outputs: data.length,
    bytes_min: Math.min(...sizes),
    bytes_max: Math.max(...sizes),
    bytes_mean: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
    correct_fraction: Math.round((correct / data.length) * 1000) / 1000,
    outputs_per_s: wall,
    outputs_per_cpu_s: cpu,
    baseline: "plain JavaScript port of compute_score_v0 semantics (regex, JSON.parse, sorted JSON.stringify, multiset), same data",
    baseline_outputs_per_s: Math.round(base.wall),
    baseline_outputs_per_cpu_s: Math.round(base.cpu),
    ratio_binary_vs_baseline: Math.round((cpu.binary / base.cpu) * 100) / 100,
    target: { outputs_per_s: 100000 },
    meets_target_wall: wall.binary >= 100000,
    meets_target_cpu: cpu.binary >= 100000,
    machine: { cores: cpus().length, node: process.version, load_average_1m: Math.round(loadavg()[0] * 100) / 100 },
  };
  const out = resolve(__dirname, "../../bench/results/score-ts.json");
  mkdirSync(resolve(out, ".."), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
}

main();
