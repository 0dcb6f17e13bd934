/**
 * The BFCL results view's host side: every evaluation under `<runs>/bfcl` as a Table 2 row, the
 * selected one's categories and failures; a failure opens in the rollout inspector at its line.
 */
import * as vscode from "vscode";
import { join } from "node:path";
import { Disposable, type Ctx } from "../context";
import { loadWebviewPage } from "../webviewPanel";
import { RESULTS_FILE, TABLE2_COLUMNS, listEvaluations, readFailures, table2Row } from "./bfcl";
import { isWebviewMessage, type EvaluationView, type HostMessage, type WebviewMessage } from "../../common/evaluation/protocol";
import type { EvaluationService } from "./activate";

export const RESULTS_VIEW_TYPE = "tooln1.bfclResults";

export class ResultsPanel extends Disposable {
  static current: ResultsPanel | undefined;
  private ready = false;
  private selected: string | null = null;

  private constructor(
    private readonly ctx: Ctx,
    private readonly svc: EvaluationService,
    readonly panel: vscode.WebviewPanel,
    private root: string,
  ) {
    super();
    loadWebviewPage(panel.webview, ctx.extension.extensionUri, "evaluation", "Tool-N1 BFCL Results");
    this.register(panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(svc.onDidChange(() => this.postRunning()));
  }

  /** Opens (or reveals) the view on `root`, optionally selecting one evaluation. */
  static async show(ctx: Ctx, svc: EvaluationService, root: string, select?: string): Promise<ResultsPanel> {
    let p = ResultsPanel.current;
    if (!p) {
      const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, "BFCL Results", vscode.ViewColumn.Active, { enableScripts: true });
      panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, "media", "tooln1.svg");
      p = ResultsPanel.current = new ResultsPanel(ctx, svc, panel, root);
    } else {
      p.root = root;
      p.panel.reveal(undefined, true);
    }
    if (select) p.selected = select;
    if (p.ready) await p.sendInit();
    return p;
  }

  static revive(ctx: Ctx, svc: EvaluationService, panel: vscode.WebviewPanel, root: string): ResultsPanel {
    ResultsPanel.current?.dispose();
    return (ResultsPanel.current = new ResultsPanel(ctx, svc, panel, root));
  }

  override dispose(): void {
    if (ResultsPanel.current === this) ResultsPanel.current = undefined;
    super.dispose();
  }

  private post(m: HostMessage): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(m);
  }

  private postRunning(): void {
    const r = this.svc.running;
    this.post({ type: "running", running: r ? { model: vscode.workspace.asRelativePath(r.model), done: r.done, total: r.total } : null });
  }

  private async sendInit(): Promise<void> {
    const { evaluations, problems } = await listEvaluations(this.root);
    const views: EvaluationView[] = [];
    for (const e of evaluations) {
      let failures: EvaluationView["failures"] = [];
      let more = 0;
      try {
        const f = await readFailures(join(e.dir, RESULTS_FILE));
        failures = f.failures;
        more = f.more;
      } catch (err) {
        problems.push(`${join(e.dir, RESULTS_FILE)}: ${(err as Error).message}`);
      }
      views.push({
        dir: e.dir,
        label: e.label,
        model: e.model ? vscode.workspace.asRelativePath(e.model) : "",
        row: table2Row(e.scores),
        categories: Object.entries(e.scores.categories).map(([name, c]) => ({ name, ...c })),
        failures,
        moreFailures: more,
      });
    }
    this.post({ type: "init", columns: TABLE2_COLUMNS.map((c) => ({ group: c.group, label: c.label })), evaluations: views, selected: this.selected, problems });
    this.postRunning();
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isWebviewMessage(raw)) return;
    const m: WebviewMessage = raw;
    switch (m.type) {
      case "ready":
        this.ready = true;
        await this.sendInit();
        return;
      case "select":
        this.selected = m.dir;
        return;
      case "openFailure":
        if (!this.isKnown(m.dir)) return;
        await vscode.commands.executeCommand("tooln1.inspectRollouts", { uri: join(m.dir, RESULTS_FILE), line: m.line });
        return;
      case "openResults":
        if (!this.isKnown(m.dir)) return;
        await vscode.commands.executeCommand("tooln1.inspectRollouts", vscode.Uri.file(join(m.dir, RESULTS_FILE)));
        return;
      case "evaluate":
        await vscode.commands.executeCommand("tooln1.evaluateCheckpoint");
        return;
      case "cancel":
        this.svc.cancel();
        return;
    }
  }

  /** Only folders under the view's root: the webview never names an arbitrary path. */
  private isKnown(dir: string): boolean {
    const ok = dir.startsWith(this.root + "/") || dir.startsWith(this.root + "\\");
    if (!ok) this.ctx.log.warn(`BFCL results view: ignored a request for ${dir}`);
    return ok;
  }
}
