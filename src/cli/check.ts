/**
 * `tooln1 check PATH... [--json] [--as dataset|tools]`: the language server's checks, headless and
 * streaming (memory stays bounded on any file size). A file named on the command line is checked:
 * `*.jsonl` as a dataset, other files as a tool schema file. A directory is searched for what the
 * editor checks: datasets by the `tooln1.datasetFiles` globs (or --datasets), plus `.jsonl` files
 * whose first record is a sample (`messages` with `tools` or `answer`), and `*.tools.json` (or
 * --tools); other `.jsonl` files (a run's events, rollouts, completions) are skipped and counted in
 * the summary. With `--json`, one JSON
 * line per problem (1-based lines and columns, columns in UTF-16 code units like the editor's);
 * a summary always goes to stderr. Exit 1 when any error was found, 2 on bad usage, else 0.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { checkFile, kindOfPath, type FileCheckSummary } from "../../language-server/fileCheck";
import { readLines } from "../node/lineReader";
import { duplicateIdProblem, parseOverrides, severityOf, type DocKind, type PlacedProblem, type SeverityOverrides } from "../../language-server/service";

/**
 * With --jobs N > 1, datasets at least this big are split across N worker processes. Off by default:
 * the split costs about half a CPU-second more in all (process start-up, merging), which pays only
 * on an otherwise idle multi-core machine.
 */
const PARALLEL_MIN_BYTES = Number(process.env.TOOLN1_CHECK_PARALLEL_MIN_BYTES) || 16 * 1024 * 1024;
const MAX_JOBS = 4;

/** The editor's defaults (package.json: tooln1.datasetFiles, tooln1.schemaFiles). */
export const DEFAULT_DATASET_GLOBS = ["**/*.tooln1.jsonl", "**/data/**/*.jsonl", "**/datasets/**/*.jsonl"];
export const DEFAULT_SCHEMA_GLOBS = ["**/*.tools.json"];

