"""`python -m tooln1 train --config CONFIG [--run-dir DIR] [--resume]`: GRPO / SFT / SFT-then-GRPO on TRL.

The shape of a run:
  load config -> run directory (run.json, events.jsonl) -> tokenizer, data, pre-flight
  -> [SFT phase] -> [GRPO phase] -> run_finished
Every metric, rollout file, evaluation and checkpoint leaves through callbacks.RunCallback.

Exit codes: 0 completed or cancelled (SIGTERM, or a first SIGINT: Ctrl-C), 1 failed (exception), 2 bad config, data or model
path, or pre-flight refused.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import signal
import sys
import time
import traceback
from typing import Any

from tooln1 import config as config_mod
from tooln1 import data as data_mod
from tooln1 import launch as launch_mod
from tooln1.events import NullWriter, RunWriter


class ModelPathError(ValueError):
    """The configured model is not a local Hugging Face model directory."""


class PreflightRefused(RuntimeError):
    pass


def _offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def check_model_dir(path: str) -> None:
    if not os.path.isdir(path):
        raise ModelPathError(
            f"model: {path} is not a directory. Give a local Hugging Face model folder (config.json, weights, "
            f"tokenizer); nothing is downloaded. For a test model: python -m tooln1 make-tiny-model --out DIR"
        )
    if not os.path.isfile(os.path.join(path, "config.json")):
        raise ModelPathError(f"model: {path} has no config.json; it is not a Hugging Face model folder")


def _pre_tokenizer(tok) -> Any:
    try:
        return json.loads(tok.backend_tokenizer.to_str()).get("pre_tokenizer")
    except Exception:  # not a tokenizers-backed tokenizer
        return None


def load_tokenizer(path: str):
    """The model folder's tokenizer, faithful to its tokenizer.json.

    transformers replaces the pre-tokenizer of some model types (qwen2 among them) with its own when
    loading through AutoTokenizer; when that changes what tokenizer.json says, the file wins, so the
    trainer tokenizes exactly as tokenizer.json readers (the ONNX runtime side) do.
    """
    from transformers import AutoTokenizer

    check_model_dir(path)
    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    file = os.path.join(path, "tokenizer.json")
    if os.path.isfile(file):
        with open(file, encoding="utf-8") as f:
            wanted = json.load(f).get("pre_tokenizer")
        if _pre_tokenizer(tok) not in (None, wanted):
            from transformers import PreTrainedTokenizerFast

            tok = PreTrainedTokenizerFast.from_pretrained(path, local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def _dtype(precision: str):
    import torch

    if precision == "bf16" or (precision == "auto" and torch.cuda.is_available() and torch.cuda.is_bf16_supported()):
        return torch.bfloat16
    if precision == "fp16":
        return torch.float16
    return torch.float32


def load_model(path: str, precision: str):
    from transformers import AutoModelForCausalLM

    check_model_dir(path)
    return AutoModelForCausalLM.from_pretrained(path, dtype=_dtype(precision), local_files_only=True)


def latest_checkpoint(folder: str) -> str | None:
    """The newest complete `checkpoint-N` in `folder` (complete: trainer_state.json written)."""
    found = []
    for d in glob.glob(os.path.join(folder, "checkpoint-*")):
        m = re.fullmatch(r"checkpoint-(\d+)", os.path.basename(d))
        if m and os.path.isfile(os.path.join(d, "trainer_state.json")):
            found.append((int(m.group(1)), d))
    return max(found)[1] if found else None


def _oom_hint(cfg: dict[str, Any], phase: str) -> str:
    if phase == "sft":
        s = cfg["sft"]
        return (f"out of memory: lower sft.per_device_batch_size (now {s['per_device_batch_size']}) and raise "
                f"sft.gradient_accumulation_steps, lower sft.max_length (now {s['max_length']}), or set "
                f"gradient_checkpointing: true or lora.enabled: true")
    g = cfg["grpo"]
    return (f"out of memory: lower grpo.per_device_batch_size (now {g['per_device_batch_size']}, keep it a multiple "
            f"of grpo.num_generations={g['num_generations']}) and raise grpo.gradient_accumulation_steps, lower "
            f"grpo.max_completion_length (now {g['max_completion_length']}), or set gradient_checkpointing: true "
            f"or lora.enabled: true")


PHASE_NAMES = {"sft": "SFT", "grpo": "GRPO", "setup": "setup"}


def finish_sentence(step: int, last_eval: dict[str, Any]) -> str:
    """The run_finished message of a completed run, as a sentence (no dict printed)."""
    parts = [f"Finished at step {step}"]
    reward = last_eval.get("eval/reward/mean")
    if isinstance(reward, (int, float)):
        held = f"held-out reward {reward:.2f}"
        n = last_eval.get("eval/samples")
        if isinstance(n, (int, float)) and n > 0:
            held += f" on {int(n)} samples"
        exact = last_eval.get("eval/reward/exact_match_rate")
        if isinstance(exact, (int, float)):
            held += f", exact match {exact:.0%}"
        parts.append(held)
    return "; ".join(parts) + "."


def failure_sentence(e: BaseException, phase: str, step: int, *, oom: bool) -> str:
    """The run_finished message of a failed run: what stopped it, where; the error event has the details."""
    where = PHASE_NAMES.get(phase, phase)
    if oom:
        return f"Out of memory during {where} at step {step}; see the hint for settings to lower."
    first = (str(e).strip().splitlines() or [""])[0][:200]
    return f"{type(e).__name__} during {where} at step {step}" + (f": {first}" if first else "") + "."


def _is_oom(e: BaseException) -> bool:
    import torch

    return isinstance(e, torch.OutOfMemoryError) or "out of memory" in str(e).lower()


def _make_grpo_trainer_class():
    from trl import GRPOTrainer

    class ToolN1GRPOTrainer(GRPOTrainer):
        """TRL's GRPOTrainer plus rollout capture: after TRL generates and scores a batch, the prompts,
        completions, the rewards TRL used and the advantages it computed become RolloutRecords."""

        tooln1_stats = None
        tooln1_step_offset = 0
        tooln1_num_generations = 1

        def _generate_and_score_completions(self, inputs):
            t0 = time.perf_counter()
            output = super()._generate_and_score_completions(inputs)
            stats = self.tooln1_stats
            if stats is None or not self.model.training:
                return output
            from tooln1.rollouts import build_records

            # TRL's logs hold the whole batch of every rank (gathered in rank order); the verdicts, ids
            # and token counts are this rank's: gather them in the same order, on every rank.
            local = {
                "verdicts": list(stats.batch),
                "ground_truths": [x["ground_truth"] for x in inputs],
                "prompt_ids": [x["prompt_id"] for x in inputs],
                "prompt_tokens": output["prompt_mask"].sum(dim=1).tolist(),
                "completion_tokens": output["completion_mask"].sum(dim=1).tolist(),
            }
            if self.accelerator.num_processes > 1:
                from accelerate.utils import gather_object

                parts = gather_object([local])
                local = {k: [x for part in parts for x in part[k]] for k in local}
            n = len(local["prompt_ids"])
            tail = lambda d: list(d)[-n:]  # noqa: E731 - TRL's logs are deques of the latest batch
            with stats.lock:
                stats.results.extend(local["verdicts"])
                stats.tokens += int(sum(local["completion_tokens"]))
                stats.generation_s += time.perf_counter() - t0
            if not self.accelerator.is_main_process:
                return output
            records = build_records(
                step=self.state.global_step + 1 + self.tooln1_step_offset,
                prompts=tail(self._logs["prompt"]),
                completions=tail(self._logs["completion"]),
                rewards=tail(self._logs["rewards"]["tooln1"]),
                advantages=tail(self._logs["advantages"]),
                verdicts=local["verdicts"],
                ground_truths=local["ground_truths"],
                prompt_ids=local["prompt_ids"],
                num_generations=self.tooln1_num_generations,
                prompt_tokens=local["prompt_tokens"],
                completion_tokens=local["completion_tokens"],
                variant=stats.variant,
            )
            with stats.lock:
                stats.rollouts.setdefault(records[0]["step"], []).extend(records)
            return output

    return ToolN1GRPOTrainer


def generation_args(gen: dict[str, Any]) -> dict[str, Any]:
    """grpo.generation as GRPOConfig's vLLM options (TRL's names); {} for transformers' generate."""
    if gen["backend"] != "vllm":
        return {}
    out: dict[str, Any] = {"use_vllm": True, "vllm_mode": gen["vllm_mode"]}
    if gen["vllm_mode"] == "colocate":
        out.update(vllm_gpu_memory_utilization=gen["gpu_memory_utilization"],
                   vllm_tensor_parallel_size=gen["tensor_parallel_size"],
                   vllm_enable_sleep_mode=gen["enable_sleep_mode"])
    else:
        out.update(vllm_server_host=gen["server_host"], vllm_server_port=gen["server_port"],
                   vllm_server_timeout=float(gen["server_timeout"]))
        if gen.get("server_base_url"):
            out["vllm_server_base_url"] = gen["server_base_url"]
    return out


