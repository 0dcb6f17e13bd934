/**
 * `tooln1 score FILE.jsonl [--reward VARIANT]`: one JSON result line per input record, streamed.
 * Byte-identical to `python -m tooln1 score` (trainer/src/tooln1/score.py).
 */
import { createReadStream, statSync } from "node:fs";
import type { Readable } from "node:stream";
import { REWARD_VARIANTS, type RewardVariant } from "../core/types";
import { scoreCompletion, serializeResult } from "../core/reward";
import { PyJsonError, codePointIndex, parsePyJson, pyQuote } from "../core/pyjson";

/** The longest input line scored (bytes, without its line break); a longer one is a per-line error. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const USAGE = `usage: tooln1 score FILE.jsonl|- [--reward ${REWARD_VARIANTS.join("|")}] [--max-line-bytes N]

Reads records {"completion": str, "answer": [calls] | "<JSON of calls>", "tools"?: [...]}, one per
line, and writes one line per record: {"reward","format_ok","calls_ok","reason","mismatch"?}.
A line that cannot be read, or is longer than --max-line-bytes (default ${DEFAULT_MAX_LINE_BYTES}),
gives {"error": "...", "line": N}; the exit code is then 2.`;

export interface ScoreArgs {
  file: string;
  variant: RewardVariant;
  maxLineBytes: number;
}

/** Parses argv; returns a usage message string on error. */
export function parseScoreArgs(argv: string[]): ScoreArgs | string {
  let file: string | undefined;
  let variant: RewardVariant = "binary";
  let maxLineBytes = DEFAULT_MAX_LINE_BYTES;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let v: string | undefined;
    if (a === "--max-line-bytes" || a.startsWith("--max-line-bytes=")) {
      const m = a === "--max-line-bytes" ? argv[++i] : a.slice("--max-line-bytes=".length);
      if (m === undefined) return "tooln1 score: --max-line-bytes needs a value";
      if (!/^[1-9][0-9]{0,15}$/.test(m) || !Number.isSafeInteger(Number(m))) return `tooln1 score: --max-line-bytes must be a positive integer, not '${m}'`;
      maxLineBytes = Number(m);
      continue;
    }
    if (a === "--reward") {
      v = argv[++i];
      if (v === undefined) return "tooln1 score: --reward needs a value";
    } else if (a.startsWith("--reward=")) v = a.slice("--reward=".length);
    else if (a === "-h" || a === "--help") return "";
    else if (a.startsWith("-") && a !== "-") return `tooln1 score: unknown option '${a}'`;
    else if (file === undefined) file = a;
    else return `tooln1 score: unexpected argument '${a}'`;
    if (v !== undefined) {
      if (!(REWARD_VARIANTS as readonly string[]).includes(v)) return `tooln1 score: unknown reward '${v}' (expected ${REWARD_VARIANTS.join(", ")})`;
      variant = v as RewardVariant;
    }
  }
  if (file === undefined) return "tooln1 score: missing FILE (use - for stdin)";
  return { file, variant, maxLineBytes };
}

function errorLine(line: number, message: string): string {
  return `{"error":${pyQuote(`line ${line}: ${message}`)},"line":${line}}`;
}

/** Scores one decoded input line (without its newline). Returns the output line and whether it was bad. */
export function scoreLine(text: string, line: number, variant: RewardVariant): [string, boolean] {
  let rec;
  try {
    rec = parsePyJson(text, { constants: true });
  } catch (e) {
    if (!(e instanceof PyJsonError)) throw e;
    return [errorLine(line, `invalid JSON at column ${codePointIndex(text, e.pos) + 1}: ${e.reason}`), true];
  }
  if (!(rec instanceof Map)) return [errorLine(line, 'a record must be a JSON object with "completion" and "answer"'), true];
  const completion = rec.get("completion");
  if (typeof completion !== "string") return [errorLine(line, '"completion" must be a string'), true];
  if (!rec.has("answer")) return [errorLine(line, 'missing "answer" (the ground-truth calls)'), true];
  return [serializeResult(scoreCompletion(completion, rec.get("answer"), variant)), false];
}

