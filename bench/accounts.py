"""Issuing 100,000 one-time ballot accounts: through the HTTP API, through the service, and as
raw inserts.

First through the API of a real server (``kaoping serve`` in a child process): ``POST
/api/campaigns/{id}/accounts`` in calls of ``--call`` accounts (one call of 100,000 by default,
the largest the API takes), timed from the request to the whole answer, whose rows are
committed by then. Then the service in this process (``ballots.service.issue_accounts``, as the
console calls it). Then, on the same tables of the same campaign, the floor without the app: the
same number of codes generated and keyed (HMAC) as the service does, inserted with one
SQLAlchemy Core ``executemany`` in one transaction. Prints seconds and accounts/s of each, and
the ratios, with the machine's load average.

    .venv/bin/python -m bench.accounts [--accounts 100000] [--call 100000] [--backend sqlite|postgresql|both]

Target (issue 16): 100,000 accounts in <= 3 s, API call to committed rows, on both databases.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench._db import scratch_database
from bench._figures import figure

SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
TARGET_SECONDS = 3.0


def _through_api(ctx, url: str, folder: Path, campaign_id: int, accounts: int, call: int) -> tuple[float, float]:
    """Issue ``accounts`` through the HTTP API of a server started for it: (seconds, load average)."""
    import os
    from datetime import timedelta

    import httpx

    from bench.submissions import start_server
    from core.context import Actor
    from core.services import auth

    user = auth.create_user(
        ctx,
        Actor.system("bench"),
        username="bench-office",
        password="a long bench password",
        role="office",
        locality_code="bench",
    )
    token = auth.issue_token(ctx, user, kind="api", ttl=timedelta(hours=1)).token
    server, base = start_server(url, folder)
    try:
        load = os.getloadavg()[0]
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600) as client:
            started = time.perf_counter()
            issued = 0
            for start in range(0, accounts, call):
                answer = client.post(
                    f"/api/campaigns/{campaign_id}/accounts",
                    json={"category": "代表", "count": min(call, accounts - start)},
                )
                answer.raise_for_status()
                issued += len(answer.json()["accounts"])
            seconds = time.perf_counter() - started
        assert issued == accounts, (issued, accounts)
        return seconds, load
    finally:
        server.terminate()
        server.wait(timeout=20)


def run_backend(backend: str, accounts: int, call: int) -> dict:
    """Issue ``accounts`` accounts both ways on a scratch database of ``backend``; return the seconds."""
    from ballots import codes
    from ballots import service as ballots
    from bench.submissions import campaign
    from core.context import Actor, AppContext
    from core.db import Database
    from core.migrate import upgrade
    from core.models import BallotAccount
    from core.models.base import utcnow
    from core.security import Keyring
    from core.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="kaoping-bench-"))
    url, drop = scratch_database(backend, folder)
    try:
        upgrade(url)
        ctx = AppContext(
            settings=Settings(database_url=url, secret_key=SECRET, var_dir=folder),
            db=Database(url),
            keys=Keyring(SECRET),
        )
        actor = Actor.system("bench")
        campaign_id, _subjects = campaign(ctx)
        api_seconds, load = _through_api(ctx, url, folder, campaign_id, accounts, call)
        started = time.perf_counter()
        for start in range(0, accounts, call):
            ballots.issue_accounts(
                ctx, actor, campaign_id, ballots.AccountsIn(category="代表", count=min(call, accounts - start))
            )
        service_seconds = time.perf_counter() - started

        with ctx.db.engine.connect() as connection:
            locality_id, category_id = connection.execute(
                text("SELECT locality_id, category_id FROM ballot_accounts WHERE campaign_id = :c LIMIT 1"),
                {"c": campaign_id},
            ).one()
        started = time.perf_counter()
        hashes = [ctx.keys.token_hash(code) for code in codes.new_codes(accounts)]
        keyed_seconds = time.perf_counter() - started
        now = utcnow()
        rows = [
            {
                "locality_id": locality_id,
                "campaign_id": campaign_id,
                "category_id": category_id,
                "code_hash": code_hash,
                "status": "issued",
                "batch": 0,
                "created_at": now,
            }
            for code_hash in hashes
        ]
        started = time.perf_counter()
        with ctx.db.engine.begin() as connection:
            connection.execute(BallotAccount.__table__.insert(), rows)
        insert_seconds = time.perf_counter() - started
        with ctx.db.engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM ballot_accounts")).scalar()
        ctx.db.dispose()
        return {
            "backend": backend,
            "accounts": accounts,
            "call": call,
            "load": load,
            "api_s": api_seconds,
            "service_s": service_seconds,
            "raw_keyed_s": keyed_seconds,
            "raw_insert_s": insert_seconds,
            "stored": stored,
        }
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accounts", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument(
        "--call", type=int, default=100_000, help="accounts per API and service call (the API takes up to 100,000)"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows = [run_backend(backend, args.accounts, args.call) for backend in backends]
    print(f"\n{args.accounts:,} accounts; the API and the service in calls of {args.call:,}")
    print(
        f"{'backend':<11} {'load':>5} {'API s':>7} {'service s':>10} {'raw: key s':>11} {'insert s':>9} "
        f"{'raw s':>6} {'API/raw':>8} {'stored':>8}"
    )
    ok = True
    for r in rows:
        raw = r["raw_keyed_s"] + r["raw_insert_s"]
        print(
            f"{r['backend']:<11} {r['load']:>5.1f} {r['api_s']:>7.2f} {r['service_s']:>10.2f} "
            f"{r['raw_keyed_s']:>11.2f} {r['raw_insert_s']:>9.2f} {raw:>6.2f} {r['api_s'] / raw:>8.2f} "
            f"{r['stored']:>8,}"
        )
        ok = ok and r["stored"] == 3 * r["accounts"]
        scale = f"{r['accounts']:,} accounts"
        full = r["accounts"] >= 100_000
        figure(
            "accounts",
            f"issue {scale} (API call to committed rows)",
            r["api_s"],
            "s",
            target=TARGET_SECONDS,
            backend=r["backend"],
            note=f"in calls of {r['call']:,}; load {r['load']:.1f}",
            full_scale=full,
        )
        figure("accounts", f"issue {scale} (service)", r["service_s"], "s", backend=r["backend"])
        figure(
            "accounts",
            f"issue {scale} (raw: key + insert)",
            raw,
            "s",
            backend=r["backend"],
            note="codes generated and keyed, then one executemany in one transaction",
        )
        figure("accounts", "API/raw", r["api_s"] / raw, "x", backend=r["backend"])
    print(
        f"target: 100,000 accounts in <= {TARGET_SECONDS:g} s, API call to committed rows; 'raw': the same rows "
        "without the app (codes generated and keyed, then one executemany in one transaction); 'load': the "
        "machine's 1-minute load average before the API call"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
