"""The Tool-N1 reward as a TRL reward function, and per-step rollout records and reward statistics.

The reward function scores each completion with `tooln1.reward.score` (the same code the CLI and
the inspector use) and keeps each verdict; the GRPO trainer then pairs the verdicts with what TRL
logged for the batch (prompt, completion, the reward TRL used, the advantage) into RolloutRecords.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

from tooln1.reward import REASON_CODES


def score(completion: str, ground_truth: Any, variant: str) -> dict[str, Any]:
    from tooln1 import reward

    return reward.score(completion, ground_truth, variant=variant)


class StepStats:
    """Verdicts and rollouts gathered between two metrics events (thread-safe)."""

    def __init__(self, variant: str) -> None:
        self.variant = variant
        self.lock = threading.Lock()
        self.batch: list[dict[str, Any]] = []  # verdicts of the reward call in flight
        self.results: list[dict[str, Any]] = []  # verdicts since the last metrics event
        self.rollouts: dict[int, list[dict[str, Any]]] = {}  # step -> records not yet written
        self.generation_s = 0.0
        self.tokens = 0  # completion tokens generated since the last metrics event

    def reward_metrics(self) -> dict[str, float | None]:
        """Format-ok rate, exact-match rate and `reason/<code>` fractions since the last call; then reset."""
        with self.lock:
            results, self.results = self.results, []
        if not results:
            return {}
        n = len(results)
        reasons = Counter(r.get("reason", "?") for r in results)
        out: dict[str, float | None] = {
            "reward/format_ok_rate": sum(1 for r in results if r.get("format_ok")) / n,
            "reward/exact_match_rate": sum(1 for r in results if r.get("format_ok") and r.get("calls_ok")) / n,
        }
        for code in REASON_CODES:
            out[f"reason/{code}"] = reasons.get(code, 0) / n
        return out

    def take_rollouts(self) -> dict[int, list[dict[str, Any]]]:
        with self.lock:
            out, self.rollouts = self.rollouts, {}
        return out


def make_reward_function(stats: StepStats):
    """A TRL reward function: `(prompts, completions, ground_truth, **columns) -> list[float]`."""

    def tooln1_reward(prompts, completions, ground_truth, **kwargs) -> list[float]:
        verdicts = []
        for completion, gt in zip(completions, ground_truth):
            text = completion if isinstance(completion, str) else completion[-1]["content"]
            calls = json.loads(gt) if isinstance(gt, str) else gt
            verdicts.append(score(text, calls, stats.variant))
        with stats.lock:  # the trainer gathers the batch's verdicts of every rank into stats.results
            stats.batch = verdicts
        return [float(v["reward"]) for v in verdicts]

    tooln1_reward.__name__ = "tooln1"
    return tooln1_reward


def build_records(
    *,
    step: int,
    prompts: list[str],
    completions: list[str],
    rewards: list[float],
    advantages: list[float] | None,
    verdicts: list[dict[str, Any]],
    ground_truths: list[Any],
    prompt_ids: list[str],
    num_generations: int,
    prompt_tokens: list[int] | None,
    completion_tokens: list[int] | None,
    variant: str,
) -> list[dict[str, Any]]:
    """RolloutRecords (src/core/types.ts). The prompt text is stored on the first rollout of each
    group; the others carry `prompt_ref` (the prompt id) to keep files small."""
    records = []
    for i, completion in enumerate(completions):
        g = i % num_generations
        v = verdicts[i] if i < len(verdicts) else {}
        gt = ground_truths[i]
        rec: dict[str, Any] = {
            "v": 1,
            "step": step,
            "prompt_id": prompt_ids[i],
            "group_index": g,
        }
        if g == 0:
            rec["prompt"] = prompts[i]
        else:
            rec["prompt_ref"] = prompt_ids[i]
        rec["completion"] = completion
        rec["ground_truth"] = json.loads(gt) if isinstance(gt, str) else gt
        rec["reward"] = float(rewards[i])
        rec["details"] = {k: v[k] for k in ("format_ok", "calls_ok", "reason", "mismatch") if k in v}
        rec["advantage"] = None if advantages is None else float(advantages[i])
        if prompt_tokens is not None and completion_tokens is not None:
            rec["tokens"] = {"prompt": int(prompt_tokens[i]), "completion": int(completion_tokens[i])}
        rec["reward_variant"] = variant
        records.append(rec)
    return records
