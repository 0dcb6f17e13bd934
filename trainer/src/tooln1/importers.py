"""Importers: other tool-calling dataset formats to canonical Tool-N1 samples.

``python -m tooln1 convert --from FORMAT IN OUT``; the only implementation (``node dist/cli.js convert``
runs this command). Formats:

- ``tooln1-raw``: the official Tool-N1 raw record (``tools``, ``conversations`` with ``from`` human /
  gpt / function_call / observation, ``answer``, ``raw_system``; tools and answer as lists or JSON strings)
- ``xlam``: Salesforce xLAM (``query``, ``tools`` and ``answers`` as JSON strings), given the official
  pipeline's system text (``DEFAULT_PROMPT``)
- ``sharegpt``: ShareGPT / ToolACE / Hermes conversations (``system`` holding the tool list, or
  ``tools``; an empty ``tools`` such as LLaMA-Factory's ``"[]"`` falls back to the system prompt's
  list: ToolACE's, or Hermes' ``<tools>[...]</tools>``, JSON or a Python literal; assistant calls as
  ``[f(a=1)]``, a JSON list, or ``<tool_call>`` blocks holding JSON or a Python literal)
- ``bfcl``: BFCL question records plus ``--answers`` possible_answer records (first possible value of
  each argument; arguments whose first possible value is ``""`` are optional and left out)
- ``openai``: OpenAI chat (``messages`` with ``tool_calls``, ``tools``), and its legacy form
  (``functions`` and assistant ``function_call``; the functions become OpenAI-form tools)
- ``canonical``: Tool-N1 samples, checked and re-written

Multi-turn trajectories become one sample per assistant tool-call step (earlier steps are context,
an earlier call written as the paper writes it: ``json.dumps`` of its JSON text). Samples the paper's
preprocessing would drop are dropped with a reason; the counts go to stderr. Input is a JSON array or
JSON lines; unreadable lines are reported and skipped (exit code 2), never fatal.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
from typing import Any, Callable, Iterable

from .sample import paper_drop_reason
from .template import DEFAULT_SYSTEM

FORMATS = ("tooln1-raw", "xlam", "sharegpt", "bfcl", "openai", "canonical")

#: Stable drop codes.
DROP_REASONS = {
    "bad_json": "a field holding JSON text could not be parsed",
    "bad_record": "the record is not in the expected shape",
    "bad_call": "a tool call could not be read",
    "no_tool_call": "the conversation has no assistant tool-call step",
    "no_ground_truth": "no possible answer for this question",
    "bfcl_multi_turn": "multi-turn BFCL questions are not supported",
    "no_tools": "the candidate tool list is empty",
    "unreadable_tool": "a tool has no usable name",
    "unknown_tool_in_answer": "the ground truth calls a tool absent from the candidate list",
}


class Drop(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str) -> Any:
    """Strict JSON (no NaN / Infinity)."""
    return json.loads(text, parse_constant=_reject_constant)


def dump_sample(sample: dict) -> str:
    """One canonical JSONL line (no newline): keys id?, tools, messages, answer; UTF-8, compact."""
    out: dict = {}
    if sample.get("id") is not None:
        out["id"] = sample["id"]
    out["tools"] = sample["tools"]
    out["messages"] = sample["messages"]
    out["answer"] = sample["answer"]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# ---------------------------------------------------------------- reading input


def _is_blank(line: str) -> bool:
    return line.strip(" \t\r\n") == ""


def parse_input(text: str) -> tuple[list[tuple[int, Any]], list[tuple[int, str]]]:
    """Records (with their 1-based line number; 0 for a whole-file document) and bad lines."""
    if text.startswith("\ufeff"):
        text = text[1:]
    stripped = text.lstrip(" \t\r\n")
    if stripped.startswith("["):
        try:
            doc = loads(text)
        except (ValueError, RecursionError):
            doc = None
        if isinstance(doc, list):
            return [(0, r) for r in doc], []
    records: list[tuple[int, Any]] = []
    bad: list[tuple[int, str]] = []
    lines = text.split("\n")
    for n, line in enumerate(lines, 1):
        if _is_blank(line):
            continue
        try:
            records.append((n, loads(line)))
        except ValueError:
            bad.append((n, "not valid JSON"))
        except RecursionError:
            bad.append((n, "nested too deeply to read"))
    if bad and not records:
        try:
            doc = loads(text)
        except (ValueError, RecursionError):
            return records, bad
        return ([(0, r) for r in doc] if isinstance(doc, list) else [(0, doc)]), []
    return records, bad


# ---------------------------------------------------------------- helpers


def _json_field(v: Any) -> Any:
    """A field that may hold JSON text (xLAM, the official raw record) or the value itself."""
    if isinstance(v, str):
        try:
            return loads(v)
        except ValueError:
            raise Drop("bad_json") from None
    return v


def _calls(v: Any) -> list[dict]:
    """A list of ``{"name", "arguments"}`` (a single object counts as a list of one; arguments may be JSON text)."""
    if isinstance(v, dict):
        v = [v]
    if not isinstance(v, list):
        raise Drop("bad_call")
    out = []
    for c in v:
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise Drop("bad_call")
        args = c.get("arguments", c.get("parameters", {}))
        if isinstance(args, str):
            try:
                args = loads(args) if args.strip(" \t\r\n") else {}
            except ValueError:
                raise Drop("bad_call") from None
        if not isinstance(args, dict):
            raise Drop("bad_call")
        out.append({"name": c["name"], "arguments": args})
    return out


def _call_context(calls: list[dict]) -> str:
    """An earlier call as the paper puts it in the prompt: json.dumps of its JSON text."""
    return json.dumps(json.dumps(calls))


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in v if isinstance(p, dict) and isinstance(p.get("text"), str))
    if v is None:
        return ""
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _finish(sample: dict) -> dict:
    """Applies the paper's drop rules; returns the sample or raises Drop."""
    if not isinstance(sample["tools"], list):
        raise Drop("bad_record")
    for t in sample["tools"]:
        if not isinstance(t, dict):
            raise Drop("unreadable_tool")
    reason = paper_drop_reason(sample)
    if reason:
        raise Drop(reason["code"])
    return sample


