/**
 * The dashboard panel's host side: one panel showing one or more runs (live or from disk).
 * Speaks the typed protocol of common/dashboard/protocol.ts; restores after reload through a
 * panel serializer reading the webview's persisted state.
 */
import * as vscode from "vscode";
import { Disposable, type Ctx } from "../context";
import type { RunData } from "../../common/dashboard/protocol";
import { DEFAULT_VIEW, isWebviewMessage, packColumns, packRun, type HostMessage, type PersistedState, type ViewOptions, type WebviewMessage } from "../../common/dashboard/protocol";
import { toColumns } from "../../common/dashboard/data";
import { loadWebviewPage } from "../webviewPanel";
import { exportBytes } from "./exportFile";
import type { TrainingController } from "./controller";
import { VerlFollower, detectRunSource, type MetricPoint } from "../node/runDir";

export const DASHBOARD_VIEW_TYPE = "tooln1.dashboard";
/** Points are batched this long before they are posted (well inside the 1 s budget). */
const APPEND_BATCH_MS = 40;
/** How often a verl run opened from disk is polled for new file-logger lines. */
const VERL_POLL_MS = 1000;

export class DashboardPanel extends Disposable {
  static current: DashboardPanel | undefined;
  private runIds: string[] = [];
  private view: ViewOptions = { ...DEFAULT_VIEW };
  private ready = false;
  private pending = new Map<string, MetricPoint[]>();
  /** Per live run: the reader's points revision the webview's copy matches. */
  private revisions = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** verl runs opened from disk, followed while the panel shows them. */
  private verl = new Map<string, { follower: VerlFollower; timer: NodeJS.Timeout; known: number }>();

