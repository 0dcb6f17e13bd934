import * as vscode from "vscode";
import { LanguageClient, TransportKind, type DocumentSelector, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import type { Ctx } from "../context";
import { Config } from "../config";
import { showReport } from "../reports";
import { AllProblemsRequest, SERVER_EXEC_ARGV, ValidateFileRequest, ValidateProgressNotification, type ValidateFileResult } from "../../language-server/protocol";

/** VS Code never syncs files over 50 MB to extensions: those are validated from disk. */
const SYNC_LIMIT_BYTES = 50 * 1024 * 1024;

/**
 * The tool-schema language client: starts dist/server.js over IPC for tool schema files and
 * datasets (language ids plus the `tooln1.schemaFiles` / `tooln1.datasetFiles` globs), restarts it
 * when those settings change, and runs the large-file commands. The server is the extension's own
 * bundled code and reads no workspace setting that names an executable, so it runs in untrusted
 * workspaces too (diagnostics work everywhere).
 */
class LanguageClientHost implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly ctx: Ctx) {}

  private selector(): DocumentSelector {
    const cfg = new Config();
    const sel: DocumentSelector = [
      { language: "tooln1-tools" },
      { language: "tooln1-dataset" },
    ];
    for (const pattern of cfg.schemaFiles) sel.push({ scheme: "file", pattern });
    for (const pattern of cfg.datasetFiles) sel.push({ scheme: "file", pattern });
    return sel;
  }

  async start(): Promise<void> {
    const module = this.ctx.asAbsolutePath("dist/server.js");
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, "--nolazy", "--inspect=6019"] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: this.selector(),
      outputChannel: this.ctx.log,
      synchronize: { configurationSection: "tooln1" },
    };
    const client = new LanguageClient("tooln1", "Tool-N1 Language Server", serverOptions, clientOptions);
    this.client = client;
    this.starting = client.start().catch((e: unknown) => {
      this.ctx.log.error(`language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
    });
    await this.starting;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
    this.ctx.log.info("language server restarted (settings changed)");
  }

  private async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.stop().catch(() => undefined);
  }

  private async ready(): Promise<LanguageClient> {
    await this.starting;
    if (!this.client || !this.client.isRunning()) throw new Error("the Tool-N1 language server is not running; see the Tool-N1 log");
    return this.client;
  }

  /** Datasets (and schema files) over the sync limit, found by the settings' globs. */
  private async largeFiles(): Promise<vscode.Uri[]> {
    const cfg = new Config();
    const seen = new Set<string>();
    const out: vscode.Uri[] = [];
    for (const g of [...cfg.datasetFiles, ...cfg.schemaFiles]) {
      for (const uri of await vscode.workspace.findFiles(g, "**/node_modules/**")) {
        if (seen.has(uri.toString())) continue;
        seen.add(uri.toString());
        const st = await vscode.workspace.fs.stat(uri);
        if (st.size > SYNC_LIMIT_BYTES) out.push(uri);
      }
    }
    return out;
  }

  /** Validates every large dataset from disk, with progress; publishes the first problems of each. */
  async validateLargeFiles(interactive = true): Promise<void> {
    const client = await this.ready();
    const files = await this.largeFiles();
    if (!files.length) {
      if (interactive) void vscode.window.showInformationMessage("Tool-N1: no dataset over 50 MB in this workspace; smaller files are checked as soon as they are opened.");
      return;
    }
    const results: ValidateFileResult[] = [];
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Tool-N1: validating large datasets", cancellable: true },
      async (progress, token) => {
        for (const [i, uri] of files.entries()) {
          if (token.isCancellationRequested) break;
          const name = vscode.workspace.asRelativePath(uri);
          let last = 0;
          const sub = client.onNotification(ValidateProgressNotification, (p) => {
            if (p.uri !== uri.toString() || !p.totalBytes) return;
            const pct = (p.bytesRead / p.totalBytes) * (100 / files.length);
            progress.report({ increment: pct - last, message: `${name} (${i + 1}/${files.length})` });
            last = pct;
          });
          try {
            results.push(await client.sendRequest(ValidateFileRequest, { uri: uri.toString(), publish: true }, token));
          } finally {
            sub.dispose();
          }
        }
      },
    );
    const errors = results.reduce((n, r) => n + r.error, 0);
    const warnings = results.reduce((n, r) => n + r.warning, 0);
    const msg = `Tool-N1: checked ${results.length} large file${results.length === 1 ? "" : "s"}: ${errors} errors, ${warnings} warnings.`;
    this.ctx.log.info(msg);
    if (interactive || errors) {
      const pick = await vscode.window.showInformationMessage(msg, ...(errors + warnings ? ["Show All Problems"] : []));
      if (pick && results[0]) await this.showAllProblems(vscode.Uri.parse(results.find((r) => r.error + r.warning)?.uri ?? results[0].uri));
    }
  }

  /** The full report of a file's problems (no 1,000 cap), in a new editor. */
  async showAllProblems(arg?: unknown): Promise<void> {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showWarningMessage("Tool-N1: open a dataset or tool schema file first (or run the command from a file's context menu).");
      return;
    }
    const client = await this.ready();
    const res = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tool-N1: collecting problems of ${vscode.workspace.asRelativePath(uri)}` },
      () => client.sendRequest(AllProblemsRequest, { uri: uri.toString() }),
    );
    const counts = { error: 0, warning: 0, information: 0, hint: 0 };
    for (const p of res.problems) counts[p.severity]++;
    const path = uri.scheme === "file" ? uri.fsPath : uri.toString();
    const lines = [
      `Tool-N1 problems in ${path}`,
      `${res.problems.length} problems: ${counts.error} errors, ${counts.warning} warnings, ${counts.information} info, ${counts.hint} hints${res.truncated ? " (list cut short; run `tooln1 check` for all)" : ""}`,
      "",
      ...res.problems.map((p) => `${path}:${p.line + 1}:${p.character + 1}: ${p.severity} ${p.code}: ${p.message}`),
    ];
    await showReport(this.ctx, `${uri.path.split("/").pop() ?? "file"}.problems.txt`, lines.join("\n") + "\n", { preview: false });
  }

  dispose(): void {
    void this.stop();
  }
}

/** Starts the tool-schema language server and registers its commands. */
export async function activateLanguageClient(ctx: Ctx): Promise<void> {
  const host = new LanguageClientHost(ctx);
  ctx.push(host);
  ctx.registerCommands({
    "tooln1.validateWorkspaceDatasets": () => host.validateLargeFiles(true),
    "tooln1.showAllProblems": (arg?: unknown) => host.showAllProblems(arg),
  });
  ctx.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (Config.restartLanguageServerOn.some((s) => e.affectsConfiguration(s))) void host.restart();
    }),
  );
  await host.start();
  if (new Config().validateLargeFilesOnOpen) {
    void host.validateLargeFiles(false).catch((e: unknown) => ctx.log.warn(`large-file validation: ${e instanceof Error ? e.message : String(e)}`));
  }
}
