"""Regenerate test/fixtures/runs/tiny-grpo: a real run directory written by `tooln1 train` on the
tiny model (short SFT warm-up, then a few GRPO steps, so rollouts have varied rewards and reasons).
Checkpoint folders are left out to keep the fixture small; their `checkpoint` events stay.

    .venv/bin/python trainer/tests/make_run_fixture.py
"""

import os
import shutil
import sys
import tempfile

import torch

from tooln1 import synthetic
from tooln1.config import from_dict
from tooln1.tiny import make_tiny_model
from tooln1.train import Run

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "test", "fixtures", "runs", "tiny-grpo")


def main() -> int:
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        model = make_tiny_model(os.path.join(tmp, "model"), seed=0)
        train, val = os.path.join(tmp, "train.jsonl"), os.path.join(tmp, "val.jsonl")
        synthetic.write_jsonl(train, synthetic.generate(300, seed=1))
        synthetic.write_jsonl(val, synthetic.generate(8, seed=99, prefix="val"))
        cfg = from_dict({
            "model": model, "method": "sft-then-grpo",
            "data": {"train": train, "validation": val},
            "sft": {"max_steps": 60, "per_device_batch_size": 16, "learning_rate": 3e-3},
            "grpo": {"max_steps": 4, "per_device_batch_size": 10, "max_completion_length": 32,
                     "learning_rate": 5e-5, "temperature": 1.0},
            "eval": {"every_steps": 2, "max_samples": 8, "max_new_tokens": 32},
            "checkpoint": {"every_steps": 2, "keep": 1},
            "logging": {"every_steps": 1},
            "threads": 2,
        })
        run_dir = os.path.join(tmp, "tiny-grpo")
        code = Run(cfg, run_dir, echo=False).execute()
        if code != 0:
            print(open(os.path.join(run_dir, "events.jsonl")).read()[-3000:], file=sys.stderr)
            return code
        shutil.rmtree(os.path.join(run_dir, "checkpoints"))
        os.makedirs(os.path.join(run_dir, "checkpoints"))
        if os.path.exists(OUT):
            shutil.rmtree(OUT)
        shutil.copytree(run_dir, OUT)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT} ({size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
