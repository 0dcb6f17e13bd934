"""GRPO's own lift on the tiny model, against the control: the same number of further SFT steps.

One SFT checkpoint (trained here for --sft-steps, or given with --sft-from), then two arms from it,
the same number of optimiser steps each (--steps):
  grpo     a `tooln1 train` GRPO run rewarded against the true answers
  control  a `tooln1 train` SFT run on the same demonstrations as the checkpoint's SFT
SFT's demonstrations come from a weak teacher (--teacher-error, tooln1.synthetic.teacher_answers;
0: the true answers). Held-out greedy reward every --eval-every steps; at the end the checkpoint and
both final models are scored again per prompt on the same held-out prompts: paired differences, a
bootstrap interval, the prompts that flipped each way and McNemar's exact p. Also the checkpoint's
sampled pass rate at the GRPO temperature (GRPO's headroom), CPU and wall time, GRPO tokens/s.

    .venv/bin/python bench/grpo_lift.py --name teacher            # bench/results/grpo-lift-teacher.json
    .venv/bin/python bench/grpo_lift.py --name clean --teacher-error 0
    .venv/bin/python bench/grpo_lift.py --name x --grpo '{"learning_rate": 1e-3, "loss_type": "grpo"}'

Prints a JSON summary line; the full record goes to bench/results/grpo-lift-<name>.json (and to
$OUT when that is set). Self-contained: it builds the tiny model and the synthetic data itself and
uses the GPU when there is one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "trainer", "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# The GRPO settings of the experiment (docs/training.md); --grpo overrides any of them.
SFT = {"per_device_batch_size": 16, "learning_rate": 3e-3, "max_length": 512}
GRPO = {
    "learning_rate": 3e-4, "num_generations": 8, "per_device_batch_size": 32, "temperature": 1.0, "top_p": 1.0,
    "beta": 0.0, "loss_type": "dr_grpo", "scale_rewards": "group", "num_iterations": 1,
    "max_completion_length": 32, "max_prompt_length": 512,
}


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def _curve(events: list[dict], lo: int = 0) -> list[list[float]]:
    return [[e["step"], round(e["metrics"]["eval/reward/mean"], 4)] for e in events
            if e["type"] == "eval" and e["step"] >= lo]


def _paired(a: list[float], b: list[float], seed: int = 0, n_boot: int = 2000) -> dict:
    """b - a on the same prompts: mean, 95% bootstrap interval, discordant pairs, exact McNemar p."""
    d = [y - x for x, y in zip(a, b)]
    n = len(d)
    rng = random.Random(seed)
    boots = sorted(sum(d[rng.randrange(n)] for _ in range(n)) / n for _ in range(n_boot))
    up = sum(1 for x, y in zip(a, b) if y > x)
    down = sum(1 for x, y in zip(a, b) if y < x)
    k, m = min(up, down), up + down
    p = min(1.0, 2 * sum(math.comb(m, i) for i in range(k + 1)) / 2 ** m) if m else 1.0
    return {"diff": round(sum(d) / n, 4), "ci95": [round(boots[int(0.025 * n_boot)], 4),
            round(boots[int(0.975 * n_boot) - 1], 4)], "improved": up, "worsened": down, "mcnemar_p": p}


def _score_model(path: str, rows: list[dict], max_new: int, device: str, batch: int, precision: str) -> list[float]:
    from tooln1.callbacks import evaluate_samples
    from tooln1.train import load_model, load_tokenizer

    tok = load_tokenizer(path)
    model = load_model(path, precision).to(device)
    res = evaluate_samples(model, tok, rows, variant="binary", max_new_tokens=max_new, batch_size=batch)
    return [float(r["reward"]) for r in res]


def _sampled_pass(path: str, rows: list[dict], k: int, temperature: float, max_new: int, device: str,
                  precision: str) -> dict:
    """Each prompt sampled k times at the GRPO temperature: mean pass rate, pass@k, share of prompts in 0.2-0.8."""
    from tooln1.train import load_model, load_tokenizer, sampled_pass_rates

    tok = load_tokenizer(path)
    model = load_model(path, precision).to(device)
    rates = sampled_pass_rates(model, tok, rows, samples=k, temperature=temperature, top_p=1.0,
                               max_new_tokens=max_new, variant="binary", batch_size=64)
    n = len(rates)
    return {"k": k, "temperature": temperature, "mean_pass_rate": round(sum(rates) / n, 4),
            "pass_at_k": round(sum(1 for r in rates if r > 0) / n, 4),
            "share_0.2_0.8": round(sum(1 for r in rates if 0.2 <= r <= 0.8) / n, 4),
            "share_all_wrong": round(sum(1 for r in rates if r == 0) / n, 4),
            "share_all_right": round(sum(1 for r in rates if r == 1) / n, 4)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--name", default="cpu", help="results go to bench/results/grpo-lift-<name>.json")
    p.add_argument("--sft-steps", type=int, default=400, help="SFT steps before the arms split (the plateau)")
    p.add_argument("--steps", type=int, default=100, help="steps of each arm after the split")
    p.add_argument("--eval-every", type=int, default=20, help="held-out evaluation every N steps of the arms")
    p.add_argument("--sft-eval-every", type=int, default=100)
    p.add_argument("--sft-from", help="start the arms from this SFT checkpoint instead of training one")
    p.add_argument("--init-model", help="start SFT from this model instead of a fresh tiny one")
    p.add_argument("--val", type=int, default=256, help="held-out prompts (other seed than the training data)")
    p.add_argument("--train", type=int, default=600, help="training samples")
    p.add_argument("--seed", type=int, default=0, help="training seed (data order, sampling)")
    p.add_argument("--model-seed", type=int, default=0)
    p.add_argument("--hidden", type=int, default=64, help="tiny model width")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--arms", default="grpo,control")
    p.add_argument("--teacher-error", type=float, default=0.6,
                   help="SFT demonstrations from a weak teacher (tooln1.synthetic.teacher_answers); 0: the true answers")
    p.add_argument("--grpo", default="{}", help="JSON object of grpo.* overrides")
    p.add_argument("--sft", default="{}", help="JSON object of sft.* overrides")
    p.add_argument("--headroom-k", type=int, default=8, help="samples per prompt for the sampled pass rate (0: skip)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"])
    p.add_argument("--keep", help="keep the work folder here instead of a temporary one")
    a = p.parse_args(argv)

    import torch

    from tooln1 import synthetic
    from tooln1.config import from_dict
    from tooln1.events import read_events
    from tooln1.tiny import make_tiny_model
    from tooln1.train import Run

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(a.threads)
    grpo = {**GRPO, **json.loads(a.grpo)}
    sft = {**SFT, **json.loads(a.sft)}
    work = a.keep or tempfile.mkdtemp(prefix="grpo-lift-")
    os.makedirs(work, exist_ok=True)
    t_all, cpu0 = time.perf_counter(), _cpu_s()
    model = make_tiny_model(os.path.join(work, "model"), seed=a.model_seed, hidden_size=a.hidden,
                            intermediate_size=4 * a.hidden, num_hidden_layers=a.layers)
    train, val = os.path.join(work, "train.jsonl"), os.path.join(work, "val.jsonl")
    synthetic.write_jsonl(train, synthetic.generate(a.train, seed=1))
    synthetic.write_jsonl(val, synthetic.generate(a.val, seed=99, prefix="val"))
    data = {"train": train, "validation": val}
    if a.teacher_error:
        data["sft_train"] = os.path.join(work, "teacher.jsonl")
        synthetic.write_jsonl(data["sft_train"], synthetic.teacher_answers(synthetic.generate(a.train, seed=1),
                                                                            a.teacher_error, seed=1))
    max_new = grpo["max_completion_length"]

    def cfg(method: str, start: str, sft_steps: int, grpo_steps: int, every: int) -> dict:
        return from_dict({
            "model": start, "method": method, "seed": a.seed, "data": data,
            "sft": {**sft, "max_steps": sft_steps}, "grpo": {**grpo, "max_steps": grpo_steps},
            "eval": {"every_steps": every, "max_samples": a.val, "batch_size": 128, "max_new_tokens": max_new},
            "checkpoint": {"every_steps": 100_000, "keep": 1}, "logging": {"every_steps": 5, "rollouts": False},
            "threads": a.threads, "precision": a.precision,
        })

    arms = [x for x in a.arms.split(",") if x]
    result: dict = {"name": a.name, "device": device, "torch": torch.__version__,
                    "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None,
                    "settings": {k: v for k, v in vars(a).items() if k not in ("grpo", "sft", "keep")},
                    "sft": sft, "grpo": grpo, "arms": {}}
    paths = {}

    def run(arm: str, c: dict) -> dict | None:
        t0, c0 = time.perf_counter(), _cpu_s()
        run_dir = os.path.join(work, arm)
        code = Run(c, run_dir, echo=False).execute()
        events = read_events(run_dir)
        if code != 0:
            print(json.dumps([e for e in events if e["type"] == "error"]), file=sys.stderr)
            return None
        info = {"curve": _curve(events), "wall_s": round(time.perf_counter() - t0, 1), "cpu_s": round(_cpu_s() - c0, 1)}
        m = [e for e in events if e["type"] == "metrics"]
        step_s = sorted(e["metrics"]["time/step_s"] for e in m if e["metrics"].get("time/step_s"))
        info["step_s_median"] = round(step_s[len(step_s) // 2], 3) if step_s else None
        info["logs"] = [e["message"] for e in events if e["type"] == "log" and "difficulty" in e.get("message", "")]
        if arm == "grpo":
            keys = ("reward/mean", "reward/std", "kl", "entropy", "reward/zero_variance_groups", "response_length/mean",
                    "perf/tokens_per_s")
            info["train_metrics"] = [{"step": e["step"], **{k: e["metrics"].get(k) for k in keys}} for e in m]
            tps = sorted(e["metrics"]["perf/tokens_per_s"] for e in m if e["metrics"].get("perf/tokens_per_s"))
            info["tokens_per_s_median"] = round(tps[len(tps) // 2], 1) if tps else None
        result["arms"][arm] = info
        return info

    # 1. SFT to the plateau (or a checkpoint made before: --sft-from).
    if a.sft_from:
        paths["sft"] = a.sft_from
    else:
        if run("sft", cfg("sft", a.init_model or model, a.sft_steps, 1, a.sft_eval_every)) is None:
            return 1
        paths["sft"] = os.path.join(work, "sft", "checkpoints", f"checkpoint-{a.sft_steps}")
    # 2. The arms, each from that checkpoint, the same number of optimiser steps.
    for arm in arms:
        if arm == "grpo":
            ok = run("grpo", cfg("grpo", paths["sft"], 1, a.steps, a.eval_every))
            paths["grpo"] = os.path.join(work, "grpo", "checkpoints", f"checkpoint-{a.steps}")
        elif arm == "control":
            ok = run("control", cfg("sft", paths["sft"], a.steps, 1, a.eval_every))
            paths["control"] = os.path.join(work, "control", "checkpoints", f"checkpoint-{a.steps}")
        else:
            raise SystemExit(f"unknown arm {arm}")
        if ok is None:
            return 1

    from tooln1 import data as data_mod

    rows = [{"prompt": data_mod.render_prompt(s), "ground_truth": json.dumps(s["answer"])}
            for s in data_mod.load_samples(val, "canonical")]
    per = {k: _score_model(v, rows, max_new, device, 128, a.precision) for k, v in paths.items() if os.path.isdir(v)}
    result["final"] = {k: round(sum(v) / len(v), 4) for k, v in per.items()}
    if "sft" in per and "grpo" in per:
        result["paired_grpo_minus_sft"] = _paired(per["sft"], per["grpo"])
    if "sft" in per and "control" in per:
        result["paired_control_minus_sft"] = _paired(per["sft"], per["control"])
    if "grpo" in per and "control" in per:
        result["paired_grpo_minus_control"] = _paired(per["control"], per["grpo"])
    if a.headroom_k and "sft" in paths:
        result["sft_sampled"] = _sampled_pass(paths["sft"], rows, a.headroom_k, grpo["temperature"], max_new, device,
                                              a.precision)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    result["machine"] = {"platform": platform.platform(), "cpus": os.cpu_count(), "loadavg_end": load}
    result["wall_s"] = round(time.perf_counter() - t_all, 1)
    result["cpu_s"] = round(_cpu_s() - cpu0, 1)
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    text = json.dumps(result, indent=1)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    targets = [os.path.join(HERE, "results", f"grpo-lift-{a.name}.json")]
    if os.environ.get("OUT"):
        targets.append(os.path.join(os.environ["OUT"], f"grpo-lift-{a.name}.json"))
    for t in targets:
        with open(t, "w") as f:
            f.write(text + "\n")
    summary = {k: result[k] for k in ("name", "final", "wall_s", "cpu_s") if k in result}
    summary.update({k: v for k, v in result.items() if k.startswith("paired") or k == "sft_sampled"})
    summary["curves"] = {k: v["curve"] for k, v in result["arms"].items()}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
