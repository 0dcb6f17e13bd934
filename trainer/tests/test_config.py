import json

import pytest

from tooln1 import config


def _base(**over):
    return {"model": "m", "data": {"train": "t.jsonl"}, **over}


def test_paper_defaults_filled_in():
    cfg = config.from_dict(_base())
    g = cfg["grpo"]
    assert cfg["method"] == "grpo"
    assert (g["learning_rate"], g["temperature"], g["beta"], g["entropy_coef"], g["num_generations"]) == (
        1e-6, 0.7, 1e-3, 0, 5)
    assert cfg["reward"]["variant"] == "binary" and cfg["lora"]["enabled"] is False


def test_unknown_key_names_key_and_allowed_keys():
    problems = config.validate(_base(grpo={"temperture": 1.0}))
    assert len(problems) == 1
    assert "grpo.temperture" in problems[0] and "temperature" in problems[0] and "num_generations" in problems[0]


def test_bad_enum_lists_allowed_values():
    (p,) = config.validate(_base(method="gpro"))
    assert p.startswith("method:") and '"grpo", "sft", "sft-then-grpo"' in p
    (p,) = config.validate(_base(reward={"variant": "soft"}))
    assert "reward.variant" in p and '"fine-grained"' in p and '"official"' in p


def test_missing_required_and_bounds():
    problems = config.validate({"data": {}})
    assert any("missing required key model" in p for p in problems)
    assert any("missing required key data.train" in p for p in problems)
    (p,) = config.validate(_base(grpo={"beta": -0.1}))
    assert p == "grpo.beta: -0.1 must be >= 0"
    (p,) = config.validate(_base(grpo={"num_generations": "5"}))
    assert "grpo.num_generations: expected integer" in p


def test_group_size_cross_check():
    (p,) = config.validate(_base(grpo={"per_device_batch_size": 8}))
    assert "grpo.per_device_batch_size (8)" in p and "grpo.num_generations (5)" in p


def test_yaml_and_json_files_resolve_paths(tmp_path):
    (tmp_path / "c.yaml").write_text("model: ./model\ndata:\n  train: data/t.jsonl\nmethod: sft\n")
    cfg = config.load(str(tmp_path / "c.yaml"))
    assert cfg["model"] == str(tmp_path / "model") and cfg["data"]["train"] == str(tmp_path / "data" / "t.jsonl")
    (tmp_path / "c.json").write_text(json.dumps(_base(method="sft-then-grpo")))
    assert config.load(str(tmp_path / "c.json"))["method"] == "sft-then-grpo"


def test_file_errors_are_clear(tmp_path):
    with pytest.raises(config.ConfigError, match="not found"):
        config.load(str(tmp_path / "none.yaml"))
    (tmp_path / "bad.json").write_text("{ nope")
    with pytest.raises(config.ConfigError, match="not valid JSON"):
        config.load(str(tmp_path / "bad.json"))
    (tmp_path / "bad.yaml").write_text("model: m\ndata: {train: t}\ngrpo: {tempreature: 1}\n")
    with pytest.raises(config.ConfigError, match="grpo.tempreature"):
        config.load(str(tmp_path / "bad.yaml"))


def test_schema_is_the_vscode_one():
    """package.json points VS Code's jsonValidation at this file; every property has a description or is obvious."""
    schema = config.load_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) >= {"model", "method", "data", "reward", "grpo", "sft", "lora", "eval", "checkpoint"}


def test_examples_validate():
    import glob
    import os

    here = os.path.dirname(__file__)
    files = glob.glob(os.path.join(here, "..", "..", "examples", "train", "*.yaml"))
    assert files, "examples/train/*.yaml missing"
    for f in files:
        assert config.validate(config.read_file(f)) == [], f


def test_grpo_lift_keys_default_to_the_paper_and_are_checked():
    cfg = config.from_dict(_base())
    g = cfg["grpo"]
    assert (g["loss_type"], g["scale_rewards"], g["num_iterations"], g["epsilon"]) == ("grpo", "group", 1, 0.2)
    assert g["mask_truncated_completions"] is False and g["top_entropy_quantile"] == 1.0
    assert g["difficulty_filter"]["enabled"] is False
    assert cfg["eval"]["grpo_every_steps"] is None and cfg["data"]["sft_train"] is None
    (p,) = config.validate(_base(grpo={"difficulty_filter": {"min_pass_rate": 0.9, "max_pass_rate": 0.1}}))
    assert "grpo.difficulty_filter.min_pass_rate (0.9) must not exceed" in p
    (p,) = config.validate(_base(grpo={"difficulty_filter": {"enable": True}}))
    assert "unknown key grpo.difficulty_filter.enable" in p and "enabled" in p
    cfg = config.from_dict(_base(data={"train": "t.jsonl", "sft_train": "teacher.jsonl"}), base_dir="/d")
    assert cfg["data"]["sft_train"] == "/d/teacher.jsonl"
