/**
 * `tooln1 check PATH... [--json] [--as dataset|tools]`: the language server's checks, headless and
 * streaming (memory stays bounded on any file size). `*.jsonl` are datasets, other files tool
 * schema files; a directory is searched for `*.jsonl` and `*.tools.json`. With `--json`, one JSON
 * line per problem (1-based lines and columns, columns in UTF-16 code units like the editor's);
 * a summary always goes to stderr. Exit 1 when any error was found, 2 on bad usage, else 0.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { checkFile, kindOfPath, type FileCheckSummary } from "../../language-server/fileCheck";
import type { DocKind, PlacedProblem } from "../../language-server/service";

const USAGE = `usage: tooln1 check PATH... [--json] [--as dataset|tools]

Checks tool schema files (*.json, JSONC) and tool-calling datasets (*.jsonl) with the language
server's checks. A directory is searched for *.jsonl and *.tools.json files.
  --json            one JSON object per problem on stdout:
                    {"file","line","column","endLine","endColumn","severity","code","message"}
  --as KIND         read every PATH as a dataset or as a tool schema file
Exit status: 1 when any error was found, 0 otherwise (warnings do not fail).`;

function collect(path: string, out: string[]): void {
  const st = statSync(path);
  if (!st.isDirectory()) {
    out.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(path, name);
    let s;
    try {
      s = statSync(p);
    } catch {
      continue;
    }
    if (s.isDirectory()) collect(p, out);
    else if (name.endsWith(".jsonl") || name.endsWith(".tools.json")) out.push(p);
  }
}

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
  let json = false;
  let as: DocKind | undefined;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") json = true;
    else if (a === "--as" || a.startsWith("--as=")) {
      const v = a === "--as" ? argv[++i] : a.slice(5);
      if (v !== "dataset" && v !== "tools") {
        process.stderr.write(`tooln1 check: --as takes "dataset" or "tools", not ${JSON.stringify(v ?? "")}\n`);
        return 2;
      }
      as = v;
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
  const total = { files: 0, lines: 0, error: 0, warning: 0, information: 0, hint: 0 };
  for (const p of paths) {
    try {
      collect(p, files);
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
      else out.push(`${file}:${p.line + 1}:${p.character + 1}: ${p.severity} ${p.code}: ${p.message}\n`);
      // stdout to a file, pipe or terminal is synchronous on Linux: this bounds the buffer.
      if (out.pending > 1 << 20) void out.flush();
    };
    let sum: FileCheckSummary;
    try {
      sum = await checkFile(file, kind, emit, { onProgress: () => undefined });
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
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  process.stderr.write(
    `tooln1 check: ${total.files} file${total.files === 1 ? "" : "s"}, ${total.lines} lines: ${total.error} errors, ${total.warning} warnings, ${total.information} info, ${total.hint} hints (${secs} s)\n`,
  );
  return total.error > 0 ? 1 : 0;
}
