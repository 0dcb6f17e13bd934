"""BFCL checking speed (samples/s) of ``tooln1 eval bfcl``, side by side with BFCL's own pipeline.

Data: every question of BFCL's Python AST categories (simple_python, multiple, parallel,
parallel_multiple, live_simple, live_multiple, live_parallel, live_parallel_multiple) and of its
irrelevance categories (irrelevance, live_irrelevance), with an answer built from the possible
answers; every other one gets a wrong value, so correct and wrong verdicts are mixed.

- ours: ``tooln1.bfcl.check`` in a warm runner: our tool-call parser on the Tool-N1 completion
  (``<think>...</think><tool_call>[...]</tool_call>``), JSON to the BFCL environment, BFCL's per-entry
  functions (its AST checker), the verdicts back.
- baseline: BFCL's own pipeline for a prompt-mode model on the same answers written as BFCL expects
  them (``[func(arg=value)]``): its AST decoder (``default_decode_ast_prompting``) and the same
  per-entry functions, in one process of the BFCL environment (no parsing of ours, no JSON hop).
- reference: the Tool-N1 training reward (``tooln1.reward.score``) on the same completions.

Start-up (BFCL imports every model handler) is reported apart. Writes bench/results/bfcl-check.json.

Run: .venv/bin/python trainer/bench/bfcl_bench.py [--repeats 3]   (needs make venv-bfcl)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from tooln1 import bfcl
from tooln1.importers import passing_calls
from tooln1.reward import score

ROOT = Path(__file__).resolve().parents[2]
PY_CATEGORIES = ["simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple",
                 "live_parallel", "live_parallel_multiple"]
IRRELEVANCE = ["irrelevance", "live_irrelevance"]

# Runs in the BFCL environment: BFCL's decoder and per-entry functions over the same items.
BASELINE = r'''
import json, sys, time
from bfcl_eval.constants.enums import Language, ReturnFormat
from bfcl_eval.eval_checker import eval_runner as er
from bfcl_eval.model_handler.utils import default_decode_ast_prompting
from bfcl_eval.utils import is_relevance_or_irrelevance, load_dataset_entry, load_ground_truth_entry, extract_test_category_from_id
items = json.load(open(sys.argv[1]))
repeats = int(sys.argv[2])
class H:
    def decode_ast(self, result, language=None, has_tool_call_tag=False):
        return default_decode_ast_prompting(result, language, has_tool_call_tag)
h = H()
cats = sorted({extract_test_category_from_id(i["id"]) for i in items})
prompts = {c: {e["id"]: e for e in load_dataset_entry(c, include_prereq=False, include_language_specific_hint=False)} for c in cats}
answers = {c: ({} if is_relevance_or_irrelevance(c) else {a["id"]: a["ground_truth"] for a in load_ground_truth_entry(c)}) for c in cats}
best, valid = None, 0
for _ in range(repeats):
    t0 = time.perf_counter(); valid = 0
    for i in items:
        c = extract_test_category_from_id(i["id"])
        if is_relevance_or_irrelevance(c):
            r = er._evaluate_single_relevance_entry(h, i["id"], i["text"], prompts[c][i["id"]], "Qwen_Qwen3-8B-FC", c)
        else:
            r = er._evaluate_single_ast_entry(h, i["id"], i["text"], answers[c][i["id"]], prompts[c][i["id"]], "Qwen_Qwen3-8B-FC", c,
                                              language=Language.PYTHON, return_format=ReturnFormat.PYTHON)
        valid += bool(r["valid"])
    dt = time.perf_counter() - t0
    best = dt if best is None else min(best, dt)
print(json.dumps({"seconds": best, "valid": valid}))
'''


def _mutate(calls: list[dict]) -> list[dict]:
    out = json.loads(json.dumps(calls))
    for c in out:
        for k, v in c["arguments"].items():
            if isinstance(v, str):
                c["arguments"][k] = v + " (changed)"
                return out
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                c["arguments"][k] = v + 7
                return out
    out[0]["name"] += "_other"
    return out


def _python_call(c: dict) -> str:
    return f"{c['name']}(" + ", ".join(f"{k}={v!r}" for k, v in c["arguments"].items()) + ")"


def build(runner: bfcl.BfclRunner) -> tuple[list[dict], list[dict], list[dict]]:
    """(ours: id+completion, baseline: id+text, reference: completion+ground truth)."""
    qs = bfcl.run_bfcl("questions", {"categories": PY_CATEGORIES + IRRELEVANCE, "limit": None}, runner=runner)["questions"]
    ours, base, ref = [], [], []
    for n, q in enumerate(qs):
        if q["category"] in IRRELEVANCE:
            calls = [] if n % 2 == 0 or not q["function"] else [{"name": q["function"][0]["name"], "arguments": {}}]
        else:
            calls = passing_calls(q["ground_truth"], lambda name: next(f for f in q["function"] if f["name"] == name)["parameters"].get("required"))
            if n % 2:
                calls = _mutate(calls)
        ours.append({"id": q["id"], "completion": "<think>Answer from the possible answers.</think>\n<tool_call>" + json.dumps(calls) + "</tool_call>"})
        base.append({"id": q["id"], "text": "[" + ", ".join(_python_call(c) for c in calls) + "]" if calls else "I cannot help with that."})
        ref.append({"completion": ours[-1]["completion"], "answer": bfcl.first_answer(q.get("ground_truth"))})
    return ours, base, ref


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "bfcl-check.json"))
    args = ap.parse_args()
    load_before = os.getloadavg()[0]

    t0 = time.perf_counter()
    with bfcl.BfclRunner() as runner:
        ours, base, ref = build(runner)
        bfcl.check(ours[:1], None, runner=runner)  # BFCL's imports happen here
        startup = time.perf_counter() - t0
        best = None
        for _ in range(args.repeats):
            t = time.perf_counter()
            res = bfcl.check(ours, None, runner=runner)
            dt = time.perf_counter() - t
            best = dt if best is None else min(best, dt)
    ours_valid = sum(c["correct"] for c in res["categories"].values())

    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(base, f)
        items_path = f.name
    try:
        t = time.perf_counter()
        proc = subprocess.run([bfcl.find_python(), "-I", "-c", BASELINE, items_path, str(args.repeats)],
                              capture_output=True, text=True, check=True)
        base_wall = time.perf_counter() - t
    finally:
        os.unlink(items_path)
    b = json.loads(proc.stdout.strip().splitlines()[-1])

    tr = None
    for _ in range(args.repeats):
        t = time.perf_counter()
        for r in ref:
            score(r["completion"], r["answer"])
        dt = time.perf_counter() - t
        tr = dt if tr is None else min(tr, dt)

    n = len(ours)
    result = {
        "what": "BFCL checking speed (samples/s), best of %d runs over %d samples" % (args.repeats, n),
        "samples": n,
        "categories": PY_CATEGORIES + IRRELEVANCE,
        "ours_samples_per_s": round(n / best, 1),
        "ours_valid": ours_valid,
        "ours_startup_s": round(startup, 2),
        "baseline": "BFCL's own pipeline for a prompt-mode model: default_decode_ast_prompting on [func(arg=value)] text, "
                    "then the same per-entry functions, in one BFCL process",
        "baseline_samples_per_s": round(n / b["seconds"], 1),
        "baseline_valid": b["valid"],
        "baseline_process_wall_s": round(base_wall, 2),
        "ratio_ours_vs_baseline": round(b["seconds"] / best, 2),
        "reference_tooln1_reward_samples_per_s": round(n / tr, 1),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1m_before": round(load_before, 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        },
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
