/**
 * The tool-schema language service: pure logic over `TextDocument`s, returning LSP types. The server
 * (../server.ts) only wires it to a connection; `tooln1 check` uses the same checks line by line.
 * No method throws: a failure inside becomes an empty answer (or an `internal_error` diagnostic) and
 * is reported to `ServiceOptions.log` (the server's output).
 */
import type { CodeAction, CompletionItem, Diagnostic, DocumentSymbol, Hover, Location, Position, Range, TextEdit } from "vscode-languageserver-types";
import { CodeActionKind, SymbolKind } from "vscode-languageserver-types";
import type { TextDocument, TextDocumentContentChangeEvent } from "vscode-languageserver-textdocument";
import { DatasetState, DEFAULT_MAX_DIAGNOSTICS, applyOverrides, schemaDiagnostics, toDiagnostic } from "./diagnostics";
import type { SeverityOverrides } from "./severity";
import { checkSchemaText } from "./schemaFile";
import { regionAt, hover, completion, toolDefinitionIn, nameAt, callRangesIn, schemaSymbols, codeActions, renameToolEdits, type DocKind } from "./features";
import { lineText } from "./diagnostics";
import { internalError, type LineResult } from "./dataset";
import type { FixData, Problem } from "./problems";

export type { DocKind } from "./features";
export { checkDatasetLine, checkSampleValue, duplicateIdProblem, invalidUtf8Problem, lineTooLongProblem, type LineResult } from "./dataset";
export { checkSchemaText } from "./schemaFile";
export { CODES, type Problem, type Severity } from "./problems";
export { LineDocument } from "./lineDocument";
export { parseOverrides, severityOf, type SeverityOverrides } from "./severity";

export const TOOLS_LANGUAGE_ID = "tooln1-tools";
export const DATASET_LANGUAGE_ID = "tooln1-dataset";

/** Which kind of file a document is: by language id, else by extension (`.jsonl` datasets, `.json` tool schemas). */
export function kindOf(doc: { languageId: string; uri: string }): DocKind | undefined {
  if (doc.languageId === TOOLS_LANGUAGE_ID) return "tools";
  if (doc.languageId === DATASET_LANGUAGE_ID) return "dataset";
  const u = doc.uri.toLowerCase();
  if (u.endsWith(".jsonl")) return "dataset";
  if (u.endsWith(".json") || u.endsWith(".jsonc")) return "tools";
  return undefined;
}

/** One problem with 0-based positions, for reports. */
export interface PlacedProblem {
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  severity: Problem["severity"];
  code: string;
  message: string;
}

export interface ServiceOptions {
  /** Other open documents, for definitions and references across files. */
  documents?: () => Iterable<TextDocument>;
  /** Receives every exception the service turns into an empty answer or an internal_error diagnostic. */
  log?: (message: string) => void;
}

export class ToolN1LanguageService {
  private readonly datasets = new Map<string, DatasetState>();

  constructor(private readonly opts: ServiceOptions = {}) {}

  /** Tells the service which lines of an open dataset an edit touched (call for every didChange). */
  noteChanges(uri: string, changes: TextDocumentContentChangeEvent[]): void {
    this.datasets.get(uri)?.noteChanges(changes);
  }

  /** Results for every line of an open dataset, checked elsewhere (the server's second thread). */
  prefill(doc: TextDocument, results: LineResult[]): void {
    if (kindOf(doc) === "dataset" && results.length === doc.lineCount) this.state(doc.uri).prefill(results);
  }

  close(uri: string): void {
    this.datasets.delete(uri);
  }

  /** Diagnostics for a document, at most `max` (errors first, then a summary). */
  validate(doc: TextDocument, max = DEFAULT_MAX_DIAGNOSTICS, overrides?: SeverityOverrides): Diagnostic[] {
    const kind = kindOf(doc);
    try {
      if (kind === "dataset") return this.state(doc.uri).validate(doc, max, overrides);
      if (kind === "tools") return schemaDiagnostics(doc, checkSchemaText(doc.getText()).problems, max, overrides);
    } catch (e) {
      this.report("validate", doc.uri, e);
      this.datasets.delete(doc.uri);
      return [toDiagnostic(internalError(e), 0)];
    }
    return [];
  }

  /** Every problem of a document, uncapped (the "Show all problems" report). */
  allProblems(doc: TextDocument, overrides?: SeverityOverrides): PlacedProblem[] {
    const kind = kindOf(doc);
    try {
      if (kind === "dataset") {
        return this.state(doc.uri)
          .allProblems(doc, overrides)
          .map(({ line, problem: p }) => ({ line, character: p.start, endLine: line, endCharacter: p.end, severity: p.severity, code: p.code, message: p.message }));
      }
      if (kind === "tools") {
        return applyOverrides(checkSchemaText(doc.getText()).problems, overrides).map((p) => {
          const s = doc.positionAt(p.start);
          const e = doc.positionAt(p.end);
          return { line: s.line, character: s.character, endLine: e.line, endCharacter: e.character, severity: p.severity, code: p.code, message: p.message };
        });
      }
    } catch (e) {
      this.report("allProblems", doc.uri, e);
      const p = internalError(e);
      return [{ line: 0, character: 0, endLine: 0, endCharacter: 1, severity: p.severity, code: p.code, message: p.message }];
    }
    return [];
  }

  /** How many lines the last validation of this dataset re-checked. */
  lastChecked(uri: string): number {
    return this.datasets.get(uri)?.lastChecked ?? 0;
  }

