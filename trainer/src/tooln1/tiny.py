"""`python -m tooln1 make-tiny-model --out DIR`: a tiny randomly initialised Qwen2 model for tests and demos.

The tokenizer is a byte-level BPE trained on the spot (tokenizers library) on prompts rendered from
the synthetic task, with a ChatML chat template (`<|im_start|>role\\n...<|im_end|>\\n`), `<|im_end|>`
as end of sequence, and `<think>`, `</think>`, `<tool_call>`, `</tool_call>` as single, non-special
tokens (they survive `skip_special_tokens` decoding, which TRL uses for completions).
Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Iterator

# Qwen2.5's ChatML as tooln1.template.render_chatml writes it: a default system message when there is
# none, tool results inside a user turn as <tool_response> blocks.
CHATML_TEMPLATE = (
    "{%- if not messages or messages[0]['role'] != 'system' %}"
    "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if message['role'] == 'tool' %}"
    "{%- if loop.first or messages[loop.index0 - 1]['role'] != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}"
    "{{- '\\n<tool_response>\\n' + message['content'] + '\\n</tool_response>' }}"
    "{%- if loop.last or messages[loop.index0 + 1]['role'] != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
MARKUP_TOKENS = ["<think>", "</think>", "<tool_call>", "</tool_call>"]

DEFAULTS = {
    "vocab_size": 2048,
    "hidden_size": 64,
    "intermediate_size": 256,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 2048,
}


def _render_fallback(sample: dict[str, Any]) -> str:
    """Used only when tooln1.template is not importable: an approximation of the thinking template."""
    tools = "\n".join(json.dumps(t, ensure_ascii=False) for t in sample["tools"])
    system = (
        "You are an expert in composing functions. You are given a question and a set of possible functions.\n"
        "<tools>\n" + tools + "\n</tools>\n"
        "Think inside <think></think> and answer with the calls as a JSON list inside <tool_call></tool_call>."
    )
    parts = [f"<|im_start|>system\n{system}<|im_end|>\n"]
    parts += [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in sample["messages"]]
    return "".join(parts) + "<|im_start|>assistant\n"


def _corpus(n: int = 600, seed: int = 1234) -> Iterator[str]:
    from tooln1 import synthetic

    try:
        from tooln1 import template

        def render(s: dict[str, Any]) -> str:
            return template.render_chatml(template.build_messages(s), add_generation_prompt=True)

        render(synthetic.generate(1, seed)[0])
    except Exception:  # template not available yet, or it rejected the sample: approximate it
        render = _render_fallback
    for sample in synthetic.generate(n, seed, "tok"):
        yield render(sample)
        yield synthetic.perfect_completion(sample["answer"])
    # Generic text so other datasets still tokenise to reasonably short sequences.
    yield (
        "The quick brown fox jumps over the lazy dog. Find flights, book hotels, search the web, send email, "
        "read files, query a database, translate text, compute numbers: 0 1 2 3 4 5 6 7 8 9 10 100 1000."
    )


def build_tokenizer(vocab_size: int = DEFAULTS["vocab_size"]):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    # No word splitting before BPE: merges may span spaces and punctuation, so the fixed parts of the
    # prompt template and of the answer format become few, long tokens (a prompt of the synthetic task is
    # about 80 tokens instead of about 500), which makes CPU training fast. Lossless (byte level).
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(), trainer)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in MARKUP_TOKENS])
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        model_max_length=DEFAULTS["max_position_embeddings"],
    )
    hf.chat_template = CHATML_TEMPLATE
    return hf


def build_model(tokenizer, seed: int = 0, **overrides: Any):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    dims = {k: v for k, v in DEFAULTS.items() if k != "vocab_size"}
    dims.update(overrides)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        tie_word_embeddings=True,
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
        rope_theta=10000.0,
        **dims,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    model.generation_config.bos_token_id = None
    return model


def make_tiny_model(out: str, *, seed: int = 0, vocab_size: int = DEFAULTS["vocab_size"], **dims: Any) -> str:
    tokenizer = build_tokenizer(vocab_size)
    model = build_model(tokenizer, seed=seed, **dims)
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tooln1 make-tiny-model", description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="output model directory")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--vocab-size", type=int, default=DEFAULTS["vocab_size"])
    p.add_argument("--hidden-size", type=int, default=DEFAULTS["hidden_size"])
    p.add_argument("--intermediate-size", type=int, default=DEFAULTS["intermediate_size"])
    p.add_argument("--layers", type=int, default=DEFAULTS["num_hidden_layers"])
    p.add_argument("--heads", type=int, default=DEFAULTS["num_attention_heads"])
    p.add_argument("--kv-heads", type=int, default=DEFAULTS["num_key_value_heads"])
    a = p.parse_args(argv)
    if a.heads % a.kv_heads or a.hidden_size % a.heads:
        print("make-tiny-model: --heads must divide --hidden-size and be a multiple of --kv-heads", file=sys.stderr)
        return 2
    if os.path.exists(a.out) and not os.path.isdir(a.out):
        print(f"make-tiny-model: --out {a.out} is a file; give a folder for the model", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    make_tiny_model(
        a.out,
        seed=a.seed,
        vocab_size=a.vocab_size,
        hidden_size=a.hidden_size,
        intermediate_size=a.intermediate_size,
        num_hidden_layers=a.layers,
        num_attention_heads=a.heads,
        num_key_value_heads=a.kv_heads,
    )
    print(f"wrote a tiny Qwen2 model and tokenizer to {a.out}")
    return 0
