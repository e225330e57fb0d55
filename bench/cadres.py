"""The cadre cloud's condition search (``plugins.cadres.search``) over a synthetic locality
(``plugins.cadres.synth``) of N cadres on SQLite and PostgreSQL: each query as the search page
and the API run it (the count, the first 100 by name with the evidence of every condition,
and the line in the view log), repeated, p95 per backend, with the statements one search
sends. Also the scan of every team (``plugins.cadres.teams``, loading the facts from the
database), and one candidate placed into a team of the largest size as the page and the API
place one (the facts read from the database, the relations, the structure before and after,
the view-log line).

On a loaded machine wall times say little, so the same run also sets the search table
(``cadre_search``) against the evaluation it replaced (``people`` outer-joined to
``cadre_profiles``, the count and the page each evaluating the condition): per query and per
condition alone, median wall and CPU milliseconds of both and their ratio; ``--explain`` prints
the database's plan of each query's statement.

    .venv/bin/python -m bench.cadres [--cadres 100000] [--rounds 20] [--backend sqlite|postgresql|both] [--explain]

Targets: p95 <= 50 ms per search over 100,000 cadres; the scan <= 30 s; one candidate into a
15-member team <= 20 ms (p95).
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
PLACEMENT_TARGET_MS = 20.0
TEAM_SIZE = 15
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
    "本科 or above (most of the locality)": {"op": "and", "items": [{"kind": "education", "at_least": "本科"}]},
    "苗族 aged 45 to 55": {
        "op": "and",
        "items": [{"kind": "ethnicity", "value": "苗族"}, {"kind": "age", "at_least": 45, "below": 55}],
    },
}


def run_backend(backend: str, cadres: int, rounds: int, explain: bool = False) -> dict:
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
        if backend == "postgresql":  # what autovacuum does to a database that has settled: statistics, and the
            # visibility map that lets a covering index answer without reading the table
            from sqlalchemy import text

            with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        times: dict[str, list[float]] = {name: [] for name in QUERIES}
        cpus: dict[str, list[float]] = {name: [] for name in QUERIES}
        totals = {}
        statements = _statements(
            ctx, lambda: search.run_search(ctx, actor, "big", QUERIES[next(iter(QUERIES))], today=ON)
        )
        for _ in range(rounds):
            for name, query in QUERIES.items():
                began, cpu = time.perf_counter(), time.process_time()
                found = search.run_search(ctx, actor, "big", query, limit=100, today=ON)
                times[name].append((time.perf_counter() - began) * 1000)
                cpus[name].append((time.process_time() - cpu) * 1000)
                totals[name] = found["total"]
        leaves = _leaf_times(ctx, search, rounds)
        versus = _versus(ctx, search, rounds, explain)
        began, cpu = time.perf_counter(), time.process_time()
        scanned = teams.scan_teams(ctx, actor, "big", on=ON)
        scan_s, scan_cpu = time.perf_counter() - began, time.process_time() - cpu
        placed, placed_cpu, team_size = _placements(ctx, teams, actor, rounds)
        every = [t for ts in times.values() for t in ts]
        return {
            "backend": backend,
            "synth_s": synth_s,
            "p95": statistics.quantiles(every, n=20)[-1] if len(every) >= 2 else every[0],
            "by_query": {
                name: (statistics.median(ts), max(ts), statistics.median(cpus[name]), totals[name])
                for name, ts in times.items()
            },
            "scan_s": scan_s,
            "scan_cpu_s": scan_cpu,
            "placement_p95": _p95(placed),
            "placement_cpu_p95": _p95(placed_cpu),
            "placements": len(placed),
            "team_size": team_size,
            "leaves": leaves,
            "versus": versus,
            "statements": statements,
            "teams_with_relations": len(scanned),
        }
    finally:
        drop()


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def _placements(ctx, teams, actor, rounds: int) -> tuple[list[float], list[float], int]:
    """One candidate placed into a team of ``TEAM_SIZE`` members, as the page and the API place
    one (``teams.check_team``: the facts read, the relations, the structure before and after,
    the view-log line), into ``rounds * 5`` teams in turn, the candidate a member of the next
    team: the wall and CPU milliseconds of each, and the teams' size. The generator's teams
    have up to 9 members, so the teams timed are topped up with cadres of no team."""
    from sqlalchemy import func, select

    from core.models import Person, TeamMember

    with ctx.db.write() as session:
        sizes = session.execute(select(TeamMember.team_id, func.count()).group_by(TeamMember.team_id)).all()
        chosen = [team for team, _n in sorted(sizes, key=lambda row: -row[1])][: max(2, rounds * 5) + 1]
        short = {team: TEAM_SIZE - n for team, n in sizes if team in chosen and n < TEAM_SIZE}
        spare = session.scalars(
            select(Person.id)
            .where(Person.locality_id == 1, Person.id.not_in(select(TeamMember.person_id)))
            .order_by(Person.id)
            .limit(sum(short.values()))
        ).all()
        taken = iter(spare)
        for team, missing in short.items():
            for person in [next(taken, None) for _ in range(missing)]:
                if person is not None:
                    session.add(TeamMember(locality_id=1, team_id=team, person_id=person))
        session.flush()
        size = min(
            n
            for _team, n in session.execute(
                select(TeamMember.team_id, func.count())
                .where(TeamMember.team_id.in_(chosen))
                .group_by(TeamMember.team_id)
            ).all()
        )
        first = dict(
            session.execute(
                select(TeamMember.team_id, func.min(TeamMember.person_id))
                .where(TeamMember.team_id.in_(chosen))
                .group_by(TeamMember.team_id)
            ).all()
        )
    walls, cpus = [], []
    for team, following in zip(chosen, chosen[1:], strict=False):
        began, cpu = time.perf_counter(), time.process_time()
        teams.check_team(ctx, actor, "big", team, add=[first[following]], on=ON)
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus, size


def _statements(ctx, run) -> int:
    """How many SQL statements ``run`` sends."""
    from sqlalchemy import event

    sent = []

    def count(*_args) -> None:
        sent.append(1)

    event.listen(ctx.db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", count)
    return len(sent)


def _old_and_new(search, query: dict, locality_id: int) -> tuple:
    """The statements the search ran before the search table (the count, then the page, each
    over ``people`` joined to ``cadre_profiles``) and the one it runs now (page and count)."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from core.models import Person
    from plugins.cadres.models import CadreProfile
    from plugins.cadres.search_table import CadreSearch

    old_where, _compiled = search.compile_query(query, ON, locality_id, search.LIVE)
    joined = (
        select(func.count(Person.id))
        .select_from(Person)
        .outerjoin(CadreProfile, col(CadreProfile.person_id) == Person.id)
        .where(Person.locality_id == locality_id, old_where)
    )
    page = (
        select(Person, CadreProfile)
        .outerjoin(CadreProfile, col(CadreProfile.person_id) == Person.id)
        .where(Person.locality_id == locality_id, old_where)
        .order_by(Person.name, Person.id)
        .limit(100)
    )
    new_where, compiled = search.compile_query(query, ON, locality_id)

    def paged(session) -> tuple[list[int], int]:
        return search._page(session, locality_id, compiled, new_where, 100, 0)

    counted = select(func.count()).select_from(CadreSearch).where(CadreSearch.locality_id == locality_id, new_where)
    return [joined, page], paged, joined, counted


