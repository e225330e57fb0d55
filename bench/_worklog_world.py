"""A synthetic locality for the worklog benchmarks: 100,000 people with one year of weekly
records and monthly summaries (about 6 million entries), the same on every run.

    .venv/bin/python -m bench._worklog_world [--people 100000] [--backend sqlite|postgresql]

(run alone it builds the locality in a scratch database, prints the time and drops it.)

The locality ``county-w`` has the worklog enabled (reminders on) and units of ``UNIT_SIZE``
(40) people. Person 0 of each unit is its head: an account of role ``leader`` whose unit is the
unit. Every ``GROUP`` (10) units share a leadership team, kept by the group's first unit: its
people 1 to 5 are members (accounts of role ``leader``), each in charge of (分管) two units of
the group. Every other person has an account of role ``cadre``. Accounts are activated but have
no usable password (the benchmarks sign in with API tokens).

Entries: for each person, a weekly record for each of the ``WEEKS`` (52) weeks up to
``LAST_WEEK`` and a monthly summary for each of the ``MONTHS`` (12) months up to
``LAST_MONTH``, submitted on the period's last day; one in 20 is missing (a hash of person and
period), and one in 10 of the last week (whom the reminder pass then reminds). Each entry counts
one version but its version row is not written (no page measured here reads it).

Rows are written in bulk: COPY on PostgreSQL, SQLAlchemy Core executemany on SQLite; then
ANALYZE, as autovacuum would have done by the time anyone looks.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, insert, select

CODE = "county-w"
UNIT_SIZE = 40
GROUP = 10
TEAM_MEMBERS = 5
WEEKS = 52
MONTHS = 12
LAST_WEEK = "2026-W48"
LAST_MONTH = "2026-11"
BATCH = 20_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
TASKS = ("完成季度报表", "参加专题学习", "走访企业三家", "整理档案资料", "起草工作方案", "落实安全检查")


@dataclass
class World:
    """What the benchmarks need of the locality (ids in the database)."""

    locality_id: int
    unit_ids: list[int]
    heads: dict[int, int] = field(default_factory=dict)  # unit id -> the head's user id
    cadres: list[tuple[int, int]] = field(default_factory=list)  # (user id, person id) of people not leading
    people: int = 0
    entries: int = 0


def periods(kind: str, last: str, count: int) -> list:
    """``count`` periods of ``kind`` ending with ``last``, oldest first."""
    from core.periods import Period

    found = [Period.parse(last)]
    while len(found) < count:
        found.append(Period.from_date(kind, found[-1].start - timedelta(days=1)))
    return found[::-1]


def missing(person_index: int, period_index: int, last: bool) -> bool:
    """Whether a person left an entry unwritten (deterministic)."""
    mixed = (person_index * 2654435761 + period_index * 40503) % 1000
    return mixed < (100 if last else 50)


def _name(index: int) -> str:
    return (
        SURNAMES[index % len(SURNAMES)]
        + GIVEN[(index // 20) % len(GIVEN)]
        + ("" if index % 3 else GIVEN[(index // 500) % len(GIVEN)])
    )


def _body(person_index: int, period_index: int) -> str:
    a, b = TASKS[(person_index + period_index) % 6], TASKS[(person_index * 7 + period_index) % 6]
    return f"1. {a}；2. {b}；3. 按时完成领导交办的其他事项。"


def _sqlite_value(value, cache: dict):
    """A value as the SQLite driver stores it for SQLAlchemy's types (dates and times as text)."""
    if isinstance(value, date | datetime):
        if value not in cache:
            from sqlalchemy import Date, DateTime
            from sqlalchemy.dialects import sqlite

            dialect = sqlite.dialect()
            kind = DateTime(timezone=True) if isinstance(value, datetime) else Date()
            cache[value] = kind.dialect_impl(dialect).bind_processor(dialect)(value)
        return cache[value]
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def _copy_text(value) -> str:
    """A value in COPY's text format (the generator's text holds no tab, newline or backslash)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _cached(texts: dict, value) -> str:
    key = (type(value), value)  # True and 1 are equal keys otherwise
    found = texts.get(key)
    if found is None:
        found = texts[key] = _copy_text(value)
    return found


def bulk(connection: Connection, table, columns: list[str], rows: Iterable[tuple]) -> int:
    """Write ``rows`` (tuples in ``columns`` order) into ``table`` in ``connection``'s
    transaction: COPY (text lines, ``BATCH`` a write) on PostgreSQL, the driver's executemany by
    batches of ``BATCH`` on SQLite. Returns the number of rows."""
    count, batch = 0, []
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        texts: dict = {}
        # the rows are consistent by construction: skip the per-row foreign-key triggers (superuser)
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        with driver.cursor().copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                batch.append("\t".join([v if type(v) is str else _cached(texts, v) for v in row]))
                if len(batch) == BATCH:
                    copy.write(("\n".join(batch) + "\n").encode())
                    count += len(batch)
                    batch = []
            if batch:
                copy.write(("\n".join(batch) + "\n").encode())
                count += len(batch)
        return count
    cache: dict = {}
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = driver.cursor()
    for row in rows:
        batch.append(tuple(_sqlite_value(v, cache) for v in row))
        if len(batch) == BATCH:
            cursor.executemany(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(statement, batch)
        count += len(batch)
    return count


def _ids(connection: Connection, column, *where) -> list[int]:
    return list(connection.execute(select(column).where(*where).order_by(column)).scalars())


def build(ctx, people: int = 100_000, *, log=print) -> World:
    """Create the locality of the module docstring in ``ctx``'s (empty, migrated) database."""
    from core.context import Actor
    from core.models import Locality, LocalityPlugin, Person, Team, TeamMember, Unit, User
    from core.schemas.localities import LocalityIn
    from core.services import localities
    from plugins.worklog.models import WorkEntry

    started = time.perf_counter()
    localities.create(ctx, Actor.system("bench"), LocalityIn(code=CODE, name="记实县"))
    now = datetime(2026, 11, 28, 4, tzinfo=UTC)
    units = (people + UNIT_SIZE - 1) // UNIT_SIZE
    with ctx.db.engine.begin() as connection:
        locality_id = connection.execute(select(Locality.id).where(Locality.code == CODE)).scalar_one()
        connection.execute(
            insert(LocalityPlugin),
            [{"locality_id": locality_id, "plugin": "worklog", "enabled": True, "options": {}, "updated_at": now}],
        )
        bulk(
            connection,
            Unit.__table__,
            [
                "locality_id",
                "code",
                "name",
                "type",
                "duties",
                "contact_name",
                "contact_phone",
                "created_at",
                "updated_at",
            ],
            ((locality_id, f"W{i:05d}", f"记实单位{i:05d}", "县直部门", "", "", "", now, now) for i in range(units)),
        )
        unit_ids = _ids(connection, Unit.id, Unit.locality_id == locality_id)
        bulk(
            connection,
            Person.__table__,
            ["locality_id", "unit_id", "name", "gender", "birth_date", "ethnicity", "education", "degree", "school"]
            + ["native_place", "party", "post", "rank", "post_since", "post_history", "created_at", "updated_at"],
            (
                (locality_id, unit_ids[i // UNIT_SIZE], _name(i), "男" if i % 2 else "女", "1980-01", "汉族")
                + ("大学本科", "学士", "", "", "中共党员", "科员", "一级科员", "2020-01", "[]", now, now)
                for i in range(people)
            ),
        )
        person_ids = _ids(connection, Person.id, Person.locality_id == locality_id)
    world = World(locality_id=locality_id, unit_ids=unit_ids, people=people)

    def role(index: int) -> str:
        in_unit, unit_index = index % UNIT_SIZE, index // UNIT_SIZE
        return "leader" if in_unit == 0 or (unit_index % GROUP == 0 and in_unit <= TEAM_MEMBERS) else "cadre"

    with ctx.db.engine.begin() as connection:
        bulk(
            connection,
            User.__table__,
            ["username", "password_hash", "role", "locality_id", "unit_id", "is_active", "reads_child_localities"]
            + ["person_id", "activated_at", "created_at"],
            (
                (f"w{i:06d}", "!", role(i), locality_id, unit_ids[i // UNIT_SIZE] if i % UNIT_SIZE == 0 else None)
                + (True, False, person_ids[i], now, now)
                for i in range(people)
            ),
        )
        user_of = dict(connection.execute(select(User.person_id, User.id).where(User.locality_id == locality_id)).all())
        for index, person_id in enumerate(person_ids):
            if index % UNIT_SIZE == 0:
                world.heads[unit_ids[index // UNIT_SIZE]] = user_of[person_id]
            elif role(index) == "cadre":
                world.cadres.append((user_of[person_id], person_id))
        groups = list(range(0, units, GROUP))
        bulk(
            connection,
            Team.__table__,
            ["locality_id", "unit_id", "name", "type", "created_at"],
            ((locality_id, unit_ids[g], f"领导班子{g // GROUP}", "other", now) for g in groups),
        )
        team_ids = _ids(connection, Team.id, Team.locality_id == locality_id)
        members = []
        for team_id, g in zip(team_ids, groups, strict=True):
            for m in range(1, TEAM_MEMBERS + 1):
                charge = [unit_ids[u] for u in (g + 2 * (m - 1), g + 2 * m - 1) if u < units]
                members.append(
                    {
                        "locality_id": locality_id,
                        "team_id": team_id,
                        "person_id": person_ids[g * UNIT_SIZE + m],
                        "post": "分管领导",
                        "in_charge_of": "",
                        "admin_post": "",
                        "phone": "",
                        "supervised_unit_ids": charge,
                    }
                )
        connection.execute(insert(TeamMember), members)
    log(f"{people:,} people, {units:,} units, {len(team_ids):,} teams in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    weeks, months = periods("week", LAST_WEEK, WEEKS), periods("month", LAST_MONTH, MONTHS)
    slots = [("weekly_record", p, n, n == len(weeks) - 1) for n, p in enumerate(weeks)]
    slots += [("monthly_summary", p, WEEKS + n, False) for n, p in enumerate(months)]

    def entries() -> Iterator[tuple]:
        for kind, period, n, last in slots:
            text, start = str(period), period.start
            at = datetime.combine(period.end, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
            for index, person_id in enumerate(person_ids):
                if not missing(index, n, last):
                    yield (locality_id, person_id, kind, text, start, "submitted", _body(index, n), 1, at, at, at)

    columns = ["locality_id", "person_id", "kind", "period", "period_start", "status", "body", "versions"]
    with ctx.db.engine.begin() as connection:
        world.entries = bulk(
            connection, WorkEntry.__table__, columns + ["created_at", "updated_at", "submitted_at"], entries()
        )
    log(f"{world.entries:,} entries in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    if ctx.db.is_sqlite:
        with ctx.db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    log(f"ANALYZE in {time.perf_counter() - started:.1f} s")
    return world


def main(argv: list[str] | None = None) -> int:
    from bench._db import scratch_database
    from core.context import AppContext
    from core.db import Database
    from core.migrate import upgrade
    from core.security import Keyring
    from core.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="kaoping-bench-"))
    url, drop = scratch_database(args.backend, folder)
    secret = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    try:
        upgrade(url)
        ctx = AppContext(
            settings=Settings(database_url=url, secret_key=secret, var_dir=folder, scheduler=False),
            db=Database(url),
            keys=Keyring(secret),
        )
        build(ctx, args.people, log=lambda line: print(f"[{args.backend}] {line}", flush=True))
        ctx.db.dispose()
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
