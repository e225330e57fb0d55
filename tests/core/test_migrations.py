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
from core.migrate import (
    DatabaseNotReady,
    alembic_config,
    check_current,
    current_revision,
    current_revisions,
    head_revision,
    upgrade,
)
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


def _core_head(url: str) -> str:
    script = ScriptDirectory.from_config(alembic_config(url))
    return next(
        head
        for head in script.get_heads()
        if not script.get_revision(head).branch_labels
        and not any(r.branch_labels for r in script.iterate_revisions(head, "base"))
    )


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
    assert "worklog_entries" in SQLModel.metadata.tables  # plugins' tables too (loaded with their branches)
    with fresh_db.engine.connect() as connection:
        dialect = connection.dialect.name

        def declared_here(obj, _name, kind, _reflected, _compare_to) -> bool:
            """An index a model declares for one database only (``Index(...).ddl_if(dialect=...)``)
            is compared on that database only."""
            only = getattr(obj, "_ddl_if", None) if kind == "index" else None
            return only is None or only.dialect in (None, dialect)

        opts = {"compare_type": True, "include_object": declared_here}
        differences = compare_metadata(MigrationContext.configure(connection, opts=opts), SQLModel.metadata)
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
    first = "0001"  # the core's first revision (each plugin branch has a base of its own)
    if first in script.get_heads():
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
        connection.execute(
            text("UPDATE alembic_version SET version_num = 'f00dcafe9999' WHERE version_num = :core"),
            {"core": _core_head(fresh_url)},
        )
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
            connection.execute(
                text(
                    "INSERT INTO users (username, password_hash, role, locality_id, is_active, created_at) "
                    "VALUES ('x', 'h', 'office', 12345, 1, '2024-01-01 00:00:00')"
                )
            )
    finally:
        db.dispose()


def test_upgrading_makes_free_text_periods_canonical(fresh_url, fresh_db, caplog):
    """Migration 0007: periods typed as free text before become canonical; text that is no
    period stays and is named in the log; values that now share a key keep the latest one."""
    upgrade(fresh_url, "0006")
    now = "2026-11-01 00:00:00"
    with fresh_db.engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO localities (id, code, name, plugin_config_version, created_at) "
                "VALUES (1, 'c', '县', 0, :now)"
            ),
            {"now": now},
        )
        run(
            text(
                "INSERT INTO subjects (id, locality_id, name, kind, category, created_at) "
                "VALUES (1, 1, '单位', 'unit', '部门', :now)"
            ),
            {"now": now},
        )
        run(
            text(
                "INSERT INTO indicator_templates (id, locality_id, name, version, status, grade_scale, created_at) "
                "VALUES (1, 1, '表', 1, 'draft', '[]', :now)"
            ),
            {"now": now},
        )
        for values in [
            (1, "2026年第四季度", "N", 1.0, "2026-11-01 00:00:00"),
            (2, "2026/11", "N", 2.0, "2026-11-01 00:00:00"),
            (3, "2026年3月", "N", 3.0, "2026-04-02 00:00:00"),  # the same key as 4 …
            (4, "2026-03", "N", 4.0, "2026-04-01 00:00:00"),  # … written earlier: dropped
            (5, "2026.05", "N", 5.0, "2026-05-01 00:00:00"),
            (6, "2026年5月份", "N", 6.0, "2026-05-02 00:00:00"),  # the same key as 5, later: kept
            (7, "上个月", "N", 7.0, "2026-05-01 00:00:00"),  # no period: left as it was
            (8, "2026", "N", 8.0, "2026-05-01 00:00:00"),
            (9, "２０２６年", "B", 9.0, "2026-05-01 00:00:00"),
        ]:
            run(
                text(
                    "INSERT INTO indicator_values (id, locality_id, subject_id, template_id, indicator_code, period, "
                    "value, source, updated_at) VALUES (:id, 1, 1, 1, :code, :period, :value, '', :at)"
                ),
                dict(zip(("id", "period", "code", "value", "at"), values)),
            )
        for campaign_id, period in [(1, "2026年度"), (2, ""), (3, "2026年下半年"), (4, "明年"), (5, "  ")]:
            run(
                text(
                    "INSERT INTO campaigns (id, locality_id, name, kind, status, period, scoring, distribution, "
                    "tally, created_at) VALUES (:id, 1, '测评', 'annual', 'draft', :period, '{}', '[]', '{}', :now)"
                ),
                {"id": campaign_id, "period": period, "now": now},
            )
    caplog.set_level("WARNING", logger="kaoping.migrations")
    upgrade(fresh_url)
    with fresh_db.engine.connect() as connection:
        values = dict(connection.execute(text("SELECT id, period FROM indicator_values ORDER BY id")).all())
        numbers = dict(connection.execute(text("SELECT id, value FROM indicator_values")).all())
        campaigns = dict(connection.execute(text("SELECT id, period FROM campaigns ORDER BY id")).all())
        kinds = connection.execute(text("SELECT period_kind FROM indicator_templates")).scalars().all()
    assert values == {1: "2026-Q4", 2: "2026-11", 3: "2026-03", 6: "2026-05", 7: "上个月", 8: "2026", 9: "2026"}
    assert numbers[3] == 3.0 and numbers[6] == 6.0
    assert campaigns == {1: "2026", 2: "", 3: "2026-H2", 4: "明年", 5: ""}
    assert kinds == [None]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "kaoping.migrations")
    assert "indicator_values: 1 row(s) keep a period that is no period" in logged and "id 7: '上个月'" in logged
    assert "campaigns: 1 row(s)" in logged and "id 4: '明年'" in logged
    assert "2 value(s) deleted" in logged and "id 4 ('2026-03' = 2026-03, value 4.0; kept id 3" in logged
    assert "id 5 ('2026.05' = 2026-05, value 5.0; kept id 6" in logged
    upgrade(fresh_url)  # again: nothing left to do
    check_current(fresh_db.engine, fresh_db.url)


