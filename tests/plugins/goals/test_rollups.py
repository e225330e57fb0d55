"""The county view's kept roll-ups on both databases (``plugins.goals.rollups``): after a progress
report the view rolls up the reported set alone (not the other sets of its unit, nor any other),
in a fixed number of statements, and equals a recount; with nothing changed it reads only what it
keeps and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import select

from plugins.goals import progress
from plugins.goals.models import GoalRollup
from plugins.goals.schemas import ProgressIn
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, make_world

AS_OF = date(YEAR, 12, 1)


@pytest.fixture
def world(ctx):
    return make_world(ctx)


class Seen:
    """The statements run on the database (transaction control and SET left out), and the
    parameters each statement was given (before the driver's expansion of lists)."""

    def __init__(self, ctx):
        self.engine, self.statements, self.given = ctx.db.engine, [], []

    def _seen(self, _conn, _cursor, statement, *_rest):
        if not statement.lstrip().upper().startswith(("BEGIN", "SET", "COMMIT", "ROLLBACK")):
            self.statements.append(" ".join(statement.split()))

    def _given(self, _conn, clause, multiparams, params, _options):
        self.given.append((" ".join(str(clause).split()), multiparams or [params]))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        event.listen(self.engine, "before_execute", self._given)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)
        event.remove(self.engine, "before_execute", self._given)

    def like(self, start: str) -> list[list[dict]]:
        """The parameter lists (one dict a row) of the statements beginning with ``start``."""
        return [parameters for statement, parameters in self.given if statement.startswith(start)]


def view(ctx, world) -> dict:
    rows = progress.status_view(ctx, world.actors["office"], "ga", YEAR, as_of=AS_OF).rows
    return {(r.unit_id, r.team_id): r for r in rows}


def recount(ctx, world, unit_id, team_id) -> float:
    return progress.goal_tree(ctx, world.actors["office"], "ga", unit_id, team_id, YEAR, AS_OF).percent


def test_a_report_rolls_up_its_own_set_alone_in_a_fixed_number_of_statements(ctx, world):
    office, admin = world.actors["office"], world.actors["admin_a"]
    leaves = {}
    for key, team in (("team", True), ("unit a", False)):
        top = goal(ctx, world, f"{key} 目标", team=team, weight=2)
        leaves[key] = [
            goal(ctx, world, f"{key} 子目标{i}", team=team, parent_id=top.id, weight=1 + i) for i in range(3)
        ]
        goal(ctx, world, f"{key} 另一目标", team=team)
    top_b = goal(ctx, world, "B 目标", actor=world.actors["admin_b"], team=False, unit_id=world.unit_b)
    for key in leaves:
        progress.report(ctx, admin, "ga", leaves[key][0].id, ProgressIn(period=f"{YEAR}-Q2", percent=40))
    progress.report(ctx, office, "ga", top_b.id, ProgressIn(period=f"{YEAR}-Q1", percent=30))
    sets = [(world.unit_a, world.team), (world.unit_a, None), (world.unit_b, None)]
    assert set(view(ctx, world)) == set(sets)  # every set rolled up and kept

    progress.report(ctx, admin, "ga", leaves["team"][1].id, ProgressIn(period=f"{YEAR}-Q3", percent=90))
    with Seen(ctx) as after_report:
        rows = view(ctx, world)
    # the locality, the sets' sizes, unit and team names, the kept rows (with their versions);
    # the reported set's roll-up (one statement), its row kept (compare and set)
    assert len(after_report.statements) == 7, after_report.statements
    [[rolled]] = after_report.like("WITH RECURSIVE")
    assert rolled["teams"] == [world.team] and rolled["own_units"] == [] and rolled["units"] == [world.unit_a]
    [kept] = after_report.like("UPDATE goals_rollups")
    assert [row["b_key"] for row in kept] == [f"{world.unit_a}:{world.team}:{YEAR}"]
    for unit_id, team_id in sets:
        assert rows[(unit_id, team_id)].percent == recount(ctx, world, unit_id, team_id)
    assert rows[(world.unit_a, world.team)].percent == round(((40 * 1 + 90 * 2 + 0 * 3) / 6 * 2 + 0 * 1) / 3, 2)

    with Seen(ctx) as again:
        assert view(ctx, world) == rows
    assert len(again.statements) == 5 and not again.like("WITH RECURSIVE") and not again.like("UPDATE")

    progress.report(ctx, office, "ga", top_b.id, ProgressIn(period=f"{YEAR}-Q2", percent=60))
    with Seen(ctx) as other:
        rows = view(ctx, world)
    [[rolled]] = other.like("WITH RECURSIVE")
    assert rolled["teams"] == [] and rolled["own_units"] == [world.unit_b] and rolled["units"] == [world.unit_b]
    assert rows[(world.unit_b, None)].percent == 60.0 == recount(ctx, world, world.unit_b, None)


