"""The wire formats' JSON Schemas (tooln1/schemas/*.schema.json) against the shared vectors, the
examples, and the trainer's own run fixtures when present (test/fixtures/runs)."""

import json
import math
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tooln1.callcheck import check_call, index_tools
from tooln1.sample import paper_drop_reason, validate_sample
from tooln1.schema import read_tool_list

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "trainer/src/tooln1/schemas"
_docs = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.schema.json")}
REGISTRY = Registry().with_resources([(d["$id"], Resource.from_contents(d)) for d in _docs.values() if "$id" in d])


def validator(name: str) -> Draft202012Validator:
    Draft202012Validator.check_schema(_docs[name])
    return Draft202012Validator(_docs[name], registry=REGISTRY)


EVENTS = json.loads((ROOT / "test/vectors/events/cases.json").read_text(encoding="utf-8"))


def _json(line: str):
    try:
        return json.loads(line)
    except ValueError:
        return None


@pytest.mark.parametrize("case", EVENTS["events"], ids=[c["name"] for c in EVENTS["events"]])
def test_event_schema_agrees_with_the_typescript_reader(case):
    v = _json(case["line"])
    assert (v is not None and validator("event.schema.json").is_valid(v)) == case["ok"]


@pytest.mark.parametrize("case", EVENTS["rollouts"], ids=[c["name"] for c in EVENTS["rollouts"]])
def test_rollout_schema_agrees_with_the_typescript_reader(case):
    v = _json(case["line"])
    assert (v is not None and validator("rollout.schema.json").is_valid(v)) == case["ok"]


def _run_files():
    runs = ROOT / "test/fixtures/runs"
    return sorted(p for p in runs.rglob("*.jsonl") if p.name == "events.jsonl" or (p.parent.name == "rollouts" and p.name.startswith("step-")))


def test_trainer_fixture_runs_match_the_schemas():
    files = _run_files()
    assert files, "test/fixtures/runs holds no trainer-written run (make_run_fixture.py writes one)"
    for path in files:
        v = validator("event.schema.json" if path.name == "events.jsonl" else "rollout.schema.json")
        lines = path.read_text(encoding="utf-8").split("\n")
        for n, line in enumerate(lines[:-1], 1):  # a killed run may end in an unfinished line
            if line.strip():
                errors = [e.message for e in v.iter_errors(json.loads(line))]
                assert not errors, f"{path}:{n}: {errors}"


def test_score_record_schema():
    v = validator("score-record.schema.json")
    assert v.is_valid({"reward": 1.0, "format_ok": True, "calls_ok": True, "reason": "ok"})
    assert v.is_valid({"reward": 0, "format_ok": True, "calls_ok": False, "reason": "wrong_argument_value", "mismatch": "calls[0].arguments.city"})
    assert not v.is_valid({"reward": 1.0, "format_ok": True, "calls_ok": True, "reason": "great"})


TOOL_FILES = sorted((ROOT / "examples/tools").glob("*.tools.json"))