/** A glob (`**`, `*`, `?`, `{a,b}`) as a regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      i++;
      if (glob[i + 1] === "/") {
        i++;
        re += "(?:.*/)?";
      } else re += ".*";
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") re += "(?:";
    else if (c === "}") re += ")";
    else if (c === ",") re += "|";
    else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Whether the first record of a .jsonl file is a Tool-N1 sample (reads at most 1 MiB). */
export function looksLikeDataset(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first = buf.toString("utf8", 0, n).split("\n").find((l) => l.trim());
    if (!first) return false;
    const rec = JSON.parse(first) as unknown;
    if (typeof rec !== "object" || rec === null || Array.isArray(rec)) return false;
    const r = rec as Record<string, unknown>;
    return Array.isArray(r.messages) && ("tools" in r || "answer" in r);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

export interface Selection {
  datasets: RegExp[];
  tools: RegExp[];
}

const USAGE = `usage: tooln1 check PATH... [--json] [--as dataset|tools]

Checks tool schema files (*.json, JSONC) and tool-calling datasets (*.jsonl) with the language
server's checks. A directory is searched for *.jsonl and *.tools.json files.
  --json            one JSON object per problem on stdout:
                    {"file","line","column","endLine","endColumn","severity","code","message"}
  --as KIND         read every PATH as a dataset or as a tool schema file
  --hints           also print hints (missing descriptions, dialect notes) in text output;
                    --json always includes them
  --jobs N          split datasets over 16 MB across N processes (default 1; at most the cores)
  --severity CODE=LEVEL[,CODE=LEVEL...]
                    report CODE as error, warning, information or hint, or not at all (off);
                    repeatable (the editor's setting is tooln1.diagnosticSeverity)
  --datasets GLOB   in folders, which .jsonl files are datasets (repeatable; default: the editor's
                    tooln1.datasetFiles: ${DEFAULT_DATASET_GLOBS.join(", ")});
                    other .jsonl files count too when their first record is a sample
  --tools GLOB      in folders, which files are tool schema files (repeatable; default ${DEFAULT_SCHEMA_GLOBS.join(", ")})
Folders skip other .jsonl files (a run's events.jsonl, rollouts, completions) and say how many.
Exit status: 1 when any error was found, 0 otherwise (warnings do not fail).`;

/**
 * The files to check under `path`: a file itself, or in a folder the datasets and tool schema files
 * `sel` selects; other .jsonl files go to `skipped`.
 */
export function collect(path: string, out: string[], sel: Selection, skipped: string[], root = path): void {
  const st = statSync(path);
  if (!st.isDirectory()) {
    if (path === root) {
      out.push(path);
      return;
    }
    const rel = relative(root, path).split("\\").join("/");
    if (sel.tools.some((re) => re.test(rel)) || sel.datasets.some((re) => re.test(rel))) out.push(path);
    else if (path.toLowerCase().endsWith(".jsonl")) (looksLikeDataset(path) ? out : skipped).push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(path, name);
    try {
      collect(p, out, sel, skipped, root);
    } catch {
      continue; // gone, or a broken link
    }
  }
}

/** Output is written every 64 KiB: less held in memory (and copied by the GC) between writes. */
const FLUSH_BYTES = 64 * 1024;

/** Writes to stdout, waiting when the pipe is full so memory stays bounded. */
class Out {
  private buf: string[] = [];
  private size = 0;
  push(s: string): void {
    this.buf.push(s);
    this.size += s.length;
  }
  get pending(): number {
    return this.size;
  }
  async flush(): Promise<void> {
    if (!this.buf.length) return;
    const s = this.buf.join("");
    this.buf = [];
    this.size = 0;
    if (!process.stdout.write(s)) await new Promise<void>((res) => process.stdout.once("drain", () => res()));
  }
}

export async function run(argv: string[]): Promise<number> {
  const range = argv.indexOf("--internal-range");
  if (range >= 0) return runRange(argv[range + 1] ?? "", argv[range + 2] ?? "");
  let json = false;
  let hints = false;
  let jobs = 1;
  let as: DocKind | undefined;
  let overrides: SeverityOverrides | undefined;
  const paths: string[] = [];
  const datasetGlobs: string[] = [];
  const toolGlobs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") json = true;
    else if (a === "--hints") hints = true;
    else if (a === "--as" || a.startsWith("--as=")) {
      const v = a === "--as" ? argv[++i] : a.slice(5);
      if (v !== "dataset" && v !== "tools") {
        process.stderr.write(`tooln1 check: --as takes "dataset" or "tools", not ${JSON.stringify(v ?? "")}\n`);
        return 2;
      }
      as = v;
    } else if (a === "--jobs") {
      jobs = Number(argv[++i]);
      if (!Number.isInteger(jobs) || jobs < 1) {
        process.stderr.write(`tooln1 check: --jobs takes a positive whole number\n`);
        return 2;
      }
      jobs = Math.min(jobs, MAX_JOBS, availableParallelism());
    } else if (a === "--severity" || a.startsWith("--severity=")) {
      const v = a === "--severity" ? argv[++i] : a.slice(11);
      const r = parseOverrides((v ?? "").split(",").filter((x) => x));
      if (r.bad.length || v === undefined) {
        process.stderr.write(`tooln1 check: --severity takes CODE=LEVEL (LEVEL: error, warning, information, hint, off), not ${JSON.stringify(r.bad.join(",") || v || "")}\n`);
        return 2;
      }
      overrides = { ...overrides, ...r.overrides };
    } else if (a === "--datasets" || a === "--tools") {
      const g = argv[++i];
      if (!g) {
        process.stderr.write(`tooln1 check: ${a} takes a glob, e.g. ${a === "--tools" ? '"**/*.tools.json"' : '"**/data/**/*.jsonl"'}\n`);
        return 2;
      }
      (a === "--tools" ? toolGlobs : datasetGlobs).push(g);
    } else if (a === "-h" || a === "--help") {
      process.stdout.write(USAGE + "\n");
      return 0;
    } else if (a.startsWith("-") && a !== "-") {
      process.stderr.write(`tooln1 check: unknown option ${a}\n\n${USAGE}\n`);
      return 2;
    } else paths.push(a);
  }
  if (!paths.length) {
    process.stderr.write(`tooln1 check: name at least one file or folder\n\n${USAGE}\n`);
    return 2;
  }
  const files: string[] = [];
  const skipped: string[] = [];
  const sel: Selection = {
    datasets: (datasetGlobs.length ? datasetGlobs : DEFAULT_DATASET_GLOBS).map(globToRegExp),
    tools: (toolGlobs.length ? toolGlobs : DEFAULT_SCHEMA_GLOBS).map(globToRegExp),
  };
  const total = { files: 0, lines: 0, error: 0, warning: 0, information: 0, hint: 0 };
  for (const p of paths) {
    try {
      collect(p, files, sel, skipped);
    } catch (e) {
      process.stderr.write(`tooln1 check: cannot read ${p}: ${(e as Error).message}\n`);
      total.error++;
    }
  }
  const t0 = performance.now();
  const out = new Out();
  for (const file of files) {
    const kind = as ?? kindOfPath(file);
    const emit = (p: PlacedProblem) => {
      if (json) out.push(JSON.stringify({ file, line: p.line + 1, column: p.character + 1, endLine: p.endLine + 1, endColumn: p.endCharacter + 1, severity: p.severity, code: p.code, message: p.message }) + "\n");
      else if (hints || p.severity !== "hint") out.push(`${file}:${p.line + 1}:${p.character + 1}: ${p.severity} ${p.code}: ${p.message}\n`);
      // stdout to a file, pipe or terminal is synchronous on Linux: this bounds the buffer.
      if (out.pending > FLUSH_BYTES) void out.flush();
    };
    let sum: FileCheckSummary;
    try {
      const size = statSync(file).size;
      sum = kind === "dataset" && jobs > 1 && size >= PARALLEL_MIN_BYTES ? await checkParallel(file, size, jobs, emit, overrides) : await checkFile(file, kind, emit, overrides ? { overrides } : {});
    } catch (e) {
      process.stderr.write(`tooln1 check: cannot read ${file}: ${(e as Error).message}\n`);
      total.error++;
      continue;
    }
    await out.flush();
    total.files++;
    total.lines += sum.lines;
    total.error += sum.error;
    total.warning += sum.warning;
    total.information += sum.information;
    total.hint += sum.hint;
  }
  await out.flush();
  if (skipped.length) {
    const shown = skipped.slice(0, 5).join(", ") + (skipped.length > 5 ? `, and ${skipped.length - 5} more` : "");
    process.stderr.write(
      `tooln1 check: skipped ${skipped.length} .jsonl file${skipped.length === 1 ? " that is" : "s that are"} not datasets by name or first record (${shown}); name a file, or pass --datasets GLOB, to check it\n`,
    );
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  process.stderr.write(
    `tooln1 check: ${total.files} file${total.files === 1 ? "" : "s"}, ${total.lines} lines: ${total.error} errors, ${total.warning} warnings, ${total.information} info, ${total.hint} hints${!json && !hints && total.hint ? " (--hints to list them)" : ""} (${secs} s)\n`,
  );
  return total.error > 0 ? 1 : 0;
}

/**
 * A large dataset split at line boundaries into `jobs` byte ranges, each checked by a child process
 * (`check --internal-range START:END FILE`) that writes its problems and sample ids, with line numbers
 * relative to its range, to a temporary file. The parent then replays the files in order: problems
 * get absolute line numbers, and duplicate ids are found across the whole file. Memory stays bounded
 * by the id table, as in the single-process check.
 */
async function checkParallel(file: string, size: number, jobs: number, emit: (p: PlacedProblem) => void, overrides?: SeverityOverrides): Promise<FileCheckSummary> {
  const bounds = [0];
  const fd = openSync(file, "r");
  try {
    const probe = Buffer.alloc(1 << 20);
    for (let j = 1; j < jobs; j++) {
      let pos = Math.max(bounds[j - 1], Math.floor((size * j) / jobs));
      for (;;) {
        const n = readSync(fd, probe, 0, probe.length, pos);
        if (n === 0) {
          pos = size;
          break;
        }
        const nl = probe.subarray(0, n).indexOf(10);
        if (nl >= 0) {
          pos += nl + 1;
          break;
        }
        pos += n;
      }
      bounds.push(pos);
    }
  } finally {
    closeSync(fd);
  }
  bounds.push(size);
  const dir = mkdtempSync(join(tmpdir(), "tooln1-check-"));
  try {
    const outs = await Promise.all(
      bounds.slice(0, -1).map((start, j) => {
        const out = join(dir, `${j}.jsonl`);
        const ofd = openSync(out, "w");
        const env = overrides ? { ...process.env, TOOLN1_CHECK_SEVERITY: JSON.stringify(overrides) } : process.env;
        const child = spawn(process.execPath, [process.argv[1], "check", "--internal-range", `${start}:${bounds[j + 1]}`, file], { stdio: ["ignore", ofd, "inherit"], env });
        return new Promise<string>((res, rej) => {
          child.on("error", rej);
          child.on("exit", (code) => {
            closeSync(ofd);
            if (code === 0) res(out);
            else rej(new Error(`a check worker for bytes ${start}-${bounds[j + 1]} of ${file} failed (exit ${code})`));
          });
        });
      }),
    );
    const sum: FileCheckSummary = { lines: 0, bytes: size, error: 0, warning: 0, information: 0, hint: 0 };
    const firstLineOfId = new Map<string, number>();
    const rfd = openSync(file, "r");
    try {
      for (const out of outs) {
        const base = sum.lines;
        for await (const l of readLines(out)) {
          if (!l.text) continue;
          const rec = JSON.parse(l.text) as { t: "p"; p: PlacedProblem } | { t: "i"; id: string; line: number; off: number; len: number } | { t: "end"; lines: number };
          if (rec.t === "p") {
            const p = { ...rec.p, line: rec.p.line + base, endLine: rec.p.endLine + base };
            sum[p.severity]++;
            emit(p);
          } else if (rec.t === "i") {
            const line = rec.line + base;
            const first = firstLineOfId.get(rec.id);
            if (first === undefined) firstLineOfId.set(rec.id, line);
            else {
              const buf = Buffer.alloc(rec.len);
              readSync(rfd, buf, 0, rec.len, rec.off);
              let text = buf.toString("utf8");
              if (text.endsWith("\r")) text = text.slice(0, -1);
              const dp = duplicateIdProblem(text, rec.id, first);
              const sev = severityOf(dp.code, dp.severity, overrides);
              if (sev) {
                sum[sev]++;
                emit({ line, character: dp.start, endLine: line, endCharacter: dp.end, severity: sev, code: dp.code, message: dp.message });
              }
            }
          } else sum.lines = base + rec.lines;
        }
      }
    } finally {
      closeSync(rfd);
    }
    return sum;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Worker side of checkParallel: one byte range, records on stdout. */
async function runRange(spec: string, file: string): Promise<number> {
  const m = /^(\d+):(\d+)$/.exec(spec);
  if (!m || !file) {
    process.stderr.write("tooln1 check: --internal-range START:END FILE\n");
    return 2;
  }
  const out = new Out();
  const sum = await checkFile(file, "dataset", (p) => {
    out.push(JSON.stringify({ t: "p", p }) + "\n");
    if (out.pending > FLUSH_BYTES) void out.flush();
  }, {
    start: Number(m[1]),
    end: Number(m[2]),
    ...(process.env.TOOLN1_CHECK_SEVERITY ? { overrides: parseOverrides(JSON.parse(process.env.TOOLN1_CHECK_SEVERITY) as unknown).overrides } : {}),
    onId: (id, line, off, len) => {
      out.push(JSON.stringify({ t: "i", id, line, off, len }) + "\n");
      if (out.pending > FLUSH_BYTES) void out.flush();
    },
  });
  out.push(JSON.stringify({ t: "end", lines: sum.lines }) + "\n");
  await out.flush();
  return 0;
}
