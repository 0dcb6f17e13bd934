"""In-process training runs on the tiny model: the run directory, the reward TRL receives, SFT."""

import json
import os

from conftest import read_events, small_config, write_config

from tooln1 import reward
from tooln1.__main__ import main
from tooln1.config import from_dict
from tooln1.train import Run

TYPES_TS = os.path.join(os.path.dirname(__file__), "..", "..", "src", "core", "types.ts")


def _run(tmp_path, tiny_model, synth_files, data_over=None, **over):
    raw = small_config(tiny_model, synth_files, **over)
    raw["data"].update(data_over or {})
    cfg = from_dict(raw)
    run_dir = str(tmp_path / "run")
    code = Run(cfg, run_dir, echo=False).execute()
    return code, run_dir, read_events(run_dir)


def test_grpo_run_directory(tmp_path, tiny_model, synth_files):
    code, run_dir, events = _run(tmp_path, tiny_model, synth_files)
    assert code == 0, events[-3:]
    types = [e["type"] for e in events]
    assert types[:2] == ["run_started", "log"] and types[-1] == "run_finished"
    assert events[1]["message"].startswith("preflight: OK")
    assert events[-1]["status"] == "completed" and events[-1]["step"] == 3
    info = json.load(open(os.path.join(run_dir, "run.json")))
    assert info["status"] == "completed" and info["method"] == "grpo"

    metrics = [e for e in events if e["type"] == "metrics"]
    assert [e["step"] for e in metrics] == [1, 2, 3] and all(e["total_steps"] == 3 for e in metrics)
    m = metrics[-1]["metrics"]
    for name in ("reward/mean", "reward/std", "reward/format_ok_rate", "reward/exact_match_rate",
                 "reward/zero_variance_groups", "loss", "entropy", "lr", "grad_norm", "response_length/mean",
                 "perf/tokens_per_s", "time/generation_s", "time/update_s", "reason/ok", "reason/no_tool_call"):
        assert name in m, name
    assert abs(sum(v for k, v in m.items() if k.startswith("reason/")) - 1) < 1e-9
    assert m["perf/tokens_per_s"] > 0 and m["time/generation_s"] > 0

    # rollouts: one file per logged step, written before its event, every completion of the step
    rollout_events = [e for e in events if e["type"] == "rollouts"]
    assert [e["step"] for e in rollout_events] == [1, 2, 3]
    for e in rollout_events:
        lines = open(os.path.join(run_dir, e["path"])).read().splitlines()
        assert len(lines) == e["count"] == 10
        recs = [json.loads(x) for x in lines]
        assert [r["group_index"] for r in recs] == [0, 1, 2, 3, 4] * 2
        assert all(r["v"] == 1 and r["step"] == e["step"] and r["reward_variant"] == "binary" for r in recs)
        assert "prompt" in recs[0] and recs[1]["prompt_ref"] == recs[0]["prompt_id"]
        for r in recs:
            assert set(r["details"]) <= {"format_ok", "calls_ok", "reason", "mismatch"}
            assert r["tokens"]["prompt"] > 0 and 0 < r["tokens"]["completion"] <= 24
            assert isinstance(r["advantage"], float)

    assert {e["step"] for e in events if e["type"] == "checkpoint"} == {2, 3}
    assert os.path.isdir(os.path.join(run_dir, "checkpoints", "checkpoint-3"))
    evals = [e for e in events if e["type"] == "eval"]
    assert [e["step"] for e in evals] == [0, 2, 3] and "eval/reward/mean" in evals[0]["metrics"]
    # every point says its phase; the finish message is a sentence, not a dict
    assert {e.get("phase") for e in metrics + evals} == {"grpo"}
    assert events[-1]["message"].startswith("Finished at step 3; held-out reward ")
    assert "{" not in events[-1]["message"] and events[-1]["message"].endswith(".")


def test_reward_trl_receives_equals_tooln1_reward(tmp_path, tiny_model, synth_files):
    """Every reward TRL trained on (as TRL logged it) equals tooln1.reward.score on the same text,
    and every advantage is TRL's group-normalised reward."""
    code, run_dir, events = _run(tmp_path, tiny_model, synth_files, reward={"variant": "fine-grained"})
    assert code == 0
    n = 0
    for e in (e for e in events if e["type"] == "rollouts"):
        recs = [json.loads(x) for x in open(os.path.join(run_dir, e["path"]))]
        for r in recs:
            expected = reward.score(r["completion"], r["ground_truth"], variant="fine-grained")
            assert abs(r["reward"] - expected["reward"]) < 1e-6  # TRL holds rewards as float32
            assert r["details"]["reason"] == expected["reason"]
            n += 1
        for g in range(0, len(recs), 5):
            group = [r["reward"] for r in recs[g:g + 5]]
            mean = sum(group) / 5
            std = (sum((x - mean) ** 2 for x in group) / 4) ** 0.5
            for r in recs[g:g + 5]:
                assert abs(r["advantage"] - (r["reward"] - mean) / (std + 1e-4)) < 1e-4
    assert n == 30


