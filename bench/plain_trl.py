"""The baseline of the training benchmarks (`bench/gpu_train.py`, `trainer/bench/train_bench.py`):
what a user would write with TRL alone, with the same model, prompts, reward and GRPOConfig as
`tooln1 train`; and the prompts' mean length in tokens, for tokens/s."""

from __future__ import annotations

import json

from tooln1 import data as data_mod
from tooln1.train import _common_args, load_model, load_tokenizer


def mean_prompt_tokens(cfg: dict) -> float:
    tok = load_tokenizer(cfg["model"])
    samples = data_mod.load_samples(cfg["data"]["train"])
    return sum(len(tok(data_mod.render_prompt(s), add_special_tokens=False)["input_ids"]) for s in samples) / len(samples)


def plain_grpo_trainer(cfg: dict, out_dir: str, precision: str, callbacks: list):
    """A plain TRL GRPOTrainer for a normalised config (`tooln1.config.from_dict`)."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from tooln1 import reward

    g = cfg["grpo"]
    tok = load_tokenizer(cfg["model"])  # the same tokenizer (AutoTokenizer would swap qwen2's pre-tokenizer)
    samples = data_mod.load_samples(cfg["data"]["train"])
    ds = Dataset.from_list([{"prompt": data_mod.render_prompt(s), "answer": json.dumps(s["answer"])}
                            for s in samples])

    def tool_reward(prompts, completions, answer, **kw):
        return [float(reward.score(c, json.loads(a))["reward"]) for c, a in zip(completions, answer)]

    args = GRPOConfig(**_common_args(cfg, g, out_dir), num_generations=g["num_generations"],
                      max_completion_length=g["max_completion_length"], temperature=g["temperature"],
                      top_p=g["top_p"], beta=g["beta"], entropy_coef=g["entropy_coef"],
                      scale_rewards=g["scale_rewards"], loss_type=g["loss_type"], max_grad_norm=g["max_grad_norm"])
    return GRPOTrainer(model=load_model(cfg["model"], precision), reward_funcs=[tool_reward], args=args,
                       train_dataset=ds, processing_class=tok, callbacks=callbacks)
