"""ToolN1GRPOTrainer (tooln1/train.py) overrides TRL's private `_generate_and_score_completions` and
reads `self._logs`. These tests name what it relies on, so a TRL release that changes it fails here,
clearly, instead of a training run losing its rollouts."""

import inspect
import re
import tomllib
from pathlib import Path

import pytest

trl = pytest.importorskip("trl")
from trl import GRPOTrainer  # noqa: E402

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _pinned_range() -> tuple[tuple[int, ...], tuple[int, ...]]:
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    spec = next(d for group in deps.values() for d in group if d.startswith("trl"))
    low, high = re.fullmatch(r"trl>=([\d.]+),<([\d.]+)", spec).groups()
    return tuple(map(int, low.split("."))), tuple(map(int, high.split(".")))


def test_installed_trl_is_the_tested_range():
    low, high = _pinned_range()
    have = tuple(int(x) for x in re.findall(r"\d+", trl.__version__)[:3])
    assert low <= have < high, f"trl {trl.__version__} is outside the tested range {low}..{high} (trainer/pyproject.toml)"


def test_private_generate_and_score_hook_is_there():
    hook = getattr(GRPOTrainer, "_generate_and_score_completions", None)
    assert callable(hook), "TRL removed GRPOTrainer._generate_and_score_completions: ToolN1GRPOTrainer overrides it"
    assert list(inspect.signature(hook).parameters) == ["self", "inputs"], "its signature changed"


def test_logs_keep_the_batch_the_rollout_capture_reads():
    src = inspect.getsource(GRPOTrainer.__init__)
    m = re.search(r"self\._logs = \{(.*?)\n\s*\}", src, re.S)
    assert m, "GRPOTrainer.__init__ no longer builds self._logs"
    logs = m.group(1)
    for key in ("prompt", "completion", "advantages"):
        assert re.search(rf'"{key}": deque\(', logs), f"self._logs[{key!r}] is no longer a deque of the batch"
    assert re.search(r'"rewards": defaultdict\(lambda: deque\(', logs), "self._logs['rewards'] is no longer a deque per reward function"
