"""The cadre cloud's condition search (``plugins.cadres.search``) over a synthetic locality
(``plugins.cadres.synth``) of N cadres on SQLite and PostgreSQL: each query as the search page
and the API run it (the count, the first 100 by name with the evidence of every condition,
and the line in the view log), repeated, p95 per backend. Also the scan of every team
(``plugins.cadres.teams``, loading the facts from the database).

    .venv/bin/python -m bench.cadres [--cadres 100000] [--rounds 20] [--backend sqlite|postgresql|both]

Target: p95 <= 50 ms per search over 100,000 cadres.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench._db import scratch_database
from bench._figures import figure

BENCH = "cadres"
QUICK_ARGS = ["--cadres", "5000", "--rounds", "5"]
FULL_SCALE = 100_000
TARGET_MS = 50.0
SECRET = "bench-secret-key-for-cadres-0123456789"
ON = date(2026, 11, 30)
QUERIES = {
    "township secretary >= 3 y, 本科, under 40": {
        "op": "and",
        "items": [
            {"kind": "post", "text": "乡镇党委书记", "min_years": 3},
            {"kind": "education", "at_least": "本科"},
            {"kind": "age", "below": 40},
        ],
    },
    "woman or non-party, 正科级": {
        "op": "and",
        "items": [
            {"op": "or", "items": [{"kind": "gender", "value": "女"}, {"kind": "party", "value": "群众"}]},
            {"kind": "rank", "value": "正科级"},
        ],
    },
    "native city 5205, tag 经济, 优秀 in 3 years": {
        "op": "and",
        "items": [
            {"kind": "native", "code": "5205"},
            {"kind": "tag", "value": "经济"},
            {"kind": "grade", "value": "优秀"},
        ],
    },
    "硕士 full-time, 5 y at rank, 100 training hours": {
        "op": "and",
        "items": [
            {"kind": "education", "at_least": "硕士研究生", "full_time": True},
            {"kind": "rank_years", "min_years": 5},
            {"kind": "training_hours", "min": 100},
        ],
    },
    "苗族 aged 45 to 55": {
        "op": "and",
        "items": [{"kind": "ethnicity", "value": "苗族"}, {"kind": "age", "at_least": 45, "below": 55}],
    },
}


def run_backend(backend: str, cadres: int, rounds: int) -> dict:
    from core.context import Actor, AppContext
    from core.db import Database
    from core.migrate import upgrade
    from core.models import Role, User
    from core.schemas.localities import LocalityIn
    from core.security import Keyring
    from core.services import localities
    from core.services.plugins import PluginSettingIn, set_plugin
    from core.settings import Settings
    from plugins.cadres import search, teams
    from plugins.cadres.synth import synthesize

    folder = Path(tempfile.mkdtemp(prefix="kaoping-bench-"))
    url, drop = scratch_database(backend, folder)
    try:
        upgrade(url)
        ctx = AppContext(
            settings=Settings(database_url=url, secret_key=SECRET, var_dir=folder),
            db=Database(url),
            keys=Keyring(SECRET),
        )
        system = Actor.system("bench")
        localities.create(ctx, system, LocalityIn(code="big", name="Big county"))
        set_plugin(ctx, system, "big", "cadres", PluginSettingIn(enabled=True))
        started = time.perf_counter()
        synthesize(ctx, "big", cadres, seed=11, today=ON)
        synth_s = time.perf_counter() - started
        with ctx.db.write() as session:
            user = User(username="org-big", password_hash="x", role=Role.org_dept.value, locality_id=1)
            session.add(user)
            session.flush()
            actor = Actor(user_id=user.id, username=user.username, role=user.role, locality_id=user.locality_id)
        if backend == "postgresql":
            from sqlalchemy import text

            with ctx.db.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()
        times: dict[str, list[float]] = {name: [] for name in QUERIES}
        totals = {}
        for _ in range(rounds):
            for name, query in QUERIES.items():
                began = time.perf_counter()
                found = search.run_search(ctx, actor, "big", query, limit=100, today=ON)
                times[name].append((time.perf_counter() - began) * 1000)
                totals[name] = found["total"]
        leaves = _leaf_times(ctx, search, rounds)
        began, cpu = time.perf_counter(), time.process_time()
        scanned = teams.scan_teams(ctx, actor, "big", on=ON)
        scan_s, scan_cpu = time.perf_counter() - began, time.process_time() - cpu
        every = [t for ts in times.values() for t in ts]
        return {
            "backend": backend,
            "synth_s": synth_s,
            "p95": statistics.quantiles(every, n=20)[-1] if len(every) >= 2 else every[0],
            "by_query": {name: (statistics.median(ts), max(ts), totals[name]) for name, ts in times.items()},
            "scan_s": scan_s,
            "scan_cpu_s": scan_cpu,
            "leaves": leaves,
            "teams_with_relations": len(scanned),
        }
    finally:
        drop()


def _leaf_times(ctx, search, rounds: int) -> dict[str, tuple[float, float, int]]:
    """Each condition of the queries alone, as the count the search runs: (median wall ms,
    median CPU ms of this process, people found). CPU time shows the work where the machine's
    load makes wall times meaningless (it leaves out the database server's own time)."""
    from sqlalchemy import func, select

    from core.models import Person
    from plugins.cadres.models import CadreProfile

    leaves: list[dict] = []

    def walk(query: dict) -> None:
        for item in query.get("items", ()):
            if "op" in item:
                walk(item)
            elif item not in leaves:
                leaves.append(item)

    for query in QUERIES.values():
        walk(query)
    out = {}
    with ctx.db.read() as session:
        for leaf in leaves:
            where, _compiled = search.compile_query(leaf, ON, 1)
            counted = (
                select(func.count(Person.id))
                .select_from(Person)
                .outerjoin(CadreProfile, CadreProfile.person_id == Person.id)
                .where(Person.locality_id == 1, where)
            )
            walls, cpus, found = [], [], 0
            for _ in range(max(3, rounds // 2)):
                began, cpu = time.perf_counter(), time.process_time()
                found = session.execute(counted).scalar_one()
                walls.append((time.perf_counter() - began) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            label = ", ".join(f"{k}={v}" for k, v in leaf.items())
            out[label] = (statistics.median(walls), statistics.median(cpus), found)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadres", type=int, default=FULL_SCALE)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    full = args.cadres >= FULL_SCALE
    for backend in backends:
        r = run_backend(backend, args.cadres, args.rounds)
        print(f"\n{backend}: {args.cadres} cadres synthesised in {r['synth_s']:.1f} s")
        print(f"  {'query':<48} {'median ms':>10} {'max ms':>8} {'found':>7}")
        for name, (median, worst, total) in r["by_query"].items():
            print(f"  {name:<48} {median:>10.1f} {worst:>8.1f} {total:>7}")
        print(f"  {'condition alone (the count)':<48} {'median ms':>10} {'CPU ms':>8} {'found':>7}")
        for name, (wall, cpu, total) in r["leaves"].items():
            print(f"  {name:<48} {wall:>10.1f} {cpu:>8.1f} {total:>7}")
        print(
            f"  search p95 {r['p95']:.1f} ms (target {TARGET_MS:.0f} ms); scan of every team {r['scan_s']:.1f} s "
            f"({r['scan_cpu_s']:.1f} s of CPU in this process)"
        )
        figure(
            BENCH, f"search p95 over {args.cadres}", r["p95"], "ms", target=TARGET_MS, backend=backend, full_scale=full
        )
        figure(
            BENCH,
            f"scan of every team of {args.cadres}",
            r["scan_s"],
            "s",
            target=30.0,
            backend=backend,
            full_scale=full,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
