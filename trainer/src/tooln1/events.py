"""The run directory writer: `run.json`, `events.jsonl`, `rollouts/step-NNNNN.jsonl`.

This module owns the wire format read by the extension (shapes in src/core/types.ts: TrainEvent,
RunInfo, RolloutRecord). Guarantees a reader can rely on:

- `events.jsonl`: one JSON object per line, each line written by a single `write()` on an
  O_APPEND descriptor and flushed before the call returns, so a SIGKILL never leaves half a line
  in the file. Every event is also echoed to stdout (flushed) when `echo` is on.
- `run.json`: rewritten whole (temporary file + rename) on every status change.
- `rollouts/step-NNNNN.jsonl`: written to a temporary file and renamed, so it is complete or absent;
  the `rollouts` event is written after the rename.
- No NaN or Infinity anywhere: non-finite numbers become `null`.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Iterable


def _event_schema() -> dict[str, Any]:
    with resources.files("tooln1").joinpath("schemas", "event.schema.json").open("r", encoding="utf-8") as f:
        return json.load(f)


def _then_of(schema: dict[str, Any], type_: str) -> dict[str, Any]:
    return next(c["then"] for c in schema["allOf"] if c["if"]["properties"]["type"]["const"] == type_)


# The event types and final statuses are those of schemas/event.schema.json (the one spec of the format).
_SCHEMA = _event_schema()
EVENT_VERSION: int = _SCHEMA["properties"]["v"]["const"]
EVENT_TYPES: tuple[str, ...] = tuple(_SCHEMA["properties"]["type"]["enum"])
FINAL_STATUSES: tuple[str, ...] = tuple(_then_of(_SCHEMA, "run_finished")["properties"]["status"]["enum"])


def utc_now() -> str:
    """ISO-8601 UTC with milliseconds and a `Z`, e.g. `2026-11-25T15:04:05.123Z`."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def to_json_value(value: Any) -> Any:
    """Make `value` strict JSON: non-finite floats become None, tuples lists, numpy/torch scalars numbers."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    item = getattr(value, "item", None)  # numpy / torch scalars
    if callable(item):
        try:
            return to_json_value(item())
        except (TypeError, ValueError):
            pass
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def dumps(obj: Any) -> str:
    return json.dumps(to_json_value(obj), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def write_json_atomic(path: str, obj: Any) -> None:
    """Write `obj` as JSON to `path` via a temporary file and a rename (readers never see a partial file)."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(to_json_value(obj), ensure_ascii=False, allow_nan=False, indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_jsonl_atomic(path: str, records: Iterable[Any]) -> int:
    """Write records as JSON lines via a temporary file and a rename; returns the count."""
    tmp = f"{path}.tmp-{os.getpid()}"
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for record in records:
            f.write(dumps(record) + "\n")
            n += 1
        f.flush()
    os.replace(tmp, path)
    return n


RUN_TOKEN_ENV = "TOOLN1_RUN_TOKEN"


