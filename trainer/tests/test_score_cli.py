"""``python -m tooln1 score``: streaming, per-line error records, exit codes, argument handling."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

from tooln1.score import main, parse_args, score_stream

OK = json.dumps({"completion": '<think>t</think><tool_call>[{"name": "f", "arguments": {"a": 1}}]</tool_call>', "answer": [{"name": "f", "arguments": {"a": 1.5}}]})


def run_stream(data: bytes, variant: str = "binary") -> tuple[list[str], int, int]:
    out = io.StringIO()
    records, bad = score_stream(io.BytesIO(data), out, variant)
    return out.getvalue().splitlines(), records, bad


def test_bad_lines_give_error_records_and_processing_continues() -> None:
    lines = ["\ufeff" + OK, "{not json", "", json.dumps({"completion": 1, "answer": []}), json.dumps({"completion": "x"}), "[1]", OK + "\r"]
    out, records, bad = run_stream("\n".join(lines).encode())
    assert len(out) == 6 and records == 6 and bad == 4
    assert out[0] == '{"reward":0,"format_ok":true,"calls_ok":false,"reason":"wrong_argument_value","mismatch":"calls[0].arguments.a"}'
    assert out[1] == '{"error":"line 2: invalid JSON at column 2: expected \'\\"\' to start a property name","line":2}'
    assert out[2] == '{"error":"line 4: \\"completion\\" must be a string","line":4}'
    assert out[3] == '{"error":"line 5: missing \\"answer\\" (the ground-truth calls)","line":5}'
    assert out[5] == out[0]


def test_invalid_utf8_line() -> None:
    out, records, bad = run_stream(OK.encode() + b"\n{\xff}\n" + OK.encode())
    assert out[1] == '{"error":"line 2: not valid UTF-8","line":2}' and records == 3 and bad == 1


def test_exit_codes_and_files(tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(OK + "\n" + OK + "\n")
    assert main([str(good), "--reward", "official"]) == 0
    assert capsys.readouterr().out.count("\n") == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text(OK + "\nnope\n")
    assert main([str(bad)]) == 2
    assert main([str(tmp_path / "missing.jsonl")]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert main([str(good), "--reward", "nope"]) == 2
    assert "unknown reward 'nope'" in capsys.readouterr().err


def test_parse_args() -> None:
    assert parse_args(["a.jsonl"]) == ("a.jsonl", "binary", 64 * 1024 * 1024)
    assert parse_args(["-", "--reward", "official"]) == ("-", "official", 64 * 1024 * 1024)
    assert parse_args(["--reward=no-format", "x"]) == ("x", "no-format", 64 * 1024 * 1024)
    assert parse_args(["x", "--max-line-bytes", "1000"]) == ("x", "binary", 1000)
    assert parse_args(["--max-line-bytes=5", "x"]) == ("x", "binary", 5)
    assert parse_args(["x", "--max-line-bytes", "0"]) == "tooln1 score: --max-line-bytes must be a positive integer, not '0'"
    assert parse_args(["x", "--max-line-bytes"]) == "tooln1 score: --max-line-bytes needs a value"
    assert parse_args(["--help"]) == ""
    assert "missing FILE" in parse_args([])


def test_module_entry_point_reads_stdin() -> None:
    r = subprocess.run([sys.executable, "-m", "tooln1", "score", "-", "--reward", "fine-grained"], input=(OK + "\n").encode(), capture_output=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b'{"reward":0.4,"format_ok":true,"calls_ok":false,"reason":"wrong_argument_value","mismatch":"calls[0].arguments.a"}\n'


def test_a_line_over_the_limit_is_one_error_record_and_the_rest_goes_on() -> None:
    long = json.dumps({"completion": "x" * 400, "answer": []})
    data = ("\n".join([OK, long, OK]) + "\n" + "y" * 500).encode()
    out = io.StringIO()
    records, bad = score_stream(io.BytesIO(data), out, "binary", 300)
    lines = out.getvalue().splitlines()
    assert lines[1] == '{"error":"line 2: longer than 300 bytes (--max-line-bytes)","line":2}'
    assert lines[3] == '{"error":"line 4: longer than 300 bytes (--max-line-bytes)","line":4}'
    assert lines[0] == lines[2] and (records, bad) == (4, 2)
    exact = len(OK.encode())
    assert score_stream(io.BytesIO((OK + "\n" + OK).encode()), io.StringIO(), "binary", exact) == (2, 0)
    assert score_stream(io.BytesIO(OK.encode()), io.StringIO(), "binary", exact - 1) == (1, 1)


class Endless(io.RawIOBase):
    """`/dev/zero` with a line break after `n` bytes, then one record."""

    def __init__(self, n: int) -> None:
        self.left = n
        self.tail = b"\n" + OK.encode() + b"\n"

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.left > 0:
            k = min(len(b), self.left)
            b[:k] = b"\0" * k
            self.left -= k
            return k
        k = min(len(b), len(self.tail))
        b[:k] = self.tail[:k]
        self.tail = self.tail[k:]
        return k


def test_an_endless_line_is_not_held_in_memory() -> None:
    # `score /dev/zero` grew without bound; now a line is kept only up to the limit
    src = Endless(50 * 1024 * 1024)
    out = io.StringIO()
    tracemalloc.start()
    try:
        records, bad = score_stream(io.BufferedReader(src, buffer_size=1 << 16), out, "binary", 1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    lines = out.getvalue().splitlines()
    assert (records, bad) == (2, 1) and lines[0].startswith('{"error":"line 1: longer than 1048576 bytes')
    assert peak < 8 << 20, f"peak {peak} bytes for a 50 MB line"
