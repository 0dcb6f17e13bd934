import json
import re
import math
import os

import pytest

from tooln1.events import RunWriter, read_events, run_series, utc_now

TYPES_TS = os.path.join(os.path.dirname(__file__), "..", "..", "src", "core", "types.ts")


def test_run_json_and_events(tmp_path, capsys):
    run = tmp_path / "run"
    w = RunWriter(str(run), method="grpo", config={"model": "m"}, config_path=str(tmp_path / "c.yaml"))
    info = json.loads((run / "run.json").read_text())
    assert info["v"] == 1 and info["status"] == "running" and info["pid"] == os.getpid()
    assert info["method"] == "grpo" and info["config"] == {"model": "m"} and info["started"].endswith("Z")
    w.run_started(model="m", data={"train_samples": 3}, total_steps=None)
    w.metrics(1, {"reward/mean": 0.5, "kl": float("nan"), "loss": math.inf}, total_steps=10, epoch=0.1)
    w.checkpoint(2, str(run / "checkpoints" / "checkpoint-2"))
    w.warning("careful", code="x")
    w.run_finished("completed", step=2)
    w.close()
    events = read_events(str(run))
    assert [e["type"] for e in events] == ["run_started", "metrics", "checkpoint", "warning", "run_finished"]
    for e in events:
        assert e["v"] == 1 and e["time"].endswith("Z")
    assert events[0]["total_steps"] is None and events[0]["pid"] == os.getpid()
    assert events[1]["metrics"] == {"reward/mean": 0.5, "kl": None, "loss": None}  # never NaN on the wire
    assert events[2]["path"] == "checkpoints/checkpoint-2"
    info = json.loads((run / "run.json").read_text())
    assert info["status"] == "completed" and info["finished"] == events[-1]["time"]
    # echoed to stdout, one line per event, same bytes
    out = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in out] == events


def test_rollouts_file_is_atomic_and_event_follows(tmp_path):
    w = RunWriter(str(tmp_path / "r"), method="grpo", config={}, echo=False)
    records = [{"v": 1, "step": 7, "prompt_id": "a", "group_index": i, "completion": "x", "reward": 1.0} for i in range(3)]
    e = w.rollouts(7, records)
    assert e == {**e, "type": "rollouts", "step": 7, "path": "rollouts/step-00007.jsonl", "count": 3}
    lines = (tmp_path / "r" / "rollouts" / "step-00007.jsonl").read_text().splitlines()
    assert [json.loads(x) for x in lines] == records
    assert not [p for p in os.listdir(tmp_path / "r" / "rollouts") if ".tmp" in p]


def test_resume_appends_and_repairs_a_torn_last_line(tmp_path):
    run = str(tmp_path / "r")
    w = RunWriter(run, method="sft", config={}, echo=False)
    w.log("one")
    w.close()
    with open(os.path.join(run, "events.jsonl"), "a") as f:
        f.write('{"v":1,"type":"met')  # what a kill in the middle of a write could leave
    started = json.loads(open(os.path.join(run, "run.json")).read())["started"]
    w = RunWriter(run, method="sft", config={}, echo=False, resume=True)
    w.log("two")
    w.close()
    assert [e["message"] for e in read_events(run)] == ["one", "two"]
    assert json.loads(open(os.path.join(run, "run.json")).read())["started"] == started


def test_rejects_unknown_types_and_statuses(tmp_path):
    w = RunWriter(str(tmp_path / "r"), method="grpo", config={}, echo=False)
    with pytest.raises(ValueError):
        w.emit("progress", step=1)
    with pytest.raises(ValueError):
        w.run_finished("running")


def test_event_types_match_types_ts():
    """The event types and statuses (from event.schema.json) are exactly the TrainEvent union of src/core/types.ts."""
    import re

    from tooln1.events import EVENT_TYPES, FINAL_STATUSES

    src = open(TYPES_TS, encoding="utf-8").read()
    union = src[src.index("export type TrainEvent ="):src.index("export type TrainEventType")]
    assert sorted(re.findall(r'type: "(\w+)"', union)) == sorted(EVENT_TYPES)
    statuses = re.search(r"export type RunStatus = ([^;]+);", src).group(1)
    assert sorted(re.findall(r'"(\w+)"', statuses)) == sorted(FINAL_STATUSES + ("running",))


def test_time_format():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", utc_now())




def test_run_json_carries_the_launchers_token_and_the_start_time(tmp_path, monkeypatch):
    # what lets the extension prove, before it signals `pid`, that the process is this run's trainer
    monkeypatch.setenv("TOOLN1_RUN_TOKEN", "0123456789abcdef0123456789abcdef")
    w = RunWriter(str(tmp_path / "r"), method="grpo", config={}, echo=False)
    info = json.loads((tmp_path / "r" / "run.json").read_text())
    assert info["run_token"] == "0123456789abcdef0123456789abcdef"
    if os.path.exists("/proc/self/stat"):
        with open(f"/proc/{os.getpid()}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        assert info["pid_start"] == int(fields[19])  # field 22, clock ticks since boot
    w.close()
    monkeypatch.delenv("TOOLN1_RUN_TOKEN")
    w = RunWriter(str(tmp_path / "s"), method="grpo", config={}, echo=False)
    assert "run_token" not in json.loads((tmp_path / "s" / "run.json").read_text())
    w.close()


RESUME = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "test", "vectors", "events", "resume-cases.json")))


@pytest.mark.parametrize("case", RESUME["cases"], ids=[c["name"] for c in RESUME["cases"]])
def test_run_series_keeps_the_newest_record_of_each_step(case):
    # --resume writes again the steps after its checkpoint; same vectors as test/unit/events.test.ts
    s = run_series(case["events"])
    assert [[p["step"], p["time"], p["metrics"]] for p in s["points"]] == case["expected"]["points"]
    assert [p["step"] for p in s["eval"]] == case["expected"]["eval"]
    assert [p["step"] for p in s["rollouts"]] == case["expected"]["rollouts"]
    assert [p["step"] for p in s["checkpoints"]] == case["expected"]["checkpoints"]
    if "eval_metrics" in case["expected"]:
        assert [p["metrics"] for p in s["eval"]] == case["expected"]["eval_metrics"]


def test_resumed_event(tmp_path):
    w = RunWriter(str(tmp_path / "r"), method="grpo", config={}, echo=False)
    w.resumed(12, str(tmp_path / "r" / "checkpoints" / "checkpoint-12"))
    w.resumed(0, None)
    w.close()
    ev = read_events(str(tmp_path / "r"))
    assert [(e["type"], e["step"], e.get("checkpoint")) for e in ev] == [("resumed", 12, "checkpoints/checkpoint-12"), ("resumed", 0, None)]


def test_run_dir_name_is_the_one_scheme():
    """Same name as runDirName in src/training/runManager.ts (test/unit/runmanager-name.test.ts holds the TS side)."""
    from tooln1.train import run_dir_name

    assert run_dir_name("examples/train/tiny-grpo.yaml", 1764083045.0) == "20251125-150405-tiny-grpo"
    assert run_dir_name("a b/my cfg.tooln1.json", 1764083045.0) == "20251125-150405-my-cfg"
