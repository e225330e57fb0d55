"""Goals (工作目标) at county scale: 500 leadership teams with 40 goals each (20,000 goals a
year, five levels deep) over three years, each year's goals copied forward from the year before
(``copied_from``, as copying a set to the next year does), with monthly progress on every goal
without sub-goals (35 months, to November: 210,000 reports), and a unit of 5,000 goals of its
own each year.

Measured in this process, on the services the API and pages call (``plugins.goals.progress``):

* **a team's roll-up**: ``goal_tree`` of one team (40 goals, weighted roll-up, statuses), one call
  at a time over ``--rounds`` teams (target p95 <= 50 ms);
* **the county's status view**: ``status_view`` of the year (every team's roll-up and counts by
  status), ``--rounds`` calls (target p95 <= 200 ms): the first call (every set rolled up in SQL
  and kept, ``plugins.goals.rollups``) apart, then with nothing changed, then each call after a
  progress report on one team's goal (that set is rolled up again);
* **export and re-import of 5,000 goals** (one unit's set, 125 trees of 40): the workbook
  (``sheets.export_workbook``) and its progress sheet filled for every goal without sub-goals
  read back (``sheets.import_progress``), together (target <= 5 s); and the same workbook's goal
  sheet imported as a whole tree (``tree_sheet.import_tree``: 5,000 new drafts);
* **a goal's history across the three years** (``history.across_years``, the line chart of plan
  vs actual per year along ``copied_from``), ``--rounds`` calls (no target in the issue).

    .venv/bin/python -m bench.goals [--teams 500] [--rounds 20] [--backend sqlite|postgresql|both]

Rows are written in bulk (SQLAlchemy Core executemany). The machine's load average is printed
beside the figures (the benchmark machine is shared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench._db import scratch_database
from bench._figures import figure

QUICK_ARGS = ["--teams", "20", "--rounds", "5"]
TARGETS = {"team": 50.0, "county": 200.0, "county_write": 200.0, "sheet": 5000.0, "tree": 5000.0}
BIG = 125  # trees of 40 goals in the unit measured by the workbook (5,000 goals)
YEAR = 2026
AS_OF = date(YEAR, 11, 30)
YEARS = (YEAR - 2, YEAR - 1, YEAR)  # three years of goals, each copied forward from the year before
SECRET = "bench-goals-secret-key-0123456789abcdef"


def _shape() -> list[tuple[int, int | None, int]]:
    """One team's goals as (index, parent index, depth): 4 roots, each with one extra leaf and two
    branches four levels deep (40 goals, five levels)."""
    goals: list[tuple[int, int | None, int]] = []

    def add(parent: int | None, depth: int) -> int:
        goals.append((len(goals), parent, depth))
        return len(goals) - 1

    for _root in range(4):
        root = add(None, 1)
        add(root, 2)
        for _branch in range(2):
            node = add(root, 2)
            for depth in (3, 4, 5):
                node = add(node, depth)
    return goals


def build(ctx, teams: int, log) -> tuple[str, list[tuple[int, int]], int]:
    """The locality ``county-g`` with ``teams`` units and teams, each team's 40 goals in each of
    ``YEARS`` (every year's set copied forward from the year before, each goal naming the one it
    was copied from in ``copied_from``, as ``copying.copy_goals`` does) with monthly progress on
    every goal without sub-goals (the current year up to ``AS_OF``), and a unit with 5,000 goals
    of its own in each year (no reports); answers its code, the (unit, team) ids and the big
    unit's id."""
    from sqlalchemy import insert, select, text

    from core.context import Actor
    from core.models import Team, Unit
    from core.schemas.localities import LocalityIn
    from core.services import localities
    from core.services.plugins import PluginSettingIn, set_plugin
    from plugins.goals.models import Goal, GoalProgress

    system = Actor.system("bench")
    code = "county-g"
    began = time.perf_counter()
    locality_id = localities.create(ctx, system, LocalityIn(code=code, name="基准县")).id
    set_plugin(ctx, system, code, "goals", PluginSettingIn(enabled=True))
    now = datetime.now(UTC)
    shape = _shape()
    leaves = {i for i, _p, _d in shape} - {p for _i, p, _d in shape if p is not None}
    unit_row = {"type": "", "duties": "", "contact_name": "", "contact_phone": "", "created_at": now, "updated_at": now}
    with ctx.db.engine.begin() as connection:
        connection.execute(
            insert(Unit),
            [
                {"locality_id": locality_id, "code": f"u{n:04d}", "name": f"单位{n:04d}", **unit_row}
                for n in range(teams)
            ],
        )
        units = list(
            connection.execute(select(Unit.id).where(Unit.locality_id == locality_id).order_by(Unit.id)).scalars()
        )
        connection.execute(
            insert(Team),
            [
                {"locality_id": locality_id, "unit_id": u, "name": "领导班子", "type": "other", "created_at": now}
                for u in units
            ],
        )
        team_ids = list(
            connection.execute(select(Team.id).where(Team.locality_id == locality_id).order_by(Team.id)).scalars()
        )
        sets = list(zip(units, team_ids))
        big_unit = connection.execute(
            insert(Unit).values(locality_id=locality_id, code="big", name="大单位", **unit_row).returning(Unit.id)
        ).scalar_one()
        trees = [(unit_id, team_id, 0) for unit_id, team_id in sets]
        trees += [(big_unit, None, tree) for tree in range(BIG)]  # the workbook's 5,000 goals
        earlier: dict[tuple[int, int], int] = {}  # (tree number, index) -> id of the year before
        for year in YEARS:
            ids: dict[tuple[int, int], int] = {}
            for level in range(1, 6):  # parents first: one insert per level for their ids
                keys, rows = [], []
                for number, (unit_id, team_id, tree) in enumerate(trees):
                    for index, parent, depth in shape:
                        if depth != level:
                            continue
                        keys.append((number, index))
                        rows.append(
                            {
                                "locality_id": locality_id,
                                "unit_id": unit_id,
                                "team_id": team_id,
                                "year": year,
                                "parent_id": ids[(number, parent)] if parent is not None else None,
                                "copied_from": earlier.get((number, index)),
                                "sort_order": tree * len(shape) + index,
                                "name": f"目标{depth}-{index}",
                                "weight": 1 + index % 3,
                                "kind": "qualitative",
                                "source": "",
                                "supervising_unit_id": None,
                                "start_date": date(year, 1, 1),
                                "end_date": date(year, 12, 31),
                                "standard": "",
                                "indicator_id": None,
                                "baseline": None,
                                "target": None,
                                "direction": "higher",
                                "counts_for_assessment": True,
                                "published_at": now,
                                "versions": 1,
                                "changed_after_publish": False,
                                "created_at": now,
                                "updated_at": now,
                            }
                        )
                made = connection.execute(insert(Goal).returning(Goal.id, sort_by_parameter_order=True), rows)
                ids.update(zip(keys, made.scalars().all()))
            months = range(1, 13) if year < AS_OF.year else range(1, AS_OF.month + 1)
            reports = []
            for number, (unit_id, _team_id, _tree) in enumerate(trees):
                if unit_id == big_unit:
                    continue
                for index in leaves:
                    for month in months:
                        percent = min(100.0, month * (5 + (index + number + year) % 7))
                        reports.append(
                            {
                                "locality_id": locality_id,
                                "goal_id": ids[(number, index)],
                                "period": f"{year}-{month:02d}",
                                "period_start": date(year, month, 1),
                                "period_end": date(year, month, 28),
                                "actual": None,
                                "percent": percent,
                                "done": percent >= 100,
                                "work_done": "按计划推进",
                                "delay_reasons": "",
                                "reported_by": "bench",
                                "reported_at": now,
                            }
                        )
                if len(reports) >= 20_000:
                    connection.execute(insert(GoalProgress), reports)
                    reports = []
            if reports:
                connection.execute(insert(GoalProgress), reports)
            earlier = ids
    with ctx.db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    goals = len(YEARS) * len(trees) * len(shape)
    log(f"built {teams} teams, {goals:,} goals over {len(YEARS)} years in {time.perf_counter() - began:.1f} s")
    return code, sets, big_unit


