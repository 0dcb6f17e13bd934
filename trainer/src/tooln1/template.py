"""The paper's thinking template (Tool-N1, Figure 2 / Appendix E).

Reproduces ``construct_prompt`` of NVlabs/Tool-N1 ``verl/examples/data_preprocess/
verl_toolcall_preprocess.py`` byte for byte: the system message is the sample's own system text
(the official ``raw_system``) followed by the tool prompt, with every tool written as
``json.dumps({"type": "function", "function": tool})`` (default separators, ``ensure_ascii``), one
per line inside ``<tools>...</tools>``. src/core/template.ts produces the same bytes (shared vectors
in test/vectors/template).

Differences from the original, all for inputs it could not handle: an empty tool list renders as an
empty ``<tools>`` block (the original raises IndexError), and a tool already in OpenAI form
(``{"type": "function", "function": {...}}``) is not wrapped a second time.
"""

from __future__ import annotations

import json
from typing import Any

TOOL_PROMPT_HEAD = "# Tool\n\nHere is a list of functions in JSON format that you can invoke:\n\n<tools>\n"
TOOL_PROMPT_TAIL = (
    "\n</tools>\n\nIn each action step, you MUST: \n"
    "1. Think about the reasoning process in the mind and enclosed your reasoning within <think> </think> XML tags.\n"
    "2. Then, provide a json object with function names and arguments within <tool_call></tool_call> XML tags. "
    'i.e., <tool_call>[{"name": <function-name>, "arguments": <args-json-object>}, {"name": <function-name2>, "arguments": <args-json-object2>}, ...]</tool_call>\n'
    "3. Make sure both the reasoning and the tool call steps are included together in one single reply.\n"
    "A complete reply example is: <think>To address the query, I need to send the email to Bob and then buy the banana through walmart. </think> "
    '<tool_call> [{"name": "email", "arguments": {"receiver": "Bob", "content": "I will bug banana through walmart"}}, {"name": "walmart", "arguments": {"input": "banana"}}]</tool_call>. '
    "Please make sure the type of the arguments is correct. \n"
)

#: The system text the official pipeline gives xLAM samples (``DEFAULT_PROMPT`` in data_process/raw_data_process.py).
DEFAULT_SYSTEM = (
    "You are an expert in composing functions. You are given a question and a set of possible functions. \n"
    "Based on the question, you will need to make one or more function/tool calls to achieve the purpose. \n"
    "If none of the function can be used, point it out. If the given question lacks the parameters required by the function,\n"
    "also point it out. You should only return the function call in tools call sections. "
    "Here is a list of functions in JSON format that you can invoke:\n"
)

#: Qwen2.5's chat template puts this system message first when a conversation has none.
QWEN_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."


def tool_line(tool: Any) -> str:
    """One tool as the paper writes it in the prompt."""
    if isinstance(tool, dict) and isinstance(tool.get("function"), dict) and tool.get("type", "function") == "function":
        tool = tool["function"]
    return json.dumps({"type": "function", "function": tool})


def tool_prompt(tools: list) -> str:
    """The ``# Tool`` section: tools one per line inside ``<tools>``, then the instructions."""
    return TOOL_PROMPT_HEAD + "\n".join(tool_line(t) for t in tools) + TOOL_PROMPT_TAIL


def build_messages(sample: dict) -> list[dict]:
    """The chat messages the model sees for ``sample``: system prompt with tools, then the conversation.

    A leading system message of the sample is the official ``raw_system`` and is kept in front of the
    tool prompt; the other messages follow unchanged.
    """
    tools = sample.get("tools")
    messages = sample.get("messages")
    if not isinstance(tools, list):
        raise ValueError('sample "tools" must be a list of tools')
    if not isinstance(messages, list):
        raise ValueError('sample "messages" must be a list of {"role", "content"}')
    raw_system = ""
    rest = messages
    if messages and isinstance(messages[0], dict) and messages[0].get("role") == "system":
        raw_system = _content(messages[0], 0)
        rest = messages[1:]
    out = [{"role": "system", "content": raw_system + tool_prompt(tools)}]
    offset = len(messages) - len(rest)
    for i, m in enumerate(rest):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise ValueError(f'sample "messages[{i + offset}]" must be {{"role", "content"}}')
        out.append({"role": m["role"], "content": _content(m, i + offset)})
    return out


def _content(m: dict, i: int) -> str:
    c = m.get("content")
    if not isinstance(c, str):
        raise ValueError(f'sample "messages[{i}].content" must be a string')
    return c


def render_chatml(messages: list[dict], add_generation_prompt: bool = True) -> str:
    """Qwen2.5 ChatML, as its chat template renders plain messages (no tokenizer needed).

    ``<|im_start|>role\\ncontent<|im_end|>\\n`` per message; ``tool`` messages go inside a ``user`` turn as
    ``<tool_response>`` blocks (consecutive ones share the turn), and a conversation without a system
    message gets Qwen's default one, as Qwen2.5's template does.
    """
    parts: list[str] = []
    if not messages or messages[0].get("role") != "system":
        parts.append(f"<|im_start|>system\n{QWEN_DEFAULT_SYSTEM}<|im_end|>\n")
    n = len(messages)
    for i, m in enumerate(messages):
        role, content = m["role"], m["content"]
        if role == "tool":
            if i == 0 or messages[i - 1]["role"] != "tool":
                parts.append("<|im_start|>user")
            parts.append("\n<tool_response>\n" + content + "\n</tool_response>")
            if i == n - 1 or messages[i + 1]["role"] != "tool":
                parts.append("<|im_end|>\n")
        else:
            parts.append(f"<|im_start|>{role}\n{content}<|im_end|>\n")
    if add_generation_prompt:
        parts.append("<|im_start|>assistant\n")
    return "".join(parts)


def render_prompt(sample: dict, add_generation_prompt: bool = True) -> str:
    """``render_chatml(build_messages(sample))``: the prompt text when no tokenizer is at hand."""
    return render_chatml(build_messages(sample), add_generation_prompt)