const BLANK = /^[ \t\r]*$/;

/**
 * Splits a byte stream into lines and scores each; calls `write` with output chunks. Linear in the
 * input: a line's pieces are joined once, at its end; a line over `maxLineBytes` is not kept (its
 * bytes are skipped up to the next line break) and gives a per-line error.
 */
export async function scoreStream(
  input: Readable,
  variant: RewardVariant,
  write: (chunk: string) => Promise<void>,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): Promise<{ records: number; bad: number }> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let pieces: Buffer[] = []; // the current line's bytes from earlier chunks
  let pending = 0; // its length so far
  let tooLong = false;
  let lineNo = 0;
  let bad = 0;
  let records = 0;
  let out = "";
  const handle = (bytes: Buffer): void => {
    lineNo++;
    let b = bytes;
    if (lineNo === 1 && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
    if (b.length > 0 && b[b.length - 1] === 13) b = b.subarray(0, b.length - 1);
    let text: string;
    try {
      text = decoder.decode(b);
    } catch {
      out += errorLine(lineNo, "not valid UTF-8") + "\n";
      bad++;
      records++;
      return;
    }
    if (BLANK.test(text)) return;
    const [o, isBad] = scoreLine(text, lineNo, variant);
    out += o + "\n";
    records++;
    if (isBad) bad++;
  };
  const endLine = (last: Buffer): void => {
    if (tooLong) {
      lineNo++;
      out += errorLine(lineNo, `longer than ${maxLineBytes} bytes (--max-line-bytes)`) + "\n";
      records++;
      bad++;
    } else handle(pieces.length ? Buffer.concat([...pieces, last]) : last);
    pieces = [];
    pending = 0;
    tooLong = false;
  };
  const keep = (piece: Buffer): void => {
    pending += piece.length;
    if (tooLong) return;
    if (pending > maxLineBytes) {
      tooLong = true;
      pieces = [];
    } else if (piece.length) pieces.push(Buffer.from(piece)); // a copy: the stream may reuse its buffer
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      if (pending + piece.length > maxLineBytes) {
        keep(piece);
        endLine(Buffer.alloc(0));
      } else endLine(piece);
      start = nl + 1;
    }
    if (start < chunk.length) keep(chunk.subarray(start));
    if (out.length > 1 << 16) {
      await write(out);
      out = "";
    }
  }
  if (pending > 0 || tooLong) endLine(Buffer.alloc(0));
  if (out) await write(out);
  return { records, bad };
}

function stdoutWrite(chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(chunk)) resolve();
    else {
      process.stdout.once("drain", resolve);
      process.stdout.once("error", reject);
    }
  });
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false; // opening it says why
  }
}

/** `tooln1 score`. */
export async function run(argv: string[]): Promise<number> {
  const args = parseScoreArgs(argv);
  if (typeof args === "string") {
    if (args === "") {
      process.stdout.write(USAGE + "\n");
      return 0;
    }
    process.stderr.write(`${args}\n\n${USAGE}\n`);
    return 2;
  }
  let input: Readable;
  if (args.file === "-") input = process.stdin;
  else if (isDirectory(args.file)) {
    process.stderr.write(`tooln1 score: ${args.file} is a directory; name a completions .jsonl file\n`);
    return 1;
  } else {
    input = createReadStream(args.file);
    try {
      await new Promise<void>((resolve, reject) => {
        input.once("open", () => resolve());
        input.once("error", reject);
      });
    } catch (e) {
      process.stderr.write(`tooln1 score: cannot read ${args.file}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const { bad } = await scoreStream(input, args.variant, stdoutWrite, args.maxLineBytes);
  return bad > 0 ? 2 : 0;
}
