"""Runs inside the BFCL environment (`.venv-bfcl`, `bfcl-eval` installed), never in the trainer's.

Standard library plus `bfcl_eval` only: it must not import `tooln1`. `tooln1.bfcl` starts it as
``PY -I -c "...runpy.run_path(THIS_FILE, run_name='__main__')" serve`` and exchanges JSON lines with
it (``OP REQUEST.json`` instead of ``serve`` answers one request). Operations:

- ``questions``: ``{"categories": [...], "limit": N | null}`` -> ``{"questions": [...], "version": ...}``,
  each ``{"id", "category", "question", "function", "ground_truth"}``: the question and functions as
  BFCL hands them to a model (its language-specific hints and Java/JavaScript string types included),
  the possible answer (null for relevance categories).
- ``check``: ``{"items": [{"id", "calls": [{name: {arg: value}}] | null, "decode_error": str | null}]}``
  -> per-id verdicts and per-category accuracies, aggregated by BFCL's own helpers.

Verdicts come from BFCL's own per-entry functions in ``eval_checker.eval_runner`` (which call its AST
checker, unmodified); a small handler object stands in for a model handler whose ``decode_ast``
returns the calls our tool-call parser read, or raises with the parser's reason.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys


def _load_categories() -> dict:
    # next to this file, not through the tooln1 package: this runs in the BFCL environment
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "bfcl-categories.json"), encoding="utf-8") as f:
        return json.load(f)["categories"]


#: BFCL's categories this evaluator runs (single-turn; multi-turn and agentic need tool execution),
#: from schemas/bfcl-categories.json (the editor reads the same file).
_KINDS = _load_categories()
AST_CATEGORIES = tuple(c for c, kind in _KINDS.items() if kind == "ast")
RELEVANCE_CATEGORIES = tuple(c for c, kind in _KINDS.items() if kind == "relevance")
CATEGORIES = AST_CATEGORIES + RELEVANCE_CATEGORIES

#: A model entry of BFCL's config that keeps "." in function names (its checker then compares names as given).
MODEL_NAME = "Qwen/Qwen3-8B-FC"


def _category_of(test_id: str) -> str:
    from bfcl_eval.utils import extract_test_category_from_id

    return extract_test_category_from_id(test_id)


def op_questions(req: dict) -> dict:
    from bfcl_eval.utils import is_relevance_or_irrelevance, load_dataset_entry, load_ground_truth_entry

    limit = req.get("limit")
    out = []
    for cat in req["categories"]:
        entries = load_dataset_entry(cat, include_prereq=False, include_language_specific_hint=True)
        answers = {} if is_relevance_or_irrelevance(cat) else {a["id"]: a["ground_truth"] for a in load_ground_truth_entry(cat)}
        if limit is not None:
            entries = entries[:limit]
        for e in entries:
            out.append({"id": e["id"], "category": cat, "question": e["question"], "function": e["function"],
                        "ground_truth": answers.get(e["id"])})
    return {"questions": out, "version": _version()}


def _version() -> str:
    from importlib.metadata import version

    return version("bfcl-eval")


class _Decoded:
    """Stands in for a BFCL model handler: the completion was already read by our tool-call parser."""

    def decode_ast(self, result, language=None, has_tool_call_tag=False):
        if result.get("decode_error") is not None:
            raise ValueError(result["decode_error"])
        return result["calls"]


_DATA: dict[str, tuple[dict[str, str], dict[str, str]]] = {}  # category -> (id -> question JSON, id -> answer JSON)


def op_check(req: dict) -> dict:
    from bfcl_eval.constants.enums import Language, ReturnFormat
    from bfcl_eval.constants.model_config import MODEL_CONFIG_MAPPING
    from bfcl_eval.eval_checker import eval_runner as er
    from bfcl_eval.eval_checker import eval_runner_helper as helper
    from bfcl_eval.utils import is_java, is_js, is_relevance_or_irrelevance, load_dataset_entry, load_ground_truth_entry

    if MODEL_CONFIG_MAPPING[MODEL_NAME].underscore_to_dot:
        raise RuntimeError(f"{MODEL_NAME} renames functions in BFCL's config; pick another model entry")
    model_name = MODEL_NAME.replace("/", "_")
    handler = _Decoded()

    by_cat: dict[str, list[dict]] = {}
    unknown = []
    for item in req["items"]:
        try:
            cat = _category_of(item["id"])
        except Exception:
            cat = None
        if cat not in CATEGORIES:
            unknown.append(item["id"])
            continue
        by_cat.setdefault(cat, []).append(item)
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        raise ValueError(f"{len(unknown)} id(s) not in the supported BFCL categories ({', '.join(CATEGORIES)}): {shown}")

    results = []
    scores: dict[str, dict] = {}
    for cat, items in by_cat.items():
        if cat not in _DATA:  # BFCL's files, read once per process (as its runner reads them once per run)
            _DATA[cat] = (
                {e["id"]: json.dumps(e) for e in load_dataset_entry(cat, include_prereq=False, include_language_specific_hint=False)},
                {} if is_relevance_or_irrelevance(cat) else {a["id"]: json.dumps(a["ground_truth"]) for a in load_ground_truth_entry(cat)},
            )
        prompts, answers = _DATA[cat]
        if is_java(cat):
            language, return_format = Language.JAVA, ReturnFormat.JAVA
        elif is_js(cat):
            language, return_format = Language.JAVASCRIPT, ReturnFormat.JAVASCRIPT
        else:
            language, return_format = Language.PYTHON, ReturnFormat.PYTHON
        correct = 0
        for item in items:
            tid = item["id"]
            if tid not in prompts:
                raise ValueError(f"id {tid!r} is not in BFCL's {cat} data")
            # Fresh copies from the cached JSON text: the cache stays as read whatever BFCL's code does.
            prompt = json.loads(prompts[tid])
            if is_relevance_or_irrelevance(cat):
                r = er._evaluate_single_relevance_entry(handler, tid, item, prompt, model_name, cat)
            else:
                r = er._evaluate_single_ast_entry(handler, tid, item, json.loads(answers[tid]), prompt, model_name, cat,
                                                  language=language, return_format=return_format)
            valid = bool(r["valid"])
            correct += valid
            results.append({"id": tid, "category": cat, "valid": valid, "error_type": r.get("error_type"),
                            "error": r.get("error", [])})
        scores[cat] = {"accuracy": correct / len(items), "total_count": len(items), "correct": correct}

    # The leaderboard's groups, with BFCL's own helpers; a category not evaluated counts as 0 and
    # makes a group's display value "N/A", exactly as in generate_leaderboard_csv.
    def cat_score(name: str) -> dict:
        if name in scores:
            return {**scores[name], "display_accuracy": scores[name]["accuracy"]}
        return helper.get_category_score({}, name)

    simple = helper.calculate_unweighted_accuracy([cat_score("simple_python"), cat_score("simple_java"), cat_score("simple_javascript")])
    non_live_parts = [simple, cat_score("multiple"), cat_score("parallel"), cat_score("parallel_multiple")]
    live_parts = [cat_score("live_simple"), cat_score("live_multiple"), cat_score("live_parallel"), cat_score("live_parallel_multiple")]
    non_live = helper.calculate_unweighted_accuracy(non_live_parts, display_na_if_category_missing=False)
    live = helper.calculate_weighted_accuracy(live_parts, display_na_if_category_missing=False)
    irrelevance = helper.calculate_unweighted_accuracy([cat_score("irrelevance"), cat_score("live_irrelevance")])
    relevance = cat_score("live_relevance")
    # BFCL v4's total weighs non-live 10, live 10, irrelevance 10, multi-turn 30, agentic 40; the
    # single-turn part is the first three with their weights (the helper normalises them).
    overall = helper.calculate_percentage_weighted_accuracy([non_live, live, irrelevance], [10, 10, 10],
                                                            display_na_if_category_missing=False)

    def disp(d: dict):
        v = d["display_accuracy"]
        return None if v == "N/A" else float(v)

    summary = {
        "non_live_simple": disp(simple),
        "non_live_ast": disp(helper.calculate_unweighted_accuracy(non_live_parts)),
        "non_live": disp(non_live),
        "live_ast": disp(helper.calculate_weighted_accuracy(live_parts)),
        "live": disp(live),
        "irrelevance": disp(irrelevance),
        "relevance": disp(relevance),
    }
    return {"results": results, "scores": scores, "summary": summary, "overall": float(overall["accuracy"]),
            "version": _version(), "model_config": MODEL_NAME}


OPS = {"questions": op_questions, "check": op_check}


def serve() -> int:
    """One JSON request a line on stdin (``{"op", "request"}``), one JSON answer a line on stdout
    (``{"ok": true, "result"}`` or ``{"ok": false, "error"}``): BFCL's imports are paid once."""
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
            # BFCL prints progress and banners; only answers may reach our stdout.
            with contextlib.redirect_stdout(sys.stderr):
                answer = {"ok": True, "result": OPS[msg["op"]](msg["request"])}
        except Exception as e:  # the caller shows it; the process stays up for the next request
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(answer, ensure_ascii=False, default=str) + "\n")
        out.flush()
    return 0


def main(argv: list[str]) -> int:
    if argv == ["serve"]:
        return serve()
    if len(argv) != 2 or argv[0] not in OPS:
        print("usage: bfcl_runner serve | questions|check REQUEST.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        req = json.load(f)
    noise = io.StringIO()
    with contextlib.redirect_stdout(noise):
        out = OPS[argv[0]](req)
    sys.stderr.write(noise.getvalue())
    json.dump(out, sys.stdout, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
