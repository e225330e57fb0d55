"""The county view's roll-up: each set's top goals rolled up in the database, kept per set in
``goals_rollups`` until a write touches the set.

**In SQL** (``TOP_GOALS_SQL``): every goal gets its ``share`` of its top goal, the product of
weight / (sum of its siblings' weights, a window over the set's goals) down the path (a weighted mean of weighted means is a sum
over the leaves); a top goal's percentage is the sum of its leaves' latest percentages times their
shares, and it is done when all its leaves are. One statement on SQLite and PostgreSQL, which
gives the figures of ``calc.rollup`` (both round only at the end), with the top goals' own
fields and the days between which the leaves' latest reports stay the same; it rolls up only
the sets asked for (a report refreshes its own set, not its unit's others). Its leaves are
MATERIALIZED, so that PostgreSQL probes each leaf's reports once, not once per use.

**Kept** (``GoalRollup``): the top goals' (weight, start, end, percent, done) of a set, valid for
any day on which the same reports of its leaves have begun (``valid_from`` ≤ day <
``valid_until``; a goal with sub-goals takes no report, so reports of other goals change nothing). Every
service that adds, changes, moves or deletes a goal or writes a progress report adds one to its
set's ``version`` in its own transaction, by an explicit call (``touch_goals``, ``touch``):
``service`` (create, update, move, delete), ``copying``, ``progress.report``, the sheets'
imports (``sheets``, ``tree_sheet``). A reader refreshes a set whose ``computed_version``
differs, and stores it only if ``version`` is still the one it read before reading the goals
(compare and set), so a concurrent write is never hidden; a set without a row is computed as if
stale. (Reordering and publishing change nothing the roll-up keeps. Rows the database deletes by
CASCADE, a team's goals with the team, take their set's row with them.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, text, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from core.context import AppContext
from plugins.goals.models import Goal, GoalRollup

log = logging.getLogger("kaoping.goals.rollups")

SetKey = tuple[int, int | None]  # (unit_id, team_id) within a locality and year
CHUNK = 500  # sets per statement

TOP_GOALS_SQL = text(
    """
WITH RECURSIVE
  of_year AS (
    SELECT id, parent_id, weight, SUM(weight) OVER (PARTITION BY parent_id) AS siblings FROM goals
    WHERE locality_id = :locality AND year = :year AND unit_id IN :units
      AND (team_id IN :teams OR (team_id IS NULL AND unit_id IN :own_units))
  ),
  paths (id, top_id, share) AS (
    SELECT id, id, CAST(1 AS DOUBLE PRECISION) FROM of_year WHERE parent_id IS NULL
    UNION ALL
    SELECT g.id, p.top_id,
           CASE WHEN g.siblings > 0 THEN p.share * g.weight / g.siblings ELSE CAST(0 AS DOUBLE PRECISION) END
    FROM paths p JOIN of_year g ON g.parent_id = p.id
  ),
  leaves AS MATERIALIZED (
    SELECT paths.id, paths.top_id, paths.share,
           (SELECT r.id FROM goals_progress r
             WHERE r.locality_id = :locality AND r.goal_id = paths.id AND r.period_start <= :as_of
             ORDER BY r.period_start DESC, r.period_end DESC LIMIT 1) AS report_id,
           (SELECT MIN(r.period_start) FROM goals_progress r
             WHERE r.locality_id = :locality AND r.goal_id = paths.id AND r.period_start > :as_of) AS next_start
    FROM paths
    WHERE NOT EXISTS (SELECT 1 FROM of_year c WHERE c.parent_id = paths.id)
  )
SELECT t.id, t.unit_id, t.team_id, t.weight, t.start_date, t.end_date,
       f.percent, f.done, f.valid_from, f.valid_until
