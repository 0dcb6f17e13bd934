"""Differential fuzz test: 10,000 generated completions scored by the TypeScript CLI and the Python
CLI under all four reward variants must give identical bytes.

Completions are mutations of valid ones (fixed seed): dropped/duplicated/reordered tags, reordered
keys, changed numbers (1 -> 1.0, 1e2, -0.0, big ints), injected unicode (astral too), truncation,
arguments as JSON strings, Hermes multi-block and paper list forms, assistant markers, bad lines.
The TypeScript side is `node dist/cli.js score` when dist/ is newer than the sources, else
src/cli/score.ts bundled on the spot with esbuild (the module dist/cli.js dispatches `score` to).
"""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from tooln1.score import score_stream

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ["binary", "fine-grained", "no-format", "official"]
N_RECORDS = 10_000
SEED = 20250501

CITIES = ["Paris", "São Paulo", "東京", "Zürich", "New York", "Kraków", "😀town", "Ålesund", ""]
WORDS = ["weather", "flight", "hotel", "price", "naïve", "\u2028sep", "tab\there", 'quote"d', "back\\slash", "𝔘nicode"]
UNICODE_BITS = ["é", "中", "😀", "𝔘", "\u00a0", "\u2028", "\u3000", "\ufeff", "\x85", "\u200b", "\x1f", "\\u00e9", "\\ud83d\\ude00", "\\ud800"]
TOOLS = ["get_weather", "convert_currency", "set_timer", "search", "book_flight", "get-stock", "calc.sum"]


def _rand_number(r: random.Random):
    k = r.randrange(10)
    if k == 0:
        return r.randrange(-5, 100)
    if k == 1:
        return r.choice([0.5, 2.5, -1.25, 3.14159, 1e-7, 1e22, 0.1])
    if k == 2:
        return float(r.randrange(0, 50))  # 3.0: int-valued float
    if k == 3:
        return r.choice([10**20 + 1, -(2**63), 2**53 + 1, 12345678901234567890123])
    if k == 4:
        return r.choice([True, False, None])
    return r.randrange(0, 1000)


def _rand_value(r: random.Random, depth: int = 0):
    k = r.randrange(8 if depth < 2 else 5)
    if k <= 1:
        return r.choice(CITIES + WORDS)
    if k <= 3:
        return _rand_number(r)
    if k == 4:
        return r.choice(["", "x" * r.randrange(1, 40), "1", "true", "null"])
    if k == 5:
        return [_rand_value(r, depth + 1) for _ in range(r.randrange(0, 4))]
    return {r.choice(["a", "b", "unit", "city", "k e y", "ключ", "😀", "_x", "1"]): _rand_value(r, depth + 1) for _ in range(r.randrange(0, 4))}


def _rand_call(r: random.Random) -> dict:
    args = {}
    for _ in range(r.randrange(0, 4)):
        args[r.choice(["city", "unit", "amount", "from", "to", "minutes", "query", "filters", "date", "ids", "ключ", "k e y"])] = _rand_value(r)
    return {"name": r.choice(TOOLS), "arguments": args}


def _dump(r: random.Random, v) -> str:
    """JSON text with random formatting (key order, spacing, ascii escapes, int-valued floats)."""
    if r.random() < 0.3 and isinstance(v, dict):
        items = list(v.items())
        r.shuffle(items)
        v = dict(items)
    if r.random() < 0.3 and isinstance(v, list):
        v = [dict(reversed(list(c.items()))) if isinstance(c, dict) else c for c in v]
    kw = r.choice([{}, {"separators": (",", ":")}, {"indent": 2}, {"ensure_ascii": False}])
    return json.dumps(v, **kw)


def _mutate_numbers(r: random.Random, s: str) -> str:
    choices = [("1", "1.0"), ("0", "-0"), ("2", "2e0"), ("100", "1e2"), ("5", "5.00"), (".5", ".50"), ("3", "3.0000000000000001")]
    a, b = r.choice(choices)
    i = s.find(a, r.randrange(max(1, len(s))))
    if i < 0:
        i = s.find(a)
    return s if i < 0 else s[:i] + b + s[i + len(a) :]


