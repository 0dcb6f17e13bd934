/**
 * Checking a file from disk, streaming: datasets line by line with bounded memory (one chunk plus the
 * longest line, and one id per sample for duplicate detection), tool schema files whole. Shared by
 * `tooln1 check` and the server's large-file validation.
 */
import { stat, readFile } from "node:fs/promises";
import { readLineBatches } from "../src/node/lineReader";
import { isUtf8 } from "node:buffer";
import { checkDatasetLine, checkSchemaText, duplicateIdProblem, invalidUtf8Problem, lineTooLongProblem, severityOf, type DocKind, type PlacedProblem, type Problem, type SeverityOverrides } from "./service";

export interface FileCheckSummary {
  lines: number;
  bytes: number;
  error: number;
  warning: number;
  information: number;
  hint: number;
  cancelled?: boolean;
}

export interface FileCheckOptions {
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  cancelled?: () => boolean;
  /** Largest tool schema file read whole (default 64 MiB). */
  maxSchemaBytes?: number;
  /** Longest dataset line checked (default 128 MiB). */
  maxLineBytes?: number;
  /** Datasets: check only bytes [start, end) (line-aligned); lines are numbered from 0 there. */
  start?: number;
  end?: number;
  /** Datasets: hand each sample id to the caller instead of detecting duplicates here. */
  onId?: (id: string, line: number, byteOffset: number, byteLength: number) => void;
  /** Severity per code (`tooln1.diagnosticSeverity`, `--severity`); "off" drops the code. */
  overrides?: SeverityOverrides;
}

/** `*.jsonl` are datasets, everything else tool schema files. */
export function kindOfPath(path: string): DocKind {
  return path.toLowerCase().endsWith(".jsonl") ? "dataset" : "tools";
}

/** Checks one file, handing each problem to `onProblem` as soon as it is found (line order within a batch). */
export async function checkFile(path: string, kind: DocKind, onProblem: (p: PlacedProblem) => void, opts: FileCheckOptions = {}): Promise<FileCheckSummary> {
  const sum: FileCheckSummary = { lines: 0, bytes: 0, error: 0, warning: 0, information: 0, hint: 0 };
  const ov = opts.overrides;
  const emit = (p: PlacedProblem) => {
    if (ov) {
      const s = severityOf(p.code, p.severity, ov);
      if (!s) return;
      if (s !== p.severity) p = { ...p, severity: s };
    }
    sum[p.severity]++;
    onProblem(p);
  };
  const onLine = (line: number, p: Problem) => emit({ line, character: p.start, endLine: line, endCharacter: p.end, severity: p.severity, code: p.code, message: p.message });
  if (kind === "tools") {
    const st = await stat(path);
    sum.bytes = st.size;
    if (st.size > (opts.maxSchemaBytes ?? 64 * 1024 * 1024)) {
      emit({ line: 0, character: 0, endLine: 0, endCharacter: 1, severity: "error", code: "file_too_large", message: `Tool schema file of ${(st.size / 1048576).toFixed(0)} MB is too large to check whole: split it, or check it as a dataset (--as dataset) if it holds one sample per line.` });
      return sum;
    }
    const bytes = await readFile(path);
    if (!isUtf8(bytes)) {
      // the first line holding a byte that is not UTF-8
      let line = 0;
      for (let s = 0; s <= bytes.length; line++) {
        const nl = bytes.indexOf(10, s);
        const e = nl === -1 ? bytes.length : nl;
        if (!isUtf8(bytes.subarray(s, e))) break;
        s = e + 1;
      }
      const p = invalidUtf8Problem();
      emit({ line, character: 0, endLine: line, endCharacter: 1, severity: p.severity, code: p.code, message: p.message });
      return sum;
    }
    let text = bytes.toString("utf8");
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lineStarts = [0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
    sum.lines = lineStarts.length;
    const pos = (o: number) => {
      let lo = 0, hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid] <= o) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo, character: o - lineStarts[lo] };
    };
    const problems = checkSchemaText(text).problems.sort((a, b) => a.start - b.start);
    for (const p of problems) {
      const s = pos(p.start);
      const e = pos(p.end);
      emit({ line: s.line, character: s.character, endLine: e.line, endCharacter: e.character, severity: p.severity, code: p.code, message: p.message });
    }
    opts.onProgress?.(st.size, st.size);
    return sum;
  }
  const firstLineOfId = new Map<string, number>();
  const readOpts = {
    onProgress: (b: number, t: number) => {
      sum.bytes = b;
      opts.onProgress?.(b, t);
    },
    ...(opts.cancelled ? { cancelled: opts.cancelled } : {}),
    ...(opts.maxLineBytes ? { maxLineBytes: opts.maxLineBytes } : {}),
    ...(opts.start !== undefined ? { start: opts.start } : {}),
    ...(opts.end !== undefined ? { end: opts.end } : {}),
  };
  for await (const batch of readLineBatches(path, readOpts)) {
    for (const l of batch) {
      sum.lines = l.line + 1;
      if (l.tooLong) {
        onLine(l.line, lineTooLongProblem(l.byteLength));
        continue;
      }
      if (l.invalidUtf8) {
        onLine(l.line, invalidUtf8Problem());
        continue;
      }
      const r = checkDatasetLine(l.text);
      for (const p of r.problems) onLine(l.line, p);
      if (r.id !== undefined && opts.onId) opts.onId(r.id, l.line, l.byteOffset, l.byteLength);
      else if (r.id !== undefined) {
        const first = firstLineOfId.get(r.id);
        if (first === undefined) firstLineOfId.set(r.id, l.line);
        else onLine(l.line, duplicateIdProblem(l.text, r.id, first));
      }
    }
    if (opts.cancelled?.()) {
      sum.cancelled = true;
      break;
    }
  }
  return sum;
}
