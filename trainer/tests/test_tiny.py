from transformers import AutoModelForCausalLM

from tooln1.train import load_tokenizer

from tooln1 import data, synthetic, template


def test_tiny_model_loads_and_tokenizer_round_trips(tiny_model):
    tok = load_tokenizer(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert model.config.model_type == "qwen2" and sum(p.numel() for p in model.parameters()) < 1_000_000
    for s in synthetic.generate(5, seed=2):
        text = data.render_prompt(s) + synthetic.perfect_completion(s["answer"]) + tok.eos_token
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert tok.decode(ids) == text
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"


def test_markup_tokens_are_single_and_survive_skip_special_tokens(tiny_model):
    tok = load_tokenizer(tiny_model)
    for t in ("<think>", "</think>", "<tool_call>", "</tool_call>"):
        assert len(tok(t, add_special_tokens=False)["input_ids"]) == 1
    text = synthetic.perfect_completion([{"name": "set_timer", "arguments": {"minutes": 5}}])
    ids = tok(text + tok.eos_token, add_special_tokens=False)["input_ids"]
    assert tok.decode(ids, skip_special_tokens=True) == text


def test_chat_template_matches_tooln1_rendering(tiny_model):
    tok = load_tokenizer(tiny_model)
    for s in synthetic.generate(3, seed=4):
        messages = template.build_messages(s)
        assert tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) == \
            template.render_chatml(messages, add_generation_prompt=True)


def test_prompts_are_short(tiny_model):
    """BPE merges span words, so the fixed template text costs few tokens (fast CPU training)."""
    tok = load_tokenizer(tiny_model)
    for s in synthetic.generate(5, seed=6):
        assert len(tok(data.render_prompt(s), add_special_tokens=False)["input_ids"]) < 150
        assert len(tok(synthetic.perfect_completion(s["answer"]), add_special_tokens=False)["input_ids"]) < 40
