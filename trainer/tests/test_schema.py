"""The tool schema model, on the vectors the TypeScript suite also runs (test/vectors/schema)."""

import copy
import json
from pathlib import Path

import pytest

from tooln1.schema import normalize_tool, read_tool_list, to_json_schema, to_openai_tool, xlam_type_to_schema

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "test/vectors/schema/cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['op']}: {c['name']}" for c in CASES])
def test_schema_vector(case):
    op, x = case["op"], case["input"]
    if op == "normalizeTool":
        got = normalize_tool(x, case.get("path"))
    elif op == "readToolList":
        got = read_tool_list(x)
    elif op == "toJsonSchema":
        got = to_json_schema(x)
    else:
        got = to_openai_tool(normalize_tool(x)["tool"])
    assert got == case["expected"]


def test_xlam_type_strings():
    assert xlam_type_to_schema("List[Dict[str, Any]]") == ({"type": "array", "items": {"type": "object"}}, False)
    assert xlam_type_to_schema("int, optional") == ({"type": "integer"}, True)
    assert xlam_type_to_schema("Optional[List[int]]") == ({"type": ["array", "null"], "items": {"type": "integer"}}, False)
    assert xlam_type_to_schema("Callable[[int], int]") == ({}, False)


def test_to_json_schema_leaves_input_alone():
    node = {"type": "dict", "properties": {"a": {"type": "float"}}}
    before = copy.deepcopy(node)
    to_json_schema(node)
    assert node == before