def test_the_view_keeps_its_roll_ups_without_waiting_for_the_disk_on_postgresql(ctx, world):
    """The kept rows are a saving (a lost one is rolled up again): on PostgreSQL the transaction
    that keeps them does not wait for its COMMIT to reach the disk; the writers' do."""
    mine = goal(ctx, world, "甲")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_rest):
        statements.append(" ".join(statement.split()))

    event.listen(ctx.db.engine, "before_cursor_execute", seen)
    try:
        view(ctx, world)
        made = list(statements)
        statements.clear()
        progress.report(ctx, world.actors["admin_a"], "ga", mine.id, ProgressIn(period=f"{YEAR}-Q1", percent=10))
        reported = list(statements)
        statements.clear()
        assert view(ctx, world)[(world.unit_a, world.team)].percent == 10.0
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", seen)
    no_wait = "SET LOCAL synchronous_commit = off"
    if ctx.db.engine.dialect.name == "postgresql":
        assert made.count(no_wait) == 1  # its figures kept (its row was made by the goal's writer)
        assert statements.count(no_wait) == 1
    else:
        assert no_wait not in made + statements
    assert no_wait not in reported


def test_a_report_written_while_the_view_rolls_up_is_never_hidden(ctx, world):
    """A report committed after the view read the kept rows and before it keeps its figures:
    the figures are not kept (the set's version moved), and the next view shows the report."""
    admin = world.actors["admin_a"]
    mine = goal(ctx, world, "甲")
    progress.report(ctx, admin, "ga", mine.id, ProgressIn(period=f"{YEAR}-Q1", percent=10))
    written = []

    def meanwhile(_conn, _cursor, statement, *_rest):
        if statement.lstrip().startswith("WITH RECURSIVE") and not written:
            written.append(progress.report(ctx, admin, "ga", mine.id, ProgressIn(period=f"{YEAR}-Q2", percent=70)))

    event.listen(ctx.db.engine, "before_cursor_execute", meanwhile)
    try:
        view(ctx, world)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", meanwhile)
    assert written
    with ctx.db.read() as session:
        [row] = session.exec(select(GoalRollup).where(GoalRollup.team_id == world.team)).all()
    assert row.computed_version != row.version  # not kept: still stale
    assert view(ctx, world)[(world.unit_a, world.team)].percent == 70.0 == recount(ctx, world, world.unit_a, world.team)


def test_a_teams_roll_up_and_the_kept_county_view_read_outside_of_a_transaction(ctx, world):
    """A team's tree costs as many statements for 12 goals as for 3, and it and the county view
    with nothing changed run none inside a transaction on PostgreSQL (no BEGIN and ROLLBACK round
    trips; SQLite's reads are in-process)."""
    admin = world.actors["admin_a"]
    top = goal(ctx, world, "甲")
    for i in range(2):
        goal(ctx, world, f"甲{i}", parent_id=top.id)
    view(ctx, world)
    transactional: list[str] = []

    def listen(conn, _cursor, statement, *_rest):
        if not ctx.db.is_sqlite and conn.connection.driver_connection.info.transaction_status.name == "INTRANS":
            transactional.append(statement)

    def tree_cost() -> int:
        with Seen(ctx) as seen:
            progress.goal_tree(ctx, admin, "ga", world.unit_a, world.team, YEAR, AS_OF)
        return len(seen.statements)

    event.listen(ctx.db.engine, "after_cursor_execute", listen)
    try:
        few = tree_cost()
        for i in range(9):
            goal(ctx, world, f"乙{i}", parent_id=top.id)
        transactional.clear()
        assert tree_cost() == few == 6  # the locality, the unit, the team, the goals, their reports, their people
        view(ctx, world)  # the set was touched: rolled up again and kept
        transactional.clear()
        with Seen(ctx) as seen:
            view(ctx, world)
        progress.goal_tree(ctx, admin, "ga", world.unit_a, world.team, YEAR, AS_OF)
    finally:
        event.remove(ctx.db.engine, "after_cursor_execute", listen)
    assert len(seen.statements) == 5 and transactional == []
