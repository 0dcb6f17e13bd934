"""The schema-aware call check, on the vectors the TypeScript suite also runs (test/vectors/callcheck)."""

import json
from pathlib import Path

import pytest

from tooln1.callcheck import check_call, index_tools
from tooln1.schema import read_tool_list

ROOT = Path(__file__).resolve().parents[2]
DOC = json.loads((ROOT / "test/vectors/callcheck/cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_callcheck_vector(case):
    tools = read_tool_list(DOC["toolsets"][case["tools"]])["tools"]
    assert check_call(case["call"], index_tools(tools)) == case["expected"]


def test_every_code_is_exercised():
    codes = {p["code"] for c in DOC["cases"] for p in c["expected"]}
    assert codes >= {"unknown_tool", "missing_required", "wrong_type", "enum_violation", "unexpected_argument", "bad_call"}


def test_float_whole_number_is_integer_and_bool_is_not():
    index = index_tools(read_tool_list([{"name": "f", "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}}}])["tools"])
    assert check_call({"name": "f", "arguments": {"n": 2.0}}, index) == []
    assert [p["code"] for p in check_call({"name": "f", "arguments": {"n": False}}, index)] == ["wrong_type"]
