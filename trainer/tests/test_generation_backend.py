"""grpo.generation -> TRL's vLLM options, and the pre-flight refusal where vLLM or a GPU is missing."""

import pytest

from conftest import read_events, small_config
from tooln1.config import ConfigError, from_dict
from tooln1.preflight import environment_problems
from tooln1.train import Run, generation_args


def cfg_with(**generation):
    return from_dict({"model": "m", "data": {"train": "t.jsonl"}, "grpo": {"generation": generation}})


def test_hf_is_the_default_and_adds_nothing():
    cfg = cfg_with()
    assert cfg["grpo"]["generation"]["backend"] == "hf"
    assert generation_args(cfg["grpo"]["generation"]) == {}


def test_vllm_colocate_maps_to_trl_names():
    gen = cfg_with(backend="vllm", gpu_memory_utilization=0.5, tensor_parallel_size=2, enable_sleep_mode=True)
    args = generation_args(gen["grpo"]["generation"])
    assert args == {"use_vllm": True, "vllm_mode": "colocate", "vllm_gpu_memory_utilization": 0.5,
                    "vllm_tensor_parallel_size": 2, "vllm_enable_sleep_mode": True}
    from trl import GRPOConfig

    fields = set(GRPOConfig.__dataclass_fields__)
    assert set(args) <= fields  # every name is one TRL knows


def test_vllm_server_maps_to_trl_names():
    gen = cfg_with(backend="vllm", vllm_mode="server", server_base_url="http://10.0.0.5:8000", server_timeout=60)
    args = generation_args(gen["grpo"]["generation"])
    assert args == {"use_vllm": True, "vllm_mode": "server", "vllm_server_host": "0.0.0.0", "vllm_server_port": 8000,
                    "vllm_server_timeout": 60.0, "vllm_server_base_url": "http://10.0.0.5:8000"}
    from trl import GRPOConfig

    assert set(args) <= set(GRPOConfig.__dataclass_fields__)


def test_bad_generation_settings_name_the_key():
    with pytest.raises(ConfigError, match="grpo.generation.backend"):
        cfg_with(backend="sglang")
    with pytest.raises(ConfigError, match="gpu_memory_utilization"):
        cfg_with(backend="vllm", gpu_memory_utilization=1.5)


def test_environment_problems():
    vllm = cfg_with(backend="vllm")
    missing = environment_problems(vllm, importable=lambda name: False, gpus=0)
    assert any("vLLM is not installed" in p for p in missing) and any("no CUDA GPU" in p for p in missing)
    assert environment_problems(vllm, importable=lambda name: True, gpus=1) == []
    tp = cfg_with(backend="vllm", tensor_parallel_size=2)
    assert any("must divide" in p for p in environment_problems(tp, 3, importable=lambda n: True, gpus=4))
    assert environment_problems(cfg_with(), importable=lambda name: False, gpus=0) == []  # hf needs nothing
    ds = from_dict({"model": "m", "data": {"train": "t.jsonl"}, "launch": {"strategy": "deepspeed-zero3"}})
    assert any("DeepSpeed is not installed" in p for p in environment_problems(ds, importable=lambda n: False, gpus=8))
    many = from_dict({"model": "m", "data": {"train": "t.jsonl"}, "launch": {"processes": 4}})
    assert any("at most one process per GPU" in p for p in environment_problems(many, importable=lambda n: True, gpus=2))


def test_train_refuses_vllm_here_with_a_clear_error(tmp_path, tiny_model, synth_files):
    """This machine has no GPU (and no vLLM): the run ends at once, failed, saying why; nothing is loaded."""
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the refusal depends on vLLM alone here")
    cfg = from_dict(small_config(tiny_model, synth_files, grpo={"generation": {"backend": "vllm"}}))
    run_dir = str(tmp_path / "run")
    assert Run(cfg, run_dir, echo=False).execute() == 2
    events = read_events(run_dir)
    assert [e["type"] for e in events] == ["error", "run_finished"]
    assert "no CUDA GPU" in events[0]["message"] and "grpo.generation.backend: hf" in events[0]["message"]
    assert events[1]["status"] == "failed"
