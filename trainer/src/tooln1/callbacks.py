"""The one TrainerCallback through which every metric, rollout file, evaluation, checkpoint and
cancellation of a run leaves the trainer (both for GRPO and SFT)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

from transformers import TrainerCallback

from tooln1.events import RunWriter
from tooln1.metrics import map_trl
from tooln1.rollouts import StepStats, score


def evaluate_samples(model, tokenizer, samples: list[dict[str, Any]], *, variant: str, max_new_tokens: int,
                     batch_size: int = 16) -> list[dict[str, Any]]:
    """Greedy completions for held-out samples (each dict has `prompt` and `ground_truth`), each scored."""
    import torch

    was_training = model.training
    model.eval()
    results = []
    old_side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        for start in range(0, len(samples), batch_size):
            chunk = samples[start : start + batch_size]
            enc = tokenizer([s["prompt"] for s in chunk], return_tensors="pt", padding=True, add_special_tokens=False)
            enc = {k: v.to(model.device) for k, v in enc.items()}
            with torch.no_grad():
                out = model.generate(**enc, do_sample=False, max_new_tokens=max_new_tokens,
                                     pad_token_id=tokenizer.pad_token_id)
            texts = tokenizer.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
            for s, text in zip(chunk, texts):
                gt = json.loads(s["ground_truth"]) if isinstance(s["ground_truth"], str) else s["ground_truth"]
                results.append(score(text, gt, variant))
    finally:
        tokenizer.padding_side = old_side
        if was_training:
            model.train()
    return results


def evaluate(model, tokenizer, samples: list[dict[str, Any]], *, variant: str, max_new_tokens: int,
             batch_size: int = 16) -> dict[str, float | None]:
    """Greedy completions for held-out samples, scored and averaged."""
    if not samples:
        return {}
    results = evaluate_samples(model, tokenizer, samples, variant=variant, max_new_tokens=max_new_tokens,
                               batch_size=batch_size)
    n = len(results)
    return {
        "eval/reward/mean": sum(float(r["reward"]) for r in results) / n,
        "eval/reward/format_ok_rate": sum(1 for r in results if r["format_ok"]) / n,
        "eval/reward/exact_match_rate": sum(1 for r in results if r["format_ok"] and r["calls_ok"]) / n,
        "eval/samples": float(n),
    }


def any_rank(flag: bool, device=None) -> bool:
    """True on every rank when `flag` is true on any; call it on all ranks at the same point."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return flag
    on = device if dist.get_backend() == "nccl" else "cpu"
    t = torch.tensor([1 if flag else 0], dtype=torch.int32, device=on)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


