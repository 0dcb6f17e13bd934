/**
 * Tailing an append-only text file by byte offset (Node only, no vscode).
 *
 * - A line is emitted only once its `\n` has arrived; a partial last line waits.
 * - A line that is not valid UTF-8 is not emitted; it is counted in `stats.invalidUtf8`.
 * - A line longer than `maxLineBytes` is skipped without being held in memory; counted in
 *   `stats.oversized`.
 * - Truncation (size below the offset) restarts from byte 0, except a cut of only the unfinished
 *   last line (a writer repairing its tail), which drops that line; a file replaced by another one
 *   (new inode) is read to its end and then the new file is read from byte 0. Both are counted.
 */
import { promises as fsp, watch, type FSWatcher } from "node:fs";

export interface TailStats {
  /** Bytes consumed from the current file. */
  offset: number;
  lines: number;
  invalidUtf8: number;
  oversized: number;
  truncations: number;
  replacements: number;
}

export interface TailLine {
  text: string;
  /** Byte offset of the line's first byte in the file it came from. */
  offset: number;
}

export type SkipReason = "invalid-utf8" | "oversized";

export interface LineSplitterOptions {
  maxLineBytes?: number;
}

/** Splits a byte stream into complete UTF-8 lines. Pure; the tailer and tests feed it chunks. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Inside a line that is already over the limit: drop bytes until the next newline. */
  private skipping = false;
  private lineStart = 0;
  private consumed = 0;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  readonly maxLineBytes: number;

  constructor(opts: LineSplitterOptions = {}) {
    this.maxLineBytes = opts.maxLineBytes ?? 64 * 1024 * 1024;
  }

  /** Offset of the first byte of the line being assembled (the end of the last complete line). */
  get lineStartOffset(): number {
    return this.lineStart;
  }

  /** Bytes held for a line whose newline has not arrived yet. */
  get pending(): number {
    return this.partBytes;
  }

  /** Forgets any partial line; offsets count from `base`. */
  reset(base = 0): void {
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
    this.lineStart = base;
    this.consumed = base;
  }

  push(chunk: Buffer, onLine: (l: TailLine) => void, onSkip: (r: SkipReason, offset: number) => void): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(pos, end);
      if (!this.skipping) {
        if (this.partBytes + piece.length > this.maxLineBytes) {
          this.skipping = true;
          this.parts = [];
          this.partBytes = 0;
        } else if (piece.length) {
          this.parts.push(piece);
          this.partBytes += piece.length;
        }
      }
      this.consumed += end - pos;
      if (nl === -1) break;
      // a complete line
      this.consumed += 1;
      const start = this.lineStart;
      this.lineStart = this.consumed;
      if (this.skipping) {
        this.skipping = false;
        onSkip("oversized", start);
      } else {
        let buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partBytes);
        this.parts = [];
        this.partBytes = 0;
        if (buf.length && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
        let text: string;
        try {
          text = this.decoder.decode(buf);
        } catch {
          onSkip("invalid-utf8", start);
          pos = nl + 1;
          continue;
        }
        onLine({ text, offset: start });
      }
      pos = nl + 1;
    }
  }
}

export interface TailOptions extends LineSplitterOptions {
  /** Start reading at this byte offset (resume). */
  offset?: number;
  /** Bytes read per read() call. */
  chunkBytes?: number;
}

/**
 * A file tailer driven by `poll()`: each call reads what was appended since the last one.
 * `start()` polls on a timer and on fs.watch notifications. The file may not exist yet.
 */
export class FileTailer {
  private readonly splitter: LineSplitter;
  private fh: fsp.FileHandle | null = null;
  private ino = -1;
  private readonly chunkBytes: number;
  private polling: Promise<TailLine[]> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private closed = false;
  readonly stats: TailStats;
  /** Called for each skipped line (garbage): the reason and its byte offset. */
  onSkip: (reason: SkipReason, offset: number) => void = () => {};

