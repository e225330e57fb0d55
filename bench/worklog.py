"""Work records (平时考核) with 100,000 people and a year of entries (about 6 million rows):
writing an entry with 200 writers at once, a leader's board, a person's year of history, and the
reminder pass.

The locality of ``bench/_worklog_world.py`` in a scratch database, served by ``kaoping serve``
in a child process (as ``bench.submissions`` does); the clients are in this process:

* **writing**: 200 writers (people with API tokens) each save their weekly record of the
  current week ``--saves`` times through ``PUT .../worklog/me/entries/weekly_record/<week>``
  (the first save creates and submits it, later ones add versions). Paced: the writers together
  make ``--rate`` writes a second (each writer saves every 200/rate seconds), the latency of each
  request is timed (target p95 <= 20 ms). Then all 200 at the same instant (a burst: its p95 is
  about the time the whole burst takes on one server process; reported, not judged);
* **a leader's board**: a unit head's board of their unit (40 people) for a week,
  ``GET .../worklog/board?period=``, one request at a time, over ``--rounds`` different units
  (target p95 <= 50 ms);
* **a person's year of history**: ``GET .../worklog/me/entries?limit=100`` (64 entries), one
  at a time, ``--rounds`` different people (target p95 <= 50 ms); also as their unit head reads
  it (``/people/{id}/entries``);
* **the reminder pass** over the 100,000 people (``plugins.worklog.reminders.send_reminders``,
  in this process, at the Saturday after the last week's deadline: about 10,000 people missed
  it and are notified), target <= 2 s; then the same pass again (nobody new to remind).

    .venv/bin/python -m bench.worklog [--people 100000] [--backend sqlite|postgresql|both]

The machine's load average is printed beside the figures (the benchmark machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bench import _worklog_world as world_module
from bench._db import scratch_database
from bench._figures import figure
from bench.submissions import SECRET, _percentile, _phase, _request, start_server

QUICK_ARGS = ["--people", "4000", "--rounds", "10", "--saves", "2"]
WRITERS = 200
TARGETS = {"write": 20.0, "board": 50.0, "history": 50.0, "reminders": 2.0}
REMIND_AT = datetime(2026, 11, 28, 4, tzinfo=UTC)  # Saturday noon in China, after W48's Friday 18:00


def _tokens(ctx, user_ids: list[int]) -> dict[int, str]:
    from core.models import User
    from core.services import auth

    with ctx.db.read() as session:
        users = [session.get(User, u) for u in user_ids]
    return {u.id: auth.issue_token(ctx, u, kind="api", name="bench", ttl=timedelta(hours=2)).token for u in users}


def _timed_gets(client: httpx.Client, requests: list[tuple[str, str]]) -> list[float]:
    """GET each (path, token) one at a time (two warm-ups first); the latencies in ms."""
    times = []
    for index, (path, token) in enumerate(requests[:2] + requests):
        began = time.perf_counter()
        answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
        elapsed = (time.perf_counter() - began) * 1000
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        if index >= 2:
            times.append(elapsed)
    return times


def run_backend(backend: str, people: int, rounds: int, saves: int, rate: float) -> dict:
    from core.context import AppContext
    from core.db import Database
    from core.migrate import upgrade
    from core.periods import Period
    from core.security import Keyring
    from core.settings import Settings
    from plugins.worklog import reminders

    folder = Path(tempfile.mkdtemp(prefix="kaoping-bench-"))
    url, drop = scratch_database(backend, folder)
    server = None
    try:
        upgrade(url)
        ctx = AppContext(
            settings=Settings(database_url=url, secret_key=SECRET, var_dir=folder, scheduler=False),
            db=Database(url),
            keys=Keyring(SECRET),
        )
        world = world_module.build(ctx, people, log=lambda line: print(f"[{backend}] {line}", flush=True))
        code = world_module.CODE
        api = f"/api/localities/{code}/worklog"
        step = max(1, len(world.cadres) // WRITERS)
        writers = world.cadres[::step][:WRITERS]
        units = world.unit_ids[:: max(1, len(world.unit_ids) // rounds)][:rounds]
        readers = world.cadres[1 :: max(1, len(world.cadres) // rounds)][:rounds]
        tokens = _tokens(ctx, [u for u, _ in writers] + [world.heads[u] for u in units] + [u for u, _ in readers])
        person_unit = {}
        with ctx.db.read() as session:
            from sqlmodel import col, select

            from core.models import Person

            person_unit = dict(
                session.exec(select(Person.id, Person.unit_id).where(col(Person.id).in_([p for _, p in readers]))).all()
            )
        server, base = start_server(url, folder)
        result = {"backend": backend, "load": os.getloadavg()[0], "entries": world.entries}

        # writing: paced, then a burst
        week = str(Period.from_date("week", date.today()))
        host, port = base.removeprefix("http://").split(":")

        def save(user_id: int, round_: int):
            body = {"body": f"第{round_ + 1}稿：本周完成了材料起草和两次走访。", "submit": True}
            headers = {"Authorization": f"Bearer {tokens[user_id]}"}

            async def job(h, p):
                return await _request(h, p, "PUT", f"{api}/me/entries/weekly_record/{week}", body, headers)

            return job

        jobs = [save(user_id, r) for r in range(saves) for user_id, _ in writers]
        wall, latencies, errors, _ = asyncio.run(_phase(base, jobs, rate=rate))
        result["write_p50"] = _percentile(latencies, 0.5) * 1000
        result["write_p95"] = _percentile(latencies, 0.95) * 1000
        result["write_errors"] = errors
        result["write_count"] = len(jobs)
        wall, latencies, errors, _ = asyncio.run(_phase(base, [save(u, saves) for u, _ in writers]))
        result["burst_p95"] = _percentile(latencies, 0.95) * 1000
        result["burst_wall"] = wall
        result["write_errors"] += errors
        del host, port

        # a leader's board and a person's history, one request at a time
        board_week = world_module.LAST_WEEK
        with httpx.Client(base_url=base, timeout=60) as client:
            board = _timed_gets(client, [(f"{api}/board?period={board_week}", tokens[world.heads[u]]) for u in units])
            answer = client.get(
                f"{api}/board?period={board_week}",
                headers={"Authorization": f"Bearer {tokens[world.heads[units[0]]]}"},
            ).json()
            result["board_people"] = len(answer["rows"])
            own = _timed_gets(client, [(f"{api}/me/entries?limit=100", tokens[u]) for u, _ in readers])
            as_leader = _timed_gets(
                client,
                [
                    (f"{api}/people/{p}/entries?limit=100", tokens[world.heads[person_unit[p]]])
                    for _, p in readers
                    if world.heads.get(person_unit[p]) in tokens
                ]
                or [(f"{api}/me/entries?limit=100", tokens[readers[0][0]])],
            )
            answer = client.get(
                f"{api}/me/entries?limit=100", headers={"Authorization": f"Bearer {tokens[readers[0][0]]}"}
            ).json()
            result["history_entries"] = len(answer["items"])
        result["board_p95"] = _percentile(board, 0.95)
        result["history_p95"] = _percentile(own, 0.95)
        result["history_leader_p95"] = _percentile(as_leader, 0.95)

        # the reminder pass (the plugins loaded first, as in the server that runs it: loading them
        # took about 2 s of this process's first pass)
        from core.plugins import get_plugin_manager

        get_plugin_manager()
        began = time.perf_counter()
        result["reminded"] = reminders.send_reminders(ctx, now=REMIND_AT)
        result["reminders_s"] = time.perf_counter() - began
        began = time.perf_counter()
        again = reminders.send_reminders(ctx, now=REMIND_AT)
        result["reminders_again_s"] = time.perf_counter() - began
        assert again == 0, again
        ctx.db.dispose()
        return result
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop()
        shutil.rmtree(folder, ignore_errors=True)


def report(r: dict, people: int, rate: float) -> bool:
    full = people >= 100_000
    backend = r["backend"]
    note = f"{people:,} people, {r['entries']:,} entries; load {r['load']:.1f} on {os.cpu_count()} CPUs"
    checks = [
        ("write an entry, 200 writers paced: p95", r["write_p95"], "ms", "write", f"{rate:.0f} writes/s"),
        ("a leader's board, 40 people, a week: p95", r["board_p95"], "ms", "board", f"{r['board_people']} rows"),
        ("a person's year of history: p95", r["history_p95"], "ms", "history", f"{r['history_entries']} entries"),
        ("reminder pass over every person", r["reminders_s"], "s", "reminders", f"{r['reminded']:,} reminded"),
    ]
    failed = r["write_errors"] > 0
    print(f"\n[{backend}] {note}")
    for name, value, unit, key, extra in checks:
        over = value > TARGETS[key]
        failed |= over and full
        print(f"  {name:<44} {value:9.1f} {unit:<2} (<= {TARGETS[key]:g}; {extra}){'  OVER' if over else ''}")
        figure(
            "worklog", name, value, unit, target=TARGETS[key], backend=backend, note=f"{note}; {extra}", full_scale=full
        )
    others = [
        ("write an entry, 200 writers paced: p50", r["write_p50"], "ms", ""),
        ("write an entry, 200 writers at once: p95", r["burst_p95"], "ms", f"burst in {r['burst_wall']:.2f} s"),
        ("a person's history as their leader reads it: p95", r["history_leader_p95"], "ms", ""),
        ("reminder pass again, nobody new", r["reminders_again_s"], "s", ""),
        ("write errors", r["write_errors"], "", f"of {r['write_count'] + WRITERS} writes"),
    ]
    for name, value, unit, extra in others:
        print(f"  {name:<44} {value:9.1f} {unit:<2} {extra}")
        figure("worklog", name, value, unit, backend=backend, note=f"{note}; {extra}".rstrip("; "))
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="boards and histories timed")
    parser.add_argument("--saves", type=int, default=3, help="saves of each writer, paced")
    parser.add_argument("--rate", type=float, default=20.0, help="writes a second of the 200 writers together")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    failed = False
    for backend in backends:
        failed |= report(run_backend(backend, args.people, args.rounds, args.saves, args.rate), args.people, args.rate)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
