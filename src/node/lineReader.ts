/**
 * Streaming line reader with byte offsets and bounded memory: reads a file in fixed-size chunks and
 * hands out lines in batches. Memory stays at one chunk plus the longest line (capped by
 * `maxLineBytes`; a longer line is reported as `tooLong` with its byte length and no text).
 */
import { isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";

export interface Line {
  /** 0-based line number. */
  line: number;
  /** Byte offset of the line's first byte in the file. */
  byteOffset: number;
  /** Length of the line in bytes, without its line break. */
  byteLength: number;
  /** The decoded text (UTF-8, without `\r\n`/`\n`); empty when `tooLong`. */
  text: string;
  /** True when the line was longer than `maxLineBytes` and its bytes were skipped. */
  tooLong?: boolean;
  /** True when the line's bytes are not valid UTF-8 (`text` then holds U+FFFD where they were). */
  invalidUtf8?: boolean;
}

export interface LineReaderOptions {
  /** Bytes read per chunk (default 256 KiB: a batch of lines stays small, so the young-generation GC has little to copy). */
  chunkBytes?: number;
  /** Longest line kept as text (default 128 MiB). */
  maxLineBytes?: number;
  /** Called after each chunk with bytes read so far and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Stop early when it returns true (checked once per chunk). */
  cancelled?: () => boolean;
  /** Read only bytes [start, end) (a line-aligned slice of the file); line numbers count from 0 there. */
  start?: number;
  end?: number;
}

/** Yields the file's lines in batches (one batch per chunk read). A final line without `\n` counts. */
export async function* readLineBatches(path: string, opts: LineReaderOptions = {}): AsyncGenerator<Line[]> {
  const chunkBytes = opts.chunkBytes ?? 256 * 1024;
  const maxLineBytes = opts.maxLineBytes ?? 128 * 1024 * 1024;
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const limit = Math.min(size, opts.end ?? size);
    const total = limit;
    const buf = Buffer.allocUnsafe(chunkBytes);
    let partial: Buffer[] = []; // pieces of the current line from earlier chunks
    let partialBytes = 0;
    let skipping = false; // the current line exceeded maxLineBytes
    let lineStart = 0; // file offset of the current line
    let lineNo = 0;
    let filePos = opts.start ?? 0;
    lineStart = filePos;
    const head = Buffer.alloc(3);
    const { bytesRead: hb } = await fh.read(head, 0, 3, 0);
    if (filePos === 0 && hb === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) filePos = lineStart = 3; // UTF-8 BOM
    for (;;) {
      if (opts.cancelled?.()) return;
      const { bytesRead } = await fh.read(buf, 0, Math.max(0, Math.min(chunkBytes, limit - filePos)), filePos);
      if (bytesRead === 0) break;
      const view = bytesRead < chunkBytes ? buf.subarray(0, bytesRead) : buf;
      const batch: Line[] = [];
      let start = 0;
      for (;;) {
        const nl = view.indexOf(10, start);
        const end = nl === -1 ? bytesRead : nl;
        if (nl === -1) {
          // No line break in the rest of this chunk: keep the piece (unless over the cap).
          if (!skipping) {
            if (partialBytes + (end - start) > maxLineBytes) {
              skipping = true;
              partial = [];
            } else if (end > start) partial.push(Buffer.from(buf.subarray(start, end)));
          }
          partialBytes += end - start;
          break;
        }
        const pieceLen = end - start;
        const byteLength = partialBytes + pieceLen;
        let text = "";
        let tooLong = skipping || byteLength > maxLineBytes;
        let valid = true;
        if (!tooLong) {
          const bytes = partial.length === 0 ? buf.subarray(start, end) : Buffer.concat([...partial, view.subarray(start, end)]);
          valid = isUtf8(bytes);
          text = bytes.toString("utf8");
          if (text.endsWith("\r")) text = text.slice(0, -1);
        }
        const l: Line = tooLong ? { line: lineNo, byteOffset: lineStart, byteLength, text: "", tooLong } : { line: lineNo, byteOffset: lineStart, byteLength, text };
        if (!valid) l.invalidUtf8 = true;
        batch.push(l);
        tooLong = false;
        lineNo++;
        lineStart = filePos + nl + 1;
        partial = [];
        partialBytes = 0;
        skipping = false;
        start = nl + 1;
      }
      filePos += bytesRead;
      opts.onProgress?.(filePos, total);
      if (batch.length) yield batch;
    }
    if (partialBytes > 0) {
      if (skipping) yield [{ line: lineNo, byteOffset: lineStart, byteLength: partialBytes, text: "", tooLong: true }];
      else {
        const bytes = Buffer.concat(partial);
        let text = bytes.toString("utf8");
        if (text.endsWith("\r")) text = text.slice(0, -1);
        const l: Line = { line: lineNo, byteOffset: lineStart, byteLength: partialBytes, text };
        if (!isUtf8(bytes)) l.invalidUtf8 = true;
        yield [l];
      }
    }
  } finally {
    await fh.close();
  }
}

/** Yields the file's lines one at a time. */
export async function* readLines(path: string, opts: LineReaderOptions = {}): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(path, opts)) yield* batch;
}
