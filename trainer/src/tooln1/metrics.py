"""Map TRL's (and verl's) metric names onto the project's vocabulary (schemas/metrics.json, read by src/core/metrics.ts too)."""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any

# Summary numbers Trainer logs once at the end; not per-step metrics.
DROPPED = {"train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos", "train_loss", "step",
           "step_time"}  # TRL's step_time: the callback measures time/step_s itself

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


def _prefixes(source: str) -> list[tuple[str, str]]:
    pairs = [(v[source], k) for k, v in _SPEC["prefix_aliases"].items() if v.get(source)]
    return sorted(pairs, key=lambda p: -len(p[0]))


_EXACT = {"trl": alias_table("trl"), "verl": alias_table("verl")}
_PREFIX = {"trl": _prefixes("trl"), "verl": _prefixes("verl")}


def metric_name(source: str, name: str) -> tuple[str, bool]:
    """Our name for one of `source`'s metric names, and whether an alias produced it (src/core/metrics.ts)."""
    if source == "tooln1":
        return name, False
    exact = _EXACT[source].get(name)
    if exact is not None:
        return exact, True
    for theirs, ours in _PREFIX[source]:
        if not name.startswith(theirs):
            continue
        rest = name[len(theirs):]
        if rest == "":
            return ours.rstrip("/"), True
        return ours + _EXACT[source].get(rest, rest), True
    return name, False


def normalize_metrics(source: str, raw: dict[str, Any]) -> dict[str, float | None]:
    """One logged record from `source` ("trl", "verl", "tooln1") in our names; the same rules as
    normalizeMetrics in src/core/metrics.ts: finite numbers kept, NaN/inf/None -> None, other values
    dropped; an alias wins over a pass-through name landing on the same key."""
    out: dict[str, float | None] = {}
    from_alias: set[str] = set()
    for key, v in raw.items():
        if v is None:
            value = None
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            value = v if math.isfinite(v) else None
        else:
            continue
        name, aliased = metric_name(source, key)
        if not aliased and name in from_alias:
            continue
        out[name] = value
        if aliased:
            from_alias.add(name)
    return out


def map_trl(logs: dict[str, Any]) -> dict[str, float | None]:
    """TRL log dict -> our names (normalize_metrics), without the end-of-training summary numbers."""
    kept = {k: v for k, v in logs.items() if k not in DROPPED}
    return {k: (None if v is None else float(v)) for k, v in normalize_metrics("trl", kept).items()}
