"""Several training processes: ranks, and the launcher behind `python -m tooln1 train --processes N`.

The launcher starts one `python -m tooln1 train` worker per process on this machine with the
environment torchrun gives its workers (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), so a
worker cannot tell it from torchrun or `accelerate launch`, and both work as launchers too. It owns
what torchrun would decide for us otherwise:

- SIGTERM (or SIGINT) reaches every rank once; the ranks agree at the next step boundary to stop,
  save one checkpoint and finish the run as cancelled. Nothing is killed while a checkpoint is written.
- A rank that dies fails the run: the launcher writes an `error` event naming the rank and how it
  ended, stops the others (they would wait in a collective forever) and, when rank 0 could not,
  finishes the run as failed.

Only global rank 0 writes the run directory (run.json, events, rollouts, checkpoints' model files).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

LAUNCHER_PID_ENV = "TOOLN1_LAUNCHER_PID"
KILL_GRACE_S = 10.0
PEER_LOST = 3  # a worker's exit code when a collective failed because another rank went away
_PEER_SIGNS = ("connection closed by peer", "connection reset by peer", "read error", "broken pipe",
               "communicator was aborted", "nccl error", "socket timeout")


def is_peer_failure(e: BaseException) -> bool:
    """Whether `e` says another rank went away (a failed collective), not a fault of this rank."""
    try:
        import torch.distributed as dist

        if isinstance(e, getattr(dist, "DistNetworkError", ())):
            return True
    except ImportError:
        pass
    text = str(e).lower()
    return any(s in text for s in _PEER_SIGNS)


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main() -> bool:
    """Global rank 0: the one process that writes the run directory."""
    return rank() == 0


def launched() -> bool:
    """True inside a worker started by a launcher (ours, torchrun or accelerate launch)."""
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_env(base: dict[str, str], *, local_rank: int, processes: int, nodes: int, node_rank: int, ip: str,
               port: int) -> dict[str, str]:
    env = dict(base)
    env.update({
        "RANK": str(node_rank * processes + local_rank),
        "LOCAL_RANK": str(local_rank),
        "WORLD_SIZE": str(processes * nodes),
        "LOCAL_WORLD_SIZE": str(processes),
        "GROUP_RANK": str(node_rank),
        "NODE_RANK": str(node_rank),
        "MASTER_ADDR": ip,
        "MASTER_PORT": str(port),
        LAUNCHER_PID_ENV: str(os.getpid()),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _events_size(run_dir: str) -> int:
    try:
        return os.path.getsize(os.path.join(run_dir, "events.jsonl"))
    except OSError:
        return 0


def _has_finished(run_dir: str, since: int) -> bool:
    """Whether a run_finished event was written after byte `since` of events.jsonl (this launch's part)."""
    path = os.path.join(run_dir, "events.jsonl")
    if not os.path.exists(path):
        return False
    with open(path, encoding="utf-8") as f:
        f.seek(since)
        for line in f:
            if '"run_finished"' in line and line.endswith("\n"):
                try:
                    if json.loads(line).get("type") == "run_finished":
                        return True
                except ValueError:
                    pass
    return False


def _writer(run_dir: str):
    """A writer appending to a run rank 0 started (or could not start); run.json keeps its fields."""
    from tooln1.events import RunWriter

    info: dict[str, Any] = {}
    try:
        with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError):
        pass
    return RunWriter(run_dir, method=info.get("method", "unknown"), config=info.get("config", {}),
                     config_path=info.get("config_path"), echo=False, resume=True)


def launch(worker_args: list[str], *, run_dir: str, processes: int, nodes: int = 1, node_rank: int = 0,
           ip: str = "127.0.0.1", port: int | None = None, poll_s: float = 0.1) -> int:
    """Start the workers of this machine, wait for them; returns the exit code of the run."""
    if port is None:
        port = free_port() if nodes == 1 else 29500
    since = _events_size(run_dir)  # a resumed run appends: only what this launch writes counts
    procs: list[subprocess.Popen] = []
    for local in range(processes):
        env = worker_env(dict(os.environ), local_rank=local, processes=processes, nodes=nodes, node_rank=node_rank,
                         ip=ip, port=port)
        procs.append(subprocess.Popen([sys.executable, "-m", "tooln1", "train", *worker_args], env=env))
    ranks = {p.pid: node_rank * processes + i for i, p in enumerate(procs)}
    forwarded = {"done": False}

    def forward(signum, frame) -> None:
        if forwarded["done"]:
            return
        forwarded["done"] = True
        for p in procs:
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    failed: tuple[int, int] | None = None  # (rank, exit code) of the first rank that failed by itself
    kill_at: float | None = None
    killed: set[int] = set()
    try:
        while any(p.poll() is None for p in procs):
            for p in procs:
                code = p.poll()
                if code in (None, 0):
                    continue
                if kill_at is None and not killed:  # the others wait in a collective that never completes: stop them
                    forward(signal.SIGTERM, None)
                    kill_at = time.monotonic() + KILL_GRACE_S
                if failed is None and code != PEER_LOST and p.pid not in killed:
                    failed = (ranks[p.pid], code)
                    if node_rank == 0 and not _has_finished(run_dir, since):
                        w = _writer(run_dir)
                        w.error(f"rank {failed[0]} of {processes * nodes} (pid {p.pid}) died: {_describe_exit(code)}; "
                                f"stopping the other ranks",
                                hint="its output is in the trainer log; out-of-memory kills show in `dmesg`")
                        w.close()
            if kill_at is not None and time.monotonic() > kill_at:
                for p in procs:
                    if p.poll() is None:
                        killed.add(p.pid)
                        p.kill()
                kill_at = None
            time.sleep(poll_s)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    codes = [p.returncode for p in procs]
    if failed is None and all(c == 0 for c in codes):
        return 0
    if node_rank == 0 and os.path.isdir(run_dir) and not _has_finished(run_dir, since):
        w = _writer(run_dir)
        if failed is None:  # every failed rank only lost its peers: a rank on another machine went away
            w.error("the ranks lost contact with each other (a rank on another node died, or the network failed)",
                    hint="see the trainer logs of every node")
            failed = next((ranks[p.pid], p.returncode) for p in procs if p.returncode != 0)
        w.run_finished("failed", message=f"rank {failed[0]} failed ({_describe_exit(failed[1])})")
        w.close()
    if failed is None:
        failed = next((ranks[p.pid], p.returncode) for p in procs if p.returncode != 0)
    return 2 if failed[1] == 2 else 1
