"""Planner statistics refreshed after a large write (an import of units, people or teams, a
bench or demo load), so the query planners keep choosing the index plans the lists rely on.

PostgreSQL's autovacuum analyses a table only after a share of it changed and some time has
passed; SQLite never analyses by itself. A locality imported in one go (100,000 people) is
otherwise read with the statistics of an empty table (PostgreSQL) or none at all (SQLite),
which can turn a keyset page into a scan. Here:

- PostgreSQL: ``ANALYZE`` of the written tables (a sample of 30,000 rows a table: well under a
  second at 100,000 people);
- SQLite: ``ANALYZE`` of the written tables, whole (0.3 s for 100,000 people on a loaded
  machine), then ``PRAGMA optimize``. Not a sample (``PRAGMA analysis_limit``): a sample reads
  the first rows of each index, all of one locality and one value, and judged the
  (locality_id, post) index to hold 1,001 people a post where it holds 165; a post held by 63
  people then took 73 ms (a walk of every person in id order) instead of 0.1 ms.

It runs after the import's transaction committed, outside of it, and is best effort: the rows
are written already, so a failure (a lock held too long) is logged, never raised."""

from __future__ import annotations

import logging
import re
import time

from core.db import Database

logger = logging.getLogger(__name__)

# rows of each index SQLite reads for its statistics (PRAGMA analysis_limit): 0, all of them
SQLITE_ANALYSIS_LIMIT = 0

# rows written at once past which a service refreshes the statistics of what it wrote (an import
# always does): the planner's idea of a table that grew from nothing to thousands of rows matters
LARGE_WRITE = 1000

# the tables an import of each kind writes (``core.services.imports.KINDS``)
IMPORT_TABLES = {
    "units": ("units",),
    "people": ("people", "person_name_grams", "people_account_counts"),
    "teams": ("teams", "team_members", "people"),
}

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _sqlite(db: Database, statements: list[str]) -> None:
    """SQLite writes its statistics into sqlite_stat1: one write transaction (this process's
    writer lock, BEGIN IMMEDIATE), committed. ``analysis_limit`` is set on the pooled connection
    (0 is SQLite's own default)."""
    with db.write() as session:
        connection = session.connection()
        connection.exec_driver_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        for statement in statements:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql("PRAGMA optimize")


def _postgres(db: Database, statement: str) -> None:
    with db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        connection.exec_driver_sql(statement)


def refresh(db: Database, tables: tuple[str, ...] | list[str]) -> float | None:
    """Refresh the statistics of ``tables`` (plain lower-case table names); the seconds it
    took, or None when it failed (logged)."""
    names = [t for t in dict.fromkeys(tables) if _NAME.match(t)]
    if not names:
        return 0.0
    started = time.perf_counter()
    try:
        if db.is_sqlite:
            _sqlite(db, [f'ANALYZE "{name}"' for name in names])
        else:
            _postgres(db, "ANALYZE " + ", ".join(f'"{name}"' for name in names))
    except Exception:  # noqa: BLE001 - the data is written; stale statistics only slow reads down
        logger.warning("could not refresh the planner statistics of %s; run ANALYZE", ", ".join(names), exc_info=True)
        return None
    return time.perf_counter() - started


def refresh_all(db: Database) -> float | None:
    """Every table's statistics (after a bulk load of a whole database: a restore, a bench world)."""
    started = time.perf_counter()
    try:
        if db.is_sqlite:
            _sqlite(db, ["ANALYZE"])
        else:
            _postgres(db, "ANALYZE")
    except Exception:  # noqa: BLE001 - as in refresh
        logger.warning("could not refresh the planner statistics; run ANALYZE", exc_info=True)
        return None
    return time.perf_counter() - started
