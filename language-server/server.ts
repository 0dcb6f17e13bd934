/**
 * Tool-schema language server: wiring only; the logic lives in ./service. Runs over IPC (from the
 * extension) or `--stdio` (other editors). Datasets are re-checked incrementally: each didChange marks
 * the lines it touched, and a short debounce later only those lines are checked again.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import {
  createConnection, ProposedFeatures, TextDocumentSyncKind, CodeActionKind, DidChangeConfigurationNotification,
  type Diagnostic, type InitializeParams, type Connection,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { ToolN1LanguageService, kindOf, parseOverrides, type PlacedProblem, type SeverityOverrides } from "./service";
import { LineDocument } from "./service/lineDocument";
import { DEFAULT_MAX_DIAGNOSTICS, capDiagnostics, toDiagnostic } from "./service/diagnostics";
import { checkFile, kindOfPath } from "./fileCheck";
import { AllProblemsRequest, ValidateFileRequest, ValidateProgressNotification } from "./protocol";
import { CheckWorker, IS_CHECK_WORKER, runCheckWorker } from "./checkWorker";
import { checkDatasetLine } from "./service/dataset";

if (IS_CHECK_WORKER) runCheckWorker();
else main();

function main(): void {
  /** Debounce after an edit before re-checking (ms): datasets re-check only touched lines, so short. */
  const DEBOUNCE_MS = { dataset: 8, tools: 60 };
  const REPORT_LIMIT = 200_000;

  const connection: Connection = createConnection(ProposedFeatures.all);
  const documents = new Map<string, TextDocument>();
  const log = (message: string): void => connection.console.error(message);
  const service = new ToolN1LanguageService({ documents: () => documents.values(), log });
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Max diagnostics per file, pulled per resource from the client's settings (tooln1.maxDiagnosticsPerFile). */
  const maxPerUri = new Map<string, number>();
  /** Severity per code, pulled with it (tooln1.diagnosticSeverity). */
  const overridesPerUri = new Map<string, SeverityOverrides>();
  /** Problems of files validated from disk (kept for the full report), most recent few. */
  const diskReports = new Map<string, PlacedProblem[]>();
  let canPullConfig = false;
  /** Datasets just opened: their first check is split with a second thread when they are large. */
  const justOpened = new Set<string>();
  const PARALLEL_OPEN_LINES = 4000;
  // With two cores or fewer the split is slower than one thread (measured on 20k lines: 1.25-1.33 s
  // against 1.05-1.16 s to first diagnostics): V8's compiler and GC threads need the second core.
  // TOOLN1_LS_THREADS=1|2 overrides (tests, benchmarks).
  const splitOpen = process.env.TOOLN1_LS_THREADS ? process.env.TOOLN1_LS_THREADS === "2" : availableParallelism() > 2;
  const worker = new CheckWorker(__filename, log);
  process.on("exit", () => worker.dispose());

  /** Checks the lines of a newly opened large dataset on two threads, then hands the results to the service. */
  async function prefill(doc: LineDocument): Promise<void> {
    const version = doc.version;
    const lines = doc.snapshotLines();
    const half = lines.length >> 1;
    const pending = worker.check(lines.slice(half));
    const first = lines.slice(0, half).map(checkDatasetLine);
    const rest = await pending;
    if (!rest || rest.length !== lines.length - half || documents.get(doc.uri) !== doc || doc.version !== version) return;
    service.prefill(doc, first.concat(rest));
  }

  connection.onInitialize((params: InitializeParams) => {
    canPullConfig = !!params.capabilities.workspace?.configuration;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['"', ":", " "] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
      },
      serverInfo: { name: "tooln1-language-server" },
    };
  });

  connection.onInitialized(() => {
    // The second checking thread loads now, not when the first large dataset opens.
    if (splitOpen) worker.warm();
    if (canPullConfig) void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
  });

  connection.onDidChangeConfiguration(() => {
    maxPerUri.clear();
    overridesPerUri.clear();
    for (const doc of documents.values()) schedule(doc, 0);
  });

  async function maxDiagnostics(uri: string): Promise<number> {
    const cached = maxPerUri.get(uri);
    if (cached !== undefined) return cached;
    let n = DEFAULT_MAX_DIAGNOSTICS;
    let ov: SeverityOverrides | undefined;
    if (canPullConfig) {
      try {
        const [v, sev] = (await connection.workspace.getConfiguration([
          { scopeUri: uri, section: "tooln1.maxDiagnosticsPerFile" },
          { scopeUri: uri, section: "tooln1.diagnosticSeverity" },
        ])) as unknown[];
        if (typeof v === "number" && v >= 10) n = Math.min(1000, Math.floor(v));
        const parsed = parseOverrides(sev).overrides;
        if (Object.keys(parsed).length) ov = parsed;
      } catch {
        // keep the defaults
      }
    }
    maxPerUri.set(uri, n);
    if (ov) overridesPerUri.set(uri, ov);
    else overridesPerUri.delete(uri);
    return n;
  }

  function schedule(doc: TextDocument, delay: number): void {
    const old = timers.get(doc.uri);
    if (old) clearTimeout(old);
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        void validate(doc.uri);
      }, delay),
    );
  }

  async function validate(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return;
    const max = await maxDiagnostics(uri);
    if (justOpened.delete(uri) && splitOpen && doc instanceof LineDocument && doc.lineCount >= PARALLEL_OPEN_LINES) await prefill(doc);
    const current = documents.get(uri);
    if (current !== doc || current.version !== doc.version) return schedule(current ?? doc, 0);
    let diagnostics: Diagnostic[];
    try {
      diagnostics = service.validate(doc, max, overridesPerUri.get(uri));
    } catch (e) {
      log(`validate failed on ${uri}: ${(e as Error).stack ?? String(e)}`);
      diagnostics = [];
    }
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  }

  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    // Datasets are kept line by line, so an edit never copies the whole (up to 50 MB) text.
    const doc = kindOf(t) === "dataset" ? new LineDocument(t.uri, t.languageId, t.version, t.text) : TextDocument.create(t.uri, t.languageId, t.version, t.text);
    documents.set(t.uri, doc);
    service.close(t.uri);
    diskReports.delete(t.uri);
    justOpened.add(t.uri);
    schedule(doc, 0);
  });

  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const doc = documents.get(t.uri);
    if (!doc) return;
    service.noteChanges(t.uri, contentChanges);
    if (doc instanceof LineDocument) doc.update(contentChanges, t.version);
    else TextDocument.update(doc, contentChanges, t.version);
    schedule(doc, DEBOUNCE_MS[kindOf(doc) ?? "tools"]);
  });

  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    documents.delete(t.uri);
    justOpened.delete(t.uri);
    service.close(t.uri);
    const tm = timers.get(t.uri);
    if (tm) clearTimeout(tm);
    timers.delete(t.uri);
    maxPerUri.delete(t.uri);
    void connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
  });

  const docOf = (uri: string) => documents.get(uri);
  connection.onHover(({ textDocument, position }) => {
    const d = docOf(textDocument.uri);
    return d ? service.hover(d, position) : null;
  });
  connection.onCompletion(({ textDocument, position }) => {
    const d = docOf(textDocument.uri);
    return d ? service.completion(d, position) : [];
  });
  connection.onDefinition(({ textDocument, position }) => {
    const d = docOf(textDocument.uri);
    return d ? service.definition(d, position) : [];
  });
  connection.onReferences(({ textDocument, position, context }) => {
    const d = docOf(textDocument.uri);
    return d ? service.references(d, position, context.includeDeclaration) : [];
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const d = docOf(textDocument.uri);
    return d ? service.documentSymbols(d) : [];
  });
  connection.onCodeAction(({ textDocument, range, context }) => {
    const d = docOf(textDocument.uri);
    return d ? service.codeActions(d, range, context.diagnostics) : [];
  });

  /** Validates a file from disk (large datasets VS Code never opens for extensions), with progress. */
  connection.onRequest(ValidateFileRequest, async ({ uri, publish }, token) => {
    const path = fileURLToPath(uri);
    const kind = kindOf({ uri, languageId: "" }) ?? kindOfPath(path);
    const max = await maxDiagnostics(uri);
    const problems: PlacedProblem[] = [];
    let lastProgress = 0;
    const ov = overridesPerUri.get(uri);
    const sum = await checkFile(path, kind, (p) => {
      if (problems.length < REPORT_LIMIT) problems.push(p);
    }, {
      ...(ov ? { overrides: ov } : {}),
      cancelled: () => token.isCancellationRequested,
      onProgress: (bytesRead, totalBytes) => {
        const now = Date.now();
        if (now - lastProgress > 100 || bytesRead === totalBytes) {
          lastProgress = now;
          void connection.sendNotification(ValidateProgressNotification, { uri, bytesRead, totalBytes });
        }
      },
    });
    diskReports.set(uri, problems);
    while (diskReports.size > 8) diskReports.delete(diskReports.keys().next().value as string);
    if (publish && !documents.has(uri)) {
      const diags = problems.map((p) => toDiagnostic({ code: p.code, severity: p.severity, message: p.message, start: p.character, end: p.endCharacter }, p.line, p.endLine));
      void connection.sendDiagnostics({ uri, diagnostics: capDiagnostics(diags, max) });
    }
    return { uri, ...sum };
  });

  connection.onRequest(AllProblemsRequest, async ({ uri }) => {
    const doc = documents.get(uri);
    if (doc) {
      await maxDiagnostics(uri);
      const problems = service.allProblems(doc, overridesPerUri.get(uri));
      return { uri, problems: problems.slice(0, REPORT_LIMIT), truncated: problems.length > REPORT_LIMIT };
    }
    let problems = diskReports.get(uri);
    if (!problems) {
      const path = fileURLToPath(uri);
      const list: PlacedProblem[] = [];
      await maxDiagnostics(uri);
      const ov = overridesPerUri.get(uri);
      await checkFile(path, kindOf({ uri, languageId: "" }) ?? kindOfPath(path), (p) => {
        if (list.length < REPORT_LIMIT) list.push(p);
      }, ov ? { overrides: ov } : {});
      problems = list;
    }
    return { uri, problems, truncated: problems.length >= REPORT_LIMIT };
  });

  process.on("uncaughtException", (e) => connection.console.error(`tooln1 server: ${e.stack ?? e.message}`));
  process.on("unhandledRejection", (e) => connection.console.error(`tooln1 server: ${String(e)}`));

  connection.listen();
}
