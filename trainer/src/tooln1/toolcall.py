"""The tool-call core: reasoning, ``<tool_call>`` blocks and calls of a model output, with located errors.

Mirror of ``src/core/toolcall.ts`` and ``src/core/pyjson.ts`` (same results, same messages; the
shared vectors in ``test/vectors/reward/`` hold both to it). One difference by design: offsets here
are Python string indices (code points); TypeScript reports UTF-16 indices. ``utf16_offset`` converts.

Standard library only (no torch): the trainer, the CLI and tests import it cheaply.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

ASSISTANT_MARKER = "<|im_start|>assistant"
THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
CALL_OPEN = "<tool_call>"
CALL_CLOSE = "</tool_call>"

MAX_DEPTH = 512
#: How deep the official scorer's json.loads/json.dumps still go before CPython 3.11 raises
#: RecursionError: 989-990 levels when compute_score_v0 is called from a script's top level (limit
#: 1000; the exact level depends on the caller's stack). Only the ``official`` reward variant uses it.
OFFICIAL_MAX_DEPTH = 989
MAX_INT_DIGITS = 4300

E_VALUE = "expected a JSON value"
E_KEY = "expected '\"' to start a property name"
E_COLON = "expected ':' after a property name"
E_OBJ_SEP = "expected ',' or '}' after a property value"
E_ARR_SEP = "expected ',' or ']' after an array element"
E_UNTERMINATED = "unterminated string"
E_CONTROL = "invalid control character in string"
E_ESCAPE = "invalid escape in string"
E_UESCAPE = "invalid \\u escape in string"
E_EXTRA = "extra data after the JSON value"
E_DEPTH = f"nesting deeper than {MAX_DEPTH} levels"
E_INT_DIGITS = f"integer with more than {MAX_INT_DIGITS} digits"


class PyJsonError(ValueError):
    """A JSON document that cannot be read: ``reason`` and ``pos`` (index into the parsed text)."""

    def __init__(self, reason: str, pos: int) -> None:
        super().__init__(f"{reason} (at {pos})")
        self.reason = reason
        self.pos = pos


# ---------------------------------------------------------------------------------------------
# JSON: CPython's json for values, plus the shared limits; a pure-Python scanner (the port of the
# TypeScript parser) names the error and its position when json refuses a document.

_WS = " \t\n\r"
_HEX = set("0123456789abcdefABCDEF")
_DIGITS = set("0123456789")
_LONG_INT = re.compile(r"[0-9]{%d}" % (MAX_INT_DIGITS + 1))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_STRICT = json.JSONDecoder(parse_constant=_reject_constant)
_PYTHON = json.JSONDecoder()


def scan_json(s: str, start: int, end: int, constants: bool, spans: list[int] | None = None, max_depth: int = MAX_DEPTH) -> tuple[str, int] | None:
    """Validates s[start:end] exactly as the TypeScript parser does; returns (reason, pos) or None.

    Iterative (no recursion), so it can report the depth limit itself. When ``spans`` is given and
    the document is an array, the [start, end) of each element is appended to it.
    """
    p = start

    def ws(p: int) -> int:
        while p < end and s[p] in _WS:
            p += 1
        return p

    def string(p: int) -> tuple[str, int] | int:
        q = p + 1
        while q < end:
            c = s[q]
            if c == '"':
                return q + 1
            o = ord(c)
            if o < 32:
                return (E_CONTROL, q)
            if c == "\\":
                if q + 1 >= end:
                    return (E_UNTERMINATED, p)
                e = s[q + 1]
                if e in '"\\/bfnrt':
                    q += 2
                    continue
                if e == "u":
                    if q + 6 > end or not all(h in _HEX for h in s[q + 2 : q + 6]):
                        return (E_UESCAPE, q)
                    q += 6
                    continue
                return (E_ESCAPE, q)
            q += 1
        return (E_UNTERMINATED, p)

    def number(p: int) -> tuple[str, int] | int:
        st = p
        if s[p] == "-":
            p += 1
        d0 = p
        if p < end and s[p] == "0":
            p += 1
        elif p < end and "1" <= s[p] <= "9":
            p += 1
            while p < end and s[p] in _DIGITS:
                p += 1
        else:
            return (E_VALUE, st)
        int_digits = p - d0
        is_float = False
        if p + 1 < end and s[p] == "." and s[p + 1] in _DIGITS:
            is_float = True
            p += 2
            while p < end and s[p] in _DIGITS:
                p += 1
        if p < end and s[p] in "eE":
            q = p + 1
            if q < end and s[q] in "+-":
                q += 1
            if q < end and s[q] in _DIGITS:
                q += 1
                while q < end and s[q] in _DIGITS:
                    q += 1
                is_float = True
                p = q
        if not is_float and int_digits > MAX_INT_DIGITS:
            return (E_INT_DIGITS, st)
        return p

    # stack of containers: "[" or "{"
    stack: list[str] = []
    p = ws(p)
    while True:
        # parse a value at p
        if p >= end:
            return (E_VALUE, p)
        c = s[p]
        vstart = p
        if c == '"':
            r = string(p)
            if isinstance(r, tuple):
                return r
            p = r
        elif c == "{" or c == "[":
            if len(stack) + 1 > max_depth:
                return (E_DEPTH if max_depth == MAX_DEPTH else f"nesting deeper than {max_depth} levels", p)
            stack.append(c)
            p = ws(p + 1)
            close = "}" if c == "{" else "]"
            if p < end and s[p] == close:
                stack.pop()
                p += 1
            elif c == "{":
                if p >= end or s[p] != '"':
                    return (E_KEY, p)
                r = string(p)
                if isinstance(r, tuple):
                    return r
                p = ws(r)
                if p >= end or s[p] != ":":
                    return (E_COLON, p)
                p = ws(p + 1)
                if spans is not None and len(stack) == 1:
                    spans = None  # top level is an object
                continue
            else:
                if spans is not None and len(stack) == 1:
                    spans.append(p)
                continue
        elif c == "-" or c in _DIGITS:
            if c == "-" and constants and s.startswith("-Infinity", p) and p + 9 <= end:
                p += 9
            else:
                r = number(p)
                if isinstance(r, tuple):
                    return r
                p = r
        elif c == "n" and s.startswith("null", p) and p + 4 <= end:
            p += 4
        elif c == "t" and s.startswith("true", p) and p + 4 <= end:
            p += 4
        elif c == "f" and s.startswith("false", p) and p + 5 <= end:
            p += 5
        elif constants and c == "N" and s.startswith("NaN", p) and p + 3 <= end:
            p += 3
        elif constants and c == "I" and s.startswith("Infinity", p) and p + 8 <= end:
            p += 8
        else:
            return (E_VALUE, p)
        del vstart
        # after a value: close containers or move to the next member
        while True:
            if not stack:
                p = ws(p)
                if p < end:
                    return (E_EXTRA, p)
                return None
            top = stack[-1]
            if spans is not None and len(stack) == 1 and top == "[":
                spans.append(p)
            p = ws(p)
            c = s[p] if p < end else ""
            if top == "[":
                if c == "]":
                    stack.pop()
                    p += 1
                    continue
                if c != ",":
                    return (E_ARR_SEP, p)
                p = ws(p + 1)
                if spans is not None and len(stack) == 1:
                    spans.append(p)
                break
            if c == "}":
                stack.pop()
                p += 1
                continue
            if c != ",":
                return (E_OBJ_SEP, p)
            p = ws(p + 1)
            if p >= end or s[p] != '"':
                return (E_KEY, p)
            r = string(p)
            if isinstance(r, tuple):
                return r
            p = ws(r)
            if p >= end or s[p] != ":":
                return (E_COLON, p)
            p = ws(p + 1)
            break


def parse_json(s: str, constants: bool = False, start: int = 0, end: int | None = None, max_depth: int = MAX_DEPTH) -> Any:
    """Parses s[start:end] as one JSON document like the TypeScript parser (raises PyJsonError).

    Values come from CPython's json (int/float kept apart, duplicate keys: last value wins).
    ``constants`` accepts NaN/Infinity/-Infinity; strict otherwise. Error positions index ``s``.
    """
    if end is None:
        end = len(s)
    doc = s if (start == 0 and end == len(s)) else s[start:end]
    try:
        if max_depth != MAX_DEPTH:
            return _loads_deep(doc, constants, max_depth)
        return _loads(doc, constants)
    except PyJsonError as e:
        e.pos += start
        raise


_SCAN_STRICT = _STRICT.scan_once
_SCAN_PYTHON = _PYTHON.scan_once


def _loads_deep(doc: str, constants: bool, max_depth: int) -> Any:
    """``_loads`` with another depth limit; CPython's recursion limit is raised while it runs when the
    document could nest that deep (the limit is per interpreter, and restored at once)."""
    if doc.count("[") + doc.count("{") <= MAX_DEPTH:
        return _loads(doc, constants)
    err = scan_json(doc, 0, len(doc), constants, None, max_depth)
    if err is not None:
        raise PyJsonError(err[0], err[1])
    with deep_recursion(max_depth):
        try:
            return (_PYTHON if constants else _STRICT).decode(doc)
        except (ValueError, RecursionError):
            raise PyJsonError(E_VALUE, 0) from None


class deep_recursion:
    """Raises CPython's recursion limit to leave room for ``depth`` nested levels, then restores it."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.old = 0

    def __enter__(self) -> None:
        self.old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.old, self.depth * 2 + 1000))

    def __exit__(self, *exc: object) -> None:
        sys.setrecursionlimit(self.old)


