"""ONNX export: the I/O contract of docs/trainer.md, logits vs PyTorch within tolerance, greedy tokens identical."""

import json
import os

import numpy as np
import onnxruntime as ort
import torch
from transformers import AutoModelForCausalLM

from tooln1.train import load_tokenizer

from tooln1.__main__ import main
from tooln1.export_onnx import LOGITS_ATOL, ort_greedy


def test_export_contract_and_equivalence(tiny_model, tmp_path):
    out = str(tmp_path / "onnx")
    assert main(["export-onnx", "--checkpoint", tiny_model, "--out", out]) == 0
    for name in ("model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json", "tooln1-export.json"):
        assert os.path.isfile(os.path.join(out, name)), name
    meta = json.load(open(os.path.join(out, "tooln1-export.json")))
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    c = model.config
    assert meta["num_layers"] == c.num_hidden_layers and meta["num_kv_heads"] == c.num_key_value_heads
    assert meta["head_dim"] == c.hidden_size // c.num_attention_heads and meta["vocab_size"] == c.vocab_size
    tok = load_tokenizer(tiny_model)
    assert meta["eos_token_ids"] == [tok.convert_tokens_to_ids("<|im_end|>")] and meta["bos_token_id"] is None
    assert meta["chat_template"] == tok.chat_template
    assert json.load(open(os.path.join(out, "tokenizer_config.json")))["chat_template"] == tok.chat_template
    assert meta["verification"]["ok"] and meta["verification"]["max_abs_logit_diff"] <= LOGITS_ATOL

    sess = ort.InferenceSession(os.path.join(out, "model.onnx"), providers=["CPUExecutionProvider"])
    n = meta["num_layers"]
    ins = {i.name: i for i in sess.get_inputs()}
    outs = {o.name: o for o in sess.get_outputs()}
    assert list(ins)[:3] == ["input_ids", "attention_mask", "position_ids"]
    assert ins["input_ids"].type == "tensor(int64)" and ins["attention_mask"].type == "tensor(int64)"
    for i in range(n):
        for kind in ("key", "value"):
            assert ins[f"past_key_values.{i}.{kind}"].type == "tensor(float)"
            assert outs[f"present.{i}.{kind}"].type == "tensor(float)"
    assert list(outs)[0] == "logits" and len(outs) == 1 + 2 * n

    # a batch of two left-padded prompts, then one decode step with the cache: logits match PyTorch
    texts = ["What is the weather in Oslo?", "Set a timer for 10 minutes, please."]
    ids = [tok.apply_chat_template([{"role": "user", "content": t}], tokenize=False, add_generation_prompt=True)
           for t in texts]
    ids = [tok(t, add_special_tokens=False)["input_ids"] for t in ids]
    L = max(map(len, ids))
    pad = tok.pad_token_id
    input_ids = np.array([[pad] * (L - len(x)) + x for x in ids], np.int64)
    mask = np.array([[0] * (L - len(x)) + [1] * len(x) for x in ids], np.int64)
    pos = np.clip(np.cumsum(mask, axis=1) - 1, 0, None)
    empty = {f"past_key_values.{i}.{k}": np.zeros((2, meta["num_kv_heads"], 0, meta["head_dim"]), np.float32)
             for i in range(n) for k in ("key", "value")}
    res = sess.run(None, {"input_ids": input_ids, "attention_mask": mask, "position_ids": pos, **empty})
    with torch.no_grad():
        ref = model(input_ids=torch.tensor(input_ids), attention_mask=torch.tensor(mask),
                    position_ids=torch.tensor(pos), use_cache=True)
    real = mask.astype(bool)
    assert np.abs(res[0][real] - ref.logits.numpy()[real]).max() <= LOGITS_ATOL
    nxt = res[0][:, -1].argmax(-1)
    feeds = {"input_ids": nxt[:, None].astype(np.int64), "attention_mask": np.concatenate([mask, np.ones((2, 1), np.int64)], 1),
             "position_ids": pos[:, -1:] + 1}
    for i in range(n):
        feeds[f"past_key_values.{i}.key"], feeds[f"past_key_values.{i}.value"] = res[1 + 2 * i], res[2 + 2 * i]
    step = sess.run(["logits"], feeds)[0]
    with torch.no_grad():
        ref2 = model(input_ids=torch.tensor(feeds["input_ids"]), attention_mask=torch.tensor(feeds["attention_mask"]),
                     position_ids=torch.tensor(feeds["position_ids"]), past_key_values=ref.past_key_values).logits
    assert np.abs(step - ref2.numpy()).max() <= LOGITS_ATOL

    # greedy through the cache equals transformers' generate
    prompt = ids[0]
    mine = ort_greedy(sess, meta, prompt, 16, set(meta["eos_token_ids"]))
    with torch.no_grad():
        gen = model.generate(torch.tensor([prompt]), do_sample=False, max_new_tokens=16,
                             eos_token_id=meta["eos_token_ids"], pad_token_id=pad)[0, len(prompt):].tolist()
    assert mine == gen


def test_missing_checkpoint_is_a_clear_error(tmp_path, capsys):
    assert main(["export-onnx", "--checkpoint", str(tmp_path / "none"), "--out", str(tmp_path / "o")]) == 2
    assert "is not a directory" in capsys.readouterr().err
