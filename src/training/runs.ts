/**
 * The runs of the workspace as this window knows them, and what each owns. No vscode import: the
 * controller passes the factory of output channels, and node --test counts what is created and
 * disposed against the real trainer.
 */
import { basename } from "node:path";
import { Disposable, type IDisposable } from "../dispose";
import type { RunListing } from "../node/runDir";
import type { TrainingRun } from "./runManager";

/** A run's output channel as a run uses it (a `vscode.OutputChannel` is one). */
export interface RunOutput extends IDisposable {
  append(text: string): void;
  appendLine(text: string): void;
  show(preserveFocus?: boolean): void;
}

export type OutputFactory = (name: string) => RunOutput;

/** How many ended runs keep their trainer and output channel; older ones are listed from disk only. */
export const ENDED_RUNS_KEPT = 3;

/**
 * One run: its listing on disk and, when this window launched or reattached it, the trainer it
 * follows (`TrainingRun`: tailers, timers, pipes) and its output channel. The entry owns both and
 * disposes them once, when it leaves the list: its folder is gone, a newer entry replaces it, or
 * the extension deactivates. Disposing never signals the trainer.
 */
export class RunEntry extends Disposable {
  run: TrainingRun | null = null;
  listing: RunListing | null;
  configPath?: string;
  garbageWarned = 0;
  /** Why a run.json that says running was not reattached (its process is not proven to be the trainer). */
  unproven?: string;
  private channel: RunOutput | null = null;

  constructor(
    readonly dir: string,
    private readonly makeOutput: OutputFactory,
    o: { listing?: RunListing | null; configPath?: string } = {},
  ) {
    super();
    this.listing = o.listing ?? null;
    this.configPath = o.configPath;
  }

  /** The output channel if one was opened (a run only listed from disk has none). */
  get output(): RunOutput | null {
    return this.channel;
  }

  /** The output channel, created on first use. */
  openOutput(): RunOutput {
    if (this.isDisposed) throw new Error(`the run ${this.dir} has left the list`);
    return (this.channel ??= this.register(this.makeOutput(`Tool-N1 Run: ${basename(this.dir)}`)));
  }

  /** Follows a launched or reattached trainer; the entry owns it from now on. */
  follow(run: TrainingRun): TrainingRun {
    if (this.run) throw new Error(`the run ${this.dir} already follows a trainer`);
    return (this.run = this.register(run));
  }

  get running(): boolean {
    return !!this.run?.running;
  }
}

/** The run entries by directory. Owns every entry: one leaving the list is disposed, once. */
export class RunList extends Disposable {
  private readonly map = new Map<string, RunEntry>();
  /** Entries whose trainer ended, oldest first. */
  private endedOrder: RunEntry[] = [];

  constructor(
    private readonly makeOutput: OutputFactory,
    private readonly keepEnded = ENDED_RUNS_KEPT,
  ) {
    super();
    this.register({ dispose: () => this.clear() });
  }

  get(dir: string): RunEntry | undefined {
    return this.map.get(dir);
  }

  values(): IterableIterator<RunEntry> {
    return this.map.values();
  }

  get size(): number {
    return this.map.size;
  }

  /** A new entry for `dir`; an entry it replaces is disposed. */
  add(dir: string, o: { listing?: RunListing | null; configPath?: string } = {}): RunEntry {
    if (this.isDisposed) throw new Error("the run list is disposed");
    const e = new RunEntry(dir, this.makeOutput, o);
    const old = this.map.get(dir);
    this.map.set(dir, e);
    if (old) this.drop(old);
    return e;
  }

  /** Takes `e` off the list and disposes it (a no-op for an entry already replaced or removed). */
  remove(e: RunEntry): void {
    if (this.map.get(e.dir) === e) this.map.delete(e.dir);
    this.drop(e);
  }

  /**
   * `e`'s trainer ended. It keeps its output channel (its log a click away) until `keepEnded`
   * newer runs have ended; then a listing-only entry replaces it, so channels do not pile up.
   */
  runEnded(e: RunEntry): void {
    if (this.map.get(e.dir) !== e) return;
    this.endedOrder = this.endedOrder.filter((x) => x !== e && this.map.get(x.dir) === x);
    this.endedOrder.push(e);
    while (this.endedOrder.length > this.keepEnded) {
      const old = this.endedOrder.shift()!;
      const fresh = this.add(old.dir, { listing: old.listing, configPath: old.configPath });
      fresh.garbageWarned = old.garbageWarned;
    }
  }

  private drop(e: RunEntry): void {
    this.endedOrder = this.endedOrder.filter((x) => x !== e);
    e.dispose();
  }

  private clear(): void {
    const all = [...this.map.values()];
    this.map.clear();
    all.forEach((e) => this.drop(e));
  }
}
