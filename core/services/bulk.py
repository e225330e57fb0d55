"""Inserting many rows at once (accounts, activation codes) in a session's transaction, without
the ORM: PostgreSQL by ``COPY``, SQLite by the driver's own ``executemany`` in chunks.

SQLAlchemy's per-row work (model objects, flushes, parameter processing) cost more than the
inserts themselves: 100,000 ballot accounts took 30-40 s through the ORM, about a second this way.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session

CHUNK = 5000  # rows per executemany on SQLite


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, the table's column names) in the session's
    transaction. Values that need the dialect's processing (datetimes, booleans) are processed
    once per distinct value. Constraint violations raise as any insert does (IntegrityError)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    quote = dialect.identifier_preparer.quote
    if dialect.name == "postgresql":  # COPY: one stream instead of a statement per row
        driver = connection.connection.driver_connection
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[n] for n in names])
        return
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    processed = [(i, p) for i, p in enumerate(processors) if p is not None]
    done: dict[tuple[int, Any], Any] = {}
    values = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))

    def parameters(row: dict[str, Any]) -> tuple:
        if not processed:
            return values(row)
        out = list(values(row))
        for index, processor in processed:
            raw = out[index]
            if raw is not None:
                key = (index, raw)
                if key not in done:
                    done[key] = processor(raw)
                out[index] = done[key]
        return tuple(out)

    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(mark for _ in names)})"
    )
    for chunk in chunks(rows):
        connection.exec_driver_sql(sql, [parameters(row) for row in chunk])


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new ids for rows of ``table`` (integer primary key ``id``) that will be inserted
    with them in this transaction. PostgreSQL: drawn from the column's sequence (as defaults
    are). SQLite: the next ``count`` after the largest, which is safe because the caller's write
    transaction (``BEGIN IMMEDIATE``) holds the database's only write lock until it commits."""
    if count <= 0:
        return []
    connection = session.connection()
    name = table.name
    if connection.dialect.name == "postgresql":
        return list(
            connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) FROM generate_series(1, %(count)s)",
                {"table": name, "count": count},
            ).scalars()
        )
    last = connection.exec_driver_sql(
        f"SELECT coalesce(max(id), 0) FROM {connection.dialect.identifier_preparer.quote(name)}"
    ).scalar()
    return list(range(last + 1, last + 1 + count))
