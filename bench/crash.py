"""The crash test: SIGKILL a real ``kaoping serve`` again and again while evaluators submit.

A campaign of ``--voters`` one-time accounts (20 subjects x 5 indicators, as
``bench.submissions``) on a scratch database; the evaluators log in, then all submit at once,
each a ballot of its own (its comment names it), over plain HTTP/1.1 on asyncio streams. While
they submit, the server is killed with SIGKILL ``--kills`` times, each time once another share of
the ballots has been acknowledged (see ``_burst``), and started again at once. An evaluator whose request got
no answer (refused, reset, cut short) sends the same ballot again, as a phone would, until it
gets one; a 200 is an acknowledgement. Then the server is stopped, the campaign closed (which
moves the sealed ballot box into the ballot tables) and checked:

- every acknowledged ballot is there, once (its comment), and no ballot twice;
- accounts marked submitted = ballots stored (none lost, none counted twice);
- SQLite: ``PRAGMA integrity_check`` is ok.

    .venv/bin/python -m bench.crash [--voters 500] [--kills 12] [--backend sqlite|postgresql|both]

``tests/ballots/test_durability.py`` runs a short form (60 evaluators, 3 kills) in the suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench._db import scratch_database
from bench._figures import figure
from bench.submissions import GRADES, LEAVES, SECRET, _free_port, _prepare, _request
from core.context import Actor, AppContext
from core.db import Database
from core.migrate import upgrade
from core.security import Keyring
from core.services import campaigns
from core.settings import Settings

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0


class Server:
    """``kaoping serve`` in a child process, killed and started again on the same port."""

    def __init__(self, url: str, folder: Path, port: int):
        self.port = port
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("KAOPING_")},
            "KAOPING_DATABASE_URL": url,
            "KAOPING_SECRET_KEY": SECRET,
            "KAOPING_VAR_DIR": str(folder),
            "KAOPING_PORT": str(port),
            "KAOPING_SCHEDULER": "false",
        }
        self.process: subprocess.Popen | None = None
        self.log = (folder / "server.log").open("ab")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )

    async def ready(self, timeout: float = 60) -> float:
        """Wait until /health answers; return the seconds it took."""
        began = time.perf_counter()
        while time.perf_counter() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode} (see {self.log.name})")
            try:
                if (await _request(HOST, self.port, "GET", "/health")).status_code == 200:
                    return time.perf_counter() - began
            except (OSError, IndexError, ValueError):
                pass
            await asyncio.sleep(0.02)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@dataclass
class Outcome:
    backend: str
    voters: int
    kills_wanted: int
    kills: int = 0
    kills_during_burst: int = 0
    acknowledged: set[int] = field(default_factory=set)
    no_answer: int = 0  # requests that got no answer (server killed under them), sent again
    refused: Counter = field(default_factory=Counter)  # answers other than 200, by status
    ballots: int = 0
    submitted_accounts: int = 0
    missing: list[int] = field(default_factory=list)  # acknowledged, not stored
    doubled: list[str] = field(default_factory=list)  # stored more than once
    strangers: list[str] = field(default_factory=list)  # stored, from no evaluator of this run
    integrity: str = "n/a"
    seconds: float = 0.0
    restart_seconds: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.missing
            and not self.doubled
            and not self.strangers
            and self.ballots == self.submitted_accounts
            and len(self.acknowledged) == self.voters
            and self.integrity in ("ok", "n/a")
            and self.kills_during_burst == self.kills == self.kills_wanted
        )

    def problems(self) -> list[str]:
        out = []
        if self.missing:
            out.append(f"acknowledged but not stored: evaluators {self.missing[:10]}")
        if self.doubled:
            out.append(f"stored twice: {self.doubled[:10]}")
        if self.strangers:
            out.append(f"stored from nobody: {self.strangers[:10]}")
        if self.ballots != self.submitted_accounts:
            out.append(f"{self.submitted_accounts} accounts submitted but {self.ballots} ballots stored")
        if len(self.acknowledged) != self.voters:
            out.append(f"only {len(self.acknowledged)} of {self.voters} evaluators got an answer")
        if self.integrity not in ("ok", "n/a"):
            out.append(f"integrity_check: {self.integrity}")
        if not self.kills_during_burst == self.kills == self.kills_wanted:
            out.append(f"{self.kills} kills of {self.kills_wanted}, {self.kills_during_burst} while evaluators waited")
        return out


def run_coroutine(coroutine) -> None:
    """``asyncio.run``, in a thread of its own when this thread already runs an event loop (a
    test process where Playwright's synchronous API has started one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine)
        return
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _comment(index: int) -> str:
    return f"evaluator {index}"


async def _burst(
    server: Server, tokens: list[str], subject_ids: list[int], kills: int, outcome: Outcome, rng: random.Random
) -> None:
    """The evaluators come in ``kills + 1`` waves. Each kill comes a few milliseconds after the first
    acknowledgement since the server (re)started, so some ballots are committed in every life of the
    server and the kill lands among the next commits; the next wave starts just before it, so
    there are always evaluators waiting when it comes, and they retry against the dead server."""
    pending = set(range(len(tokens)))
    waves = [list(range(len(tokens)))[w :: kills + 1] for w in range(kills + 1)]

    async def evaluator(index: int, token: str) -> None:
        items = [
            {"subject_id": s, "indicator": f"I{i}", "grade": GRADES[(s + i + index) % len(GRADES)]}
            for s in subject_ids
            for i in range(LEAVES)
        ]
        body = {"items": items, "comment": _comment(index)}
        headers = {"Authorization": f"Bearer {token}"}
        while True:
            try:
                answer = await asyncio.wait_for(
                    _request(HOST, server.port, "POST", "/api/ballot/submit", body, headers), REQUEST_TIMEOUT
                )
            except (TimeoutError, OSError, IndexError, ValueError, asyncio.IncompleteReadError):
                answer = None  # killed under it, or not up yet: send the same ballot again
            if answer is not None and answer.status_code == 200:
                outcome.acknowledged.add(index)
                pending.discard(index)
                return
            if answer is None:
                outcome.no_answer += 1
            else:
                outcome.refused[answer.status_code] += 1
                if outcome.refused[answer.status_code] > 10 * len(tokens):
                    raise RuntimeError(f"the server keeps answering {answer.status_code}: {answer.body[:300]!r}")
            await asyncio.sleep(rng.uniform(0.05, 0.25))  # a phone's retry, not a flood on the restarting server

    tasks = [asyncio.create_task(evaluator(i, tokens[i])) for i in waves[0]]
    for wave in waves[1:]:
        acknowledged = len(outcome.acknowledged)
        while len(outcome.acknowledged) == acknowledged:
            await asyncio.sleep(0.001)
        await asyncio.sleep(rng.uniform(0, 0.02))  # among the next commits
        tasks += [asyncio.create_task(evaluator(i, tokens[i])) for i in wave]
        await asyncio.sleep(0)
        outcome.kills_during_burst += 1 if pending else 0
        server.kill()
        outcome.kills += 1
        server.start()
        outcome.restart_seconds.append(await server.ready())
    await asyncio.gather(*tasks)


async def _login(server: Server, codes: list[str]) -> list[str]:
    async def one(code: str) -> str:
        answer = await _request(HOST, server.port, "POST", "/api/ballot/login", {"code": code})
        if answer.status_code != 200:
            raise RuntimeError(f"login answered {answer.status_code}: {answer.body[:300]!r}")
        return answer.json()["token"]

    tokens = []
    for start in range(0, len(codes), 100):
        tokens += await asyncio.gather(*(one(code) for code in codes[start : start + 100]))
    return tokens


def run(backend: str, voters: int = 500, kills: int = 12, seed: int | None = None) -> Outcome:
    """One crash run on a scratch database of ``backend``; returns what it found (see ``Outcome.ok``)."""
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="kaoping-crash-"))
    url, drop = scratch_database(backend, folder)
    outcome = Outcome(backend=backend, voters=voters, kills_wanted=kills)
    server = None
    ctx = None
    try:
        upgrade(url)
        ctx = AppContext(
            settings=Settings(database_url=url, secret_key=SECRET, var_dir=folder),
            db=Database(url),
            keys=Keyring(SECRET),
        )
        accounts, subject_ids, campaign_id = _prepare(ctx, voters)
        codes = [code for _id, code in accounts]
        server = Server(url, folder, _free_port())
        began = time.perf_counter()

        async def drive() -> None:
            server.start()
            await server.ready()
            tokens = await _login(server, codes)  # signed tokens: they outlive the server process
            await _burst(server, tokens, subject_ids, kills, outcome, rng)

        run_coroutine(drive())
        outcome.seconds = time.perf_counter() - began
        server.stop()
        server = None
        campaigns.close_campaign(ctx, Actor.system("crash"), campaign_id)  # the box into the ballot tables
        with ctx.db.engine.connect() as connection:
            comments = Counter(
                connection.execute(
                    text("SELECT comment FROM ballots WHERE campaign_id = :c"), {"c": campaign_id}
                ).scalars()
            )
            outcome.submitted_accounts = connection.execute(
                text("SELECT count(*) FROM ballot_accounts WHERE campaign_id = :c AND status = 'submitted'"),
                {"c": campaign_id},
            ).scalar()
        ctx.db.dispose()
        outcome.ballots = sum(comments.values())
        outcome.missing = sorted(i for i in outcome.acknowledged if comments[_comment(i)] != 1)
        outcome.doubled = sorted(c for c, n in comments.items() if n > 1)
        known = {_comment(i) for i in range(voters)}
        outcome.strangers = sorted(c for c in comments if c not in known)
        if backend == "sqlite":
            connection = sqlite3.connect(make_url(url).database)
            try:
                outcome.integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
            finally:
                connection.close()
        return outcome
    finally:
        if server is not None:
            server.stop()
        if ctx is not None:
            ctx.db.dispose()
        drop()
        if outcome.ok:  # else keep the folder: its server.log tells what the server said
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept {folder} (server.log)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    outcomes = [run(backend, args.voters, args.kills, args.seed) for backend in backends]
    print(f"\n{args.voters} evaluators submit at once; the server is SIGKILLed {args.kills} times meanwhile")
    print(
        " | ".join(
            (
                "backend",
                "kills",
                "acknowledged",
                "ballots",
                "accounts submitted",
                "lost",
                "doubled",
                "resent",
                "integrity",
                "restart s",
                "seconds",
                "verdict",
            )
        )
    )
    for o in outcomes:
        restart = sum(o.restart_seconds) / len(o.restart_seconds) if o.restart_seconds else 0
        print(
            " | ".join(
                (
                    o.backend,
                    str(o.kills),
                    str(len(o.acknowledged)),
                    str(o.ballots),
                    str(o.submitted_accounts),
                    str(len(o.missing)),
                    str(len(o.doubled)),
                    str(o.no_answer),
                    o.integrity,
                    f"{restart:.1f}",
                    f"{o.seconds:.1f}",
                    "ok" if o.ok else "FAILED: " + "; ".join(o.problems()),
                )
            )
        )
        if o.refused:
            print(f"  {o.backend}: answers other than 200 (sent again): {json.dumps(dict(o.refused))}")
        note = f"{args.voters} evaluators at once, {o.kills} SIGKILLs"
        figure("crash", "acknowledged ballots lost", len(o.missing), "", target=0, backend=o.backend, note=note)
        figure("crash", "ballots doubled", len(o.doubled), "", target=0, backend=o.backend, note=note)
        figure(
            "crash", "crash test passed", 1 if o.ok else 0, "", target=1, better="higher", backend=o.backend, note=note
        )
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
