"""The Tool-N1 reward (paper eq. 5 and its Table 4 ablations) and the official scorer, reproduced.

Mirror of ``src/core/reward.ts``: the same result for every completion (test/vectors/reward/ and a
differential fuzz test hold both to it). Semantics, reason codes and every divergence from the
official scorer (NVlabs/Tool-N1 verl/verl/utils/reward_score/toolcall.py, compute_score_v0) are in
docs/reward.md. Standard library only: no torch import.

    >>> score("<think>t</think><tool_call>[{\\"name\\": \\"f\\", \\"arguments\\": {}}]</tool_call>",
    ...       [{"name": "f", "arguments": {}}])
    {'reward': 1.0, 'format_ok': True, 'calls_ok': True, 'reason': 'ok'}
"""

from __future__ import annotations

import functools
import json
from collections import Counter, deque
from importlib import resources
from typing import Any

from .toolcall import (
    CALL_CLOSE,
    CALL_OPEN,
    MAX_DEPTH,
    OFFICIAL_MAX_DEPTH,
    THINK_CLOSE,
    THINK_OPEN,
    PyJsonError,
    parse_json,
    read_block,
    scan_structure,
    scope_start,
    deep_recursion,
)

REWARD_VARIANTS = ("binary", "fine-grained", "no-format", "official")


def _load_reason_codes() -> tuple[str, ...]:
    """The codes of schemas/reasons.json, in their order (src/core/types.ts loads the same file)."""
    with resources.files("tooln1").joinpath("schemas", "reasons.json").open("r", encoding="utf-8") as f:
        return tuple(json.load(f)["codes"])


REASON_CODES = _load_reason_codes()
_RANK = {c: i for i, c in enumerate(REASON_CODES)}

_ENCODER = json.JSONEncoder(sort_keys=True)


