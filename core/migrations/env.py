"""Alembic environment. The URL comes from the caller's config (see ``core.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import core.models  # noqa: F401 - registers the tables
from core.db import make_engine
from core.plugins import get_plugin_manager

get_plugin_manager()  # loads the installed plugins, which register their own tables (autogenerate sees them)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        # Batch mode rebuilds a SQLite table by copying it, dropping the old one and renaming the
        # copy; with foreign keys on, dropping the old table would cascade into the tables that
        # refer to it (Alembic's batch documentation, "Dealing with referencing foreign keys").
        # So keys are off while migrating (the pragma is a no-op inside a transaction), and
        # checked once at the end instead.
        driver = connection.connection.driver_connection
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            _migrate(connection, check_keys=True)
        finally:
            driver.execute("PRAGMA foreign_keys=ON")
        return
    _migrate(connection)


def _migrate(connection, *, check_keys: bool = False) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if check_keys:  # before the commit: a broken reference rolls the whole upgrade back
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows that refer to missing rows: {broken[:5]}")


run_migrations()
