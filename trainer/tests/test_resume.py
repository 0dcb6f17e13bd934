"""--resume continues a killed run from its latest checkpoint, appending to the same events.jsonl."""

import json
import os
import signal

from tooln1.events import run_series

from conftest import read_events, small_config, start_train, wait_for_event, write_config


def test_resume_after_kill(tmp_path, tiny_model, synth_files):
    over = {"grpo": {"max_steps": 6}, "eval": {"every_steps": 0}, "checkpoint": {"every_steps": 2}}
    cfg = write_config(str(tmp_path / "c.yaml"), small_config(tiny_model, synth_files, **over))
    run_dir = str(tmp_path / "run")
    proc = start_train(cfg, run_dir)
    try:
        wait_for_event(run_dir, lambda e: e["type"] == "checkpoint" and e["step"] == 2, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    killed_at = max(e["step"] for e in read_events(run_dir) if e["type"] == "metrics")
    assert 2 <= killed_at < 6

    proc = start_train(cfg, run_dir, "--resume")
    assert proc.wait(timeout=900) == 0, proc.stderr.read()[-2000:]
    events = read_events(run_dir)
    resumed = [e for e in events if e["type"] == "log" and e["message"].startswith("resuming from")]
    assert len(resumed) == 1
    ckpt = resumed[0]["message"].split()[-1]
    start = int(ckpt.rsplit("-", 1)[1])
    assert start >= 2
    after = events[events.index(resumed[0]):]
    steps = [e["step"] for e in after if e["type"] == "metrics"]
    assert steps == list(range(start + 1, 7))
    # the rewind is recorded, and a reader keeps only the newest record of each step
    rewind = [e for e in events if e["type"] == "resumed"]
    assert [(e["step"], e["checkpoint"]) for e in rewind] == [(start, f"checkpoints/checkpoint-{start}")]
    assert [p["step"] for p in run_series(events)["points"]] == list(range(1, 7))
    assert events[-1]["type"] == "run_finished" and events[-1]["status"] == "completed" and events[-1]["step"] == 6
    assert json.load(open(os.path.join(run_dir, "run.json")))["status"] == "completed"
    state = json.load(open(os.path.join(run_dir, "checkpoints", "checkpoint-6", "trainer_state.json")))
    assert state["global_step"] == 6