def _timed(call, rounds: int) -> list[float]:
    times = []
    for index in range(rounds + 2):
        began = time.perf_counter()
        call(index)
        if index >= 2:  # two warm-ups
            times.append((time.perf_counter() - began) * 1000)
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _leaves(ctx, code: str, chosen: list[tuple[int, int]]) -> list[int]:
    """A goal without sub-goals of each chosen team, of the current year."""
    from sqlmodel import col, select

    from plugins.goals.models import Goal

    found = []
    with ctx.db.read() as session:
        for _unit_id, team_id in chosen:
            mine = (Goal.team_id == team_id, Goal.year == YEAR)
            parents = select(Goal.parent_id).where(*mine, col(Goal.parent_id).is_not(None))
            found.append(
                session.exec(select(Goal.id).where(*mine, col(Goal.id).not_in(parents)).order_by(Goal.id)).first()
            )
    return found


def _round_trip(ctx, office, code: str, unit_id: int) -> tuple[float, float, int]:
    """Export the big unit's workbook, fill its progress sheet (not timed), import it back, then
    import its goal sheet as a whole tree (5,000 new drafts): ms for export + progress import, ms
    for export + tree import, and how many goals the workbook held."""
    import io

    from openpyxl import load_workbook

    from plugins.goals import sheets, tree_sheet

    began = time.perf_counter()
    content = sheets.export_workbook(ctx, office, code, unit_id, None, YEAR)
    exported = time.perf_counter() - began
    book = load_workbook(io.BytesIO(content))
    goals = book[sheets.GOALS_SHEET].max_row - 1
    sheet = book[sheets.PROGRESS_SHEET]
    header = [c.value for c in sheet[1]]
    period, percent = header.index("期间") + 1, header.index("完成百分比") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, period, f"{YEAR}-10")
        sheet.cell(row, percent, 10 + row % 80)
    filled = io.BytesIO()
    book.save(filled)
    began = time.perf_counter()
    written = sheets.import_progress(ctx, office, code, unit_id, None, YEAR, "goals.xlsx", filled.getvalue())
    imported = time.perf_counter() - began
    assert written == sheet.max_row - 1, written
    began = time.perf_counter()
    copied = tree_sheet.import_tree(ctx, office, code, unit_id, None, YEAR, "goals.xlsx", content)
    tree = time.perf_counter() - began
    assert copied == goals, copied
    print(
        f"  (export {exported * 1000:.0f} ms, progress import {imported * 1000:.0f} ms, "
        f"tree import {tree * 1000:.0f} ms)",
        flush=True,
    )
    return (exported + imported) * 1000, (exported + tree) * 1000, goals


