"""How many residents one machine serves: `parlons serve` under whole SMS and WhatsApp
conversations.

`python -m bench.load` (or `make bench-load`) starts, one after the other on loopback:

1. the floor (bench/floor.py: a bare FastAPI route parsing the same form, constant TwiML),
2. `parlons serve` with a fresh SQLite database (the embedded default), once with residents
   on SMS, once with residents on WhatsApp (typed votes, tapped buttons: bench/residents.py),

and drives each with wrk for a bounded time: one connection per simulated resident thread,
pre-signed Twilio requests written by bench/residents.py. It prints one table: turns per second,
their share of the floor's, latency, errors, ballots acknowledged against ballots stored, and
the CPU each turn costs the server and the load generator.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import residents
from bench.processes import BIN, cpu_seconds, free_port, outbox_worker, profiling, serving
from bench.redis_mode import production_stores, redis_info, redis_mode_missing
from bench.residents import Signer
from bench.wrk import Run, drive, summarise, table

AUTH_TOKEN = "load-bench-twilio-token"
ADMIN_TOKEN = "load-bench-admin-token"
SLUG = "mulhouse"
WEBHOOKS = {"sms": residents.SMS_PATH, "whatsapp": residents.WHATSAPP_PATH}
CHANNEL_NAMES = {"sms": "SMS", "whatsapp": "WhatsApp"}
RESIDENTS_A_RUN = 1_000_000
RESIDENT_BLOCKS = itertools.count(0, RESIDENTS_A_RUN)


def send(port: int, raw: bytes) -> str:
    """One raw request from a file, sent again (as Twilio retries a webhook); the reply."""
    head, body = raw.split(b"\r\n\r\n", 1)
    request_line, *lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    path = request_line.split()[1]
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
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


def drained(port: int, expected: tuple[int, int], patience: float = 60) -> tuple[int, int]:
    """What the API holds, once it reaches `expected` or stops moving for `patience` s (in
    Redis mode ballots reach it through the outbox, a moment after the reply)."""
    last, since = stored(port), time.monotonic()
    while last != expected and time.monotonic() - since < patience:
        time.sleep(0.5)
        now = stored(port)
        if now != last:
            last, since = now, time.monotonic()
    return last


def check_one_conversation(port: int, signer: Signer, resident: int) -> None:
    """One resident's whole conversation before the load: every request is accepted and
    acknowledges what it should (a wrong signature would otherwise measure 403s)."""
    replies = [send(port, signer.request(f)) for f in residents.forms(signer, resident, "W")]
    votes = sum(residents.VOTE_MARKER in r for r in replies)
    ideas = sum(residents.IDEA_MARKER in r for r in replies)
    expected = (residents.VOTES_PER_CONVERSATION, residents.IDEAS_PER_CONVERSATION)
    if (votes, ideas) != expected:
        raise SystemExit(f"the conversation went astray: {votes} votes, {ideas} ideas acknowledged")


def bench_floor(args: argparse.Namespace, work: Path, workers: int) -> Run:
    port = free_port()
    signer = Signer(AUTH_TOKEN, f"http://127.0.0.1:{port}", f"127.0.0.1:{port}")
    residents.write_requests(signer, work, args.connections, args.connections, run="F")
    command = [str(BIN / "python"), "-m", "bench.floor", "--port", str(port)]
    command += ["--workers", str(workers)]
    with serving(command, dict(os.environ), port, work / f"floor-{port}.log") as pid:
        before = cpu_seconds(pid)
        result = drive(f"http://127.0.0.1:{port}/", work, args.connections, args.seconds, True)
        cpu = cpu_seconds(pid) - before
    return summarise("floor (bare FastAPI route)", workers, args.connections, result, cpu)


def bench_parlons(
    args: argparse.Namespace,
    work: Path,
    ceiling: float,
    workers: int,
    redis_port: int | None,
    channel: str = "sms",
) -> Run:
    """One run of `parlons serve`: embedded (SQLite) or, with `redis_port`, Redis mode, its
    outbox drained by `parlons worker` running alongside as in production; its residents on
    `channel` (sms, whatsapp)."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    signer = Signer(AUTH_TOKEN, public_url, f"127.0.0.1:{port}", WEBHOOKS[channel])
    # Enough residents for the run at the floor's pace (a full turn never goes faster), so
    # nobody's conversation is replayed.
    needed = int(ceiling * args.seconds * 1.5) + 1000
    turns = len(residents.conversation(0, channel))
    count = max(args.connections, -(-needed // turns))
    # Each run its own residents: Redis mode's runs share their stores, and a number on SMS
    # and on WhatsApp is one participant.
    first = next(RESIDENT_BLOCKS)
    residents.write_requests(signer, work, args.connections, count, run=f"P{port}", first=first)
    env = {
        **os.environ,
        "PARLONS_DATABASE_URL": f"sqlite+aiosqlite:///{work}/parlons-{port}.db",
        "PARLONS_PUBLIC_URL": public_url,
        "PARLONS_ADMIN_TOKEN": ADMIN_TOKEN,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        **(args.stores if redis_port else {}),
    }
    command = [str(BIN / "parlons"), "serve", "--port", str(port), "--workers", str(workers)]
    name = "parlons, Redis mode" if redis_port else "parlons, embedded"
    name += f", {CHANNEL_NAMES[channel]}"
    with serving(command, env, port, work / f"parlons-{port}.log") as pid:
        with outbox_worker(env, work, redis_port) as worker:
            check_one_conversation(port, signer, first + RESIDENTS_A_RUN - 1)
            drained(port, (residents.VOTES_PER_CONVERSATION, residents.IDEAS_PER_CONVERSATION))
            votes_before, ideas_before = stored(port)
            pids = [pid, *([worker] if worker else [])]
            before = sum(map(cpu_seconds, pids)), redis_port and redis_info(redis_port)
            with profiling(pid, args.profile):
                result = drive(f"{public_url}/", work, args.connections, args.seconds, False)
            cpu = sum(map(cpu_seconds, pids)) - before[0]
            after = redis_port and redis_info(redis_port)
            run = summarise(name, workers, args.connections, result, cpu)
            cut_votes, cut_ideas = finish_cut_turns(port, work, result)
            run.votes_acked = sum(t["votes"] for t in result["threads"]) + cut_votes
            run.ideas_acked = sum(t["ideas"] for t in result["threads"]) + cut_ideas
            expected = (votes_before + run.votes_acked, ideas_before + run.ideas_acked)
            votes_after, ideas_after = drained(port, expected)
    run.votes_stored = votes_after - votes_before
    run.ideas_stored = ideas_after - ideas_before
    if redis_port:
        run.redis_trips = after["total_reads_processed"] - before[1]["total_reads_processed"]
        run.redis_commands = (
            after["total_commands_processed"] - before[1]["total_commands_processed"]
        )
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="each run's length")
    parser.add_argument("--connections", type=int, default=64, help="residents at once")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count(), help="workers for Redis mode's last run"
    )
    parser.add_argument("--mode", choices=["embedded", "redis", "both"], default="both")
    parser.add_argument(
        "--channels", default="sms,whatsapp", help="residents' channels, each its own run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--profile", type=Path, help="py-spy the server during the run, into this file"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench-load needs wrk (apt-get install wrk, brew install wrk)")
    skipped = None
    if args.mode != "embedded" and (skipped := redis_mode_missing()):
        if args.mode == "redis":
            raise SystemExit(f"Redis mode: {skipped}")
    work = Path(tempfile.mkdtemp(prefix="parlons-load-"))
    rows: list[tuple[Run, Run]] = []  # each run, and the floor it is compared with
    try:
        floor = bench_floor(args, work, 1)
        rows.append((floor, floor))
        channels = args.channels.split(",")
        if args.mode != "redis":
            for channel in channels:
                rows.append((bench_parlons(args, work, floor.rate, 1, None, channel), floor))
        if args.mode != "embedded" and not skipped:
            with production_stores(work) as (args.stores, redis_port):
                for channel in channels:
                    run = bench_parlons(args, work, floor.rate, 1, redis_port, channel)
                    rows.append((run, floor))
                if args.workers > 1:
                    floor = bench_floor(args, work, args.workers)
                    rows.append((floor, floor))
                    run = bench_parlons(args, work, floor.rate, args.workers, redis_port)
                    rows.append((run, floor))
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"{os.cpu_count()} CPUs, {args.connections} residents at once, {args.seconds} s a run,"
        " loopback; CPU: Parlons's processes (and `parlons worker`), not Redis's nor PostgreSQL's"
    )
    print(table(rows))
    if skipped:
        print(f"Redis mode skipped: {skipped}")
    problems = []
    for run, floor in rows:
        if run is floor:
            continue
        if run.errors:
            problems.append(f"{run.name}: {run.errors} errors")
        if (run.votes_acked, run.ideas_acked) != (run.votes_stored, run.ideas_stored):
            # A vote stored but missing is lost; in Redis mode it may also have replaced an
            # earlier one: a resident asked again about a proposal whose ballot still
            # waited in the outbox (next_proposals cannot see it), see docs/load.md.
            problems.append(
                f"{run.name}: {run.votes_acked} votes and {run.ideas_acked} ideas acknowledged,"
                f" {run.votes_stored} ballots and {run.ideas_stored} ideas stored"
            )
        if run.exhausted:
            problems.append(f"{run.name}: residents ran out ({run.exhausted} re-deliveries)")
    if problems:
        raise SystemExit("; ".join(problems))


if __name__ == "__main__":
    main()
