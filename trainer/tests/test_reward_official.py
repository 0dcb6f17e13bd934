"""The `official` variant against the official scorer itself (compute_score_v0, copied verbatim into
test_reward_oracle.py): on every shared vector and on the 10,000 fuzz records, the reward must be the
same; where compute_score_v0 raises (verl would abort), ours must be 0 with a reason."""

from __future__ import annotations

import contextlib
import io
import json
import random
from pathlib import Path

import test_reward_oracle as oracle
from test_score_fuzz import generate_records

from tooln1.reward import score

VECTORS = Path(__file__).resolve().parents[2] / "test" / "vectors" / "reward"


def official(completion: str, answer) -> float | str:
    """The official reward, or 'raises' (its prints silenced, its random seeded)."""
    gt = answer if isinstance(answer, str) else json.dumps(answer)
    random.seed(0)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return oracle.compute_score_v0(completion, gt)
    except Exception:  # noqa: BLE001 - any raise counts
        return "raises"


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
