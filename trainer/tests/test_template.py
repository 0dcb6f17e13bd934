"""The paper's thinking template, on the vectors the TypeScript suite also runs (test/vectors/template)."""

import json
from pathlib import Path

import pytest

from tooln1 import template
from tooln1.template import build_messages, render_chatml

ROOT = Path(__file__).resolve().parents[2]
DOC = json.loads((ROOT / "test/vectors/template/cases.json").read_text(encoding="utf-8"))
OFFICIAL = json.loads((ROOT / "test/vectors/template/official.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", DOC["samples"], ids=[c["name"] for c in DOC["samples"]])
def test_template_vector(case):
    messages = build_messages(json.loads(case["line"]))
    assert messages == case["messages"]
    assert render_chatml(messages) == case["chatml"]
    assert render_chatml(messages, add_generation_prompt=False) == case["chatml_no_generation_prompt"]


@pytest.mark.parametrize("case", DOC["chatml"], ids=[c["name"] for c in DOC["chatml"]])
def test_chatml_vector(case):
    assert render_chatml(case["messages"]) == case["chatml"]
    assert render_chatml(case["messages"], False) == case["chatml_no_generation_prompt"]


def _official(sample: dict) -> list:
    """construct_prompt from NVlabs/Tool-N1 verl/examples/data_preprocess/verl_toolcall_preprocess.py,
    transcribed (its module imports verl and datasets), applied to an official raw record."""
    qwen_tool_prompts = OFFICIAL["qwen_tool_prompts"]

    def format_tools(tools):
        tools = json.loads(tools)
        string = ""
        for tool in tools:
            string += json.dumps({"type": "function", "function": tool}) + "\n"
        if string[-1] == "\n":
            string = string[:-1]
        return string

    prompt = [{"role": "system", "content": sample["raw_system"] + qwen_tool_prompts.format(tools=format_tools(sample["tools"]))}]
    for tem in sample["conversations"]:
        role = {"human": "user", "gpt": "assistant", "observation": "tool", "function_call": "assistant"}[tem["from"]]
        prompt.append({"role": role, "content": json.dumps(tem["value"]) if tem["from"] == "function_call" else tem["value"]})
    return prompt


def test_same_messages_as_the_official_construct_prompt():
    tools = [{"name": "live_giveaways_by_type", "description": "Giveaways — «beta» 🎮", "parameters": {"type": {"description": "The type.", "type": "str", "default": "game"}}}]
    assert template.DEFAULT_SYSTEM == OFFICIAL["DEFAULT_PROMPT"]
    raw = {"tools": json.dumps(tools), "raw_system": OFFICIAL["DEFAULT_PROMPT"], "conversations": [{"from": "human", "value": "Any beta giveaways?"}]}
    ours = build_messages({"tools": tools, "messages": [{"role": "system", "content": template.DEFAULT_SYSTEM}, {"role": "user", "content": "Any beta giveaways?"}], "answer": []})
    assert ours == _official(raw)


def test_multi_turn_matches_the_official_construct_prompt():
    tools = [{"name": "get_weather", "description": "Weather.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    call = json.dumps([{"name": "get_weather", "arguments": {"city": "Paris"}}])
    raw = {"tools": json.dumps(tools), "raw_system": "Sys.\n", "conversations": [
        {"from": "human", "value": "Paris?"}, {"from": "function_call", "value": call},
        {"from": "observation", "value": "[{\"temp\": 21}]"}, {"from": "gpt", "value": "21 degrees."}, {"from": "human", "value": "Rome?"}]}
    ours = build_messages({"tools": tools, "messages": [
        {"role": "system", "content": "Sys.\n"}, {"role": "user", "content": "Paris?"}, {"role": "assistant", "content": json.dumps(call)},
        {"role": "tool", "content": "[{\"temp\": 21}]"}, {"role": "assistant", "content": "21 degrees."}, {"role": "user", "content": "Rome?"}], "answer": []})
    assert ours == _official(raw)


def test_render_chatml_matches_qwen25_chat_template():
    """Qwen2.5's own chat template (test/vectors/template/qwen2.5-chat-template.jinja), rendered the
    way transformers renders chat templates, gives the same text as render_chatml."""
    sandbox = pytest.importorskip("jinja2.sandbox")
    env = sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    qwen = env.from_string((ROOT / "test/vectors/template/qwen2.5-chat-template.jinja").read_text(encoding="utf-8"))
    conversations = [c["messages"] for c in DOC["samples"]] + [c["messages"] for c in DOC["chatml"] if c["messages"]]
    for messages in conversations:
        for gen in (True, False):
            assert qwen.render(messages=messages, add_generation_prompt=gen) == render_chatml(messages, gen)