def _mutate(r: random.Random, text: str) -> str:
    ops = r.randrange(12)
    if ops == 0:  # drop a tag
        tag = r.choice(["<think>", "</think>", "<tool_call>", "</tool_call>"])
        i = text.find(tag)
        return text if i < 0 else text[:i] + text[i + len(tag) :]
    if ops == 1:  # duplicate a block
        i = text.find("<tool_call>")
        j = text.find("</tool_call>", i)
        return text if i < 0 or j < 0 else text[: j + 12] + text[i : j + 12] + text[j + 12 :]
    if ops == 2:  # truncate
        return text[: r.randrange(len(text) + 1)]
    if ops == 3:  # inject unicode
        i = r.randrange(len(text) + 1)
        return text[:i] + r.choice(UNICODE_BITS) + text[i:]
    if ops == 4:
        return _mutate_numbers(r, text)
    if ops == 5:  # move the reasoning after the calls
        i, j = text.find("<think>"), text.find("</think>")
        return text if i < 0 or j < i else text[:i] + text[j + 8 :] + text[i : j + 8]
    if ops == 6:  # stray or extra tags
        i = r.randrange(len(text) + 1)
        return text[:i] + r.choice(["</tool_call>", "<tool_call>", "<think>", "</think>", "<|im_start|>assistant\n"]) + text[i:]
    if ops == 7:  # garbage character
        if not text:
            return text
        i = r.randrange(len(text))
        return text[:i] + r.choice(["{", "}", "[", "]", ",", '"', ":", "\\", "x", "NaN", "Infinity", "-Infinity"]) + text[i + 1 :]
    if ops == 8:  # a prompt with example calls before the assistant marker
        return '<|im_start|>system\nExample: <think>x</think><tool_call>[{"name": "f", "arguments": {}}]</tool_call><|im_end|>\n<|im_start|>assistant\n' + text
    if ops == 9:  # whitespace around payloads
        return text.replace("<tool_call>", "<tool_call>" + r.choice(["\n", " \t", "\u00a0", "\u3000", "\r\n"]), 1)
    if ops == 10:  # change a name
        return text.replace(r.choice(TOOLS), r.choice(TOOLS), 1)
    return text.replace('"', "'", 1) if r.random() < 0.2 else text


def _render(r: random.Random, calls: list) -> str:
    think = "<think>" + r.choice(["", "I should call the tool.", "Use <b>tools</b> wisely. 😀", "multi\nline\nreasoning " * r.randrange(1, 5)]) + "</think>"
    form = r.randrange(6)
    if form == 0 or len(calls) == 0:  # paper form: one block with a list
        body = "<tool_call>\n" + _dump(r, calls) + "\n</tool_call>"
    elif form == 1:  # Hermes: one call per block
        body = "\n".join("<tool_call>\n" + _dump(r, c) + "\n</tool_call>" for c in calls)
    elif form == 2:  # single object
        body = "<tool_call>" + _dump(r, calls[0]) + "</tool_call>"
    elif form == 3:  # arguments as JSON strings
        body = "<tool_call>" + _dump(r, [{"name": c["name"], "arguments": _dump(r, c["arguments"])} for c in calls]) + "</tool_call>"
    elif form == 4:  # the whole payload as a JSON string
        body = "<tool_call>" + json.dumps(_dump(r, calls)) + "</tool_call>"
    else:  # mixed: list in the first block, rest one by one
        body = "<tool_call>" + _dump(r, calls[:1]) + "</tool_call>" + "".join("<tool_call>" + _dump(r, c) + "</tool_call>" for c in calls[1:])
    sep = r.choice(["\n", "", " ", "\n\n"])
    return think + sep + body + r.choice(["", "<|im_end|>", "\nDone."])


