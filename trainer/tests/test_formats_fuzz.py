"""Differential fuzz test of the formats: generated tools, calls, samples and dataset records go
through the Python modules and the TypeScript ones (src/core, bundled with esbuild); every result
must be identical — problems with their messages and paths, prompt text byte for byte. The importers
have one implementation (Python): the generated records only have to convert without raising.

Generated values cover unicode (astral, controls, line separators), whole-number floats, exponents,
big integers, duplicate keys, wrong types and missing fields. Integer-like object keys ("10") are
left out: JavaScript orders them first, the documented gap (docs/protocol.md).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from tooln1.callcheck import check_call, index_tools
from tooln1.importers import convert_text
from tooln1.sample import paper_drop_reason, validate_sample
from tooln1.schema import normalize_tool, read_tool_list
from tooln1.template import build_messages, render_chatml

ROOT = Path(__file__).resolve().parents[2]
SEED = 20260101
N = 1500

DRIVER = r"""
import { readFileSync } from "node:fs";
import { normalizeTool, readToolList } from "./src/core/schema";
import { checkCall, indexTools } from "./src/core/callcheck";
import { validateSample, paperDropReason } from "./src/core/sample";
import { buildMessagesFromText, renderChatML } from "./src/core/template";
const out: string[] = [];
for (const line of readFileSync(process.argv[2], "utf8").split("\n")) {
  if (!line) continue;
  const task = JSON.parse(line);
  let r: unknown;
  try {
    if (task.op === "tool") { const x = normalizeTool(task.input, ["t"]); r = { tool: x.tool ?? null, problems: x.problems }; }
    else if (task.op === "call") r = checkCall(task.call, indexTools(readToolList(task.tools).tools));
    else if (task.op === "sample") { const x = validateSample(task.input); r = { problems: x.problems, drop: x.sample ? paperDropReason(x.sample) : null }; }
    else if (task.op === "template") { const m = buildMessagesFromText(task.text); r = { messages: m, chatml: renderChatML(m) }; }
  } catch (e) { r = { error: true }; }
  out.push(JSON.stringify(r));
}
process.stdout.write(out.join("\n") + "\n");
"""

UNI = ["é", "中文", "😀", "𝔘", "\u00a0", "\u2028", "\x85", "\x1f", "\t", "\n", '"', "\\", "\u200b", "Zürich", "東京"]
NAMES = ["get_weather", "convert_currency", "search", "calc.sum", "Get Stock Price", "t-1", "météo"]
TYPES = ["string", "integer", "number", "boolean", "array", "object", "null", "dict", "float", "tuple", "any", "weird"]
XTYPES = ["str", "int", "float", "bool", "List[int]", "List[str]", "Dict[str, Any]", "str, optional", "Optional[int]", "Union[int, str]", "Tuple[int, str]", "Callable", "set"]


# Big integers only where TypeScript reads the text itself (template, convert): elsewhere the driver
# gets its input through JSON.parse, which rounds them.
BIG = [False]


def rnum(r: random.Random):
    return r.choice([0, 1, -3, 2.0, 1.5, 1e-7, 1e21, 12345678901234567890 if BIG[0] else 7, -0.0, 0.1, 100.0, 3])


def rstr(r: random.Random) -> str:
    return "".join(r.choice(UNI + ["a", "b", "x", " "]) for _ in range(r.randrange(0, 6)))


def rvalue(r: random.Random, depth=0):
    k = r.randrange(8 if depth < 2 else 5)
    if k == 0:
        return rnum(r)
    if k == 1:
        return rstr(r)
    if k == 2:
        return r.choice([True, False])
    if k == 3:
        return None
    if k == 4:
        return r.choice(["celsius", "a", "b", "Paris"])
    if k in (5, 6):
        return [rvalue(r, depth + 1) for _ in range(r.randrange(3))]
    return {r.choice(["a", "b", "city", "é"]): rvalue(r, depth + 1) for _ in range(r.randrange(3))}


def rschema(r: random.Random, depth=0) -> dict:
    s: dict = {}
    if r.random() < 0.8:
        s["type"] = r.choice(TYPES) if r.random() < 0.85 else [r.choice(TYPES), "null"]
    if r.random() < 0.2:
        s["enum"] = [rvalue(r, 2) for _ in range(r.randrange(1, 4))]
    if depth < 2 and s.get("type") in ("object", "dict"):
        s["properties"] = {f"p{i}": rschema(r, depth + 1) for i in range(r.randrange(3))}
        if r.random() < 0.5:
            s["required"] = [f"p{i}" for i in range(r.randrange(3))]
        if r.random() < 0.2:
            s["additionalProperties"] = r.choice([False, True, {"type": "integer"}])
    if depth < 2 and s.get("type") in ("array", "tuple"):
        s["items"] = rschema(r, depth + 1) if r.random() < 0.8 else [rschema(r, depth + 1)]
    if depth < 2 and r.random() < 0.1:
        s["anyOf"] = [rschema(r, depth + 1), rschema(r, depth + 1)]
    if r.random() < 0.05:
        s["$ref"] = r.choice(["#/$defs/x", "#", "#/definitions/missing"])
    return s


def rtool(r: random.Random):
    k = r.randrange(12)
    name = r.choice(NAMES)
    params = {"type": r.choice(["object", "dict"]), "properties": {f"a{i}": rschema(r) for i in range(r.randrange(4))}, "required": [f"a{i}" for i in range(r.randrange(3))], "$defs": {"x": rschema(r)}}
    if k < 3:
        return {"type": "function", "function": {"name": name, "description": rstr(r), "parameters": params}}
    if k < 5:
        return {"name": name, "description": rstr(r), "inputSchema": params}
    if k < 7:
        return {"name": name, "description": rstr(r), "parameters": {f"x{i}" if i else "type": {"type": r.choice(XTYPES), "description": rstr(r), **({"default": rvalue(r)} if r.random() < 0.3 else {})} for i in range(r.randrange(1, 4))}}
    if k < 9:
        return {"name": name, "description": rstr(r), "parameters": params}
    if k == 9:
        return {"name": r.choice([name, "", 5, None]), "description": r.choice([rstr(r), 3, None]), "parameters": r.choice([params, "x", [], None, {"type": "string"}])}
    if k == 10:
        return {"type": "function", "function": r.choice([None, "x", {"description": "no name"}])}
    return r.choice([5, "tool", [], None])


def rcall(r: random.Random, tools):
    names = [t.get("function", t).get("name") if isinstance(t, dict) and isinstance(t.get("function", t), dict) else None for t in tools]
    name = r.choice([n for n in names if isinstance(n, str)] or ["x"]) if r.random() < 0.9 else r.choice(["nope", 3, None])
    args = {f"a{i}" if r.random() < 0.7 else r.choice(["type", "x0", "x1", "zz"]): rvalue(r) for i in range(r.randrange(4))}
    k = r.randrange(10)
    if k == 0:
        return {"name": name}
    if k == 1:
        return {"name": name, "arguments": json.dumps(args)}
    if k == 2:
        return r.choice([[name], "call", None])
    return {"name": name, "arguments": args}


def rmessages(r: random.Random):
    roles = ["system", "user", "assistant", "tool", "user", "user", "human"]
    return [{"role": r.choice(roles), "content": rstr(r) if r.random() < 0.95 else 3} for _ in range(r.randrange(0, 5))]


def rsample(r: random.Random):
    tools = [rtool(r) for _ in range(r.randrange(0, 4))]
    s = {"id": r.choice(["s1", "é", 5]) if r.random() < 0.8 else None, "tools": tools, "messages": rmessages(r), "answer": [rcall(r, tools) for _ in range(r.randrange(0, 3))]}
    if s["id"] is None:
        del s["id"]
    if r.random() < 0.05:
        del s[r.choice(["tools", "messages", "answer"])]
    return s


def dup_keys(text: str, r: random.Random) -> str:
    """Sometimes repeat a key inside the first object: first position, last value in both languages."""
    if r.random() < 0.1 and text.startswith("{"):
        return '{"description": "dup", ' + text[1:]
    return text


def rrecord(r: random.Random, fmt: str):
    tools = [rtool(r) for _ in range(r.randrange(1, 3))]
    calls = [rcall(r, tools) for _ in range(r.randrange(0, 3))]
    if fmt == "xlam":
        return {"id": r.randrange(100), "query": rstr(r), "tools": json.dumps(tools, ensure_ascii=r.random() < 0.5), "answers": json.dumps(calls) if r.random() < 0.9 else "[{bad"}
    if fmt == "openai":
        msgs = [{"role": "user", "content": rstr(r)}]
        for _ in range(r.randrange(0, 3)):
            msgs.append({"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {"name": c.get("name") if isinstance(c, dict) else "x", "arguments": json.dumps(c.get("arguments", {})) if isinstance(c, dict) else "{"}} for c in calls]})
            msgs.append({"role": "tool", "content": rstr(r)})
        return {"messages": msgs, "tools": tools}
    if fmt == "sharegpt":
        conv = [{"from": "human", "value": rstr(r)}]
        for c in calls:
            if isinstance(c, dict) and isinstance(c.get("name"), str):
                args = c.get("arguments") if isinstance(c.get("arguments"), dict) else {}
                py = ", ".join(f"{k}={json.dumps(v) if not isinstance(v, str) else repr(v)}" for k, v in args.items())
                conv.append({"from": "gpt", "value": r.choice([f"[{c['name']}({py})]", json.dumps([c]), f"<tool_call>{json.dumps(c)}</tool_call>"])})
                conv.append({"from": "observation", "value": rstr(r)})
        return {"system": "Sys. Here is a list of functions in JSON format that you can invoke:\n" + json.dumps(tools) + ".\nShould you decide...", "conversations": conv}
    return {"raw_system": rstr(r), "tools": tools, "conversations": [{"from": r.choice(["human", "gpt", "function_call", "observation"]), "value": rstr(r)} for _ in range(r.randrange(1, 4))], "answer": calls}


def generate() -> list[dict]:
    r = random.Random(SEED)
    tasks = []
    for _ in range(N):
        BIG[0] = False
        tasks.append({"op": "tool", "input": rtool(r)})
        tools = [rtool(r) for _ in range(r.randrange(1, 4))]
        tasks.append({"op": "call", "tools": tools, "call": rcall(r, tools)})
        s = rsample(r)
        tasks.append({"op": "sample", "input": s})
        BIG[0] = True
        s = rsample(r)
        if isinstance(s.get("tools"), list) and isinstance(s.get("messages"), list) and all(isinstance(m, dict) and isinstance(m.get("content"), str) and isinstance(m.get("role"), str) for m in s["messages"]):
            tasks.append({"op": "template", "text": dup_keys(json.dumps(s, ensure_ascii=r.random() < 0.5), r)})
    BIG[0] = True
    for i in range(N // 5):
        fmt = ["xlam", "openai", "sharegpt", "tooln1-raw"][i % 4]
        recs = [rrecord(r, fmt) for _ in range(r.randrange(1, 4))]
        text = "\n".join(json.dumps(x, ensure_ascii=r.random() < 0.5) for x in recs) + ("\nnot json\n" if r.random() < 0.1 else "\n")
        tasks.append({"op": "convert", "format": fmt, "text": text})
    return tasks


def python_result(task: dict):
    try:
        op = task["op"]
        if op == "tool":
            return normalize_tool(task["input"], ["t"])
        if op == "call":
            return check_call(task["call"], index_tools(read_tool_list(task["tools"])["tools"]))
        if op == "sample":
            x = validate_sample(task["input"])
            return {"problems": x["problems"], "drop": paper_drop_reason(x["sample"]) if x["sample"] else None}
        if op == "template":
            m = build_messages(json.loads(task["text"]))
            return {"messages": m, "chatml": render_chatml(m)}
        x = convert_text(task["format"], task["text"])
        return {"lines": x["lines"], "dropped": x["dropped"], "bad": [list(b) for b in x["bad"]], "records": x["records"]}
    except (ValueError, TypeError, KeyError, AttributeError):
        return {"error": True}


@pytest.fixture(scope="module")
def ts_driver(tmp_path_factory) -> Path:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "esbuild").exists():
        pytest.skip("node and node_modules (npm ci) are needed for the TypeScript side")
    out = tmp_path_factory.mktemp("ts") / "formats.cjs"
    script = (
        "require('esbuild').buildSync({stdin: {contents: process.argv[1], resolveDir: process.cwd(), loader: 'ts', sourcefile: 'formats-entry.ts'},"
        " bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: process.argv[2], logLevel: 'error'});"
    )
    subprocess.run(["node", "-e", script, DRIVER, str(out)], cwd=ROOT, check=True)
    return out


def test_formats_ts_and_python_agree(ts_driver: Path, tmp_path: Path) -> None:
    # The importers have one implementation (Python; `node dist/cli.js convert` runs it).
    tasks = [t for t in generate() if t["op"] != "convert"]
    src = tmp_path / "tasks.jsonl"
    src.write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    p = subprocess.run(["node", str(ts_driver), str(src)], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    ts = [json.loads(line) for line in p.stdout.decode("utf-8").split("\n") if line]
    assert len(ts) == len(tasks)
    ops: dict[str, int] = {}
    for task, got in zip(tasks, ts):
        want = json.loads(json.dumps(python_result(task)))
        assert got == want, json.dumps(task, ensure_ascii=False)[:2000]
        ops[task["op"]] = ops.get(task["op"], 0) + 1
    assert min(ops.values()) >= 250, ops


def test_convert_never_raises_on_generated_records() -> None:
    tasks = [t for t in generate() if t["op"] == "convert"]
    assert len(tasks) >= 250
    for t in tasks:
        assert python_result(t) != {"error": True}, json.dumps(t, ensure_ascii=False)[:2000]
