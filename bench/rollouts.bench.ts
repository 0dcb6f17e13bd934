// Benchmark: open a 1 GB rollouts file in the inspector's index (worker thread, as the extension host
// runs it). Measures the first page, the full index, the process's peak RSS while indexing, a reason
// filter and a text search over the whole file; and, side by side, the baseline a plain reader would
// use (readline + JSON.parse of every line before showing anything). Writes bench/results/rollouts.json.
// The generated file lives in /tmp and is deleted afterwards (ROLLOUTS_BENCH_KEEP=1 keeps it).
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { RolloutIndexClient } from "../src/rollouts/indexClient";
import { syntheticStep } from "../test/support/syntheticRollouts";
import type { RolloutQuery } from "../common/inspector/protocol";

const GB = 1 << 30;
const TARGET = Number(process.env.ROLLOUTS_BENCH_BYTES ?? GB);
const FILE = process.env.ROLLOUTS_BENCH_FILE ?? "/tmp/tooln1-bench/rollouts-1gb.rollouts.jsonl";
const ROOT = join(__dirname, "../..");

async function generate(): Promise<{ seconds: number; lines: number }> {
  const t0 = performance.now();
  mkdirSync(join(FILE, ".."), { recursive: true });
  // one scored step of 400 prompts x 5, re-stamped with new steps and prompt ids until the target size
  const base = syntheticStep(1, 0, 400, { reasoningChars: 700, zeroVarianceEvery: 5 });
  const out = createWriteStream(FILE);
  let bytes = 0,
    lines = 0,
    step = 0;
  while (bytes < TARGET) {
    step++;
    const parts: string[] = [];
    for (const r of base) {
      const s = JSON.stringify({ ...r, step, prompt_id: `${r.prompt_id}-${step % 50}` }) + "\n";
      parts.push(s);
      bytes += Buffer.byteLength(s);
      lines++;
      if (bytes >= TARGET) break;
    }
    if (!out.write(parts.join(""))) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return { seconds: (performance.now() - t0) / 1000, lines };
}

/** Child process: our index, measured as the extension host would see it. */
async function measureOurs(): Promise<void> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const q = (over: Partial<RolloutQuery> = {}): RolloutQuery => ({ filter: {}, sort: { key: "row", desc: false }, offset: 0, limit: 100, groups: false, ...over });
  const t0 = performance.now();
  const client = new RolloutIndexClient(join(ROOT, "dist", "index.worker.js"));
  await client.open([FILE], "binary", false);
  // first page: as soon as the worker reports a page's worth of rows
  await new Promise<void>((resolve) => {
    const d = client.onProgress((p) => {
      if (p.rows >= 100 || p.done) {
        d.dispose();
        resolve();
      }
    });
  });
  const first = await client.query(q());
  const firstPageS = (performance.now() - t0) / 1000;
  let progressEvents = 0;
  client.onProgress(() => progressEvents++);
  const done = await client.whenIndexed();
  const fullS = (performance.now() - t0) / 1000;
  const peakIndexing = peak;
  const t1 = performance.now();
  const filtered = await client.query(q({ filter: { reasons: ["wrong_argument_value"] } }));
  const filterS = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  const sorted = await client.query(q({ sort: { key: "reward", desc: false } }));
  const sortS = (performance.now() - t2) / 1000;
  const t3 = performance.now();
  const groups = await client.query(q({ groups: true, filter: { zeroVarianceOnly: true } }));
  const groupS = (performance.now() - t3) / 1000;
  const t4 = performance.now();
  const text = await client.query(q({ filter: { text: "search_web" } }));
  const textS = (performance.now() - t4) / 1000;
  const t5 = performance.now();
  await client.summary();
  const summaryS = (performance.now() - t5) / 1000;
  clearInterval(sampler);
  await client.dispose();
  process.stdout.write(
    JSON.stringify({
      firstPageS,
      firstPageRows: first.rows.length,
      fullIndexS: fullS,
      rows: done.rows,
      progressEvents,
      peakRssMB: peakIndexing / 1048576,
      filterByReasonS: filterS,
      filterMatches: filtered.total,
      sortByRewardS: sortS,
      sorted: sorted.total,
      zeroVarianceGroupsS: groupS,
      zeroVarianceGroups: groups.total,
      textSearchS: textS,
      textMatches: text.total,
      summaryS,
    }),
  );
}

/** Child process: the baseline, every line through readline and JSON.parse before anything shows. */
async function measureBaseline(): Promise<void> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  let n = 0,
    wrong = 0;
  const rl = createInterface({ input: createReadStream(FILE), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const r = JSON.parse(line) as { details: { reason: string } };
    n++;
    if (r.details.reason === "wrong_argument_value") wrong++;
  }
  const s = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  process.stdout.write(JSON.stringify({ fullScanS: s, rows: n, wrong, peakRssMB: peak / 1048576 }));
}

function child(mode: string): Record<string, number> {
  const r = spawnSync(process.execPath, [__filename, mode], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === "--ours") return measureOurs();
  if (mode === "--baseline") return measureBaseline();
  let gen: { seconds: number; lines: number } | null = null;
  if (!existsSync(FILE) || statSync(FILE).size < TARGET) gen = await generate();
  const size = statSync(FILE).size;
  const loadBefore = loadavg()[0];
  try {
    const ours = child("--ours");
    const baseline = child("--baseline");
    const budgets = { firstPageS: 1, fullIndexS: 15, peakRssMB: 300, filterByReasonS: 3 };
    const result = {
      area: "rollouts",
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? "unknown",
        memoryGB: Math.round(totalmem() / GB),
        node: process.version,
        loadAverage1mBefore: loadBefore,
        loadAverage1mAfter: loadavg()[0],
        note: "the cores are shared with other work; a load average above the core count slows every timing here",
      },
      workload: { bytes: size, rows: ours.rows, generatedSeconds: gen?.seconds ?? null, file: FILE },
      ours,
      baseline: { name: "readline + JSON.parse of every line (what a plain reader does before it can show or filter anything)", ...baseline },
      ratios: {
        baselineFullScanOverOurFirstPage: baseline.fullScanS / ours.firstPageS,
        baselineFullScanOverOurFilter: baseline.fullScanS / ours.filterByReasonS,
        ourFullIndexOverBaselineFullScan: ours.fullIndexS / baseline.fullScanS,
      },
      budgets,
      ok: {
        firstPage: ours.firstPageS <= budgets.firstPageS,
        fullIndex: ours.fullIndexS <= budgets.fullIndexS,
        memory: ours.peakRssMB <= budgets.peakRssMB,
        filterByReason: ours.filterByReasonS <= budgets.filterByReasonS,
      },
      agreement: { filterMatchesEqualBaseline: ours.filterMatches === baseline.wrong, rowsEqual: ours.rows === baseline.rows },
    };
    mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
    writeFileSync(join(ROOT, "bench", "results", "rollouts.json"), JSON.stringify(result, null, 2) + "\n");
    console.log(JSON.stringify(result, null, 2));
  } finally {
    if (!process.env.ROLLOUTS_BENCH_KEEP) rmSync(FILE, { force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
