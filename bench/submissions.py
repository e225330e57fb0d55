"""500 evaluators log in and submit a 20-subject x 5-indicator ballot at the same moment.

A real server (``kaoping serve`` in a child process) over SQLite and over PostgreSQL; the
evaluators are concurrent HTTP clients in this process. Prints, per backend: logins/s,
submissions/s, p50/p99 latency, errors, and the server's peak memory (VmHWM). Then as many
evaluators again arrive evenly at ``--rate`` per second (an open-loop load): their p50/p99.
When all submit at the same instant, p99 is about the time the whole burst takes.

    .venv/bin/python -m bench.submissions [--voters 500] [--backend sqlite|postgresql|both]
        [--workers 1] [--rate 500] [--no-two-processes]

With PostgreSQL, the burst and the paced run are measured again with two server processes.

Targets (issue 16): >= 600 submissions/s on SQLite and on PostgreSQL with one server process,
>= 1.5x that with two over PostgreSQL; paced arrivals at 500/s: p99 <= 300 ms; app/raw >= 0.6
(raw: the same transaction on the same tables, without HTTP, measured in the same run); server
peak <= 300 MB; 0 errors, every ballot stored once. The machine's load average is printed beside
the figures: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from ballots import service as ballots
from bench._db import scratch_database
from bench._figures import figure, machine_cpu
from core.context import Actor, AppContext
from core.db import Database
from core.migrate import upgrade
from core.schemas.campaigns import CampaignIn, CategoryIn
from core.schemas.indicators import TemplateIn
from core.schemas.localities import LocalityIn
from core.schemas.org import SubjectIn, UnitIn
from core.security import Keyring
from core.services import campaigns, localities, org, templates
from core.services import subjects as subject_service
from core.settings import Settings

SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
SUBJECTS = 20
LEAVES = 5
GRADES = ["优秀", "称职", "基本称职", "不称职"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def campaign(ctx: AppContext) -> tuple[int, list[int]]:
    """A locality ``bench`` with a draft campaign of SUBJECTS subjects x LEAVES indicators and one
    category ``代表``: (campaign id, subject ids)."""
    actor = Actor.system("bench")
    localities.create(ctx, actor, LocalityIn(code="bench", name="基准县"))
    subject_ids = []
    for index in range(SUBJECTS):
        unit = org.create_unit(ctx, actor, "bench", UnitIn(code=f"U{index:03d}", name=f"单位{index}"))
        subject_ids.append(
            subject_service.create_subject(
                ctx, actor, "bench", SubjectIn(name=unit.name, kind="unit", ref_id=unit.id, category="综合管理部门")
            ).id
        )
    template = templates.create(
        ctx,
        actor,
        "bench",
        TemplateIn.model_validate(
            {
                "name": "测评表",
                "grade_scale": [{"label": g, "score": s} for g, s in zip(GRADES, (95, 80, 65, 50))],
                "indicators": [{"code": f"I{i}", "name": f"指标{i}"} for i in range(LEAVES)],
            }
        ),
    )
    campaign = campaigns.create(
        ctx,
        actor,
        "bench",
        CampaignIn(
            name="基准测评", subject_ids=subject_ids, categories=[CategoryIn(name="代表", template_id=template.id)]
        ),
    )
    return campaign.id, subject_ids


def _prepare(ctx: AppContext, voters: int) -> tuple[list[tuple[int, str]], list[int], int]:
    """The campaign of ``campaign``, opened, with ``voters`` accounts: ((id, code) of each account,
    subject ids, campaign id)."""
    actor = Actor.system("bench")
    campaign_id, subject_ids = campaign(ctx)
    accounts = []
    for start in range(0, voters, ballots.MAX_ACCOUNTS_PER_CALL):
        issued = ballots.issue_accounts(
            ctx,
            actor,
            campaign_id,
            ballots.AccountsIn(category="代表", count=min(ballots.MAX_ACCOUNTS_PER_CALL, voters - start)),
        )
        accounts += [(a.id, a.code) for a in issued.accounts]
    campaigns.open_campaign(ctx, actor, campaign_id)
    return accounts, subject_ids, campaign_id


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _tree_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid] + [int(c) for c in children.read_text().split()] if children.exists() else [pid]


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server and its workers."""
    total = 0
    for p in _tree_pids(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _tree_peak_rss_mb(pid: int) -> float:
    """Peak resident memory of the server: the process and its worker processes, summed."""
    return sum(_peak_rss_mb(p) for p in _tree_pids(pid))


def start_server(url: str, folder: Path, workers: int = 1) -> tuple[subprocess.Popen, str]:
    """``kaoping serve`` over ``url`` in a child process, answering /health: (process, base URL)."""
    port = _free_port()
    env = {
        **os.environ,
        "KAOPING_DATABASE_URL": url,
        "KAOPING_SECRET_KEY": SECRET,
        "KAOPING_VAR_DIR": str(folder),
        "KAOPING_PORT": str(port),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("KAOPING_BENCH_DEBUG") else subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(1200):  # a loaded machine may take a minute to start two processes
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.terminate()
    server.wait(timeout=20)
    raise RuntimeError("the server did not answer /health within 120 s (KAOPING_BENCH_DEBUG=1 shows its log)")


class RawResponse:
    def __init__(self, status_code: int, body: bytes):
        self.status_code = status_code
        self.body = body

    def json(self):
        return json.loads(self.body)


async def _request(
    host: str, port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None
) -> RawResponse:
    """One HTTP/1.1 request on its own connection, as each evaluator's phone would make.

    A minimal client on asyncio streams: httpx's connection pool, with 500 connections at
    once, costs more CPU than the server under test and would measure itself.
    """
    reader, writer = await asyncio.open_connection(host, port)
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: close",
        f"Content-Length: {len(payload)}",
        "Content-Type: application/json",
    ]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        content = _unchunk(content)
    return RawResponse(status, content)


def _unchunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


async def _phase(url: str, jobs, rate: float | None = None) -> tuple[float, list[float], int, list[RawResponse]]:
    """Run the jobs: all at once (``rate`` None), or the i-th at i/rate seconds (an open-loop
    arrival rate, whatever the answers take). Return wall seconds, per-request latencies (s),
    errors, responses."""
    host, port = url.removeprefix("http://").split(":")
    start = asyncio.Event()

    async def run(index, job):
        await start.wait()
        if rate:
            await asyncio.sleep(max(0.0, began_at + index / rate - time.perf_counter()))
        began = time.perf_counter()
        response = await job(host, int(port))
        return time.perf_counter() - began, response

    began_at = 0.0
    tasks = [asyncio.create_task(run(index, job)) for index, job in enumerate(jobs)]
    await asyncio.sleep(0.05)
    began = began_at = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    wall = time.perf_counter() - began
    latencies, errors, responses = [], 0, []
    for result in results:
        if isinstance(result, BaseException):
            errors += 1
            continue
        latency, response = result
        latencies.append(latency)
        responses.append(response)
        if response.status_code != 200:
            errors += 1
    return wall, latencies, errors, responses


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def raw_rate(ctx: AppContext, backend: str, campaign_id: int, account_ids: list[int], subject_ids: list[int]) -> float:
    """The database's own rate for the submission's transaction, without HTTP or the app: the
    same statements as ``ballots.service`` on the same tables (load the account and its campaign,
    claim the account, stage the sealed ballot, drop its draft), one transaction per ballot, one
    after the other on one connection (SQLite: the app's writer connection, BEGIN IMMEDIATE ...
    COMMIT; PostgreSQL: the load, then the one-statement claim). The sealed rows are made
    beforehand: the clock runs for the database only. Returns the wall seconds for all of them."""
    import psycopg

    from core.models.base import utcnow
    from core.services import ballot_box

    with ctx.db.engine.connect() as connection:
        locality_id, category_id = connection.execute(
            text("SELECT locality_id, category_id FROM ballot_accounts WHERE id = :id"), {"id": account_ids[0]}
        ).one()
    triples = [(s, i + 1, (s + i) % 4 + 1) for s in subject_ids for i in range(LEAVES)]
    rows = []
    for account_id in account_ids:
        staged_id = ballot_box.new_ballot_id()
        head, body = ballot_box.seal_ballot(
            ctx.keys,
            campaign_id,
            staged_id,
            category_id=category_id,
            valid=True,
            reason=None,
            comment="",
            items=triples,
        )
        rows.append((account_id, staged_id, os.urandom(32), head, body))
    if backend == "sqlite":
        with ctx.db.sqlite_writer(wait=True) as connection:
            started = time.perf_counter()
            for account_id, staged_id, receipt, head, body in rows:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(ballots._SQLITE_LOAD, (account_id,)).fetchone()
                assert connection.execute(ballots._SQLITE_CLAIM, (receipt, account_id)).rowcount == 1
                connection.execute(ballots._SQLITE_STAGE, (staged_id, locality_id, campaign_id, head, body))
                connection.execute(ballots._SQLITE_DELETE_DRAFT, (account_id,))
                connection.execute("COMMIT")
            return time.perf_counter() - started
    conninfo = ctx.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        cursor = connection.cursor()
        started = time.perf_counter()
        for account_id, staged_id, receipt, head, body in rows:
            cursor.execute(ballots._PG_LOAD, {"account_id": account_id})
            cursor.fetchone()
            cursor.execute(
                ballots._PG_SUBMIT,
                {
                    "campaign_id": campaign_id,
                    "account_id": account_id,
                    "now": utcnow(),
                    "id": staged_id,
                    "locality_id": locality_id,
                    "receipt": receipt,
                    "head": head,
                    "body": body,
                },
            )
            assert cursor.fetchone() == (True, True)
        return time.perf_counter() - started


def run_backend(backend: str, voters: int, workers: int, rate: float = 500.0) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="kaoping-bench-"))
    url, drop = scratch_database(backend, folder)
    server = None
    try:
        upgrade(url)
        settings = Settings(database_url=url, secret_key=SECRET, var_dir=folder)
        ctx = AppContext(settings=settings, db=Database(url), keys=Keyring(SECRET))
        # A third submit at once, a third at `rate` per second, a third without HTTP (the raw rate).
        accounts, subject_ids, campaign_id = _prepare(ctx, 3 * voters)
        codes = [code for _id, code in accounts[:voters]]
        paced_codes = [code for _id, code in accounts[voters : 2 * voters]]
        raw_accounts = [account_id for account_id, _code in accounts[2 * voters :]]
        server, base = start_server(url, folder, workers)
        items = [
            {"subject_id": s, "indicator": f"I{i}", "grade": GRADES[(s + i) % 4]}
            for s in subject_ids
            for i in range(LEAVES)
        ]

        def login_job(code):
            return lambda host, port: _request(host, port, "POST", "/api/ballot/login", {"code": code})

        login_wall, login_lat, login_errors, responses = asyncio.run(_phase(base, [login_job(c) for c in codes]))
        tokens = [r.json()["token"] for r in responses if r.status_code == 200]
        _, _, paced_login_errors, responses = asyncio.run(_phase(base, [login_job(c) for c in paced_codes]))
        paced_tokens = [r.json()["token"] for r in responses if r.status_code == 200]

        def submit_job(token):
            return lambda host, port: _request(
                host, port, "POST", "/api/ballot/submit", {"items": items}, {"Authorization": f"Bearer {token}"}
            )

        load = os.getloadavg()[0]  # before the burst: what others make the machine do
        server_cpu, client_cpu, machine = _cpu_seconds(server.pid), time.process_time(), machine_cpu()
        submit_wall, submit_lat, submit_errors, _ = asyncio.run(_phase(base, [submit_job(t) for t in tokens]))
        server_cpu, client_cpu = _cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
        after = machine_cpu()
        busy, every = (after[0] - machine[0], after[1] - machine[1]) if machine and after else (0.0, 0.0)
        # The same ballots again from the other half, arriving evenly at `rate` per second.
        paced_wall, paced_lat, paced_errors, _ = asyncio.run(
            _phase(base, [submit_job(t) for t in paced_tokens], rate=rate)
        )
        peak = _tree_peak_rss_mb(server.pid)
        server.terminate()
        server.wait(timeout=20)
        server = None
        raw_wall = raw_rate(ctx, backend, campaign_id, raw_accounts, subject_ids)
        # Closing moves the sealed ballot box into the ballot tables, in random order.
        started = time.perf_counter()
        campaigns.close_campaign(ctx, Actor.system("bench"), campaign_id)
        close_seconds = time.perf_counter() - started
        with ctx.db.engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM ballots")).scalar()
            submitted = connection.execute(
                text("SELECT count(*) FROM ballot_accounts WHERE status = 'submitted'")
            ).scalar()
        ctx.db.dispose()
        return {
            "backend": backend,
            "voters": voters,
            "workers": workers,
            "load": load,
            "expected": 3 * voters,
            "logins_per_s": len(login_lat) / login_wall,
            "login_p50_ms": statistics.median(login_lat) * 1000,
            "login_p99_ms": _percentile(login_lat, 0.99) * 1000,
            "login_errors": login_errors,
            "submits_per_s": len(submit_lat) / submit_wall,
            "submit_p50_ms": statistics.median(submit_lat) * 1000,
            "submit_p99_ms": _percentile(submit_lat, 0.99) * 1000,
            "submit_errors": submit_errors,
            "server_cpu_ms_per_submit": server_cpu / max(1, len(submit_lat)) * 1000,
            "client_cpu_ms_per_submit": client_cpu / max(1, len(submit_lat)) * 1000,
            # the cores' busy share during the burst, and what was busy besides server and client
            # (the database server, the kernel's loopback, anything else running)
            "machine_busy": busy / every if every else 0.0,
            "other_cpu_ms_per_submit": max(0.0, busy - server_cpu - client_cpu) / max(1, len(submit_lat)) * 1000,
            "ballots_stored": stored,
            "accounts_submitted": submitted,
            "server_peak_mb": peak,
            "close_seconds": close_seconds,
            "raw_per_s": len(raw_accounts) / raw_wall,
            "rate": rate,
            "paced_p50_ms": statistics.median(paced_lat) * 1000,
            "paced_p99_ms": _percentile(paced_lat, 0.99) * 1000,
            "paced_errors": paced_login_errors + paced_errors,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        drop()
        shutil.rmtree(folder, ignore_errors=True)  # the scratch SQLite file


# Targets (issue 16): this machine, client on the same cores.
TARGET_RATE = 600  # submissions/s, a burst of 500 at once, one server process
TARGET_TWO_PROCESSES = 1.5  # two server processes over PostgreSQL / one
TARGET_P99_MS = 300  # paced arrivals at 500/s
TARGET_APP_RAW = 0.6  # the app's rate over the database's own for the same transaction
TARGET_PEAK_MB = 300


def _target(value: float, target: float, better: str = "higher") -> str:
    met = value >= target if better == "higher" else value <= target
    return f"{'>=' if better == 'higher' else '<='} {target:g} {'ok' if met else 'NO'}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default: 1)")
    parser.add_argument(
        "--rate",
        type=float,
        default=500.0,
        help="arrivals per second of the paced run (default: 500, the target throughput)",
    )
    parser.add_argument(
        "--no-two-processes",
        action="store_true",
        help="skip the run with two server processes over PostgreSQL (default: run it, to compare with one)",
    )
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows = [run_backend(backend, args.voters, args.workers, args.rate) for backend in backends]
    if "postgresql" in backends and args.workers == 1 and not args.no_two_processes:
        rows.append(run_backend("postgresql", args.voters, 2, args.rate))
    print(
        f"\n{args.voters} evaluators; {SUBJECTS} subjects x {LEAVES} indicators = {SUBJECTS * LEAVES} items per ballot"
    )
    header = (
        "backend",
        "procs",
        "load",
        "logins/s",
        "login p99 ms",
        "submits/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "ballots",
        "server peak MB",
        "server CPU ms/submit",
        "client CPU ms/submit",
        "other CPU ms/submit",
        "cores busy",
        f"at {args.rate:.0f}/s: p50 ms",
        "p99 ms",
        "errors",
        "close s",
        "raw /s",
        "app/raw",
    )
    print(" | ".join(header))
    for r in rows:
        print(
            " | ".join(
                [
                    r["backend"],
                    str(r["workers"]),
                    f"{r['load']:.1f}",
                    f"{r['logins_per_s']:.0f}",
                    f"{r['login_p99_ms']:.0f}",
                    f"{r['submits_per_s']:.0f}",
                    f"{r['submit_p50_ms']:.0f}",
                    f"{r['submit_p99_ms']:.0f}",
                    str(r["login_errors"] + r["submit_errors"]),
                    f"{r['ballots_stored']}/{r['accounts_submitted']}",
                    f"{r['server_peak_mb']:.0f}",
                    f"{r['server_cpu_ms_per_submit']:.1f}",
                    f"{r['client_cpu_ms_per_submit']:.1f}",
                    f"{r['other_cpu_ms_per_submit']:.1f}",
                    f"{r['machine_busy']:.0%}",
                    f"{r['paced_p50_ms']:.0f}",
                    f"{r['paced_p99_ms']:.0f}",
                    str(r["paced_errors"]),
                    f"{r['close_seconds']:.2f}",
                    f"{r['raw_per_s']:.0f}",
                    f"{r['submits_per_s'] / r['raw_per_s']:.2f}",
                ]
            )
        )
    print(
        "submits/s, p50, p99: all evaluators submit at the same instant (p99 is then about the time the last "
        f"one waits); 'at {args.rate:.0f}/s': {args.voters} more arrive evenly at that rate; 'close s': closing "
        "the campaign, which moves its sealed ballots into the ballot tables in random order; 'load': the "
        "machine's 1-minute load average before the burst (others' work on the same cores)"
    )
    print(
        "'other CPU': the machine's busy CPU during the burst beyond server and client (the database server, "
        "the kernel's loopback, other work), a submission; 'cores busy': the busy share of all cores then: "
        "near 100 % means a second server process has no core left to run on"
    )
    print(
        f"'raw /s': the same transaction on the same tables without HTTP or the app ({args.voters} more "
        "accounts, one transaction after the other on one connection, in this run); 'app/raw': submits/s "
        "over it ('ballots' counts these too)"
    )
    print("\nagainst the targets (issue 16):")
    one = {r["backend"]: r for r in rows if r["workers"] == args.workers}
    for r in rows:
        name = f"{r['backend']}, {r['workers']} process{'es' if r['workers'] > 1 else ''}"
        errors = r["login_errors"] + r["submit_errors"] + r["paced_errors"]
        print(
            f"  {name}: {r['submits_per_s']:.0f} submits/s ({_target(r['submits_per_s'], TARGET_RATE)}); "
            f"app/raw {r['submits_per_s'] / r['raw_per_s']:.2f} ({_target(r['submits_per_s'] / r['raw_per_s'], TARGET_APP_RAW)}); "
            f"paced p99 {r['paced_p99_ms']:.0f} ms ({_target(r['paced_p99_ms'], TARGET_P99_MS, 'lower')}); "
            f"peak {r['server_peak_mb']:.0f} MB ({_target(r['server_peak_mb'], TARGET_PEAK_MB, 'lower')}); "
            f"errors {errors} (0 {'ok' if not errors else 'NO'}); ballots stored {r['ballots_stored']} of "
            f"{r['expected']} cast, once each ({'ok' if r['ballots_stored'] == r['accounts_submitted'] == r['expected'] else 'NO'}); "
            f"load {r['load']:.1f}"
        )
        if r["workers"] == 2 and "postgresql" in one:
            ratio = r["submits_per_s"] / one["postgresql"]["submits_per_s"]
            print(f"  two processes / one over PostgreSQL: {ratio:.2f}x ({_target(ratio, TARGET_TWO_PROCESSES)})")
    for r in rows:
        report(r, one.get(r["backend"]) if r["workers"] == 2 else None)


