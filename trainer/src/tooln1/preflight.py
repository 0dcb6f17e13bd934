"""Pre-flight checks, run at the start of every training and alone as
`python -m tooln1 preflight --config CONFIG [--json]`.

1. every sample is valid (tooln1.sample.validate_sample) and its prompt renders with the template;
2. prompt lengths in tokens against grpo.max_prompt_length (longer prompts are dropped) and
   prompt + SFT target against sft.max_length;
3. the tokenizer round-trips the rendered prompts, and the model's chat template renders the
   template's messages exactly as tooln1.template does;
4. a perfect answer built from each sample's ground truth, passed through the tokenizer, scores 1
   with the configured reward variant. If not, the sample or the reward setting is wrong.

5. with ``eval.bfcl`` set, the BFCL environment is there (``make venv-bfcl``).
0. the machine has what grpo.generation and launch ask for (vLLM and a GPU, DeepSpeed, enough GPUs).

Checks 0, 1, 3 (tokenizer) and 4 refuse the run; the rest are warnings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from typing import Any

from tooln1 import data as data_mod

MAX_LISTED = 10


def _check(name: str, ok: bool, message: str, *, fatal: bool = True, details: Any = None) -> dict[str, Any]:
    out = {"name": name, "ok": ok, "fatal": fatal and not ok, "message": message}
    if details:
        out["details"] = details
    return out


def _stats(values: list[int]) -> dict[str, float]:
    if not values:
        return {}
    s = sorted(values)
    return {
        "min": s[0],
        "mean": round(statistics.fmean(s), 1),
        "p50": s[len(s) // 2],
        "p95": s[min(len(s) - 1, int(len(s) * 0.95))],
        "max": s[-1],
    }


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def environment_problems(cfg: dict[str, Any], world_size: int = 1, *, importable=_importable,
                         gpus: int | None = None) -> list[str]:
    """What this machine lacks for the config's generation backend and launch strategy (each fatal)."""
    if gpus is None:
        import torch

        gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    out = []
    gen = cfg["grpo"]["generation"]
    if cfg["method"] != "sft" and gen["backend"] == "vllm":
        if not importable("vllm"):
            out.append("grpo.generation.backend is vllm but vLLM is not installed in the trainer's environment: "
                       "install a vLLM that TRL supports (pip install 'trl[vllm]'), or set grpo.generation.backend: hf")
        if gpus == 0:
            out.append("grpo.generation.backend is vllm but no CUDA GPU is visible: vLLM generates on GPUs only; "
                       "set grpo.generation.backend: hf to train on this machine")
        tp = gen["tensor_parallel_size"]
        if gen["vllm_mode"] == "colocate" and world_size % tp:
            out.append(f"grpo.generation.tensor_parallel_size ({tp}) must divide the number of training processes "
                       f"({world_size})")
    strategy = cfg["launch"]["strategy"]
    if strategy.startswith("deepspeed") and not importable("deepspeed"):
        out.append(f"launch.strategy is {strategy} but DeepSpeed is not installed: pip install deepspeed, "
                   f"or use launch.strategy: fsdp or ddp")
    local = cfg["launch"]["processes"]
    if gpus and local > gpus:
        out.append(f"launch.processes is {local} but this machine has {gpus} GPU(s): use at most one process per GPU")
    return out


