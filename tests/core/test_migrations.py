"""Alembic migrations: a fresh database gets the whole schema, and the app refuses an old one."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import core.models  # noqa: F401 - registers every table
from core.context import AppContext
from core.db import SQLITE_BUSY_TIMEOUT_MS, Database
from core.migrate import DatabaseNotReady, alembic_config, check_current, current_revision, head_revision, upgrade
from core.security import Keyring
from tests.conftest import TEST_SECRET_KEY, _backends, make_settings


@pytest.fixture(params=_backends())
def fresh_url(request, database_url_factory) -> str:
    """A new, empty database of each backend."""
    return database_url_factory(request.param)


@pytest.fixture
def fresh_db(fresh_url):
    db = Database(fresh_url)
    yield db
    db.dispose()


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_upgrade_creates_every_table_and_records_the_head(fresh_url, fresh_db):
    assert _tables(fresh_db) == set()
    upgrade(fresh_url)
    fresh_db.engine.dispose()  # see the new schema, not a cached one
    tables = _tables(fresh_db)
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert current_revision(fresh_db.engine) == head_revision(fresh_url)
    check_current(fresh_db.engine, fresh_db.url)  # does not raise


def test_upgrade_twice_is_harmless(fresh_url, fresh_db):
    upgrade(fresh_url)
    upgrade(fresh_url)
    assert current_revision(fresh_db.engine) == head_revision(fresh_url)


def test_migrated_schema_equals_the_models(fresh_url, fresh_db):
    upgrade(fresh_url)
    with fresh_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_an_empty_database_is_not_ready(fresh_db):
    with pytest.raises(DatabaseNotReady) as raised:
        check_current(fresh_db.engine, fresh_db.url)
    assert "kaoping db upgrade" in str(raised.value)


def test_a_database_at_an_older_revision_is_not_ready(fresh_url, fresh_db):
    upgrade(fresh_url)
    command.stamp(alembic_config(fresh_url), "base")  # as if no migration had been applied
    with pytest.raises(DatabaseNotReady) as raised:
        check_current(fresh_db.engine, fresh_db.url)
    assert "kaoping db upgrade" in str(raised.value)


def test_a_database_at_an_earlier_migration_is_not_ready(fresh_url, fresh_db):
    script = ScriptDirectory.from_config(alembic_config(fresh_url))
    first = script.get_base()
    if first == script.get_current_head():
        pytest.skip("there is only one migration so far")
    upgrade(fresh_url, first)
    with pytest.raises(DatabaseNotReady) as raised:
        check_current(fresh_db.engine, fresh_db.url)
    message = str(raised.value)
    assert first in message
    assert "kaoping db upgrade" in message
    upgrade(fresh_url)
    check_current(fresh_db.engine, fresh_db.url)


def test_a_database_from_a_newer_version_is_not_ready_and_says_so(fresh_url, fresh_db):
    upgrade(fresh_url)
    with fresh_db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe9999'"))
    with pytest.raises(DatabaseNotReady) as raised:
        check_current(fresh_db.engine, fresh_db.url)
    message = str(raised.value)
    assert "f00dcafe9999" in message
    assert "newer version" in message
    assert "kaoping db upgrade" not in message  # upgrading cannot help: this code does not know that migration
    with pytest.raises(DatabaseNotReady, match="newer version"):
        upgrade(fresh_url)


def test_the_app_refuses_to_start_on_an_unmigrated_database(fresh_url, fresh_db, tmp_path):
    from core.web.app import create_app

    ctx = AppContext(settings=make_settings(fresh_url, tmp_path), db=fresh_db, keys=Keyring(TEST_SECRET_KEY))
    with pytest.raises(DatabaseNotReady) as raised:
        create_app(ctx)
    assert "kaoping db upgrade" in str(raised.value)
    upgrade(fresh_url)
    assert create_app(ctx) is not None


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(database_url_factory):
    db = Database(database_url_factory("sqlite"))
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert busy == SQLITE_BUSY_TIMEOUT_MS
        assert busy >= 5000
        # Every connection of the pool gets them, not just the first.
        with db.engine.connect() as first, db.engine.connect() as second:
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        db.dispose()


def test_sqlite_enforces_foreign_keys_after_migration(database_url_factory):
    url = database_url_factory("sqlite")
    upgrade(url)
    db = Database(url)
    try:
        with pytest.raises(IntegrityError, match="(?i)foreign key"), db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (username, password_hash, role, locality_id, is_active, created_at) "
                "VALUES ('x', 'h', 'office', 12345, 1, '2024-01-01 00:00:00')"
            ))
    finally:
        db.dispose()