def sampled_pass_rates(model, tokenizer, rows: list[dict[str, Any]], *, samples: int, temperature: float, top_p: float,
                       max_new_tokens: int, variant: str, batch_size: int = 32, seed: int = 0) -> list[float]:
    """Per row (`prompt`, `ground_truth`): the fraction of `samples` sampled completions the reward scores 1."""
    import torch

    from tooln1.rollouts import score

    was_training = model.training
    model.eval()
    old_side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    gen = torch.Generator(device="cpu").manual_seed(seed)
    rates: list[float] = []
    try:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start:start + batch_size]
            enc = tokenizer([r["prompt"] for r in chunk], return_tensors="pt", padding=True, add_special_tokens=False)
            enc = {k: v.to(model.device) for k, v in enc.items()}
            torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
            with torch.no_grad():
                out = model.generate(**enc, do_sample=True, temperature=temperature, top_p=top_p, top_k=0,
                                     num_return_sequences=samples, max_new_tokens=max_new_tokens,
                                     pad_token_id=tokenizer.pad_token_id)
            texts = tokenizer.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
            for i, r in enumerate(chunk):
                gt = json.loads(r["ground_truth"]) if isinstance(r["ground_truth"], str) else r["ground_truth"]
                got = [score(t, gt, variant)["reward"] for t in texts[i * samples:(i + 1) * samples]]
                rates.append(sum(1.0 for x in got if float(x) >= 1.0) / samples)
    finally:
        tokenizer.padding_side = old_side
        if was_training:
            model.train()
    return rates


