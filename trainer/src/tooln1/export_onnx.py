"""`python -m tooln1 export-onnx --checkpoint DIR --out DIR [--opset N] [--no-verify]`.

Exports a causal LM checkpoint (a full model, or a LoRA adapter folder whose base model is local)
to one ONNX decoder graph with a KV cache, for onnxruntime. The I/O contract is in docs/trainer.md:

  inputs   input_ids int64 [b,s], attention_mask int64 [b,past+s], position_ids int64 [b,s],
           past_key_values.{i}.key / .value float32 [b,kv_heads,past,head_dim]
  outputs  logits float32 [b,s,vocab], present.{i}.key / .value float32 [b,kv_heads,past+s,head_dim]

Next to model.onnx: tokenizer.json, tokenizer_config.json (with chat_template), config.json and
tooln1-export.json. Unless --no-verify, the export is checked against PyTorch: logits on a few
prompts within a stated tolerance, and identical greedy tokens through the KV cache.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

DEFAULT_OPSET = 18
LOGITS_ATOL = 1e-3  # max |logit difference| allowed between onnxruntime and PyTorch (float32)
VERIFY_PROMPTS = [
    "What is the weather in Paris?",
    "Convert 20 USD to EUR.",
    "Set a timer for 5 minutes.",
]


class ExportError(RuntimeError):
    pass


def load_checkpoint(path: str):
    import torch
    from transformers import AutoModelForCausalLM

    if not os.path.isdir(path):
        raise ExportError(f"--checkpoint {path} is not a directory")
    if os.path.isfile(os.path.join(path, "adapter_config.json")):  # LoRA: merge into the base model
        from peft import AutoPeftModelForCausalLM

        model = AutoPeftModelForCausalLM.from_pretrained(path, dtype=torch.float32, local_files_only=True)
        model = model.merge_and_unload()
    elif os.path.isfile(os.path.join(path, "config.json")):
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, local_files_only=True,
                                                     attn_implementation="eager")
    else:
        raise ExportError(f"--checkpoint {path} has neither config.json nor adapter_config.json")
    model.config._attn_implementation = "eager"
    model.eval()
    from tooln1.train import load_tokenizer

    return model, load_tokenizer(path)


def dims(config) -> dict[str, int]:
    heads = config.num_attention_heads
    return {
        "num_layers": config.num_hidden_layers,
        "num_kv_heads": getattr(config, "num_key_value_heads", None) or heads,
        "head_dim": getattr(config, "head_dim", None) or config.hidden_size // heads,
        "vocab_size": config.vocab_size,
    }


def _wrapper(model, n_layers: int):
    import torch
    from transformers import DynamicCache

    class Decoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, position_ids, *past):
            cache = DynamicCache()
            for i in range(n_layers):
                cache.update(past[2 * i], past[2 * i + 1], i)
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                             past_key_values=cache, use_cache=True, return_dict=True)
            pkv = out.past_key_values
            flat = []
            for i in range(n_layers):
                layer = pkv.layers[i] if hasattr(pkv, "layers") else None
                k, v = (layer.keys, layer.values) if layer is not None else pkv[i]
                flat += [k, v]
            return (out.logits, *flat)

    return Decoder()


def io_names(n_layers: int) -> tuple[list[str], list[str]]:
    inputs = ["input_ids", "attention_mask", "position_ids"]
    outputs = ["logits"]
    for i in range(n_layers):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def export(model, path: str, opset: int = DEFAULT_OPSET) -> None:
    import torch

    d = dims(model.config)
    n = d["num_layers"]
    b, s, past = 2, 3, 4
    ids = torch.randint(0, d["vocab_size"], (b, s), dtype=torch.long)
    mask = torch.ones(b, past + s, dtype=torch.long)
    pos = torch.arange(past, past + s, dtype=torch.long).unsqueeze(0).expand(b, s).contiguous()
    kv = [torch.randn(b, d["num_kv_heads"], past, d["head_dim"]) for _ in range(2 * n)]
    inputs, outputs = io_names(n)
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"},
            "position_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}
    for name in inputs[3:]:
        axes[name] = {0: "batch", 2: "past"}
    for name in outputs[1:]:
        axes[name] = {0: "batch", 2: "total"}
    wrapper = _wrapper(model, n).eval()
    with torch.no_grad():
        torch.onnx.export(wrapper, (ids, mask, pos, *kv), path, input_names=inputs, output_names=outputs,
                          dynamic_axes=axes, opset_version=opset, dynamo=False, do_constant_folding=True)


def _session(path: str):
    import onnxruntime as ort

    return ort.InferenceSession(path, providers=["CPUExecutionProvider"])


def _empty_past(d: dict[str, int], b: int) -> dict[str, Any]:
    import numpy as np

    out = {}
    for i in range(d["num_layers"]):
        for kind in ("key", "value"):
            out[f"past_key_values.{i}.{kind}"] = np.zeros((b, d["num_kv_heads"], 0, d["head_dim"]), np.float32)
    return out


def ort_greedy(sess, d: dict[str, int], prompt_ids: list[int], max_new: int, eos: set[int]) -> list[int]:
    import numpy as np

    ids = np.array([prompt_ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "position_ids": np.arange(ids.shape[1])[None],
             **_empty_past(d, 1)}
    out: list[int] = []
    total = ids.shape[1]
    for _ in range(max_new):
        res = sess.run(None, feeds)
        nxt = int(res[0][0, -1].argmax())
        out.append(nxt)
        if nxt in eos:
            break
        feeds = {"input_ids": np.array([[nxt]], np.int64), "attention_mask": np.ones((1, total + 1), np.int64),
                 "position_ids": np.array([[total]], np.int64)}
        for i in range(d["num_layers"]):
            feeds[f"past_key_values.{i}.key"] = res[1 + 2 * i]
            feeds[f"past_key_values.{i}.value"] = res[2 + 2 * i]
        total += 1
    return out


def verify(model, tokenizer, onnx_path: str, eos: set[int], max_new: int = 24) -> dict[str, Any]:
    """Compare onnxruntime with PyTorch: full-prompt logits (max abs diff) and greedy tokens."""
    import numpy as np
    import torch

    d = dims(model.config)
    sess = _session(onnx_path)
    worst = 0.0
    greedy_equal = True
    for text in VERIFY_PROMPTS:
        msgs = [{"role": "user", "content": text}]
        prompt = tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True) \
            if getattr(tokenizer, "chat_template", None) else text
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            ref = model(torch.tensor([ids])).logits[0].numpy()
        arr = np.array([ids], dtype=np.int64)
        got = sess.run(["logits"], {"input_ids": arr, "attention_mask": np.ones_like(arr),
                                    "position_ids": np.arange(arr.shape[1])[None], **_empty_past(d, 1)})[0][0]
        worst = max(worst, float(np.abs(ref - got).max()))
        with torch.no_grad():
            gen = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                 do_sample=False, max_new_tokens=max_new, eos_token_id=sorted(eos),
                                 pad_token_id=tokenizer.pad_token_id)[0, len(ids):].tolist()
        mine = ort_greedy(sess, d, ids, max_new, eos)
        if mine != gen[: len(mine)] or len(mine) != len(gen):
            greedy_equal = False
    return {"max_abs_logit_diff": worst, "tolerance": LOGITS_ATOL, "greedy_identical": greedy_equal,
            "prompts": len(VERIFY_PROMPTS), "ok": worst <= LOGITS_ATOL and greedy_equal}


def eos_ids(model, tokenizer) -> list[int]:
    ids = model.generation_config.eos_token_id if model.generation_config is not None else None
    ids = [ids] if isinstance(ids, int) else list(ids or [])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    return ids


def run_export(checkpoint: str, out: str, opset: int = DEFAULT_OPSET, check: bool = True) -> dict[str, Any]:
    model, tokenizer = load_checkpoint(checkpoint)
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    export(model, onnx_path, opset)
    tokenizer.save_pretrained(out)
    template = getattr(tokenizer, "chat_template", None)
    cfg_path = os.path.join(out, "tokenizer_config.json")  # the chat template inside, as the contract says
    with open(cfg_path, encoding="utf-8") as f:
        tok_cfg = json.load(f)
    if template and "chat_template" not in tok_cfg:
        tok_cfg["chat_template"] = template
        with open(cfg_path, "w", encoding="utf-8") as f:
            json.dump(tok_cfg, f, indent=2, ensure_ascii=False)
    model.config.save_pretrained(out)
    eos = eos_ids(model, tokenizer)
    meta = {**dims(model.config), "eos_token_ids": eos, "bos_token_id": tokenizer.bos_token_id,
            "chat_template": template, "opset": opset}
    if check:
        meta["verification"] = verify(model, tokenizer, onnx_path, set(eos))
    with open(os.path.join(out, "tooln1-export.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, ensure_ascii=False)
    return meta


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tooln1 export-onnx", description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True, help="model or checkpoint folder (e.g. RUN/checkpoints/checkpoint-N)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--opset", type=int, default=DEFAULT_OPSET)
    p.add_argument("--no-verify", action="store_true", help="skip the onnxruntime vs PyTorch comparison")
    a = p.parse_args(argv)
    if os.path.exists(a.out) and not os.path.isdir(a.out):
        print(f"export-onnx: --out {a.out} is a file; give a folder for the ONNX model", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        meta = run_export(a.checkpoint, a.out, a.opset, check=not a.no_verify)
    except ExportError as e:
        print(f"export-onnx: {e}", file=sys.stderr)
        return 2
    v = meta.get("verification")
    if v:
        print(f"verified on {v['prompts']} prompts: max |logit diff| {v['max_abs_logit_diff']:.2e} "
              f"(tolerance {v['tolerance']:.0e}), greedy tokens identical: {v['greedy_identical']}")
        if not v["ok"]:
            print("export-onnx: verification FAILED", file=sys.stderr)
            return 1
    print(f"wrote {a.out}/model.onnx")
    return 0


