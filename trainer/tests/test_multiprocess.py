"""Two training processes on CPU (gloo) through `tooln1 train --processes 2`: rank 0 alone writes the run,
a step's rollout file holds both ranks' rollouts; resume, cancel and a dying rank (few launches: CI time)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import read_events, small_config, wait_for_event, write_config

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads worker pids from /proc")

FAST = {"eval": {"every_steps": 0}, "threads": 1, "logging": {"every_steps": 1}}


def start(config_path: str, run_dir: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "tooln1", "train", "--config", config_path, "--run-dir", run_dir, "--quiet",
         "--processes", "2", *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def workers(pid: int) -> dict[int, int]:
    """rank -> pid of the launcher's worker processes."""
    out = {}
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        children = [int(x) for x in f.read().split()]
    for child in children:
        try:
            with open(f"/proc/{child}/environ", "rb") as f:
                env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
        except OSError:
            continue
        if b"RANK" in env:
            out[int(env[b"RANK"])] = child
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not running
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def of_type(events, type_):
    return [e for e in events if e["type"] == type_]


def test_grpo_two_processes_resume_and_a_dying_rank(tmp_path, tiny_model, synth_files):
    over = {**FAST, "grpo": {"max_steps": 2, "max_completion_length": 16}, "checkpoint": {"every_steps": 1}}
    cfg_path = write_config(str(tmp_path / "c.yaml"), small_config(tiny_model, synth_files, **over))
    run_dir = str(tmp_path / "run")
    proc = start(cfg_path, run_dir)
    assert proc.wait(timeout=900) == 0, proc.stderr.read()[-3000:]
    events = read_events(run_dir)
    assert len(of_type(events, "run_started")) == 1
    assert [e["step"] for e in of_type(events, "metrics")] == [1, 2]  # once per step, not once per rank
    assert [e["step"] for e in of_type(events, "checkpoint")] == [1, 2]
    assert of_type(events, "metrics")[0]["total_steps"] == 2
    for e in of_type(events, "rollouts"):
        assert e["count"] == 20  # the global batch: 2 ranks x 10 rollouts
        with open(os.path.join(run_dir, e["path"])) as f:
            records = [json.loads(line) for line in f]
        assert len(records) == 20 and {r["step"] for r in records} == {e["step"]}
        groups = {}
        for r in records:
            groups.setdefault(r["prompt_id"], []).append(r["group_index"])
        assert len(groups) == 4 and all(sorted(g) == [0, 1, 2, 3, 4] for g in groups.values())
        assert sum(1 for r in records if "prompt" in r) == 4
    assert [e["status"] for e in of_type(events, "run_finished")] == ["completed"]
    info = json.load(open(os.path.join(run_dir, "run.json")))
    assert info["status"] == "completed" and info["pid"] == proc.pid  # the launcher: the process to signal

    # resume for more steps: rank 0 logs it once, both ranks continue from checkpoint-2; then rank 1 dies
    write_config(cfg_path, small_config(tiny_model, synth_files, **{**over, "grpo": {**over["grpo"], "max_steps": 200},
                                                                    "checkpoint": {"every_steps": 1000}}))
    proc = start(cfg_path, run_dir, "--resume")
    try:
        wait_for_event(run_dir, lambda e: e["type"] == "metrics" and e["step"] == 3, proc)
        ranks = workers(proc.pid)
        os.kill(ranks[1], signal.SIGKILL)
        assert proc.wait(timeout=300) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not alive(ranks[0])
    events = read_events(run_dir)
    resumed = [e for e in events if e["type"] == "log" and e["message"].startswith("resuming from")]
    assert [e["message"] for e in resumed] == ["resuming from checkpoints/checkpoint-2"]
    assert of_type(events[events.index(resumed[0]):], "metrics")[0]["step"] == 3
    errors = of_type(events, "error")
    assert errors and errors[0]["message"].startswith("rank 1 of 2") and "SIGKILL" in errors[0]["message"]
    assert [e["status"] for e in of_type(events, "run_finished")] == ["completed", "failed"]
    assert json.load(open(os.path.join(run_dir, "run.json")))["status"] == "failed"


def test_sft_two_processes_cancel_stops_both_ranks(tmp_path, tiny_model, synth_files):
    over = {**FAST, "method": "sft", "sft": {"max_steps": 500}, "checkpoint": {"every_steps": 1000, "keep": 1}}
    cfg_path = write_config(str(tmp_path / "c.yaml"), small_config(tiny_model, synth_files, **over))
    run_dir = str(tmp_path / "run")
    proc = start(cfg_path, run_dir)
    try:
        wait_for_event(run_dir, lambda e: e["type"] == "metrics" and e["step"] >= 2, proc)
        ranks = workers(proc.pid)
        assert sorted(ranks) == [0, 1]
        proc.send_signal(signal.SIGTERM)  # the launcher alone: it forwards to every rank
        assert proc.wait(timeout=300) == 0, proc.stderr.read()[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 30
    while any(alive(p) for p in ranks.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in ranks.values())
    events = read_events(run_dir)
    steps = [e["step"] for e in of_type(events, "metrics")]
    assert steps == list(range(1, len(steps) + 1)) and steps[-1] < 500
    ckpts = of_type(events, "checkpoint")
    assert len(ckpts) == 1 and ckpts[0]["step"] == steps[-1]
    assert os.path.isfile(os.path.join(run_dir, ckpts[0]["path"], "trainer_state.json"))
    assert [e["status"] for e in of_type(events, "run_finished")] == ["cancelled"]
