"""Alembic, driven from code: ``kaoping db upgrade`` and the start-up check."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from core.db import make_engine, normalize_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseNotReady(Exception):
    pass


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    engine = make_engine(url, pool_size=1)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    if current is not None and not _is_known(url, current):
        raise DatabaseNotReady(_unknown_revision(current, head_revision(url)))
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    # Alembic logs "Context impl ..." at INFO whenever it looks; only an upgrade has news to tell.
    migration_log = logging.getLogger("alembic.runtime.migration")
    level = migration_log.level
    migration_log.setLevel(logging.WARNING)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        migration_log.setLevel(level)


def _is_known(url: str, revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config(url)).get_revision(revision) is not None
    except CommandError:
        return False


def _unknown_revision(current: str, head: str) -> str:
    return (f"the database is at migration {current}, which this version of Kaoping does not know "
            f"(it needs {head}): was the database upgraded by a newer version?")


def check_current(engine: Engine, url: str) -> None:
    """Refuse to run on an unmigrated or older database."""
    current = current_revision(engine)
    head = head_revision(url)
    if current is None:
        raise DatabaseNotReady("the database has no Kaoping tables yet: run `kaoping db upgrade` first")
    if current != head and not _is_known(url, current):
        raise DatabaseNotReady(_unknown_revision(current, head))
    if current != head:
        raise DatabaseNotReady(
            f"the database is at migration {current}, this version needs {head}: run `kaoping db upgrade` first"
        )