def run_checks(cfg: dict[str, Any], tokenizer, samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Check `samples` (train + validation) for `cfg`; returns a report with `ok` and per-check results."""
    from tooln1 import reward, template

    variant = cfg["reward"]["variant"]
    checks: list[dict[str, Any]] = []

    # 0. the machine: generation backend and launch strategy
    env = environment_problems(cfg, cfg["launch"]["processes"] * cfg["launch"]["nodes"])
    checks.append(_check("environment", not env, "; ".join(env) if env else
                         f"generation backend {cfg['grpo']['generation']['backend']}, launch strategy "
                         f"{cfg['launch']['strategy']}: available"))

    # 1. samples valid and renderable
    bad, prompts = [], {}
    for i, s in enumerate(samples):
        sid = data_mod.sample_id(s, i)
        problems = data_mod.check_sample(s)
        if not problems:
            try:
                prompts[sid] = data_mod.render_prompt(s)
            except Exception as e:  # the template's own error names the field
                problems = [f"template: {e}"]
        if problems:
            bad.append({"id": sid, "problems": problems[:3]})
    checks.append(_check("samples", not bad, f"{len(samples) - len(bad)}/{len(samples)} samples valid and rendered",
                         details=bad[:MAX_LISTED]))

    # 2. lengths
    max_prompt = cfg["grpo"]["max_prompt_length"]
    lengths = {sid: len(tokenizer(p, add_special_tokens=False)["input_ids"]) for sid, p in prompts.items()}
    over = [sid for sid, n in lengths.items() if n > max_prompt]
    uses_grpo = cfg["method"] != "sft"
    msg = f"prompt tokens {_stats(list(lengths.values()))}; {len(over)} over grpo.max_prompt_length={max_prompt}"
    checks.append(_check("prompt_length", not (uses_grpo and prompts and len(over) == len(prompts)),
                         msg + (" (dropped)" if over else ""), fatal=True, details=over[:MAX_LISTED]))
    if cfg["method"] != "grpo":
        max_len = cfg["sft"]["max_length"]
        sft_over = []
        for i, s in enumerate(samples):
            sid = data_mod.sample_id(s, i)
            if sid in prompts:
                target = data_mod.sft_completion(s, cfg["sft"]["reasoning"]) + (tokenizer.eos_token or "")
                if lengths[sid] + len(tokenizer(target, add_special_tokens=False)["input_ids"]) > max_len:
                    sft_over.append(sid)
        checks.append(_check("sft_length", len(sft_over) < len(prompts) or not prompts,
                             f"{len(sft_over)} samples over sft.max_length={max_len} (dropped)",
                             details=sft_over[:MAX_LISTED]))

    # 3. tokenizer and chat template round trip
    not_round = [sid for sid, p in list(prompts.items())[:50]
                 if tokenizer.decode(tokenizer(p, add_special_tokens=False)["input_ids"]) != p]
    checks.append(_check("tokenizer_round_trip", not not_round,
                         "decode(encode(prompt)) == prompt" if not not_round else
                         f"{len(not_round)} prompts change when encoded and decoded: the tokenizer loses text",
                         details=not_round[:MAX_LISTED]))
    mismatched = []
    if getattr(tokenizer, "chat_template", None):
        for i, s in enumerate(samples[:20]):
            sid = data_mod.sample_id(s, i)
            if sid not in prompts:
                continue
            try:
                theirs = tokenizer.apply_chat_template(template.build_messages(s), tokenize=False,
                                                       add_generation_prompt=True)
            except Exception as e:
                mismatched.append({"id": sid, "error": str(e)})
                continue
            if theirs != prompts[sid]:
                mismatched.append({"id": sid})
        checks.append(_check("chat_template", not mismatched,
                             "the model's chat template renders the prompts as the Tool-N1 template does"
                             if not mismatched else
                             f"the model's chat template differs from the Tool-N1 ChatML rendering on "
                             f"{len(mismatched)} samples; training uses the Tool-N1 rendering",
                             fatal=False, details=mismatched[:MAX_LISTED]))
    else:
        checks.append(_check("chat_template", False, "the tokenizer has no chat template; the Tool-N1 ChatML "
                             "rendering is used", fatal=False))

    # 4. perfect answers score 1 (after a trip through the tokenizer, as TRL decodes completions)
    failed = []
    for i, s in enumerate(samples):
        sid = data_mod.sample_id(s, i)
        if sid not in prompts:
            continue
        text = data_mod.sft_completion(s, cfg["sft"]["reasoning"])
        ids = tokenizer(text + (tokenizer.eos_token or ""), add_special_tokens=False)["input_ids"]
        decoded = tokenizer.decode(ids, skip_special_tokens=True)
        verdict = reward.score(decoded, s["answer"], variant=variant)
        if float(verdict["reward"]) != 1.0:
            failed.append({"id": sid, "reward": verdict["reward"], "reason": verdict.get("reason"),
                           "mismatch": verdict.get("mismatch"), "decoded": decoded[:200]})
    checks.append(_check("perfect_answer", not failed,
                         f"{len(prompts) - len(failed)}/{len(prompts)} perfect answers score 1 with reward "
                         f"variant {variant!r}", details=failed[:MAX_LISTED]))

    # 5. eval.bfcl needs BFCL's own environment (a warning: training itself does not need it)
    if (cfg.get("eval") or {}).get("bfcl"):
        from tooln1 import bfcl

        try:
            checks.append(_check("bfcl_environment", True, f"BFCL checker: {bfcl.find_python()}", fatal=False))
        except bfcl.BfclError as e:
            checks.append(_check("bfcl_environment", False, f"eval.bfcl is set but {e}; BFCL evaluation will be skipped",
                                 fatal=False))

    samples_out = [prompts[k] for k in list(prompts)[:2]]
    return {
        "ok": not any(c["fatal"] for c in checks),
        "checks": checks,
        "prompt_tokens": _stats(list(lengths.values())),
        "dropped": over,
        "example_prompts": samples_out,
    }


def format_report(report: dict[str, Any]) -> str:
    lines = ["preflight: " + ("OK" if report["ok"] else "REFUSED")]
    for c in report["checks"]:
        mark = "ok  " if c["ok"] else ("FAIL" if c["fatal"] else "warn")
        lines.append(f"  [{mark}] {c['name']}: {c['message']}")
        for d in c.get("details") or []:
            lines.append(f"         - {json.dumps(d, ensure_ascii=False)}")
    return "\n".join(lines)


def load_for(cfg: dict[str, Any]):
    """Tokenizer and every sample a config trains and evaluates on."""
    from tooln1.train import load_tokenizer

    tokenizer = load_tokenizer(cfg["model"])
    samples = data_mod.load_samples(cfg["data"]["train"], cfg["data"]["format"])
    if cfg["data"].get("validation"):
        samples += data_mod.load_samples(cfg["data"]["validation"], cfg["data"]["format"])
    return tokenizer, samples


def main(argv: list[str]) -> int:
    from tooln1 import config as config_mod
    from tooln1.train import ModelPathError

    p = argparse.ArgumentParser(
        prog="python -m tooln1 preflight",
        description="Pre-flight checks of a training config (run at the start of every training, and alone here): "
        "samples valid and rendered, prompt lengths, tokenizer round trip, and a perfect answer scoring 1.",
    )
    p.add_argument("--config", required=True, help="the training config (YAML or JSON)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        cfg = config_mod.load(a.config)
        tokenizer, samples = load_for(cfg)
    except (config_mod.ConfigError, data_mod.DataError, ModelPathError) as e:
        print(f"preflight: {e}", file=sys.stderr)
        return 2
    report = run_checks(cfg, tokenizer, samples)
    print(json.dumps(report, indent=2, ensure_ascii=False) if a.json else format_report(report))
    return 0 if report["ok"] else 1
