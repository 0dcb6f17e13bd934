"""A synthetic tool-calling task: a few tools, templated user queries, ground-truth calls.

Samples are canonical Tool-N1 samples (`{"id", "tools", "messages", "answer"}`, tools in OpenAI form).
Used by the tests, the demo and the benchmark; deterministic for a given seed.

    python -m tooln1 synth-data --out data/train.jsonl --n 400 --seed 0
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from typing import Any, Callable

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City name."},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "convert_currency",
            "description": "Convert an amount between currencies.",
            "parameters": {
                "type": "object",
                "properties": {
                    "amount": {"type": "integer"},
                    "from": {"type": "string", "description": "ISO code, e.g. USD."},
                    "to": {"type": "string", "description": "ISO code, e.g. EUR."},
                },
                "required": ["amount", "from", "to"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "set_timer",
            "description": "Start a countdown timer.",
            "parameters": {
                "type": "object",
                "properties": {"minutes": {"type": "integer"}},
                "required": ["minutes"],
            },
        },
    },
]

CITIES = ["Paris", "Tokyo", "Lima", "Oslo", "Cairo", "Berlin", "Madrid", "Dublin", "Seoul", "Quito", "Rome", "Delhi"]
CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD"]
UNITS = ["celsius", "fahrenheit"]


def _weather(rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    city = rng.choice(CITIES)
    if rng.random() < 0.3:
        unit = rng.choice(UNITS)
        query = rng.choice(["What is the weather in {c} in {u}?", "Weather for {c} in {u}, please."])
        return query.format(c=city, u=unit), [{"name": "get_weather", "arguments": {"city": city, "unit": unit}}]
    query = rng.choice(["What is the weather in {c}?", "How warm is it in {c} today?", "Weather for {c}, please."])
    return query.format(c=city), [{"name": "get_weather", "arguments": {"city": city}}]


def _currency(rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    amount = rng.choice([5, 10, 20, 25, 50, 75, 100, 200, 250, 500])
    src, dst = rng.sample(CURRENCIES, 2)
    query = rng.choice(["Convert {a} {f} to {t}.", "How much is {a} {f} in {t}?", "Change {a} {f} into {t}."])
    return query.format(a=amount, f=src, t=dst), [
        {"name": "convert_currency", "arguments": {"amount": amount, "from": src, "to": dst}}
    ]


def _timer(rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    minutes = rng.choice([1, 2, 3, 5, 10, 15, 20, 30, 45, 60])
    query = rng.choice(["Set a timer for {m} minutes.", "Start a {m} minute timer.", "Remind me in {m} minutes."])
    return query.format(m=minutes), [{"name": "set_timer", "arguments": {"minutes": minutes}}]


TASKS: list[Callable[[random.Random], tuple[str, list[dict[str, Any]]]]] = [_weather, _currency, _timer]


def make_sample(rng: random.Random, index: int, prefix: str = "syn") -> dict[str, Any]:
    query, answer = rng.choice(TASKS)(rng)
    return {
        "id": f"{prefix}-{index:05d}",
        "tools": TOOLS,
        "messages": [{"role": "user", "content": query}],
        "answer": answer,
    }


def generate(n: int, seed: int = 0, prefix: str = "syn") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_sample(rng, i, prefix) for i in range(n)]


TEACHER_DEFAULTS = {"minutes": 10, "amount": 100}


def teacher_answers(samples: list[dict[str, Any]], error: float, seed: int = 0,
                    prefix: str = "teacher") -> list[dict[str, Any]]:
    """The same prompts answered by a weak teacher: with probability `error` per sample it writes its
    default for the numeric arguments (`minutes` 10, `amount` 100) instead of the value asked for.
    SFT on these imitates the mistake; a reward against the true answers does not (docs/training.md)."""
    rng = random.Random(seed)
    out = []
    for i, s in enumerate(samples):
        wrong = rng.random() < error
        answer = [{"name": c["name"], "arguments": {k: (TEACHER_DEFAULTS[k] if wrong and k in TEACHER_DEFAULTS else v)
                                                    for k, v in c["arguments"].items()}} for c in s["answer"]]
        out.append({**s, "id": f"{prefix}-{i:05d}", "answer": answer})
    return out


def reasoning_for(answer: list[dict[str, Any]]) -> str:
    """A short reasoning text for a ground-truth answer (used for SFT targets and perfect answers)."""
    names = ", ".join(call["name"] for call in answer) or "no tool"
    return f"The user needs {names}."


def perfect_completion(answer: list[dict[str, Any]], reasoning: str | None = None) -> str:
    """The completion the reward scores 1: a think block then the calls as a JSON list."""
    think = reasoning if reasoning is not None else reasoning_for(answer)
    calls = json.dumps([{"name": c["name"], "arguments": c["arguments"]} for c in answer], ensure_ascii=False)
    return f"<think>{think}</think>\n<tool_call>\n{calls}\n</tool_call>"


def write_jsonl(path: str, samples: list[dict[str, Any]]) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for s in samples:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tooln1 synth-data", description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="output JSONL file")
    p.add_argument("--n", type=int, default=200, help="number of samples (default 200)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--prefix", default="syn", help="id prefix (default syn)")
    p.add_argument("--teacher-error", type=float, default=None, metavar="P",
                   help="write a weak teacher's answers instead: with probability P a sample's minutes/amount "
                        "become the teacher's default (10/100); ids get the prefix 'teacher'")
    a = p.parse_args(argv)
    if a.n < 1:
        print("synth-data: --n must be at least 1", file=sys.stderr)
        return 2
    if os.path.isdir(a.out):
        print(f"synth-data: --out {a.out} is a folder; give a file path such as {os.path.join(a.out, 'train.jsonl')}", file=sys.stderr)
        return 2
    if a.teacher_error is not None and not 0 <= a.teacher_error <= 1:
        print("synth-data: --teacher-error must be between 0 and 1", file=sys.stderr)
        return 2
    samples = generate(a.n, a.seed, a.prefix)
    if a.teacher_error is not None:
        samples = teacher_answers(samples, a.teacher_error, a.seed)
    write_jsonl(a.out, samples)
    print(f"wrote {a.n} samples to {a.out}")
    return 0
