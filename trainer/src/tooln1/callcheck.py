"""The schema-aware call check. Mirror of src/core/callcheck.ts (test/vectors/callcheck).

``check_call(call, index_tools(tools))`` returns problems ``{"code", "severity", "message", "path"}``
with ``path`` relative to the call object (``["arguments", "city"]``, ``["name"]``). Codes:
unknown_tool, missing_required, wrong_type, enum_violation, unexpected_argument, bad_call.
Each tool's schema is compiled once, on first use.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import unquote

from .schema import json_type_of, xlam_params_to_json_schema

Json = Any

T_STRING, T_INTEGER, T_NUMBER, T_BOOLEAN, T_ARRAY, T_OBJECT, T_NULL = 1, 2, 4, 8, 16, 32, 64
_TYPE_BITS = {
    "string": T_STRING, "integer": T_INTEGER, "number": T_NUMBER, "float": T_NUMBER,
    "boolean": T_BOOLEAN, "array": T_ARRAY, "tuple": T_ARRAY, "object": T_OBJECT,
    "dict": T_OBJECT, "null": T_NULL,
}  # fmt: skip
_TYPE_ORDER = [(T_STRING, "string"), (T_INTEGER, "integer"), (T_NUMBER, "number"), (T_BOOLEAN, "boolean"), (T_ARRAY, "array"), (T_OBJECT, "object"), (T_NULL, "null")]
_MAX_DEPTH = 64


class _Node:
    __slots__ = ("types", "enum_vals", "props", "required", "additional", "items", "prefix", "any_of", "all_of")

    def __init__(self) -> None:
        self.types = 0
        self.enum_vals: list | None = None
        self.props: dict[str, _Node] | None = None
        self.required: list[str] | None = None
        self.additional: _Node | bool = True
        self.items: _Node | None = None
        self.prefix: list[_Node] | None = None
        self.any_of: list[_Node] | None = None
        self.all_of: list[_Node] | None = None

    def copy_from(self, o: "_Node") -> None:
        for k in _Node.__slots__:
            setattr(self, k, getattr(o, k))


_ANY = _Node()


def _bits_of(name: str) -> int:
    b = _TYPE_BITS.get(name)
    if b is None:
        return -1
    return T_NUMBER | T_INTEGER if b == T_NUMBER else b


def _type_bits(t: Json) -> int:
    if isinstance(t, str):
        b = _bits_of(t)
        return 0 if b < 0 else b
    if isinstance(t, list):
        bits = 0
        for x in t:
            if not isinstance(x, str):
                continue
            if x == "any":
                return 0
            b = _bits_of(x)
            if b < 0:
                return 0
            bits |= b
        return bits
    return 0


def _resolve_pointer(root: dict, ref: str) -> Json:
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None
    cur: Json = root
    for raw in ref[2:].split("/"):
        key = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(cur, list):
            try:
                cur = cur[int(key)]
            except (ValueError, IndexError):
                return None
        elif isinstance(cur, dict):
            cur = cur.get(key)
        else:
            return None
    return cur


def _compile(node: Json, root: dict, refs: dict, depth: int, top: bool) -> _Node:
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return _ANY
    ref = node.get("$ref")
    if isinstance(ref, str):
        seen = refs.get(ref)
        if seen is not None:
            return seen
        holder = _Node()
        refs[ref] = holder
        holder.copy_from(_compile(_resolve_pointer(root, ref), root, refs, depth + 1, False))
        return holder
    n = _Node()
    n.types = _type_bits(node.get("type"))
    if isinstance(node.get("enum"), list):
        n.enum_vals = node["enum"]
    elif "const" in node:
        n.enum_vals = [node["const"]]
    props = node.get("properties")
    if isinstance(props, dict):
        n.props = {k: _compile(v, root, refs, depth + 1, False) for k, v in props.items()}
        if top:  # a tool's arguments are closed by default (BFCL rejects parameters outside the schema)
            n.additional = False
    if isinstance(node.get("required"), list):
        n.required = [x for x in node["required"] if isinstance(x, str)]
    ap = node.get("additionalProperties")
    if ap is False:
        n.additional = False
    elif ap is True:
        n.additional = True
    elif isinstance(ap, dict):
        n.additional = _compile(ap, root, refs, depth + 1, False)
    items = node.get("items")
    if isinstance(items, list):
        n.prefix = [_compile(s, root, refs, depth + 1, False) for s in items]
    elif isinstance(items, dict):
        n.items = _compile(items, root, refs, depth + 1, False)
    if isinstance(node.get("prefixItems"), list):
        n.prefix = [_compile(s, root, refs, depth + 1, False) for s in node["prefixItems"]]
    alts = node["anyOf"] if isinstance(node.get("anyOf"), list) else node["oneOf"] if isinstance(node.get("oneOf"), list) else None
    if alts:
        n.any_of = [_compile(s, root, refs, depth + 1, False) for s in alts]
    if isinstance(node.get("allOf"), list) and node["allOf"]:
        n.all_of = [_compile(s, root, refs, depth + 1, False) for s in node["allOf"]]
    return n


def _compile_tool(tool: dict) -> _Node:
    root = xlam_params_to_json_schema(tool["parameters"]) if tool["dialect"] == "xlam" else tool["parameters"]
    return _compile(root, root, {}, 0, True)


class ToolIndex:
    """Tools by name (the first definition wins), each compiled on first use."""

    def __init__(self, tools: list[dict]) -> None:
        self._map: dict[str, list] = {}
        self.names: list[str] = []
        for t in tools:
            if t["name"] in self._map:
                continue
            self._map[t["name"]] = [t, None]
            self.names.append(t["name"])

    def has(self, name: str) -> bool:
        return name in self._map

    def get(self, name: str) -> dict | None:
        e = self._map.get(name)
        return e[0] if e else None

    def validator(self, name: str) -> _Node | None:
        e = self._map.get(name)
        if e is None:
            return None
        if e[1] is None:
            e[1] = _compile_tool(e[0])
        return e[1]


def index_tools(tools: list[dict]) -> ToolIndex:
    return ToolIndex(tools)


def _mask_of(v: Json) -> int:
    if v is None:
        return T_NULL
    if isinstance(v, bool):
        return T_BOOLEAN
    if isinstance(v, int):
        return T_INTEGER | T_NUMBER
    if isinstance(v, float):
        return T_INTEGER | T_NUMBER if v.is_integer() else T_NUMBER
    if isinstance(v, str):
        return T_STRING
    if isinstance(v, list):
        return T_ARRAY
    return T_OBJECT


def _type_names(bits: int) -> str:
    names = []
    for b, n in _TYPE_ORDER:
        if b == T_INTEGER and bits & T_NUMBER:
            continue
        if bits & b:
            names.append(n)
    return " or ".join(names)


def json_equal(a: Json, b: Json) -> bool:
    """Equality as the checker sees it: numbers by value (1 equals 1.0), booleans are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and len(a) == len(b) and all(k in b and json_equal(v, b[k]) for k, v in a.items())
    return type(a) is type(b) and a == b


