"""Tally 10,000 ballots x 100 items (1,000,000 items), inserted directly, on SQLite and PostgreSQL.

Prints, per backend: the tally's time and the peak memory of the process that ran it (a child
process: VmHWM, and the growth over its size before the tally), and the time of the
plain-Python reference (tests/tally_reference.py) on the same data.

    .venv/bin/python -m bench.tally [--ballots 10000] [--backend sqlite|postgresql|both] [--rule trimmed_mean]

``--rule trimmed_mean`` (with ``trim_ratio`` 0, so the reference still applies) measures the
rules that ask the database for single-ballot scores instead of the counts alone.

Targets: issue 16, the first tally in a fresh process (cold) <= 0.6 s on SQLite and <= 0.4 s
on PostgreSQL; issue 4, the second (warm) <= 1 s; peak memory <= 200 MB. Each figure is printed
next to the one recorded last in bench/results/latest.json (before a change: its "before").
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench._db import scratch_database
from bench._figures import figure

SUBJECTS, LEAVES = 20, 5  # 100 items a ballot
COLD_TARGET = {"sqlite": 0.6, "postgresql": 0.4}  # s, issue 16
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def recorded(bench: str, name: str, backend: str | None) -> float | None:
    """The value of a figure in bench/results/latest.json (the last full run), if any."""
    try:
        figures = json.loads(RESULTS.read_text(encoding="utf-8"))["figures"]
    except (OSError, ValueError, KeyError):
        return None
    return next(
        (f["value"] for f in figures if (f["bench"], f["name"], f.get("backend")) == (bench, name, backend)),
        None,
    )


def shown(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def scenario(ballots: int, seed: int = 4):
    from tests.tally_reference import Node, Scenario, Template

    rng = random.Random(seed)
    nodes = [
        Node(
            id=1, code="DE", weight=40, children=[Node(id=2, code="DE1", weight=50), Node(id=3, code="DE2", weight=50)]
        ),
        Node(
            id=4, code="JI", weight=60, children=[Node(id=5, code="JI1", weight=70), Node(id=6, code="JI2", weight=30)]
        ),
        Node(id=7, code="ALL", weight=1),
        Node(id=8, code="BONUS", kind="bonus", max_score=5),
        Node(id=9, code="VETO", kind="veto"),
    ]
    leaves = [2, 3, 5, 6, 7]
    assert len(leaves) == LEAVES
    subjects = list(range(1, SUBJECTS + 1))
    categories = [(1, 40.0, 1), (2, 60.0, 1)]
    cast = []
    for index in range(ballots):
        grades = {(s, leaf): rng.choices(range(4), weights=(4, 3, 2, 1))[0] for s in subjects for leaf in leaves}
        cast.append((1 + index % 2, rng.random() > 0.02, grades))
    values = {(1, 1, "BONUS"): 7.0, (2, 1, "BONUS"): 2.0, (3, 1, "VETO"): 1.0}
    return Scenario(
        templates=[Template(id=1, grades=[95, 80, 65, 50], nodes=nodes)],
        categories=categories,
        subjects=subjects,
        ballots=cast,
        values=values,
    )


def _vm_hwm_mb() -> float:
    """Peak resident memory of this process image (ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str) -> None:
    """Run the tally once in this fresh process; print {seconds, peak_mb, before_mb} as JSON."""
    from core.context import Actor, AppContext
    from core.db import Database
    from core.security import Keyring
    from core.services import tally
    from core.settings import Settings

    secret = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    ctx = AppContext(
        settings=Settings(database_url=url, secret_key=secret, var_dir=Path(tempfile.mkdtemp())),
        db=Database(url),
        keys=Keyring(secret),
    )
    with ctx.db.read() as session:  # connect and warm the plugin manager outside the measure
        from core.services.plugins import rules_for

        rules_for(session, 1)
    before = _vm_hwm_mb()
    started = time.perf_counter()
    out = tally.tally(ctx, Actor.system("bench"), 1)
    seconds = time.perf_counter() - started
    peak = _vm_hwm_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                "before_mb": before,
                "subjects": len(out["subjects"]),
                "scores": {s["subject_id"]: s["score"] for s in out["subjects"]},
            }
        )
    )


