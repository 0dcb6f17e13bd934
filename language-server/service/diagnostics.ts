/**
 * From problems to LSP diagnostics: the per-file cap (errors first, one summary at the end), and
 * the incremental dataset state that re-checks only the lines an edit touched.
 */
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver-types";
import type { TextDocument, TextDocumentContentChangeEvent } from "vscode-languageserver-textdocument";
import { CODES, SEVERITY_RANK, type Problem, type Severity } from "./problems";
import { checkDatasetLine, duplicateIdProblem, type LineResult } from "./dataset";
import { LineDocument } from "./lineDocument";
import { severityOf, type SeverityOverrides } from "./severity";

export const SOURCE = "tooln1";
export const DEFAULT_MAX_DIAGNOSTICS = 1000;
const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint };
const SEVERITIES: Severity[] = ["error", "warning", "information", "hint"];

export function toDiagnostic(p: Problem, line: number, endLine = line, endChar = p.end, startChar = p.start): Diagnostic {
  const d: Diagnostic = { range: { start: { line, character: startChar }, end: { line: endLine, character: endChar } }, severity: LSP_SEVERITY[p.severity], code: p.code, source: SOURCE, message: p.message };
  if (p.data) d.data = p.data;
  return d;
}

export interface Counts {
  error: number;
  warning: number;
  information: number;
  hint: number;
}
export const emptyCounts = (): Counts => ({ error: 0, warning: 0, information: 0, hint: 0 });

export function summaryDiagnostic(hidden: number, counts: Counts, shown: number): Diagnostic {
  const parts = SEVERITIES.filter((s) => counts[s]).map((s) => `${counts[s]} ${s === "information" ? "info" : s + (counts[s] === 1 ? "" : "s")}`);
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
    severity: DiagnosticSeverity.Information,
    code: CODES.tooManyProblems,
    source: SOURCE,
    message: `${hidden} more problems are not shown (${shown} shown, errors first; ${parts.join(", ")} in all). Run "Tool-N1: Show All Dataset Problems" or \`tooln1 check FILE\` to see every one.`,
  };
}