def _js_number(v: float | int) -> str:
    """A number as JavaScript's String() writes it (1.0 -> "1", 1e-7 -> "1e-7")."""
    if isinstance(v, int):
        if abs(v) < 2**53:
            return str(v)
        v = float(v)  # JavaScript holds it as a double
    if not math.isfinite(v):
        return "null"
    if v == 0:
        return "0"
    r = repr(v)
    if "e" not in r:
        return r[:-2] if r.endswith(".0") else r
    mant, exp = r.split("e")
    e = int(exp)
    if e <= -7 or e >= 21:
        return f"{mant}e{'+' if e > 0 else '-'}{abs(e)}"
    sign = "-" if mant.startswith("-") else ""
    digits = mant.lstrip("-").replace(".", "")
    if e < 0:
        return sign + "0." + "0" * (-e - 1) + digits
    if len(digits) <= e + 1:
        return sign + digits + "0" * (e + 1 - len(digits))
    return sign + digits[: e + 1] + "." + digits[e + 1 :]
    return r


def show_value(v: Json, depth: int = 0) -> str:
    """A short rendering of a value for messages (same text as showValue in TypeScript)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _js_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if depth > 3:
        return "…"
    if isinstance(v, list):
        return "[" + ", ".join(show_value(x, depth + 1) for x in v) + "]"
    return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + show_value(x, depth + 1) for k, x in v.items()) + "}"


def _list_values(vals: list) -> str:
    shown = ", ".join(show_value(x) for x in vals[:10])
    return f"{shown}, … ({len(vals)} in all)" if len(vals) > 10 else shown


def _display(path: list) -> str:
    s = ""
    for p in path[1:]:
        if isinstance(p, int):
            s += f"[{p}]"
        else:
            s += p if s == "" else f".{p}"
    return s


def _report(out: list, code: str, message: str, path: list) -> None:
    out.append({"code": code, "severity": "error", "message": message, "path": list(path)})


def _validate(v: Json, n: _Node, path: list, out: list, depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if n.any_of:
        ok = False
        for alt in n.any_of:
            scratch: list = []
            _validate(v, alt, path, scratch, depth + 1)
            if not scratch:
                ok = True
                break
        if not ok:
            _report(out, "wrong_type", f"'{_display(path)}' matches none of the allowed schemas (got {json_type_of(v)})", path)
            return
    if n.all_of:
        for sub in n.all_of:
            _validate(v, sub, path, out, depth + 1)
    if n.types and not (_mask_of(v) & n.types):
        _report(out, "wrong_type", f"'{_display(path)}' should be {_type_names(n.types)}, not {json_type_of(v)}", path)
        return
    if n.enum_vals is not None:
        if not any(json_equal(e, v) for e in n.enum_vals):
            _report(out, "enum_violation", f"'{_display(path)}' is {show_value(v)}; allowed: {_list_values(n.enum_vals)}", path)
    if isinstance(v, list):
        if n.prefix is not None:
            for i in range(min(len(n.prefix), len(v))):
                path.append(i)
                _validate(v[i], n.prefix[i], path, out, depth + 1)
                path.pop()
        elif n.items is not None:
            for i, x in enumerate(v):
                path.append(i)
                _validate(x, n.items, path, out, depth + 1)
                path.pop()
        return
    if not isinstance(v, dict):
        return
    if n.required:
        for k in n.required:
            if k not in v:
                path.append(k)
                _report(out, "missing_required", f"missing required argument '{_display(path)}'", path)
                path.pop()
    props = n.props
    if props is None and n.additional is True:
        return
    for k, x in v.items():
        p = props.get(k) if props is not None else None
        path.append(k)
        if p is not None:
            _validate(x, p, path, out, depth + 1)
        elif n.additional is False:
            known = f"; known: {', '.join(list(props)[:12])}" if props else "; it takes no arguments here"
            _report(out, "unexpected_argument", f"unexpected argument '{_display(path)}'{known}", path)
        elif n.additional is not True:
            _validate(x, n.additional, path, out, depth + 1)
        path.pop()


def check_call(call: Json, tools: ToolIndex) -> list[dict]:
    """Checks one call ``{"name", "arguments"}`` against the tools; ``arguments`` may be a JSON string."""
    out: list[dict] = []
    if not isinstance(call, dict):
        _report(out, "bad_call", f'a call must be an object with "name" and "arguments", not {json_type_of(call)}', [])
        return out
    name = call.get("name")
    if not isinstance(name, str):
        _report(out, "bad_call", 'the call has no "name"' if "name" not in call else f'"name" must be a string, not {json_type_of(name)}', ["name"])
        return out
    if "arguments" not in call:
        _report(out, "bad_call", 'the call has no "arguments" object', ["arguments"])
        return out
    args = call["arguments"]
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            _report(out, "bad_call", '"arguments" is a string that is not valid JSON', ["arguments"])
            return out
    if not isinstance(args, dict):
        _report(out, "bad_call", f'"arguments" must be an object, not {json_type_of(args)}', ["arguments"])
        return out
    node = tools.validator(name)
    if node is None:
        names = tools.names
        if names:
            known = f"; the tools are: {', '.join(names[:12])}{', …' if len(names) > 12 else ''}"
        else:
            known = "; no tools are listed"
        _report(out, "unknown_tool", f"unknown tool '{name}'{known}", ["name"])
        return out
    _validate(args, node, ["arguments"], out, 0)
    return out