def process_start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (`/proc/PID/stat` field 22); None without /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return int(data[data.rindex(b")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def run_pid() -> int:
    """The process to signal for the run: the launcher of several training processes, else this one."""
    return int(os.environ.get("TOOLN1_LAUNCHER_PID") or os.getpid())


def rollout_file_name(step: int) -> str:
    return f"step-{step:05d}.jsonl"


class RunWriter:
    """Writes one run directory. Thread-safe; every method returns the event it wrote."""

    def __init__(
        self,
        run_dir: str,
        *,
        method: str,
        config: dict[str, Any],
        config_path: str | None = None,
        run_id: str | None = None,
        echo: bool = True,
        resume: bool = False,
    ) -> None:
        self.run_dir = os.path.abspath(run_dir)
        self.method = method
        self.config = config
        self.config_path = os.path.abspath(config_path) if config_path else None
        self.run_id = run_id or os.path.basename(self.run_dir.rstrip(os.sep))
        self.echo = echo
        self.status = "running"
        self._lock = threading.Lock()
        os.makedirs(os.path.join(self.run_dir, "rollouts"), exist_ok=True)
        os.makedirs(os.path.join(self.run_dir, "checkpoints"), exist_ok=True)
        self.events_path = os.path.join(self.run_dir, "events.jsonl")
        self.run_json_path = os.path.join(self.run_dir, "run.json")
        if resume and os.path.exists(self.events_path):
            self._repair_tail()
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (0 if resume else os.O_TRUNC)
        self._fd = os.open(self.events_path, flags, 0o644)
        self.started = utc_now()
        if resume and os.path.exists(self.run_json_path):
            try:
                with open(self.run_json_path, encoding="utf-8") as f:
                    self.started = json.load(f).get("started", self.started)
            except (OSError, ValueError):
                pass
        self.finished: str | None = None
        self.last_step = 0  # the step of the last metrics event written
        self._write_run_json()

    # -- run.json -------------------------------------------------------------------------------

    def run_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "v": EVENT_VERSION,
            "run_id": self.run_id,
            "pid": run_pid(),
            "status": self.status,
            "started": self.started,
            "method": self.method,
            "config": self.config,
        }
        # what lets the launcher prove, before it signals `pid`, that the process is this run's trainer
        token = os.environ.get(RUN_TOKEN_ENV)
        if token:
            info["run_token"] = token
        start = process_start_time(run_pid())
        if start is not None:
            info["pid_start"] = start
        if self.finished:
            info["finished"] = self.finished
        if self.config_path:
            info["config_path"] = self.config_path
        return info

    def _write_run_json(self) -> None:
        write_json_atomic(self.run_json_path, self.run_info())

    def _repair_tail(self) -> None:
        """After a kill, drop a trailing partial line so appended events stay one per line."""
        with open(self.events_path, "rb+") as f:
            data = f.read()
            if data and not data.endswith(b"\n"):
                f.truncate(data.rfind(b"\n") + 1)

    # -- events ---------------------------------------------------------------------------------

    def emit(self, type_: str, **fields: Any) -> dict[str, Any]:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_!r}; expected one of {', '.join(EVENT_TYPES)}")
        event = {"v": EVENT_VERSION, "time": utc_now(), "type": type_}
        event.update({k: v for k, v in fields.items() if v is not None or k in ("total_steps",)})
        line = (dumps(event) + "\n").encode("utf-8")
        with self._lock:
            if self._fd < 0:
                raise RuntimeError("run writer is closed")
            os.write(self._fd, line)
            if self.echo:
                try:
                    sys.stdout.write(line.decode("utf-8"))
                    sys.stdout.flush()
                except (OSError, ValueError):
                    pass  # a closed stdout must not stop the run
        return event

    def run_started(self, *, model: str, data: dict[str, Any], total_steps: int | None) -> dict[str, Any]:
        return self.emit(
            "run_started",
            run_id=self.run_id,
            method=self.method,
            model=model,
            config=self.config,
            data=data,
            total_steps=total_steps,
            pid=run_pid(),
        )

    def metrics(
        self, step: int, metrics: dict[str, Any], *, total_steps: int | None = None, epoch: float | None = None,
        phase: str | None = None,
    ) -> dict[str, Any]:
        self.last_step = step
        return self.emit("metrics", step=step, total_steps=total_steps, epoch=epoch, phase=phase, metrics=metrics)

    def rollouts(self, step: int, records: list[dict[str, Any]]) -> dict[str, Any]:
        name = rollout_file_name(step)
        count = write_jsonl_atomic(os.path.join(self.run_dir, "rollouts", name), records)
        return self.emit("rollouts", step=step, path=f"rollouts/{name}", count=count)

    def checkpoint(self, step: int, path: str) -> dict[str, Any]:
        rel = os.path.relpath(path, self.run_dir) if os.path.isabs(path) else path
        return self.emit("checkpoint", step=step, path=rel.replace(os.sep, "/"))

    def eval(self, step: int, metrics: dict[str, Any], path: str | None = None, *, phase: str | None = None) -> dict[str, Any]:
        """``path``: per-sample results (rollout records) relative to the run directory, when written."""
        return self.emit("eval", step=step, phase=phase, metrics=metrics, path=path)

    def log(self, message: str, level: str = "info") -> dict[str, Any]:
        return self.emit("log", level=level, message=message)

    def warning(self, message: str, code: str | None = None) -> dict[str, Any]:
        return self.emit("warning", message=message, code=code)

    def error(self, message: str, *, traceback: str | None = None, hint: str | None = None) -> dict[str, Any]:
        return self.emit("error", message=message, traceback=traceback, hint=hint)

    def resumed(self, step: int, checkpoint: str | None) -> dict[str, Any]:
        """`--resume` continues after `step`: readers drop what was logged after it."""
        rel = None
        if checkpoint:
            rel = (os.path.relpath(checkpoint, self.run_dir) if os.path.isabs(checkpoint) else checkpoint).replace(os.sep, "/")
        return self.emit("resumed", step=step, checkpoint=rel)

    def set_status(self, status: str) -> None:
        self.status = status
        self._write_run_json()

    def run_finished(self, status: str, *, step: int | None = None, message: str | None = None) -> dict[str, Any]:
        if status not in FINAL_STATUSES:
            raise ValueError(f"run_finished status must be one of {', '.join(FINAL_STATUSES)}, not {status!r}")
        event = self.emit("run_finished", status=status, step=step, message=message)
        self.finished = event["time"]
        self.set_status(status)
        return event

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> "RunWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class NullWriter:
    """The writer of every rank but rank 0 when several processes train: the same calls, nothing
    written (rank 0 alone owns the run directory)."""

    def __init__(self, run_dir: str) -> None:
        self.run_dir = os.path.abspath(run_dir)
        self.status = "running"
        self.finished: str | None = None
        self.last_step = 0

    def emit(self, type_: str, **fields: Any) -> dict[str, Any]:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_!r}")
        return {"v": EVENT_VERSION, "time": utc_now(), "type": type_, **fields}

    def __getattr__(self, name: str):
        if name in EVENT_TYPES:
            return lambda *a, **k: self.emit(name)
        raise AttributeError(name)

    def rollouts(self, step: int, records: list[dict[str, Any]]) -> dict[str, Any]:
        return self.emit("rollouts", step=step, count=len(records))

    def set_status(self, status: str) -> None:
        self.status = status

    def close(self) -> None:
        pass


