"""GRPO on one GPU: `python -m tooln1 train` against a plain TRL script -> bench/results/gpu_train.json.

A randomly initialised model of Qwen2.5-0.5B's shape (the tiny 2,048-token vocabulary) in bf16,
GRPO with 8 prompts x 5 rollouts of up to 256 tokens per step, the same data, reward and GRPOConfig on
both sides, timed by the same callback. Reports seconds per step (first step apart: it warms up),
tokens/s (prompt + completion tokens), the step split (generation: TRL's generate-and-score of the
step, timed the same way on both sides; update: the rest), peak GPU memory; then ours once more through torchrun (the multi-process
path, with as many ranks as GPUs, 1 on one GPU) and, when vLLM is importable, ours with
`grpo.generation.backend: vllm` (colocate). Under 5 minutes on one H200.

    PYTHONPATH=trainer/src python bench/gpu_train.py [--steps 6] [--smoke]

`--smoke` runs the same code on CPU with the tiny model and a few tokens (a check of the script,
not a measurement). Results also go to $OUT/gpu_train.json when OUT is set.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
from transformers import TrainerCallback  # noqa: E402

from plain_trl import mean_prompt_tokens, plain_grpo_trainer  # noqa: E402
from tooln1 import synthetic  # noqa: E402
from tooln1.config import from_dict  # noqa: E402
from tooln1.events import read_events  # noqa: E402
from tooln1.tiny import make_tiny_model  # noqa: E402
from tooln1.train import Run, load_model  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
QWEN_05B = {"hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
            "num_key_value_heads": 2, "max_position_embeddings": 4096}


class StepTimer(TrainerCallback):
    """Per-step wall time (on_step_begin -> on_step_end), the time in TRL's generate-and-score of each
    step (a wrapper installed on the trainer object, the same on both sides) and tokens."""

    def __init__(self, prompt_tokens: float, batch: int) -> None:
        self.prompt_tokens = prompt_tokens
        self.batch = batch
        self.walls: list[float] = []
        self.gens: list[float] = []
        self.tokens: list[float] = []
        self._t = 0.0
        self._gen = 0.0
        self.peak_gb: float | None = None  # read at each step end: our callback resets CUDA's peak when it logs

    def wrap(self, trainer) -> None:
        inner = trainer._generate_and_score_completions

        def timed(inputs):
            sync()
            t0 = time.perf_counter()
            out = inner(inputs)
            sync()
            self._gen += time.perf_counter() - t0
            return out

        trainer._generate_and_score_completions = timed

    def on_train_begin(self, args, state, control, **kw):
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()

    def on_step_begin(self, args, state, control, **kw):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self._t = time.perf_counter()

    def on_step_end(self, args, state, control, **kw):
        sync()
        self.walls.append(time.perf_counter() - self._t)
        self.gens.append(self._gen)
        self._gen = 0.0
        if torch.cuda.is_available():
            self.peak_gb = max(self.peak_gb or 0.0, torch.cuda.max_memory_allocated() / 1e9)

    def on_log(self, args, state, control, logs=None, **kw):
        logs = logs or {}
        if "completions/mean_length" in logs:
            self.tokens.append(self.batch * (self.prompt_tokens + float(logs["completions/mean_length"])))

    def result(self) -> dict:
        return summarise(self.walls, self.gens, self.tokens, peak_gb=self.peak_gb)


def sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def summarise(walls: list[float], gens: list[float], tokens: list[float], peak_gb: float | None) -> dict:
    steady = slice(1, None) if len(walls) > 1 else slice(0, None)
    w, g, t = walls[steady], gens[steady], tokens[steady]
    step_s = sum(w) / len(w)
    gen_s = sum(g) / len(g) if g else None
    return {
        "steps": len(walls), "first_step_s": walls[0] if walls else None, "step_s": step_s,
        "generation_s": gen_s, "update_s": step_s - gen_s if gen_s is not None else None,
        "generation_fraction": gen_s / step_s if gen_s is not None else None,
        "tokens_per_s": sum(t) / sum(w) if t and len(t) == len(w) else None,
        "peak_gpu_mem_gb": peak_gb, "step_walls_s": walls,
    }


def make_config(model: str, train: str, steps: int, completion: int, generation: dict | None = None,
                batch: int = 40) -> dict:
    grpo = {"max_steps": steps, "per_device_batch_size": batch, "num_generations": 5, "max_completion_length": completion,
            "learning_rate": 1e-6, "temperature": 1.0}
    if generation:
        grpo["generation"] = generation
    return {
        "model": model, "method": "grpo", "seed": 0, "precision": "bf16" if torch.cuda.is_available() else "fp32",
        "data": {"train": train, "validation_split": 0}, "grpo": grpo,
        "eval": {"every_steps": 0}, "checkpoint": {"every_steps": 1000, "keep": 1}, "logging": {"every_steps": 1},
    }


def run_ours(raw: dict, run_dir: str, prompt_tokens: float) -> dict:
    cfg = from_dict(raw)
    timer = StepTimer(prompt_tokens, cfg["grpo"]["per_device_batch_size"])

    class BenchRun(Run):
        def _train(self, trainer, out_dir, cb):
            trainer.add_callback(timer)
            timer.wrap(trainer)
            return super()._train(trainer, out_dir, cb)

    code = BenchRun(cfg, run_dir, echo=False).execute()
    if code != 0:
        raise RuntimeError(f"tooln1 run failed ({code}): {[e for e in read_events(run_dir) if e['type'] == 'error']}")
    out = timer.result()
    out.update(own_metrics(run_dir))
    return out


def own_metrics(run_dir: str) -> dict:
    """What our event stream reported (steady steps): generation tokens/s, our generation/update split."""
    ms = [e["metrics"] for e in read_events(run_dir) if e["type"] == "metrics"][1:]

    def mean(k):
        vals = [m[k] for m in ms if m.get(k) is not None]
        return sum(vals) / len(vals) if vals else None

    return {"events": {k: mean(k) for k in ("perf/generation_tokens_per_s", "perf/tokens_per_s", "time/step_s",
                                            "time/generation_s", "time/update_s", "perf/gpu_mem_gb")}}


def run_plain(raw: dict, out_dir: str, prompt_tokens: float) -> dict:
    """What a user would write with TRL alone: the same model, prompts, reward and GRPOConfig."""
    cfg = from_dict(raw)
    timer = StepTimer(prompt_tokens, cfg["grpo"]["per_device_batch_size"])
    trainer = plain_grpo_trainer(cfg, out_dir, cfg["precision"], [timer])
    timer.wrap(trainer)
    trainer.train()
    out = timer.result()
    del trainer
    return out


def run_torchrun(raw: dict, tmp: str, ranks: int, timeout: float) -> dict:
    """Ours as a separate `torchrun -m tooln1 train` (the multi-process worker path), read from its events."""
    path = os.path.join(tmp, "torchrun.json")
    with open(path, "w") as f:
        json.dump(raw, f)
    run_dir = os.path.join(tmp, "ours-torchrun")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={ranks}", "-m", "tooln1",
           "train", "--config", path, "--run-dir", run_dir, "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    events = read_events(run_dir) if os.path.exists(os.path.join(run_dir, "events.jsonl")) else []
    ms = [e["metrics"] for e in events if e["type"] == "metrics"]
    status = [e.get("status") for e in events if e["type"] == "run_finished"]
    out = {"ranks": ranks, "exit_code": proc.returncode, "status": status, "wall_s": wall,
           "metrics_events": len(ms), "rollout_counts": [e["count"] for e in events if e["type"] == "rollouts"]}
    if proc.returncode != 0:
        out["stderr_tail"] = proc.stderr[-2000:]
        return out
    walls = [m.get("time/step_s") for m in ms]
    gens = [m.get("time/generation_s") for m in ms]
    mems = [m["perf/gpu_mem_gb"] for m in ms if m.get("perf/gpu_mem_gb") is not None]
    out.update(summarise(walls, gens, [], peak_gb=max(mems) if mems else None))
    out.update(own_metrics(run_dir))
    return out


def release() -> None:
    import gc

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def gpu_info() -> dict:
    if not torch.cuda.is_available():
        return {"name": None, "count": 0}
    p = torch.cuda.get_device_properties(0)
    return {"name": torch.cuda.get_device_name(0), "count": torch.cuda.device_count(),
            "memory_gb": round(p.total_memory / 1e9, 1), "capability": f"{p.major}.{p.minor}"}


def versions() -> dict:
    out = {"python": platform.python_version(), "torch": torch.__version__}
    for name in ("transformers", "trl", "accelerate", "vllm"):
        try:
            out[name] = __import__(name).__version__
        except Exception:  # absent or broken: say so
            out[name] = None
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=6, help="GRPO steps per run (the first is reported apart)")
    p.add_argument("--completion", type=int, default=256, help="most tokens per rollout")
    p.add_argument("--smoke", action="store_true", help="CPU check of this script: tiny model, 2 steps, 16 tokens")
    p.add_argument("--no-torchrun", action="store_true", help="skip the run through torchrun")
    p.add_argument("--out", default=os.path.join(REPO, "bench", "results", "gpu_train.json"))
    a = p.parse_args()
    batch = 40
    if a.smoke:
        a.steps, a.completion, batch = 2, 8, 10
        torch.set_num_threads(2)
    elif not torch.cuda.is_available():
        print("gpu_train: no CUDA GPU; use --smoke for a CPU check of the script", file=sys.stderr)
        return 2
    started = time.perf_counter()
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        dims = {} if a.smoke else QWEN_05B
        model = make_tiny_model(os.path.join(tmp, "model"), seed=0, **dims)
        n_params = sum(v.numel() for v in load_model(model, "fp32").parameters())
        train = os.path.join(tmp, "train.jsonl")
        synthetic.write_jsonl(train, synthetic.generate(400, seed=1))
        raw = make_config(model, train, a.steps, a.completion, batch=batch)
        pt = mean_prompt_tokens(from_dict(raw))
        # a one-step warm-up so neither side pays for CUDA initialisation and kernel selection alone
        run_plain(make_config(model, train, 1, 8, batch=batch), os.path.join(tmp, "warmup"), pt)
        release()
        results["baseline"] = {"name": "plain TRL GRPOTrainer script, same model/data/reward/GRPOConfig",
                               **run_plain(raw, os.path.join(tmp, "plain"), pt)}
        print(f"plain TRL: {results['baseline']['step_s']:.2f} s/step", file=sys.stderr)
        release()
        results["ours"] = {"name": "tooln1 train (events, rollout files, reward stats, final checkpoint)",
                           **run_ours(raw, os.path.join(tmp, "ours"), pt)}
        print(f"ours: {results['ours']['step_s']:.2f} s/step", file=sys.stderr)
        release()
        if not a.no_torchrun:
            ranks = max(torch.cuda.device_count(), 1) if not a.smoke else 2
            results["ours_torchrun"] = {"name": f"tooln1 train under torchrun, {ranks} rank(s)",
                                        **run_torchrun(raw, tmp, ranks, timeout=600)}
            print(f"torchrun: exit {results['ours_torchrun']['exit_code']}", file=sys.stderr)
        if importlib.util.find_spec("vllm") is not None and torch.cuda.is_available():
            vraw = make_config(model, train, a.steps, a.completion,
                               {"backend": "vllm", "vllm_mode": "colocate", "gpu_memory_utilization": 0.3}, batch=batch)
            try:
                results["ours_vllm"] = {"name": "tooln1 train, grpo.generation.backend: vllm (colocate)",
                                        **run_ours(vraw, os.path.join(tmp, "ours-vllm"), pt)}
            except Exception as e:  # report, keep the other numbers
                results["ours_vllm"] = {"error": f"{type(e).__name__}: {e}"[:2000]}
        else:
            results["ours_vllm"] = {"skipped": "vllm is not importable" if torch.cuda.is_available() else "no GPU"}
    o, b = results["ours"], results["baseline"]
    result = {
        "benchmark": "gpu_train",
        "what": (f"GRPO, {'tiny model (smoke, CPU)' if a.smoke else 'Qwen2.5-0.5B-shaped random model'} "
                 f"({n_params / 1e6:.1f}M parameters), {a.steps} steps of {batch} rollouts ({batch // 5} prompts x 5) of up to "
                 f"{a.completion} tokens, prompts about {pt:.0f} tokens"),
        "ratio_step_s": b["step_s"] / o["step_s"],  # > 1: ours is faster
        "ratio_tokens_per_s": (o["tokens_per_s"] / b["tokens_per_s"]) if o["tokens_per_s"] and b["tokens_per_s"] else None,
        **results,
        "gpu": gpu_info(),
        "versions": versions(),
        "load_average_at_end": os.getloadavg(),
        "total_s": time.perf_counter() - started,
        "smoke": a.smoke,
        "command": "python bench/gpu_train.py " + " ".join(sys.argv[1:]),
    }
    text = json.dumps(result, indent=2)
    outs = [a.out] + ([os.path.join(os.environ["OUT"], "gpu_train.json")] if os.environ.get("OUT") else [])
    for path in outs:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            f.write(text + "\n")
    print(json.dumps({k: result[k] for k in ("ratio_step_s", "ratio_tokens_per_s", "total_s")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
