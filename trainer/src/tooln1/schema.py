"""The tool schema model: one normalised tool from any dialect, and its parameters as JSON Schema.

Mirror of src/core/schema.ts (same problem codes, messages and paths; both suites run
test/vectors/schema). Only structural problems are reported here; deeper diagnostics belong to
the language server.

Dialects: ``openai`` (``{"type": "function", "function": {...}}``), ``mcp`` (``inputSchema``),
``bfcl`` (bare, with ``dict``/``float``/``tuple``/``any`` types), ``xlam`` (bare, parameters as
``{arg: {"type": "str", ...}}``) and ``bare`` (``{name, description, parameters}``).

A normalised tool is a dict: ``{"name", "description", "parameters", "dialect", "path"}``.
"""

from __future__ import annotations

import re
from typing import Any, Callable

Json = Any
Path = list  # list[str | int]

_BFCL_TYPES = frozenset({"dict", "float", "tuple", "any"})
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_ONE = ("additionalProperties", "not", "contains", "if", "then", "else")
_MAX_DEPTH = 64


def json_type_of(v: Json) -> str:
    """JSON Schema's name for a value's type (``integer`` for whole numbers, 1.0 included)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "integer" if v.is_integer() else "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "undefined"


def walk_schema(node: Json, visit: Callable[[dict], bool | None], depth: int = 0) -> bool:
    """Calls ``visit`` on every schema node reachable from ``node``; stops when it returns True."""
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return False
    if visit(node) is True:
        return True
    for k in _SCHEMA_MAPS:
        m = node.get(k)
        if isinstance(m, dict):
            for v in m.values():
                if walk_schema(v, visit, depth + 1):
                    return True
    for k in _SCHEMA_LISTS:
        lst = node.get(k)
        if isinstance(lst, list):
            for s in lst:
                if walk_schema(s, visit, depth + 1):
                    return True
    for k in _SCHEMA_ONE:
        if walk_schema(node.get(k), visit, depth + 1):
            return True
    items = node.get("items")
    if isinstance(items, list):
        return any(walk_schema(s, visit, depth + 1) for s in items)
    return walk_schema(items, visit, depth + 1)


def uses_bfcl_types(node: Json) -> bool:
    def visit(n: dict) -> bool:
        t = n.get("type")
        if isinstance(t, str):
            return t in _BFCL_TYPES
        if isinstance(t, list):
            return any(isinstance(x, str) and x in _BFCL_TYPES for x in t)
        return False

    return walk_schema(node, visit)


def is_xlam_params(params: Json) -> bool:
    """xLAM's parameter map: every value ``{"type": "<str>", ...}``."""
    # A parameter may itself be called "type" or "properties": it is a spec object, not a keyword.
    if not isinstance(params, dict) or "$schema" in params:
        return False
    if not params:
        return False
    return all(isinstance(v, dict) and isinstance(v.get("type"), str) for v in params.values())


_XLAM_SCALARS = {
    "str": "string", "string": "string", "int": "integer", "integer": "integer",
    "float": "number", "number": "number", "double": "number", "bool": "boolean",
    "boolean": "boolean", "list": "array", "array": "array", "tuple": "array", "set": "array",
    "dict": "object", "object": "object", "none": "null", "null": "null",
}  # fmt: skip
_OPTIONAL_RE = re.compile(r"^(.*?),\s*optional\s*$", re.IGNORECASE | re.DOTALL)