def report(r: dict, single: dict | None = None) -> None:
    """The figures of one backend's run, for ``python -m bench`` (``single``: the one-process run
    of the same backend, when ``r`` is a run with two processes)."""
    backend, full = r["backend"], r["voters"] >= 500
    if r["workers"] > 1:
        if single is not None:
            figure(
                "submissions",
                "two processes / one: burst submissions/s",
                r["submits_per_s"] / single["submits_per_s"],
                "x",
                target=TARGET_TWO_PROCESSES,
                better="higher",
                backend=backend,
                note=f"{r['submits_per_s']:.0f}/s with two, {single['submits_per_s']:.0f}/s with one; "
                f"load {r['load']:.1f}",
                full_scale=full,
            )
        figure(
            "submissions",
            "two processes: errors",
            r["login_errors"] + r["submit_errors"] + r["paced_errors"],
            "",
            target=0,
            backend=backend,
        )
        return
    load = f"load {r['load']:.1f} before the burst"
    figure(
        "submissions",
        "burst: submissions/s",
        r["submits_per_s"],
        "/s",
        target=TARGET_RATE,
        better="higher",
        backend=backend,
        note=f"{r['voters']} evaluators at the same instant, 100 items a ballot; {load}",
        full_scale=full,
    )
    figure("submissions", "burst: p99", r["submit_p99_ms"], "ms", backend=backend, note="about the burst's length")
    figure(
        "submissions",
        "burst: raw database rate",
        r["raw_per_s"],
        "/s",
        backend=backend,
        note="the same transaction on the same tables without HTTP, one after the other on one connection, same run",
    )
    figure(
        "submissions",
        "burst: app/raw",
        r["submits_per_s"] / r["raw_per_s"],
        "x",
        target=TARGET_APP_RAW,
        better="higher",
        backend=backend,
        note=load,
        full_scale=full,
    )
    figure("submissions", "logins/s", r["logins_per_s"], "/s", backend=backend)
    figure(
        "submissions",
        "burst: cores busy",
        r["machine_busy"] * 100,
        "%",
        backend=backend,
        note=f"server {r['server_cpu_ms_per_submit']:.2f}, client {r['client_cpu_ms_per_submit']:.2f}, database "
        f"and the rest {r['other_cpu_ms_per_submit']:.2f} ms of CPU a submission; {os.cpu_count()} cores",
    )
    figure(
        "submissions",
        f"paced at {r['rate']:.0f}/s: p99",
        r["paced_p99_ms"],
        "ms",
        target=TARGET_P99_MS,
        backend=backend,
        full_scale=full,
    )
    figure(
        "submissions",
        "errors",
        r["login_errors"] + r["submit_errors"] + r["paced_errors"],
        "",
        target=0,
        backend=backend,
    )
    figure(
        "submissions",
        "ballots not stored exactly once",
        abs(r["expected"] - r["ballots_stored"]) + abs(r["expected"] - r["accounts_submitted"]),
        "",
        target=0,
        backend=backend,
        note=f"{r['ballots_stored']} ballots stored, {r['accounts_submitted']} accounts used, {r['expected']} cast",
    )
    figure(
        "submissions",
        "server peak memory",
        r["server_peak_mb"],
        "MB",
        target=TARGET_PEAK_MB,
        backend=backend,
        full_scale=full,
    )
    figure(
        "submissions",
        "close: ms a ballot",
        r["close_seconds"] / max(1, r["ballots_stored"]) * 1000,
        "ms",
        target=2,
        backend=backend,
        full_scale=full,
    )


if __name__ == "__main__":
    main()
