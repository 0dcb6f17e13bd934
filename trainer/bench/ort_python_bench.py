"""Greedy generation tokens/s with onnxruntime in Python on a Tool-N1 ONNX export: the baseline
that bench/inference.bench.ts measures onnxruntime-node against, side by side on the same model and
prompt. The decode loop is the plain one from docs/trainer.md (prefill, then one token at a time
through the KV cache), with numpy argmax, as a Python user would write it.

    python trainer/bench/ort_python_bench.py --model DIR --prompt-ids '[1,2,3]' --new-tokens 128 --reps 3

prints one JSON line: {"tokens_per_s": [...], "new_tokens": N, "onnxruntime": version}.
With --serve it prints {"ready": true} after a warm-up, then runs one generation per line read from
stdin and prints its JSON line, so a driver can alternate it run by run with another runtime.
Without --model (as `make bench` runs every trainer/bench/*_bench.py) it only says that
bench/inference.bench.ts drives it, and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def generate(sess, info: dict, prompt_ids: list[int], new_tokens: int) -> tuple[list[int], float]:
    import numpy as np

    layers, heads, head_dim = info["num_layers"], info["num_kv_heads"], info["head_dim"]
    inputs = {i.name for i in sess.get_inputs()}
    past = {}
    for i in range(layers):
        past[f"past_key_values.{i}.key"] = np.zeros((1, heads, 0, head_dim), dtype=np.float32)
        past[f"past_key_values.{i}.value"] = np.zeros((1, heads, 0, head_dim), dtype=np.float32)
    out_names = [o.name for o in sess.get_outputs()]
    step = list(prompt_ids)
    past_len = 0
    tokens: list[int] = []
    t0 = time.perf_counter()
    while len(tokens) < new_tokens:
        s = len(step)
        feeds = dict(past)
        feeds["input_ids"] = np.array([step], dtype=np.int64)
        if "attention_mask" in inputs:
            feeds["attention_mask"] = np.ones((1, past_len + s), dtype=np.int64)
        if "position_ids" in inputs:
            feeds["position_ids"] = np.arange(past_len, past_len + s, dtype=np.int64)[None, :]
        outs = dict(zip(out_names, sess.run(None, feeds)))
        nxt = int(outs["logits"][0, -1].argmax())
        past = {}
        for i in range(layers):
            past[f"past_key_values.{i}.key"] = outs[f"present.{i}.key"]
            past[f"past_key_values.{i}.value"] = outs[f"present.{i}.value"]
        past_len += s
        tokens.append(nxt)
        step = [nxt]
    return tokens, time.perf_counter() - t0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", help="export folder (model.onnx, tooln1-export.json)")
    p.add_argument("--prompt-ids", help="prompt token ids as a JSON list")
    p.add_argument("--new-tokens", type=int, default=128)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (0: onnxruntime's default)")
    p.add_argument("--serve", action="store_true", help="one generation per stdin line (see above)")
    a = p.parse_args(argv)
    if not a.model:
        print("ort_python_bench: run by bench/inference.bench.ts (the side-by-side onnxruntime-node benchmark); nothing to do alone")
        return 0
    import os

    import onnxruntime as ort

    info = json.load(open(os.path.join(a.model, "tooln1-export.json")))
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if a.threads:
        opts.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(os.path.join(a.model, "model.onnx"), opts, providers=["CPUExecutionProvider"])
    prompt = json.loads(a.prompt_ids)
    generate(sess, info, prompt, 4)  # warm-up
    if a.serve:
        print(json.dumps({"ready": True, "onnxruntime": ort.__version__}), flush=True)
        for _line in sys.stdin:
            tokens, secs = generate(sess, info, prompt, a.new_tokens)
            print(json.dumps({"tokens_per_s": [len(tokens) / secs], "tokens": tokens}), flush=True)
        return 0
    rates, tokens = [], []
    for _ in range(a.reps):
        tokens, secs = generate(sess, info, prompt, a.new_tokens)
        rates.append(len(tokens) / secs)
    print(json.dumps({"tokens_per_s": rates, "new_tokens": a.new_tokens, "tokens": tokens, "onnxruntime": ort.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
