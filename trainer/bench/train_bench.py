"""Trainer overhead benchmark -> bench/results/train.json.

A short GRPO run on the tiny model through `tooln1 train` (events, rollout files, per-step reward
statistics, checkpoint at the end) against a plain TRL GRPOTrainer script with the same model, data,
reward and GRPOConfig, side by side, alternating, best of `--repeats` each. Both are timed by the
same callback from on_train_begin to on_train_end. Target: ours / plain tokens/s >= 0.95.

    .venv/bin/python trainer/bench/train_bench.py [--steps 12] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
from transformers import TrainerCallback  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "bench"))

from plain_trl import mean_prompt_tokens, plain_grpo_trainer  # noqa: E402
from tooln1 import synthetic  # noqa: E402
from tooln1.config import from_dict  # noqa: E402
from tooln1.tiny import make_tiny_model  # noqa: E402
from tooln1.train import Run  # noqa: E402


class Timer(TrainerCallback):
    """Wall time from on_train_begin to on_train_end, and the tokens of every step: prompt tokens plus
    generated tokens, from TRL's per-step logs (the same numbers on both sides)."""

    def __init__(self, prompt_tokens: float, batch: int) -> None:
        self.prompt_tokens = prompt_tokens
        self.batch = batch
        self.t0 = self.t1 = 0.0
        self.tokens = 0.0
        self.steps = 0

    def on_train_begin(self, args, state, control, **kw):
        self.t0 = time.perf_counter()

    def on_log(self, args, state, control, logs=None, **kw):
        if logs and "completions/mean_length" in logs:
            self.tokens += self.batch * (self.prompt_tokens + float(logs["completions/mean_length"]))

    def on_train_end(self, args, state, control, **kw):
        self.t1 = time.perf_counter()
        self.steps = state.global_step

    def result(self) -> dict:
        s = self.t1 - self.t0
        return {"seconds": s, "steps": self.steps, "tokens": round(self.tokens),
                "tokens_per_s": self.tokens / s, "steps_per_s": self.steps / s}


def config(model: str, train: str, steps: int) -> dict:
    return from_dict({
        "model": model, "method": "grpo", "seed": 0,
        "data": {"train": train, "validation_split": 0},
        "grpo": {"max_steps": steps, "per_device_batch_size": 10, "max_completion_length": 48,
                 "learning_rate": 1e-5, "temperature": 1.0},
        "eval": {"every_steps": 0}, "checkpoint": {"every_steps": 1000, "keep": 1}, "threads": 2,
    })


def run_ours(cfg: dict, run_dir: str, prompt_tokens: float) -> dict:
    timer = Timer(prompt_tokens, cfg["grpo"]["per_device_batch_size"])

    class BenchRun(Run):
        def _train(self, trainer, out_dir, cb):
            trainer.add_callback(timer)
            return super()._train(trainer, out_dir, cb)

    code = BenchRun(cfg, run_dir, echo=False).execute()
    assert code == 0, f"tooln1 run failed ({code}); see {run_dir}/events.jsonl"
    return timer.result()


def run_plain(cfg: dict, out_dir: str, prompt_tokens: float) -> dict:
    """What a user would write with TRL alone: the same model, prompts, reward and GRPOConfig."""
    timer = Timer(prompt_tokens, cfg["grpo"]["per_device_batch_size"])
    plain_grpo_trainer(cfg, out_dir, "fp32", [timer]).train()
    return timer.result()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=12)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=os.path.join(REPO, "bench", "results", "train.json"))
    a = p.parse_args()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        model = make_tiny_model(os.path.join(tmp, "model"), seed=0)
        train = os.path.join(tmp, "train.jsonl")
        synthetic.write_jsonl(train, synthetic.generate(200, seed=1))
        cfg = config(model, train, a.steps)
        ours, plain = [], []
        pt = mean_prompt_tokens(cfg)
        for i in range(a.repeats):  # alternate the order so machine load affects both alike
            if i % 2 == 0:
                ours.append(run_ours(cfg, os.path.join(tmp, f"ours-{i}"), pt))
                plain.append(run_plain(cfg, os.path.join(tmp, f"plain-{i}"), pt))
            else:
                plain.append(run_plain(cfg, os.path.join(tmp, f"plain-{i}"), pt))
                ours.append(run_ours(cfg, os.path.join(tmp, f"ours-{i}"), pt))
            print(f"repeat {i}: ours {ours[-1]['tokens_per_s']:.0f} tok/s, plain {plain[-1]['tokens_per_s']:.0f} tok/s",
                  file=sys.stderr)
    best_ours = max(ours, key=lambda r: r["tokens_per_s"])
    best_plain = max(plain, key=lambda r: r["tokens_per_s"])
    result = {
        "benchmark": "train",
        "what": f"GRPO on the tiny model, {a.steps} steps of 10 rollouts (2 prompts x 5), CPU",
        "ours": {"name": "python -m tooln1 train (events, rollouts, reward stats, final checkpoint)", **best_ours},
        "baseline": {"name": "plain TRL GRPOTrainer script, same model/data/reward/GRPOConfig", **best_plain},
        "ratio_tokens_per_s": best_ours["tokens_per_s"] / best_plain["tokens_per_s"],
        "ratio_steps_per_s": best_ours["steps_per_s"] / best_plain["steps_per_s"],
        "target_ratio": 0.95,
        "median_ratio_tokens_per_s": statistics.median(o["tokens_per_s"] for o in ours)
        / statistics.median(b["tokens_per_s"] for b in plain),
        "pair_ratios_tokens_per_s": [o["tokens_per_s"] / b["tokens_per_s"] for o, b in zip(ours, plain)],
        "note": "best of the repeats on each side; on a shared, loaded CPU the pair ratios spread widely",
        "repeats": {"ours": ours, "baseline": plain},
        "load_average_at_end": os.getloadavg(),
        "machine": {"cores": os.cpu_count(), "torch_threads": torch.get_num_threads(), "platform": platform.platform(),
                    "python": platform.python_version(), "torch": torch.__version__, "gpu": None},
        "command": ".venv/bin/python trainer/bench/train_bench.py " + " ".join(sys.argv[1:]),
    }
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps({k: result[k] for k in ("ratio_tokens_per_s", "ratio_steps_per_s")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
