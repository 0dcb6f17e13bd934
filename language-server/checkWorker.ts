/**
 * A second thread for the first check of a large dataset: when one opens, half of its lines are
 * checked here while the server's thread checks the other half. Same bundle (dist/server.js started
 * as a worker with `workerData.tooln1CheckWorker`), same pure checks. Any failure falls back to
 * checking everything on the server's thread, and is logged.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { PendingRequests } from "../common/rpc";
import { checkDatasetLine, type LineResult } from "./service";

export const IS_CHECK_WORKER = !isMainThread && (workerData as { tooln1CheckWorker?: boolean } | null)?.tooln1CheckWorker === true;

type CheckAnswer = { id: number; results: LineResult[] } | { id: number; error: string };

export function runCheckWorker(): void {
  parentPort?.on("message", (m: { id: number; lines: string[] }) => {
    try {
      parentPort?.postMessage({ id: m.id, results: m.lines.map(checkDatasetLine) } satisfies CheckAnswer);
    } catch (e) {
      // the server's thread checks these lines instead; the server logs why
      parentPort?.postMessage({ id: m.id, error: (e as Error).stack ?? String(e) } satisfies CheckAnswer);
    }
  });
}

export class CheckWorker {
  private worker: Worker | undefined;
  private readonly requests = new PendingRequests<LineResult[]>(0);
  private failed = false;

  /** `log` receives why the worker is not used (its error, or its exit). */
  constructor(
    private readonly script: string,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Starts the thread ahead of the first large dataset, so opening one does not wait for it to load. */
  warm(): void {
    if (this.failed || this.worker) return;
    try {
      this.start();
    } catch (e) {
      this.fail(`check worker could not start: ${(e as Error).message}`);
    }
  }

  /** The results for `lines`, or undefined when the worker is not available. */
  check(lines: string[]): Promise<LineResult[] | undefined> {
    if (this.failed) return Promise.resolve(undefined);
    try {
      const worker = this.start();
      return this.requests.request((id) => worker.postMessage({ id, lines })).catch(() => undefined);
    } catch (e) {
      this.fail(`check worker could not start: ${(e as Error).message}`);
      return Promise.resolve(undefined);
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // A larger young generation, as the server's own thread has (SERVER_EXEC_ARGV): less time in GC.
    const w = new Worker(this.script, { workerData: { tooln1CheckWorker: true }, argv: [], stdout: true, stderr: true, resourceLimits: { maxYoungGenerationSizeMb: 96 } });
    w.unref();
    w.on("message", (m: CheckAnswer) => {
      if ("results" in m) this.requests.resolve(m.id, m.results);
      else {
        this.log(`check worker: ${m.error}; checking those lines on the server's thread`);
        this.requests.reject(m.id, new Error(m.error));
      }
    });
    w.on("error", (e) => this.fail(`check worker failed: ${e.message}`));
    w.on("exit", (code) => this.fail(`check worker exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private fail(why: string): void {
    if (!this.failed) this.log(`${why}; checking on the server's thread instead`);
    this.failed = true;
    this.worker = undefined;
    this.requests.rejectAll(new Error(why));
  }

  dispose(): void {
    void this.worker?.terminate();
  }
}