def test_metric_names_are_in_the_vocabulary(tmp_path, tiny_model, synth_files):
    """Names we add are METRICS values of src/core/types.ts, reason/<code> or eval/..."""
    import re

    src = open(TYPES_TS, encoding="utf-8").read()
    block = src[src.index("export const METRICS"):]
    ours = set(re.findall(r':\s*"([^"]+)"', block[: block.index("} as const")]))
    from tooln1.metrics import _SPEC

    known = ours | set(_SPEC["aliases"])
    code, run_dir, events = _run(tmp_path, tiny_model, synth_files)
    names = set().union(*(e["metrics"] for e in events if e["type"] == "metrics"))
    added = {"reward/mean", "reward/format_ok_rate", "reward/exact_match_rate", "reward/zero_variance_groups",
             "perf/tokens_per_s", "time/generation_s", "time/update_s", "lr", "loss", "kl", "entropy"}
    assert added <= names & known
    for name in names - known:  # the rest are TRL's own, already namespaced, or reason codes
        assert name.startswith(("reason/", "completions/", "rewards/", "clip_ratio/")), name


def test_sft_run(tmp_path, tiny_model, synth_files):
    code, run_dir, events = _run(tmp_path, tiny_model, synth_files, method="sft")
    assert code == 0, events[-3:]
    metrics = [e for e in events if e["type"] == "metrics"]
    assert [e["step"] for e in metrics] == [1, 2, 3]
    assert metrics[0]["metrics"]["loss"] > 0 and "perf/tokens_per_s" in metrics[-1]["metrics"]
    assert not [e for e in events if e["type"] == "rollouts"]
    assert events[-1]["status"] == "completed"


def test_missing_model_path_is_a_clear_error(tmp_path, synth_files):
    cfg_path = write_config(str(tmp_path / "c.yaml"), small_config(str(tmp_path / "nope"), synth_files))
    code = main(["train", "--config", cfg_path, "--run-dir", str(tmp_path / "run"), "--quiet"])
    assert code == 2
    events = read_events(str(tmp_path / "run"))
    assert events[-2]["type"] == "error" and "is not a directory" in events[-2]["message"]
    assert "make-tiny-model" in events[-2]["message"]
    assert events[-1] == {**events[-1], "type": "run_finished", "status": "failed"}


def test_invalid_config_reported_in_run_dir(tmp_path, tiny_model, synth_files, capsys):
    cfg = small_config(tiny_model, synth_files, grpo={"temperture": 1})
    cfg_path = write_config(str(tmp_path / "c.yaml"), cfg)
    assert main(["train", "--config", cfg_path, "--run-dir", str(tmp_path / "run")]) == 2
    assert "grpo.temperture" in capsys.readouterr().err
    events = read_events(str(tmp_path / "run"))
    assert "grpo.temperture" in events[0]["message"] and events[-1]["status"] == "failed"


def test_difficulty_filter_keeps_prompts_in_range_and_says_so(tmp_path, tiny_model, synth_files):
    # The random tiny model never passes: a range starting at 0 keeps every prompt, one above 0 none.
    flt = {"enabled": True, "samples": 2, "min_pass_rate": 0.0, "max_pass_rate": 0.5, "batch_size": 16}
    code, _, events = _run(tmp_path, tiny_model, synth_files, data_over={"max_samples": 16},
                           grpo={"max_steps": 1, "difficulty_filter": flt})
    assert code == 0, events[-3:]
    (log,) = [e["message"] for e in events if e["type"] == "log" and "difficulty filter" in e["message"]]
    assert log.startswith("difficulty filter: kept 16 of 16 prompts") and "0 below, 0 above" in log


def test_difficulty_filter_that_keeps_nothing_is_a_clear_error(tmp_path, tiny_model, synth_files):
    flt = {"enabled": True, "samples": 2, "min_pass_rate": 0.5, "batch_size": 16}
    code, _, events = _run(tmp_path, tiny_model, synth_files, data_over={"max_samples": 16},
                           grpo={"max_steps": 1, "difficulty_filter": flt})
    assert code == 2
    (err,) = [e for e in events if e["type"] == "error"]
    assert "grpo.difficulty_filter kept no prompt" in err["message"] and "16 prompts below 0.5" in err["message"]
    assert events[-1]["status"] == "failed"


def test_sft_phase_trains_on_sft_train(tmp_path, tiny_model, synth_files):
    from tooln1 import synthetic

    teacher = str(tmp_path / "teacher.jsonl")
    synthetic.write_jsonl(teacher, synthetic.teacher_answers(synthetic.generate(24, seed=1), 1.0))
    code, _, events = _run(tmp_path, tiny_model, synth_files, method="sft-then-grpo",
                           data_over={"sft_train": teacher}, grpo={"max_steps": 1}, sft={"max_steps": 2})
    assert code == 0, events[-3:]
    started = events[0]
    assert started["data"]["sft_samples"] == 24 and started["data"]["train_samples"] == 120
    assert started["total_steps"] == 3


def test_trl_defaults_that_differ_from_the_paper_are_set_explicitly(tiny_model, synth_files, tmp_path):
    from tooln1.train import _common_args

    cfg = from_dict(small_config(tiny_model, synth_files))
    args = _common_args(cfg, cfg["grpo"], str(tmp_path))
    assert args["gradient_checkpointing"] is False  # TRL's configs default to True