def _loads(doc: str, constants: bool) -> Any:
    try:
        if doc and doc[0] not in _WS and doc[-1] not in _WS:
            # No surrounding JSON whitespace (the usual stripped payload): the C scanner directly.
            value, end = (_SCAN_PYTHON if constants else _SCAN_STRICT)(doc, 0)
            if end != len(doc):
                raise ValueError("extra data")
        else:
            value = (_PYTHON if constants else _STRICT).decode(doc)
    except (ValueError, RecursionError, StopIteration):
        err = scan_json(doc, 0, len(doc), constants)
        if err is None:  # json refused what the shared grammar accepts: never expected
            raise PyJsonError(E_VALUE, 0) from None
        raise PyJsonError(err[0], err[1]) from None
    n = len(doc)
    if (n > MAX_DEPTH and doc.count("[") + doc.count("{") > MAX_DEPTH) or (n > MAX_INT_DIGITS and _LONG_INT.search(doc)):
        err = scan_json(doc, 0, n, constants)
        if err is not None:
            raise PyJsonError(err[0], err[1])
    return value


# ---------------------------------------------------------------------------------------------
# Structure


def scope_start(text: str) -> int:
    """Start of the scored text: the last assistant marker, or 0."""
    i = text.rfind(ASSISTANT_MARKER)
    return 0 if i < 0 else i