# --- feature plugins' branches (PluginInfo.migrations_dir) -------------------------------------


def test_upgrade_applies_every_plugin_branch(fresh_url, fresh_db):
    """The worklog plugin keeps its migrations in a branch of its own, inside its package;
    ``kaoping db upgrade`` applies it with the core's, so the database has one head per branch."""
    from core.plugins import migration_dirs

    assert any(path.parts[-4:] == ("plugins", "worklog", "migrations", "versions") for path in migration_dirs())
    script = ScriptDirectory.from_config(alembic_config(fresh_url))
    worklog = script.get_revision("worklog@head")
    assert "worklog" in worklog.branch_labels
    upgrade(fresh_url)
    fresh_db.engine.dispose()
    assert {"worklog_entries", "worklog_entry_versions", "worklog_entry_views"} <= _tables(fresh_db)
    assert set(current_revisions(fresh_db.engine)) == set(script.get_heads())
    assert {_core_head(fresh_url), worklog.revision} <= set(script.get_heads())  # other plugins' branches too
    check_current(fresh_db.engine, fresh_db.url)


def test_a_database_without_a_plugin_branch_is_not_ready_and_names_it(fresh_url, fresh_db):
    upgrade(fresh_url)
    command.downgrade(alembic_config(fresh_url), "worklog@base")  # as if the plugin had just been installed
    fresh_db.engine.dispose()
    assert "worklog_entries" not in _tables(fresh_db)
    assert _core_head(fresh_url) in current_revisions(fresh_db.engine)
    assert not any(r.startswith("worklog_") for r in current_revisions(fresh_db.engine))
    with pytest.raises(DatabaseNotReady) as raised:
        check_current(fresh_db.engine, fresh_db.url)
    message = str(raised.value)
    assert "worklog" in message and "kaoping db upgrade" in message
    assert "core" not in message.split("needs", 1)[1]  # the core's branch is up to date
    upgrade(fresh_url)
    check_current(fresh_db.engine, fresh_db.url)
    fresh_db.engine.dispose()
    assert "worklog_entries" in _tables(fresh_db)


def test_a_database_with_only_a_plugin_branch_behind_the_core_is_not_ready(fresh_url, fresh_db):
    upgrade(fresh_url, "0001")
    with pytest.raises(DatabaseNotReady) as raised:
        check_current(fresh_db.engine, fresh_db.url)
    message = str(raised.value)
    assert "core " + _core_head(fresh_url) in message and "worklog" in message


def test_a_database_with_the_branch_of_a_plugin_not_installed_here_is_not_ready(fresh_url, fresh_db):
    upgrade(fresh_url)
    with fresh_db.engine.begin() as connection:  # as if a plugin installed elsewhere had added its branch
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('nosuchplugin_0001')"))
    with pytest.raises(DatabaseNotReady, match="nosuchplugin_0001.*plugin that is not installed"):
        check_current(fresh_db.engine, fresh_db.url)
