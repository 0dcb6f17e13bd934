/**
 * A byte-offset line index of a JSONL file that is never loaded whole.
 *
 * `update()` scans from where the last scan stopped to the current end of the file in fixed-size
 * chunks (async reads, so the calling thread stays responsive), recording where each complete line
 * starts and ends. Bytes after the last newline are the "tail": a line still being written, or a
 * truncated last line; it is reported, never counted as a line. Pages of lines are read on demand by
 * offset, each line capped at `maxLineBytes`. `follow()` picks up appended bytes and notices a file
 * that shrank (rewritten), in which case the index starts over.
 */
import { promises as fsp, watchFile, unwatchFile, type Stats } from "node:fs";

/** A Float64Array that grows; offsets above 2^31 (and 2^32) stay exact. */
export class GrowableF64 {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number {
    return this.data[i];
  }
  clear(): void {
    this.length = 0;
  }
}

export interface JsonlIndexOptions {
  /** Bytes read per step of a scan (default 1 MiB). */
  chunkBytes?: number;
  /** Longest line delivered whole to `onLine` or returned by `readLines` (default 64 MiB). */
  maxLineBytes?: number;
}

/**
 * One complete line handed to `onLine` during a scan. `bytes` is null when the line exceeds
 * maxLineBytes; it may be a view of the scan's buffer, valid only during the call (copy to keep it).
 */
export type LineSink = (line: number, bytes: Buffer | null, start: number, end: number) => void;

export interface ScanResult {
  /** Complete lines added by this scan. */
  added: number;
  /** The file shrank since the last scan, so the index was rebuilt from the start. */
  reset: boolean;
}

export interface LineText {
  line: number;
  text: string;
  /** The line was longer than maxLineBytes and `text` holds only its beginning. */
  truncated: boolean;
  /** Byte length of the whole line (without its newline). */
  bytes: number;
}

export class JsonlIndex {
  private readonly starts = new GrowableF64();
  private readonly ends = new GrowableF64();
  /** Byte position right after the last newline seen. */
  private scanned = 0;
  private knownSize = 0;
  private scanning: Promise<ScanResult> | null = null;
  private rescanRequested = false;
  private readonly chunkBytes: number;
  readonly maxLineBytes: number;

  constructor(
    readonly path: string,
    opts: JsonlIndexOptions = {},
  ) {
    this.chunkBytes = opts.chunkBytes ?? 1 << 20;
    this.maxLineBytes = opts.maxLineBytes ?? 64 << 20;
  }

  /** Complete (newline-terminated) lines indexed so far. */
  get lineCount(): number {
    return this.starts.length;
  }
  /** Bytes covered by complete lines. */
  get indexedBytes(): number {
    return this.scanned;
  }
  /** File size seen by the last scan. */
  get size(): number {
    return this.knownSize;
  }
  /** Bytes after the last newline: a line being written or a truncated last line. */
  get tailBytes(): number {
    return Math.max(0, this.knownSize - this.scanned);
  }
  lineStart(i: number): number {
    return this.starts.get(i);
  }
  lineEnd(i: number): number {
    return this.ends.get(i);
  }

  /**
   * Scans from the end of the last scan to the current end of the file. Concurrent calls share one
   * scan (a call made during a scan schedules one more). `onLine` receives each new complete line.
   */
  update(onLine?: LineSink, onProgress?: (scannedBytes: number, size: number) => void): Promise<ScanResult> {
    if (this.scanning) {
      this.rescanRequested = true;
      return this.scanning;
    }
    const run = async (): Promise<ScanResult> => {
      const total: ScanResult = { added: 0, reset: false };
      try {
        do {
          this.rescanRequested = false;
          const r = await this.scanOnce(onLine, onProgress);
          total.added = r.reset ? r.added : total.added + r.added;
          total.reset ||= r.reset;
        } while (this.rescanRequested);
      } finally {
        this.scanning = null;
      }
      return total;
    };
    this.scanning = run();
    return this.scanning;
  }

