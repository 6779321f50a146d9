"""The processes a load run starts and stops (servers, `parlons worker`, py-spy), and the
CPU they spend."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its live descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    tree, todo = set(), [pid]
    while todo:
        p = todo.pop()
        tree.add(p)
        todo.extend(c for c, parent in parents.items() if parent == p and c not in tree)
    return sum(times.get(p, 0.0) for p in tree)


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """Run a server until the block ends; yields its pid once /healthz answers."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"{command[0]} did not start, see {log}") from None
                    time.sleep(0.2)
            yield process.pid
        finally:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def outbox_worker(env: dict[str, str], work: Path, redis_port: int | None) -> Iterator[int | None]:
    """`parlons worker` for the block in Redis mode (its pid), nothing in the embedded one."""
    if redis_port is None:
        yield None
        return
    with (work / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [str(BIN / "parlons"), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield worker.pid
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)


@contextmanager
def profiling(pid: int, output: Path | None) -> Iterator[None]:
    """py-spy samples the server (and its workers) for the block, as collapsed stacks."""
    if output is None:
        yield
        return
    if not (BIN / "py-spy").exists():
        raise SystemExit("--profile needs py-spy: pip install -e '.[bench]'")
    command = [str(BIN / "py-spy"), "record", "--pid", str(pid), "--subprocesses"]
    command += ["--format", "raw", "--output", str(output), "--rate", "200"]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