def lora_config(cfg: dict[str, Any]):
    if not cfg["lora"]["enabled"]:
        return None
    from peft import LoraConfig

    lc = cfg["lora"]
    return LoraConfig(r=lc["r"], lora_alpha=lc["alpha"], lora_dropout=lc["dropout"],
                      target_modules=lc["target_modules"], task_type="CAUSAL_LM")


def _common_args(cfg: dict[str, Any], section: dict[str, Any], output_dir: str) -> dict[str, Any]:
    import torch

    dtype = _dtype(cfg["precision"])
    return _with_strategy(_with_checkpointing(dict(
        output_dir=output_dir,
        learning_rate=section["learning_rate"],
        per_device_train_batch_size=section["per_device_batch_size"],
        gradient_accumulation_steps=section["gradient_accumulation_steps"],
        num_train_epochs=section["epochs"],
        max_steps=section["max_steps"] or -1,
        warmup_steps=float(section["warmup_ratio"]),  # a float in [0, 1) is a ratio of the total steps
        lr_scheduler_type="constant_with_warmup",  # verl's (the paper's) default: constant after warmup
        weight_decay=section["weight_decay"],
        logging_steps=cfg["logging"]["every_steps"],
        save_strategy="steps",
        save_steps=cfg["checkpoint"]["every_steps"],
        save_total_limit=cfg["checkpoint"]["keep"],
        report_to="none",
        disable_tqdm=True,
        seed=cfg["seed"],
        bf16=dtype == torch.bfloat16,
        fp16=dtype == torch.float16,
        dataloader_num_workers=0,
        use_cpu=not torch.cuda.is_available(),
    ), cfg), cfg)


DEEPSPEED_STAGES = {"deepspeed-zero2": 2, "deepspeed-zero3": 3}


