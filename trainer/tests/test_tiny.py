from transformers import AutoModelForCausalLM, AutoTokenizer

from tooln1 import data, synthetic, template


def test_tiny_model_loads_and_tokenizer_round_trips(tiny_model):
    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert model.config.model_type == "qwen2" and sum(p.numel() for p in model.parameters()) < 1_000_000
    for s in synthetic.generate(5, seed=2):
        text = data.render_prompt(s) + synthetic.perfect_completion(s["answer"]) + tok.eos_token
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert tok.decode(ids) == text
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"


def test_markup_tokens_are_single_and_survive_skip_special_tokens(tiny_model):
    tok = AutoTokenizer.from_pretrained(tiny_model)
    for t in ("<think>", "</think>", "<tool_call>", "</tool_call>"):
        assert len(tok(t, add_special_tokens=False)["input_ids"]) == 1
    text = synthetic.perfect_completion([{"name": "set_timer", "arguments": {"minutes": 5}}])
    ids = tok(text + tok.eos_token, add_special_tokens=False)["input_ids"]
    assert tok.decode(ids, skip_special_tokens=True) == text


def test_chat_template_matches_tooln1_rendering(tiny_model):
    tok = AutoTokenizer.from_pretrained(tiny_model)
    for s in synthetic.generate(3, seed=4):
        messages = template.build_messages(s)
        assert tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) == \
            template.render_chatml(messages, add_generation_prompt=True)


def test_values_are_the_same_token_in_query_and_call(tiny_model):
    """Whitespace is its own token, so a city in the query and in the JSON call share one token id."""
    tok = AutoTokenizer.from_pretrained(tiny_model)
    q = tok("weather in Paris", add_special_tokens=False)["input_ids"]
    j = tok('{"city": "Paris"}', add_special_tokens=False)["input_ids"]
    paris = tok("Paris", add_special_tokens=False)["input_ids"]
    assert len(paris) == 1 and paris[0] in q and paris[0] in j
