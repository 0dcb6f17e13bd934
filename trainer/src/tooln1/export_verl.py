"""`python -m tooln1 export-verl --config CONFIG --out DIR`: the same training as a verl job (the paper's engine).

DIR receives:
  data/train.parquet, data/val.parquet   verl's RL dataset: `data_source`, `prompt` (chat messages, the
                                         Tool-N1 template), `ability`, `reward_model` {style, ground_truth
                                         (the calls as JSON text)}, `extra_info` {split, index, id}
  reward/tooln1_verl_reward.py           verl's custom_reward_function (`compute_score`): our reward with
  reward/tooln1_reward/                  the configured variant; reward.py and toolcall.py are copied byte
                                         for byte from the trainer, so scores equal `tooln1 score`
  run_verl.sh                            single node: python3 -m verl.trainer.main_ppo with Hydra overrides
  submit_ray_job.sh                      the same job on an existing Ray cluster (`ray job submit`)
  overrides.txt                          the overrides alone, one per line

Both scripts write into RUN_DIR (default DIR/run): verl's file logger to RUN_DIR/verl-metrics.jsonl and
the rollouts to RUN_DIR/rollouts/<step>.jsonl, which the Tool-N1 dashboard reads and follows.
verl needs its own environment (it pins transformers and vLLM versions); nothing here imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
from importlib import resources
from typing import Any

from tooln1 import config as config_mod
from tooln1 import data as data_mod

DATA_SOURCE = "tooln1"
ABILITY = "tool-calling"

REWARD_MODULE = '''"""Tool-N1 Studio's reward as verl's custom_reward_function (exported by `python -m tooln1 export-verl`).

verl: reward.custom_reward_function.path=<this file> reward.custom_reward_function.name=compute_score
tooln1_reward/ holds the trainer's reward.py and toolcall.py unchanged (standard library only).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tooln1_reward.reward import score  # noqa: E402

VARIANT = {variant!r}


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """1 or 0 (or the fine-grained steps) as `python -m tooln1 score` gives; format_ok and calls_ok ride along."""
    gt = json.loads(ground_truth) if isinstance(ground_truth, (str, bytes)) else ground_truth
    verdict = score(solution_str, gt, variant=VARIANT)
    return {{
        "score": float(verdict["reward"]),
        "format_ok": float(bool(verdict.get("format_ok"))),
        "calls_ok": float(bool(verdict.get("calls_ok"))),
    }}
