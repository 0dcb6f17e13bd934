"""Dataset samples, on the vectors the TypeScript suite also runs (test/vectors/importers/samples.json)."""

import json
from pathlib import Path

import pytest

from tooln1.sample import paper_drop_reason, validate_sample, would_paper_drop

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "test/vectors/importers/samples.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_sample_vector(case):
    r = validate_sample(case["input"])
    assert r["problems"] == case["expected"]["problems"]
    assert r["ok"] == case["expected"]["ok"]
    assert (r["sample"] is not None) == case["expected"]["ok"]
    assert (paper_drop_reason(r["sample"]) if r["sample"] else None) == case["expected"]["drop"]


def test_clean_copy():
    r = validate_sample({"id": "a", "tools": [], "messages": [{"role": "user", "content": "q", "name": "x"}], "answer": [], "extra": 1})
    assert r["sample"] == {"id": "a", "tools": [], "messages": [{"role": "user", "content": "q"}], "answer": []}
    assert would_paper_drop(r["sample"]) == "the candidate tool list is empty"