/** Caps a list of diagnostics at `max` (errors first, then by position), adding the summary. */
export function capDiagnostics(diags: Diagnostic[], max: number): Diagnostic[] {
  if (diags.length <= max) return diags;
  const counts = emptyCounts();
  for (const d of diags) counts[SEVERITIES[(d.severity ?? 1) - 1]]++;
  const sorted = diags.slice().sort((a, b) => (a.severity ?? 1) - (b.severity ?? 1) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const shown = sorted.slice(0, max - 1);
  shown.push(summaryDiagnostic(diags.length - shown.length, counts, shown.length));
  return shown;
}

/** Per-document dataset state: one cached result per line, invalidated by edits. */
export class DatasetState {
  private results: (LineResult | undefined)[] = [];
  /** Results by line text, for lines that come back (undo, paste). Bounded. */
  private byText = new Map<string, LineResult>();
  private idRanges = new Map<LineResult, Problem>();
  /** Duplicate-id problems by line, reused while no edit moves lines or changes an id. */
  private dupCache: Map<number, Problem> | undefined;
  private removedIds: (string | undefined)[] = [];
  private addedIds: (string | undefined)[] = [];
  lastCounts: Counts = emptyCounts();

  /** Marks the lines an edit touches; call with the changes in order, before or after updating the document. */
  noteChanges(changes: TextDocumentContentChangeEvent[]): void {
    for (const c of changes) {
      if (!("range" in c) || !c.range) {
        this.results = [];
        this.dupCache = undefined;
        continue;
      }
      const s = c.range.start.line;
      const e = c.range.end.line;
      const added = countLineBreaks(c.text);
      if (s >= this.results.length) continue; // not validated yet
      if (added !== e - s) this.dupCache = undefined; // lines move: duplicate ids are re-found
      for (let k = s; k <= Math.min(e, this.results.length - 1); k++) if (this.results[k]) this.removedIds.push(this.results[k]!.id);
      const fill: undefined[] = new Array(added + 1).fill(undefined);
      this.results.splice(s, Math.min(e, this.results.length - 1) - s + 1, ...fill);
    }
  }

  /** Takes results computed elsewhere (another thread) for every line of the document. */
  prefill(results: LineResult[]): void {
    this.results = results.slice();
    this.dupCache = undefined;
    this.removedIds = [];
    this.addedIds = [];
  }

  /** Lines checked by the last validate call (for tests and benchmarks). */
  lastChecked = 0;

  /** Re-checks only the lines without a result, then returns the capped diagnostics. */
  validate(doc: TextDocument, max = DEFAULT_MAX_DIAGNOSTICS, overrides?: SeverityOverrides): Diagnostic[] {
    this.ensure(doc);
    return this.diagnostics(doc, max, overrides);
  }

  /** Checks the lines without a result. */
  ensure(doc: TextDocument): void {
    const n = doc.lineCount;
    if (this.results.length !== n) {
      this.dupCache = undefined;
      if (this.results.length > n) this.results.length = n;
      else while (this.results.length < n) this.results.push(undefined);
    }
    let dirty = 0;
    for (let i = 0; i < n; i++) if (!this.results[i]) dirty++;
    this.lastChecked = dirty;
    if (dirty > n / 4) {
      // Many lines (opening the file): no per-text cache, it would only cost hashing every line.
      this.dupCache = undefined;
      if (doc instanceof LineDocument) {
        for (let i = 0; i < n; i++) if (!this.results[i]) this.results[i] = checkDatasetLine(doc.line(i));
      } else {
        // Line breaks as the editor counts them: \n, \r\n and a lone \r.
        const text = doc.getText();
        const lines = text.includes("\r") ? text.split(/\r\n|\r|\n/) : text.split("\n");
        for (let i = 0; i < n; i++) if (!this.results[i]) this.results[i] = checkDatasetLine(lines[i] ?? "");
      }
    } else if (dirty > 0) {
      for (let i = 0; i < n; i++) {
        if (this.results[i]) continue;
        const r = (this.results[i] = this.check(lineText(doc, i)));
        this.addedIds.push(r.id);
      }
    }
  }

  /** Every problem of the document (no cap), in line order. */
  allProblems(doc: TextDocument, overrides?: SeverityOverrides): { line: number; problem: Problem }[] {
    this.ensure(doc);
    const out: { line: number; problem: Problem }[] = [];
    const dups = this.duplicateIds(doc);
    const add = (i: number, p: Problem) => {
      const s = severityOf(p.code, p.severity, overrides);
      if (s) out.push({ line: i, problem: s === p.severity ? p : { ...p, severity: s } });
    };
    for (let i = 0; i < this.results.length; i++) {
      for (const p of this.results[i]!.problems) add(i, p);
      const d = dups.get(i);
      if (d) add(i, d);
    }
    return out;
  }

  resultAt(line: number): LineResult | undefined {
    return this.results[line];
  }

  private check(text: string): LineResult {
    const hit = this.byText.get(text);
    if (hit) return hit;
    const r = checkDatasetLine(text);
    if (r.problems.length || r.id !== undefined) {
      if (this.byText.size >= 4096) this.byText.clear();
      this.byText.set(text, r);
    }
    return r;
  }

  private duplicateIds(doc: TextDocument): Map<number, Problem> {
    const same = this.removedIds.length === this.addedIds.length && this.removedIds.every((id, k) => id === this.addedIds[k]);
    this.removedIds = [];
    this.addedIds = [];
    if (this.dupCache && same) return this.dupCache;
    this.dupCache = this.findDuplicateIds(doc);
    return this.dupCache;
  }

  private findDuplicateIds(doc: TextDocument): Map<number, Problem> {
    const first = new Map<string, number>();
    const out = new Map<number, Problem>();
    for (let i = 0; i < this.results.length; i++) {
      const r = this.results[i];
      if (!r || r.id === undefined) continue;
      const f = first.get(r.id);
      if (f === undefined) first.set(r.id, i);
      else {
        let p = this.idRanges.get(r);
        if (!p || !p.message.includes(`line ${f + 1}:`)) {
          p = duplicateIdProblem(lineText(doc, i), r.id, f);
          if (this.idRanges.size > 100000) this.idRanges.clear();
          this.idRanges.set(r, p);
        }
        out.set(i, p);
      }
    }
    return out;
  }

  private diagnostics(doc: TextDocument, max: number, ov?: SeverityOverrides): Diagnostic[] {
    const dups = this.duplicateIds(doc);
    // One pass over every line's problems, indexed loops (this runs over 20k+ results on open): each
    // severity's first `max` problems in line order, and the counts.
    const counts = emptyCounts();
    const kept: Record<Severity, { p: Problem; s: Severity; i: number }[]> = { error: [], warning: [], information: [], hint: [] };
    const take = (p: Problem, i: number) => {
      const s = ov ? severityOf(p.code, p.severity, ov) : p.severity;
      if (!s) return;
      counts[s]++;
      const k = kept[s];
      if (k.length < max) k.push({ p, s, i });
    };
    for (let i = 0; i < this.results.length; i++) {
      const ps = this.results[i]!.problems;
      for (let k = 0; k < ps.length; k++) take(ps[k], i);
      if (dups.size) {
        const d = dups.get(i);
        if (d) take(d, i);
      }
    }
    this.lastCounts = counts;
    const total = counts.error + counts.warning + counts.information + counts.hint;
    const limit = total > max ? max - 1 : max;
    const out: Diagnostic[] = [];
    // Severity by severity, so the cap keeps errors first; within one severity, by line.
    for (const sev of SEVERITIES) {
      for (const { p, s, i } of kept[sev]) {
        if (out.length >= limit) break;
        out.push(toDiagnostic(s === p.severity ? p : { ...p, severity: s }, i));
      }
    }
    if (total > limit) out.push(summaryDiagnostic(total - limit, counts, limit));
    return out;
  }
}

/** Line breaks in `s` as LSP counts them (\n, \r\n, \r). */
export function countLineBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (s.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

export function stripCR(s: string): string {
  return s.length && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

/** The text of line `i` without its line break. */
export function lineText(doc: TextDocument, i: number): string {
  if (doc instanceof LineDocument) return doc.line(i);
  const t = doc.getText({ start: { line: i, character: 0 }, end: { line: i + 1, character: 0 } });
  return stripCR(t.endsWith("\n") ? t.slice(0, -1) : t);
}

/** A schema file's problems as diagnostics (offsets through the document). */
export function schemaDiagnostics(doc: TextDocument, problems: Problem[], max = DEFAULT_MAX_DIAGNOSTICS, overrides?: SeverityOverrides): Diagnostic[] {
  const diags = applyOverrides(problems, overrides).map((p) => {
    const s = doc.positionAt(p.start);
    const e = doc.positionAt(p.end);
    return toDiagnostic(p, s.line, e.line, e.character, s.character);
  });
  diags.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return capDiagnostics(diags, max);
}

export { SEVERITY_RANK };

/** Problems with their configured severities; turned-off codes dropped. */
export function applyOverrides(problems: Problem[], overrides?: SeverityOverrides): Problem[] {
  if (!overrides) return problems;
  const out: Problem[] = [];
  for (const p of problems) {
    const s = severityOf(p.code, p.severity, overrides);
    if (s) out.push(s === p.severity ? p : { ...p, severity: s });
  }
  return out;
}
