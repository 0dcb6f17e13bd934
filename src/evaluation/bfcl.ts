/**
 * BFCL evaluations on disk and the `python -m tooln1 eval bfcl` process. No vscode import: the host
 * wires it to the UI, and node --test drives it.
 *
 * An evaluation is a folder `<runs>/bfcl/<yyyymmdd-hhmmss>-<model>/` holding what the trainer writes:
 * `outputs.jsonl`, `results.rollouts.jsonl` (rollout records, one per question) and `scores.json`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import bfclCategories from "../../trainer/src/tooln1/schemas/bfcl-categories.json";

/** BFCL's single-turn categories the trainer evaluates, from the spec tooln1/bfcl_runner.py loads too. */
export const BFCL_CATEGORIES: readonly string[] = Object.keys(bfclCategories.categories);
export const DEFAULT_CATEGORIES: string[] = ["simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance"];
export const RESULTS_FILE = "results.rollouts.jsonl";
export const SCORES_FILE = "scores.json";

export interface CategoryScore {
  accuracy: number;
  correct: number;
  total: number;
}

/** `scores.json` as the trainer writes it. */
export interface BfclScores {
  categories: Record<string, CategoryScore>;
  overall: number;
  summary: Record<string, number | null>;
  checkpoint?: string;
  limit?: number | null;
  bfcl_version?: string;
}

export interface Evaluation {
  /** The evaluation folder (absolute): its identity. */
  dir: string;
  /** Folder name, e.g. `20261130-174512-checkpoint-40`. */
  label: string;
  /** The model folder that was evaluated. */
  model: string;
  scores: BfclScores;
  /** Modification time of scores.json (ms). */
  time: number;
}

/** Reads `scores.json` of an evaluation folder; a clear Error when it is missing or malformed. */
export async function readEvaluation(dir: string): Promise<Evaluation> {
  const file = join(dir, SCORES_FILE);
  const text = await readFile(file, "utf8");
  let s: unknown;
  try {
    s = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const o = s as Partial<BfclScores> | null;
  if (!o || typeof o !== "object" || typeof o.categories !== "object" || o.categories === null || typeof o.overall !== "number") {
    throw new Error(`${file} has no "categories" and "overall"`);
  }
  for (const [name, c] of Object.entries(o.categories)) {
    if (!c || typeof c.accuracy !== "number" || typeof c.correct !== "number" || typeof c.total !== "number") {
      throw new Error(`${file}: category ${name} needs accuracy, correct and total`);
    }
  }
  const st = await stat(file);
  return { dir, label: basename(dir), model: typeof o.checkpoint === "string" ? o.checkpoint : "", scores: { ...(o as BfclScores), summary: o.summary ?? {} }, time: st.mtimeMs };
}

/** Every evaluation under `root` (`<runs>/bfcl`), oldest first; unreadable folders are reported, not fatal. */
export async function listEvaluations(root: string): Promise<{ evaluations: Evaluation[]; problems: string[] }> {
  const evaluations: Evaluation[] = [];
  const problems: string[] = [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return { evaluations, problems };
  }
  for (const name of names.sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, SCORES_FILE))) continue;
    try {
      evaluations.push(await readEvaluation(dir));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  evaluations.sort((a, b) => a.time - b.time || a.label.localeCompare(b.label));
  return { evaluations, problems };
}

/** A fresh evaluation folder: `<root>/<yyyymmdd-hhmmss>-<model folder name>`. */
export function newEvaluationDir(root: string, model: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const ts = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const parent = basename(dirname(model));
  const leaf = basename(model) || "model";
  // checkpoint-40 alone says little: keep the run's name in front of it.
  const name = (/^checkpoint-\d+$/.test(leaf) && parent !== "checkpoints" ? `${parent}-${leaf}` : leaf).replace(/[^A-Za-z0-9_.-]+/g, "-");
  let dir = join(root, `${ts}-${name}`);
  for (let i = 2; existsSync(dir); i++) dir = join(root, `${ts}-${name}-${i}`);
  return dir;
}

export interface EvalRequest {
  model: string;
  categories: readonly string[];
  /** Questions per category; null: all. */
  limit: number | null;
  outDir: string;
  batchSize?: number;
  maxNewTokens?: number;
}

/** The argument array of one evaluation (never a shell string). */
export function evalArgs(r: EvalRequest): string[] {
  const args = ["-m", "tooln1", "eval", "bfcl", "--checkpoint", r.model, "--categories", r.categories.join(","), "--out", r.outDir, "--json"];
  if (r.limit !== null) args.push("--limit", String(r.limit));
  if (r.batchSize) args.push("--batch-size", String(r.batchSize));
  if (r.maxNewTokens) args.push("--max-new-tokens", String(r.maxNewTokens));
  return args;
}

/** `progress generate 12/40 (1.52/s)` lines of the trainer's stderr. */
export function parseProgress(line: string): { done: number; total: number } | null {
  const m = /^progress generate (\d+)\/(\d+)\b/.exec(line.trim());
  return m ? { done: Number(m[1]), total: Number(m[2]) } : null;
}

export interface EvalOutcome {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  cancelled: boolean;
  /** The last lines of stderr (the trainer's message on failure). */
  stderrTail: string;
}

