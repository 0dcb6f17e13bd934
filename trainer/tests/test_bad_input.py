"""Bad bytes, deep nesting and bad data get a clear one-line answer naming the file and line, never a
traceback: the trainer's data and config loading, `convert`, and the `train` command (exit 2)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
import yaml

from tooln1 import config, data
from tooln1.importers import convert_text

from conftest import small_config, write_config

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEEP = "[" * 10_000 + "]" * 10_000


def _sample(i: int) -> str:
    return json.dumps({"id": f"s{i}", "tools": [{"name": "f", "description": "", "parameters": {"type": "object", "properties": {}}}],
                       "messages": [{"role": "user", "content": "hi"}], "answer": [{"name": "f", "arguments": {}}]})


def test_data_bad_utf8_names_file_and_line(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(_sample(1).encode() + b"\n" + _sample(2).encode().replace(b"hi", b"h\xffi") + b"\n")
    with pytest.raises(data.DataError) as e:
        data.read_jsonl(str(p))
    assert str(e.value) == f"{p}:2: not valid UTF-8 (byte {_sample(2).index('hi') + 2} of the line); save the file as UTF-8"


def test_data_deep_nesting_names_file_and_line(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text(_sample(1) + "\n\n" + DEEP + "\n")
    with pytest.raises(data.DataError, match=r"d\.jsonl:3: nested too deeply to read$"):
        data.read_jsonl(str(p))


def test_data_line_endings_one_rule_with_check(tmp_path):
    # LF and CRLF end lines; a lone CR does not (as `tooln1 check` and the language server read it)
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(_sample(i) for i in range(3)).encode() + b"\r\n")
    assert [s["id"] for s in data.read_jsonl(str(crlf))] == ["s0", "s1", "s2"]
    cr = tmp_path / "cr.jsonl"
    cr.write_bytes("\r".join(_sample(i) for i in range(3)).encode() + b"\r")
    with pytest.raises(data.DataError, match=r"cr\.jsonl:1: not valid JSON: Extra data .*carriage return"):
        data.read_jsonl(str(cr))


def test_data_imported_format_with_bad_bytes(tmp_path):
    p = tmp_path / "x.json"
    p.write_bytes(b'[{"query": "a"},\n {"query": "\xff"}]\n')
    with pytest.raises(data.DataError, match=r"x\.json:2: not valid UTF-8"):
        data.load_samples(str(p), "xlam")


def test_config_bad_bytes_deep_nesting_and_non_finite(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_bytes(b"model: m\ndata: {train: t}\nmethod: gr\xffpo\n")
    with pytest.raises(config.ConfigError) as e:
        config.load(str(p))
    assert str(e.value) == f"{p}:3: not valid UTF-8 (byte 0xff); save the file as UTF-8"
    deep = tmp_path / "deep.json"
    deep.write_text('{"model": ' + DEEP + "}")
    with pytest.raises(config.ConfigError, match="nested too deeply to read"):
        config.load(str(deep))
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("model: " + DEEP + "\n")
    with pytest.raises(config.ConfigError, match="nested too deeply to read"):
        config.load(str(deep_yaml))
    for text, key in [("grpo: {learning_rate: .nan}", "grpo.learning_rate"), ("sft: {learning_rate: .inf}", "sft.learning_rate"),
                      ("grpo: {temperature: -.inf}", "grpo.temperature")]:
        f = tmp_path / "nf.yaml"
        f.write_text(f"model: m\ndata: {{train: t}}\n{text}\n")
        with pytest.raises(config.ConfigError) as e:
            config.load(str(f))
        assert f"{key}: must be a finite number" in str(e.value)
    assert config.validate({"model": "m", "data": {"train": "t"}, "grpo": {"beta": math.nan}}) == ["grpo.beta: must be a finite number, got nan"]


def test_convert_deep_line_is_one_bad_line_and_the_rest_is_kept(tmp_path):
    raw = "\n".join([_sample(1), DEEP, '{"x": ' + DEEP + "}", _sample(2)]) + "\n"
    r = convert_text("canonical", raw)
    assert r["bad"] == [(2, "nested too deeply to read"), (3, "nested too deeply to read")]
    assert len(r["lines"]) == 2
    # the command: one report, the output written, exit 2 (as for any unreadable line)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(raw)
    p = subprocess.run([sys.executable, "-m", "tooln1", "convert", "--from", "canonical", str(src), str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert "line 2: nested too deeply to read" in p.stderr and "line 3: nested too deeply to read" in p.stderr
    assert len(out.read_text().splitlines()) == 2
    # a whole-file JSON array nested too deeply: one bad line, no traceback
    src.write_text(DEEP)
    p = subprocess.run([sys.executable, "-m", "tooln1", "convert", "--from", "canonical", str(src), str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "line 1: nested too deeply to read" in p.stderr, p.stderr


def _train(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tooln1", "train", *args], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("bad", ["utf8", "deep"])
def test_train_refuses_bad_data_with_one_line_exit_2(tmp_path, tiny_model, synth_files, bad):
    lines = open(synth_files["train"], encoding="utf-8").read().splitlines()[:6]
    body = "\n".join(lines).encode()
    if bad == "utf8":
        body += b'\n{"id": "\xff"}\n'
    elif bad == "deep":
        body += b"\n" + DEEP.encode() + b"\n"
    elif bad == "cr":
        body = "\r".join(lines).encode()
    else:
        body += b"\n[1, 2]\n"
    d = tmp_path / "train.jsonl"
    d.write_bytes(body)
    cfg = write_config(str(tmp_path / "c.yaml"), small_config(tiny_model, {"train": str(d), "validation": synth_files["validation"]}))
    run_dir = tmp_path / "run"
    p = _train("--config", cfg, "--run-dir", str(run_dir), "--quiet")
    assert p.returncode == 2, p.stderr[-3000:]
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout
    err = [line for line in p.stderr.splitlines() if line.startswith("tooln1 train:")]
    line_no = {"utf8": 7, "deep": 7, "cr": 1, "not-object": 7}[bad]
    assert len(err) == 1 and f"{d}:{line_no}:" in err[0], p.stderr[-3000:]
    events = [json.loads(x) for x in (run_dir / "events.jsonl").read_text().splitlines()]
    assert events[-1]["type"] == "run_finished" and events[-1]["status"] == "failed"
    assert not any(e.get("traceback") for e in events)


@pytest.mark.parametrize("bad", ["utf8", "nan"])
def test_train_refuses_a_bad_config_with_one_line_exit_2(tmp_path, bad):
    cfg = tmp_path / "c.yaml"
    cfg.write_bytes(b"model: m\ndata: {train: t}\n" + (b"method: gr\xffpo\n" if bad == "utf8" else b"grpo: {learning_rate: .nan}\n"))
    p = _train("--config", str(cfg), "--run-dir", str(tmp_path / "run"))
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert p.stderr.startswith("tooln1 train: ")
    assert (f"{cfg}:3: not valid UTF-8" if bad == "utf8" else "grpo.learning_rate: must be a finite number") in p.stderr


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tooln1", *args], capture_output=True, text=True, timeout=600)


def _one_line(p: subprocess.CompletedProcess, want: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1 and want in p.stderr, p.stderr[-2000:]


def test_bad_output_paths_are_one_line_errors(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    _one_line(_cli("make-tiny-model", "--out", str(a_file)), f"--out {a_file} is a file")
    _one_line(_cli("export-onnx", "--checkpoint", str(tmp_path), "--out", str(a_file)), f"--out {a_file} is a file")
    _one_line(_cli("synth-data", "--out", str(tmp_path)), f"--out {tmp_path} is a folder")
    _one_line(_cli("synth-data", "--out", str(a_file / "x.jsonl")), f"tooln1 synth-data: cannot use {a_file}")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("model: m\ndata: {train: t}\n")
    _one_line(_cli("train", "--config", str(cfg), "--run-dir", str(a_file)), f"--run-dir {a_file} is a file")
    _one_line(_cli("train", "--config", str(cfg), "--run-dir", str(a_file / "run")), "cannot write the run directory")


def test_a_used_run_dir_is_refused_unless_resume_or_overwrite(tmp_path):
    run = tmp_path / "run"
    (run / "rollouts").mkdir(parents=True)
    (run / "rollouts" / "step-00007.jsonl").write_text("{}\n")
    (run / "events.jsonl").write_text("")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"model: {tmp_path / 'no-model'}\ndata: {{train: t}}\n")
    _one_line(_cli("train", "--config", str(cfg), "--run-dir", str(run)), "is not empty (an earlier run?): add --resume")
    assert (run / "rollouts" / "step-00007.jsonl").exists(), "nothing is touched"
    _one_line(_cli("train", "--config", str(cfg), "--run-dir", str(run), "--resume", "--overwrite"), "exclude each other")
    # --overwrite clears the old files; the run then fails on the missing model, as a fresh one would
    p = _cli("train", "--config", str(cfg), "--run-dir", str(run), "--overwrite", "--quiet")
    assert p.returncode == 2 and "no-model" in p.stderr and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert not (run / "rollouts" / "step-00007.jsonl").exists()
    assert json.loads((run / "run.json").read_text())["status"] == "failed"