  hover(doc: TextDocument, pos: Position): Hover | null {
    return this.safe("hover", doc, null, () => {
      const r = this.region(doc, pos);
      return r ? hover(r, pos) : null;
    });
  }

  completion(doc: TextDocument, pos: Position): CompletionItem[] {
    return this.safe("completion", doc, [], () => {
      const r = this.region(doc, pos);
      return r ? completion(r, pos) : [];
    });
  }

  /** From a call's name to its tool: the same line's tools first, then open tool schema files. */
  definition(doc: TextDocument, pos: Position): Location[] {
    return this.safe("definition", doc, [], () => {
      const r = this.region(doc, pos);
      const at = r && nameAt(r, pos);
      if (!r || !at || !at.isCall) return [];
      const here = toolDefinitionIn(r, doc.uri, at.name);
      if (here) return [here];
      const out: Location[] = [];
      for (const other of this.opts.documents?.() ?? []) {
        if (kindOf(other) !== "tools") continue;
        const or = regionAt(other, "tools", 0);
        const l = or && toolDefinitionIn(or, other.uri, at.name);
        if (l) out.push(l);
      }
      return out;
    });
  }

  /** Calls of a tool across the dataset (and other open datasets when asked from a schema file). */
  references(doc: TextDocument, pos: Position, includeDeclaration: boolean): Location[] {
    return this.safe("references", doc, [], () => {
      const r = this.region(doc, pos);
      const at = r && nameAt(r, pos);
      if (!r || !at) return [];
      const out: Location[] = [];
      const datasets = kindOf(doc) === "dataset" ? [doc] : [...(this.opts.documents?.() ?? [])].filter((d) => kindOf(d) === "dataset");
      for (const d of datasets) {
        const st = this.state(d.uri);
        st.ensure(d);
        for (let i = 0; i < d.lineCount; i++) {
          const lr = st.resultAt(i);
          if (!lr?.callNames?.includes(at.name)) continue;
          const lineRegion = regionAt(d, "dataset", i);
          if (lineRegion) for (const range of callRangesIn(lineRegion, at.name)) out.push({ uri: d.uri, range });
        }
      }
      if (includeDeclaration) {
        const def = toolDefinitionIn(r, doc.uri, at.name);
        if (def) out.unshift(def);
      }
      return out;
    });
  }

  documentSymbols(doc: TextDocument): DocumentSymbol[] {
    return this.safe("documentSymbols", doc, [], () => {
      const kind = kindOf(doc);
      if (kind === "tools") {
        const r = regionAt(doc, "tools", 0);
        return r ? schemaSymbols(r) : [];
      }
      if (kind !== "dataset") return [];
      const st = this.state(doc.uri);
      st.ensure(doc);
      const out: DocumentSymbol[] = [];
      for (let i = 0; i < doc.lineCount; i++) {
        const lr = st.resultAt(i);
        if (!lr || (lr.id === undefined && !lr.toolNames)) continue;
        const range: Range = { start: { line: i, character: 0 }, end: { line: i, character: 0 } };
        out.push({
          name: lr.id !== undefined ? lr.id : `line ${i + 1}`,
          detail: `${lr.toolNames?.length ?? 0} tools, ${lr.callNames?.length ?? 0} calls${lr.callNames?.length ? ": " + lr.callNames.slice(0, 4).join(", ") : ""}`,
          kind: SymbolKind.Object,
          range,
          selectionRange: range,
        });
      }
      return out;
    });
  }

  codeActions(doc: TextDocument, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
    return this.safe("codeActions", doc, [], () => {
      const r = this.region(doc, range.start);
      if (!r) return [];
      const line = r.line;
      const mine = diagnostics.filter((d) => d.source === "tooln1" && (line < 0 || d.range.start.line === line));
      const out = codeActions(r, doc.uri, range, mine);
      for (const d of mine) {
        const data = d.data as FixData | undefined;
        if (data?.fix !== "renameAll") continue;
        const edits = this.renameEverywhere(doc, data.name, data.suggestion);
        if (edits.length) {
          out.unshift({ title: `Rename "${data.name}" to "${data.suggestion}" everywhere in this file (${edits.length} places)`, kind: CodeActionKind.QuickFix, edit: { changes: { [doc.uri]: edits } }, diagnostics: [d], isPreferred: true });
        }
      }
      return out;
    });
  }

  /** Every definition and call of tool `from` in the document, renamed to `to`. */
  renameEverywhere(doc: TextDocument, from: string, to: string): TextEdit[] {
    const kind = kindOf(doc);
    if (kind === "tools") {
      const r = regionAt(doc, "tools", 0);
      return r ? renameToolEdits(r, from, to) : [];
    }
    if (kind !== "dataset") return [];
    const out: TextEdit[] = [];
    const quoted = JSON.stringify(from).slice(1, -1);
    for (let i = 0; i < doc.lineCount; i++) {
      const text = lineText(doc, i);
      if (!text.includes(quoted) && !text.includes(from)) continue;
      const r = regionAt(doc, "dataset", i);
      if (r) out.push(...renameToolEdits(r, from, to));
    }
    return out;
  }

  private region(doc: TextDocument, pos: Position) {
    const kind = kindOf(doc);
    return kind ? regionAt(doc, kind, pos.line) : undefined;
  }

  private state(uri: string): DatasetState {
    let s = this.datasets.get(uri);
    if (!s) this.datasets.set(uri, (s = new DatasetState()));
    return s;
  }

  private safe<T>(what: string, doc: TextDocument, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.report(what, doc.uri, e);
      return fallback;
    }
  }

  private report(what: string, uri: string, e: unknown): void {
    this.opts.log?.(`${what} failed on ${uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}