  private async scanOnce(onLine?: LineSink, onProgress?: (scannedBytes: number, size: number) => void): Promise<ScanResult> {
    const fh = await fsp.open(this.path, "r");
    try {
      const size = (await fh.stat()).size;
      let reset = false;
      if (size < this.scanned) {
        this.starts.clear();
        this.ends.clear();
        this.scanned = 0;
        reset = true;
      }
      this.knownSize = size;
      const before = this.starts.length;
      const buf = Buffer.allocUnsafe(this.chunkBytes);
      let pos = this.scanned; // next byte to read
      let lineStart = this.scanned;
      // Pieces of the current line kept for onLine, up to maxLineBytes.
      let pieces: Buffer[] = [];
      let pieceBytes = 0;
      let oversize = false;
      // the first read of a file is small, so its first lines are there quickly
      let want = pos === 0 ? Math.min(this.chunkBytes, 256 << 10) : this.chunkBytes;
      while (pos < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(want, size - pos), pos);
        want = this.chunkBytes;
        if (bytesRead === 0) break;
        let from = 0;
        while (from < bytesRead) {
          const nl = buf.indexOf(10, from);
          const stop = nl === -1 || nl >= bytesRead ? bytesRead : nl;
          if (onLine && !oversize) {
            const n = stop - from;
            if (pieceBytes + n > this.maxLineBytes) {
              oversize = true;
              pieces = [];
            } else if (n > 0) {
              // a line wholly inside this chunk is handed over without a copy (valid during the callback);
              // a piece that must outlive the chunk is copied
              pieces.push(stop < bytesRead && pieces.length === 0 ? buf.subarray(from, stop) : Buffer.from(buf.subarray(from, stop)));
              pieceBytes += n;
            }
          }
          if (stop === bytesRead) break;
          const abs = pos + nl;
          let end = abs;
          if (end > lineStart && (await this.byteAt(fh, buf, pos, bytesRead, end - 1)) === 13) end--; // CRLF
          this.starts.push(lineStart);
          this.ends.push(end);
          if (onLine) {
            let bytes: Buffer | null = null;
            if (!oversize) {
              bytes = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, pieceBytes);
              if (bytes.length > end - lineStart) bytes = bytes.subarray(0, end - lineStart);
            }
            onLine(this.starts.length - 1, bytes, lineStart, end);
          }
          pieces = [];
          pieceBytes = 0;
          oversize = false;
          lineStart = abs + 1;
          this.scanned = lineStart;
          from = nl + 1;
        }
        pos += bytesRead;
        onProgress?.(pos, size);
      }
      return { added: this.starts.length - before, reset };
    } finally {
      await fh.close();
    }
  }

  /** The byte at absolute position `abs`, from the current chunk when it is there. */
  private async byteAt(fh: fsp.FileHandle, buf: Buffer, chunkPos: number, chunkLen: number, abs: number): Promise<number> {
    if (abs >= chunkPos && abs < chunkPos + chunkLen) return buf[abs - chunkPos];
    const one = Buffer.alloc(1);
    await fh.read(one, 0, 1, abs);
    return one[0];
  }

  /** Reads complete lines [first, first+count), each capped at maxBytes. */
  async readLines(first: number, count: number, maxBytes = this.maxLineBytes): Promise<LineText[]> {
    const out: LineText[] = [];
    const last = Math.min(this.lineCount, first + count);
    if (first >= last) return out;
    const fh = await fsp.open(this.path, "r");
    try {
      for (let i = Math.max(0, first); i < last; i++) {
        const start = this.starts.get(i);
        const len = this.ends.get(i) - start;
        const want = Math.min(len, maxBytes);
        const b = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(b, 0, want, start);
        out.push({ line: i, text: b.toString("utf8", 0, bytesRead), truncated: want < len, bytes: len });
      }
    } finally {
      await fh.close();
    }
    return out;
  }

  /**
   * Reads the given lines (any order), each capped at maxBytes. Lines close together are read with one
   * read (a page of a table is usually a run of neighbouring lines).
   */
  async readSome(lines: number[], maxBytes = this.maxLineBytes): Promise<LineText[]> {
    const want = [...new Set(lines)].filter((i) => i >= 0 && i < this.lineCount).sort((a, b) => a - b);
    const got = new Map<number, LineText>();
    const GAP = 64 << 10;
    const RUN = 8 << 20;
    const fh = await fsp.open(this.path, "r");
    try {
      let j = 0;
      while (j < want.length) {
        // a run of lines whose gaps are small and whose whole lines fit in RUN bytes
        let k = j;
        const runStart = this.starts.get(want[j]);
        while (
          k + 1 < want.length &&
          this.starts.get(want[k + 1]) - this.ends.get(want[k]) <= GAP &&
          this.ends.get(want[k + 1]) - runStart <= RUN
        )
          k++;
        if (k === j || this.ends.get(want[j]) - runStart > maxBytes) {
          const i = want[j];
          const len = this.ends.get(i) - runStart;
          const n = Math.min(len, maxBytes);
          const b = Buffer.allocUnsafe(n);
          const { bytesRead } = await fh.read(b, 0, n, runStart);
          got.set(i, { line: i, text: b.toString("utf8", 0, bytesRead), truncated: n < len, bytes: len });
          j++;
          continue;
        }
        const runEnd = this.ends.get(want[k]);
        const b = Buffer.allocUnsafe(runEnd - runStart);
        const { bytesRead } = await fh.read(b, 0, runEnd - runStart, runStart);
        for (let m = j; m <= k; m++) {
          const i = want[m];
          const s0 = this.starts.get(i) - runStart;
          const len = this.ends.get(i) - this.starts.get(i);
          const n = Math.min(len, maxBytes, Math.max(0, bytesRead - s0));
          got.set(i, { line: i, text: b.toString("utf8", s0, s0 + n), truncated: n < len, bytes: len });
        }
        j = k + 1;
      }
    } finally {
      await fh.close();
    }
    const out: LineText[] = [];
    for (const i of lines) {
      const t = got.get(i);
      if (t) out.push(t);
    }
    return out;
  }

  /** The bytes after the last newline (capped at maxBytes), or null when there are none. */
  async readTail(maxBytes = this.maxLineBytes): Promise<LineText | null> {
    const len = this.tailBytes;
    if (len === 0) return null;
    const want = Math.min(len, maxBytes);
    const fh = await fsp.open(this.path, "r");
    try {
      const b = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(b, 0, want, this.scanned);
      return { line: this.lineCount, text: b.toString("utf8", 0, bytesRead), truncated: want < len, bytes: len };
    } finally {
      await fh.close();
    }
  }

  /**
   * Watches the file for appends (stat polling, which works on every file system) and calls
   * `onChange` after each scan that found something. Returns a function that stops following.
   */
  follow(onChange: (r: ScanResult) => void, onLine?: LineSink, intervalMs = 500): () => void {
    let stopped = false;
    const refresh = (prevSize: number): void => {
      this.update(onLine).then(
        (r) => {
          if (!stopped && (r.added > 0 || r.reset || this.knownSize !== prevSize)) onChange(r);
        },
        () => undefined, // the file may be gone for a moment while it is replaced
      );
    };
    const listener = (cur: Stats, prev: Stats): void => {
      if (stopped || (cur.size === prev.size && cur.mtimeMs === prev.mtimeMs)) return;
      if (cur.size === this.knownSize && cur.size >= this.scanned && cur.mtimeMs === prev.mtimeMs) return;
      refresh(prev.size);
    };
    watchFile(this.path, { interval: intervalMs, persistent: true }, listener);
    // The watcher's first stat is its baseline: a write landing before it is never reported. One scan
    // now catches it (a slow, loaded machine makes that window real).
    refresh(this.knownSize);
    return () => {
      stopped = true;
      unwatchFile(this.path, listener);
    };
  }
}