def generate_records(n: int = N_RECORDS, seed: int = SEED) -> list[str]:
    """JSONL lines (without newlines): mostly records, a few deliberately bad lines."""
    r = random.Random(seed)
    lines = []
    for i in range(n):
        gt = [_rand_call(r) for _ in range(r.choice([0, 1, 1, 1, 2, 2, 3]))]
        model = [dict(c) for c in gt]
        k = r.random()
        if k < 0.15 and model:  # wrong argument / extra / missing
            c = model[r.randrange(len(model))] = {"name": model[0]["name"], "arguments": dict(model[0]["arguments"])}
            op = r.randrange(3)
            if op == 0:
                c["arguments"]["extra"] = 1
            elif op == 1 and c["arguments"]:
                c["arguments"].pop(next(iter(c["arguments"])))
            else:
                c["arguments"]["city"] = r.choice(CITIES)
        elif k < 0.22:
            r.shuffle(model)
        elif k < 0.27 and model:
            model.append(model[0])
        text = _render(r, model)
        for _ in range(r.choice([0, 0, 1, 1, 2, 3])):
            text = _mutate(r, text)
        answer = gt if r.random() < 0.6 else _dump(r, gt)
        if r.random() < 0.03:
            answer = r.choice(["not json", "{}", '[{"name": 1}]', "[1, 2]", '"[]"', "", {"name": "x", "arguments": {}}, None, [], 5])
        rec = {"completion": text, "answer": answer}
        if r.random() < 0.1:
            rec["tools"] = [{"name": t} for t in TOOLS[:2]]
        line = json.dumps(rec, ensure_ascii=r.random() < 0.5)
        if i % 997 == 13:
            line = line[: len(line) // 2]  # broken line
        elif i % 1499 == 7:
            line = json.dumps({"completion": 5, "answer": []})
        elif i % 1999 == 3:
            line = ""
        lines.append(line)
    return lines


def build_ts_scorer(out_dir: Path) -> Path:
    """Bundles src/cli/score.ts into a runnable script (the module dist/cli.js dispatches `score` to)."""
    out = out_dir / "score.cjs"
    entry = 'import { run } from "./src/cli/score"; run(process.argv.slice(2)).then((c) => { process.exitCode = c; });'
    script = (
        "require('esbuild').buildSync({stdin: {contents: process.argv[1], resolveDir: process.cwd(), loader: 'ts', sourcefile: 'score-entry.ts'},"
        " bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: process.argv[2], logLevel: 'error'});"
    )
    subprocess.run(["node", "-e", script, entry, str(out)], cwd=ROOT, check=True)
    return out


SOURCES = [ROOT / "src/core/pyjson.ts", ROOT / "src/core/toolcall.ts", ROOT / "src/core/reward.ts", ROOT / "src/cli/score.ts"]


@pytest.fixture(scope="module")
def ts_scorer(tmp_path_factory) -> list[str]:
    """`node dist/cli.js score` when the build is current, else a fresh bundle of the same module."""
    if shutil.which("node") is None:
        pytest.skip("node is needed for the TypeScript side")
    dist = ROOT / "dist" / "cli.js"
    if dist.exists() and dist.stat().st_mtime >= max(p.stat().st_mtime for p in SOURCES):
        return ["node", str(dist), "score"]
    if not (ROOT / "node_modules" / "esbuild").exists():
        pytest.skip("node_modules (npm ci) are needed to build the TypeScript side")
    return ["node", str(build_ts_scorer(tmp_path_factory.mktemp("ts")))]


def test_fuzz_ts_and_python_agree(ts_scorer: list[str], tmp_path: Path) -> None:
    lines = generate_records()
    data = ("\n".join(lines) + "\n").encode("utf-8")
    src = tmp_path / "fuzz.jsonl"
    src.write_bytes(data)
    for variant in VARIANTS:
        ts = subprocess.run([*ts_scorer, str(src), "--reward", variant], capture_output=True, timeout=120)
        out = io.StringIO()
        records, bad = score_stream(io.BytesIO(data), out, variant)
        py = out.getvalue().encode("ascii")
        assert ts.returncode == (2 if bad else 0), ts.stderr.decode()
        assert bad > 0 and records > 9000
        if ts.stdout != py:
            for n, (a, b) in enumerate(zip(ts.stdout.splitlines(), py.splitlines())):
                assert a == b, f"{variant}: output line {n + 1} differs\nTS: {a!r}\nPY: {b!r}"
            assert len(ts.stdout.splitlines()) == len(py.splitlines())
        # The scores must not be degenerate: every reason and both rewards occur.
        results = [json.loads(x) for x in py.decode().splitlines()]
        rewards = {x.get("reward") for x in results}
        assert 1 in rewards and 0 in rewards, rewards


def test_python_cli_matches_ts_cli_on_stdin(ts_scorer: list[str]) -> None:
    data = ("\n".join(generate_records(300, seed=7)) + "\n").encode()
    ts = subprocess.run([*ts_scorer, "-", "--reward=official"], input=data, capture_output=True, timeout=60)
    py = subprocess.run(
        [str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else "python3", "-m", "tooln1", "score", "-", "--reward=official"],
        input=data,
        capture_output=True,
        timeout=60,
        cwd=ROOT,
    )
    assert ts.stdout == py.stdout and ts.returncode == py.returncode == 2, (ts.stderr, py.stderr)


def _py_cli() -> list[str]:
    return [str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else "python3", "-m", "tooln1", "score"]


def test_line_limit_and_line_endings_agree_in_both_clis(ts_scorer: list[str], tmp_path: Path) -> None:
    ok = generate_records(3, seed=3)
    data = b"".join([
        ok[0].encode(), b"\n",
        json.dumps({"completion": "x" * 5000, "answer": []}).encode(), b"\n",  # over the limit
        ok[1].encode(), b"\r\n",  # CRLF
        ok[0].encode(), b"\r", ok[1].encode(), b"\r", ok[2].encode(), b"\n",  # CR only: one line, not JSON
        b"\n", b"z" * 5001,  # blank, then an unterminated line over the limit
    ])
    src = tmp_path / "lines.jsonl"
    src.write_bytes(data)
    ts = subprocess.run([*ts_scorer, str(src), "--max-line-bytes", "4096"], capture_output=True, timeout=60)
    py = subprocess.run([*_py_cli(), str(src), "--max-line-bytes", "4096"], capture_output=True, timeout=60, cwd=ROOT)
    assert ts.stdout == py.stdout and ts.returncode == py.returncode == 2, (ts.stderr, py.stderr)
    lines = py.stdout.decode().splitlines()
    assert len(lines) == 5
    assert lines[1] == '{"error":"line 2: longer than 4096 bytes (--max-line-bytes)","line":2}'
    assert lines[3].startswith('{"error":"line 4: invalid JSON')
    assert lines[4] == '{"error":"line 6: longer than 4096 bytes (--max-line-bytes)","line":6}'


@pytest.mark.parametrize("side", ["ts", "py"])
def test_a_closed_pipe_ends_quietly(ts_scorer: list[str], tmp_path: Path, side: str) -> None:
    # `tooln1 score big.jsonl | head -1`: no stack trace, status 141 (128 + SIGPIPE)
    src = tmp_path / "big.jsonl"
    src.write_text("\n".join(generate_records(3000, seed=5)) + "\n")
    if side == "ts" and not ts_scorer[1].endswith("cli.js"):
        pytest.skip("the closed-pipe handling is in dist/cli.js (node scripts/build.mjs)")
    cmd = ts_scorer if side == "ts" else _py_cli()
    proc = subprocess.Popen([*cmd, str(src)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout.readline().startswith(b"{")
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141 and err == b"", err.decode()[-2000:]
