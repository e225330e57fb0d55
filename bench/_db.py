"""A scratch database for one benchmark run: an SQLite file, or a new PostgreSQL database
(on ``KAOPING_TEST_POSTGRES_URL``'s server) dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.db import normalize_url

PG_ADMIN_URL = os.environ.get("KAOPING_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def scratch_database(backend: str, folder: Path) -> tuple[str, Callable[[], None]]:
    """Return (url, drop)."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite'}", lambda: None
    name = f"kaoping_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(normalize_url(PG_ADMIN_URL)).set(database=name).render_as_string(hide_password=False), drop