def _system(text: str) -> list[dict]:
    return [{"role": "system", "content": text}] if text else []


def _split(record_id: str, tools: list, turns: list[tuple[str, Any]]) -> list[tuple[str, dict | str]]:
    """One sample per assistant tool-call step. ``turns``: (role, content) with role "call" holding calls."""
    steps = [i for i, (role, _) in enumerate(turns) if role == "call"]
    if not steps:
        return [(record_id, "no_tool_call")]
    out: list[tuple[str, dict | str]] = []
    for k, i in enumerate(steps, 1):
        sid = record_id if len(steps) == 1 else f"{record_id}#{k}"
        messages = []
        for role, content in turns[:i]:
            if role == "call":
                messages.append({"role": "assistant", "content": _call_context(content)})
            else:
                messages.append({"role": role, "content": content})
        try:
            out.append((sid, _finish({"id": sid, "tools": tools, "messages": messages, "answer": turns[i][1]})))
        except Drop as d:
            out.append((sid, d.code))
    return out


# ---------------------------------------------------------------- formats


def _from_raw(rec: Any, rid: str) -> list:
    if not isinstance(rec, dict) or not isinstance(rec.get("conversations"), list):
        raise Drop("bad_record")
    tools = _json_field(rec.get("tools", []))
    answer = _calls(_json_field(rec.get("answer", [])))
    raw_system = rec.get("raw_system", "")
    if not isinstance(raw_system, str):
        raise Drop("bad_record")
    messages = _system(raw_system)
    role_of = {"human": "user", "gpt": "assistant", "observation": "tool", "function_call": "assistant"}
    for c in rec["conversations"]:
        if not isinstance(c, dict) or not isinstance(c.get("from"), str) or c["from"] not in role_of:
            raise Drop("bad_record")
        value = c.get("value")
        content = json.dumps(value) if c["from"] == "function_call" else value
        if not isinstance(content, str):
            raise Drop("bad_record")
        messages.append({"role": role_of[c["from"]], "content": content})
    return [(rid, _finish({"id": rid, "tools": tools, "messages": messages, "answer": answer}))]


def _from_xlam(rec: Any, rid: str) -> list:
    if not isinstance(rec, dict) or not isinstance(rec.get("query"), str):
        raise Drop("bad_record")
    tools = _json_field(rec.get("tools", "[]"))
    answer = _calls(_json_field(rec.get("answers", "[]")))
    messages = [{"role": "system", "content": DEFAULT_SYSTEM}, {"role": "user", "content": rec["query"]}]
    return [(rid, _finish({"id": rid, "tools": tools, "messages": messages, "answer": answer}))]


