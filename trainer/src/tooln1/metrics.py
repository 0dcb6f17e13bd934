"""Map TRL's (and verl's) metric names onto the project's vocabulary (schemas/metrics.json, src/core/types.ts)."""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any

# Summary numbers Trainer logs once at the end; not per-step metrics.
DROPPED = {"train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos", "train_loss", "step",
           "step_time"}  # TRL's step_time: the callback measures time/step_s itself

# Fallback when tooln1.reward is not importable (same list as REASON_CODES in src/core/types.ts).
REASON_CODES = (
    "ok", "no_think", "no_tool_call", "unclosed_tool_call", "bad_json", "bad_call_shape", "wrong_call_count",
    "wrong_name", "missing_argument", "extra_argument", "wrong_argument_value", "bad_ground_truth",
)


def reason_codes() -> tuple[str, ...]:
    try:
        from tooln1 import reward

        codes = getattr(reward, "REASON_CODES", None)
        return tuple(codes) if codes else REASON_CODES
    except ImportError:
        return REASON_CODES


def _load() -> dict[str, Any]:
    with resources.files("tooln1").joinpath("schemas", "metrics.json").open("r", encoding="utf-8") as f:
        return json.load(f)


_SPEC = _load()


def alias_table(source: str = "trl") -> dict[str, str]:
    out: dict[str, str] = {}
    for ours, by_source in _SPEC["aliases"].items():
        for theirs in by_source.get(source, []):
            out[theirs] = ours
    return out


_TRL = alias_table("trl")
_TRL_PREFIX = {v["trl"]: k for k, v in _SPEC["prefix_aliases"].items() if v.get("trl")}


def finite(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def map_trl(logs: dict[str, Any]) -> dict[str, float | None]:
    """TRL log dict -> our names. Known names are renamed; other numeric names keep TRL's name."""
    out: dict[str, float | None] = {}
    for name, value in logs.items():
        if name in DROPPED or isinstance(value, (str, list, dict)):
            continue
        if name in _TRL:
            key = _TRL[name]
        else:
            key = name
            for theirs, ours in _TRL_PREFIX.items():
                if name.startswith(theirs) and theirs != ours:
                    key = ours + name[len(theirs):]
                    break
        out[key] = finite(value)
    return out
