"""Shared fixtures of the trainer tests: a tiny model, synthetic data, configs, subprocess runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any, Callable

import pytest
import yaml

from tooln1.events import read_events  # noqa: F401  (tests import it from here)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    import torch

    torch.set_num_threads(2)
    from tooln1.tiny import make_tiny_model

    return make_tiny_model(str(tmp_path_factory.mktemp("tiny") / "model"), seed=0)


@pytest.fixture(scope="session")
def synth_files(tmp_path_factory) -> dict[str, str]:
    from tooln1 import synthetic

    d = tmp_path_factory.mktemp("data")
    train, val = str(d / "train.jsonl"), str(d / "val.jsonl")
    synthetic.write_jsonl(train, synthetic.generate(120, seed=1))
    synthetic.write_jsonl(val, synthetic.generate(16, seed=99, prefix="val"))
    return {"train": train, "validation": val}


def small_config(model: str, data: dict[str, str], **over: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "model": model,
        "method": "grpo",
        "data": {"train": data["train"], "validation": data["validation"]},
        "grpo": {"max_steps": 3, "per_device_batch_size": 10, "max_completion_length": 24, "learning_rate": 1e-4},
        "sft": {"max_steps": 3, "per_device_batch_size": 8, "learning_rate": 1e-3},
        "eval": {"every_steps": 2, "max_samples": 4, "max_new_tokens": 24},
        "checkpoint": {"every_steps": 2, "keep": 2},
        "threads": 2,
    }
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k] = {**cfg[k], **v}
        else:
            cfg[k] = v
    return cfg


def write_config(path: str, cfg: dict[str, Any]) -> str:
    with open(path, "w", encoding="utf-8") as f:
        if path.endswith(".json"):
            json.dump(cfg, f)
        else:
            yaml.safe_dump(cfg, f)
    return path


def start_train(config_path: str, run_dir: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "tooln1", "train", "--config", config_path, "--run-dir", run_dir, "--quiet", *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def wait_for_event(run_dir: str, pred: Callable[[dict[str, Any]], bool], proc: subprocess.Popen,
                   timeout: float = 600) -> dict[str, Any]:
    """Wait until an event matching `pred` is in events.jsonl (the process must stay alive meanwhile).
    Polls the file the trainer appends to; the timeout is only a guard against a hung trainer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in read_events(run_dir):
            if pred(e):
                return e
        if proc.poll() is not None:
            raise AssertionError(f"trainer exited ({proc.returncode}) before the event: {proc.stderr.read()[-3000:]}")
        time.sleep(0.05)
    raise AssertionError("timed out waiting for a trainer event")
