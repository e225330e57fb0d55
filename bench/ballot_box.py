"""Closing a campaign of 10,000 ballots x 100 items: moving its sealed ballot box into the
ballot tables (``core.services.ballot_box.move_staged``), on SQLite and PostgreSQL.

The ballots of ``bench.tally``'s scenario are sealed into ``ballot_staging`` as submissions
leave them, then moved; the tally afterwards must equal the plain-Python reference, so every
ballot arrived once and intact.

    .venv/bin/python -m bench.ballot_box [--ballots 10000] [--backend sqlite|postgresql|both]

Target: at most 2 ms per ballot (20 s for 10,000). Each ballot is one row, its items packed
(``core.services.ballot_grades``; before, 100 indexed ``ballot_items`` rows were the floor, see
issue 16). Memory stays bounded: 500 ballots per transaction.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import text

from bench._db import scratch_database
from bench._figures import figure
from bench.tally import LEAVES, SUBJECTS, recorded, scenario, shown

SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


def _seal_all(ctx) -> int:
    """Turn the written ballots into staged, sealed ones (what submissions leave while open)."""
    from core.models import StagedBallot
    from core.services import ballot_box
    from tests.tally_reference import stored_items

    with ctx.db.write() as session:
        items = defaultdict(list)
        for ballot_id, _campaign, _category, s, i, g in stored_items(session):
            items[ballot_id].append((s, i, g))
        rows = []
        for ballot_id, locality_id, campaign_id, category_id, valid, reason, comment in session.execute(
            text("SELECT id, locality_id, campaign_id, category_id, valid, reason, comment FROM ballots")
        ):
            staged_id = ballot_box.new_ballot_id()
            head, body = ballot_box.seal_ballot(
                ctx.keys,
                campaign_id,
                staged_id,
                category_id=category_id,
                valid=bool(valid),
                reason=reason,
                comment=comment,
                items=items[ballot_id],
            )
            rows.append(
                {"id": staged_id, "locality_id": locality_id, "campaign_id": campaign_id, "head": head, "body": body}
            )
        session.execute(text("DELETE FROM ballots"))
        session.execute(text("DELETE FROM ballot_positions"))  # closing writes the item order again
        session.execute(StagedBallot.__table__.insert(), rows)
    return len(rows)


def run_backend(backend: str, data) -> dict:
    from core.context import Actor, AppContext
    from core.db import Database
    from core.migrate import upgrade
    from core.security import Keyring
    from core.services import ballot_box, tally
    from core.settings import Settings
    from tests.tally_reference import reference, write

    folder = Path(tempfile.mkdtemp(prefix="kaoping-bench-"))
    url, drop = scratch_database(backend, folder)
    try:
        upgrade(url)
        ctx = AppContext(
            settings=Settings(database_url=url, secret_key=SECRET, var_dir=folder),
            db=Database(url),
            keys=Keyring(SECRET),
        )
        with ctx.db.engine.begin() as connection:
            write(connection, data)
        staged = _seal_all(ctx)
        started = time.perf_counter()
        moved = ballot_box.move_staged(ctx, 1)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        result = tally.tally(ctx, Actor.system("bench"), 1)
        tally_seconds = time.perf_counter() - started
        expected = reference(data)
        scores = {s["subject_id"]: s["score"] for s in result["subjects"]}
        worst = max(abs((scores[s] or 0) - (v["score"] or 0)) for s, v in expected.items())
        ctx.db.dispose()
        return {
            "backend": backend,
            "staged": staged,
            "moved": moved,
            "seconds": seconds,
            "max_diff": worst,
            "tally_s": tally_seconds,
        }
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)  # the scratch SQLite file


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    data = scenario(args.ballots)
    print(f"close: move {args.ballots} sealed ballots x {SUBJECTS * LEAVES} items into the ballot tables", flush=True)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    ok = True
    for backend in backends:  # each backend's figures as soon as it is done
        r = run_backend(backend, data)
        before = recorded("ballot_box", "close: ms a ballot", backend)
        print(
            f"{'backend':<11} {'moved':>7} {'seconds':>8} {'ms/ballot':>10} {'last recorded':>14} "
            f"{'tally |diff|':>13} {'tally s':>8}"
        )
        print(
            f"{r['backend']:<11} {r['moved']:>7} {r['seconds']:>8.2f} {r['seconds'] / max(1, r['moved']) * 1000:>10.3f}"
            f" {shown(before):>14} {r['max_diff']:>13.2e} {r['tally_s']:>8.2f}",
            flush=True,
        )
        ok = ok and r["moved"] == r["staged"] and r["max_diff"] <= 1e-9
        figure(
            "ballot_box",
            "close: ms a ballot",
            r["seconds"] / max(1, r["moved"]) * 1000,
            "ms",
            target=2,
            backend=r["backend"],
            note=f"{r['moved']:,} sealed ballots x {SUBJECTS * LEAVES} items moved",
            full_scale=args.ballots >= 10_000,
        )
        figure(
            "ballot_box",
            "tally right after closing",
            r["tally_s"],
            "s",
            target=1,
            backend=r["backend"],
            note="the first tally of the moved ballots (no ANALYZE in between)",
            full_scale=args.ballots >= 10_000,
        )
        figure(
            "ballot_box",
            "every ballot moved once",
            1 if r["moved"] == r["staged"] and r["max_diff"] <= 1e-9 else 0,
            "",
            target=1,
            better="higher",
            backend=r["backend"],
        )
    print("target: <= 2 ms per ballot; every staged ballot moved once (the tally equals the reference)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