FROM (
  SELECT leaves.top_id,
         SUM(leaves.share * COALESCE(r.percent, 0.0)) AS percent,
         MIN(CASE WHEN r.done THEN 1 ELSE 0 END) AS done,
         MAX(r.period_start) AS valid_from,
         MIN(leaves.next_start) AS valid_until
  FROM leaves LEFT JOIN goals_progress r ON r.id = leaves.report_id
  GROUP BY leaves.top_id
) f
JOIN goals t ON t.id = f.top_id
ORDER BY t.id
"""
).bindparams(
    bindparam("units", expanding=True), bindparam("teams", expanding=True), bindparam("own_units", expanding=True)
)


def set_key(unit_id: int, team_id: int | None, year: int) -> str:
    return f"{unit_id}:{team_id if team_id is not None else ''}:{year}"


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _either(pick, a: date | None, b: date | None) -> date | None:
    """``pick`` (max or min) of the days given, None for none."""
    return b if a is None else a if b is None else pick(a, b)


def dialect_insert(session: Session | OrmSession):
    """The dialect's ``insert`` (with ``on_conflict_do_update`` / ``_do_nothing``)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


# --- writers ---------------------------------------------------------------------------------


def touch(session: Session | OrmSession, sets: Iterable[tuple[int, int, int | None, int]]) -> None:
    """Add one to the ``version`` of each (locality, unit, team, year) set (a row is made if
    missing), on the session's connection: call it in the transaction that changes the set."""
    table = GoalRollup.__table__
    insert = dialect_insert(session)
    connection = session.connection()
    for locality_id, unit_id, team_id, year in sorted(set(sets), key=lambda s: (s[0], s[1], s[2] or 0, s[3])):
        statement = (
            insert(table)
            .values(
                locality_id=locality_id,
                unit_id=unit_id,
                team_id=team_id,
                year=year,
                set_key=set_key(unit_id, team_id, year),
                version=1,
                tops=[],
            )
            .on_conflict_do_update(
                index_elements=["locality_id", "set_key"],
                set_={"version": table.c.version + 1},
            )
        )
        connection.execute(statement)


def touch_goals(session: Session | OrmSession, goals: Iterable[Goal]) -> None:
    """Mark the sets of ``goals`` stale (``touch``): every service that adds, changes, moves or
    deletes a goal, or reports progress on one, calls it in its transaction."""
    touch(session, {(g.locality_id, g.unit_id, g.team_id, g.year) for g in goals})


# --- readers ---------------------------------------------------------------------------------


def top_goals(session: Session, locality_id: int, year: int, sets: list[SetKey], as_of: date) -> dict[SetKey, tuple]:
    """Each of ``sets`` (of ``year``): its top goals as [weight, start, end, percent, done] lists
    (by id) as of ``as_of``, and the days between which its leaves' latest reports stay the same
    (``valid_from``: the latest report's start, ``valid_until``: the next report's start). Only
    these sets are rolled up (another set of the same unit is not), ``CHUNK`` sets a statement."""
    found: dict[SetKey, tuple] = {}
    for start in range(0, len(sets), CHUNK):
        chunk = sets[start : start + CHUNK]
        params = {
            "locality": locality_id,
            "year": year,
            "units": sorted({unit_id for unit_id, _team in chunk}),
            "teams": sorted({team_id for _unit, team_id in chunk if team_id is not None}),
            "own_units": sorted({unit_id for unit_id, team_id in chunk if team_id is None}),
            "as_of": as_of,
        }
        for row in session.connection().execute(TOP_GOALS_SQL, params):
            _id, unit_id, team_id, weight, start_date, end_date, percent, done, valid_from, valid_until = row
            tops, first, until = found.get((unit_id, team_id), ([], None, None))
            day, end = _day(start_date), _day(end_date)
            tops.append([weight, day.isoformat(), end.isoformat(), float(percent or 0.0), bool(done)])
            found[(unit_id, team_id)] = (
                tops,
                _either(max, first, _day(valid_from)),
                _either(min, until, _day(valid_until)),
            )
    return found


def _valid(row: Any, as_of: date) -> bool:
    return (
        row.computed_version == row.version
        and (row.valid_from is None or row.valid_from <= as_of)
        and (row.valid_until is None or as_of < row.valid_until)
    )


