"""`tooln1 eval bfcl`: BFCL's own checker, run in its own environment, on our parser's reading.

Needs the BFCL environment (`make venv-bfcl`). Without it these tests skip, unless
TOOLN1_REQUIRE_BFCL=1 (as `make test` sets), where a missing environment fails them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tooln1 import bfcl

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _bfcl_python() -> str | None:
    try:
        return bfcl.find_python()
    except bfcl.BfclError:
        if os.environ.get("TOOLN1_REQUIRE_BFCL") == "1":
            raise
        return None


PY = _bfcl_python()
pytestmark = pytest.mark.skipif(PY is None, reason="no BFCL environment (make venv-bfcl)")


@pytest.fixture(scope="module")
def runner():
    """One BFCL process for the in-process checks (its imports take a while)."""
    with bfcl.BfclRunner() as r:
        yield r


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    """Every question of the supported categories, with its possible answer (one runner call)."""
    return bfcl.run_bfcl("questions", {"categories": list(bfcl.CATEGORIES), "limit": None})["questions"]


# -- building correct outputs from BFCL's possible answers -----------------------------------------


def _java(value, ptype: str, items_type: str | None) -> str:
    """A possible-answer value in the Java string form BFCL's Java type converter reads."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if ptype == "long":
        return f"{value}L"
    if ptype == "float":
        return f"{value}f"
    if ptype == "ArrayList":  # its parser strips the quotes of String elements
        return f"new ArrayList<>(Arrays.asList({', '.join(_java_elem(v, items_type) for v in value)}))"
    if ptype == "Array":  # its parser keeps quotes: String elements go unquoted
        inner = ", ".join(v if isinstance(v, str) else _java_elem(v) for v in value)
        return f"new {items_type or 'Object'}[]{{{inner}}}"
    if ptype == "HashMap":
        puts = " ".join(f'put("{k}", {_java_elem(v)});' for k, v in value.items())
        return f"new HashMap<String, Object>() {{{{ {puts} }}}}"
    return json.dumps(value)


def _java_elem(v, items_type: str | None = None) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if items_type == "long":
        return f"{v}L"
    if items_type == "float":
        return f"{v}f"
    return json.dumps(v)


def _js(value, ptype: str) -> str:
    """A possible-answer value in the JavaScript string form BFCL's JavaScript type converter reads."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if ptype == "array":
        return "[" + ", ".join(_js_elem(v) for v in value) + "]"
    if ptype == "dict":
        return "{" + ", ".join(f"{k}: {_js_elem(v, quote=False)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def _js_elem(v, quote: bool = True) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_js_elem(x) for x in v) + "]"
    if isinstance(v, str):
        return f"'{v}'" if quote else v
    return json.dumps(v)


def _schema(q: dict, name: str) -> dict:
    fns = _original_functions().get(q["id"]) or q["function"]
    return next(f for f in fns if f["name"] == name)["parameters"]


def answer_calls(q: dict) -> list[dict]:
    """One correct call list from BFCL's possible answers (against the original function schemas)."""
    from tooln1.importers import passing_calls

    return passing_calls(q["ground_truth"], lambda name: _schema(q, name).get("required"))


def answerable(q: dict) -> bool:
    """False for BFCL data errors: no call can pass (a required argument whose only allowed value is
    "" or that the possible answer lacks, or an answer argument the function does not have)."""
    for call in q["ground_truth"]:
        (name, allowed), = call.items()
        params = _schema(q, name)
        for k in params.get("required", []):
            if not [v for v in allowed.get(k, []) if v != ""]:
                return False
        if any(k not in params.get("properties", {}) for k in allowed):
            return False
        if q["category"] == "simple_java":
            for k, values in allowed.items():
                p = params["properties"][k]
                first = values[0] if values else None
                # Elements of type "any" stay strings after conversion: typed elements never match.
                if p["type"] in ("ArrayList", "Array") and (p.get("items") or {}).get("type") == "any" \
                        and isinstance(first, list) and any(not isinstance(x, str) for x in first):
                    return False
                # A map answer must list allowed values per key; a plain dict is compared as a string.
                if p["type"] == "HashMap" and isinstance(first, dict) and not all(isinstance(x, list) for x in first.values()):
                    return False
    return True


def correct_completion(q: dict) -> str:
    """A Tool-N1 completion made from the possible answers."""
    calls = []
    cat = q["category"]
    for call in answer_calls(q):
        if cat in ("simple_java", "simple_javascript"):
            props = _schema(q, call["name"])["properties"]
            args = {}
            for k, v in call["arguments"].items():
                t = props[k]["type"]
                items = (props[k].get("items") or {}).get("type")
                args[k] = _java(v, t, items) if cat == "simple_java" else _js(v, t)
            call = {"name": call["name"], "arguments": args}
        calls.append(call)
    return "<think>From the possible answers.</think>\n<tool_call>" + json.dumps(calls) + "</tool_call>"