'''


def verl_rows(samples: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """One verl RL-dataset row per sample (the prompt as chat messages the model's template renders)."""
    from tooln1 import template

    rows = []
    for i, s in enumerate(samples):
        messages = [{"role": m["role"], "content": m["content"]} for m in template.build_messages(s)]
        rows.append({
            "data_source": DATA_SOURCE,
            "prompt": messages,
            "ability": ABILITY,
            "reward_model": {"style": "rule", "ground_truth": json.dumps(s["answer"], ensure_ascii=False)},
            "extra_info": {"split": split, "index": i, "id": data_mod.sample_id(s, i)},
        })
    return rows


def write_parquet(path: str, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


def write_reward_module(folder: str, variant: str) -> str:
    pkg = os.path.join(folder, "tooln1_reward")
    os.makedirs(pkg, exist_ok=True)
    for name in ("reward.py", "toolcall.py"):
        with resources.files("tooln1").joinpath(name).open("rb") as src, open(os.path.join(pkg, name), "wb") as dst:
            shutil.copyfileobj(src, dst)
    with open(os.path.join(pkg, "__init__.py"), "w", encoding="utf-8") as f:
        f.write('"""The Tool-N1 reward, copied from the trainer package (tooln1/reward.py, tooln1/toolcall.py)."""\n')
    path = os.path.join(folder, "tooln1_verl_reward.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(REWARD_MODULE.format(variant=variant))
    return path


def hydra_overrides(cfg: dict[str, Any], *, data_dir: str, reward_path: str, experiment: str) -> list[str]:
    """verl's main_ppo overrides for the config: GRPO with the paper's settings taken from grpo.*.

    `$RUN_DIR` is left for the shell: the scripts set it."""
    g, lc = cfg["grpo"], cfg["launch"]
    gen = g["generation"]
    gpus = lc["processes"]
    prompts_per_step = max(1, g["per_device_batch_size"] * g["gradient_accumulation_steps"] * gpus * lc["nodes"]
                           // g["num_generations"])
    micro = max(1, g["per_device_batch_size"] // g["num_generations"])
    every = cfg["eval"]["every_steps"]
    tp = gen["tensor_parallel_size"] if gen["backend"] == "vllm" else 1
    return [
        "algorithm.adv_estimator=grpo",
        "algorithm.use_kl_in_reward=False",
        f"data.train_files={data_dir}/train.parquet",
        f"data.val_files={data_dir}/val.parquet",
        f"data.train_batch_size={prompts_per_step}",
        f"data.max_prompt_length={g['max_prompt_length']}",
        f"data.max_response_length={g['max_completion_length']}",
        "data.filter_overlong_prompts=True",
        "data.truncation=error",
        f"actor_rollout_ref.model.path={cfg['model']}",
        f"actor_rollout_ref.model.enable_gradient_checkpointing={cfg['gradient_checkpointing']}",
        "actor_rollout_ref.model.use_remove_padding=True",
        f"actor_rollout_ref.actor.optim.lr={g['learning_rate']}",
        f"actor_rollout_ref.actor.ppo_mini_batch_size={prompts_per_step}",
        f"actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu={micro}",
        "actor_rollout_ref.actor.use_kl_loss=True",
        f"actor_rollout_ref.actor.kl_loss_coef={g['beta']}",
        "actor_rollout_ref.actor.kl_loss_type=low_var_kl",
        f"actor_rollout_ref.actor.entropy_coeff={g['entropy_coef']}",
        f"actor_rollout_ref.actor.grad_clip={g['max_grad_norm']}",
        "actor_rollout_ref.rollout.name=vllm",
        f"actor_rollout_ref.rollout.n={g['num_generations']}",
        f"actor_rollout_ref.rollout.temperature={g['temperature']}",
        f"actor_rollout_ref.rollout.top_p={g['top_p']}",
        f"actor_rollout_ref.rollout.tensor_model_parallel_size={tp}",
        f"actor_rollout_ref.rollout.gpu_memory_utilization={0.6 if gen['backend'] != 'vllm' else gen['gpu_memory_utilization']}",
        f"actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu={micro}",
        f"actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu={micro}",
        "actor_rollout_ref.ref.fsdp_config.param_offload=True",
        f"reward.custom_reward_function.path={reward_path}",
        "reward.custom_reward_function.name=compute_score",
        "trainer.logger=[console,file]",
        "trainer.project_name=tooln1",
        f"trainer.experiment_name={experiment}",
        f"trainer.n_gpus_per_node={gpus}",
        f"trainer.nnodes={lc['nodes']}",
        f"trainer.total_epochs={max(1, round(g['epochs']))}",
        *([f"trainer.total_training_steps={g['max_steps']}"] if g.get("max_steps") else []),
        f"trainer.save_freq={cfg['checkpoint']['every_steps']}",
        f"trainer.max_actor_ckpt_to_keep={cfg['checkpoint']['keep']}",
        f"trainer.test_freq={every if every else -1}",
        "trainer.val_before_train=" + ("True" if every else "False"),
        "trainer.default_local_dir=$RUN_DIR/checkpoints",
        "trainer.rollout_data_dir=$RUN_DIR/rollouts",
    ]


def _quote(override: str) -> str:
    """Shell-quote an override but leave $RUN_DIR to the shell."""
    return '"' + override.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`") + '"'


SINGLE_NODE = """#!/usr/bin/env bash
# Tool-N1 GRPO with verl on this machine ({gpus} GPU(s) per node, {nodes} node(s)); exported by tooln1 export-verl.
# Needs an environment with verl (pip install verl[vllm]); verl pins its own transformers and vLLM.
# RUN_DIR (default: {default_run}) receives checkpoints, verl-metrics.jsonl and rollouts/<step>.jsonl;
# open it in VS Code with "Tool-N1: Open Run Folder" to follow the run.
set -euo pipefail
HERE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
RUN_DIR="${{RUN_DIR:-$HERE/run}}"
mkdir -p "$RUN_DIR/rollouts"
export VERL_FILE_LOGGER_PATH="$RUN_DIR/verl-metrics.jsonl"
exec python3 -m verl.trainer.main_ppo \\
{overrides} \\
  "$@"
"""

RAY_JOB = """#!/usr/bin/env bash
# The same verl job on a running Ray cluster: RAY_ADDRESS=http://HEAD:8265 ./submit_ray_job.sh
# reward/ travels as the job's working_dir (the reward module must be importable on every worker);
# the data, the model and RUN_DIR must be at the same paths on every node (a shared filesystem).
set -euo pipefail
HERE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
: "${{RAY_ADDRESS:?set RAY_ADDRESS to the Ray dashboard address, e.g. http://head-node:8265}}"
RUN_DIR="${{RUN_DIR:-$HERE/run}}"
exec ray job submit --address="$RAY_ADDRESS" \\
  --runtime-env-json="{{\\"working_dir\\": \\"$HERE/reward\\", \\"env_vars\\": {{\\"VERL_FILE_LOGGER_PATH\\": \\"$RUN_DIR/verl-metrics.jsonl\\"}}}}" \\
  -- python3 -m verl.trainer.main_ppo \\
{overrides} \\
  "$@"
"""


def export(cfg: dict[str, Any], out: str, *, experiment: str | None = None) -> dict[str, Any]:
    """Write DIR (see the module docstring); returns what was written."""
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    d = cfg["data"]
    samples = data_mod.load_samples(d["train"], d["format"])
    if d.get("max_samples"):
        samples = samples[: d["max_samples"]]
    if d.get("validation"):
        train, val = samples, data_mod.load_samples(d["validation"], d["format"])
    else:
        train, val = data_mod.split(samples, d["validation_split"], cfg["seed"], d["shuffle"])
    if not train:
        raise data_mod.DataError(f"{d['train']}: no training samples")
    bad = [(data_mod.sample_id(s, i), p[0]) for i, s in enumerate(train + val) if (p := data_mod.check_sample(s))]
    if bad:
        raise data_mod.DataError(f"{len(bad)} invalid samples, e.g. {bad[0][0]}: {bad[0][1]} "
                                 f"(python -m tooln1 preflight --config CONFIG lists them)")
    data_dir = os.path.join(out, "data")
    write_parquet(os.path.join(data_dir, "train.parquet"), verl_rows(train, "train"))
    write_parquet(os.path.join(data_dir, "val.parquet"), verl_rows(val or train[:1], "test"))
    reward_path = write_reward_module(os.path.join(out, "reward"), cfg["reward"]["variant"])
    experiment = experiment or os.path.basename(out.rstrip(os.sep))
    local = hydra_overrides(cfg, data_dir=data_dir, reward_path=reward_path, experiment=experiment)
    # on Ray the reward folder is the job's working directory (shipped to every worker)
    ray = hydra_overrides(cfg, data_dir=data_dir, reward_path="tooln1_verl_reward.py", experiment=experiment)
    with open(os.path.join(out, "overrides.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(local) + "\n")
    lc = cfg["launch"]
    fmt = {"gpus": lc["processes"], "nodes": lc["nodes"], "default_run": "<this folder>/run"}
    scripts = {"run_verl.sh": SINGLE_NODE.format(overrides=" \\\n".join("  " + _quote(o) for o in local), **fmt),
               "submit_ray_job.sh": RAY_JOB.format(overrides=" \\\n".join("  " + _quote(o) for o in ray))}
    for name, text in scripts.items():
        path = os.path.join(out, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, 0o755)
    return {"out": out, "train": len(train), "validation": len(val or train[:1]), "reward": reward_path,
            "scripts": sorted(scripts), "overrides": local}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tooln1 export-verl", description=__doc__.splitlines()[0])
    p.add_argument("--config", required=True, help="training config (JSON or YAML)")
    p.add_argument("--out", required=True, help="folder to write (data, reward module, launch scripts)")
    p.add_argument("--experiment", help="verl trainer.experiment_name (default: the folder's name)")
    a = p.parse_args(argv)
    try:
        cfg = config_mod.load(a.config)
        result = export(cfg, a.out, experiment=a.experiment)
    except (config_mod.ConfigError, data_mod.DataError) as e:
        print(f"export-verl: {e}", file=sys.stderr)
        return 2
    print(f"wrote {result['train']} training and {result['validation']} validation samples, the reward module and "
          f"{', '.join(result['scripts'])} to {result['out']}")
    print(f"run on this machine: {shlex.quote(os.path.join(result['out'], 'run_verl.sh'))}")
    return 0