def county(ctx: AppContext, locality_id: int, year: int, as_of: date, sets: list[SetKey]) -> dict[SetKey, list]:
    """The top goals of each of ``sets`` (of ``year``) as [weight, start, end, percent, done]
    lists, from ``goals_rollups`` where still good for ``as_of``, else rolled up anew (and kept)."""
    columns = (GoalRollup.unit_id, GoalRollup.team_id, GoalRollup.version, GoalRollup.computed_version)
    columns += (GoalRollup.valid_from, GoalRollup.valid_until, GoalRollup.tops)
    # plain rows, not ORM objects, outside of a transaction on PostgreSQL: the view's hot path
    with ctx.db.read(autocommit=True) as session:
        kept = {
            (r.unit_id, r.team_id): r
            for r in session.exec(
                select(*columns).where(GoalRollup.locality_id == locality_id, GoalRollup.year == year)
            )
        }
    out: dict[SetKey, list] = {}
    stale: list[SetKey] = []
    for key in sets:
        row = kept.get(key)
        if row is not None and _valid(row, as_of):
            out[key] = row.tops
        else:
            stale.append(key)
    if stale:
        # the versions read before the goals: a write after this read changes the version, and
        # the compare and set fails (a row made now has version 0 unless a writer bumped it)
        versions = {key: kept[key].version if key in kept else 0 for key in stale}
        out.update(_refresh(ctx, locality_id, year, as_of, versions, [key for key in stale if key not in kept]))
    return out


def _refresh(
    ctx: AppContext, locality_id: int, year: int, as_of: date, versions: dict[SetKey, int], missing: list[SetKey]
) -> dict[SetKey, list]:
    """Roll the sets of ``versions`` up anew and keep them: a row made first for each of them
    ``missing`` one (one INSERT of many rows; after a write the set has its row, and no write
    transaction is spent on it), then every set's figures kept by one compare-and-set UPDATE of
    many rows, each if its row still has the version read before its goals (``versions``)."""
    table = GoalRollup.__table__
    if missing:
        _make_rows(ctx, locality_id, year, missing)
    stale = list(versions)
    with ctx.db.read() as session:
        _no_jit(session)
        figures = top_goals(session, locality_id, year, stale, as_of)
    keep = (
        update(table)
        .where(
            table.c.locality_id == bindparam("b_locality"),
            table.c.set_key == bindparam("b_key"),
            table.c.version == bindparam("b_version"),
        )
        .values(
            computed_version=bindparam("b_version"),
            tops=bindparam("b_tops", type_=table.c.tops.type),
            valid_from=bindparam("b_from", type_=table.c.valid_from.type),
            valid_until=bindparam("b_until", type_=table.c.valid_until.type),
        )
    )
    empty: tuple = ([], None, None)
    kept = [
        {
            "b_locality": locality_id,
            "b_key": set_key(key[0], key[1], year),
            "b_version": versions[key],
            "b_tops": figures.get(key, empty)[0],
            "b_from": figures.get(key, empty)[1],
            "b_until": figures.get(key, empty)[2],
        }
        for key in stale
    ]
    try:
        with ctx.db.write() as session:
            _no_wait(session)
            session.connection().execute(keep, kept)
    except Exception:  # noqa: BLE001 - keeping the roll-up is a saving, never a failure of the view
        log.exception("could not keep the goals' roll-ups of locality %s, %s", locality_id, year)
    return {key: figures.get(key, empty)[0] for key in stale}


def _make_rows(ctx: AppContext, locality_id: int, year: int, missing: list[SetKey]) -> None:
    """A row for each set, so that writers from now on bump it."""
    table = GoalRollup.__table__
    with ctx.db.write() as session:
        _no_wait(session)
        session.connection().execute(
            dialect_insert(session)(table).on_conflict_do_nothing(),
            [
                {
                    "locality_id": locality_id,
                    "unit_id": unit_id,
                    "team_id": team_id,
                    "year": year,
                    "set_key": set_key(unit_id, team_id, year),
                    "version": 0,
                    "tops": [],
                }
                for unit_id, team_id in missing
            ],
        )


def _no_jit(session: Session) -> None:
    """PostgreSQL: no JIT compiling in this transaction. The roll-up's recursive statements are
    estimated at a million rows (a CTE has no statistics), which passes ``jit_above_cost``; the
    compiling then costs more (~100 ms) than the statements run (20,000 goals)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text("SET LOCAL jit = off"))


def _no_wait(session: Session) -> None:
    """PostgreSQL: this transaction's COMMIT does not wait for its WAL to reach the disk. Only
    for the rows this module keeps for readers: a row lost in a crash is a set rolled up again
    (a missing row is made again and a kept figure is recomputed), never a wrong figure, and the
    county view, which keeps them, does not wait for the disk on a loaded server."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text("SET LOCAL synchronous_commit = off"))
