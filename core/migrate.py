"""Alembic, driven from code: ``kaoping db upgrade`` and the start-up check."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from core.db import normalize_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseNotReady(Exception):
    pass


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_current(engine: Engine, url: str) -> None:
    """Refuse to run on an unmigrated or older database."""
    current = current_revision(engine)
    head = head_revision(url)
    if current is None:
        raise DatabaseNotReady("the database has no Kaoping tables yet: run `kaoping db upgrade` first")
    if current != head:
        raise DatabaseNotReady(
            f"the database is at migration {current}, this version needs {head}: run `kaoping db upgrade` first"
        )
