"""GRPO's own lift against further SFT, on one GPU (the CPU experiment of bench/grpo_lift.py, bigger).

One command, under 5 minutes on one data-centre GPU. Per seed: the tiny model and the synthetic data
are built on the spot, SFT trains to its plateau, then GRPO and the control (the same number of
further SFT steps) each start from that checkpoint; 512 held-out prompts scored greedily every 10
steps, paired comparison at the end, GRPO tokens/s. Falls back to CPU when there is no GPU (slow).

    PYTHONPATH=trainer/src python bench/gpu_grpo_lift.py [--seeds 0,1] [--budget-s 150]

Writes bench/results/grpo-lift-gpu-s<seed>.json per seed and bench/results/grpo-lift-gpu.json (the
summary), and copies of them to $OUT when that is set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import grpo_lift  # noqa: E402


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0,1", help="comma-separated seeds (model and training)")
    p.add_argument("--budget-s", type=float, default=150, help="start no further seed after this many seconds")
    p.add_argument("--sft-steps", type=int, default=300)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--val", type=int, default=512)
    p.add_argument("--grpo", default="{}", help="JSON object of grpo.* overrides")
    p.add_argument("--threads", type=int, default=2, help="CPU threads (only without a GPU)")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    summary: dict = {"runs": {}, "command": "python bench/gpu_grpo_lift.py " + " ".join(argv)}
    for seed in [int(s) for s in a.seeds.split(",") if s]:
        if summary["runs"] and time.perf_counter() - t0 > a.budget_s:
            summary["skipped_seed"] = seed
            break
        name = f"gpu-s{seed}"
        code = grpo_lift.main(["--name", name, "--seed", str(seed), "--model-seed", str(seed),
                               "--sft-steps", str(a.sft_steps), "--steps", str(a.steps), "--eval-every", "10",
                               "--val", str(a.val), "--precision", "fp32", "--grpo", a.grpo,
                               "--threads", str(a.threads)])
        if code:
            return code
        with open(os.path.join(HERE, "results", f"grpo-lift-{name}.json")) as f:
            r = json.load(f)
        summary["runs"][name] = {k: r.get(k) for k in ("final", "paired_grpo_minus_sft", "paired_control_minus_sft",
                                                        "paired_grpo_minus_control", "sft_sampled", "wall_s", "gpu")}
        summary["runs"][name]["grpo_tokens_per_s"] = r["arms"]["grpo"].get("tokens_per_s_median")
        summary["runs"][name]["grpo_step_s"] = r["arms"]["grpo"].get("step_s_median")
    summary["wall_s"] = round(time.perf_counter() - t0, 1)
    text = json.dumps(summary, indent=1)
    for d in [os.path.join(HERE, "results")] + ([os.environ["OUT"]] if os.environ.get("OUT") else []):
        with open(os.path.join(d, "grpo-lift-gpu.json"), "w") as f:
            f.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
