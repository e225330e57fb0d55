"""Engines and transactions.

Services open their own transactions through ``Database.read()`` and ``Database.write()``.
On SQLite a write transaction starts with ``BEGIN IMMEDIATE`` so that a transaction which
reads before it writes cannot fail half-way with "database is locked", and every commit is
synced (``synchronous=FULL``); on PostgreSQL both are ordinary transactions.

On PostgreSQL a pooled connection is pinged before use only when it sat idle in the pool for
more than ``PING_AFTER_IDLE_S`` (``_ping_idle_connections``): a connection the server dropped
(a restart, an idle timeout) is replaced before a request uses it, while a busy server does not
pay a round trip for each checkout (a request checks out a connection for its sign-in, its
plugin guard and its service: three pings of the ``pool_pre_ping`` this replaced).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import event, exc, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 15000
PING_AFTER_IDLE_S = 10.0  # a pooled PostgreSQL connection idle longer is pinged before use


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` (and ``postgres://``) URLs; the driver is psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=pool_size,
            max_overflow=20,
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=20)
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection at checkout only if it was idle more than ``PING_AFTER_IDLE_S``
    (a new one is not); one that fails is discarded and the pool hands out another (SQLAlchemy
    retries a checkout whose listener raises ``DisconnectionError``). A connection that breaks
    while in use is still detected by SQLAlchemy, which then discards the whole pool."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):  # pragma: no cover - pool callback
        record.info["kaoping_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):  # pragma: no cover - pool callback
        since = record.info.pop("kaoping_idle_since", None)
        if since is not None and time.monotonic() - since > PING_AFTER_IDLE_S:
            try:
                alive = engine.dialect.do_ping(dbapi_connection)
            except engine.dialect.loaded_dbapi.Error as error:
                raise exc.DisconnectionError(f"pooled connection lost while idle: {error}") from error
            if not alive:
                raise exc.DisconnectionError("pooled connection lost while idle")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - driver callback
        # Take transaction control away from pysqlite so BEGIN is ours (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Every COMMIT is on disk before it returns (the WAL is fsynced), so a power cut cannot take
        # an acknowledged ballot, nor an audit entry the checkpoint file already records. NORMAL
        # syncs only at WAL checkpoints; FULL costs one fsync per commit, little here because
        # ballots that arrive together share one commit (README, "Durability").
        cursor.execute("PRAGMA synchronous=FULL")
        # Deleted rows are overwritten with zeros, not left in free pages: the sealed ballots and
        # drafts a closed campaign's ballot box deletes must not stay in the file (README,
        # "Ballot secrecy").
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # pragma: no cover - driver callback
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The engines of one database, and the two kinds of transaction services use."""

    def __init__(self, url: str, *, pool_size: int = 10):
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, pool_size=pool_size)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._autocommit_engine = (
            self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        # SQLite has one writer at a time. Threads of this process queue here, in order, instead
        # of in SQLite's busy handler, which sleeps up to 100 ms between tries.
        self._sqlite_writer = threading.RLock() if self.is_sqlite else nullcontext()
        # The audit chain's keys and checkpoint (core.audit_chain.AuditChain), set by AppContext;
        # sessions carry it so the audit log can be written, and moves its checkpoint after COMMIT.
        self.audit = None

    def _info(self) -> dict:
        return {"kaoping_audit": self.audit} if self.audit is not None else {}

    @contextmanager
    def read(self, *, autocommit: bool = False) -> Iterator[Session]:
        """A session to read in. ``autocommit``: on PostgreSQL its statements run outside of a
        transaction, without the BEGIN and ROLLBACK that otherwise cost two round trips, for a
        short read on a hot path (a plugin route's guard, a board). Under READ COMMITTED each
        statement sees its own snapshot either way; not for a read that streams its rows
        (``yield_per``: a server-side cursor needs a transaction) nor one that writes."""
        engine = self._autocommit_engine if autocommit else self.engine
        with Session(engine, expire_on_commit=False, info=self._info()) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self._sqlite_writer, Session(self._write_engine, expire_on_commit=False, info=self._info()) as session:
            with session.begin():
                yield session
            head = session.info.pop("kaoping_audit_head", None)
        if head is not None and self.audit is not None:
            self.audit.committed(head)  # only after the COMMIT: the checkpoint is never ahead

    @contextmanager
    def sqlite_writer(self, *, wait: bool = True) -> Iterator[sqlite3.Connection | None]:
        """The driver connection of an SQLite writer, holding this process's writer lock, for hot
        paths that issue raw statements (ballot submission); the caller runs BEGIN IMMEDIATE.

        With ``wait=False`` (code on an event loop) nothing waits: the block gets None when
        another thread of this process is writing, and SQLite's busy handler is off, so a lock
        held by another process fails at once with "database is locked"."""
        if not self._sqlite_writer.acquire(blocking=wait):
            yield None
            return
        try:
            fairy = self.engine.raw_connection()
            try:
                connection = fairy.driver_connection
                if not wait:
                    connection.execute("PRAGMA busy_timeout = 0")
                try:
                    yield connection
                finally:
                    if not wait:
                        connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            finally:
                fairy.close()
        finally:
            self._sqlite_writer.release()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False

    def dispose(self) -> None:
        self.engine.dispose()