def run_backend(backend: str, teams: int, rounds: int) -> dict:
    from core.context import Actor, AppContext
    from core.db import Database
    from core.migrate import upgrade
    from core.security import Keyring
    from core.settings import Settings
    from plugins.goals import history, progress
    from plugins.goals.schemas import ProgressIn

    folder = Path(tempfile.mkdtemp(prefix="kaoping-bench-"))
    url, drop = scratch_database(backend, folder)
    try:
        upgrade(url)
        ctx = AppContext(
            settings=Settings(database_url=url, secret_key=SECRET, var_dir=folder, scheduler=False),
            db=Database(url),
            keys=Keyring(SECRET),
        )
        code, sets, big_unit = build(ctx, teams, log=lambda line: print(f"[{backend}] {line}", flush=True))
        office = Actor.system("bench")
        step = max(1, len(sets) // rounds)
        chosen = sets[::step][:rounds]
        tree = progress.goal_tree(ctx, office, code, chosen[0][0], chosen[0][1], YEAR, AS_OF)
        team = _timed(lambda i: progress.goal_tree(ctx, office, code, *chosen[i % len(chosen)], YEAR, AS_OF), rounds)
        began = time.perf_counter()
        view = progress.status_view(ctx, office, code, YEAR, AS_OF)  # every set rolled up and kept
        cold = (time.perf_counter() - began) * 1000
        county = _timed(lambda i: progress.status_view(ctx, office, code, YEAR, AS_OF), rounds)
        leaves = _leaves(ctx, code, chosen)
        county_write = []
        for i in range(rounds):
            goal_id = leaves[i % len(leaves)]
            progress.report(ctx, office, code, goal_id, ProgressIn(period=f"{YEAR}-11", percent=50 + i % 40))
            began = time.perf_counter()
            progress.status_view(ctx, office, code, YEAR, AS_OF)
            county_write.append((time.perf_counter() - began) * 1000)
        lineage = history.across_years(ctx, office, code, leaves[0])
        assert [s.year for s in lineage.series] == list(YEARS), [s.year for s in lineage.series]
        across = _timed(lambda i: history.across_years(ctx, office, code, leaves[i % len(leaves)]), rounds)
        sheet, tree_copy, goals = _round_trip(ctx, office, code, big_unit)
        ctx.db.dispose()
        return {
            "backend": backend,
            "load": os.getloadavg()[0],
            "team_p95": _p95(team),
            "team_goals": len(tree.goals),
            "county_cold": cold,
            "county_p95": _p95(county),
            "county_write_p95": _p95(county_write),
            "county_rows": len(view.rows),
            "sheet_p95": sheet,
            "tree_p95": tree_copy,
            "sheet_goals": goals,
            "history_p95": _p95(across),
        }
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)


def report(r: dict, teams: int) -> bool:
    full = teams >= 500
    note = f"{teams} teams, {teams * 40:,} goals a year over {len(YEARS)} years; load {r['load']:.1f} on {os.cpu_count()} CPUs"
    print(f"\n[{r['backend']}] {note}")
    failed = False
    print(f"  {'the county view, first call (kept after)':<40} {r['county_cold']:9.1f} ms")
    for name, key, extra in (
        ("a team's roll-up (40 goals): p95", "team", f"{r['team_goals']} goals"),
        ("the county's status view: p95", "county", f"{r['county_rows']} sets"),
        ("the county view after a report: p95", "county_write", "one set rolled up again"),
        ("export + progress re-import: total", "sheet", f"{r['sheet_goals']:,} goals"),
        ("export + goal-tree re-import: total", "tree", f"{r['sheet_goals']:,} goals"),
    ):
        value = r[f"{key}_p95"]
        over = value > TARGETS[key]
        failed |= over and full
        print(f"  {name:<40} {value:9.1f} ms (<= {TARGETS[key]:g}; {extra}){'  OVER' if over else ''}")
        figure("goals", name, value, "ms", target=TARGETS[key], backend=r["backend"], note=note, full_scale=full)
    name = f"a goal's history across {len(YEARS)} years: p95"
    print(f"  {name:<40} {r['history_p95']:9.1f} ms (no target)")
    figure("goals", name, r["history_p95"], "ms", backend=r["backend"], note=note, full_scale=full)
    return not failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    ok = True
    for backend in backends:
        ok &= report(run_backend(backend, args.teams, args.rounds), args.teams)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