class RunCallback(TrainerCallback):
    def __init__(self, writer: RunWriter, *, stats: StepStats | None, tokenizer, eval_samples: list[dict[str, Any]],
                 eval_cfg: dict[str, Any], variant: str, max_new_tokens: int, step_offset: int = 0,
                 should_cancel=lambda: False, write_rollouts: bool = True, phase: str = "grpo",
                 total_steps: int | None = None, bfcl=None) -> None:
        self.total_steps = total_steps
        self.bfcl = bfcl  # tooln1.bfcl.TrainingEval, shared by the phases of a run
        self.w = writer
        self.stats = stats
        self.tokenizer = tokenizer
        self.eval_samples = eval_samples
        self.eval_cfg = eval_cfg
        self.variant = variant
        self.max_new_tokens = max_new_tokens
        self.offset = step_offset
        self.should_cancel = should_cancel
        self.write_rollouts = write_rollouts
        self.phase = phase
        self.cancelled = False
        self.last_eval: dict[str, float | None] = {}
        self._step_start = 0.0
        self._window_s = 0.0  # wall time of the steps since the last metrics event
        self._window_steps = 0
        self._last_tokens: float | None = None

    # -- helpers --------------------------------------------------------------------------------

    def _eval(self, model, step: int) -> None:
        if not self.eval_samples:
            return
        metrics = evaluate(model, self.tokenizer, self.eval_samples[: self.eval_cfg["max_samples"]],
                           variant=self.variant, max_new_tokens=self.max_new_tokens,
                           batch_size=self.eval_cfg["batch_size"])
        self.last_eval = metrics
        self.w.eval(step + self.offset, metrics, phase=self.phase)

    def _eval_bfcl(self, model, step: int, *, first: bool = False, last: bool = False) -> None:
        b = self.bfcl
        if b is None or getattr(b, "disabled", False):
            return
        step += self.offset
        if getattr(b, "last_step", None) == step or not b.due(step, first=first, last=last):
            return
        from tooln1.bfcl import BfclError

        path = os.path.join(self.w.run_dir, "eval", f"bfcl-step-{step:05d}.rollouts.jsonl")
        try:
            metrics = b.run(model, self.tokenizer, path)
        except BfclError as e:
            b.disabled = True
            self.w.warning(f"BFCL evaluation turned off for this run: {e}", code="bfcl_unavailable")
            return
        b.last_step = step
        self.w.eval(step, metrics, path=os.path.relpath(path, self.w.run_dir).replace(os.sep, "/"), phase=self.phase)

    # -- TrainerCallback ------------------------------------------------------------------------

    def on_train_begin(self, args, state, control, model=None, **kw):
        if state.global_step == 0:
            self._eval(model, 0)
            self._eval_bfcl(model, 0, first=True)
        self._last_tokens = float(state.num_input_tokens_seen or 0) if state.global_step else 0.0

    def on_step_begin(self, args, state, control, **kw):
        self._step_start = time.perf_counter()

    def on_step_end(self, args, state, control, model=None, **kw):
        self._window_s += time.perf_counter() - self._step_start
        self._window_steps += 1
        every = self.eval_cfg["every_steps"]
        if every and state.global_step % every == 0 and state.global_step < state.max_steps:
            self._eval(model, state.global_step)
        if state.global_step < state.max_steps:
            self._eval_bfcl(model, state.global_step)
        if state.global_step >= state.max_steps:
            control.should_save = True  # the final checkpoint, always
        if any_rank(self.should_cancel(), args.device):  # the ranks stop at the same step
            self.cancelled = True
            control.should_save = True
            control.should_training_stop = True
            control.should_log = True

    def on_log(self, args, state, control, logs=None, **kw):
        logs = dict(logs or {})
        if "train_runtime" in logs:  # Trainer's end-of-training summary
            return
        metrics = map_trl(logs)
        metrics.pop("epoch", None)
        steps = max(self._window_steps, 1)
        tokens = float(logs.get("num_tokens") or state.num_input_tokens_seen or 0)
        if self._window_s > 0 and self._last_tokens is not None and tokens > self._last_tokens:
            metrics["perf/tokens_per_s"] = (tokens - self._last_tokens) / self._window_s
        self._last_tokens = tokens
        metrics["time/step_s"] = self._window_s / steps
        if self.stats is not None:
            metrics.update(self.stats.reward_metrics())
            with self.stats.lock:
                gen, self.stats.generation_s = self.stats.generation_s, 0.0
                gen_tokens, self.stats.tokens = self.stats.tokens, 0
            metrics["time/generation_s"] = gen / steps
            if gen > 0 and gen_tokens:
                metrics["perf/generation_tokens_per_s"] = gen_tokens / gen
            metrics["time/update_s"] = max(self._window_s - gen, 0.0) / steps
        else:
            metrics["time/update_s"] = self._window_s / steps
        try:
            import torch

            if torch.cuda.is_available():
                metrics["perf/gpu_mem_gb"] = torch.cuda.max_memory_allocated() / 1e9
                torch.cuda.reset_peak_memory_stats()
        except Exception:
            pass
        self._window_s = 0.0
        self._window_steps = 0
        step = state.global_step + self.offset
        total = self.total_steps or ((state.max_steps + self.offset) if state.max_steps and state.max_steps > 0 else None)
        if self.stats is not None and self.write_rollouts:
            for rstep, records in sorted(self.stats.take_rollouts().items()):
                self.w.rollouts(rstep, records)
        self.w.metrics(step, metrics, total_steps=total, epoch=logs.get("epoch"), phase=self.phase)

    def on_save(self, args, state, control, **kw):
        path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        if os.path.isdir(path):
            self.w.checkpoint(state.global_step + self.offset, path)

    def on_train_end(self, args, state, control, model=None, **kw):
        if not self.cancelled:
            self._eval(model, state.global_step)
            self._eval_bfcl(model, state.global_step, last=True)
