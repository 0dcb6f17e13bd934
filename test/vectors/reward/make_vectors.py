"""Writes the shared reward vectors (test/vectors/reward/*.json).

Each case was written with the expectation reasoned out by hand (the `want` column: reward, reason
and, where it matters, the mismatch path, for the variants named). This script checks every hand
expectation against the Python scorer and refuses to write anything if one disagrees; it then freezes
the full result of all four variants into the vector files, which the TypeScript suite
(test/unit/reward-vectors.test.ts) and the Python suite (trainer/tests/test_reward_vectors.py) both
assert, and which the official-oracle test (trainer/tests/test_reward_official.py) checks for the
`official` variant against the copied compute_score_v0.

Run: .venv/bin/python test/vectors/reward/make_vectors.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tooln1.reward import score
from tooln1.toolcall import parse_tool_calls_utf16, utf16_offset

HERE = Path(__file__).resolve().parent
J = json.dumps


def C(name, **args):
    return {"name": name, "arguments": args}


W = C("get_weather", city="Paris")
W2 = C("get_weather", city="Paris", unit="celsius")
T = C("set_timer", minutes=5)
X = C("convert_currency", amount=100, to="EUR")


def tc(payload: str, think: str = "t") -> str:
    """<think>...</think><tool_call>payload</tool_call>"""
    return f"<think>{think}</think><tool_call>{payload}</tool_call>"


def blocks(*payloads: str, think: str = "t") -> str:
    return f"<think>{think}</think>" + "".join(f"<tool_call>{p}</tool_call>" for p in payloads)


def nest(depth: int) -> str:
    return "[" * depth + "]" * depth


CASES: dict[str, list] = {}


def case(group: str, cid: str, completion, answer, want: dict, note: str = "") -> None:
    CASES.setdefault(group, []).append({"id": cid, "note": note, "completion": completion, "answer": answer, "want": want})


# want: {variant-letter: (reward, reason[, mismatch])}; b=binary f=fine-grained n=no-format o=official
OK = (1, "ok")

# ---- basic -------------------------------------------------------------------------------------
g = "basic"
case(g, "paper_list_ok", tc(J([W])), [W], {"b": OK, "f": OK, "n": OK, "o": OK})
case(g, "single_object_ok", tc(J(W)), [W], {"b": OK, "o": OK})
case(g, "hermes_two_blocks_ok", blocks(J(W), J(T)), [W, T], {"b": OK, "f": OK, "o": (0, "wrong_call_count", "calls")},
     "official scores only the last block")
case(g, "wrong_value", tc(J([C("get_weather", city="Lyon")])), [W],
     {"b": (0, "wrong_argument_value", "calls[0].arguments.city"), "f": (0.4, "wrong_argument_value"), "o": (0, "wrong_argument_value", "calls[0].arguments.city")})
case(g, "wrong_name", tc(J([C("get_time", city="Paris")])), [W], {"b": (0, "wrong_name", "calls[0].name"), "f": (0.2, "wrong_name"), "o": (0, "wrong_name", "calls[0].name")})
case(g, "missing_argument", tc(J([W])), [W2], {"b": (0, "missing_argument", "calls[0].arguments.unit"), "f": (0.4, "missing_argument"), "o": (0, "missing_argument")})
case(g, "extra_argument", tc(J([W2])), [W], {"b": (0, "extra_argument", "calls[0].arguments.unit"), "o": (0, "extra_argument", "calls[0].arguments.unit")})
case(g, "no_think", f"<tool_call>{J([W])}</tool_call>", [W], {"b": (0, "no_think"), "f": (0.8, "no_think"), "n": OK, "o": (0, "no_think")})
case(g, "no_tool_call", "<think>t</think>The weather is nice.", [W], {"b": (0, "no_tool_call"), "f": (0.2, "no_tool_call"), "n": (0, "no_tool_call"), "o": (0, "no_tool_call")})
case(g, "empty_completion", "", [W], {"b": (0, "no_think"), "f": (0, "no_think"), "n": (0, "no_tool_call"), "o": (0, "no_think")})
case(g, "call_order_swapped", tc(J([T, W])), [W, T], {"b": OK, "o": OK})
case(g, "text_around", "Sure. <think>t</think> <tool_call>" + J([W]) + "</tool_call> Done.", [W], {"b": OK, "o": OK})
case(g, "extra_call_keys_ignored", tc(J([{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "call_1"}])), [W], {"b": OK, "o": OK})
case(g, "think_empty", "<think></think><tool_call>" + J([W]) + "</tool_call>", [W], {"b": OK, "o": OK})
case(g, "uppercase_tags_not_tags", "<think>t</think><TOOL_CALL>" + J([W]) + "</TOOL_CALL>", [W], {"b": (0, "no_tool_call"), "o": (0, "no_tool_call")})
case(g, "tag_with_space_not_tag", "<think>t</think><tool_call >" + J([W]) + "</tool_call>", [W], {"b": (0, "no_tool_call"), "o": (0, "no_tool_call")},
     "no block; the stray </tool_call> also fails the format (no_tool_call ranks first)")

# ---- numeric -----------------------------------------------------------------------------------
g = "numeric"


def num_case(cid, model_text, gt_text, b, o, path="calls[0].arguments.a"):
    want = {"b": OK if b else (0, "wrong_argument_value", path), "o": OK if o else (0, "wrong_argument_value", path)}
    case(g, cid, tc('[{"name": "f", "arguments": {"a": %s}}]' % model_text), '[{"name": "f", "arguments": {"a": %s}}]' % gt_text, want)


num_case("int_vs_float", "1", "1.0", True, False)
num_case("float_vs_int", "1.0", "1", True, False)
num_case("exp_vs_int", "1e2", "100", True, False)
num_case("exp_vs_float", "1e2", "100.0", True, True)
num_case("minus_zero_int", "-0", "0", True, True)
num_case("minus_zero_float_vs_int", "-0.0", "0", True, False)
num_case("minus_zero_float_vs_float", "-0.0", "0.0", True, False)
num_case("big_int_equal", "12345678901234567890123", "12345678901234567890123", True, True)
num_case("big_int_last_digit", "12345678901234567890123", "12345678901234567890124", False, False)
num_case("int_2p53_plus1_vs_float", "9007199254740993", "9007199254740993.0", False, False)
num_case("ints_beyond_double", "9007199254740993", "9007199254740992", False, False)
num_case("float_trailing_zero", "0.10", "0.1", True, True)
num_case("float_1_50", "1.50", "1.5", True, True)
num_case("string_vs_int", '"1"', "1", False, False)
num_case("bool_vs_int", "true", "1", False, False)
num_case("inf_vs_inf", "1e400", "1e999", True, True)
num_case("float_rounds_to_int", "3.0000000000000001", "3", True, False)
num_case("exp_case_and_sign", "1E2", "1e+2", True, True)
num_case("underflow_vs_zero", "1e-400", "0", True, False)
num_case("1e21_vs_int", "1e21", "1000000000000000000000", True, False)
num_case("1e16_vs_int", "1e16", "10000000000000000", True, False)
num_case("big_float_vs_int", "123456789012345678901234567890.0", "123456789012345678901234567890", False, False)
num_case("negative_int_vs_float", "-5", "-5.0", True, False)
num_case("small_float", "0.00001", "1e-5", True, True)
num_case("null_vs_zero", "null", "0", False, False)
case(g, "list_numbers", tc('[{"name": "f", "arguments": {"xs": [1, 2.0]}}]'), '[{"name": "f", "arguments": {"xs": [1.0, 2]}}]',
     {"b": OK, "o": (0, "wrong_argument_value", "calls[0].arguments.xs[0]")})
case(g, "nan_official_only", tc('[{"name": "f", "arguments": {"a": NaN}}]'), '[{"name": "f", "arguments": {"a": NaN}}]',
     {"b": (0, "bad_ground_truth"), "o": OK}, "NaN is not JSON: the default refuses it; Python's json (official) accepts it")
case(g, "nan_name_official", tc('[{"name": NaN, "arguments": {}}]'), '[{"name": NaN, "arguments": {}}]',
     {"b": (0, "bad_ground_truth"), "o": OK}, "json.loads returns one NaN object; Counter compares keys by identity first, so the name equals itself")
case(g, "nan_name_twice_official", tc('[{"name": NaN, "arguments": {}}, {"name": NaN, "arguments": {}}]'), '[{"name": NaN, "arguments": {}}, {"name": NaN, "arguments": {}}]',
     {"b": (0, "bad_ground_truth"), "o": OK})
case(g, "nan_name_vs_string_official", tc('[{"name": NaN, "arguments": {}}]'), '[{"name": "NaN", "arguments": {}}]',
     {"b": (0, "bad_json"), "o": (0, "wrong_name")})
case(g, "infinity_in_completion", tc('[{"name": "f", "arguments": {"a": Infinity}}]'), '[{"name": "f", "arguments": {"a": 1e999}}]',
     {"b": (0, "bad_json"), "o": OK})
case(g, "minus_infinity_in_completion", tc('[{"name": "f", "arguments": {"a": -Infinity}}]'), '[{"name": "f", "arguments": {"a": -1e999}}]',
     {"b": (0, "bad_json"), "o": OK})
case(g, "leading_zero", tc('[{"name": "f", "arguments": {"a": 01}}]'), '[{"name": "f", "arguments": {"a": 1}}]', {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "bare_fraction", tc('[{"name": "f", "arguments": {"a": .5}}]'), '[{"name": "f", "arguments": {"a": 0.5}}]', {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "trailing_dot", tc('[{"name": "f", "arguments": {"a": 1.}}]'), '[{"name": "f", "arguments": {"a": 1}}]', {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "plus_sign", tc('[{"name": "f", "arguments": {"a": +1}}]'), '[{"name": "f", "arguments": {"a": 1}}]', {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "hex_number", tc('[{"name": "f", "arguments": {"a": 0x10}}]'), '[{"name": "f", "arguments": {"a": 16}}]', {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "int_4300_digits", tc('[{"name": "f", "arguments": {"a": %s}}]' % ("7" * 4300)), '[{"name": "f", "arguments": {"a": %s}}]' % ("7" * 4300), {"b": OK, "o": OK})
case(g, "int_4301_digits", tc('[{"name": "f", "arguments": {"a": %s}}]' % ("7" * 4301)), '[{"name": "f", "arguments": {"a": 7}}]',
     {"b": (0, "bad_json"), "o": (0, "bad_json")}, "CPython refuses int literals over 4300 digits; both languages follow")
case(g, "float_4301_digits_ok", tc('[{"name": "f", "arguments": {"a": %s.0}}]' % ("7" * 4301)), '[{"name": "f", "arguments": {"a": 1e999}}]',
     {"b": OK, "o": OK}, "the digit limit is for ints only: this float overflows to inf, like 1e999")

# ---- unicode -----------------------------------------------------------------------------------
g = "unicode"
TOKYO = C("get_weather", city="東京")
case(g, "cjk_value", tc(json.dumps([TOKYO], ensure_ascii=False)), [TOKYO], {"b": OK, "o": OK})
case(g, "escaped_vs_raw", tc(json.dumps([TOKYO])), [TOKYO], {"b": OK, "o": OK})
case(g, "astral_reasoning", tc(J([W]), think="😀😀 thinking 𝔘"), [W], {"b": OK, "o": OK})
case(g, "astral_value_escaped", tc('[{"name": "f", "arguments": {"e": "\\ud83d\\ude00"}}]'), [C("f", e="😀")], {"b": OK, "o": OK})
case(g, "nfc_vs_nfd", tc(json.dumps([C("f", s="é")], ensure_ascii=False)), [C("f", s="e\u0301")], {"b": (0, "wrong_argument_value", "calls[0].arguments.s"), "o": (0, "wrong_argument_value")})
case(g, "unicode_key_missing", tc(J([C("f")])), [{"name": "f", "arguments": {"ключ": 1}}], {"b": (0, "missing_argument", 'calls[0].arguments["ключ"]'), "o": (0, "missing_argument", 'calls[0].arguments["ключ"]')})
case(g, "key_with_space", tc(J([C("f")])), [{"name": "f", "arguments": {"k e y": 1}}], {"b": (0, "missing_argument", 'calls[0].arguments["k e y"]')})
case(g, "key_with_quote", tc(J([C("f")])), [{"name": "f", "arguments": {'a"b\\c': 1}}], {"b": (0, "missing_argument", 'calls[0].arguments["a\\"b\\\\c"]')})
case(g, "key_code_point_order", tc(J([C("f")])), [{"name": "f", "arguments": {"😀": 1, "\uffff": 2}}],
     {"b": (0, "missing_argument", 'calls[0].arguments["\uffff"]'), "o": (0, "missing_argument", 'calls[0].arguments["\uffff"]')},
     "Python sorts keys by code point: U+FFFF before U+1F600 (UTF-16 order would say the opposite)")
case(g, "nbsp_ideographic_space_around_payload", "<think>t</think><tool_call>\u00a0" + J([W]) + "\u3000</tool_call>", [W], {"b": OK, "o": OK},
     "str.strip() removes Unicode whitespace")
case(g, "bom_before_payload", "<think>t</think><tool_call>\ufeff" + J([W]) + "</tool_call>", [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "zero_width_in_name", tc(J([C("get\u200bweather", city="Paris")])), [W], {"b": (0, "wrong_name", "calls[0].name"), "o": (0, "wrong_name")})
case(g, "lone_surrogate_escape", tc('[{"name": "f", "arguments": {"s": "\\ud800"}}]'), '[{"name": "f", "arguments": {"s": "\\ud800"}}]', {"b": OK, "o": OK})
case(g, "raw_newline_in_string", tc('[{"name": "f", "arguments": {"s": "a\nb"}}]'), [C("f", s="a\nb")], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "raw_line_separator_in_string", tc('[{"name": "f", "arguments": {"s": "a\u2028b"}}]'), [C("f", s="a\u2028b")], {"b": OK, "o": OK})
case(g, "astral_key_mismatch_path", tc(json.dumps([C("f", **{"😀": 2})], ensure_ascii=False)), [C("f", **{"😀": 1})],
     {"b": (0, "wrong_argument_value", 'calls[0].arguments["😀"]'), "o": (0, "wrong_argument_value", 'calls[0].arguments["😀"]')})
case(g, "escaped_slash", tc('[{"name": "f", "arguments": {"u": "a\\/b"}}]'), [C("f", u="a/b")], {"b": OK, "o": OK})
case(g, "invalid_escape", tc('[{"name": "f", "arguments": {"u": "a\\qb"}}]'), [C("f", u="aqb")], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "short_u_escape", tc('[{"name": "f", "arguments": {"u": "\\u12"}}]'), [C("f", u="x")], {"b": (0, "bad_json"), "o": (0, "bad_json")})

# ---- nested and reordered ----------------------------------------------------------------------
g = "nested"
F1 = {"name": "search", "arguments": {"q": "x", "filters": {"min": 1, "max": 9, "tags": ["a", "b"]}}}
case(g, "nested_reordered_keys", tc('[{"arguments": {"filters": {"tags": ["a", "b"], "max": 9, "min": 1}, "q": "x"}, "name": "search"}]'), [F1], {"b": OK, "o": OK})
case(g, "nested_list_order", tc('[{"name": "search", "arguments": {"q": "x", "filters": {"min": 1, "max": 9, "tags": ["b", "a"]}}}]'), [F1],
     {"b": (0, "wrong_argument_value", "calls[0].arguments.filters.tags[0]"), "o": (0, "wrong_argument_value", "calls[0].arguments.filters.tags[0]")})
case(g, "nested_missing_key", tc('[{"name": "search", "arguments": {"q": "x", "filters": {"min": 1, "tags": ["a", "b"]}}}]'), [F1],
     {"b": (0, "missing_argument", "calls[0].arguments.filters.max"), "o": (0, "missing_argument", "calls[0].arguments.filters.max")})
case(g, "nested_extra_key", tc('[{"name": "search", "arguments": {"q": "x", "filters": {"min": 1, "max": 9, "tags": ["a", "b"], "z": 0}}}]'), [F1],
     {"b": (0, "extra_argument", "calls[0].arguments.filters.z")})
case(g, "list_length_differs", tc('[{"name": "search", "arguments": {"q": "x", "filters": {"min": 1, "max": 9, "tags": ["a"]}}}]'), [F1],
     {"b": (0, "wrong_argument_value", "calls[0].arguments.filters.tags")})
case(g, "object_vs_list", tc(J([C("f", x=[1])])), [C("f", x={"a": 1})], {"b": (0, "wrong_argument_value", "calls[0].arguments.x")})
case(g, "null_vs_missing", tc(J([C("f")])), [C("f", a=None)], {"b": (0, "missing_argument", "calls[0].arguments.a")})
case(g, "deep_equal", tc(J([C("f", a={"b": {"c": {"d": {"e": [1, {"f": "g"}]}}}})])), [C("f", a={"b": {"c": {"d": {"e": [1, {"f": "g"}]}}}})], {"b": OK, "o": OK})
case(g, "deep_differs", tc(J([C("f", a={"b": {"c": {"d": {"e": [1, {"f": "h"}]}}}})])), [C("f", a={"b": {"c": {"d": {"e": [1, {"f": "g"}]}}}})],
     {"b": (0, "wrong_argument_value", "calls[0].arguments.a.b.c.d.e[1].f")})
case(g, "duplicate_keys_last_wins", tc('[{"name": "get_weather", "arguments": {"city": "Lyon", "city": "Paris"}}]'), [W], {"b": OK, "o": OK})
case(g, "first_difference_sorted", tc(J([C("f", b=2, a=2)])), [C("f", a=1, b=1)], {"b": (0, "wrong_argument_value", "calls[0].arguments.a")},
     "keys are visited in sorted order")
case(g, "missing_before_value", tc(J([C("f", b=2)])), [C("f", a=1, b=1)], {"b": (0, "missing_argument", "calls[0].arguments.a")})
case(g, "empty_args_both", tc(J([C("f")])), [C("f")], {"b": OK, "o": OK})

# ---- duplicates and order ----------------------------------------------------------------------
g = "duplicates"
A1, A2 = C("a", x=1), C("a", x=2)
B = C("b", y="z")
case(g, "model_duplicates_call", tc(J([W, W])), [W], {"b": (0, "wrong_call_count", "calls"), "f": (0.2, "wrong_call_count"), "o": (0, "wrong_call_count", "calls")})
case(g, "both_duplicate", tc(J([W, W])), [W, W], {"b": OK, "o": OK})
case(g, "gt_duplicate_model_once", tc(J([W])), [W, W], {"b": (0, "wrong_call_count", "calls")})
case(g, "same_name_swapped", tc(J([A2, A1])), [A1, A2], {"b": OK, "o": OK})
case(g, "same_name_duplicate_wrong", tc(J([A1, A1])), [A1, A2], {"b": (0, "wrong_argument_value", "calls[1].arguments.x"), "f": (0.4, "wrong_argument_value"), "o": (0, "wrong_argument_value", "calls[1].arguments.x")})
case(g, "second_call_wrong_name", tc(J([A1, C("c", y="z")])), [A1, B], {"b": (0, "wrong_name", "calls[1].name"), "f": (0.2, "wrong_name")})
case(g, "reordered_with_wrong_arg", tc(J([C("b", y="q"), A1])), [A1, B], {"b": (0, "wrong_argument_value", "calls[0].arguments.y")})
case(g, "three_calls_one_missing", tc(J([A1, B])), [A1, B, T], {"b": (0, "wrong_call_count", "calls")})
case(g, "hermes_duplicate_block", blocks(J(W), J(W)), [W], {"b": (0, "wrong_call_count", "calls"), "o": OK}, "official sees only the last block")

# ---- several blocks ----------------------------------------------------------------------------
g = "blocks"
case(g, "hermes_three_blocks", blocks(J(W), J(T), J(X)), [W, T, X], {"b": OK, "o": (0, "wrong_call_count", "calls")})
case(g, "hermes_only_last_matches", blocks(J(T), J(W)), [W], {"b": (0, "wrong_call_count", "calls"), "o": OK})
case(g, "list_then_object", blocks(J([W, T]), J(X)), [W, T, X], {"b": OK, "o": (0, "wrong_call_count")})
case(g, "empty_list_block_then_call", blocks("[]", J(W)), [W], {"b": OK, "o": OK})
case(g, "call_then_empty_block", blocks(J(W), ""), [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "only_empty_list", blocks("[]"), [], {"b": OK, "o": OK})
case(g, "blocks_with_text_between", "<think>t</think><tool_call>" + J(W) + "</tool_call>\nand also\n<tool_call>" + J(T) + "</tool_call>", [W, T], {"b": OK})
case(g, "second_block_bad_json", blocks(J(W), '{"name": "set_timer", "arguments": {'), [W, T], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "first_block_bad_json", blocks('{"name": ', J(W)), [W], {"b": (0, "bad_json"), "o": OK}, "official never looks at earlier blocks")

# ---- unclosed tags -----------------------------------------------------------------------------
g = "unclosed"
case(g, "unclosed_only_block", "<think>t</think><tool_call>" + J([W]), [W], {"b": (0, "unclosed_tool_call"), "f": (0.2, "unclosed_tool_call"), "n": (0, "unclosed_tool_call"), "o": (0, "no_tool_call")})
case(g, "closed_then_unclosed", "<think>t</think><tool_call>" + J(W) + "</tool_call><tool_call>" + J(T), [W], {"b": (0, "unclosed_tool_call"), "o": OK})
case(g, "unclosed_then_closed", "<think>t</think><tool_call>" + J(W) + "<tool_call>" + J(W) + "</tool_call>", [W], {"b": (0, "unclosed_tool_call"), "o": (0, "bad_json")},
     "the official regex matches from the first <tool_call> to the first </tool_call>")
case(g, "stray_close_before", "<think>t</think></tool_call><tool_call>" + J(W) + "</tool_call>", [W], {"b": (0, "unclosed_tool_call"), "o": OK})
case(g, "stray_close_after", "<think>t</think><tool_call>" + J(W) + "</tool_call></tool_call>", [W], {"b": (0, "unclosed_tool_call"), "o": OK})
case(g, "truncated_mid_json", "<think>t</think><tool_call>" + J([W])[:20], [W], {"b": (0, "unclosed_tool_call"), "o": (0, "no_tool_call")})
case(g, "bare_open_tag", "<think>t</think><tool_call>", [W], {"b": (0, "unclosed_tool_call"), "o": (0, "no_tool_call")})
case(g, "close_only", "<think>t</think>" + J(W) + "</tool_call>", [W], {"b": (0, "no_tool_call"), "o": (0, "no_tool_call")},
     "no block at all (no_tool_call comes before unclosed_tool_call)")
case(g, "unclosed_think", "<think>t<tool_call>" + J(W) + "</tool_call>", [W], {"b": (0, "no_think"), "n": OK, "o": (0, "no_think")})

# ---- tags out of order -------------------------------------------------------------------------
g = "order"
case(g, "think_after_call", "<tool_call>" + J(W) + "</tool_call><think>t</think>", [W], {"b": (0, "no_think"), "f": (0.8, "no_think"), "n": OK, "o": OK},
     "the official scorer only looks for the two substrings")
case(g, "think_tags_reversed", "</think>t<think><tool_call>" + J(W) + "</tool_call>", [W], {"b": (0, "no_think"), "n": OK, "o": OK})
case(g, "call_tags_reversed", "<think>t</think></tool_call>" + J(W) + "<tool_call>", [W], {"b": (0, "unclosed_tool_call"), "o": (0, "no_tool_call")})
case(g, "call_inside_think_ignored", "<think>I'll use <tool_call>" + J(T) + "</tool_call></think><tool_call>" + J(W) + "</tool_call>", [W], {"b": OK, "o": OK})
case(g, "tag_mention_in_think", "<think>use <tool_call> tags</think><tool_call>" + J(W) + "</tool_call>", [W], {"b": OK, "o": (0, "bad_json")},
     "the official regex pairs the <tool_call> mentioned in the reasoning with the real </tool_call>")
case(g, "nested_think", "<think>a<think>b</think>c</think><tool_call>" + J(W) + "</tool_call>", [W], {"b": OK, "o": OK})
case(g, "think_inside_arguments", "<tool_call>" + J(C("f", q="<think></think>")) + "</tool_call>", [C("f", q="<think></think>")],
     {"b": (0, "no_think"), "o": OK}, "the reasoning found inside the JSON string splits the block")
case(g, "second_think_after_calls", "<think>a</think><tool_call>" + J(W) + "</tool_call><think>b</think>", [W], {"b": OK, "o": OK})
case(g, "call_before_and_after_think", "<tool_call>" + J(T) + "</tool_call><think>t</think><tool_call>" + J(W) + "</tool_call>", [T, W],
     {"b": (0, "no_think"), "n": OK, "o": (0, "wrong_call_count")})

# ---- arguments as strings ----------------------------------------------------------------------
g = "string_arguments"
case(g, "arguments_json_string", tc(J([{"name": "get_weather", "arguments": J({"city": "Paris"})}])), [W], {"b": OK, "o": (0, "wrong_argument_value", "calls[0].arguments")})
case(g, "arguments_string_invalid", tc(J([{"name": "get_weather", "arguments": '{"city": '}])), [W], {"b": (0, "bad_json"), "o": (0, "wrong_argument_value", "calls[0].arguments")})
case(g, "arguments_string_list", tc(J([{"name": "get_weather", "arguments": "[1]"}])), [W], {"b": (0, "bad_call_shape"), "o": (0, "wrong_argument_value")})
case(g, "gt_arguments_string", tc(J([W])), [{"name": "get_weather", "arguments": J({"city": "Paris"})}], {"b": OK, "o": (0, "wrong_argument_value")})
case(g, "both_strings_identical", tc(J([{"name": "get_weather", "arguments": '{"city": "Paris"}'}])), [{"name": "get_weather", "arguments": '{"city": "Paris"}'}], {"b": OK, "o": OK})
case(g, "both_strings_spacing", tc(J([{"name": "get_weather", "arguments": '{"city":"Paris"}'}])), [{"name": "get_weather", "arguments": '{"city": "Paris"}'}], {"b": OK, "o": (0, "wrong_argument_value")})
case(g, "arguments_null", tc(J([{"name": "f", "arguments": None}])), [C("f")], {"b": (0, "bad_call_shape"), "o": (0, "wrong_argument_value", "calls[0].arguments")})
case(g, "arguments_missing", tc(J([{"name": "f"}])), [C("f")], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "name_missing", tc(J([{"arguments": {}}])), [C("f")], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "name_number", tc(J([{"name": 1, "arguments": {}}])), [{"name": "1", "arguments": {}}], {"b": (0, "bad_call_shape"), "o": (0, "wrong_name", "calls[0].name")})
case(g, "official_true_equals_1", tc(J([{"name": True, "arguments": {}}])), '[{"name": 1, "arguments": {}}]', {"b": (0, "bad_ground_truth"), "o": OK},
     "Python: True == 1, so the official Counter matches")
case(g, "name_list", tc(J([{"name": ["f"], "arguments": {}}])), [C("f")], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "arguments_nested_string", tc(J([{"name": "f", "arguments": J(J({"a": 1}))}])), [C("f", a=1)], {"b": (0, "bad_call_shape"), "o": (0, "wrong_argument_value")},
     "arguments are decoded once, not twice")

# ---- empty answers -----------------------------------------------------------------------------
g = "empty"
case(g, "no_call_expected_none_made", "<think>t</think>No tool is needed.", [], {"b": OK, "f": OK, "n": OK, "o": (0, "no_tool_call")})
case(g, "no_call_expected_empty_list", blocks("[]"), [], {"b": OK, "o": OK})
case(g, "no_call_expected_call_made", tc(J([W])), [], {"b": (0, "wrong_call_count", "calls"), "f": (0.2, "wrong_call_count"), "o": (0, "wrong_call_count", "calls")})
case(g, "empty_string_answer_no_think", "Hello.", "[]", {"b": (0, "no_think"), "f": (0.8, "no_think"), "n": OK, "o": (0, "no_think")})
case(g, "empty_object_gt", blocks("[]"), "{}", {"b": (0, "bad_ground_truth"), "o": OK}, "len({}) == 0 in validate_result")
case(g, "gt_empty_string", tc(J([W])), "", {"b": (0, "bad_ground_truth"), "o": (0, "bad_ground_truth")})
case(g, "gt_null", tc(J([W])), None, {"b": (0, "bad_ground_truth"), "o": (0, "bad_ground_truth")})
case(g, "gt_quoted_empty", tc(J([W])), '""', {"b": (0, "bad_ground_truth"), "o": (0, "bad_ground_truth")})
case(g, "gt_double_quoted_empty", blocks("[]"), J(J("")), {"b": (0, "bad_ground_truth"), "o": OK})
case(g, "payload_quoted_empty", blocks('""'), [], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "payload_double_quoted_empty", blocks(J(J(""))), [], {"b": (0, "bad_call_shape"), "o": OK},
     "official: json.loads twice gives '', validate_format('') passes and len('') == 0")
case(g, "empty_list_block_gt_call", blocks("[]"), [W], {"b": (0, "wrong_call_count", "calls"), "o": (0, "wrong_call_count", "calls")})

# ---- very large outputs ------------------------------------------------------------------------
g = "large"
case(g, "long_reasoning_200k", tc(J([W]), think="lorem ipsum " * 17000), [W], {"b": OK, "o": OK})
MANY = [C("f", i=i) for i in range(100)]
case(g, "hundred_calls", tc(J(MANY)), MANY, {"b": OK, "o": OK})
case(g, "hundred_calls_one_wrong", tc(J(MANY[:99] + [C("f", i=1000)])), MANY, {"b": (0, "wrong_argument_value", "calls[99].arguments.i")})
case(g, "fifty_kb_value", tc(J([C("f", s="x" * 50000)])), [C("f", s="x" * 50000)], {"b": OK, "o": OK})
HERMES300 = [C("f", i=i) for i in range(300)]
case(g, "hermes_300_blocks", blocks(*[J(c) for c in HERMES300]), HERMES300, {"b": OK, "o": (0, "wrong_call_count")})
deep_gt = '[{"name": "f", "arguments": {"x": %s}}]' % nest(509)
case(g, "depth_512_ok", tc(deep_gt), deep_gt, {"b": OK, "o": OK})
case(g, "depth_513_refused", tc('[{"name": "f", "arguments": {"x": %s}}]' % nest(510)), deep_gt, {"b": (0, "bad_json"), "o": (0, "wrong_argument_value")},
     "the official scorer reads 513 levels (up to its recursion limit): a value that differs")
deep_700 = '[{"name": "f", "arguments": {"x": %s}}]' % nest(697)
case(g, "depth_700_official", tc(deep_700), deep_700, {"b": (0, "bad_ground_truth"), "o": OK}, "past 512 levels: only official reads it")
deep_980 = '[{"name": "f", "arguments": {"x": %s}}]' % nest(977)
case(g, "depth_980_official", tc(deep_980), deep_980, {"b": (0, "bad_ground_truth"), "o": OK}, "near the deepest the official scorer reads (about 990 levels)")
case(g, "depth_1000_payload", tc('[{"name": "f", "arguments": {"x": %s}}]' % nest(997)), J([C("f", x=1)]), {"b": (0, "bad_json"), "o": (0, "bad_json")},
     "compute_score_v0 raises RecursionError (verl would abort): 0")
case(g, "depth_1000_gt", tc(J([C("f", x=1)])), '[{"name": "f", "arguments": {"x": %s}}]' % nest(997), {"b": (0, "bad_ground_truth"), "o": (0, "bad_ground_truth")})
case(g, "many_unclosed_opens", "<think>t</think>" + "<tool_call>" * 2000, [W], {"b": (0, "unclosed_tool_call"), "o": (0, "no_tool_call")})
case(g, "long_unclosed_think", "<think>" + "x" * 100000 + "<tool_call>" + J(W) + "</tool_call>", [W], {"b": (0, "no_think"), "n": OK, "o": (0, "no_think")})

# ---- whitespace --------------------------------------------------------------------------------
g = "whitespace"
case(g, "indented_json", tc("\n" + json.dumps([W], indent=2) + "\n"), [W], {"b": OK, "o": OK})
case(g, "crlf_in_payload", tc(json.dumps([W], indent=1).replace("\n", "\r\n")), [W], {"b": OK, "o": OK})
case(g, "tabs_in_payload", tc(json.dumps([W], indent="\t")), [W], {"b": OK, "o": OK})
case(g, "vertical_tab_around_payload", tc("\x0b" + J([W]) + "\x0c"), [W], {"b": OK, "o": OK})
case(g, "vertical_tab_inside_json", tc('[{"name":\x0b"get_weather", "arguments": {"city": "Paris"}}]'), [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "whitespace_only_block", blocks("  \n "), [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "value_whitespace_matters", tc(J([C("get_weather", city="Paris ")])), [W], {"b": (0, "wrong_argument_value", "calls[0].arguments.city")})

# ---- non-dict calls ----------------------------------------------------------------------------
g = "shapes"
case(g, "list_of_strings", tc(J(["get_weather"])), [W], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "payload_number", tc("5"), [W], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")}, "compute_score_v0 raises TypeError here")
case(g, "payload_number_no_think", "<tool_call>5</tool_call>", [W], {"b": (0, "no_think"), "o": (0, "no_think")})
case(g, "payload_null", tc("null"), [W], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "nested_list", tc(J([[W]])), [W], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "payload_true", tc("true"), [W], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "payload_plain_string", tc('"hello"'), [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "mixed_list", tc(J([W, 1])), [W, T], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "payload_python_dict", tc("{'name': 'get_weather', 'arguments': {'city': 'Paris'}}"), [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "trailing_comma", tc('[{"name": "get_weather", "arguments": {"city": "Paris",}}]'), [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "two_json_values", tc(J(W) + " " + J(T)), [W, T], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "markdown_fence", tc("```json\n" + J([W]) + "\n```"), [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})

# ---- ground truth ------------------------------------------------------------------------------
g = "ground_truth"
case(g, "gt_invalid_json", tc(J([W])), '[{"name": "get_weather"', {"b": (0, "bad_ground_truth"), "f": (0, "bad_ground_truth"), "n": (0, "bad_ground_truth"), "o": (0, "bad_ground_truth")})
case(g, "gt_single_dict", tc(J([W])), W, {"b": OK, "o": (0, "bad_ground_truth")}, "compute_score_v0 cannot match a bare dict")
case(g, "gt_single_dict_string", tc(J([W])), J(W), {"b": OK, "o": (0, "bad_ground_truth")})
case(g, "gt_list_with_string", tc(J([W])), [W, "x"], {"b": (0, "bad_ground_truth"), "o": (0, "bad_ground_truth")})
case(g, "gt_missing_arguments", tc(J([W])), [{"name": "get_weather"}], {"b": (0, "bad_ground_truth"), "o": (0, "bad_ground_truth")})
case(g, "gt_double_encoded", tc(J([W])), J(J([W])), {"b": OK, "o": OK})
case(g, "gt_arguments_null", tc(J([C("f")])), [{"name": "f", "arguments": None}], {"b": (0, "bad_ground_truth"), "o": (0, "wrong_argument_value", "calls[0].arguments")})
case(g, "gt_extra_keys", tc(J([W])), [{"name": "get_weather", "arguments": {"city": "Paris"}, "id": 7}], {"b": OK, "o": OK})
case(g, "gt_number", tc(J([W])), 5, {"b": (0, "bad_ground_truth"), "o": (0, "bad_ground_truth")})
case(g, "gt_float_kept", tc('[{"name": "f", "arguments": {"a": 2.0}}]'), [C("f", a=2.0)], {"b": OK, "o": OK}, "the answer list keeps 2.0 a float")

# ---- assistant markers -------------------------------------------------------------------------
g = "markers"
PROMPT = "<|im_start|>system\nAnswer like <think>...</think><tool_call>[...]</tool_call><|im_end|>\n<|im_start|>user\nWeather in Paris?<|im_end|>\n"
case(g, "prompt_before_marker", PROMPT + "<|im_start|>assistant\n" + tc(J([W])), [W], {"b": OK, "o": OK})
case(g, "prompt_examples_only", PROMPT + "<|im_start|>assistant\nIt is sunny.", [W], {"b": (0, "no_think"), "o": (0, "no_think")}, "the tags in the prompt do not count")
case(g, "two_turns_last_empty", "<|im_start|>assistant\n" + tc(J([W])) + "<|im_end|>\n<|im_start|>assistant\nok", [W], {"b": (0, "no_think"), "n": (0, "no_tool_call"), "o": (0, "no_think")})
case(g, "marker_after_call", tc(J([W])) + "<|im_start|>assistant\nbye", [W], {"b": (0, "no_think"), "o": (0, "no_think")})
case(g, "llama_marker_not_special", "<|start_header_id|>assistant<|end_header_id|>" + tc(J([W])), [W], {"b": OK, "o": OK})
case(g, "im_end_after_call", tc(J([W])) + "<|im_end|>", [W], {"b": OK, "o": OK})

# ---- payload as a JSON string ------------------------------------------------------------------
g = "encoded"
case(g, "list_as_json_string", tc(J(J([W]))), [W], {"b": OK, "o": OK})
case(g, "object_as_json_string", tc(J(J(W))), [W], {"b": OK, "o": OK})
case(g, "triple_encoded", tc(J(J(J([W])))), [W], {"b": (0, "bad_call_shape"), "o": (0, "bad_call_shape")})
case(g, "string_with_bad_json", tc(J('[{"name": ')), [W], {"b": (0, "bad_json"), "o": (0, "bad_json")})
case(g, "string_with_nan", tc(J('[{"name": "f", "arguments": {"a": NaN}}]')), '[{"name": "f", "arguments": {"a": 1}}]', {"b": (0, "bad_json"), "o": (0, "wrong_argument_value")})


def check_and_freeze() -> int:
    failures = 0
    total = 0
    letters = {"b": "binary", "f": "fine-grained", "n": "no-format", "o": "official"}
    for group, cases in CASES.items():
        out_cases = []
        for c in cases:
            total += 1
            expected = {}
            for v in letters.values():
                expected[v] = score(c["completion"], c["answer"], v)
            for letter, w in c["want"].items():
                got = expected[letters[letter]]
                ok = got["reward"] == w[0] and got["reason"] == w[1] and (len(w) < 3 or got.get("mismatch") == w[2])
                if not ok:
                    failures += 1
                    print(f"MISMATCH {group}/{c['id']} [{letters[letter]}]: want {w}, got {got}", file=sys.stderr)
            rec = {"id": c["id"], "completion": c["completion"], "answer": c["answer"], "expected": expected,
                   "checked_by_hand": sorted(letters[x] for x in c["want"])}
            if c["note"]:
                rec["note"] = c["note"]
            if len(c["completion"]) < 4000 and group != "large":
                rec["parse"] = parse_tool_calls_utf16(c["completion"])
            out_cases.append(rec)
        if not failures:
            doc = {"group": group, "cases": out_cases}
            try:
                text = json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: keep the file valid UTF-8
                text = json.dumps(doc, indent=1).encode("utf-8")
            (HERE / f"{group}.json").write_bytes(text + b"\n")
    print(f"{total} cases, {failures} hand expectations disagree", file=sys.stderr)
    return 1 if failures else 0


def pyjson_vectors() -> None:
    """test/vectors/reward/pyjson/cases.json: documents with CPython's verdict and json.dumps output.

    `dumps` is the real json.dumps(json.loads(text), sort_keys=True); `error` is [reason, UTF-16
    position] from the shared grammar (Python's scan_json port), null when the document is valid.
    """
    import random

    from tooln1.toolcall import PyJsonError, parse_json

    r = random.Random(5)
    docs = [
        ("1", False), ("1.0", False), ("-0", False), ("-0.0", False), ("1e2", False), ("1E+2", False), ("1e-7", False),
        ("0.0001", False), ("0.00001", False), ("1e16", False), ("1e15", False), ("123456789012345678", False),
        ("1.7976931348623157e308", False), ("5e-324", False), ("1e400", False), ("-1e400", False), ("NaN", True), ("NaN", False),
        ("Infinity", True), ("-Infinity", True), ("-Infinity", False), ("[1, 2.50, -3e1]", False), ('{"b": 1, "a": {"d": [], "c": {}}}', False),
        (r'"\u00e9\ud83d\ude00\ud800 \/ \b\f\n\r\t \"x\" \\"', False), ('"é😀\x7f"', False), (r'"\u007f\u0001"', False),
        ('{"\uffff": 1, "😀": 2, "a": 3, "B": 4}', False),
        ("", False), ("   ", False), ("[", False), ("[1,", False), ("[1,]", False), ("[1 2]", False), ('{"a" 1}', False), ('{"a": 1,}', False),
        ("{a: 1}", False), ("{'a': 1}", False), ('"abc', False), (r'"a\qb"', False), (r'"\u12x4"', False), ('"a\\', False), (r'"tab\there"', False),
        ('"raw\tcontrol"', False), ("01", False), ("1.", False), (".5", False), ("+1", False), ("-", False), ("1e", False), ("1e+", False),
        ("tru", False), ("nul", False), ("True", False), ("[1] x", False), ("\ufeff[]", False), ("[" * 513 + "]" * 513, False), ("[" * 512 + "]" * 512, False),
        ("7" * 4301, False), ("7" * 4300, False), ("-" + "7" * 4301, False), ("7" * 4301 + ".0", False), ('{"a": 1, "a": 2}', False),
        ("[\u00a0]", False), ("[\x0b1]", False), ("\r\n[1]\t ", False), ('["😀", 1, x]', False), ('["😀", "\n"]', False),
    ]
    for _ in range(300):
        e = r.choice([0, 1, 5, 15, 16, 17, 20, 21, 22, 100, 300, -1, -4, -5, -7, -300])
        x = r.uniform(-10, 10) * 10.0 ** e
        docs.append((repr(x), False))
        docs.append((repr(float(round(x))) if abs(x) < 1e300 else repr(x), False))
    out = []
    for text, constants in docs:
        try:
            v = parse_json(text, constants)
            err = None
            dumps = json.dumps(v, sort_keys=True)
        except PyJsonError as e:
            err = [e.reason, utf16_offset(text, e.pos)]
            dumps = None
        out.append({"text": text, "constants": constants, "error": err, "dumps": dumps})
    (HERE / "pyjson").mkdir(exist_ok=True)
    (HERE / "pyjson" / "cases.json").write_text(json.dumps({"cases": out}, indent=1) + "\n", encoding="utf-8")
    print(f"pyjson: {len(out)} documents", file=sys.stderr)


if __name__ == "__main__":
    rc = check_and_freeze()
    if rc == 0:
        pyjson_vectors()
    sys.exit(rc)
