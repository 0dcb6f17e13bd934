"""``python -m tooln1 score FILE.jsonl|- [--reward VARIANT]``: one JSON result line per record, streamed.

Byte-identical to ``node dist/cli.js score`` (src/cli/score.ts). Records:
``{"completion": str, "answer": [calls] | "<JSON of calls>", "tools"?: [...]}``. A line that cannot
be read yields ``{"error": "line N: ...", "line": N}``; processing continues and the exit code is 2.
"""

from __future__ import annotations

import json
import re
import sys
from typing import BinaryIO, Iterator, TextIO

from .reward import REWARD_VARIANTS, score, serialize_result
from .toolcall import PyJsonError, parse_json

DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
"""The longest input line scored (bytes, without its line break); a longer one is a per-line error."""

USAGE = f"""usage: tooln1 score FILE.jsonl|- [--reward {'|'.join(REWARD_VARIANTS)}] [--max-line-bytes N]

Reads records {{"completion": str, "answer": [calls] | "<JSON of calls>", "tools"?: [...]}}, one per
line, and writes one line per record: {{"reward","format_ok","calls_ok","reason","mismatch"?}}.
A line that cannot be read, or is longer than --max-line-bytes (default {DEFAULT_MAX_LINE_BYTES}),
gives {{"error": "...", "line": N}}; the exit code is then 2."""


def parse_args(argv: list[str]) -> tuple[str, str, int] | str:
    """(file, variant, max_line_bytes), or a message ('' for --help)."""
    file = None
    variant = "binary"
    max_line = DEFAULT_MAX_LINE_BYTES
    i = 0
    while i < len(argv):
        a = argv[i]
        v = None
        if a == "--max-line-bytes" or a.startswith("--max-line-bytes="):
            if a == "--max-line-bytes":
                i += 1
                if i >= len(argv):
                    return "tooln1 score: --max-line-bytes needs a value"
                m = argv[i]
            else:
                m = a[len("--max-line-bytes=") :]
            if not re.fullmatch(r"[1-9][0-9]{0,15}", m) or int(m) > 2**53 - 1:
                return f"tooln1 score: --max-line-bytes must be a positive integer, not '{m}'"
            max_line = int(m)
            i += 1
            continue
        if a == "--reward":
            i += 1
            if i >= len(argv):
                return "tooln1 score: --reward needs a value"
            v = argv[i]
        elif a.startswith("--reward="):
            v = a[len("--reward=") :]
        elif a in ("-h", "--help"):
            return ""
        elif a.startswith("-") and a != "-":
            return f"tooln1 score: unknown option '{a}'"
        elif file is None:
            file = a
        else:
            return f"tooln1 score: unexpected argument '{a}'"
        if v is not None:
            if v not in REWARD_VARIANTS:
                return f"tooln1 score: unknown reward '{v}' (expected {', '.join(REWARD_VARIANTS)})"
            variant = v
        i += 1
    if file is None:
        return "tooln1 score: missing FILE (use - for stdin)"
    return file, variant, max_line


def _error_line(line: int, message: str) -> str:
    return '{"error":%s,"line":%d}' % (json.dumps(f"line {line}: {message}"), line)


def score_line(text: str, line: int, variant: str) -> tuple[str, bool]:
    """Scores one decoded input line; returns (output line, bad)."""
    try:
        rec = parse_json(text, True)
    except PyJsonError as e:
        return _error_line(line, f"invalid JSON at column {e.pos + 1}: {e.reason}"), True
    if type(rec) is not dict:
        return _error_line(line, 'a record must be a JSON object with "completion" and "answer"'), True
    completion = rec.get("completion")
    if type(completion) is not str:
        return _error_line(line, '"completion" must be a string'), True
    if "answer" not in rec:
        return _error_line(line, 'missing "answer" (the ground-truth calls)'), True
    return serialize_result(score(completion, rec["answer"], variant)), False


def _blank(b: bytes) -> bool:
    return not b.strip(b" \t\r")


def _lines(inp: BinaryIO, max_line: int) -> Iterator[bytes | None]:
    """The stream's lines without their ``\n``; None for a line over ``max_line`` bytes, whose bytes are
    skipped up to the next line break without being kept."""
    while True:
        raw = inp.readline(max_line + 1)
        if not raw:
            return
        if raw.endswith(b"\n"):
            yield raw[:-1]
        elif len(raw) <= max_line:
            yield raw  # the last line, without a line break
        else:
            while True:
                rest = inp.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None


def score_stream(inp: BinaryIO, out: TextIO, variant: str, max_line: int = DEFAULT_MAX_LINE_BYTES) -> tuple[int, int]:
    """Scores every line of a binary stream into ``out``; returns (records, bad)."""
    records = bad = 0
    buf: list[str] = []
    for line_no, raw in enumerate(_lines(inp, max_line), 1):
        if raw is None:
            buf.append(_error_line(line_no, f"longer than {max_line} bytes (--max-line-bytes)"))
            records += 1
            bad += 1
            continue
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            buf.append(_error_line(line_no, "not valid UTF-8"))
            records += 1
            bad += 1
            continue
        if _blank(raw):
            continue
        o, is_bad = score_line(text, line_no, variant)
        buf.append(o)
        records += 1
        bad += is_bad
        if len(buf) >= 1024:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")
    return records, bad


def main(argv: list[str]) -> int:
    args = parse_args(list(argv))
    if isinstance(args, str):
        if args == "":
            print(USAGE)
            return 0
        print(f"{args}\n\n{USAGE}", file=sys.stderr)
        return 2
    file, variant, max_line = args
    out = sys.stdout
    if file == "-":
        _, bad = score_stream(sys.stdin.buffer, out, variant, max_line)
    else:
        try:
            f = open(file, "rb")
        except OSError as e:
            print(f"tooln1 score: cannot read {file}: {e.strerror or e}", file=sys.stderr)
            return 1
        with f:
            _, bad = score_stream(f, out, variant, max_line)
    out.flush()
    return 2 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
