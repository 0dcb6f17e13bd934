"""The `official` variant against the official scorer itself (compute_score_v0, copied verbatim into
test_reward_oracle.py): on every shared vector and on the 10,000 fuzz records, the reward must be the
same; where compute_score_v0 raises (verl would abort), ours must be 0 with a reason."""

from __future__ import annotations

import contextlib
import io
import json
import random
import sys
from pathlib import Path

import test_reward_oracle as oracle
from test_score_fuzz import generate_records

from tooln1.reward import score

VECTORS = Path(__file__).resolve().parents[2] / "test" / "vectors" / "reward"


def _stack_depth() -> int:
    f, n = sys._getframe(1), 0
    while f is not None:
        f, n = f.f_back, n + 1
    return n


def official(completion: str, answer) -> float | str:
    """The official reward, or 'raises' (its prints silenced, its random seeded). CPython's recursion
    limit is set so that compute_score_v0 has the room it has when a script calls it from its top
    level (the stack under pytest is deeper), which is what OFFICIAL_MAX_DEPTH describes."""
    gt = answer if isinstance(answer, str) else json.dumps(answer)
    random.seed(0)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(old + _stack_depth() - 2)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return oracle.compute_score_v0(completion, gt)
    except Exception:  # noqa: BLE001 - any raise counts
        return "raises"
    finally:
        sys.setrecursionlimit(old)


def check(completion: str, answer, where: str, stats: dict) -> None:
    want = official(completion, answer)
    got = score(completion, answer, "official")
    if want == "raises":
        stats["raises"] += 1
        assert got["reward"] == 0, where
        assert got["reason"] != "ok", where
    else:
        stats[want] += 1
        assert got["reward"] == want, f"{where}: official {want}, ours {got}"
        # A full official match is exactly our calls_ok + format_ok.
        assert (got["reason"] == "ok") == (want == 1), where


def test_vectors_match_official() -> None:
    stats = {0: 0, 1: 0, "raises": 0}
    n = 0
    for f in sorted(VECTORS.glob("*.json")):
        for c in json.loads(f.read_text(encoding="utf-8"))["cases"]:
            if c["answer"] is None or not isinstance(c["answer"], (str, list, dict, int, float)):
                continue
            check(c["completion"], c["answer"], f"{f.stem}/{c['id']}", stats)
            n += 1
    assert n >= 150 and stats[1] > 30 and stats[0] > 30 and stats["raises"] > 0, stats


def test_fuzz_records_match_official() -> None:
    stats = {0: 0, 1: 0, "raises": 0}
    for i, line in enumerate(generate_records()):
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec.get("completion"), str) or "answer" not in rec or rec["answer"] is None:
            continue
        check(rec["completion"], rec["answer"], f"fuzz record {i}", stats)
    assert stats[1] > 2000 and stats[0] > 2000, stats


def _nest(d: int) -> str:
    return '[{"name": "f", "arguments": {"x": %s}}]' % ("[" * (d - 3) + "]" * (d - 3))


def test_nesting_past_512_scores_as_official_until_its_recursion_limit() -> None:
    """Official reads payloads and ground truths nested 513..~990 levels; deeper, it raises (ours: 0).
    Between 981 and 999 CPython's limit depends on the caller's stack and history: not compared."""
    for d in (513, 600, 800, 950, 980, 1000, 1010, 1200):
        for completion, answer in (
            ("<think>t</think><tool_call>" + _nest(d) + "</tool_call>", _nest(d)),
            ("<think>t</think><tool_call>" + _nest(d) + "</tool_call>", '[{"name": "f", "arguments": {"x": 1}}]'),
            ('<think>t</think><tool_call>[{"name": "f", "arguments": {"x": 1}}]</tool_call>', _nest(d)),
        ):
            want = official(completion, answer)
            got = score(completion, answer, "official")
            assert (want == "raises") == (d > 990), (d, want)
            assert got["reward"] == (want if want != "raises" else 0), (d, want, got)
            if want == "raises":
                assert got["reward"] == 0 and got["reason"] in ("bad_json", "bad_ground_truth"), (d, got)
            else:
                assert got["reward"] == want, (d, want, got)


def test_nan_names_and_empty_dict_ground_truth_as_official() -> None:
    nan = '[{"name": NaN, "arguments": {}}]'
    for completion, answer, want in (
        ("<think>t</think><tool_call>" + nan + "</tool_call>", nan, 1),
        ("<think>t</think><tool_call>[" + nan[1:-1] + ", " + nan[1:-1] + "]</tool_call>", "[" + nan[1:-1] + ", " + nan[1:-1] + "]", 1),
        ("<think>t</think><tool_call>" + nan + "</tool_call>", '[{"name": "NaN", "arguments": {}}]', 0),
        ("<think>t</think><tool_call>[]</tool_call>", "{}", 1),
    ):
        assert official(completion, answer) == want
        assert score(completion, answer, "official")["reward"] == want
