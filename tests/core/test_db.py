"""The pool's connections on PostgreSQL: a connection reused at once is not pinged (a request
checks out three: its sign-in, its plugin guard and its service; each ping was a round trip),
one idle for long is, and one the server dropped while idle is replaced before a service
uses it. On SQLite nothing is pinged (a file has no server to lose)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core import db as db_module
from core.db import Database


@pytest.fixture
def database(ctx):
    database = Database(ctx.db.url, pool_size=1)
    pings: list[int] = []
    ping = database.engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(1)
        return ping(dbapi_connection)

    database.engine.dialect.do_ping = counted  # the real ping, counted
    yield database, pings
    database.dispose()


def _backend_pid(database: Database) -> int | None:
    with database.read() as session:
        if database.is_sqlite:
            return session.execute(text("SELECT 1")).scalar_one() and None
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_reused_at_once_is_not_pinged(database):
    db, pings = database
    first = _backend_pid(db)
    for _ in range(5):
        assert _backend_pid(db) == first  # the same pooled connection
    with db.write() as session:
        session.execute(text("SELECT 1"))
    assert pings == []


def test_an_idle_connection_is_pinged_and_replaced_if_the_server_dropped_it(ctx, database, monkeypatch):
    db, pings = database
    first = _backend_pid(db)
    if db.is_sqlite:
        assert pings == []
        return
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)  # every checkin counts as a long idle
    assert _backend_pid(db) == first and len(pings) == 1  # pinged, alive: kept
    with ctx.db.engine.connect() as other:  # the server drops the idle connection (a restart)
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar_one()
    replaced = _backend_pid(db)  # no error: the dead one was found by its ping and replaced
    assert replaced is not None and replaced != first
    assert len(pings) == 2


def test_an_autocommit_read_opens_no_transaction_and_leaves_none_behind(database):
    """``read(autocommit=True)`` on PostgreSQL runs its statements outside of a transaction (no
    BEGIN/ROLLBACK round trips); the pooled connection then serves reads and writes in
    transactions again (a failed write leaves nothing). On SQLite it is an ordinary read."""
    db, _ = database
    with db.write() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS test_db_probe (n integer)"))

    def status(session) -> str | None:
        driver = session.connection().connection.driver_connection
        return None if db.is_sqlite else driver.info.transaction_status.name

    try:
        with db.read(autocommit=True) as session:
            assert session.execute(text("SELECT count(*) FROM test_db_probe")).scalar_one() == 0
            assert status(session) in (None, "IDLE")  # no transaction open after a statement
        with db.read() as session:
            session.execute(text("SELECT 1"))
            assert status(session) in (None, "INTRANS")
        with pytest.raises(RuntimeError), db.write() as session:
            session.execute(text("INSERT INTO test_db_probe (n) VALUES (1)"))
            raise RuntimeError("half-way")
        with db.read(autocommit=True) as session:
            assert session.execute(text("SELECT count(*) FROM test_db_probe")).scalar_one() == 0
    finally:
        with db.write() as session:
            session.execute(text("DROP TABLE test_db_probe"))