_ORIG: dict[str, list] = {}


def _original_functions() -> dict[str, list]:
    """Java/JavaScript functions with their original types (the questions carry the string-typed ones)."""
    if not _ORIG:
        code = (
            "import json, sys\n"
            "from bfcl_eval.utils import load_dataset_entry\n"
            "out = {}\n"
            "for c in ('simple_java', 'simple_javascript'):\n"
            "    for e in load_dataset_entry(c, include_prereq=False, include_language_specific_hint=False):\n"
            "        out[e['id']] = e['function']\n"
            "json.dump(out, sys.stdout)\n"
        )
        proc = subprocess.run([PY, "-I", "-c", code], capture_output=True, text=True, check=True)
        _ORIG.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return _ORIG


def _write(path, records) -> str:
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    return str(path)


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.path.join(REPO, "trainer", "src")}
    return subprocess.run([sys.executable, "-m", "tooln1", "eval", "bfcl", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=900)


# -- tests -----------------------------------------------------------------------------------------


def test_possible_answers_score_100_percent_on_every_ast_category(questions, tmp_path):
    ast = [q for q in questions if q["category"] in bfcl.AST_CATEGORIES]
    assert {q["category"] for q in ast} == set(bfcl.AST_CATEGORIES)
    data_errors = {q["id"] for q in ast if not answerable(q)}
    assert len(data_errors) <= 12, sorted(data_errors)  # BFCL's own data errors: a handful (10 in 2026.3.23)
    out = _write(tmp_path / "outputs.jsonl", [{"id": q["id"], "completion": correct_completion(q)} for q in ast])
    p = _cli("--outputs", out, "--categories", ",".join(bfcl.AST_CATEGORIES), "--json", "--results",
             str(tmp_path / "r.rollouts.jsonl"))
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    failed = {json.loads(x)["prompt_id"] for x in (tmp_path / "r.rollouts.jsonl").read_text().splitlines()
              if json.loads(x)["reward"] == 0}
    assert failed <= data_errors  # every answerable question scores
    for cat in bfcl.AST_CATEGORIES:
        ids = [q["id"] for q in ast if q["category"] == cat]
        ok = sum(1 for i in ids if i not in failed)
        c = res["categories"][cat]
        assert (c["correct"], c["total"]) == (ok, len(ids)), (cat, c)
    for cat in ("simple_python", "simple_javascript", "multiple", "parallel", "live_parallel", "live_parallel_multiple"):
        assert res["categories"][cat]["accuracy"] == 1.0, cat
    # Irrelevance was not run: BFCL counts it as 0 in its overall, and shows its group as N/A.
    assert res["summary"]["irrelevance"] is None
    assert res["summary"]["non_live"] > 0.99 and res["summary"]["live"] > 0.99
    assert res["overall"] == pytest.approx((res["summary"]["non_live"] + res["summary"]["live"]) / 3)


def test_one_mutated_value_fails_exactly_that_id(questions, runner):
    simple = [q for q in questions if q["category"] == "simple_python"][:30]
    records = [{"id": q["id"], "completion": correct_completion(q)} for q in simple]
    target = simple[7]
    call = answer_calls(target)[0]
    key = next(k for k, v in call["arguments"].items() if isinstance(v, (int, float, str)) and not isinstance(v, bool))
    v = call["arguments"][key]
    call["arguments"][key] = v + 1000 if isinstance(v, (int, float)) else v + " mutated"
    records[7] = {"id": target["id"], "completion": "<think>x</think><tool_call>" + json.dumps([call]) + "</tool_call>"}
    res = bfcl.check(records, ["simple_python"], runner=runner)
    failed = [r for r in res["results"] if not r["valid"]]
    assert [r["id"] for r in failed] == [target["id"]]
    assert failed[0]["error_type"].startswith(("value_error", "type_error"))
    assert failed[0]["reason"] == "wrong_argument_value"
    assert res["categories"]["simple_python"] == {"accuracy": 29 / 30, "correct": 29, "total": 30}


def test_irrelevance_rule_and_unparsable_outputs(questions, runner):
    irr = [q["id"] for q in questions if q["category"] == "irrelevance"][:4]
    rel = [q["id"] for q in questions if q["category"] == "live_relevance"][:2]
    simple = [q for q in questions if q["category"] == "simple_python"][:2]
    a_call = '<think>t</think><tool_call>[{"name": "anything", "arguments": {"x": 1}}]</tool_call>'
    records = [
        {"id": irr[0], "completion": "<think>No function fits.</think>The functions cannot answer this."},  # no call
        {"id": irr[1], "completion": "<think>t</think><tool_call>[]</tool_call>"},  # empty call list: no call
        {"id": irr[2], "completion": a_call},  # a call: wrong
        {"id": irr[3], "completion": '<tool_call>[{"name": "f", "arguments": {</tool_call>'},  # BFCL: not decodable = no call
        {"id": rel[0], "completion": a_call},
        {"id": rel[1], "completion": "I would rather not call anything."},
        {"id": simple[0]["id"], "completion": '<think>t</think><tool_call>[{"name": "f", "arguments": {"a": }]</tool_call>'},
        {"id": simple[1]["id"], "completion": "no tool call at all"},
    ]
    res = bfcl.check(records, None, runner=runner)
    by = {r["id"]: r for r in res["results"]}
    assert [by[i]["valid"] for i in irr] == [True, True, False, True]
    assert by[irr[2]]["error_type"] == "irrelevance_error:decoder_success" and by[irr[2]]["reason"] == "wrong_call_count"
    assert by[rel[0]]["valid"] and not by[rel[1]]["valid"]
    bad = by[simple[0]["id"]]
    assert not bad["valid"] and bad["error_type"] == "ast_decoder:decoder_failed"
    assert bad["reason"] == "bad_json" and "invalid JSON in <tool_call>" in " ".join(bad["error"])
    none = by[simple[1]["id"]]
    assert not none["valid"] and none["reason"] == "no_tool_call"
    assert res["categories"]["irrelevance"] == {"accuracy": 0.75, "correct": 3, "total": 4}


def test_cli_table_bad_lines_and_unknown_category(questions, tmp_path):
    q = next(q for q in questions if q["category"] == "multiple")
    out = tmp_path / "o.jsonl"
    out.write_text(json.dumps({"id": q["id"], "completion": correct_completion(q)}) + "\nnot json\n{\"id\": 3}\n")
    p = _cli("--outputs", str(out), "--results", str(tmp_path / "r.rollouts.jsonl"))
    assert p.returncode == 2  # scored, but lines were unreadable
    assert "line 2: not JSON" in p.stderr and "line 3: expected" in p.stderr
    assert "multiple" in p.stdout and "100.00%" in p.stdout and "overall" in p.stdout
    rec = json.loads((tmp_path / "r.rollouts.jsonl").read_text().splitlines()[0])
    assert rec["reward"] == 1.0 and rec["details"]["reason"] == "ok" and rec["prompt"].startswith("<|im_start|>system")
    p = _cli("--outputs", str(out), "--categories", "simple,multiple")
    assert p.returncode == 1 and "unknown BFCL category simple" in p.stderr
    p = _cli("--outputs", str(tmp_path / "missing.jsonl"))
    assert p.returncode == 1 and "cannot read" in p.stderr


def test_missing_environment_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(bfcl.ENV_PYTHON, str(tmp_path / "nope" / "python"))
    with pytest.raises(bfcl.BfclError, match="BFCL python not found"):
        bfcl.run_bfcl("questions", {"categories": ["simple_python"], "limit": 1})


def test_tiny_model_end_to_end(tiny_model, tmp_path):
    out_dir = tmp_path / "eval"
    p = _cli("--checkpoint", tiny_model, "--categories", "simple_python,irrelevance,live_simple", "--limit", "3",
             "--batch-size", "3", "--max-new-tokens", "12", "--out", str(out_dir), "--json")
    assert p.returncode == 0, p.stderr
    assert "progress generate 9/9" in p.stderr
    res = json.loads(p.stdout)
    assert {c: v["total"] for c, v in res["categories"].items()} == {"simple_python": 3, "irrelevance": 3, "live_simple": 3}
    outputs = [json.loads(x) for x in (out_dir / "outputs.jsonl").read_text().splitlines()]
    assert len(outputs) == 9 and all(isinstance(o["completion"], str) for o in outputs)
    import jsonschema
    from tooln1.config import load_schema  # noqa: F401  (schemas ship with the package)
    from importlib import resources

    schema = json.loads(resources.files("tooln1").joinpath("schemas", "rollout.schema.json").read_text())
    results = [json.loads(x) for x in (out_dir / "results.rollouts.jsonl").read_text().splitlines()]
    assert len(results) == 9
    for r in results:
        jsonschema.validate(r, schema)
        assert r["reward"] in (0.0, 1.0)
    scores = json.loads((out_dir / "scores.json").read_text())
    assert scores["categories"] == res["categories"] and scores["bfcl_version"] == bfcl.BFCL_VERSION


def test_training_writes_bfcl_eval_events(tiny_model, synth_files, tmp_path):
    from conftest import read_events, small_config

    from tooln1.config import from_dict
    from tooln1.train import Run

    cfg = from_dict(small_config(tiny_model, synth_files, method="sft",
                                 eval={"every_steps": 0, "max_new_tokens": 8,
                                       "bfcl": {"categories": ["simple_python", "irrelevance"], "limit": 2, "every_steps": 2}}))
    assert cfg["eval"]["bfcl"]["categories"] == ["simple_python", "irrelevance"]
    run_dir = str(tmp_path / "run")
    assert Run(cfg, run_dir, echo=False).execute() == 0
    events = read_events(run_dir)
    bfcl_evals = [e for e in events if e["type"] == "eval" and "eval/bfcl/overall" in e["metrics"]]
    assert [e["step"] for e in bfcl_evals] == [0, 2, 3]  # start, every 2 steps, end
    for e in bfcl_evals:
        m = e["metrics"]
        assert set(m) >= {"eval/bfcl/simple_python", "eval/bfcl/irrelevance", "eval/bfcl/overall"}
        assert m["eval/bfcl/samples"] == 4 and 0 <= m["eval/bfcl/overall"] <= 1
        assert e["path"] == f"eval/bfcl-step-{e['step']:05d}.rollouts.jsonl"
        lines = open(os.path.join(run_dir, e["path"]), encoding="utf-8").read().splitlines()
        assert len(lines) == 4 and all(json.loads(x)["v"] == 1 for x in lines)


def test_training_config_rejects_unknown_bfcl_category(tiny_model, synth_files):
    from conftest import small_config

    from tooln1.config import ConfigError, from_dict

    with pytest.raises(ConfigError, match="eval.bfcl.categories"):
        from_dict(small_config(tiny_model, synth_files, eval={"bfcl": {"categories": ["simple"]}}))


def test_onnx_export_gives_the_checkpoints_greedy_outputs(tiny_model, tmp_path):
    """An exported model (tooln1 export-onnx) is evaluated with onnxruntime: same completions as PyTorch."""
    from tooln1.__main__ import main

    onnx_dir = str(tmp_path / "onnx")
    assert main(["export-onnx", "--checkpoint", tiny_model, "--out", onnx_dir]) == 0
    args = ["--categories", "simple_python,live_irrelevance", "--limit", "2", "--batch-size", "1", "--max-new-tokens", "10"]
    a = _cli("--checkpoint", tiny_model, "--out", str(tmp_path / "pt"), *args)
    b = _cli("--checkpoint", onnx_dir, "--out", str(tmp_path / "ort"), *args)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    pt = (tmp_path / "pt" / "outputs.jsonl").read_text()
    assert pt == (tmp_path / "ort" / "outputs.jsonl").read_text() and len(pt.splitlines()) == 4


def test_generate_where_bfcl_is_absent_then_check_here(tiny_model, tmp_path):
    """--dump-questions here, --questions --generate-only on a machine without the BFCL environment
    (a GPU box), --outputs back here: the same outputs and scores as the one-step run."""
    q = tmp_path / "q.jsonl"
    p = _cli("--dump-questions", str(q), "--categories", "simple_python,irrelevance", "--limit", "2")
    assert p.returncode == 0, p.stderr
    assert len(q.read_text().splitlines()) == 4
    env_without_bfcl = {bfcl.ENV_PYTHON: str(tmp_path / "no-bfcl" / "python")}  # any BFCL call would fail
    args = ["--checkpoint", tiny_model, "--categories", "simple_python,irrelevance", "--limit", "1", "--max-new-tokens", "8"]
    g = subprocess.run([sys.executable, "-m", "tooln1", "eval", "bfcl", *args, "--questions", str(q), "--generate-only",
                        "--out", str(tmp_path / "gen")], capture_output=True, text=True, cwd=str(tmp_path), timeout=900,
                       env={**os.environ, "PYTHONPATH": os.path.join(REPO, "trainer", "src"), **env_without_bfcl})
    assert g.returncode == 0, g.stderr
    outputs = tmp_path / "gen" / "outputs.jsonl"
    assert [json.loads(x)["id"] for x in outputs.read_text().splitlines()] == ["simple_python_0", "irrelevance_0"]
    assert not (tmp_path / "gen" / "scores.json").exists()
    c = _cli("--outputs", str(outputs), "--json")
    assert c.returncode == 0, c.stderr
    assert {k: v["total"] for k, v in json.loads(c.stdout)["categories"].items()} == {"simple_python": 1, "irrelevance": 1}
