import json

from conftest import read_events, small_config, write_config

from tooln1 import preflight, synthetic
from tooln1.__main__ import main
from tooln1.config import from_dict
from tooln1.train import load_tokenizer


def test_preflight_ok_on_synthetic(tiny_model, synth_files, tmp_path, capsys):
    cfg_path = write_config(str(tmp_path / "c.yaml"), small_config(tiny_model, synth_files))
    assert main(["preflight", "--config", cfg_path, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and 0 < report["prompt_tokens"]["max"] < 150
    names = {c["name"]: c for c in report["checks"]}
    assert names["perfect_answer"]["ok"] and names["tokenizer_round_trip"]["ok"] and names["chat_template"]["ok"]
    assert names["perfect_answer"]["message"].startswith("136/136")


def test_prompt_length_report_counts_dropped(tiny_model, synth_files):

    cfg = from_dict(small_config(tiny_model, synth_files, grpo={"max_prompt_length": 8}))
    report = preflight.run_checks(cfg, load_tokenizer(tiny_model), synthetic.generate(5))
    assert not report["ok"] and len(report["dropped"]) == 5
    assert "5 over grpo.max_prompt_length=8" in preflight.format_report(report)


def test_refuses_a_sample_whose_perfect_answer_cannot_score_one(tiny_model, synth_files, tmp_path):
    """A ground truth with 1.0 where the official scorer's json.dumps semantics apply... or a broken
    ground truth: either way the run must refuse to start, with the sample named."""
    bad = synthetic.generate(3, seed=8)
    bad[1]["id"] = "broken"
    bad[1]["answer"] = [{"name": "set_timer", "arguments": "minutes=5"}]  # arguments must be an object
    data = tmp_path / "bad.jsonl"
    synthetic.write_jsonl(str(data), bad)
    cfg = small_config(tiny_model, {"train": str(data), "validation": synth_files["validation"]})
    cfg_path = write_config(str(tmp_path / "c.yaml"), cfg)
    assert main(["preflight", "--config", cfg_path]) == 1
    assert main(["train", "--config", cfg_path, "--run-dir", str(tmp_path / "run"), "--quiet"]) == 2
    events = read_events(str(tmp_path / "run"))
    err = [e for e in events if e["type"] == "error"][0]
    assert "REFUSED" in err["message"] and "broken" in err["message"]
    assert events[-1]["status"] == "failed" and not [e for e in events if e["type"] == "run_started"]


def test_preflight_help_is_a_whole_sentence(capsys):
    import pytest as _pytest

    from tooln1 import preflight

    with _pytest.raises(SystemExit) as e:
        preflight.main(["--help"])
    assert e.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Pre-flight checks of a training config" in out
    assert "alone as options" not in out and not out.split("options:")[0].rstrip().endswith(" as")
    assert "--config CONFIG  the training config" in out or "the training config (YAML or JSON)" in out