def _make_dumps():
    """json.dumps(v, sort_keys=True), without building an encoder per call (CPython's C encoder)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _ENCODER.encode
    # The arguments JSONEncoder.iterencode passes in one-shot mode (check_circular off: parsed JSON has no cycles).
    enc = make(None, _ENCODER.default, json.encoder.encode_basestring_ascii, None, ": ", ", ", True, False, True)
    join = "".join

    def dumps(v: Any) -> str:
        return join(enc(v, 0))

    return dumps


_dumps = _make_dumps()


def _norm(v: Any) -> Any:
    """Floats with an integral value become ints (1.0 -> 1); containers recursively."""
    t = type(v)
    if t is float:
        return int(v) if v.is_integer() else v
    # Plain loops, not comprehensions: one frame per nesting level (payloads nest up to 512).
    if t is dict:
        d = {}
        for k, x in v.items():
            d[k] = _norm(x)
        return d
    if t is list:
        out = []
        for x in v:
            out.append(_norm(x))
        return out
    return v


def value_key(v: Any) -> str:
    """Canonical text for comparison by value (numbers by value, keys sorted, bools apart)."""
    return _dumps(_norm(v))


def _float_text(x: float) -> str:
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    return str(int(x)) if x.is_integer() else repr(x)


def _is_ident(k: str) -> bool:
    return k.isascii() and (k[:1].isalpha() or k[:1] == "_") and all(c.isalnum() or c == "_" for c in k)


def path_key(k: str) -> str:
    """``.key`` or ``["key"]`` in a mismatch path (mirror of pathKey in reward.ts)."""
    if k and _is_ident(k):
        return "." + k
    out = ['["']
    i, n = 0, len(k)
    while i < n:
        ch = k[i]
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o < 32:
            out.append({10: "\\n", 13: "\\r", 9: "\\t", 8: "\\b", 12: "\\f"}.get(o) or "\\u%04x" % o)
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\u%x" % o)  # lone surrogate (a pair is one code point here)
        else:
            out.append(ch)
        i += 1
    out.append('"]')
    return "".join(out)


def _sorted_keys(*dicts: dict) -> list:
    keys: dict = {}
    for d in dicts:
        keys.update(dict.fromkeys(d))
    return sorted(keys)


def _diff_value(m: Any, g: Any, path: str, key_of) -> tuple[str, str]:
    if type(m) is dict and type(g) is dict:
        for k in _sorted_keys(g, m):
            p = path + path_key(k)
            if k not in m:
                return "missing_argument", p
            if k not in g:
                return "extra_argument", p
            if key_of(m[k]) != key_of(g[k]):
                return _diff_value(m[k], g[k], p, key_of)
    elif type(m) is list and type(g) is list and len(m) == len(g):
        for i, (a, b) in enumerate(zip(m, g)):
            if key_of(a) != key_of(b):
                return _diff_value(a, b, f"{path}[{i}]", key_of)
    return "wrong_argument_value", path


def _compare_calls(model: list, gt: list, key_of) -> tuple[str, str, bool] | None:
    """Order-free multiset comparison of (nameKey, key, args) triples; None on a full match.

    Otherwise (reason, mismatch path, names_ok) for the first difference; see compareCalls in reward.ts.
    """
    if len(model) != len(gt):
        return "wrong_call_count", "calls", False
    if len(model) == 1:
        (mn, mk, ma), (gn, gk, ga) = model[0], gt[0]
        if mk == gk:
            return None
        if mn != gn:
            return "wrong_name", "calls[0].name", False
        r, p = _diff_value(ma, ga, "calls[0].arguments", key_of)
        return r, p, True
    pool = Counter(c[1] for c in gt)
    unmatched = []
    exact: Counter = Counter()  # exact matches per key
    for i, c in enumerate(model):
        if pool[c[1]] > 0:
            pool[c[1]] -= 1
            exact[c[1]] += 1
        else:
            unmatched.append(i)
    if not unmatched:
        return None
    # Set aside the ground-truth calls consumed by exact matches (the first ones of each key, in
    # order); queue the rest by name, in order.
    by_name: dict = {}
    for j, c in enumerate(gt):
        if exact[c[1]] > 0:
            exact[c[1]] -= 1
        else:
            by_name.setdefault(c[0], deque()).append(j)
    first = None
    for i in unmatched:
        q = by_name.get(model[i][0])
        if not q:
            return "wrong_name", f"calls[{i}].name", False
        j = q.popleft()
        if first is None:
            first = _diff_value(model[i][2], gt[j][2], f"calls[{i}].arguments", key_of)
    return first[0], first[1], True


# ---------------------------------------------------------------------------------------------
# Ground truth


def _default_cmp(name: str, args: dict) -> tuple:
    nk = "s:" + name
    return (nk, nk + "\0" + value_key(args), args)


class _DefaultGroundTruth:
    """Ground-truth calls with both comparison keys: by value, and the plain json.dumps text."""

    __slots__ = ("calls", "dumps_keys")

    def __init__(self, calls: list, dumps_keys: list) -> None:
        self.calls = calls
        self.dumps_keys = dumps_keys  # sorted


def _cacheable(gt: Any) -> bool:
    return type(gt) is str and len(gt) <= 16384  # bounds the cache's memory


@functools.lru_cache(maxsize=4096)
def _default_ground_truth_from_text(gt: str) -> _DefaultGroundTruth | None:
    # The rollouts of one prompt share its ground truth: read each text once.
    return _default_ground_truth(gt)


def _default_ground_truth(gt: Any) -> _DefaultGroundTruth | None:
    calls = _read_default_ground_truth(gt)
    if calls is None:
        return None
    return _DefaultGroundTruth(calls, sorted(c[0] + "\0" + _dumps(c[2]) for c in calls))


def _read_default_ground_truth(gt: Any) -> list | None:
    try:
        v = gt
        if type(v) is str:
            v = parse_json(v)
            if type(v) is str:
                v = parse_json(v)
        if type(v) is dict:
            v = [v]
        if type(v) not in (list, tuple):
            return None
        calls = []
        for item in v:
            if type(item) is not dict:
                return None
            name = item.get("name")
            args = item.get("arguments")
            if type(name) is not str:
                return None
            if type(args) is str:
                args = parse_json(args)
            if type(args) is not dict:
                return None
            calls.append(_default_cmp(name, args))
        return calls
    except (PyJsonError, TypeError, ValueError, RecursionError):
        return None


def _official_name_key(name: Any) -> str | None:
    """Python hash-equality of a call name (1 == 1.0 == True); None if unhashable. NaN equals itself
    here: json.loads returns its one NaN object every time, and Counter compares keys by identity first."""
    t = type(name)
    if t is str:
        return "s:" + name
    if name is None:
        return "None"
    if t is bool:
        return "n:1" if name else "n:0"
    if t is int:
        return "n:" + str(name)
    if t is float:
        if name != name:
            return "nan"
        return "n:" + _float_text(name)
    return None


def _official_cmp(args: Any, nk: str) -> tuple:
    return (nk, nk + "\0" + _dumps(args), args)


def _read_official_ground_truth(gt: Any) -> list | None:
    if type(gt) is str and len(gt) > MAX_DEPTH and gt.count("[") + gt.count("{") > MAX_DEPTH:
        with deep_recursion(OFFICIAL_MAX_DEPTH):
            return _read_official_ground_truth_inner(gt)
    return _read_official_ground_truth_inner(gt)


def _read_official_ground_truth_inner(gt: Any) -> list | None:
    try:
        v = gt
        if type(v) is str:
            v = parse_json(v, True, max_depth=OFFICIAL_MAX_DEPTH)
            if type(v) is str:
                v = parse_json(v, True, max_depth=OFFICIAL_MAX_DEPTH)
        # compute_score_v0 only ever succeeds with a list of {"name", "arguments"} dicts or an empty container.
        if (type(v) is str and v == "") or (type(v) is dict and not v):
            return []
        if type(v) not in (list, tuple):
            return None
        calls = []
        for item in v:
            if type(item) is not dict or "name" not in item or "arguments" not in item:
                return None
            nk = _official_name_key(item["name"])
            if nk is None:
                return None
            calls.append(_official_cmp(item["arguments"], nk))
        return calls
    except (PyJsonError, TypeError, ValueError, RecursionError):
        return None


# ---------------------------------------------------------------------------------------------
# Scoring


def _result(reward: float, format_ok: bool, calls_ok: bool, reason: str, mismatch: str | None = None) -> dict:
    r = {"reward": reward, "format_ok": format_ok, "calls_ok": calls_ok, "reason": reason}
    if mismatch is not None:
        r["mismatch"] = mismatch
    return r


def _first_reason(fails: list) -> str:
    return min(fails, key=_RANK.__getitem__) if fails else "ok"


def _score_default(text: str, gt_in: Any, variant: str) -> dict:
    gtc = _default_ground_truth_from_text(gt_in) if _cacheable(gt_in) else _default_ground_truth(gt_in)
    gt = None if gtc is None else gtc.calls
    st = scan_structure(text)
    fails = []
    if variant != "no-format" and not st.think_ok:
        fails.append("no_think")
    expect_calls = gt is None or len(gt) > 0
    blocks = st.blocks
    if not blocks and expect_calls:
        fails.append("no_tool_call")
    if st.unbalanced:
        fails.append("unclosed_tool_call")
    format_ok = not fails
    think_credit = 0.2 if st.think_ok else 0.0
    if gt is None:
        return _result(0.0, format_ok, False, "bad_ground_truth")
    diff = None
    calls_ok = False
    names_ok = False
    if not st.unbalanced and (blocks or not expect_calls):
        raw: list = []
        errors: list = []
        for i, b in enumerate(blocks):
            read_block(text, b, i, raw, errors)
        if errors:
            fails.extend(e["code"] for e in errors)
        else:
            # Fast path: equal json.dumps texts mean equal values; compare by value only otherwise.
            same = False
            if len(raw) == len(gt):
                if len(raw) == 1:
                    same = "s:" + raw[0][0] + "\0" + _dumps(raw[0][1]) == gtc.dumps_keys[0]
                else:
                    same = sorted("s:" + c[0] + "\0" + _dumps(c[1]) for c in raw) == gtc.dumps_keys
            diff = None if same else _compare_calls([_default_cmp(c[0], c[1]) for c in raw], gt, value_key)
            calls_ok = diff is None
            names_ok = calls_ok or diff[2]
            if diff is not None:
                fails.append(diff[0])
    if variant == "fine-grained":
        reward = think_credit + (0.8 if calls_ok else 0.2 if names_ok else 0.0)
    else:
        reward = 1.0 if format_ok and calls_ok else 0.0
    return _result(reward, format_ok, calls_ok, _first_reason(fails), None if diff is None else diff[1])


@functools.lru_cache(maxsize=4096)
def _official_ground_truth_from_text(gt: str) -> list | None:
    return _read_official_ground_truth(gt)


def _score_official(text: str, gt_in: Any) -> dict:
    gt = _official_ground_truth_from_text(gt_in) if _cacheable(gt_in) else _read_official_ground_truth(gt_in)
    scope = scope_start(text)
    think = text.find(THINK_OPEN, scope) >= 0 and text.find(THINK_CLOSE, scope) >= 0
    # The last non-overlapping match of <tool_call>(.*?)</tool_call>.
    ms = me = -1
    pos = scope
    find = text.find
    while True:
        o = find(CALL_OPEN, pos)
        if o < 0:
            break
        c = find(CALL_CLOSE, o + 11)
        if c < 0:
            break
        ms, me = o + 11, c
        pos = c + 12
    format_ok = think and ms >= 0
    if gt is None:
        return _result(0.0, format_ok, False, "bad_ground_truth")
    fails = [] if think else ["no_think"]
    if ms < 0:
        fails.append("no_tool_call")
        return _result(0.0, format_ok, False, _first_reason(fails))
    seg = text[ms:me]
    content = seg.strip()
    try:
        v = parse_json(content, True, max_depth=OFFICIAL_MAX_DEPTH)
        if type(v) is str:
            v = parse_json(v, True, max_depth=OFFICIAL_MAX_DEPTH)
    except PyJsonError:
        fails.append("bad_json")
        return _result(0.0, format_ok, False, _first_reason(fails))
    if type(v) is dict:
        items = [v]
    elif type(v) is list:
        items = v
    elif type(v) is str:
        items = list(v)  # validate_format iterates the characters
    else:
        # None is "result is None"; numbers and booleans make validate_format raise.
        fails.append("bad_call_shape")
        return _result(0.0, format_ok, False, _first_reason(fails))
    for it in items:
        if type(it) is not dict or "name" not in it or "arguments" not in it:
            fails.append("bad_call_shape")
            return _result(0.0, format_ok, False, _first_reason(fails))
    if not items or not gt:
        diff = None if len(items) == len(gt) else ("wrong_call_count", "calls", False)
    else:
        model = []
        for it in items:
            nk = _official_name_key(it["name"])
            if nk is None:
                fails.append("bad_call_shape")  # TypeError: unhashable name
                return _result(0.0, format_ok, False, _first_reason(fails))
            model.append(_official_cmp(it["arguments"], nk))
        diff = _compare_calls(model, gt, _dumps)
    if diff is not None:
        fails.append(diff[0])
    calls_ok = diff is None
    return _result(1.0 if think and calls_ok else 0.0, format_ok, calls_ok, _first_reason(fails), None if diff is None else diff[1])


def score(completion: str, ground_truth: Any, variant: str = "binary") -> dict:
    """Scores one completion: ``{"reward", "format_ok", "calls_ok", "reason", "mismatch"?}``.

    ``ground_truth`` is a list of calls, one call, or a JSON string of either.
    """
    if type(completion) is not str:
        raise TypeError("completion must be a string")
    if variant == "official":
        try:
            return _score_official(completion, ground_truth)
        except RecursionError:
            # Values nested past 512 levels (accepted up to OFFICIAL_MAX_DEPTH) are dumped and compared recursively.
            with deep_recursion(OFFICIAL_MAX_DEPTH):
                return _score_official(completion, ground_truth)
    if variant in ("binary", "fine-grained", "no-format"):
        return _score_default(completion, ground_truth, variant)
    raise ValueError(f"unknown reward variant {variant!r} (expected one of {', '.join(REWARD_VARIANTS)})")


def format_reward(x: float) -> str:
    """A reward as both CLIs print it: integral values without a fraction, others as repr."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def serialize_result(r: dict) -> str:
    """One output line of ``tooln1 score`` (no newline); identical bytes to serializeResult in TS."""
    out = '{"reward":%s,"format_ok":%s,"calls_ok":%s,"reason":%s' % (
        format_reward(r["reward"]),
        "true" if r["format_ok"] else "false",
        "true" if r["calls_ok"] else "false",
        json.dumps(r["reason"]),
    )
    if "mismatch" in r:
        out += ',"mismatch":' + json.dumps(r["mismatch"])
    return out + "}"
