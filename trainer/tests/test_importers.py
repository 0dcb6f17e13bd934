"""Importers, on the fixtures the TypeScript suite also runs (test/vectors/importers), and both CLIs."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tooln1.importers import _read_answers, convert_text, literal, parse_function_string, summary

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "test/vectors/importers"
CASES = json.loads((BASE / "cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["format"] for c in CASES])
def test_importer_fixture(case):
    answers = _read_answers(str(BASE / case["answers"]))[0] if case["answers"] else None
    r = convert_text(case["format"], (BASE / case["input"]).read_text(encoding="utf-8"), answers)
    assert "".join(line + "\n" for line in r["lines"]) == (BASE / case["expected"]).read_text(encoding="utf-8")
    assert r["dropped"] == case["dropped"]
    assert [list(b) for b in r["bad"]] == case["bad"]
    assert r["records"] == case["records"]
    assert summary(r, "OUT") == case["summary"]


def test_literals():
    dump = lambda s: json.dumps(literal(s))  # noqa: E731
    assert dump("'Paris'") == '"Paris"'
    assert dump("1.0") == "1.0"
    assert dump("-2e3") == "-2000.0"
    assert dump("0x1F") == "31"
    assert dump("(1, [True, None], {'k': 'v'})") == '[1, [true, null], {"k": "v"}]'
    assert dump("007") == '"007"'
    assert dump("--5") == '"--5"'
    assert dump("{1, 2}") == '"{1, 2}"'
    assert parse_function_string("[Get Stock Price(symbol='AAPL'), f(a=1, b=[1, 2])]") == [
        {"name": "Get Stock Price", "arguments": {"symbol": "AAPL"}},
        {"name": "f", "arguments": {"a": 1, "b": [1, 2]}},
    ]


def _run_py(args, tmp_path):
    return subprocess.run([sys.executable, "-m", "tooln1", "convert", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("case", CASES, ids=[c["format"] for c in CASES])
def test_cli_writes_the_fixture_and_reports(case, tmp_path):
    out = tmp_path / "out.jsonl"
    args = ["--from", case["format"], str(BASE / case["input"]), str(out)]
    if case["answers"]:
        args[2:2] = ["--answers", str(BASE / case["answers"])]
    p = _run_py(args, tmp_path)
    assert p.returncode == (2 if case["bad"] else 0), p.stderr
    assert out.read_bytes() == (BASE / case["expected"]).read_bytes()
    assert p.stderr == case["summary"].replace("-> OUT", f"-> {out}")


@pytest.mark.skipif(not (ROOT / "dist/cli.js").exists() or shutil.which("node") is None, reason="node dist/cli.js not built")
@pytest.mark.parametrize("case", CASES, ids=[c["format"] for c in CASES])
def test_both_clis_write_identical_bytes(case, tmp_path):
    outs = []
    for cmd in ([sys.executable, "-m", "tooln1"], ["node", str(ROOT / "dist/cli.js")]):
        out = tmp_path / f"{len(outs)}.jsonl"
        args = ["convert", "--from", case["format"], str(BASE / case["input"]), str(out)]
        if case["answers"]:
            args += ["--answers", str(BASE / case["answers"])]
        p = subprocess.run(cmd + args, cwd=ROOT, capture_output=True, text=True)
        outs.append((p.returncode, out.read_bytes(), p.stderr.replace(str(out), "OUT")))
    assert outs[0] == outs[1]
