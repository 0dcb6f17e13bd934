/**
 * The host side of one inspector webview, without vscode: answers the webview's typed requests from
 * the index worker, forwards progress, and hands "open in preview" / "reveal line" to the caller.
 * The custom editor wires it to a webview; the webview test wires it to headless Chromium.
 */
import { REASON_CODES, type RewardVariant } from "../core/types";
import type { RolloutIndexClient } from "./indexClient";
import type { RolloutFilter, RowDetail, ToHost, ToWebview } from "../../common/inspector/protocol";

export interface SessionActions {
  openPreview(detail: RowDetail): void | Promise<void>;
  revealLine(path: string, line: number): void | Promise<void>;
  saveState?(state: unknown): void;
}

export interface SessionInit {
  title: string;
  variant: RewardVariant;
  filter: RolloutFilter;
  /** Select this line of this file once it is indexed. */
  select?: { path: string; line: number } | null;
}

export class InspectorSession {
  private ready = false;
  private readonly progressSub: { dispose(): void };
  private disposed = false;

  constructor(
    private readonly client: RolloutIndexClient,
    private readonly post: (m: ToWebview) => void | Thenable<boolean>,
    private readonly init: SessionInit,
    private readonly actions: SessionActions,
  ) {
    this.progressSub = client.onProgress((p) => {
      if (this.ready && !this.disposed) void this.post({ type: "progress", progress: p });
    });
  }

  async handle(m: ToHost): Promise<void> {
    if (this.disposed || !m || typeof m !== "object") return;
    const id = "id" in m ? m.id : undefined;
    try {
      switch (m.type) {
        case "ready": {
          this.ready = true;
          void this.post({ type: "init", title: this.init.title, reasons: REASON_CODES, variant: this.init.variant, filter: this.init.filter });
          const p = this.client.lastProgress ?? (await this.client.progress());
          void this.post({ type: "progress", progress: p });
          if (this.init.select) {
            await this.client.whenIndexed();
            const row = await this.client.rowOfLine(this.init.select.path, this.init.select.line);
            if (row >= 0) void this.post({ type: "select", row });
          }
          return;
        }
        case "query":
          return void this.post({ type: "queryResult", id: m.id, result: await this.client.query(m.query) });
        case "detail":
          return void this.post({ type: "detailResult", id: m.id, detail: await this.client.detail(m.row) });
        case "group": {
          const group = await this.client.group(m.row);
          if (!group) throw new Error("this line is not part of a prompt group");
          return void this.post({ type: "groupResult", id: m.id, group, details: await this.client.details(group.rows) });
        }
        case "history":
          return void this.post({ type: "historyResult", id: m.id, promptId: m.promptId, entries: await this.client.history(m.promptId) });
        case "summary":
          return void this.post({ type: "summaryResult", id: m.id, steps: await this.client.summary() });
        case "openPreview":
          return void (await this.actions.openPreview(await this.client.detail(m.row)));
        case "revealLine": {
          const d = await this.client.detail(m.row);
          return void (await this.actions.revealLine(d.source.path, d.source.line));
        }
        case "saveState":
          this.actions.saveState?.(m.state);
          return;
      }
    } catch (e) {
      void this.post({ type: "error", id, message: e instanceof Error ? e.message : String(e) });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.progressSub.dispose();
  }
}