@pytest.mark.parametrize("path", TOOL_FILES, ids=[p.name for p in TOOL_FILES])
def test_example_tool_files(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert validator("tools-file.schema.json").is_valid(doc)
    r = read_tool_list(doc)
    assert r["problems"] == [] and r["tools"]


def test_example_tool_files_cover_every_dialect():
    dialects = {t["dialect"] for p in TOOL_FILES for t in read_tool_list(json.loads(p.read_text(encoding="utf-8")))["tools"]}
    assert dialects == {"openai", "bare", "mcp", "bfcl", "xlam"}


def _lines(name):
    return (ROOT / "examples/data" / name).read_text(encoding="utf-8").splitlines()


def test_example_dataset_is_clean():
    v = validator("sample.schema.json")
    lines = _lines("train.tooln1.jsonl")
    assert len(lines) >= 40
    for line in lines:
        s = json.loads(line)
        assert v.is_valid(s), s["id"]
        r = validate_sample(s)
        assert r["ok"] and r["problems"] == [], s["id"]
        assert paper_drop_reason(r["sample"]) is None
        index = index_tools(read_tool_list(s["tools"])["tools"])
        for call in s["answer"]:
            assert check_call(call, index) == [], (s["id"], call)


def test_broken_dataset_lines_each_have_a_problem():
    found = {}
    for line in _lines("broken.tooln1.jsonl"):
        try:
            s = json.loads(line)
        except ValueError:
            found["broken-json"] = ["not JSON"]
            continue
        r = validate_sample(s)
        codes = [p["code"] for p in r["problems"]]
        tools = read_tool_list(s.get("tools", []))
        codes += [p["code"] for p in tools["problems"]]
        if r["sample"]:
            index = index_tools(tools["tools"])
            codes += [p["code"] for c in r["sample"]["answer"] for p in check_call(c, index)]
            drop = paper_drop_reason(r["sample"])
            codes += [drop["code"]] if drop else []
        found[s["id"]] = codes
    for sid, codes in found.items():
        assert codes, f"{sid} should have a problem"
    assert "unknown_tool" in found["broken-unknown-tool"]
    assert found["broken-missing-required"] == ["missing_required"]
    assert found["broken-wrong-type"] == ["wrong_type"]
    assert found["broken-enum"] == ["enum_violation"]
    assert found["broken-unexpected-argument"] == ["unexpected_argument"]


def test_metrics_vectors():
    from tooln1.metrics import normalize_metrics as normalize

    doc = json.loads((ROOT / "test/vectors/events/metrics-cases.json").read_text(encoding="utf-8"))
    for case in doc["cases"]:
        assert normalize(case["source"], case["raw"]) == case["expected"], case["name"]
    assert normalize("trl", {"kl": math.nan}) == {"kl": None}


def test_reason_codes_have_one_spec():
    """reasons.json is the list; the reward loads it and both JSON Schemas that name reasons list exactly it."""
    from tooln1.reward import REASON_CODES

    spec = json.loads((SCHEMAS / "reasons.json").read_text(encoding="utf-8"))
    assert REASON_CODES == tuple(spec["codes"]) and REASON_CODES[0] == "ok"
    score = _docs["score-record.schema.json"]["oneOf"][0]["properties"]["reason"]["enum"]
    rollout = _docs["rollout.schema.json"]["properties"]["details"]["properties"]["reason"]["enum"]
    assert score == rollout == list(REASON_CODES)


def test_event_types_come_from_the_event_schema():
    from tooln1.events import EVENT_TYPES, FINAL_STATUSES

    schema = _docs["event.schema.json"]
    assert EVENT_TYPES == tuple(schema["properties"]["type"]["enum"])
    branches = [c["if"]["properties"]["type"]["const"] for c in schema["allOf"]]
    assert sorted(branches) == sorted(EVENT_TYPES), "every event type has its fields in the schema"
    assert FINAL_STATUSES == ("completed", "cancelled", "failed")


def test_bfcl_categories_have_one_spec():
    """bfcl-categories.json is the list; the runner loads it from beside itself, as the BFCL environment
    runs it (no tooln1 there), and tooln1.bfcl takes the runner's tuples."""
    import runpy

    from tooln1 import bfcl, bfcl_runner

    spec = json.loads((SCHEMAS / "bfcl-categories.json").read_text(encoding="utf-8"))["categories"]
    standalone = runpy.run_path(bfcl_runner.__file__)
    assert standalone["AST_CATEGORIES"] == tuple(c for c, k in spec.items() if k == "ast")
    assert standalone["RELEVANCE_CATEGORIES"] == tuple(c for c, k in spec.items() if k == "relevance")
    assert set(spec.values()) == {"ast", "relevance"}
    assert bfcl.CATEGORIES == standalone["CATEGORIES"] and len(bfcl.CATEGORIES) == len(spec) == 13
