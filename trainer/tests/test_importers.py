"""Importers, on the fixtures the TypeScript suite also runs (test/vectors/importers), and both CLIs."""

import json
import os
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
        env = {**os.environ, "TOOLN1_PYTHON": sys.executable}
        p = subprocess.run(cmd + args, cwd=ROOT, capture_output=True, text=True, env=env)
        outs.append((p.returncode, out.read_bytes(), p.stderr.replace(str(out), "OUT")))
    assert outs[0] == outs[1]


REAL = ROOT / "test/fixtures/real"


def test_sharegpt_empty_tools_key_does_not_hide_the_system_prompt_tools():
    """LLaMA-Factory's ToolACE export: tools in the system prompt and "tools": "[]" on every record."""
    text = (REAL / "toolace-sharegpt.json").read_text(encoding="utf-8")
    recs = json.loads(text)
    assert all(r["tools"] == "[]" for r in recs)
    r = convert_text("sharegpt", text)
    assert len(r["lines"]) > 0, r["dropped"]
    assert "no_tools" not in r["dropped"]
    # The same records without the key keep the same samples.
    bare = json.dumps([{k: v for k, v in x.items() if k != "tools"} for x in recs])
    assert convert_text("sharegpt", bare)["lines"] == r["lines"]
    first = json.loads(r["lines"][0])
    # The tool list moved from the system text (which keeps the words up to it) to "tools".
    assert first["tools"] and first["messages"][0]["content"].endswith("JSON format that you can invoke:\n")


def test_sharegpt_non_empty_tools_key_still_wins():
    rec = {"system": "", "tools": json.dumps([{"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}]),
           "conversations": [{"from": "human", "value": "hi"}, {"from": "function_call", "value": json.dumps({"name": "f", "arguments": {}})}]}
    r = convert_text("sharegpt", json.dumps([rec]))
    assert len(r["lines"]) == 1 and json.loads(r["lines"][0])["tools"][0]["name"] == "f"


def test_openai_legacy_functions_and_function_call():
    """OpenAI's documented legacy form: `functions` and an assistant `function_call` (arguments as JSON text)."""
    rec = {
        "functions": [{"name": "get_current_weather", "description": "Get the current weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}],
        "messages": [
            {"role": "user", "content": "Weather in Boston?"},
            {"role": "assistant", "content": None, "function_call": {"name": "get_current_weather", "arguments": "{\"location\": \"Boston, MA\"}"}},
            {"role": "function", "name": "get_current_weather", "content": "{\"temperature\": 22}"},
            {"role": "user", "content": "And in Paris?"},
            {"role": "assistant", "content": None, "function_call": {"name": "get_current_weather", "arguments": "{\"location\": \"Paris\"}"}},
        ],
    }
    r = convert_text("openai", json.dumps(rec))
    assert r["dropped"] == {}, r
    samples = [json.loads(line) for line in r["lines"]]
    assert len(samples) == 2
    assert samples[0]["tools"] == [{"type": "function", "function": rec["functions"][0]}]
    assert samples[0]["answer"] == [{"name": "get_current_weather", "arguments": {"location": "Boston, MA"}}]
    assert samples[1]["answer"] == [{"name": "get_current_weather", "arguments": {"location": "Paris"}}]
    assert samples[1]["messages"][2]["role"] == "tool"


def test_sharegpt_reads_hermes_function_calling_records():
    """NousResearch/hermes-function-calling-v1's own examples: tools in the first system turn as
    ``<tools>[...]</tools>`` (a Python literal or JSON), calls in ``<tool_call>`` blocks as Python literals."""
    text = (REAL / "hermes-fc-v1.json").read_text(encoding="utf-8")
    recs = json.loads(text)
    r = convert_text("sharegpt", text)
    # The flight search is kept; the extraction record's call puts "name" inside "arguments" (and
    # writes "\\n" as text), so it cannot be read; the two JSON-mode records call no tool.
    assert r["dropped"] == {"bad_call": 1, "no_tool_call": 2}, r["dropped"]
    assert len(r["lines"]) == 1
    s = json.loads(r["lines"][0])
    assert s["id"] == recs[0]["id"]
    assert [t["function"]["name"] for t in s["tools"]] == ["search_flights"]
    assert s["tools"][0]["function"]["parameters"]["properties"]["class"]["enum"] == ["economy", "business", "first"]
    assert s["answer"] == [{"name": "search_flights", "arguments": {
        "departure_city": "Los Angeles", "destination_city": "Auckland", "departure_date": "2023-07-10",
        "return_date": "2023-07-24", "class": "economy", "flexible_cancellation": True}}]
    # The system turn keeps its words up to the tool list; the list and Hermes' call format are left to the template.
    assert s["messages"][0] == {"role": "system", "content": recs[0]["conversations"][0]["value"].split("\n<tools>")[0]}
    assert "<tools>" not in s["messages"][0]["content"].split("XML tags")[-1]
    assert [m["role"] for m in s["messages"]] == ["system", "user"]


def test_hermes_tool_list_in_json_and_a_json_tool_call():
    tools = [{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}}}]
    rec = {"conversations": [
        {"from": "system", "value": "You are a function calling AI model.\n<tools>\n" + json.dumps(tools) + "\n</tools>\nUse <tool_call>."},
        {"from": "human", "value": "a=1"},
        {"from": "gpt", "value": '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>'},
    ]}
    r = convert_text("sharegpt", json.dumps([rec]))
    s = json.loads(r["lines"][0])
    assert s["tools"] == tools and s["answer"] == [{"name": "f", "arguments": {"a": 1}}]
    assert s["messages"][0]["content"] == "You are a function calling AI model."
    # A tool list that is neither JSON nor a Python literal is a bad_json drop, never a crash.
    rec["conversations"][0]["value"] = "x <tools>[{'name': </tools>"
    assert convert_text("sharegpt", json.dumps([rec]))["dropped"] == {"bad_json": 1}
