"""`tooln1 export-verl`: verl's parquet data, our reward as verl's custom_reward_function, launch scripts.

The reward module is loaded with verl's own loader (`verl.utils.import_utils.load_extern_object`, what
`get_custom_reward_fn` calls) when a verl package is installed: its file is loaded on its own, so verl's
heavy dependencies (ray, vLLM, a pinned transformers) are not needed. Without verl the same contract
(a file loaded by path, `compute_score(data_source=, solution_str=, ground_truth=, extra_info=)` returning
a float or a dict with "score") is exercised with importlib directly.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from conftest import small_config, write_config
from tooln1 import data as data_mod
from tooln1 import reward
from tooln1.config import from_dict
from tooln1.export_verl import export

PAPER = ["algorithm.adv_estimator=grpo", "actor_rollout_ref.actor.optim.lr=1e-06", "actor_rollout_ref.rollout.n=5",
         "actor_rollout_ref.rollout.temperature=0.7", "actor_rollout_ref.actor.kl_loss_coef=0.001",
         "actor_rollout_ref.actor.kl_loss_type=low_var_kl", "actor_rollout_ref.actor.entropy_coeff=0",
         "actor_rollout_ref.actor.use_kl_loss=True", "trainer.logger=[console,file]"]


def verl_loader():
    """verl's load_extern_object from an installed verl, without importing verl's package (and its deps)."""
    spec = importlib.util.find_spec("verl")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "utils", "import_utils.py")
    mod_spec = importlib.util.spec_from_file_location("verl_import_utils_standalone", path)
    mod = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(mod)
    return mod.load_extern_object


def load_by_contract(path: str, name: str):
    spec = importlib.util.spec_from_file_location(f"custom_module_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.fixture(scope="module")
def exported(tmp_path_factory, synth_files):
    out = str(tmp_path_factory.mktemp("verl") / "job")
    raw = small_config("/models/Qwen2.5-7B-Instruct", synth_files, reward={"variant": "fine-grained"},
                       grpo={"learning_rate": 1e-6, "temperature": 0.7, "max_steps": None},
                       launch={"processes": 8})
    cfg = from_dict(raw)
    return cfg, export(cfg, out)


def test_parquet_has_the_columns_verls_rl_dataset_reads(exported, tiny_model):
    import pyarrow.parquet as pq

    from tooln1.train import load_tokenizer

    cfg, result = exported
    tok = load_tokenizer(tiny_model)
    samples = data_mod.load_samples(cfg["data"]["train"])
    for split, n in (("train", 120), ("val", 16)):
        rows = pq.read_table(os.path.join(result["out"], "data", f"{split}.parquet")).to_pylist()
        assert len(rows) == n
        assert set(rows[0]) == {"data_source", "prompt", "ability", "reward_model", "extra_info"}
        for i, row in enumerate(rows):
            assert row["reward_model"]["style"] == "rule"
            assert isinstance(row["reward_model"]["ground_truth"], str)
            assert row["extra_info"]["split"] == ("train" if split == "train" else "test")
            assert row["extra_info"]["index"] == i
            assert all(set(m) == {"role", "content"} for m in row["prompt"])
    rows = pq.read_table(os.path.join(result["out"], "data", "train.parquet")).to_pylist()
    # what verl renders (the model's chat template over `prompt`) is the prompt tooln1 trains on
    for row, s in list(zip(rows, samples))[:5]:
        assert tok.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True) == \
            data_mod.render_prompt(s)
        assert json.loads(row["reward_model"]["ground_truth"]) == s["answer"]


def test_reward_module_through_verls_loader_scores_as_tooln1(exported):
    cfg, result = exported
    pkg = os.path.join(os.path.dirname(result["reward"]), "tooln1_reward")
    for name in ("reward.py", "toolcall.py"):  # byte for byte the trainer's reward
        with open(os.path.join(pkg, name), "rb") as a, open(os.path.join(os.path.dirname(reward.__file__), name), "rb") as b:
            assert a.read() == b.read()
    load = verl_loader()
    fn = (load or load_by_contract)(result["reward"], "compute_score")
    import pyarrow.parquet as pq

    rows = pq.read_table(os.path.join(result["out"], "data", "train.parquet")).to_pylist()
    samples = data_mod.load_samples(cfg["data"]["train"])
    batch = []
    for row, s in list(zip(rows, samples))[:30]:
        perfect = data_mod.sft_completion(s)
        batch += [perfect, perfect.replace("<think>", ""), perfect.replace('"', "'"), "no call at all"]
        gts = [row["reward_model"]["ground_truth"]] * 4
        for text, gt in zip(batch[-4:], gts):
            got = fn(data_source=row["data_source"], solution_str=text, ground_truth=gt, extra_info=row["extra_info"])
            want = reward.score(text, s["answer"], variant="fine-grained")
            assert got["score"] == float(want["reward"])
            assert got["format_ok"] == float(want["format_ok"]) and got["calls_ok"] == float(want["calls_ok"])
    assert len({fn(data_source="tooln1", solution_str=t, ground_truth=rows[0]["reward_model"]["ground_truth"])["score"]
                for t in batch[:4]}) > 1
    if load is None:
        pytest.skip("verl is not installed: the reward was loaded by verl's documented contract, not its loader")


def test_launch_scripts_carry_the_papers_settings(exported):
    cfg, result = exported
    out = result["out"]
    for name in ("run_verl.sh", "submit_ray_job.sh"):
        path = os.path.join(out, name)
        assert os.access(path, os.X_OK)
        subprocess.run(["bash", "-n", path], check=True)
        text = open(path).read()
        for o in PAPER + ["reward.custom_reward_function.name=compute_score", "trainer.n_gpus_per_node=8",
                          "actor_rollout_ref.model.path=/models/Qwen2.5-7B-Instruct",
                          "trainer.rollout_data_dir=$RUN_DIR/rollouts"]:
            assert f'"{o}"' in text, (name, o)
    ray = open(os.path.join(out, "submit_ray_job.sh")).read()
    assert "ray job submit" in ray and '\\"working_dir\\": \\"$HERE/reward\\"' in ray
    assert '"reward.custom_reward_function.path=tooln1_verl_reward.py"' in ray  # relative to the working_dir
    overrides = open(os.path.join(out, "overrides.txt")).read().split("\n")
    assert f"reward.custom_reward_function.path={result['reward']}" in overrides
    assert "data.train_batch_size=16" in overrides  # 10 completions x 8 GPUs / 5 rollouts per prompt


def test_cli_bad_config_is_a_clear_error(tmp_path, synth_files):
    bad = write_config(str(tmp_path / "c.yaml"), {"model": "m", "data": {"train": synth_files["train"]}, "grpo": {"lr": 1}})
    env = dict(os.environ)
    p = subprocess.run([sys.executable, "-m", "tooln1", "export-verl", "--config", bad, "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 2 and "grpo.lr" in p.stderr
    assert not os.path.exists(tmp_path / "o")
