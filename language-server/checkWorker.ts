/**
 * A second thread for the first check of a large dataset: when one opens, half of its lines are
 * checked here while the server's thread checks the other half. Same bundle (dist/server.js started
 * as a worker with `workerData.tooln1CheckWorker`), same pure checks. Any failure falls back to
 * checking everything on the server's thread.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { checkDatasetLine, type LineResult } from "./service";

export const IS_CHECK_WORKER = !isMainThread && (workerData as { tooln1CheckWorker?: boolean } | null)?.tooln1CheckWorker === true;

export function runCheckWorker(): void {
  parentPort?.on("message", (m: { id: number; lines: string[] }) => {
    let results: LineResult[];
    try {
      results = m.lines.map(checkDatasetLine);
    } catch {
      results = []; // the server's thread checks them instead
    }
    parentPort?.postMessage({ id: m.id, results });
  });
}

export class CheckWorker {
  private worker: Worker | undefined;
  private next = 0;
  private readonly pending = new Map<number, (r: LineResult[] | undefined) => void>();
  private failed = false;

  constructor(private readonly script: string) {}

  /** Starts the thread ahead of the first large dataset, so opening one does not wait for it to load. */
  warm(): void {
    if (this.failed || this.worker) return;
    try {
      this.start();
    } catch {
      this.fail();
    }
  }

  /** The results for `lines`, or undefined when the worker is not available. */
  check(lines: string[]): Promise<LineResult[] | undefined> {
    if (this.failed) return Promise.resolve(undefined);
    try {
      this.start();
      const id = this.next++;
      return new Promise((resolve) => {
        this.pending.set(id, resolve);
        this.worker!.postMessage({ id, lines });
      });
    } catch {
      this.fail();
      return Promise.resolve(undefined);
    }
  }

  private start(): void {
    if (this.worker) return;
    // A larger young generation, as the server's own thread has (SERVER_EXEC_ARGV): less time in GC.
    const w = new Worker(this.script, { workerData: { tooln1CheckWorker: true }, argv: [], stdout: true, stderr: true, resourceLimits: { maxYoungGenerationSizeMb: 96 } });
    w.unref();
    w.on("message", (m: { id: number; results: LineResult[] }) => {
      const done = this.pending.get(m.id);
      this.pending.delete(m.id);
      done?.(m.results);
    });
    w.on("error", () => this.fail());
    w.on("exit", () => this.fail());
    this.worker = w;
  }

  private fail(): void {
    this.failed = true;
    this.worker = undefined;
    for (const done of this.pending.values()) done(undefined);
    this.pending.clear();
  }

  dispose(): void {
    void this.worker?.terminate();
  }
}