class Structure:
    __slots__ = ("scope", "think", "think_ok", "blocks", "unbalanced", "errors")

    def __init__(self, scope: int) -> None:
        self.scope = scope
        self.think: tuple[int, int] | None = None
        self.think_ok = False
        # (start, end, contentStart, contentEnd, closed)
        self.blocks: list[tuple[int, int, int, int, bool]] = []
        self.unbalanced = False
        self.errors: list[dict] = []


def _err(code: str, message: str, start: int, end: int) -> dict:
    return {"code": code, "message": message, "start": start, "end": end}


def _scan_blocks(text: str, s: int, e: int, out: Structure) -> None:
    # Linear: `close` always holds the next unconsumed </tool_call> (or -1); see scanBlocks.
    find = text.find
    open_ = find(CALL_OPEN, s, e)
    close = find(CALL_CLOSE, s, e)
    while True:
        limit = e if open_ < 0 else open_
        while 0 <= close < limit:
            out.unbalanced = True
            out.errors.append(_err("unclosed_tool_call", "</tool_call> without a matching <tool_call>", close, close + 12))
            close = find(CALL_CLOSE, close + 12, e)
        if open_ < 0:
            return
        cs = open_ + 11
        nxt = find(CALL_OPEN, cs, e)
        if close < 0 or (0 <= nxt < close):
            ce = nxt if nxt >= 0 else e
            out.blocks.append((open_, ce, cs, ce, False))
            out.unbalanced = True
            out.errors.append(_err("unclosed_tool_call", "<tool_call> without </tool_call>", open_, cs))
            if nxt < 0:
                return
        else:
            out.blocks.append((open_, close + 12, cs, close, True))
            close = find(CALL_CLOSE, close + 12, e)
        open_ = nxt


def scan_structure(text: str) -> Structure:
    """Finds the reasoning and the ``<tool_call>`` blocks (offsets into ``text``)."""
    scope = scope_start(text)
    end = len(text)
    out = Structure(scope)
    a = text.find(THINK_OPEN, scope)
    b = -1 if a < 0 else text.find(THINK_CLOSE, a + 7)
    if a >= 0 and b >= 0:
        out.think = (a, b + 8)
        _scan_blocks(text, scope, a, out)
        if out.blocks:
            blk = out.blocks[0]
            out.errors.append(
                _err("no_think", "<tool_call> before the <think> reasoning: the reasoning must come first", blk[0], blk[2])
            )
        out.think_ok = not out.blocks
        _scan_blocks(text, b + 8, end, out)
    else:
        if a >= 0:
            out.errors.append(_err("no_think", "<think> without </think>", a, a + 7))
        else:
            c = text.find(THINK_CLOSE, scope)
            if c >= 0:
                out.errors.append(_err("no_think", "</think> without a preceding <think>", c, c + 8))
        _scan_blocks(text, scope, end, out)
    if len(out.errors) > 1:
        out.errors.sort(key=lambda x: x["start"])
    return out


# ---------------------------------------------------------------------------------------------
# Calls


