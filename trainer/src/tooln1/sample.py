"""Dataset samples. Mirror of src/core/sample.ts (same codes, messages and paths).

A sample is one line of a canonical ``.tooln1.jsonl`` dataset::

    {"id"?: str, "tools": [tool...], "messages": [{"role", "content"}...], "answer": [{"name", "arguments"}...]}

``validate_sample`` checks the sample's own shape (tools are read by ``tooln1.schema`` and ground-truth
calls checked by ``tooln1.callcheck`` separately); ``paper_drop_reason`` says whether the paper's
preprocessing would drop it.
"""

from __future__ import annotations

import json
from typing import Any

from .schema import json_type_of, normalize_tool

ROLES = ("system", "user", "assistant", "tool")


def _problem(code: str, message: str, path: list, severity: str = "error") -> dict:
    return {"code": code, "severity": severity, "message": message, "path": list(path)}


def validate_sample(obj: Any) -> dict:
    """Checks a parsed dataset line: ``{"ok", "sample", "problems"}``.

    ``sample`` (a clean copy: id, tools, messages, answer) is present when there is no error;
    ``ok`` is False when any problem is an error.
    """
    problems: list[dict] = []
    if not isinstance(obj, dict):
        problems.append(_problem("sample_not_object", f'a sample must be a JSON object with "tools", "messages" and "answer", not {json_type_of(obj)}', []))
        return {"ok": False, "sample": None, "problems": problems}
    sid = obj.get("id")
    if "id" in obj and not isinstance(sid, str):
        problems.append(_problem("bad_id", f'"id" must be a string, not {json_type_of(sid)}', ["id"]))

    tools = obj.get("tools")
    if "tools" not in obj:
        problems.append(_problem("missing_tools", 'the sample has no "tools" (the candidate tool list, [] for none)', []))
    elif not isinstance(tools, list):
        problems.append(_problem("bad_tools", f'"tools" must be an array of tools, not {json_type_of(tools)}', ["tools"]))

    msgs: list[dict] = []
    if "messages" not in obj:
        problems.append(_problem("missing_messages", 'the sample has no "messages" (the conversation so far)', []))
    elif not isinstance(obj["messages"], list):
        problems.append(_problem("bad_messages", f'"messages" must be an array of {{"role", "content"}}, not {json_type_of(obj["messages"])}', ["messages"]))
    else:
        messages = obj["messages"]
        users = 0
        for i, m in enumerate(messages):
            if not isinstance(m, dict):
                problems.append(_problem("bad_message", f'a message must be {{"role", "content"}}, not {json_type_of(m)}', ["messages", i]))
                continue
            role, content, ok = m.get("role"), m.get("content"), True
            if not isinstance(role, str) or role not in ROLES:
                shown = json.dumps(role, ensure_ascii=False) if isinstance(role, str) else json_type_of(role)
                problems.append(_problem("bad_role", f'"role" must be "system", "user", "assistant" or "tool", not {shown}', ["messages", i, "role"]))
                ok = False
            if not isinstance(content, str):
                problems.append(_problem("bad_content", f'"content" must be a string, not {json_type_of(content)}', ["messages", i, "content"]))
                ok = False
            if not ok:
                continue
            if role == "system" and i > 0:
                problems.append(_problem("system_not_first", "a system message belongs first; this one is sent as a later system turn", ["messages", i, "role"], "warning"))
            if role == "user":
                users += 1
            msgs.append({"role": role, "content": content})
        if messages and users == 0:
            problems.append(_problem("no_user_message", "the conversation has no user message", ["messages"]))
        if not messages:
            problems.append(_problem("no_messages", '"messages" is empty: the model needs at least a user message', ["messages"]))
        if msgs and msgs[-1]["role"] == "assistant":
            problems.append(_problem("ends_with_assistant", "the conversation ends with an assistant message; the answer is the next assistant step, so it usually ends with a user or tool message", ["messages", len(messages) - 1], "warning"))

    calls: list[dict] = []
    if "answer" not in obj:
        problems.append(_problem("missing_answer", 'the sample has no "answer" (the ground-truth calls, [] for none)', []))
    elif not isinstance(obj["answer"], list):
        problems.append(_problem("bad_answer", f'"answer" must be an array of {{"name", "arguments"}}, not {json_type_of(obj["answer"])}', ["answer"]))
    else:
        for i, c in enumerate(obj["answer"]):
            if not isinstance(c, dict):
                problems.append(_problem("bad_answer_call", f'a ground-truth call must be {{"name", "arguments"}}, not {json_type_of(c)}', ["answer", i]))
                continue
            if not isinstance(c.get("name"), str):
                msg = 'the call has no "name"' if "name" not in c else f'"name" must be a string, not {json_type_of(c["name"])}'
                problems.append(_problem("bad_answer_call", msg, ["answer", i, "name"]))
                continue
            if not isinstance(c.get("arguments"), dict):
                msg = 'the call has no "arguments" object' if "arguments" not in c else f'"arguments" must be an object, not {json_type_of(c["arguments"])}'
                problems.append(_problem("bad_answer_call", msg, ["answer", i, "arguments"]))
                continue
            calls.append({"name": c["name"], "arguments": c["arguments"]})

    ok = not any(p["severity"] == "error" for p in problems)
    sample = None
    if ok:
        sample = {"id": sid} if isinstance(sid, str) else {}
        sample.update({"tools": tools, "messages": msgs, "answer": calls})
    return {"ok": ok, "sample": sample, "problems": problems}


def paper_drop_reason(sample: dict) -> dict | None:
    """Why the paper's preprocessing would drop this (valid) sample: ``{"code", "message"}``, or None."""
    tools = sample["tools"]
    if not tools:
        return {"code": "no_tools", "message": "the candidate tool list is empty"}
    names = set()
    for i, raw in enumerate(tools):
        r = normalize_tool(raw, ["tools", i])
        if r["tool"] is None:
            first = r["problems"][0]["message"] if r["problems"] else "no name"
            return {"code": "unreadable_tool", "message": f"tools[{i}] cannot be read as a tool ({first})"}
        names.add(r["tool"]["name"])
    for call in sample["answer"]:
        if call["name"] not in names:
            return {"code": "unknown_tool_in_answer", "message": f"the ground truth calls '{call['name']}', which is not among the candidate tools"}
    return None


def would_paper_drop(sample: dict) -> str | None:
    r = paper_drop_reason(sample)
    return r["message"] if r else None