  private constructor(
    private readonly ctx: Ctx,
    private readonly controller: TrainingController,
    readonly panel: vscode.WebviewPanel,
    initialRuns: string[],
  ) {
    super();
    this.runIds = [...initialRuns];
    loadWebviewPage(panel.webview, ctx.extension.extensionUri, "dashboard", "Tool-N1 Run Dashboard");
    this.register(panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(controller.onPoint(({ dir, point }) => this.queue(dir, point)));
    this.register(
      controller.onStatus(({ dir, summary }) => {
        if (!this.runIds.includes(dir)) return;
        this.flush();
        this.resync(dir);
        this.post({ type: "runStatus", run: summary });
      }),
    );
    this.register({ dispose: () => this.flushTimer && clearTimeout(this.flushTimer) });
    this.register({ dispose: () => [...this.verl.keys()].forEach((d) => this.unfollowVerl(d)) });
  }

  /** Opens (or reveals) the dashboard and adds these runs to it. */
  static async show(ctx: Ctx, controller: TrainingController, runDirs: string[]): Promise<DashboardPanel> {
    if (DashboardPanel.current) {
      const d = DashboardPanel.current;
      d.panel.reveal();
      for (const dir of runDirs) await d.addRun(dir);
      return d;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, "Tool-N1 Runs", vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, "media", "tooln1.svg");
    return (DashboardPanel.current = new DashboardPanel(ctx, controller, panel, runDirs));
  }

  /** Brings a panel back after a reload from the webview's persisted state. */
  static revive(ctx: Ctx, controller: TrainingController, panel: vscode.WebviewPanel, state: unknown): DashboardPanel {
    const s = state as PersistedState | undefined;
    const runs = Array.isArray(s?.runIds) ? s!.runIds.filter((r): r is string => typeof r === "string") : [];
    DashboardPanel.current?.dispose();
    const d = (DashboardPanel.current = new DashboardPanel(ctx, controller, panel, runs));
    if (s?.view) d.view = { ...DEFAULT_VIEW, ...s.view };
    return d;
  }

  private post(m: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private queue(dir: string, p: MetricPoint): void {
    if (!this.ready || !this.runIds.includes(dir)) return;
    if (this.resync(dir)) return;
    const q = this.pending.get(dir) ?? [];
    q.push(p);
    this.pending.set(dir, q);
    this.flushTimer ??= setTimeout(() => this.flush(), APPEND_BATCH_MS);
  }

  /**
   * Earlier points were replaced or removed (a resumed run writing its steps again): the webview
   * gets the run anew, as the reader now holds it (newest points only), instead of appends.
   */
  private resync(dir: string): boolean {
    const revision = this.controller.stateOf(dir)?.pointsRevision ?? 0;
    if (revision === (this.revisions.get(dir) ?? 0)) return false;
    this.revisions.set(dir, revision);
    this.pending.delete(dir);
    const data = this.controller.liveData(dir);
    if (data) this.post({ type: "addRun", run: packRun(data) });
    return true;
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const [runId, pts] of this.pending) {
      this.post({ type: "append", runId, points: packColumns(toColumns(pts)) });
    }
    this.pending.clear();
  }

  async addRun(dir: string): Promise<void> {
    if (this.runIds.includes(dir)) return;
    const data = await this.controller.runData(dir);
    this.runIds.push(dir);
    this.revisions.set(dir, this.controller.stateOf(dir)?.pointsRevision ?? 0);
    this.post({ type: "addRun", run: packRun(data) });
    await this.followVerl(dir, lastStep(data));
  }

  /** A verl run keeps growing its file log: poll it and append the points after step `known` (already sent). */
  private async followVerl(dir: string, known: number): Promise<void> {
    this.unfollowVerl(dir);
    if (this.controller.stateOf(dir)) return;
    const found = await detectRunSource(dir).catch(() => null);
    if (found?.source !== "verl") return;
    const follower = new VerlFollower(dir, found.file);
    const entry = { follower, known, timer: setInterval(() => void this.pollVerl(dir), VERL_POLL_MS) };
    this.verl.set(dir, entry);
    await this.pollVerl(dir);
  }

  private async pollVerl(dir: string): Promise<void> {
    const e = this.verl.get(dir);
    if (!e) return;
    const points = await e.follower.poll().catch(() => [] as MetricPoint[]);
    // verl's steps only grow within one log (a restart truncates it); what was read before is skipped
    for (const p of points) if (p.step > e.known) this.queue(dir, p);
  }

  private unfollowVerl(dir: string): void {
    const e = this.verl.get(dir);
    if (!e) return;
    clearInterval(e.timer);
    void e.follower.close();
    this.verl.delete(dir);
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isWebviewMessage(raw)) {
      this.ctx.log.warn(`dashboard: ignored a malformed message`);
      return;
    }
    const m: WebviewMessage = raw;
    switch (m.type) {
      case "ready": {
        // (Re)load every run: after a hide/reload the webview starts empty.
        if (m.restored) {
          for (const id of m.restored.runIds) if (!this.runIds.includes(id)) this.runIds.push(id);
          this.view = { ...DEFAULT_VIEW, ...m.restored.view };
        }
        // Runs read from disk first (this awaits); then the live runs' snapshots, the pending
        // points cleared and init posted in one synchronous block, so no point is lost or doubled.
        this.ready = false;
        const fromDisk = new Map<string, RunData>();
        const missing: string[] = [];
        for (const dir of this.runIds) {
          if (this.controller.stateOf(dir)) continue;
          try {
            fromDisk.set(dir, await this.controller.runData(dir));
          } catch (e) {
            missing.push(`${dir}: ${(e as Error).message}`);
          }
        }
        const runs: RunData[] = [];
        for (const dir of this.runIds) {
          const live = this.controller.liveData(dir);
          const data = live ?? fromDisk.get(dir);
          if (data) runs.push(data);
        }
        this.runIds = runs.map((r) => r.id);
        this.pending.clear();
        for (const id of this.runIds) this.revisions.set(id, this.controller.stateOf(id)?.pointsRevision ?? 0);
        this.ready = true;
        this.post({ type: "init", runs: runs.map(packRun), view: this.view });
        if (missing.length) this.post({ type: "error", message: `Could not load: ${missing.join("; ")}` });
        for (const [dir, data] of fromDisk) if (this.runIds.includes(dir)) await this.followVerl(dir, lastStep(data));
        return;
      }
      case "openRollouts":
        await vscode.commands.executeCommand("tooln1.inspectRollouts", { runDir: m.runId, step: m.step, ...(m.reasons ? { reasons: m.reasons } : {}) });
        return;
      case "export":
        await this.saveExport(m.format, m.name, m.data);
        return;
      case "addRun": {
        const got = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: "Run folder to overlay" });
        if (got?.[0]) {
          try {
            await this.addRun(got[0].fsPath);
          } catch (e) {
            this.post({ type: "error", message: (e as Error).message });
          }
        }
        return;
      }
      case "removeRun":
        this.runIds = this.runIds.filter((r) => r !== m.runId);
        this.unfollowVerl(m.runId);
        this.post({ type: "removeRun", runId: m.runId });
        return;
      case "viewChanged":
        this.view = m.view;
        return;
    }
  }

  /** Writes an exported chart where the user chooses (webviews cannot download files). */
  private async saveExport(format: "png" | "csv", name: string, data: string): Promise<void> {
    const bytes = exportBytes(format, data);
    if (typeof bytes === "string") {
      this.post({ type: "error", message: bytes });
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, "_") || `chart.${format}`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, safe) : undefined,
      filters: format === "png" ? { "PNG image": ["png"] } : { CSV: ["csv"] },
      title: format === "png" ? "Save chart as PNG" : "Save chart series as CSV",
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    this.ctx.log.info(`dashboard: saved ${target.fsPath}`);
  }

  override dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    super.dispose();
    this.panel.dispose();
  }
}

export function registerDashboardSerializer(ctx: Ctx, controller: TrainingController): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state) {
      DashboardPanel.revive(ctx, controller, panel, state);
    },
  });
}

function lastStep(data: RunData): number {
  return data.series.step.reduce((a, b) => Math.max(a, b), -Infinity);
}