/** One running evaluation: progress from stderr, cancel ends the process group. */
export class EvalProcess {
  readonly proc: ChildProcess;
  readonly args: string[];
  readonly done: Promise<EvalOutcome>;
  private cancelled = false;
  private tail: string[] = [];

  constructor(python: string, req: EvalRequest, opts: { cwd: string; env?: NodeJS.ProcessEnv; onProgress?: (p: { done: number; total: number }) => void; onLine?: (line: string) => void }) {
    this.args = evalArgs(req);
    this.proc = spawn(python, this.args, {
      cwd: opts.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: "1", ...opts.env },
      stdio: ["ignore", "ignore", "pipe"],
      detached: process.platform !== "win32", // its own process group: cancel ends its children too
    });
    let buf = "";
    this.proc.stderr!.setEncoding("utf8");
    this.proc.stderr!.on("data", (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        opts.onLine?.(line);
        const p = parseProgress(line);
        if (p) opts.onProgress?.(p);
      }
    });
    this.done = new Promise((resolve) => {
      this.proc.on("error", (e) => resolve({ code: null, cancelled: this.cancelled, stderrTail: `${e.message}` }));
      this.proc.on("close", (code) => resolve({ code, cancelled: this.cancelled, stderrTail: [...this.tail, buf].join("\n").trim() }));
    });
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`. */
  cancel(graceMs = 5000): void {
    if (this.cancelled || this.proc.exitCode !== null || this.proc.pid === undefined) return;
    this.cancelled = true;
    const pid = this.proc.pid;
    const signal = (s: NodeJS.Signals) => {
      try {
        if (process.platform === "win32") this.proc.kill(s);
        else process.kill(-pid, s);
      } catch {
        // already gone
      }
    };
    signal("SIGTERM");
    const t = setTimeout(() => signal("SIGKILL"), graceMs);
    void this.done.then(() => clearTimeout(t));
  }
}

/** The paper's Table 2 columns: BFCL's non-live and live AST categories, then the summaries. */
export const TABLE2_COLUMNS: { key: string; group: string; label: string; category?: string; summary?: string; of?: string[] }[] = [
  { key: "simple_python", group: "Non-Live", label: "Simple", category: "simple_python" },
  { key: "multiple", group: "Non-Live", label: "Multiple", category: "multiple" },
  { key: "parallel", group: "Non-Live", label: "Parallel", category: "parallel" },
  { key: "parallel_multiple", group: "Non-Live", label: "Parallel Multiple", category: "parallel_multiple" },
  { key: "live_simple", group: "Live", label: "Simple", category: "live_simple" },
  { key: "live_multiple", group: "Live", label: "Multiple", category: "live_multiple" },
  { key: "live_parallel", group: "Live", label: "Parallel", category: "live_parallel" },
  { key: "live_parallel_multiple", group: "Live", label: "Parallel Multiple", category: "live_parallel_multiple" },
  { key: "non_live", group: "Overall", label: "Non-Live", summary: "non_live", of: ["simple_python", "simple_java", "simple_javascript", "multiple", "parallel", "parallel_multiple"] },
  { key: "live", group: "Overall", label: "Live", summary: "live", of: ["live_simple", "live_multiple", "live_parallel", "live_parallel_multiple"] },
  { key: "overall", group: "Overall", label: "Overall" },
];

/** One Table 2 row: accuracy in [0, 1] per column, null where the category was not run (a group
 * summary too when none of its categories ran; BFCL would show 0 there). */
export function table2Row(s: BfclScores): (number | null)[] {
  return TABLE2_COLUMNS.map((c) => {
    if (c.category) return s.categories[c.category]?.accuracy ?? null;
    if (c.of && !c.of.some((k) => k in s.categories)) return null;
    if (c.summary) return s.summary?.[c.summary] ?? null;
    return s.overall;
  });
}

/** Failures of a results file (rollout records with reward 0): at most `max`, and how many more. */
export async function readFailures(resultsFile: string, max = 500): Promise<{ failures: { id: string; category: string; reason: string; detail: string; line: number }[]; more: number }> {
  const { createReadStream } = await import("node:fs");
  const { createInterface } = await import("node:readline");
  const failures: { id: string; category: string; reason: string; detail: string; line: number }[] = [];
  let more = 0;
  let line = -1;
  const rl = createInterface({ input: createReadStream(resultsFile, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    let r: { prompt_id?: unknown; reward?: unknown; details?: { reason?: unknown; mismatch?: unknown } };
    try {
      r = JSON.parse(text);
    } catch {
      continue;
    }
    if (r.reward !== 0) continue;
    if (failures.length >= max) {
      more++;
      continue;
    }
    const id = typeof r.prompt_id === "string" ? r.prompt_id : `line ${line + 1}`;
    failures.push({
      id,
      category: categoryOf(id),
      reason: typeof r.details?.reason === "string" ? r.details.reason : "?",
      detail: typeof r.details?.mismatch === "string" ? r.details.mismatch.slice(0, 500) : "",
      line,
    });
  }
  return { failures, more };
}

/** BFCL's id convention: `<category>_<n>` (live ids `<category>_<n>-<m>-<k>`). */
export function categoryOf(id: string): string {
  const i = id.lastIndexOf("_");
  return i > 0 ? id.slice(0, i) : id;
}
