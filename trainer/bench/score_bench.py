"""Scoring throughput of tooln1.reward over 100,000 generated realistic completions (1-3 KB each,
correct and wrong mixed, groups of 5 rollouts sharing a ground truth as in GRPO), measured side by
side with a plain implementation of the official scorer's semantics (compute_score_v0 without its
random prints). Writes bench/results/score-py.json.

Run: .venv/bin/python trainer/bench/score_bench.py [--n 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from tooln1.reward import score

ROOT = Path(__file__).resolve().parents[2]

CITIES = ["Paris", "London", "Tokyo", "São Paulo", "New York", "Zürich", "Berlin", "東京"]
SENTENCES = [
    "The user wants to know the weather, so I should call the weather tool with the city they named.",
    "I need to convert the amount between the two currencies before answering.",
    "Let me check which of the available tools matches the request and what arguments it requires.",
    "The unit was not specified; the tool's default is celsius, so I will pass it explicitly.",
    "There are two independent requests here, so two parallel calls are appropriate.",
    "First, identify the parameters: the location, the date range and the preferred units.",
]


def make_calls(r: random.Random) -> list:
    calls = []
    for _ in range(r.choice([1, 1, 1, 2, 2, 3])):
        k = r.randrange(4)
        if k == 0:
            calls.append({"name": "get_weather", "arguments": {"city": r.choice(CITIES), "unit": r.choice(["celsius", "fahrenheit"]), "days": r.randrange(1, 8)}})
        elif k == 1:
            calls.append({"name": "convert_currency", "arguments": {"amount": r.choice([100, 25.5, 1e3, 0.99]), "from": "USD", "to": r.choice(["EUR", "JPY", "GBP"])}})
        elif k == 2:
            calls.append({"name": "search_flights", "arguments": {"origin": r.choice(CITIES), "destination": r.choice(CITIES), "date": "2025-06-%02d" % r.randrange(1, 29), "passengers": {"adults": r.randrange(1, 4), "children": r.randrange(0, 3)}, "cabin": r.choice(["economy", "business"])}})
        else:
            calls.append({"name": "set_reminder", "arguments": {"text": r.choice(SENTENCES)[:40], "minutes": r.randrange(1, 120), "tags": ["work", "home"][: r.randrange(0, 3)]}})
    return calls


def render(r: random.Random, calls: list, target: int) -> str:
    reasoning = []
    n = 0
    while n < target:
        s = r.choice(SENTENCES)
        reasoning.append(s)
        n += len(s) + 1
    body = "<tool_call>\n" + json.dumps(calls) + "\n</tool_call>" if r.random() < 0.7 else "".join("<tool_call>\n" + json.dumps(c) + "\n</tool_call>\n" for c in calls)
    return "<think>" + " ".join(reasoning) + "</think>\n" + body


def generate(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """(completion, ground truth JSON string) pairs; about half correct, the rest wrong in typical ways."""
    r = random.Random(seed)
    out = []
    while len(out) < n:
        gt = make_calls(r)
        gt_s = json.dumps(gt)
        for _ in range(5):  # one GRPO group
            model = json.loads(gt_s)
            k = r.random()
            if k < 0.15:
                model[0]["arguments"][next(iter(model[0]["arguments"]))] = "wrong"
            elif k < 0.25:
                model[0]["name"] = "get_time"
            elif k < 0.3:
                model = model[:-1] or model * 2
            text = render(r, model, r.randrange(900, 2700))
            if k > 0.93:
                text = text.replace("</think>", "", 1)
            elif k > 0.9:
                text = text[: -len("</tool_call>") - 1]
            out.append((text, gt_s))
    return out[:n]


# ---- a plain implementation of the official scorer's semantics (compute_score_v0) ----------------


def _validate_result(result, answer):
    if len(result) == 0 or len(answer) == 0:
        return 2 if len(result) == len(answer) else 0
    try:
        c1 = Counter((item["name"], json.dumps(item["arguments"], sort_keys=True)) for item in result)
        c2 = Counter((item["name"], json.dumps(item["arguments"], sort_keys=True)) for item in answer)
    except TypeError:
        return 0
    if c1 == c2:
        return 2
    return 1 if Counter(i["name"] for i in result) == Counter(i["name"] for i in answer) else 0


def _validate_format(calls):
    return all(isinstance(i, dict) for i in calls) and all("name" in i and "arguments" in i for i in calls)


_PATTERN = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)


def official_plain(solution_str: str, ground_truth: str) -> int:
    answer = json.loads(ground_truth)
    index = solution_str.rfind("<|im_start|>assistant")
    output = solution_str[index:] if index != -1 else solution_str
    matches = list(_PATTERN.finditer(output))
    result = None
    if matches:
        try:
            result = json.loads(matches[-1].group(1).strip())
        except json.JSONDecodeError:
            result = None
    if isinstance(result, str):
        try:
            result = json.loads(result)
        except json.JSONDecodeError:
            result = None
    if isinstance(result, dict):
        result = [result]
    if isinstance(answer, str):
        answer = json.loads(answer)
    if result is not None and ("<think>" not in output or "</think>" not in output):
        return 0
    if result is None or not _validate_format(result):
        return 0
    return 1 if _validate_result(result, answer) == 2 else 0


def bench(fn, data, repeat: int) -> tuple[float, float]:
    """Outputs per second, best of ``repeat``: by wall clock and by this process's CPU time
    (on a shared machine, with other processes competing for the cores, the CPU rate is the stable one)."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        for c, g in data:
            fn(c, g)
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return len(data) / best_wall, len(data) / best_cpu


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "score-py.json"))
    args = ap.parse_args(argv)
    data = generate(args.n)
    sizes = [len(c.encode()) for c, _ in data]
    # Same verdicts first: the baseline and our official variant must agree on every output.
    agree = sum(official_plain(c, g) == score(c, g, "official")["reward"] for c, g in data)
    assert agree == len(data), f"official baseline and ours disagree on {len(data) - agree} outputs"
    correct = sum(score(c, g)["reward"] == 1 for c, g in data)
    base_wall, base = bench(official_plain, data, args.repeat)
    both = {v: bench(lambda c, g, v=v: score(c, g, v), data, args.repeat) for v in ("binary", "fine-grained", "no-format", "official")}
    wall = {k: w for k, (w, _) in both.items()}
    ours = {k: c for k, (_, c) in both.items()}
    result = {
        "what": "tooln1.reward.score throughput (outputs/s), best of %d runs over %d outputs" % (args.repeat, len(data)),
        "outputs": len(data),
        "bytes_min": min(sizes),
        "bytes_max": max(sizes),
        "bytes_mean": round(sum(sizes) / len(sizes)),
        "correct_fraction": round(correct / len(data), 3),
        "outputs_per_s": {k: round(v) for k, v in wall.items()},
        "outputs_per_cpu_s": {k: round(v) for k, v in ours.items()},
        "baseline": "plain compute_score_v0 semantics (regex, json.loads, Counter of json.dumps), same data",
        "baseline_outputs_per_s": round(base_wall),
        "baseline_outputs_per_cpu_s": round(base),
        "ratio_binary_vs_baseline": round(ours["binary"] / base, 2),
        "ratio_official_vs_baseline": round(ours["official"] / base, 2),
        "target": {"outputs_per_s": 30000, "ratio": 1.0},
        "meets_target_wall": wall["binary"] >= 30000 and ours["binary"] / base >= 1.0,
        "meets_target_cpu": ours["binary"] >= 30000 and ours["binary"] / base >= 1.0,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
