"""How many residents one machine serves: `parlons serve` under whole SMS conversations.

`python -m bench.load` (or `make bench-load`) starts, one after the other on loopback:

1. the floor (bench/floor.py: a bare FastAPI route parsing the same form, constant TwiML),
2. `parlons serve` with a fresh SQLite database (the embedded default),

and drives each with wrk for a bounded time: one connection per simulated resident thread,
pre-signed Twilio requests written by bench/residents.py. It prints one table: turns per second,
their share of the floor's, latency, errors, ballots acknowledged against ballots stored, and
the CPU each turn costs the server and the load generator.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import residents
from bench.residents import Signer

HERE = Path(__file__).parent
SCRIPT = HERE / "residents.lua"
BIN = Path(sys.executable).parent
AUTH_TOKEN = "load-bench-twilio-token"
ADMIN_TOKEN = "load-bench-admin-token"
SLUG = "mulhouse"
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

    @property
    def rate(self) -> float:
        return self.answered / self.seconds


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


def send(port: int, raw: bytes) -> str:
    """One raw request from a file, sent again (as Twilio retries a webhook); the reply."""
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{residents.SMS_PATH}", data=body, headers=headers
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.read().decode()


def finish_cut_turns(port: int, directory: Path, result: dict) -> tuple[int, int]:
    """The turns in flight when wrk stopped: send each again, as Twilio would after a
    timeout, and count what their replies acknowledge (the first delivery may have been
    stored already; the retry then gets the same answer, from the replay store)."""
    votes = ideas = 0
    for thread in result["threads"]:
        if thread["issued"] > thread["answered"] and not thread["exhausted"]:
            raw = (directory / f"t{thread['id']}.req").read_bytes().split(b"\0")
            reply = send(port, raw[thread["issued"] - 1])
            votes += residents.VOTE_MARKER in reply
            ideas += residents.IDEA_MARKER in reply
    return votes, ideas


def stored(port: int) -> tuple[int, int]:
    """Ballots and pending ideas the consultation API holds."""

    def get(path: str) -> object:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/consultations/{SLUG}{path}",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    return get("/results")["ballots"], len(get("/proposals?status=pending"))


def bench_floor(args: argparse.Namespace, work: Path) -> Run:
    port = free_port()
    signer = Signer(AUTH_TOKEN, f"http://127.0.0.1:{port}", f"127.0.0.1:{port}")
    residents.write_requests(signer, work, args.connections, args.connections, run="F")
    command = [str(BIN / "python"), "-m", "bench.floor", "--port", str(port)]
    command += ["--workers", str(args.workers)]
    with serving(command, dict(os.environ), port, work / "floor.log") as pid:
        before = cpu_seconds(pid)
        result = drive(f"http://127.0.0.1:{port}/", work, args.connections, args.seconds, True)
        cpu = cpu_seconds(pid) - before
    return summarise("floor (bare FastAPI route)", args.workers, args.connections, result, cpu)


def bench_parlons(args: argparse.Namespace, work: Path, ceiling: float) -> Run:
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    signer = Signer(AUTH_TOKEN, public_url, f"127.0.0.1:{port}")
    # Enough residents for the run at the floor's pace (a full turn never goes faster), so
    # nobody's conversation is replayed.
    needed = int(ceiling * args.seconds * 1.5) + 1000
    turns = len(residents.conversation(0))
    count = max(args.connections, -(-needed // turns))
    residents.write_requests(signer, work, args.connections, count, run="P")
    env = {
        **os.environ,
        "PARLONS_DATABASE_URL": f"sqlite+aiosqlite:///{work}/parlons.db",
        "PARLONS_PUBLIC_URL": public_url,
        "PARLONS_ADMIN_TOKEN": ADMIN_TOKEN,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    command = [str(BIN / "parlons"), "serve", "--port", str(port)]
    with serving(command, env, port, work / "parlons.log") as pid:
        check_one_conversation(port, signer)
        votes_before, ideas_before = stored(port)
        before = cpu_seconds(pid)
        with profiling(pid, args.profile):
            result = drive(f"{public_url}/", work, args.connections, args.seconds, False)
        cpu = cpu_seconds(pid) - before
        run = summarise("parlons, full SMS turn", args.workers, args.connections, result, cpu)
        cut_votes, cut_ideas = finish_cut_turns(port, work, result)
        votes_after, ideas_after = stored(port)
    run.votes_acked = sum(t["votes"] for t in result["threads"]) + cut_votes
    run.ideas_acked = sum(t["ideas"] for t in result["threads"]) + cut_ideas
    run.votes_stored = votes_after - votes_before
    run.ideas_stored = ideas_after - ideas_before
    return run


@contextmanager
def profiling(pid: int, output: Path | None) -> Iterator[None]:
    """py-spy samples the server (and its workers) for the block, as collapsed stacks."""
    if output is None:
        yield
        return
    command = [str(BIN / "py-spy"), "record", "--pid", str(pid), "--subprocesses"]
    command += ["--format", "raw", "--output", str(output), "--rate", "200"]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


def check_one_conversation(port: int, signer: Signer) -> None:
    """One resident's whole conversation before the load: every request is accepted and
    acknowledges what it should (a wrong signature would otherwise measure 403s)."""
    replies = [send(port, signer.request(f)) for f in residents.forms(signer, 10**7, "W")]
    votes = sum(residents.VOTE_MARKER in r for r in replies)
    ideas = sum(residents.IDEA_MARKER in r for r in replies)
    expected = (residents.VOTES_PER_CONVERSATION, residents.IDEAS_PER_CONVERSATION)
    if (votes, ideas) != expected:
        raise SystemExit(f"the conversation went astray: {votes} votes, {ideas} ideas acknowledged")


def table(floor: Run, runs: list[Run]) -> str:
    rows = [
        "| run | workers | concurrent | turns/s | per worker | of floor | p50 ms | p99 ms "
        "| max ms | errors | ballots acked / stored | ideas acked / stored "
        "| server CPU ms/turn | wrk CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in [floor, *runs]:
        acked = f"{run.votes_acked} / {run.votes_stored}" if run.votes_acked is not None else "-"
        ideas = f"{run.ideas_acked} / {run.ideas_stored}" if run.ideas_acked is not None else "-"
        rows.append(
            f"| {run.name} | {run.workers} | {run.connections} | {run.rate:,.0f} "
            f"| {run.rate / run.workers:,.0f} | {run.rate / floor.rate:.0%} "
            f"| {run.p50_ms:.1f} | {run.p99_ms:.1f} | {run.max_ms:.0f} | {run.errors} "
            f"| {acked} | {ideas} | {1000 * run.server_cpu / max(run.answered, 1):.2f} "
            f"| {run.wrk_cpu / run.seconds:.0%} of a core |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="each run's length")
    parser.add_argument("--connections", type=int, default=64, help="residents at once")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--profile", type=Path, help="py-spy the server during the run, into this file"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench-load needs wrk (apt-get install wrk, brew install wrk)")
    work = Path(tempfile.mkdtemp(prefix="parlons-load-"))
    try:
        floor = bench_floor(args, work)
        parlons = bench_parlons(args, work, floor.rate)
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{os.cpu_count()} CPUs, {args.seconds} s a run, loopback, wrk -t{args.connections}")
    print(table(floor, [parlons]))
    problems = []
    if parlons.errors:
        problems.append(f"{parlons.errors} errors")
    if (parlons.votes_acked, parlons.ideas_acked) != (parlons.votes_stored, parlons.ideas_stored):
        problems.append("acknowledged and stored differ")
    if parlons.exhausted:
        problems.append(f"residents ran out ({parlons.exhausted} re-deliveries): raise the count")
    if problems:
        raise SystemExit("; ".join(problems))


if __name__ == "__main__":
    main()