def read_events(run_dir: str) -> list[dict[str, Any]]:
    """Every complete event of a run directory (a test and tooling helper); none before the file exists."""
    out = []
    path = os.path.join(run_dir, "events.jsonl")
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.endswith("\n") and line.strip():
                out.append(json.loads(line))
    return out


def append_by_step(items: list[dict[str, Any]], item: dict[str, Any], merge: Any = None) -> int:
    """Append keeping steps increasing (the rules of appendByStep in src/core/events.ts): entries after
    `item`'s step are dropped; an entry at its step is replaced (or, when nothing was dropped and
    `merge` is given, merged; a merge returning None keeps both). Returns how many earlier entries were
    removed."""
    n = len(items)
    while n > 0 and items[n - 1]["step"] > item["step"]:
        n -= 1
    removed = len(items) - n
    del items[n:]
    if n > 0 and items[n - 1]["step"] == item["step"]:
        if removed or not merge:
            items[n - 1] = item
            return removed + 1
        merged = merge(items[n - 1], item)
        if merged is None:
            items.append(item)
            return 0
        items[n - 1] = merged
        return 1
    items.append(item)
    return removed


def rewind_steps(items: list[dict[str, Any]], step: int) -> int:
    """Drop the entries after `step` (a `resumed` event); returns how many."""
    n = len(items)
    while n > 0 and items[n - 1]["step"] > step:
        n -= 1
    removed = len(items) - n
    del items[n:]
    return removed


def _merge_points(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    """Two records of one step and phase become one point; at a phase boundary both are kept."""
    if a.get("phase") != b.get("phase"):
        return None
    out = {"step": b["step"], "time": b["time"] or a["time"], "metrics": {**a["metrics"], **b["metrics"]}}
    if b.get("phase"):
        out["phase"] = b["phase"]
    return out


def run_series(events: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A run's series with only the newest record of each step (a resumed run writes steps again):
    `points` and `eval` ({step, time, metrics}), `rollouts` ({step, path, count}), `checkpoints`."""
    out: dict[str, list[dict[str, Any]]] = {"points": [], "eval": [], "rollouts": [], "checkpoints": []}
    for e in events:
        t = e.get("type")
        if t in ("metrics", "eval"):
            point = {"step": e["step"], "time": e.get("time"), "metrics": dict(e.get("metrics") or {})}
            if e.get("phase"):
                point["phase"] = e["phase"]
            append_by_step(out["points" if t == "metrics" else "eval"], point, _merge_points)
        elif t == "rollouts":
            append_by_step(out["rollouts"], {"step": e["step"], "path": e["path"], "count": e["count"]})
        elif t == "checkpoint":
            out["checkpoints"].append({"step": e["step"], "path": e["path"]})
        elif t == "resumed":
            for series in out.values():
                rewind_steps(series, e["step"])
    return out

