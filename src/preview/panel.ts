/**
 * The preview panel's host side: creates the webview (Monaco, CSP with nonces), keeps the chosen
 * tool schema file in sync (unsaved edits and changes on disk), and runs "Try a model" through
 * the generation worker, streaming text into the webview.
 */
import * as vscode from "vscode";
import { Disposable, type Ctx } from "../context";
import { Config } from "../config";
import { InferenceClient } from "../inference/client";
import { isWebviewToHost, type CheckpointInfo, type HostToWebview, type Prefill, type SamplingSettings, type SchemaFileEntry, type ToolSource, type WebviewToHost } from "../../common/preview/protocol";
import { TryRunner } from "./tryRunner";
import { previewHtml } from "./page";
import { makeNonce } from "../webviewHtml";

export const PREVIEW_VIEW_TYPE = "tooln1.preview";
const LAST_CHECKPOINT_KEY = "tooln1.preview.lastCheckpoint";

export class PreviewPanel extends Disposable {
  private static current: PreviewPanel | undefined;

  private tools: ToolSource | null = null;
  private schemaWatch: vscode.Disposable | undefined;
  private readyWaiters: (() => void)[] = [];
  private ready = false;
  private client: InferenceClient | null = null;
  private checkpoint: CheckpointInfo | null = null;
  private runner: TryRunner | null = null;
  private loading: Promise<void> | null = null;

  /** Opens (or reveals) the one preview panel, optionally prefilled. */
  static show(ctx: Ctx, prefill?: Prefill, toolsUri?: string): PreviewPanel {
    let p = PreviewPanel.current;
    if (p) p.panel.reveal(undefined, false);
    else {
      const panel = vscode.window.createWebviewPanel(PREVIEW_VIEW_TYPE, "Tool-N1 Preview", vscode.ViewColumn.Beside, PreviewPanel.options(ctx));
      p = new PreviewPanel(ctx, panel);
    }
    if (prefill || toolsUri) void p.applyPrefill(prefill ?? {}, toolsUri);
    return p;
  }

  /** Restores a panel VS Code kept across a reload (its webview restores its own state). */
  static revive(ctx: Ctx, panel: vscode.WebviewPanel): void {
    panel.webview.options = PreviewPanel.options(ctx);
    PreviewPanel.current?.dispose();
    new PreviewPanel(ctx, panel);
  }

  static get active(): PreviewPanel | undefined {
    return PreviewPanel.current;
  }