_TOOLACE_MARKER = "JSON format that you can invoke:\n"
_FUNC_RE = re.compile(r"([a-zA-Z0-9\._\?\|\s\-]+)\((.*?)\)")
_VALID_RE = re.compile(r"^\[\s*([a-zA-Z0-9\._\?\|\s\-/]+\(.*?\)\s*)(,\s*[a-zA-Z0-9\._\?\|\s\-/]+\(.*?\)\s*)*\]$")
_TOOL_CALL_RE = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)


def _json_value_end(s: str, i: int) -> int:
    """End index of the JSON array/object starting at s[i] (bracket matching outside strings), or -1."""
    depth, in_str, esc = 0, False, False
    for j in range(i, len(s)):
        ch = s[j]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def tools_from_system(system: str) -> tuple[str, list | None]:
    """ToolACE: the system text up to the marker, and the JSON tool list that follows it."""
    idx = system.find(_TOOLACE_MARKER)
    if idx < 0:
        return system, None
    head = system[: idx + len(_TOOLACE_MARKER)]
    start = system.find("[", idx + len(_TOOLACE_MARKER))
    if start < 0:
        return head, None
    end = _json_value_end(system, start)
    if end < 0:
        raise Drop("bad_json")
    try:
        tools = loads(system[start:end])
    except ValueError:
        raise Drop("bad_json") from None
    return head, tools if isinstance(tools, list) else None


_HERMES_TOOLS_RE = re.compile(r"<tools>\s*([\[{].*?)\s*</tools>", re.DOTALL)


def _json_or_literal(text: str) -> Any:
    """JSON, else a Python literal (Hermes writes ``{'name': ..., 'arguments': {...}}``); raises ValueError."""
    try:
        return loads(text)
    except ValueError:
        pass
    try:
        return _to_json(ast.literal_eval(text))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ValueError("neither JSON nor a Python literal") from None


def hermes_tools_from_system(system: str) -> tuple[str, list | None]:
    """Hermes function calling: the system text before ``<tools>[...]</tools>`` and that tool list
    (JSON or a Python literal). The Hermes call-format instructions after it are left out: the prompt
    template adds its own tool section."""
    m = _HERMES_TOOLS_RE.search(system)
    if not m:
        return system, None
    try:
        tools = _json_or_literal(m.group(1))
    except ValueError:
        raise Drop("bad_json") from None
    if isinstance(tools, dict):
        tools = [tools]
    return system[: m.start()].rstrip(), tools if isinstance(tools, list) else None


def _split_top_level_args(s: str) -> list[str]:
    """Tool-N1's verl/utils/tool_utils.py _split_top_level_args."""
    items, current, quote = [], [], None
    paren = bracket = brace = 0
    for ch in s:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            paren += 1
        elif ch == ")":
            paren -= 1
        elif ch == "[":
            bracket += 1
        elif ch == "]":
            bracket -= 1
        elif ch == "{":
            brace += 1
        elif ch == "}":
            brace -= 1
        elif ch == "," and paren == 0 and bracket == 0 and brace == 0:
            items.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if current:
        items.append("".join(current).strip())
    return items


