/**
 * The extension host's handle on the rollout index worker (dist/index.worker.js). Requests carry ids
 * and resolve with the worker's answer; progress arrives as events. No vscode import: tests and the
 * benchmark use it as the host does.
 */
import { Worker } from "node:worker_threads";
import type { RewardVariant } from "../core/types";
import type { GroupSummary, HistoryEntry, Progress, QueryResult, RolloutQuery, RowDetail, StepSummary } from "../../common/inspector/protocol";
import type { SourceFile } from "../node/rolloutSources";
import { PendingRequests } from "../../common/rpc";

type Req =
  | { op: "open"; paths: string[]; variant: RewardVariant; follow: boolean; maxLineBytes?: number }
  | { op: "query"; query: RolloutQuery }
  | { op: "detail"; row: number }
  | { op: "details"; rows: number[] }
  | { op: "group"; row: number }
  | { op: "history"; promptId: string }
  | { op: "summary" }
  | { op: "rowOfLine"; path: string; line: number }
  | { op: "progress" }
  | { op: "close" };
export type WorkerRequest = Req & { id: number };
export type WorkerMessage = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string } | { event: "progress"; progress: Progress };

export class RolloutIndexClient {
  private readonly worker: Worker;
  private readonly requests = new PendingRequests<unknown>();
  private readonly listeners = new Set<(p: Progress) => void>();
  private exited = false;
  lastProgress: Progress | null = null;

  constructor(workerPath: string) {
    this.worker = new Worker(workerPath, { resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    this.worker.on("message", (m: WorkerMessage) => {
      if ("event" in m) {
        this.lastProgress = m.progress;
        for (const l of this.listeners) l(m.progress);
        return;
      }
      if (m.ok) this.requests.resolve(m.id, m.result);
      else this.requests.reject(m.id, new Error(m.error));
    });
    const fail = (e: Error): void => {
      this.exited = true;
      this.requests.rejectAll(e);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`rollout index worker exited (${code})`)));
  }

  private call<T>(req: Req): Promise<T> {
    if (this.exited) return Promise.reject(new Error("rollout index worker is not running"));
    return this.requests.request((id) => this.worker.postMessage({ ...req, id } satisfies WorkerRequest)) as Promise<T>;
  }

  onProgress(l: (p: Progress) => void): { dispose(): void } {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  }

  /** Opens files or run directories; indexing goes on in the background (see onProgress). */
  open(paths: string[], variant: RewardVariant, follow = true): Promise<{ files: SourceFile[] }> {
    return this.call({ op: "open", paths, variant, follow });
  }
  query(query: RolloutQuery): Promise<QueryResult> {
    return this.call({ op: "query", query });
  }
  detail(row: number): Promise<RowDetail> {
    return this.call({ op: "detail", row });
  }
  details(rows: number[]): Promise<RowDetail[]> {
    return this.call({ op: "details", rows });
  }
  group(row: number): Promise<GroupSummary | null> {
    return this.call({ op: "group", row });
  }
  history(promptId: string): Promise<HistoryEntry[]> {
    return this.call({ op: "history", promptId });
  }
  summary(): Promise<StepSummary[]> {
    return this.call({ op: "summary" });
  }
  rowOfLine(path: string, line: number): Promise<number> {
    return this.call({ op: "rowOfLine", path, line });
  }
  progress(): Promise<Progress> {
    return this.call({ op: "progress" });
  }
  /** Resolves when indexing is done (as reported by progress events). */
  whenIndexed(): Promise<Progress> {
    return new Promise((resolve) => {
      const check = (p: Progress): void => {
        if (p.done) {
          d.dispose();
          resolve(p);
        }
      };
      const d = this.onProgress(check);
      void this.progress().then(check, () => undefined);
    });
  }

  async dispose(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.call({ op: "close" }), new Promise((r) => setTimeout(r, 500))]);
    } catch {
      // already gone
    }
    this.exited = true;
    await this.worker.terminate();
  }
}