def _timed(session, statements: list, repeats: int) -> tuple[float, float, list]:
    walls, cpus, rows = [], [], []
    for _ in range(repeats):
        began, cpu = time.perf_counter(), time.process_time()
        rows = [session.execute(statement).all() for statement in statements]
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), rows


def _versus(ctx, search, rounds: int, explain: bool) -> dict[str, tuple]:
    """Per query: (old wall ms, old CPU ms, new wall ms, new CPU ms), the same people found by
    both checked; with ``explain``, the plan of each statement the search now runs is printed.
    CPU is this process's (all of SQLite's work; for PostgreSQL the server's time is in the wall
    only)."""
    from sqlalchemy import event

    out = {}
    repeats = max(3, rounds // 2)
    with ctx.db.read() as session:
        for name, query in QUERIES.items():
            old, paged, _joined, _counted = _old_and_new(search, query, 1)
            old_wall, old_cpu, (old_count, old_page) = _timed(session, old, repeats)
            walls, cpus = [], []
            for _ in range(repeats):
                began, cpu = time.perf_counter(), time.process_time()
                ids, total = paged(session)
                walls.append((time.perf_counter() - began) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            assert [p.id for p, _profile in old_page] == ids and old_count[0][0] == total, name
            out[name] = (old_wall, old_cpu, statistics.median(walls), statistics.median(cpus))
            if explain:
                sent = []

                def keep(_conn, _cursor, statement, parameters, _context, _many, sent=sent) -> None:
                    sent.append((statement, parameters))

                connection = session.connection()
                event.listen(connection, "before_cursor_execute", keep)
                paged(session)
                event.remove(connection, "before_cursor_execute", keep)
                sqlite = connection.dialect.name == "sqlite"
                prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "
                for statement, parameters in sent:
                    print(f"  plan of {name}: {' '.join(statement.split())[:70]}...")
                    for row in connection.exec_driver_sql(prefix + statement, parameters):
                        print(f"    {row[-1] if sqlite else row[0]}")
    return out


def _leaf_times(ctx, search, rounds: int) -> dict[str, tuple]:
    """Each condition of the queries alone, as a count: (old wall ms, old CPU ms, new wall ms,
    new CPU ms, people found) over the old join and over the search table."""
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
    repeats = max(3, rounds // 2)
    with ctx.db.read() as session:
        for leaf in leaves:
            _old, _new, joined, counted = _old_and_new(search, leaf, 1)
            old_wall, old_cpu, [[(found,)]] = _timed(session, [joined], repeats)
            new_wall, new_cpu, [[(again,)]] = _timed(session, [counted], repeats)
            assert found == again, leaf
            label = ", ".join(f"{k}={v}" for k, v in leaf.items())
            out[label] = (old_wall, old_cpu, new_wall, new_cpu, found)
    return out


def main(argv: list[str] | None = None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadres", type=int, default=FULL_SCALE)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--explain", action="store_true", help="print the plan of each query's statement")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    full = args.cadres >= FULL_SCALE
    for backend in backends:
        r = run_backend(backend, args.cadres, args.rounds, args.explain)
        load = os.getloadavg()[0]
        print(f"\n{backend}: {args.cadres} cadres synthesised in {r['synth_s']:.1f} s (load {load:.1f})")
        print(f"  {'query (whole search)':<48} {'median ms':>10} {'max ms':>8} {'CPU ms':>7} {'found':>7}")
        for name, (median, worst, cpu, total) in r["by_query"].items():
            print(f"  {name:<48} {median:>10.1f} {worst:>8.1f} {cpu:>7.1f} {total:>7}")
        print(f"  statements per search: {r['statements']}")
        print(
            f"  {'count and page: old join vs search table':<48} {'old ms':>8} {'CPU':>6} {'new ms':>8} {'CPU':>6} {'x':>5}"
        )
        for name, (old_wall, old_cpu, new_wall, new_cpu) in r["versus"].items():
            ratio = old_wall / new_wall if new_wall else 0
            print(f"  {name:<48} {old_wall:>8.1f} {old_cpu:>6.1f} {new_wall:>8.1f} {new_cpu:>6.1f} {ratio:>5.1f}")
        print(f"  {'condition alone (a count)':<48} {'old ms':>8} {'CPU':>6} {'new ms':>8} {'CPU':>6} {'found':>7}")
        for name, (old_wall, old_cpu, new_wall, new_cpu, total) in r["leaves"].items():
            print(f"  {name:<48} {old_wall:>8.1f} {old_cpu:>6.1f} {new_wall:>8.1f} {new_cpu:>6.1f} {total:>7}")
        print(
            f"  search p95 {r['p95']:.1f} ms (target {TARGET_MS:.0f} ms); scan of every team {r['scan_s']:.1f} s "
            f"({r['scan_cpu_s']:.1f} s of CPU in this process)"
        )
        print(
            f"  one candidate placed into a {r['team_size']}-member team (relations, structure before and after, "
            f"the view log), {r['placements']} teams: p95 {r['placement_p95']:.1f} ms "
            f"({r['placement_cpu_p95']:.1f} ms of CPU; target {PLACEMENT_TARGET_MS:.0f} ms)"
        )
        old_total = sum(v[0] for v in r["versus"].values())
        new_total = sum(v[2] for v in r["versus"].values())
        figure(
            BENCH,
            f"search p95 over {args.cadres}",
            r["p95"],
            "ms",
            target=TARGET_MS,
            backend=backend,
            full_scale=full,
            note=f"load {load:.1f}; count and page {old_total / new_total:.1f}x faster than the old join",
        )
        figure(
            BENCH,
            f"scan of every team of {args.cadres}",
            r["scan_s"],
            "s",
            target=30.0,
            backend=backend,
            full_scale=full,
            note=f"load {load:.1f}",
        )
        figure(
            BENCH,
            f"one candidate into a {r['team_size']}-member team, p95, over {args.cadres}",
            r["placement_p95"],
            "ms",
            target=PLACEMENT_TARGET_MS,
            backend=backend,
            full_scale=full,
            note=f"load {load:.1f}; CPU p95 {r['placement_cpu_p95']:.1f} ms",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