def use_rule(connection, rule: str) -> None:
    """Make the campaign use ``rule`` (enabling the plugin that has it); trim_ratio 0 keeps
    trimmed_mean equal to the reference's mean."""
    from core.models import Campaign, LocalityPlugin
    from core.models.base import utcnow

    if rule == "weighted_mean":
        return
    options = {"trim_ratio": 0.0, "thresholds": []}
    connection.execute(
        Campaign.__table__.update()
        .where(Campaign.__table__.c.id == 1)
        .values(scoring={"rule": rule, "options": options})
    )
    connection.execute(
        LocalityPlugin.__table__.insert().values(
            locality_id=1, plugin="rules", enabled=True, options={}, updated_at=utcnow()
        )
    )


def run_backend(backend: str, data, rule: str = "weighted_mean") -> dict:
    from core.db import Database
    from core.migrate import upgrade
    from tests.tally_reference import reference, write

    folder = Path(tempfile.mkdtemp(prefix="kaoping-bench-"))
    url, drop = scratch_database(backend, folder)
    try:
        upgrade(url)
        db = Database(url)
        started = time.perf_counter()
        with db.engine.begin() as connection:
            write(connection, data)
            use_rule(connection, rule)
        if not db.is_sqlite:
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        insert_seconds = time.perf_counter() - started
        db.dispose()
        started = time.perf_counter()
        expected = reference(data)
        reference_seconds = time.perf_counter() - started
        runs = []
        for _ in range(2):  # the second run is the one with a warm database cache
            result = subprocess.run(
                [sys.executable, "-m", "bench.tally", "--child", url],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parent.parent,
            )
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
        worst = max(abs((runs[-1]["scores"][str(s)] or 0) - (v["score"] or 0)) for s, v in expected.items())
        return {
            "backend": backend,
            "insert_s": insert_seconds,
            "tally_s": [r["seconds"] for r in runs],
            "peak_mb": max(r["peak_mb"] for r in runs),
            "before_mb": runs[-1]["before_mb"],
            "reference_s": reference_seconds,
            "max_diff": worst,
        }
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)  # the scratch SQLite file


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rule", choices=["weighted_mean", "trimmed_mean"], default="weighted_mean")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    data = scenario(args.ballots)
    items = sum(len(g) for _c, _v, g in data.ballots)
    print(f"{args.ballots} ballots x {SUBJECTS * LEAVES} items = {items} items, rule {args.rule}", flush=True)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows = [run_backend(b, data, args.rule) for b in backends]
    name, full = f"tally of {items:,} items ({args.rule})", items >= 1_000_000
    print(
        f"{'backend':<11} {'insert s':>9} {'tally s (cold, warm)':>21} {'last recorded':>14} {'target':>7} "
        f"{'peak MB':>8} {'before MB':>9} {'reference s':>12} {'max |diff|':>11}"
    )
    ok = True
    for r in rows:
        before = (recorded("tally", f"{name}, cold", r["backend"]), recorded("tally", name, r["backend"]))
        print(
            f"{r['backend']:<11} {r['insert_s']:>9.1f} {r['tally_s'][0]:>10.3f}, {r['tally_s'][1]:>8.3f} "
            f"{shown(before[0]):>6}, {shown(before[1]):>6} {COLD_TARGET[r['backend']]:>7} "
            f"{r['peak_mb']:>8.0f} {r['before_mb']:>9.0f} {r['reference_s']:>12.3f} {r['max_diff']:>11.2e}"
        )
        ok = ok and r["max_diff"] <= 1e-9
        items_note = f"{args.ballots:,} ballots x {SUBJECTS * LEAVES} items, rule {args.rule}, warm cache"
        figure(
            "tally",
            f"{name}, cold",
            r["tally_s"][0],
            "s",
            target=COLD_TARGET[r["backend"]],
            backend=r["backend"],
            note=f"{args.ballots:,} ballots x {SUBJECTS * LEAVES} items, rule {args.rule}, first tally of a fresh process",
            full_scale=full,
        )
        figure("tally", name, r["tally_s"][1], "s", target=1.0, backend=r["backend"], note=items_note, full_scale=full)
        figure(
            "tally",
            f"{name}: peak memory",
            r["peak_mb"],
            "MB",
            target=200,
            backend=r["backend"],
            note=items_note,
            full_scale=full,
        )
        figure("tally", "pure-Python reference", r["reference_s"], "s", backend=r["backend"], note=items_note)
        figure(
            "tally",
            "tally equals reference",
            1 if r["max_diff"] <= 1e-9 else 0,
            "",
            target=1,
            better="higher",
            backend=r["backend"],
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
