/**
 * Lifetimes without `vscode`: anything with `dispose()` (a `vscode.Disposable` is one), and a base
 * class that owns such things and disposes them once, newest first. Host modules kept vscode-free
 * (a training run, the run list) use it as the wiring does.
 */
export interface IDisposable {
  dispose(): void;
}

/** A Disposable whose dispose() is idempotent. */
export class Disposable implements IDisposable {
  private disposables: IDisposable[] = [];
  private disposed = false;

  /** Owns `d` from now on; disposed at once when this is already disposed. */
  protected register<T extends IDisposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.disposables.push(d);
    return d;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // one failing disposable must not keep the rest alive
      }
    }
  }
}
