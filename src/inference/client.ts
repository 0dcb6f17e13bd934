/**
 * The extension host's handle on the generation worker. No vscode import: tests and benchmarks
 * drive it directly. One worker per client; a crash of the worker (native code) rejects what is
 * pending with a clear message and the next call starts a fresh worker.
 */
import { Worker } from "node:worker_threads";
import {
  CANCEL_SLOT,
  type ExecutionProviderSetting,
  type FromWorker,
  type GenerateOptions,
  type GenerateResult,
  type LoadedModel,
  type PromptInput,
  type ToWorker,
} from "./protocol";
import { PendingRequests } from "../../common/rpc";

export interface StartInfo {
  promptText: string;
  promptTokens: number;
  /** Set when the checkpoint's chat template disagrees with the given prompt text. */
  note?: string;
}

export interface GenerationHandle {
  /** Resolves with the result (stopReason "cancelled" after cancel()); rejects on errors. */
  readonly result: Promise<GenerateResult>;
  /** Resolves once the prompt is rendered and tokenized; rejects like `result` on an earlier error. */
  readonly started: Promise<StartInfo>;
  cancel(): void;
}

/** What a generation waits for besides its result: its tokens and its start. */
interface Stream {
  onToken: (tokenId: number, text: string) => void;
  started: (s: StartInfo) => void;
  startFailed: (e: Error) => void;
}

export class InferenceError extends Error {
  constructor(
    message: string,
    readonly kind: "checkpoint" | "runtime",
  ) {
    super(message);
    this.name = "InferenceError";
  }
}

export class InferenceClient {
  private worker: Worker | null = null;
  private cancelBuf = new SharedArrayBuffer(4);
  private readonly generations = new PendingRequests<GenerateResult, Stream>();
  private loadWaiter: { resolve: (m: LoadedModel) => void; reject: (e: Error) => void } | null = null;
  private model: LoadedModel | null = null;

  /** `workerPath`: the built dist/generate.worker.js. */
  constructor(private readonly workerPath: string) {}

  get loaded(): LoadedModel | null {
    return this.model;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.cancelBuf = new SharedArrayBuffer(4);
    const w = new Worker(this.workerPath, { workerData: { cancel: this.cancelBuf } });
    w.on("message", (m: FromWorker) => this.onMessage(m));
    w.on("error", (e) => this.failAll(`The generation worker failed: ${e.message}`));
    w.on("exit", (code) => {
      if (this.worker === w) {
        this.worker = null;
        this.model = null;
        this.failAll(`The generation worker stopped (exit code ${code}).`);
      }
    });
    this.worker = w;
    return w;
  }

  private send(m: ToWorker): void {
    this.ensureWorker().postMessage(m);
  }

  private failAll(message: string): void {
    const err = new InferenceError(message, "runtime");
    this.loadWaiter?.reject(err);
    this.loadWaiter = null;
    for (const s of this.generations.rejectAll(err)) s.startFailed(err);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case "loaded":
        this.model = m.model;
        this.loadWaiter?.resolve(m.model);
        this.loadWaiter = null;
        return;
      case "started":
        this.generations.extra(m.id)?.started({ promptText: m.promptText, promptTokens: m.promptTokens, note: m.note });
        return;
      case "token":
        this.generations.extra(m.id)?.onToken(m.tokenId, m.text);
        return;
      case "done":
        this.generations.resolve(m.id, m.result);
        return;
      case "error": {
        const err = new InferenceError(m.message, m.kind);
        if (m.id === undefined) {
          this.model = null;
          this.loadWaiter?.reject(err);
          this.loadWaiter = null;
        } else {
          this.generations.reject(m.id, err)?.startFailed(err);
        }
        return;
      }
    }
  }

  /** Loads a checkpoint folder (replacing the loaded one). */
  load(dir: string, executionProvider: ExecutionProviderSetting = "auto", intraOpNumThreads?: number): Promise<LoadedModel> {
    this.loadWaiter?.reject(new InferenceError("Superseded by another load.", "runtime"));
    this.model = null;
    return new Promise((resolve, reject) => {
      this.loadWaiter = { resolve, reject };
      this.send({ type: "load", dir, executionProvider, intraOpNumThreads });
    });
  }

  generate(prompt: PromptInput, options: GenerateOptions, onToken: (tokenId: number, text: string) => void = () => {}): GenerationHandle {
    let started!: (s: StartInfo) => void;
    let startFailed!: (e: Error) => void;
    const startedP = new Promise<StartInfo>((res, rej) => {
      started = res;
      startFailed = rej;
    });
    startedP.catch(() => {}); // the same error also rejects `result`, which callers await
    const { id, result } = this.generations.start((id) => this.send({ type: "generate", id, prompt, options }), { onToken, started, startFailed });
    return {
      result,
      started: startedP,
      cancel: () => {
        if (!this.generations.has(id) || !this.worker) return;
        Atomics.store(new Int32Array(this.cancelBuf), CANCEL_SLOT, id);
        this.worker.postMessage({ type: "cancel", id } satisfies ToWorker);
      },
    };
  }

  /** Stops the worker and frees the model. */
  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.model = null;
    this.failAll("Inference was stopped.");
    if (w) await w.terminate();
  }
}
