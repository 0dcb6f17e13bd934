"""The shared reward vectors (test/vectors/reward/*.json): every case, all four variants, and the
parse result (offsets converted to UTF-16). test/unit/reward-vectors.test.ts runs the same files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tooln1.reward import REWARD_VARIANTS, score
from tooln1.toolcall import parse_tool_calls_utf16

VECTORS = Path(__file__).resolve().parents[2] / "test" / "vectors" / "reward"
FILES = sorted(VECTORS.glob("*.json"))


def load_cases():
    for f in FILES:
        for c in json.loads(f.read_text(encoding="utf-8"))["cases"]:
            yield f.stem, c


CASES = list(load_cases())


def test_enough_vectors() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize("group,case", CASES, ids=[f"{g}/{c['id']}" for g, c in CASES])
def test_vector(group: str, case: dict) -> None:
    for v in REWARD_VARIANTS:
        got = score(case["completion"], case["answer"], v)
        assert got == case["expected"][v], f"[{v}]"
        assert set(got) <= {"reward", "format_ok", "calls_ok", "reason", "mismatch"}
    if "parse" in case:
        assert parse_tool_calls_utf16(case["completion"]) == case["parse"]
