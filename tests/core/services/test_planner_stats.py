"""After an import the planner has statistics of the written tables (SQLite: rows in
sqlite_stat1; PostgreSQL: the tables analysed, pg_class.reltuples the imported count), so the
lists keep their index plans at 100,000 people. Both databases (the ``ctx`` fixture)."""

from __future__ import annotations

from sqlalchemy import text

from core.services import planner_stats
from tests.core.services.test_imports import PEOPLE_CSV, UNITS_CSV, make_locality, run


def _forget_statistics(ctx) -> None:
    with ctx.db.engine.begin() as connection:
        if ctx.db.is_sqlite:
            if connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
                connection.execute(text("DELETE FROM sqlite_stat1"))
        else:
            # as a fresh table: never analysed (reltuples -1), whatever earlier tests left
            connection.execute(text("SELECT pg_stat_reset()"))


def _statistics(ctx, table: str) -> int | None:
    """SQLite: the rows counted in sqlite_stat1 for ``table``'s indexes (None: none there);
    PostgreSQL: pg_class.reltuples when ANALYZE has run on it since the reset, else None."""
    with ctx.db.engine.connect() as connection:
        if ctx.db.is_sqlite:
            if not connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
                return None
            stats = connection.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t"), {"t": table}).all()
            return max(int(stat.split()[0]) for (stat,) in stats) if stats else None
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        analysed, tuples = connection.execute(
            text(
                "SELECT s.analyze_count + s.autoanalyze_count, c.reltuples FROM pg_stat_user_tables AS s "
                "JOIN pg_class AS c ON c.oid = s.relid WHERE s.relname = :t AND s.schemaname = current_schema()"
            ),
            {"t": table},
        ).one()
        return int(tuples) if analysed else None


def test_an_import_leaves_statistics_of_what_it_wrote(ctx):
    make_locality(ctx)
    _forget_statistics(ctx)
    assert _statistics(ctx, "people") is None
    run(ctx, "units", "units.csv", UNITS_CSV)
    assert _statistics(ctx, "units") == 24  # the sample county's units
    result = run(ctx, "people", "people.csv", PEOPLE_CSV)
    assert result.created == 287
    assert _statistics(ctx, "people") == 287
    assert _statistics(ctx, "person_name_grams") is not None


def test_refresh_is_best_effort_and_refuses_odd_names(ctx):
    assert planner_stats.refresh(ctx.db, ["people; DROP TABLE units"]) == 0.0  # nothing run
    assert planner_stats.refresh(ctx.db, ["no_such_table"]) is None  # logged, not raised
    assert planner_stats.refresh_all(ctx.db) is not None


def test_issuing_a_localitys_accounts_refreshes_their_statistics(ctx, monkeypatch):
    from core.services import people_accounts
    from tests.core.people_setup import SYSTEM, make_org

    org = make_org(ctx)
    _forget_statistics(ctx)
    monkeypatch.setattr(planner_stats, "LARGE_WRITE", 10)
    people_accounts.issue(ctx, SYSTEM, org.code, unit_id=org.child)  # 2 accounts: under the bound
    assert _statistics(ctx, "users") is None
    monkeypatch.setattr(planner_stats, "LARGE_WRITE", 4)
    issued = people_accounts.issue(ctx, SYSTEM, org.code)  # 2 more and 4 codes: over it
    assert (issued.created, issued.codes) == (2, 4)
    assert _statistics(ctx, "users") >= 4 and _statistics(ctx, "activation_codes") == 4
