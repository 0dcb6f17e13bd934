/**
 * Request/response by id over a message channel (worker threads, webview postMessage): the one
 * bookkeeping every requester uses. A request gets a fresh id and a promise; the answer carrying
 * that id settles it. `extra` is per-request data the caller needs when other messages for the same
 * id arrive (a token stream, a "started" notice). No DOM, no Node: used by the host, the workers'
 * clients and the webviews.
 */
interface Waiter<R, X> {
  resolve(value: R): void;
  reject(error: Error): void;
  extra: X;
}

export class PendingRequests<R, X = undefined> {
  private nextId: number;
  private readonly waiting = new Map<number, Waiter<R, X>>();

  constructor(firstId = 1) {
    this.nextId = firstId;
  }

  /** Registers a request under a fresh id, then calls `send(id)`; if `send` throws, the promise rejects. */
  start(send: (id: number) => void, extra: X): { id: number; result: Promise<R> } {
    const id = this.nextId++;
    const result = new Promise<R>((resolve, reject) => this.waiting.set(id, { resolve, reject, extra }));
    try {
      send(id);
    } catch (e) {
      this.reject(id, e instanceof Error ? e : new Error(String(e)));
    }
    return { id, result };
  }

  /** `start` for requests with no extra data. */
  request(this: PendingRequests<R, undefined>, send: (id: number) => void): Promise<R> {
    return this.start(send, undefined).result;
  }

  has(id: number): boolean {
    return this.waiting.has(id);
  }

  /** The extra data of a request still waiting, or undefined. */
  extra(id: number): X | undefined {
    return this.waiting.get(id)?.extra;
  }

  /** Settles request `id` with its answer; returns its extra data, or undefined for an unknown id. */
  resolve(id: number, value: R): X | undefined {
    const w = this.take(id);
    w?.resolve(value);
    return w?.extra;
  }

  /** Rejects request `id`; returns its extra data, or undefined for an unknown id. */
  reject(id: number, error: Error): X | undefined {
    const w = this.take(id);
    w?.reject(error);
    return w?.extra;
  }

  /** Request `id`'s waiter, no longer waiting. */
  private take(id: number) {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    return w;
  }

  /** Rejects every waiting request (the channel closed); returns their extra data. */
  rejectAll(error: Error): X[] {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(error);
    return all.map((w) => w.extra);
  }

  get size(): number {
    return this.waiting.size;
  }
}