  constructor(readonly path: string, opts: TailOptions = {}) {
    this.splitter = new LineSplitter(opts);
    this.chunkBytes = opts.chunkBytes ?? 1024 * 1024;
    this.stats = { offset: opts.offset ?? 0, lines: 0, invalidUtf8: 0, oversized: 0, truncations: 0, replacements: 0 };
    this.splitter.reset(this.stats.offset);
  }

  /** Reads everything appended since the last poll; concurrent calls share one read. */
  poll(): Promise<TailLine[]> {
    if (this.polling) return this.polling.then(() => this.poll());
    this.polling = this.readNew().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async open(): Promise<boolean> {
    try {
      this.fh = await fsp.open(this.path, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw e;
    }
    this.ino = (await this.fh.stat()).ino;
    return true;
  }

  private async readNew(): Promise<TailLine[]> {
    const out: TailLine[] = [];
    if (this.closed) return out;
    if (!this.fh && !(await this.open())) return out;
    // Replaced? (a new inode at the path). Finish the old file first, then switch.
    let replaced = false;
    try {
      const st = await fsp.stat(this.path);
      replaced = st.ino !== this.ino;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    await this.drain(out);
    if (replaced) {
      await this.fh!.close();
      this.fh = null;
      this.stats.replacements++;
      this.stats.offset = 0;
      this.splitter.reset();
      if (await this.open()) await this.drain(out);
    }
    return out;
  }

  private async drain(out: TailLine[]): Promise<void> {
    const fh = this.fh!;
    const size = (await fh.stat()).size;
    if (size < this.stats.offset) {
      if (size >= this.splitter.lineStartOffset) {
        // only the unfinished last line was cut (a writer repairing its tail after a kill): drop it
        this.stats.offset = this.splitter.lineStartOffset;
        this.splitter.reset(this.stats.offset);
      } else {
        // truncated in place: start over
        this.stats.truncations++;
        this.stats.offset = 0;
        this.splitter.reset();
      }
    }
    let want = size - this.stats.offset;
    for (;;) {
      // a fresh buffer per read: the splitter keeps slices of it for a partial line
      const buf = Buffer.allocUnsafe(Math.min(this.chunkBytes, Math.max(4096, want)));
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.stats.offset);
      want -= bytesRead;
      if (bytesRead === 0) break;
      this.stats.offset += bytesRead;
      this.splitter.push(
        buf.subarray(0, bytesRead),
        (l) => {
          this.stats.lines++;
          out.push(l);
        },
        (r, off) => {
          if (r === "oversized") this.stats.oversized++;
          else this.stats.invalidUtf8++;
          this.onSkip(r, off);
        },
      );
    }
  }

  /** Polls every `intervalMs` and when the file changes; calls `onLines` with each batch. */
  start(onLines: (lines: TailLine[]) => void, onError: (e: Error) => void, intervalMs = 250, useWatch = true): void {
    const tick = () => {
      if (useWatch && !this.watcher && !this.closed) this.watchFile(tick);
      this.poll().then(
        (lines) => {
          if (lines.length) onLines(lines);
        },
        (e: Error) => onError(e),
      );
    };
    this.timer = setInterval(tick, intervalMs);
    tick();
  }

  /** fs.watch wakes the tailer early; the timer stays the fallback (and covers a missing file). */
  private watchFile(tick: () => void): void {
    try {
      const w = watch(this.path, { persistent: false }, (event) => {
        tick();
        // a rename means the path may now be another file: watch it afresh on the next tick
        if (event === "rename") drop();
      });
      const drop = () => {
        w.close();
        if (this.watcher === w) this.watcher = null;
      };
      w.on("error", drop);
      this.watcher = w;
    } catch {
      // not there yet: the timer picks it up, and the next tick tries again
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
    if (this.polling) await this.polling.catch(() => undefined);
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }
}
