"""Faults with real signals to a real trainer subprocess: SIGTERM cancels cleanly, SIGKILL leaves
valid files, an exception becomes an error event, out-of-memory names the setting to lower."""

import json
import os
import signal

import pytest
from conftest import read_events, small_config, start_train, wait_for_event, write_config

LONG = {"grpo": {"max_steps": 200}, "eval": {"every_steps": 0}, "checkpoint": {"every_steps": 100}}


def _all_jsonl_valid(run_dir):
    with open(os.path.join(run_dir, "events.jsonl"), encoding="utf-8") as f:
        text = f.read()
    assert text.endswith("\n")
    for line in text.splitlines():
        json.loads(line)
    for name in os.listdir(os.path.join(run_dir, "rollouts")):
        assert name.endswith(".jsonl") and ".tmp" not in name, name
        for line in open(os.path.join(run_dir, "rollouts", name), encoding="utf-8"):
            json.loads(line)
    json.load(open(os.path.join(run_dir, "run.json")))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_sigterm_stops_at_step_boundary_with_checkpoint(tmp_path, tiny_model, synth_files, sig):
    # SIGINT (Ctrl-C) is the same orderly stop as SIGTERM: it used to record step 0 and save nothing
    cfg = write_config(str(tmp_path / "c.yaml"), small_config(tiny_model, synth_files, **LONG))
    run_dir = str(tmp_path / "run")
    proc = start_train(cfg, run_dir)
    try:
        first = wait_for_event(run_dir, lambda e: e["type"] == "metrics", proc)
        proc.send_signal(sig)
        assert proc.wait(timeout=600) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    events = read_events(run_dir)
    last = events[-1]
    assert last["type"] == "run_finished" and last["status"] == "cancelled"
    assert first["step"] <= last["step"] < 200
    ckpt = [e for e in events if e["type"] == "checkpoint"]
    assert ckpt and ckpt[-1]["step"] == last["step"]
    assert os.path.isfile(os.path.join(run_dir, ckpt[-1]["path"], "trainer_state.json"))
    assert json.load(open(os.path.join(run_dir, "run.json")))["status"] == "cancelled"
    _all_jsonl_valid(run_dir)


def test_sigkill_leaves_valid_files(tmp_path, tiny_model, synth_files):
    cfg = write_config(str(tmp_path / "c.yaml"), small_config(tiny_model, synth_files, **LONG))
    run_dir = str(tmp_path / "run")
    proc = start_train(cfg, run_dir)
    try:
        wait_for_event(run_dir, lambda e: e["type"] == "rollouts" and e["step"] >= 2, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    _all_jsonl_valid(run_dir)
    info = json.load(open(os.path.join(run_dir, "run.json")))
    assert info["status"] == "running" and info["pid"] == proc.pid  # a reader sees a dead pid: interrupted
    steps = [e["step"] for e in read_events(run_dir) if e["type"] == "metrics"]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) >= 2


def test_exception_becomes_error_event_with_traceback(tmp_path, tiny_model, synth_files):
    """A model folder whose config names an unknown architecture: loading raises inside the run."""
    broken = tmp_path / "broken-model"
    broken.mkdir()
    for name in os.listdir(tiny_model):
        if name != "config.json":
            os.symlink(os.path.join(tiny_model, name), broken / name)
    conf = json.load(open(os.path.join(tiny_model, "config.json")))
    conf["model_type"] = "no-such-architecture"
    (broken / "config.json").write_text(json.dumps(conf))
    cfg = write_config(str(tmp_path / "c.yaml"), small_config(str(broken), synth_files))
    run_dir = str(tmp_path / "run")
    proc = start_train(cfg, run_dir)
    assert proc.wait(timeout=600) == 1
    events = read_events(run_dir)
    err = [e for e in events if e["type"] == "error"][-1]
    assert "Traceback (most recent call last)" in err["traceback"] and "no-such-architecture" in err["traceback"]
    assert events[-1]["type"] == "run_finished" and events[-1]["status"] == "failed"


def test_out_of_memory_names_the_setting_to_lower():
    import torch

    from tooln1.config import from_dict
    from tooln1.train import _is_oom, _oom_hint

    cfg = from_dict({"model": "m", "data": {"train": "t"}, "grpo": {"per_device_batch_size": 20}})
    assert _is_oom(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert _is_oom(RuntimeError("DefaultCPUAllocator: can't allocate memory: out of memory"))
    assert not _is_oom(ValueError("bad"))
    hint = _oom_hint(cfg, "grpo")
    assert "grpo.per_device_batch_size (now 20" in hint and "grpo.max_completion_length" in hint
    assert "sft.per_device_batch_size" in _oom_hint(cfg, "sft")


@pytest.mark.parametrize("phase", ["grpo"])
def test_oom_during_training_reaches_the_event_log(tmp_path, tiny_model, synth_files, phase, monkeypatch):
    """An OutOfMemoryError raised inside TRL's generation becomes an error event carrying the hint."""
    import torch
    from trl import GRPOTrainer

    from tooln1.config import from_dict
    from tooln1.train import Run

    def oom(self, *a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(GRPOTrainer, "_generate_and_score_completions", oom)
    run_dir = str(tmp_path / "run")
    code = Run(from_dict(small_config(tiny_model, synth_files)), run_dir, echo=False).execute()
    assert code == 1
    err = [e for e in read_events(run_dir) if e["type"] == "error"][-1]
    assert "OutOfMemoryError" in err["message"] and "grpo.per_device_batch_size" in err["hint"]
    finished = read_events(run_dir)[-1]
    assert finished["message"] == "Out of memory during GRPO at step 0; see the hint for settings to lower."


def test_finish_and_failure_messages_are_sentences():
    from tooln1.train import failure_sentence, finish_sentence

    assert finish_sentence(310, {}) == "Finished at step 310."
    assert (finish_sentence(310, {"eval/reward/mean": 0.8125, "eval/samples": 64.0, "eval/reward/exact_match_rate": 0.75})
            == "Finished at step 310; held-out reward 0.81 on 64 samples, exact match 75%.")
    assert failure_sentence(ValueError("bad value\nmore"), "sft", 3, oom=False) == "ValueError during SFT at step 3: bad value."
    assert failure_sentence(RuntimeError(), "grpo", 9, oom=True).startswith("Out of memory during GRPO at step 9")


def test_failure_message_names_the_last_logged_step(tmp_path):
    from tooln1.events import RunWriter

    w = RunWriter(str(tmp_path / "r"), method="grpo", config={}, echo=False)
    assert w.last_step == 0
    w.metrics(7, {"loss": 1.0}, phase="grpo")
    assert w.last_step == 7
    w.close()
