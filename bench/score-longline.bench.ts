// `tooln1 score` on one very long line (a 25 MB and a 50 MB completion), side by side with the
// baseline `python -m tooln1 score` on the same file, alternating order, best of 3 wall times each.
// The review that filed the issue measured the TypeScript CLI at 5.7 s for 25 MB and 40 s for 50 MB
// before the reader joined a line's pieces once (one Buffer.concat per 64 KB chunk).
// Writes bench/results/score-longline.json.
// Run: node scripts/build.mjs && node out/bench/score-longline.bench.js
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
const CLI = join(ROOT, "dist", "cli.js");
const PY = existsSync(join(ROOT, ".venv/bin/python")) ? join(ROOT, ".venv/bin/python") : "python3";

function wall(cmd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, maxBuffer: 1 << 20, env: { ...process.env, PYTHONPATH: join(ROOT, "trainer", "src") } });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0 || !String(r.stdout).startsWith('{"reward"')) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${String(r.stderr).slice(-500)}`);
  return s;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "score-longline-"));
  const sizes = [25, 50];
  const rows: { mb: number; ts_s: number; python_s: number; ratio_ts_vs_python: number }[] = [];
  const load = [loadavg()[0]];
  try {
    for (const mb of sizes) {
      const file = join(dir, `line-${mb}.jsonl`);
      const completion = "<think>" + "x".repeat(mb * 1024 * 1024) + '</think><tool_call>[{"name": "f", "arguments": {}}]</tool_call>';
      writeFileSync(file, JSON.stringify({ completion, answer: [{ name: "f", arguments: {} }] }) + "\n");
      const ts: number[] = [];
      const py: number[] = [];
      for (let i = 0; i < 3; i++) {
        if (i % 2 === 0) {
          ts.push(wall(process.execPath, [CLI, "score", file]));
          py.push(wall(PY, ["-m", "tooln1", "score", file]));
        } else {
          py.push(wall(PY, ["-m", "tooln1", "score", file]));
          ts.push(wall(process.execPath, [CLI, "score", file]));
        }
      }
      const [t, p] = [Math.min(...ts), Math.min(...py)];
      rows.push({ mb, ts_s: Math.round(t * 1000) / 1000, python_s: Math.round(p * 1000) / 1000, ratio_ts_vs_python: Math.round((t / p) * 100) / 100 });
      load.push(loadavg()[0]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    what: "wall time of `tooln1 score FILE` on a file holding one line of the given size (best of 3, TS and Python alternating)",
    baseline: "python -m tooln1 score on the same file",
    before_fix: { "25": 5.7, "50": 40, note: "TS seconds measured before the linear reader (one Buffer.concat per chunk)" },
    rows,
    machine: { cores: cpus().length, node: process.version, load_average_1m: load.map((x) => Math.round(x * 100) / 100) },
  };
  const out = join(ROOT, "bench", "results", "score-longline.json");
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(rows));
}

main();
