"""wrk driving a server with pre-signed requests (bench/residents.lua), and its results as
one table row a run."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench import residents

SCRIPT = Path(__file__).parent / "residents.lua"


@dataclass
class Run:
    name: str
    workers: int
    connections: int
    seconds: float
    answered: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    server_cpu: float  # seconds
    wrk_cpu: float  # seconds
    votes_acked: int | None = None
    votes_stored: int | None = None
    ideas_acked: int | None = None
    ideas_stored: int | None = None
    exhausted: int = 0
    redis_trips: int | None = None  # round trips to Redis over the run (its reads)
    redis_commands: int | None = None

    @property
    def rate(self) -> float:
        return self.answered / self.seconds

    @property
    def cpu_per_turn(self) -> float:
        """Seconds of the server's CPU a turn: unlike turns per second, it hardly depends on
        what else the machine runs."""
        return self.server_cpu / max(self.answered, 1)


def drive(url: str, directory: Path, connections: int, seconds: float, cycle: bool) -> dict:
    """Run wrk against `url` with the requests in `directory`; its results and CPU seconds."""
    env = {
        **os.environ,
        "LOAD_DIR": str(directory),
        "LOAD_CYCLE": "1" if cycle else "0",
        "LOAD_VOTE": residents.VOTE_MARKER,
        "LOAD_IDEA": residents.IDEA_MARKER,
    }
    command = [
        "wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--timeout", "15s",
        "-s", str(SCRIPT), url,
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"wrk failed ({status})")
    result = json.loads((directory / "result.json").read_text())
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def summarise(name: str, workers: int, connections: int, result: dict, server_cpu: float) -> Run:
    errors = result["errors"]
    threads = result["threads"]
    latency = result["latency_us"]
    return Run(
        name=name,
        workers=workers,
        connections=connections,
        seconds=result["duration_us"] / 1e6,
        answered=sum(t["answered"] - t["refused"] for t in threads),
        errors=sum(errors.values()) + sum(t["refused"] for t in threads),
        p50_ms=latency["p50"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        server_cpu=server_cpu,
        wrk_cpu=result["cpu"],
        exhausted=sum(t["exhausted"] for t in threads),
    )


def table(runs: list[tuple[Run, Run]]) -> str:
    """One row a run, each beside the floor measured with as many workers."""
    rows = [
        "| run | workers | turns/s | per worker | of floor | of floor, CPU | p50 ms | p99 ms "
        "| max ms | errors | ballots acked / stored | ideas acked / stored | CPU ms/turn "
        "| Redis trips/turn | wrk CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run, floor in runs:
        acked = f"{run.votes_acked} / {run.votes_stored}" if run.votes_acked is not None else "-"
        ideas = f"{run.ideas_acked} / {run.ideas_stored}" if run.ideas_acked is not None else "-"
        trips = "-"
        if run.redis_trips is not None:
            per_turn = run.redis_trips / run.answered, run.redis_commands / run.answered
            trips = "{:.2f} ({:.1f} commands)".format(*per_turn)
        rows.append(
            f"| {run.name} | {run.workers} | {run.rate:,.0f} | {run.rate / run.workers:,.0f} "
            f"| {run.rate / floor.rate:.0%} | {floor.cpu_per_turn / run.cpu_per_turn:.0%} "
            f"| {run.p50_ms:.1f} | {run.p99_ms:.1f} "
            f"| {run.max_ms:.0f} | {run.errors} | {acked} | {ideas} "
            f"| {1000 * run.cpu_per_turn:.2f} | {trips} "
            f"| {run.wrk_cpu / run.seconds:.0%} of a core |"
        )
    return "\n".join(rows)