def _with_strategy(args: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """launch.strategy as TrainingArguments: torch FSDP or a DeepSpeed ZeRO config; ddp needs nothing."""
    strategy = cfg["launch"]["strategy"]
    if launch_mod.world_size() > 1:
        args["ddp_find_unused_parameters"] = False
    if strategy == "fsdp":
        args["fsdp"] = "full_shard auto_wrap"
        args["fsdp_config"] = {"use_orig_params": True}
    elif strategy in DEEPSPEED_STAGES:
        args["deepspeed"] = {
            "zero_optimization": {"stage": DEEPSPEED_STAGES[strategy], "overlap_comm": True},
            "bf16": {"enabled": "auto"}, "fp16": {"enabled": "auto"},
            "train_micro_batch_size_per_gpu": "auto", "train_batch_size": "auto",
            "gradient_accumulation_steps": "auto", "gradient_clipping": "auto",
        }
    return args


def _with_checkpointing(args: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    # Always explicit: TRL's configs turn gradient checkpointing on by default, the config's default is off.
    import dataclasses

    from transformers import TrainingArguments

    on = bool(cfg["gradient_checkpointing"])
    args["gradient_checkpointing"] = on
    if "activation_checkpointing" in {f.name for f in dataclasses.fields(TrainingArguments)}:
        args["activation_checkpointing"] = on  # the newer name; the old one is then only mirrored
    return args


def _quiet(trainer) -> None:
    """Keep stdout for events: drop Trainer's printer and progress-bar callbacks."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)


class Run:
    """One training run: owns the run directory writer and the phases."""

    def __init__(self, cfg: dict[str, Any], run_dir: str, *, resume: bool = False, config_path: str | None = None,
                 echo: bool = True, skip_preflight: bool = False) -> None:
        self.cfg = cfg
        self.run_dir = os.path.abspath(run_dir)
        self.resume = resume
        self.skip_preflight = skip_preflight
        self.cancel_requested = False
        self._cancel_logged = False
        self._resumed_event = False
        self.phase = "setup"
        self.step = 0
        self.total_steps: int | None = None
        self.is_main = launch_mod.is_main()
        self.world_size = launch_mod.world_size()
        self.w: RunWriter | NullWriter = (
            RunWriter(self.run_dir, method=cfg["method"], config=cfg, config_path=config_path, echo=echo,
                      resume=resume) if self.is_main else NullWriter(self.run_dir))
        self.ckpt_root = os.path.join(self.run_dir, "checkpoints")

    # -- signals ----------------------------------------------------------------------------------

    def _on_sigterm(self, signum, frame) -> None:
        # Only a flag: the handler may interrupt the main thread inside RunWriter.emit, which holds a
        # non-reentrant lock, so writing an event from here could deadlock the run.
        if signum == signal.SIGINT and self.cancel_requested:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now, without the checkpoint
        self.cancel_requested = True

    def _should_cancel(self) -> bool:
        """Polled at step boundaries (by every rank, which then agree); logs the request once."""
        if self.cancel_requested and not self._cancel_logged:
            self._cancel_logged = True
            self.w.log("cancel requested (SIGTERM or SIGINT): stopping after the current step and saving a checkpoint")
        return self.cancel_requested

    def _barrier(self) -> None:
        if self.world_size > 1:
            import torch.distributed as dist

            if dist.is_available() and dist.is_initialized():
                dist.barrier()

    # -- data -------------------------------------------------------------------------------------

    def _prepare_data(self, tokenizer):
        d = self.cfg["data"]
        samples = data_mod.load_samples(d["train"], d["format"])
        if d.get("max_samples"):
            samples = samples[: d["max_samples"]]
        if d.get("validation"):
            train, val = (samples, data_mod.load_samples(d["validation"], d["format"]))
        else:
            train, val = data_mod.split(samples, d["validation_split"], self.cfg["seed"], d["shuffle"])
        if not train:
            raise data_mod.DataError(f"{d['train']}: no training samples")
        sft = None
        if d.get("sft_train") and self.cfg["method"] != "grpo":
            sft = data_mod.load_samples(d["sft_train"], d["format"])
            if not sft:
                raise data_mod.DataError(f"{d['sft_train']}: no SFT samples")
        return train, val, sft

    def _rows(self, tokenizer, samples, dropped: set[str]) -> list[dict[str, Any]]:
        rows = []
        for i, s in enumerate(samples):
            sid = data_mod.sample_id(s, i)
            if sid in dropped:
                continue
            rows.append({
                "prompt": data_mod.render_prompt(s),
                "completion": data_mod.sft_completion(s, self.cfg["sft"]["reasoning"]),
                "ground_truth": json.dumps(s["answer"], ensure_ascii=False),
                "prompt_id": sid,
            })
        return rows

    # -- phases -----------------------------------------------------------------------------------

    def _callback(self, tokenizer, eval_rows, stats, offset: int, phase: str):
        from tooln1.callbacks import RunCallback

        max_new = self.cfg["eval"]["max_new_tokens"] or self.cfg["grpo"]["max_completion_length"]
        sharded = self.world_size > 1 and self.cfg["launch"]["strategy"] in ("fsdp", "deepspeed-zero3")
        if sharded and (eval_rows or self.cfg["eval"].get("bfcl")):
            # our evaluation generates with the bare model; sharded parameters would need gathering first
            self.w.warning(f"evaluation during training is off with launch.strategy {self.cfg['launch']['strategy']}: "
                           f"evaluate a saved checkpoint instead", code="eval_sharded")
            eval_rows = []
        # BFCL runs on rank 0 alone (it writes eval/ files); the held-out reward evaluation on every rank
        if self.cfg["eval"].get("bfcl") and not sharded and self.is_main and getattr(self, "_bfcl", None) is None:
            from tooln1.bfcl import TrainingEval

            self._bfcl = TrainingEval(self.cfg["eval"]["bfcl"], batch_size=self.cfg["eval"]["batch_size"],
                                      max_new_tokens=max_new)
        eval_cfg = dict(self.cfg["eval"])
        if phase == "grpo" and eval_cfg.get("grpo_every_steps") is not None:
            eval_cfg["every_steps"] = eval_cfg["grpo_every_steps"]
        return RunCallback(self.w, stats=stats, tokenizer=tokenizer, eval_samples=eval_rows,
                           eval_cfg=eval_cfg, variant=self.cfg["reward"]["variant"], max_new_tokens=max_new,
                           step_offset=offset, should_cancel=self._should_cancel,
                           write_rollouts=self.cfg["logging"]["rollouts"], phase=phase,
                           total_steps=self.total_steps, bfcl=getattr(self, "_bfcl", None))

    def _train(self, trainer, out_dir: str, cb) -> Any:
        _quiet(trainer)
        resume_from = latest_checkpoint(out_dir) if self.resume else None
        if resume_from:
            self.w.log(f"resuming from {os.path.relpath(resume_from, self.run_dir)}")
        if self.resume and not self._resumed_event:
            # the steps logged after this point by the killed run are written again: say so once
            self._resumed_event = True
            step = cb.offset + (int(os.path.basename(resume_from).rsplit("-", 1)[1]) if resume_from else 0)
            self.w.resumed(step, resume_from)
        trainer.train(resume_from_checkpoint=resume_from)
        self.step = trainer.state.global_step + cb.offset
        return trainer.state

    def run_sft(self, model_path: str, tokenizer, train_rows, eval_rows, out_dir: str, offset: int = 0):
        from datasets import Dataset
        from trl import SFTConfig, SFTTrainer

        self.phase = "sft"
        s = self.cfg["sft"]
        args = SFTConfig(**_common_args(self.cfg, s, out_dir), max_length=s["max_length"],
                         completion_only_loss=True, packing=False)
        ds = Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in train_rows])
        cb = self._callback(tokenizer, eval_rows, None, offset, "sft")
        trainer = SFTTrainer(model=load_model(model_path, self.cfg["precision"]), args=args, train_dataset=ds,
                             processing_class=tokenizer, callbacks=[cb], peft_config=lora_config(self.cfg))
        self._train(trainer, out_dir, cb)
        return trainer, cb

    def run_grpo(self, model_path: str, tokenizer, train_rows, eval_rows, out_dir: str, offset: int = 0):
        from datasets import Dataset
        from trl import GRPOConfig

        from tooln1.rollouts import StepStats, make_reward_function

        self.phase = "grpo"
        g = self.cfg["grpo"]
        args = GRPOConfig(
            **_common_args(self.cfg, g, out_dir),
            num_generations=g["num_generations"],
            max_completion_length=g["max_completion_length"],
            temperature=g["temperature"],
            top_p=g["top_p"],
            beta=g["beta"],
            entropy_coef=g["entropy_coef"],
            scale_rewards=g["scale_rewards"],
            loss_type=g["loss_type"],
            max_grad_norm=g["max_grad_norm"],
            # Every option whose TRL default differs from the paper or may change between TRL versions, explicit.
            num_iterations=g["num_iterations"],
            epsilon=g["epsilon"],
            epsilon_high=g["epsilon"],
            mask_truncated_completions=g["mask_truncated_completions"],
            top_entropy_quantile=g["top_entropy_quantile"],
            importance_sampling_level="token",
            top_k=0,
            min_p=None,
            repetition_penalty=1.0,
            steps_per_generation=g["gradient_accumulation_steps"],
            shuffle_dataset=True,
            log_completions=False,
            **{"use_vllm": False, **generation_args(g["generation"])},
        )
        stats = StepStats(self.cfg["reward"]["variant"])
        model = load_model(model_path, self.cfg["precision"])
        if g["difficulty_filter"]["enabled"] and not (self.resume and latest_checkpoint(out_dir)):
            train_rows = self._difficulty_filter(model, tokenizer, train_rows)
        ds = Dataset.from_list([{k: r[k] for k in ("prompt", "ground_truth", "prompt_id")} for r in train_rows])
        cb = self._callback(tokenizer, eval_rows, stats, offset, "grpo")
        cls = _make_grpo_trainer_class()
        trainer = cls(model=model, reward_funcs=[make_reward_function(stats)],
                      args=args, train_dataset=ds, processing_class=tokenizer, callbacks=[cb],
                      peft_config=lora_config(self.cfg))
        trainer.tooln1_stats = stats
        trainer.tooln1_step_offset = offset
        trainer.tooln1_num_generations = g["num_generations"]
        self._train(trainer, out_dir, cb)
        return trainer, cb

    def _difficulty_filter(self, model, tokenizer, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Keep the prompts whose sampled pass rate under `model` lies in the configured range."""
        g = self.cfg["grpo"]
        f = g["difficulty_filter"]
        t0 = time.perf_counter()
        rates = sampled_pass_rates(model, tokenizer, rows, samples=f["samples"], temperature=g["temperature"],
                                   top_p=g["top_p"], max_new_tokens=g["max_completion_length"],
                                   variant=self.cfg["reward"]["variant"], batch_size=f["batch_size"],
                                   seed=self.cfg["seed"])
        kept = [r for r, p in zip(rows, rates) if f["min_pass_rate"] <= p <= f["max_pass_rate"]]
        low = sum(1 for p in rates if p < f["min_pass_rate"])
        high = sum(1 for p in rates if p > f["max_pass_rate"])
        mean = sum(rates) / max(len(rates), 1)
        self.w.log(f"difficulty filter: kept {len(kept)} of {len(rows)} prompts with a pass rate in "
                   f"[{f['min_pass_rate']}, {f['max_pass_rate']}] over {f['samples']} samples at temperature "
                   f"{g['temperature']} ({low} below, {high} above; mean pass rate {mean:.3f}; "
                   f"{time.perf_counter() - t0:.1f} s)")
        if not kept:
            raise data_mod.DataError(
                f"grpo.difficulty_filter kept no prompt: mean sampled pass rate {mean:.3f} ({low} prompts below "
                f"{f['min_pass_rate']}, {high} above {f['max_pass_rate']}); widen the range, train SFT longer "
                f"or turn the filter off")
        return kept

    # -- the run ----------------------------------------------------------------------------------

    def execute(self) -> int:
        previous = signal.signal(signal.SIGTERM, self._on_sigterm)
        previous_int = signal.signal(signal.SIGINT, self._on_sigterm)  # Ctrl-C: the same orderly stop
        try:
            return self._execute()
        except PreflightRefused as e:
            self.w.error(str(e), hint="fix the samples or the reward setting named in the report, or check with "
                                      "python -m tooln1 preflight --config CONFIG")
            self.w.run_finished("failed", step=self.step, message="pre-flight refused the run")
            print(f"tooln1 train: pre-flight refused the run\n{e}", file=sys.stderr)
            return 2
        except (config_mod.ConfigError, data_mod.DataError, ModelPathError) as e:
            self.w.error(str(e))
            self.w.run_finished("failed", step=self.step, message=str(e).splitlines()[0])
            print(f"tooln1 train: {e}", file=sys.stderr)
            return 2
        except BaseException as e:  # noqa: BLE001 - every failure must reach the event log
            if isinstance(e, KeyboardInterrupt):
                self.w.run_finished("cancelled", step=self.step, message="interrupted")
                return 130
            peer_lost = self.world_size > 1 and launch_mod.is_peer_failure(e)
            if peer_lost and os.environ.get(launch_mod.LAUNCHER_PID_ENV):
                # another rank died; our launcher names it and finishes the run
                self.w.log(f"rank {launch_mod.rank()} lost its peers: {type(e).__name__}: {str(e)[:300]}")
                return launch_mod.PEER_LOST
            hint = _oom_hint(self.cfg, self.phase) if _is_oom(e) else None
            if peer_lost:  # started by torchrun or accelerate: no launcher of ours to say which rank died
                hint = "another training process died or the network between them failed; see every rank's output"
            self.w.error(f"{type(e).__name__}: {e}", traceback=traceback.format_exc(), hint=hint)
            self.w.run_finished("failed", step=self.step, message=failure_sentence(e, self.phase, max(self.step, self.w.last_step), oom=hint is not None))
            return 1
        finally:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)
            if getattr(self, "_bfcl", None) is not None:
                self._bfcl.close()
            self.w.close()

    def _execute(self) -> int:
        import torch

        cfg = self.cfg
        _offline()
        if cfg.get("threads"):
            torch.set_num_threads(cfg["threads"])
        from tooln1 import preflight

        env_problems = preflight.environment_problems(cfg, self.world_size)
        if env_problems:  # checked even with --skip-preflight: the run could not start anyway
            raise PreflightRefused("preflight: REFUSED\n" + "\n".join(f"  [FAIL] environment: {p}" for p in env_problems))
        check_model_dir(cfg["model"])
        tokenizer = load_tokenizer(cfg["model"])
        train, val, sft_samples = self._prepare_data(tokenizer)

        dropped: set[str] = set()
        report: dict[str, Any] = {}
        if not self.skip_preflight:
            report = preflight.run_checks(cfg, tokenizer, train + val + (sft_samples or []))
            if not report["ok"]:
                raise PreflightRefused(preflight.format_report(report))
            dropped = set(report["dropped"])
        train_rows = self._rows(tokenizer, train, dropped)
        eval_rows = self._rows(tokenizer, val, dropped)
        sft_rows = self._rows(tokenizer, sft_samples, dropped) if sft_samples else train_rows
        if not sft_rows:
            raise data_mod.DataError(f"{cfg['data']['sft_train']}: every SFT sample was dropped by the pre-flight")

        method = cfg["method"]
        total = self.total_steps = self._planned_steps(len(train_rows), len(sft_rows))
        self.w.run_started(model=cfg["model"], total_steps=total, data={
            "train": cfg["data"]["train"], "validation": cfg["data"].get("validation"),
            **({"sft_train": cfg["data"]["sft_train"], "sft_samples": len(sft_rows)} if sft_samples else {}),
            "train_samples": len(train_rows), "validation_samples": len(eval_rows), "dropped": len(dropped),
            "prompt_tokens": report.get("prompt_tokens"),
        })
        if not self.skip_preflight:  # the report follows run_started, so readers see the run first
            self.w.log(preflight.format_report(report))
            for c in report["checks"]:
                if not c["ok"] and not c["fatal"]:
                    self.w.warning(f"pre-flight {c['name']}: {c['message']}", code=f"preflight_{c['name']}")
        if self.cancel_requested:
            self.w.run_finished("cancelled", step=0, message="cancelled before training started")
            return 0

        if method == "sft":
            _, cb = self.run_sft(cfg["model"], tokenizer, sft_rows, eval_rows, self.ckpt_root)
        elif method == "grpo":
            _, cb = self.run_grpo(cfg["model"], tokenizer, train_rows, eval_rows, self.ckpt_root)
        else:
            sft_dir = os.path.join(self.ckpt_root, "sft")
            grpo_dir = os.path.join(self.ckpt_root, "grpo")
            sft_final = os.path.join(self.ckpt_root, "sft-final")
            sft_steps = self._phase_steps(cfg["sft"], len(sft_rows), 1)
            if not (self.resume and os.path.isfile(os.path.join(sft_final, "config.json"))):
                trainer, cb = self.run_sft(cfg["model"], tokenizer, sft_rows, eval_rows, sft_dir)
                if cb.cancelled:
                    self.w.run_finished("cancelled", step=self.step, message="cancelled during SFT")
                    return 0
                sft_steps = trainer.state.global_step
                if cfg["lora"]["enabled"]:
                    model = trainer.model.merge_and_unload()
                    if self.is_main:
                        model.save_pretrained(sft_final)
                    del model
                else:
                    trainer.save_model(sft_final)  # every rank: gathers sharded (FSDP, ZeRO-3) weights
                if self.is_main:
                    tokenizer.save_pretrained(sft_final)
                    with open(os.path.join(sft_final, "tooln1-phase.json"), "w") as f:
                        json.dump({"sft_steps": sft_steps}, f)
                    self.w.checkpoint(sft_steps, sft_final)
                self._barrier()  # the other ranks load sft-final next
                del trainer
            else:
                with open(os.path.join(sft_final, "tooln1-phase.json")) as f:
                    sft_steps = json.load(f)["sft_steps"]
            _, cb = self.run_grpo(sft_final, tokenizer, train_rows, eval_rows, grpo_dir, offset=sft_steps)

        if cb.cancelled:
            self.w.run_finished("cancelled", step=self.step, message="cancelled (SIGTERM or SIGINT); checkpoint saved")
            return 0
        self.w.run_finished("completed", step=self.step, message=finish_sentence(self.step, cb.last_eval))
        return 0

    def _phase_steps(self, section: dict[str, Any], n_rows: int, per_prompt: int) -> int:
        if section.get("max_steps"):
            return section["max_steps"]
        per_step = (section["per_device_batch_size"] * section["gradient_accumulation_steps"] * self.world_size
                    // per_prompt)
        import math

        return max(1, math.ceil(n_rows / max(per_step, 1)) * math.ceil(section["epochs"]))

    def _planned_steps(self, n_rows: int, n_sft_rows: int | None = None) -> int | None:
        cfg = self.cfg
        g = self._phase_steps(cfg["grpo"], n_rows, cfg["grpo"]["num_generations"])
        s = self._phase_steps(cfg["sft"], n_rows if n_sft_rows is None else n_sft_rows, 1)
        return {"grpo": g, "sft": s, "sft-then-grpo": s + g}[cfg["method"]]


def run_dir_name(config_path: str, now: float | None = None) -> str:
    """`<UTC time>-<config stem>`, e.g. `20261125-150405-tiny-grpo`: the one naming scheme of run
    directories (runDirName in src/training/runManager.ts names the extension's runs the same way)."""
    stem = re.sub(r"(\.tooln1)?\.(json|ya?ml)$", "", os.path.basename(config_path), flags=re.I)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem) or "run"
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(now)) + "-" + stem