def _to_json(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("not finite")
        return v
    if isinstance(v, (list, tuple)):
        return [_to_json(x) for x in v]
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise ValueError("non-string key")
        return {k: _to_json(x) for k, x in v.items()}
    raise ValueError("not JSON")


def literal(val: str) -> Any:
    """A Python literal argument value as Tool-N1 reads it (ast.literal_eval, else the text unquoted)."""
    try:
        return _to_json(ast.literal_eval(val))
    except Exception:
        return val.strip("'\"")


def parse_function_string(s: str) -> list[dict]:
    """``[f(a=1, b='x'), g()]`` as Tool-N1's _parse_function_string reads it."""
    calls = []
    for name, params in _FUNC_RE.findall(s):
        args: dict = {}
        for item in _split_top_level_args(params):
            if "=" in item:
                k, v = item.split("=", 1)
                args[k.strip()] = literal(v.strip())
        calls.append({"name": name.strip(), "arguments": args})
    return calls


def assistant_calls(value: str) -> list[dict] | None:
    """The tool calls an assistant turn makes, or None for a plain reply."""
    v = value.strip()
    if "<tool_call>" in v:
        blocks = _TOOL_CALL_RE.findall(v)
        if not blocks:
            raise Drop("bad_call")
        calls: list[dict] = []
        for b in blocks:
            try:
                calls.extend(_calls(_json_or_literal(b.strip())))
            except ValueError:
                raise Drop("bad_call") from None
        return calls
    if v.startswith("[") and v.endswith("]"):
        try:
            parsed = loads(v)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and parsed and all(isinstance(c, dict) and "name" in c for c in parsed):
            return _calls(parsed)
        if _VALID_RE.match(v):
            calls = parse_function_string(v)
            if calls:
                return calls
    return None


def _from_sharegpt(rec: Any, rid: str) -> list:
    if not isinstance(rec, dict) or not isinstance(rec.get("conversations"), list):
        raise Drop("bad_record")
    system = rec.get("system", "")
    if not isinstance(system, str):
        raise Drop("bad_record")
    tools: Any = _json_field(rec["tools"]) if "tools" in rec else None

    def system_tools(text: str) -> tuple[str, Any]:
        # ToolACE's marker first, then Hermes' <tools> block.
        head, found = tools_from_system(text)
        return (head, found) if found is not None else hermes_tools_from_system(text)

    # An empty "tools" key (LLaMA-Factory writes "[]") does not hide tools kept in the system prompt:
    # the "system" field, else (Hermes) the first system turn.
    if tools is None or tools == [] or tools == "":
        tools = None
        system, tools = system_tools(system)
    turns: list[tuple[str, Any]] = [("system", system)] if system else []
    for c in rec["conversations"]:
        if not isinstance(c, dict) or not isinstance(c.get("value"), str):
            raise Drop("bad_record")
        who = c.get("from")
        if who in ("human", "user"):
            turns.append(("user", c["value"]))
        elif who in ("observation", "tool", "function_response"):
            turns.append(("tool", c["value"]))
        elif who == "system":
            text = c["value"]
            if tools is None:
                text, tools = system_tools(text)
            turns.append(("system", text))
        elif who == "function_call":
            turns.append(("call", _calls(_json_field(c["value"]))))
        elif who in ("gpt", "assistant"):
            calls = assistant_calls(c["value"])
            turns.append(("call", calls) if calls is not None else ("assistant", c["value"]))
        else:
            raise Drop("bad_record")
    return _split(rid, tools if tools is not None else [], turns)


def _first_value(v: Any) -> tuple[bool, Any]:
    """BFCL possible values: (keep, value) — the first one; "" first means optional and left out."""
    if not isinstance(v, list):
        return True, v
    if not v or v[0] == "":
        return False, None
    return True, _resolve(v[0])


def first_values(args: dict) -> dict:
    """BFCL's possible values of each argument -> the first one (optional ones left out: _first_value)."""
    out = {}
    for k, v in args.items():
        keep, val = _first_value(v)
        if keep:
            out[k] = val
    return out


def _resolve(first: Any) -> Any:
    """A possible value with its nested dicts (every field a list of allowed values) resolved, also
    inside lists: ``[{"x": [1]}, {"x": [2]}]`` -> ``[{"x": 1}, {"x": 2}]``."""
    if isinstance(first, dict) and first and all(isinstance(x, list) for x in first.values()):
        return first_values(first)
    if isinstance(first, list):
        return [_resolve(x) if isinstance(x, dict) else x for x in first]
    return first


def passing_calls(ground_truth: list[dict], required_of: Callable[[str], Any]) -> list[dict]:
    """One call list BFCL's checker accepts, from its possible answers: the first allowed value of each
    argument, the first non-empty one for a required argument ("" means "may be left out").
    ``required_of(name)``: the required parameter names of that function."""
    calls = []
    for call in ground_truth:
        (name, allowed), = call.items()
        required = set(required_of(name) or [])
        args = {}
        for k, values in allowed.items():
            values = [v for v in values if v != ""] if k in required else values
            if values and values[0] != "":
                args[k] = _resolve(values[0])
        calls.append({"name": name, "arguments": args})
    return calls


def bfcl_messages(q: Any) -> list[dict]:
    """A BFCL ``question`` (a list of turns, single-turn only) as chat messages; raises Drop."""
    if not isinstance(q, list):
        raise Drop("bad_record")
    if q and isinstance(q[0], list):
        if len(q) > 1:
            raise Drop("bfcl_multi_turn")
        q = q[0]
    messages = []
    for m in q:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool") or not isinstance(m.get("content"), str):
            raise Drop("bad_record")
        messages.append({"role": m["role"], "content": m["content"]})
    return messages


def _from_bfcl(rec: Any, rid: str, answers: dict | None) -> list:
    if not isinstance(rec, dict) or not isinstance(rec.get("question"), list):
        raise Drop("bad_record")
    messages = bfcl_messages(rec["question"])
    tools = rec.get("function", [])
    if isinstance(tools, dict):
        tools = [tools]
    gt = rec.get("ground_truth")
    rec_id = rec.get("id")
    if gt is None and answers is not None and isinstance(rec_id, str):
        gt = answers.get(rec_id)
    if gt is None:
        raise Drop("no_ground_truth")
    if not isinstance(gt, list):
        raise Drop("bad_record")
    answer = []
    for call in gt:
        if not isinstance(call, dict) or len(call) != 1:
            raise Drop("bad_call")
        (name, args), = call.items()
        if not isinstance(args, dict):
            raise Drop("bad_call")
        answer.append({"name": name, "arguments": first_values(args)})
    return [(rid, _finish({"id": rid, "tools": tools, "messages": messages, "answer": answer}))]


def _from_openai(rec: Any, rid: str) -> list:
    if not isinstance(rec, dict) or not isinstance(rec.get("messages"), list):
        raise Drop("bad_record")
    tools = rec.get("tools")
    if (tools is None or tools == []) and isinstance(rec.get("functions"), list):
        # The legacy form: "functions" (bare function definitions) and "function_call" messages.
        tools = [{"type": "function", "function": f} if isinstance(f, dict) and "function" not in f else f for f in rec["functions"]]
    if tools is None:
        tools = []
    turns: list[tuple[str, Any]] = []
    for m in rec["messages"]:
        if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant", "tool", "function"):
            raise Drop("bad_record")
        role = m["role"]
        if role == "assistant" and m.get("tool_calls"):
            tcs = m["tool_calls"]
            if not isinstance(tcs, list):
                raise Drop("bad_call")
            turns.append(("call", _calls([tc.get("function") if isinstance(tc, dict) and isinstance(tc.get("function"), dict) else tc for tc in tcs])))
        elif role == "assistant" and isinstance(m.get("function_call"), dict):
            turns.append(("call", _calls([m["function_call"]])))
        else:
            role = {"developer": "system", "function": "tool"}.get(role, role)
            turns.append((role, _text(m.get("content"))))
    return _split(rid, tools, turns)


def _from_canonical(rec: Any, rid: str) -> list:
    from .sample import validate_sample

    r = validate_sample(rec)
    if not r["ok"]:
        raise Drop("bad_record")
    s = r["sample"]
    s["id"] = s.get("id", rid)
    return [(s["id"], _finish(s))]


# ---------------------------------------------------------------- driver


def _record_id(rec: Any, fmt: str, index: int) -> str:
    v = rec.get("id") if isinstance(rec, dict) else None
    if isinstance(v, bool) or v is None or not isinstance(v, (str, int)):
        return f"{fmt}-{index}"
    return str(v)


def convert_records(fmt: str, records: Iterable[Any], answers: dict | None = None) -> tuple[list[dict], dict[str, int]]:
    """Converts parsed records: (samples kept, drop counts by reason)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    kept: list[dict] = []
    dropped: dict[str, int] = {}
    for index, rec in enumerate(records):
        rid = _record_id(rec, fmt, index)
        try:
            if fmt == "tooln1-raw":
                results = _from_raw(rec, rid)
            elif fmt == "xlam":
                results = _from_xlam(rec, rid)
            elif fmt == "sharegpt":
                results = _from_sharegpt(rec, rid)
            elif fmt == "bfcl":
                results = _from_bfcl(rec, rid, answers)
            elif fmt == "openai":
                results = _from_openai(rec, rid)
            else:
                results = _from_canonical(rec, rid)
        except Drop as d:
            results = [(rid, d.code)]
        except RecursionError:  # parsed, but nested too deeply to convert
            results = [(rid, "bad_record")]
        for _, r in results:
            if isinstance(r, str):
                dropped[r] = dropped.get(r, 0) + 1
            else:
                kept.append(r)
    return kept, dropped


def _read_answers(path: str) -> tuple[dict, list[tuple[int, str]]]:
    with open(path, encoding="utf-8") as f:
        records, bad = parse_input(f.read())
    return {r["id"]: r.get("ground_truth") for _, r in records if isinstance(r, dict) and isinstance(r.get("id"), str)}, bad


def convert_text(fmt: str, text: str, answers: dict | None = None) -> dict:
    """Converts a whole input text: {"lines": [canonical JSONL lines], "dropped", "bad", "records"}."""
    records, bad = parse_input(text)
    kept, dropped = convert_records(fmt, [r for _, r in records], answers)
    return {"lines": [dump_sample(s) for s in kept], "dropped": dropped, "bad": bad, "records": len(records)}


def convert_file(path: str, fmt: str, answers_path: str | None = None) -> list[dict]:
    """Samples from a file in ``fmt`` (for the trainer's ``data.format``); unreadable records are skipped."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    answers = _read_answers(answers_path)[0] if answers_path else None
    records, _ = parse_input(text)
    kept, _ = convert_records(fmt, [r for _, r in records], answers)
    return [json.loads(dump_sample(s)) for s in kept]


def summary(result: dict, out_path: str) -> str:
    """The stderr report (same text as the TypeScript CLI)."""
    lines = [f"read {result['records']} records, {len(result['bad'])} unreadable lines"]
    for n, err in result["bad"][:20]:
        lines.append(f"  line {n}: {err}")
    if len(result["bad"]) > 20:
        lines.append(f"  ... and {len(result['bad']) - 20} more unreadable lines")
    lines.append(f"kept {len(result['lines'])} samples -> {out_path}")
    total = sum(result["dropped"].values())
    if total:
        lines.append(f"dropped {total} samples:")
        for code in sorted(result["dropped"], key=lambda c: (-result["dropped"][c], c)):
            lines.append(f"  {code}: {result['dropped'][code]} ({DROP_REASONS.get(code, code)})")
    else:
        lines.append("dropped 0 samples")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tooln1 convert", description="Convert a tool-calling dataset to canonical Tool-N1 samples (JSONL).")
    p.add_argument("--from", dest="fmt", required=True, choices=FORMATS, help="input format")
    p.add_argument("--answers", help="bfcl: the possible_answer file matching the questions (by id)")
    p.add_argument("input", help="input file: a JSON array or JSON lines")
    p.add_argument("output", help="output .jsonl file ('-' for stdout)")
    args = p.parse_args(argv)
    try:
        with open(args.input, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        print(f"tooln1 convert: cannot read {args.input}: {e.strerror}", file=sys.stderr)
        return 1
    answers = None
    if args.answers:
        try:
            answers, _ = _read_answers(args.answers)
        except OSError as e:
            print(f"tooln1 convert: cannot read {args.answers}: {e.strerror}", file=sys.stderr)
            return 1
    elif args.fmt == "bfcl":
        print("tooln1 convert: --from bfcl needs --answers POSSIBLE_ANSWER_FILE (unless records carry ground_truth)", file=sys.stderr)
    result = convert_text(args.fmt, text, answers)
    body = "".join(line + "\n" for line in result["lines"])
    if args.output == "-":
        sys.stdout.write(body)
    else:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
            with open(args.output, "w", encoding="utf-8", newline="\n") as f:
                f.write(body)
        except OSError as e:
            print(f"tooln1 convert: cannot write {args.output}: {e.strerror}", file=sys.stderr)
            return 1
    sys.stderr.write(summary(result, args.output))
    if not result["lines"] and result["records"]:
        likely = likely_format(text, args.fmt, answers)
        hint = f"; the input looks like --from {likely[0]} ({likely[1]} of the first {likely[2]} records convert)" if likely else f"; check --from (one of {', '.join(FORMATS)})"
        print(f"tooln1 convert: no sample was kept from {result['records']} records{hint}", file=sys.stderr)
        return 1
    return 2 if result["bad"] else 0


def likely_format(text: str, tried: str, answers) -> tuple[str, int, int] | None:
    """The other format that keeps the most samples of the input's first records, if any keeps one."""
    head = text if text.lstrip().startswith("[") else "\n".join(text.split("\n")[:200])
    best = None
    for f in FORMATS:
        if f == tried:
            continue
        try:
            r = convert_text(f, head, answers)
        except Exception:  # noqa: BLE001 - a format that cannot read the input is no candidate
            continue
        if len(r["lines"]) > (best[1] if best else 0):
            best = (f, len(r["lines"]), r["records"])
    return best