def _split_top(s: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, c in enumerate(s):
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(s[start:i].strip())
            start = i + 1
    out.append(s[start:].strip())
    return out


def xlam_type_to_schema(type_: str) -> tuple[dict, bool]:
    """xLAM type strings (``str``, ``List[int]``, ``float, optional``) to (JSON Schema, optional)."""
    t = type_.strip()
    optional = False
    m = _OPTIONAL_RE.match(t)
    if m:
        optional = True
        t = m.group(1).strip()
    return _xlam_core(t, 0), optional


def _js_trim(s: str) -> str:
    return s.strip(" \t\n\r\x0b\x0c\u00a0\ufeff")


def _xlam_core(t: str, depth: int) -> dict:
    if depth > 16:
        return {}
    br = t.find("[")
    head = _js_trim(t[:br] if br >= 0 else t).lower()
    inner = t[br + 1 : -1] if br >= 0 and t.endswith("]") else ""
    if head == "optional" and inner:
        s = _xlam_core(inner, depth + 1)
        if isinstance(s.get("type"), str):
            return {**s, "type": [s["type"], "null"]}
        if isinstance(s.get("anyOf"), list):
            return {"anyOf": [*s["anyOf"], {"type": "null"}]}
        return s
    if head == "union" and inner:
        parts = [_xlam_core(p, depth + 1) for p in _split_top(inner)]
        if any("type" not in p for p in parts):
            return {}
        return {"anyOf": parts}
    base = _XLAM_SCALARS.get(head)
    if base is None:
        return {}
    if base == "array" and inner:
        args = _split_top(inner)
        if head == "tuple" and len(args) > 1 and "..." not in args:
            return {"type": "array", "prefixItems": [_xlam_core(a, depth + 1) for a in args]}
        items = _xlam_core(args[0], depth + 1)
        return {"type": "array", "items": items} if ("type" in items or "anyOf" in items) else {"type": "array"}
    return {"type": base}


def xlam_params_to_json_schema(params: dict) -> dict:
    properties: dict = {}
    required: list = []
    for name, spec in params.items():
        if not isinstance(spec, dict):
            continue
        schema, optional = xlam_type_to_schema(spec["type"] if isinstance(spec.get("type"), str) else "")
        prop = dict(schema)
        if isinstance(spec.get("description"), str):
            prop["description"] = spec["description"]
        if "enum" in spec:
            prop["enum"] = spec["enum"]
        properties[name] = prop
        if not optional and "default" not in spec:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def _map_type(t: Json) -> Json:
    return {"dict": "object", "float": "number", "tuple": "array"}.get(t, t) if isinstance(t, str) else t


def to_json_schema(node: dict) -> dict:
    """BFCL dialect to JSON Schema: dict->object, float->number, tuple->array, any->no constraint."""
    return _convert(node, 0)


def _convert(node: Json, depth: int) -> Json:
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return node
    out: dict = {}
    for k, v in node.items():
        if k == "type":
            if v == "any" and isinstance(v, str):
                continue
            if isinstance(v, list):
                if "any" in v:
                    continue
                out["type"] = [_map_type(x) for x in v]
            else:
                out["type"] = _map_type(v)
        elif k in _SCHEMA_MAPS and isinstance(v, dict):
            out[k] = {p: _convert(s, depth + 1) for p, s in v.items()}
        elif k in _SCHEMA_LISTS and isinstance(v, list):
            out[k] = [_convert(s, depth + 1) for s in v]
        elif k == "items":
            out[k] = [_convert(s, depth + 1) for s in v] if isinstance(v, list) else _convert(v, depth + 1)
        elif k in _SCHEMA_ONE:
            out[k] = _convert(v, depth + 1)
        else:
            out[k] = v
    return out


def tool_json_schema(tool: dict) -> dict:
    """A normalised tool's parameters as plain JSON Schema, whatever its dialect."""
    if tool["dialect"] == "xlam":
        return xlam_params_to_json_schema(tool["parameters"])
    return to_json_schema(tool["parameters"])


def to_openai_tool(tool: dict) -> dict:
    return {"type": "function", "function": {"name": tool["name"], "description": tool["description"], "parameters": tool_json_schema(tool)}}


def _problem(code: str, message: str, path: list, severity: str = "error") -> dict:
    return {"code": code, "severity": severity, "message": message, "path": list(path)}


def normalize_tool(raw: Json, path: list | None = None) -> dict:
    """Reads one tool in any dialect: ``{"tool": dict | None, "problems": [...]}``."""
    path = list(path or [])
    problems: list[dict] = []
    if not isinstance(raw, dict):
        problems.append(_problem("not_an_object", f"a tool must be a JSON object, not {json_type_of(raw)}", path))
        return {"tool": None, "problems": problems}
    fn, fn_path, dialect, params_key = raw, path, "bare", "parameters"
    if "function" in raw or (raw.get("type") == "function" and "name" not in raw):
        if not isinstance(raw.get("function"), dict):
            problems.append(_problem("missing_function", 'an OpenAI tool needs a "function" object holding name, description and parameters', path + ["function"]))
            return {"tool": None, "problems": problems}
        fn, fn_path, dialect = raw["function"], path + ["function"], "openai"
    elif "inputSchema" in raw:
        dialect, params_key = "mcp", "inputSchema"
    name = fn.get("name")
    if "name" not in fn:
        problems.append(_problem("missing_name", 'the tool has no "name"', fn_path))
    elif not isinstance(name, str) or name == "":
        problems.append(_problem("bad_name", '"name" must be a non-empty string', fn_path + ["name"]))
    description = ""
    d = fn.get("description")
    if isinstance(d, str):
        description = d
    elif d is not None:
        problems.append(_problem("bad_description", f'"description" must be a string, not {json_type_of(d)}', fn_path + ["description"]))
    parameters: dict = {"type": "object", "properties": {}}
    p = fn.get(params_key)
    if p is None:
        pass  # a tool that takes no arguments
    elif not isinstance(p, dict):
        problems.append(_problem("parameters_not_object", f'"{params_key}" must be a JSON Schema object, not {json_type_of(p)}', fn_path + [params_key]))
    else:
        parameters = p
        if dialect == "bare" and is_xlam_params(p):
            dialect = "xlam"
        else:
            t = p.get("type", None) if "type" in p else None
            if "type" in p and t != "object" and t != "dict":
                problems.append(_problem("parameters_not_object_schema", f'"{params_key}" must describe an object ("type": "object")', fn_path + [params_key, "type"]))
            if dialect == "bare" and uses_bfcl_types(p):
                dialect = "bfcl"
    if not isinstance(name, str) or name == "":
        return {"tool": None, "problems": problems}
    return {"tool": {"name": name, "description": description, "parameters": parameters, "dialect": dialect, "path": path}, "problems": problems}


def read_tool_list(doc: Json) -> dict:
    """Reads a tool schema file (a JSON array of tools or ``{"tools": [...]}``): ``{"tools", "problems"}``."""
    tools: list[dict] = []
    problems: list[dict] = []
    base: list = []
    if isinstance(doc, list):
        lst = doc
    elif isinstance(doc, dict) and "tools" in doc:
        if not isinstance(doc["tools"], list):
            problems.append(_problem("bad_tools", f'"tools" must be an array of tools, not {json_type_of(doc["tools"])}', ["tools"]))
            return {"tools": tools, "problems": problems}
        lst, base = doc["tools"], ["tools"]
    elif isinstance(doc, dict) and ("name" in doc or "function" in doc or "inputSchema" in doc):
        problems.append(_problem("single_tool", 'expected a list of tools; read this single tool (write it as [ {...} ] or {"tools": [ ... ]})', [], "warning"))
        r = normalize_tool(doc, [])
        problems.extend(r["problems"])
        if r["tool"]:
            tools.append(r["tool"])
        return {"tools": tools, "problems": problems}
    else:
        problems.append(_problem("not_a_tool_list", f'a tool schema file is a JSON array of tools or {{"tools": [...]}}, not {json_type_of(doc)}', []))
        return {"tools": tools, "problems": problems}
    seen: set[str] = set()
    for i, raw in enumerate(lst):
        r = normalize_tool(raw, base + [i])
        problems.extend(r["problems"])
        tool = r["tool"]
        if not tool:
            continue
        if tool["name"] in seen:
            name_path = base + [i, "function", "name"] if tool["dialect"] == "openai" else base + [i, "name"]
            problems.append(_problem("duplicate_name", f"another tool is already named '{tool['name']}'", name_path))
            continue
        seen.add(tool["name"])
        tools.append(tool)
    return {"tools": tools, "problems": problems}
