"""tooln1.reward and tooln1.toolcall: the API the trainer uses, the JSON layer against CPython's own
json, and the no-torch rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tooln1.reward import format_reward, path_key, score, serialize_result
from tooln1.toolcall import PyJsonError, parse_json, parse_tool_calls, utf16_offset

VECTORS = Path(__file__).resolve().parents[2] / "test" / "vectors" / "reward"
W = '[{"name": "get_weather", "arguments": {"city": "Paris"}}]'


def test_reward_module_does_not_import_torch() -> None:
    code = "import sys, tooln1.reward, tooln1.score; assert 'torch' not in sys.modules; print('ok')"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "ok", r.stderr


def test_pyjson_cases_agree_with_cpython_json() -> None:
    cases = json.loads((VECTORS / "pyjson" / "cases.json").read_text(encoding="utf-8"))["cases"]
    assert len(cases) > 600
    for c in cases:
        text = c["text"]
        try:
            v = parse_json(text, c["constants"])
            err = None
        except PyJsonError as e:
            err = [e.reason, utf16_offset(text, e.pos)]
        assert err == c["error"], text[:60]
        if err is None:
            # The real thing: CPython's json agrees on the value and its dumps.
            assert json.dumps(v, sort_keys=True) == c["dumps"] == json.dumps(json.loads(text), sort_keys=True)


def test_score_result_shape_and_types() -> None:
    ok = f"<think>t</think><tool_call>{W}</tool_call>"
    r = score(ok, json.loads(W))
    assert r == {"reward": 1.0, "format_ok": True, "calls_ok": True, "reason": "ok"}
    assert isinstance(r["reward"], float)
    r = score(ok.replace("Paris", "Lyon"), W)
    assert r == {"reward": 0.0, "format_ok": True, "calls_ok": False, "reason": "wrong_argument_value", "mismatch": "calls[0].arguments.city"}
    assert score(ok.replace("Paris", "Lyon"), W, "fine-grained")["reward"] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="unknown reward variant"):
        score(ok, W, "bogus")
    with pytest.raises(TypeError):
        score(None, W)  # type: ignore[arg-type]


def test_one_vs_one_point_zero() -> None:
    c = '<think>t</think><tool_call>[{"name": "f", "arguments": {"a": 1}}]</tool_call>'
    gt = [{"name": "f", "arguments": {"a": 1.0}}]
    assert score(c, gt)["reward"] == 1.0
    assert score(c, gt, "official") == {"reward": 0.0, "format_ok": True, "calls_ok": False, "reason": "wrong_argument_value", "mismatch": "calls[0].arguments.a"}


def test_serialisation_matches_typescript_format() -> None:
    assert [format_reward(x) for x in (1.0, 0.0, 0.2 + 0.2, 0.2 + 0.8, 0.8, 1)] == ["1", "0", "0.4", "1", "0.8", "1"]
    r = {"reward": 0.0, "format_ok": True, "calls_ok": False, "reason": "missing_argument", "mismatch": 'calls[0].arguments["città"]'}
    assert serialize_result(r) == '{"reward":0,"format_ok":true,"calls_ok":false,"reason":"missing_argument","mismatch":"calls[0].arguments[\\"citt\\u00e0\\"]"}'
    assert path_key("city") == ".city" and path_key("k e y") == '["k e y"]' and path_key("") == '[""]'


def test_parse_tool_calls_code_point_offsets() -> None:
    text = '<think>😀 plan</think><tool_call>[{"name": "a", "arguments": {"x": 1}}]</tool_call>'
    p = parse_tool_calls(text)
    assert p["reasoning"] == {"text": "😀 plan", "start": 7, "end": 13}  # code points (UTF-16: 14)
    assert utf16_offset(text, 13) == 14
    call = p["calls"][0]
    assert text[call["start"] : call["end"]] == '{"name": "a", "arguments": {"x": 1}}'
    assert p["thinkOk"] is True and p["errors"] == []


def test_deep_payload_within_limit_scores() -> None:
    deep = '[{"name": "f", "arguments": {"x": %s}}]' % ("[" * 509 + "]" * 509)
    assert score(f"<think>t</think><tool_call>{deep}</tool_call>", deep)["reward"] == 1.0


def test_unmatched_tags_scan_linearly() -> None:
    # Quadratic scanning would take minutes here (each <tool_call> searching the rest for a close).
    p = parse_tool_calls("<think>t</think>" + "<tool_call>" * 50000 + "x" + "</tool_call>" * 50000)
    assert len(p["blocks"]) == 50000 and sum(b["closed"] for b in p["blocks"]) == 1
    assert sum(e["code"] == "unclosed_tool_call" for e in p["errors"]) == 49999 * 2
    assert [e["code"] for e in p["errors"] if e["code"] != "unclosed_tool_call"] == ["bad_json"]  # the "x"
    assert score("<tool_call>" * 50000, "[]")["reason"] == "no_think"
