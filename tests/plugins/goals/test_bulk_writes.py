"""The goals' bulk paths on both databases: the progress sheet's import writes its reports at once
(a report of a goal and period already there is replaced, not doubled; the county view kept before
shows the new figures), in as many statements for 12 goals as for 2; the county view's first call
rolls every set up in as many statements for 6 sets as for 2, and keeps each (the cache equals a
recount: the tree of each set)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlmodel import col, select

from core.schemas.org import PersonIn, TeamIn, TeamMemberIn, UnitIn
from core.services import org
from plugins.goals import progress, sheets
from plugins.goals.models import GoalProgress, GoalRollup
from plugins.goals.schemas import ProgressIn
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import SYSTEM, YEAR, make_world

AS_OF = date(YEAR, 12, 1)


@pytest.fixture
def world(ctx):
    return make_world(ctx)


class Statements:
    def __init__(self, ctx):
        self.engine, self.count = ctx.db.engine, 0

    def _seen(self, *_args):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def filled(ctx, world, percents: dict[int, float]) -> bytes:
    content = sheets.export_workbook(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    book = load_workbook(io.BytesIO(content))
    sheet = book[sheets.PROGRESS_SHEET]
    for row in range(2, sheet.max_row + 1):
        goal_id = sheet.cell(row, 1).value
        if goal_id in percents:
            sheet.cell(row, 4, f"{YEAR}-Q3")
            sheet.cell(row, 6, percents[goal_id])
            sheet.cell(row, 8, "按季推进\r\n第二行")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load(ctx, world, content) -> int:
    return sheets.import_progress(
        ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR, "goals.xlsx", content
    )


def county(ctx, world) -> dict:
    view = progress.status_view(ctx, world.actors["office"], "ga", YEAR, as_of=AS_OF)
    return {(r.unit_id, r.team_id): r for r in view.rows}


def test_the_progress_import_writes_at_once_and_replaces_a_report_already_there(ctx, world):
    top = goal(ctx, world, "经济发展")
    leaves = [goal(ctx, world, f"子目标{i}", parent_id=top.id, weight=1 + i % 2) for i in range(12)]
    progress.report(ctx, world.actors["admin_a"], "ga", leaves[0].id, ProgressIn(period=f"{YEAR}-Q3", percent=5))
    before = county(ctx, world)[(world.unit_a, world.team)]
    assert before.percent == round(5 * 1 / 18, 2)  # weights 1, 2, 1, 2, ...: 18 in all
    with Statements(ctx) as few:
        assert load(ctx, world, filled(ctx, world, {leaves[0].id: 60, leaves[1].id: 30})) == 2
    with Statements(ctx) as many:
        assert load(ctx, world, filled(ctx, world, {g.id: 10 * (i % 10) for i, g in enumerate(leaves)})) == 12
    assert many.count == few.count  # not a statement a report
    with ctx.db.read() as session:
        rows = session.exec(select(GoalProgress).where(col(GoalProgress.goal_id).in_([g.id for g in leaves]))).all()
    assert sorted((r.goal_id, r.period, r.percent) for r in rows) == sorted(
        (g.id, f"{YEAR}-Q3", 10.0 * (i % 10)) for i, g in enumerate(leaves)
    )
    assert {r.work_done for r in rows} == {"按季推进\n第二行"} and {r.reported_by for r in rows} == {"admin-a"}
    assert all(r.period_start == date(YEAR, 7, 1) and r.period_end == date(YEAR, 9, 30) for r in rows)
    tree = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR, AS_OF)
    after = county(ctx, world)[(world.unit_a, world.team)]
    assert after.percent == tree.percent == round(sum(10 * (i % 10) * (1 + i % 2) for i in range(12)) / 18, 2)
    done = filled(ctx, world, {leaves[0].id: 100})
    assert load(ctx, world, done) == 1
    assert progress.goal_detail(ctx, world.actors["admin_a"], "ga", leaves[0].id).progress[-1].done  # 100 %: done


def test_the_county_views_first_call_rolls_every_set_up_at_once_and_keeps_it(ctx, world):
    def add_sets(first: int, n: int) -> None:
        for i in range(first, first + n):
            unit = org.create_unit(ctx, SYSTEM, "ga", UnitIn(code=f"u{i}", name=f"单位{i}")).id
            person = org.create_person(ctx, SYSTEM, "ga", PersonIn(name=f"人{i}", unit_id=unit)).id
            team = org.create_team(
                ctx, SYSTEM, "ga", TeamIn(unit_id=unit, name=f"班子{i}", members=[TeamMemberIn(person_id=person)])
            ).id
            data = {
                "unit_id": unit,
                "team_id": team,
                "year": YEAR,
                "start": date(YEAR, 1, 1),
                "end": date(YEAR, 12, 31),
            }
            top = goal(ctx, world, f"目标{i}", actor=SYSTEM, **data)
            leaf = goal(ctx, world, f"子目标{i}", actor=SYSTEM, parent_id=top.id, **data)
            progress.report(ctx, SYSTEM, "ga", leaf.id, ProgressIn(period=f"{YEAR}-Q2", percent=10 * i))

    def cold() -> int:
        with ctx.db.write() as session:
            for row in session.exec(select(GoalRollup)):
                session.delete(row)
        with Statements(ctx) as seen:
            county(ctx, world)
        return seen.count

    add_sets(1, 2)
    two = cold()
    add_sets(3, 4)
    assert cold() == two
    rows = county(ctx, world)
    assert len(rows) == 6
    with ctx.db.read() as session:
        kept = session.exec(select(GoalRollup)).all()
    assert len(kept) == 6 and all(r.computed_version == r.version for r in kept)
    for (unit_id, team_id), row in rows.items():
        tree = progress.goal_tree(ctx, world.actors["office"], "ga", unit_id, team_id, YEAR, AS_OF)
        assert row.percent == tree.percent
    with Statements(ctx) as warm:
        county(ctx, world)
    assert warm.count < two


def test_every_writer_marks_its_set_stale_and_the_kept_roll_up_equals_a_recount(ctx, world):
    """No listener: each service that changes what the roll-up keeps bumps its set explicitly.
    After each write (the view kept just before it), the county view equals a recount (the tree)."""
    from plugins.goals import copying, service
    from plugins.goals.schemas import CopyIn, GoalPatch, MoveIn

    admin = world.actors["admin_a"]

    def same(year=YEAR):
        view = progress.status_view(ctx, world.actors["office"], "ga", year, as_of=AS_OF)
        [row] = [r for r in view.rows if r.team_id == world.team] or [None]
        tree = progress.goal_tree(ctx, admin, "ga", world.unit_a, world.team, year, AS_OF)
        tops = [g for g in tree.goals if g.parent_id is None]
        if row is None:
            return not tree.goals
        counts = {s: sum(1 for g in tops if g.status == s) for s in ("on_track", "behind", "overdue", "done")}
        return (row.percent, row.goals, {s: getattr(row, s) for s in counts}) == (
            tree.percent,
            len(tree.goals),
            counts,
        )

    assert same()
    first = goal(ctx, world, "甲", weight=2)
    assert same()
    second = goal(ctx, world, "乙")
    leaf = goal(ctx, world, "甲一", parent_id=first.id)
    assert same()
    progress.report(ctx, admin, "ga", leaf.id, ProgressIn(period=f"{YEAR}-Q3", percent=80))
    assert same()
    progress.report(ctx, admin, "ga", second.id, ProgressIn(period=f"{YEAR}-10", percent=100))
    assert same()
    service.update_goal(ctx, admin, "ga", second.id, GoalPatch(weight=5))
    assert same()
    service.update_goal(ctx, admin, "ga", first.id, GoalPatch(end=date(YEAR, 6, 30)))  # overdue by December
    assert same()
    service.move_goal(ctx, admin, "ga", second.id, MoveIn(parent_id=first.id))
    assert same()
    assert same(YEAR + 1)
    copying.copy_goals(ctx, admin, "ga", CopyIn(unit_id=world.unit_a, team_id=world.team, year=YEAR))
    assert same(YEAR + 1) and same()
    assert load(ctx, world, filled(ctx, world, {leaf.id: 20})) == 1
    assert same()
    service.delete_goal(ctx, admin, "ga", leaf.id)
    assert same()
    with ctx.db.read() as session:
        kept = session.exec(select(GoalRollup)).all()
    assert kept and all(r.computed_version == r.version for r in kept)