def _json_error(e: PyJsonError, prefix: str, errors: list, s: int, e2: int, block: tuple, in_string: bool) -> None:
    if in_string:
        start, end = s, e2
    else:
        start = e.pos
        end = min(e.pos + 1, block[3])
        if end <= start:
            start, end = block[0], block[1]
    errors.append(_err("bad_json", f"{prefix}: {e.reason}", start, end))


def _read_call(obj: dict, start: int, end: int, block_index: int, calls: list, errors: list) -> None:
    name = obj.get("name")
    if type(name) is not str:
        errors.append(
            _err("bad_call_shape", "the call's \"name\" is not a string" if "name" in obj else 'the call has no "name"', start, end)
        )
        return
    args = obj.get("arguments")
    if type(args) is dict:
        calls.append((name, args, start, end, block_index))
        return
    if type(args) is str:
        try:
            v = parse_json(args)
        except PyJsonError as e:
            errors.append(_err("bad_json", f'"arguments" is a string that is not valid JSON: {e.reason}', start, end))
            return
        if type(v) is dict:
            calls.append((name, v, start, end, block_index))
            return
        errors.append(_err("bad_call_shape", '"arguments" is a string that does not hold a JSON object', start, end))
        return
    errors.append(
        _err("bad_call_shape", '"arguments" is not an object' if "arguments" in obj else 'the call has no "arguments"', start, end)
    )


def read_block(text: str, block: tuple, block_index: int, calls: list, errors: list, want_spans: bool = False) -> None:
    """Reads the calls of one closed block into ``calls`` as (name, args, start, end, block) tuples."""
    content = text[block[2] : block[3]]
    doc = content.strip()
    s = block[2] + (len(content) - len(content.lstrip())) if doc else block[3]
    e = s + len(doc)
    try:
        v = _loads(doc, False)
    except PyJsonError as err:
        err.pos += s
        _json_error(err, "invalid JSON in <tool_call>", errors, s, e, block, False)
        return
    in_string = False
    if type(v) is str:
        in_string = True
        try:
            v = parse_json(v)
        except PyJsonError as err:
            _json_error(err, "the string in <tool_call> is not valid JSON", errors, s, e, block, True)
            return
    if type(v) is dict:
        _read_call(v, s, e, block_index, calls, errors)
        return
    if type(v) is not list:
        errors.append(_err("bad_call_shape", "a <tool_call> must hold a call object or a JSON list of calls", s, e))
        return
    spans: list[int] = []
    if want_spans and not in_string:
        scan_json(text, s, e, False, spans)
    for i, item in enumerate(v):
        if in_string or not want_spans:
            cs, ce = s, e
        else:
            cs, ce = spans[2 * i], spans[2 * i + 1]
        if type(item) is not dict:
            errors.append(_err("bad_call_shape", f"item {i} of the call list is not an object", cs, ce))
            continue
        _read_call(item, cs, ce, block_index, calls, errors)


def parse_tool_calls(text: str) -> dict:
    """Parses a model output: ``{reasoning, thinkOk, blocks, calls, errors}`` (code-point offsets)."""
    st = scan_structure(text)
    calls: list = []
    json_errors: list = []
    for i, b in enumerate(st.blocks):
        if b[4]:
            read_block(text, b, i, calls, json_errors, want_spans=True)
    errors = sorted(st.errors + json_errors, key=lambda x: x["start"])
    r = st.think
    return {
        "reasoning": None if r is None else {"text": text[r[0] + 7 : r[1] - 8], "start": r[0] + 7, "end": r[1] - 8},
        "thinkOk": st.think_ok,
        "blocks": [
            {"start": b[0], "end": b[1], "contentStart": b[2], "contentEnd": b[3], "closed": b[4]} for b in st.blocks
        ],
        "calls": [{"name": c[0], "arguments": c[1], "start": c[2], "end": c[3], "block": c[4]} for c in calls],
        "errors": errors,
    }


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 offset (what the TypeScript core reports) of a code-point index into ``text``."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def parse_tool_calls_utf16(text: str) -> dict:
    """``parse_tool_calls`` with every offset in UTF-16 units, as the TypeScript core reports them."""
    p = parse_tool_calls(text)
    u = lambda i: utf16_offset(text, i)  # noqa: E731
    if p["reasoning"]:
        p["reasoning"].update(start=u(p["reasoning"]["start"]), end=u(p["reasoning"]["end"]))
    for b in p["blocks"]:
        b.update(start=u(b["start"]), end=u(b["end"]), contentStart=u(b["contentStart"]), contentEnd=u(b["contentEnd"]))
    for x in p["calls"] + p["errors"]:
        x.update(start=u(x["start"]), end=u(x["end"]))
    return p