def default_run_dir(config_path: str) -> str:
    runs = os.path.join(os.path.dirname(os.path.abspath(config_path)), "runs")
    base = os.path.join(runs, run_dir_name(config_path))
    path, i = base, 2
    while os.path.exists(path):
        path, i = f"{base}-{i}", i + 1
    return path


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tooln1 train", description=__doc__.splitlines()[0])
    p.add_argument("--config", required=True, help="training config (JSON or YAML)")
    p.add_argument("--run-dir", help="run directory (default: output_dir of the config, or runs/<UTC time>-<name> next to the config)")
    p.add_argument("--resume", action="store_true", help="continue the run in --run-dir from its latest checkpoint")
    p.add_argument("--overwrite", action="store_true", help="clear a non-empty --run-dir first (without it, such a folder is refused)")
    p.add_argument("--skip-preflight", action="store_true", help="do not run the pre-flight checks (not advised)")
    p.add_argument("--quiet", action="store_true", help="do not echo events to stdout")
    p.add_argument("--processes", type=int, metavar="N",
                   help="training processes on this machine, one per GPU (default: launch.processes of the config)")
    a = p.parse_args(argv)
    if a.processes is not None and a.processes < 1:
        p.error("--processes must be at least 1")
    try:
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        pass
    if a.resume and a.overwrite:
        print("tooln1 train: --resume and --overwrite exclude each other", file=sys.stderr)
        return 2
    if a.run_dir and not launch_mod.launched():  # a worker's launcher has checked (and cleared) the folder
        refused = check_run_dir(a.run_dir, a.resume, a.overwrite)
        if refused:
            print(f"tooln1 train: {refused}", file=sys.stderr)
            return 2
        if a.overwrite:
            clear_dir(a.run_dir)
    try:
        cfg = config_mod.load(a.config)
    except config_mod.ConfigError as e:
        print(f"tooln1 train: {e}", file=sys.stderr)
        if a.run_dir and launch_mod.is_main():  # the extension waits on the run directory: tell it there too
            try:
                w = RunWriter(a.run_dir, method="unknown", config={}, config_path=a.config, echo=False)
                w.error(str(e), hint="fix the config; `python -m tooln1 preflight --config FILE` checks it")
                w.run_finished("failed", step=0, message="invalid config")
                w.close()
            except OSError:
                pass  # the message above is the answer
        return 2
    run_dir = a.run_dir or cfg.get("output_dir") or default_run_dir(a.config)
    if not launch_mod.launched():  # a worker's launcher has checked (and cleared) the folder
        refused = check_run_dir(run_dir, a.resume, a.overwrite)
        if refused:
            print(f"tooln1 train: {refused}", file=sys.stderr)
            return 2
    if a.resume and launch_mod.is_main() and not os.path.isfile(os.path.join(run_dir, "run.json")):
        print(f"tooln1 train: --resume: {run_dir} holds no run (no run.json)", file=sys.stderr)
        return 2
    try:
        if a.overwrite and not a.run_dir and not launch_mod.launched():
            clear_dir(run_dir)
    except OSError as e:
        print(f"tooln1 train: cannot clear the run directory {run_dir}: {e.strerror or e}", file=sys.stderr)
        return 2
    lc = cfg["launch"]
    if a.processes:
        lc["processes"] = a.processes
    processes = lc["processes"]
    if not launch_mod.launched() and (processes > 1 or lc["nodes"] > 1):
        worker_args = ["--config", a.config, "--run-dir", os.path.abspath(run_dir), "--processes", str(processes)]
        worker_args += [f for f, on in (("--resume", a.resume), ("--skip-preflight", a.skip_preflight),
                                        ("--quiet", a.quiet)) if on]
        return launch_mod.launch(worker_args, run_dir=os.path.abspath(run_dir), processes=processes,
                                 nodes=lc["nodes"], node_rank=lc["node_rank"], ip=lc["main_process_ip"],
                                 port=lc["main_process_port"])
    try:
        run = Run(cfg, run_dir, resume=a.resume, config_path=a.config, echo=not a.quiet and launch_mod.is_main(),
                  skip_preflight=a.skip_preflight)
    except OSError as e:
        print(f"tooln1 train: cannot write the run directory {run_dir}: {e.strerror or e}", file=sys.stderr)
        return 2
    return run.execute()


def clear_dir(path: str) -> None:
    """Empty a folder (--overwrite), keeping the folder itself."""
    if not os.path.isdir(path):
        return
    for name in os.listdir(path):
        p = os.path.join(path, name)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.remove(p)


def check_run_dir(run_dir: str, resume: bool, overwrite: bool) -> str | None:
    """Why `run_dir` cannot be used (None when it can): a file, or a non-empty folder without
    --resume or --overwrite (its old rollout files and checkpoints would mix with the new run's)."""
    if os.path.exists(run_dir) and not os.path.isdir(run_dir):
        return f"--run-dir {run_dir} is a file; give a folder"
    if not resume and not overwrite and os.path.isdir(run_dir) and os.listdir(run_dir):
        return (f"--run-dir {run_dir} is not empty (an earlier run?): add --resume to continue it, or --overwrite "
                f"to clear it first")
    return None