  private static options(ctx: Ctx): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.file(ctx.asAbsolutePath("dist/webview"))],
    };
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly panel: vscode.WebviewPanel,
  ) {
    super();
    PreviewPanel.current = this;
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isWebviewToHost(m)) void this.onMessage(m);
        else this.ctx.log.warn("preview: a malformed message from the webview was ignored");
      }),
    );
    panel.webview.html = this.html();
    const cfg = new Config();
    const watcher = vscode.workspace.createFileSystemWatcher(`{${cfg.schemaFiles.join(",")}}`);
    this.register(watcher);
    this.register(watcher.onDidCreate(() => void this.sendSchemaFiles()));
    this.register(watcher.onDidDelete(() => void this.sendSchemaFiles()));
  }

  override dispose(): void {
    if (PreviewPanel.current === this) PreviewPanel.current = undefined;
    this.runner?.stop();
    this.schemaWatch?.dispose();
    void this.client?.dispose();
    this.client = null;
    super.dispose();
    this.panel.dispose();
  }

  private post(m: HostToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((r) => this.readyWaiters.push(r));
  }

  private html(): string {
    const w = this.panel.webview;
    return previewHtml(w.cspSource, makeNonce(), (f) => w.asWebviewUri(vscode.Uri.file(this.ctx.asAbsolutePath(`dist/webview/${f}`))).toString());
  }

  async applyPrefill(prefill: Prefill, toolsUri?: string): Promise<void> {
    await this.whenReady();
    if (toolsUri) await this.chooseSchema(toolsUri);
    else if (prefill.tools) this.setInlineTools(prefill.tools);
    this.post({ type: "prefill", prefill: { ...prefill, tools: undefined } });
  }

  async focusTry(): Promise<void> {
    await this.whenReady();
    await this.loading;
    if (!this.checkpoint) await this.chooseCheckpoint();
    this.post({ type: "focusTry" });
  }

  private setInlineTools(t: ToolSource): void {
    this.schemaWatch?.dispose();
    this.schemaWatch = undefined;
    this.tools = t;
    this.post({ type: "schema", tools: t });
  }

  private async schemaFiles(): Promise<SchemaFileEntry[]> {
    const cfg = new Config();
    const uris = await vscode.workspace.findFiles(`{${cfg.schemaFiles.join(",")}}`, "**/node_modules/**", 500);
    return uris
      .map((u) => ({ uri: u.toString(), label: vscode.workspace.asRelativePath(u) }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }

  private async sendSchemaFiles(): Promise<void> {
    this.post({ type: "schemaFiles", files: await this.schemaFiles() });
  }

  /**
   * Whether the webview may have `uriText` opened or read: only a schema file the panel lists, or
   * the file the host itself chose (a prefill). A webview message is untrusted input.
   */
  private async listed(uriText: string): Promise<boolean> {
    if (uriText === this.tools?.uri) return true;
    return (await this.schemaFiles()).some((f) => f.uri === uriText);
  }

  /** Chooses a schema file and keeps the webview in sync with it (unsaved edits included). */
  private async chooseSchema(uriText: string): Promise<void> {
    this.schemaWatch?.dispose();
    this.schemaWatch = undefined;
    if (!uriText) {
      this.tools = null;
      this.post({ type: "schema", tools: null });
      return;
    }
    const uri = vscode.Uri.parse(uriText);
    const label = vscode.workspace.asRelativePath(uri);
    const push = async () => {
      try {
        const doc = await vscode.workspace.openTextDocument(uri);
        this.tools = { uri: uriText, label, text: doc.getText() };
        this.post({ type: "schema", tools: this.tools });
      } catch (e) {
        this.tools = null;
        this.post({ type: "schema", tools: null, error: `${label} could not be read: ${(e as Error).message}` });
      }
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void push(), 100);
    };
    const subs: vscode.Disposable[] = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === uriText) later();
      }),
    ];
    if (uri.scheme === "file") {
      const fsw = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, ".."), uri.path.split("/").pop()!));
      subs.push(fsw, fsw.onDidChange(later), fsw.onDidCreate(later), fsw.onDidDelete(() => {
        this.tools = null;
        this.post({ type: "schema", tools: null, error: `${label} was deleted.` });
      }));
    }
    subs.push({ dispose: () => clearTimeout(timer) });
    this.schemaWatch = vscode.Disposable.from(...subs);
    await push();
  }

  private refuse(what: string, uri: string): void {
    this.ctx.log.warn(`preview: ${what} refused for ${uri}: not a schema file this panel lists`);
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    try {
      switch (m.type) {
        case "ready": {
          const files = await this.schemaFiles();
          const wanted = m.state?.schemaUri || (this.tools?.uri ?? "") || (files.length === 1 ? files[0].uri : "");
          this.post({ type: "init", schemaFiles: files, tools: this.tools, prefill: null, checkpoint: this.checkpoint, trusted: vscode.workspace.isTrusted });
          this.ready = true;
          // A prefill waiting for this handshake brings its own tools: it wins over the restored choice.
          const prefillPending = this.readyWaiters.length > 0;
          const last = this.ctx.extension.workspaceState.get<string>(LAST_CHECKPOINT_KEY);
          if (last && !this.checkpoint && vscode.workspace.isTrusted) this.loading = this.loadCheckpoint(last, true);
          for (const r of this.readyWaiters.splice(0)) r();
          if (wanted && !this.tools && !prefillPending && (await this.listed(wanted))) await this.chooseSchema(wanted);
          return;
        }
        case "chooseSchema":
          if (m.uri && !(await this.listed(m.uri))) return this.refuse(m.type, m.uri);
          await this.chooseSchema(m.uri);
          return;
        case "openSchemaFile":
          if (!(await this.listed(m.uri))) return this.refuse(m.type, m.uri);
          await vscode.window.showTextDocument(vscode.Uri.parse(m.uri), { viewColumn: vscode.ViewColumn.One });
          return;
        case "chooseCheckpoint":
          await this.chooseCheckpoint();
          return;
        case "generate":
          await this.generate(m.query, m.sampling);
          return;
        case "stop":
          this.runner?.stop();
          return;
      }
    } catch (e) {
      this.ctx.log.error(`preview: ${(e as Error).stack ?? e}`);
      this.post({ type: "genError", message: (e as Error).message });
    }
  }

  private async chooseCheckpoint(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: "Use this checkpoint",
      title: "Choose an exported checkpoint folder (model.onnx, tokenizer.json, tooln1-export.json)",
    });
    if (!picked?.[0]) return;
    this.loading = this.loadCheckpoint(picked[0].fsPath, false);
    await this.loading;
  }

  private async loadCheckpoint(dir: string, quiet: boolean): Promise<void> {
    if (!(await this.ctx.requireTrust("Running a model (onnxruntime loads native code on the model file)"))) return;
    this.client ??= new InferenceClient(this.ctx.asAbsolutePath("dist/generate.worker.js"));
    this.post({ type: "checkpoint", checkpoint: null, loading: `loading ${dir}…` });
    try {
      const m = await this.client.load(dir, new Config().executionProvider);
      this.checkpoint = { dir: m.dir, provider: m.provider, providerNote: m.providerNote, hasChatTemplate: m.hasChatTemplate };
      await this.ctx.extension.workspaceState.update(LAST_CHECKPOINT_KEY, dir);
      this.ctx.log.info(`preview: loaded ${dir} on ${m.provider} in ${m.loadMs.toFixed(0)} ms`);
      this.post({ type: "checkpoint", checkpoint: this.checkpoint });
    } catch (e) {
      this.checkpoint = null;
      const msg = (e as Error).message;
      this.ctx.log.warn(`preview: could not load ${dir}: ${msg}`);
      if (quiet) await this.ctx.extension.workspaceState.update(LAST_CHECKPOINT_KEY, undefined);
      this.post({ type: "checkpoint", checkpoint: null, error: msg });
    }
  }

  private async generate(query: string, sampling: SamplingSettings): Promise<void> {
    if (!(await this.ctx.requireTrust("Running a model"))) {
      this.post({ type: "genError", message: "Running a model is disabled in an untrusted workspace." });
      return;
    }
    await this.loading;
    if (!this.client || !this.checkpoint) {
      await this.chooseCheckpoint();
      if (!this.client || !this.checkpoint) {
        this.post({ type: "genError", message: "Choose an exported checkpoint folder first (Choose checkpoint…)." });
        return;
      }
    }
    this.runner ??= new TryRunner(this.client, (m) => this.post(m));
    await this.runner.run(this.tools?.text ?? null, query, sampling);
  }
}
