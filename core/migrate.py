"""Alembic, driven from code: ``kaoping db upgrade`` and the start-up check.

The core's migrations are one linear branch (``core/migrations/versions``); every feature plugin
may add a branch of its own (``PluginInfo.migrations_dir``, labelled with the plugin's name, its
first revision ``depends_on`` the core revision it needs). Alembic reads them all as one script
directory (``version_locations``), so the database has one head per branch and
``kaoping db upgrade`` (``upgrade(url)``, revision ``heads``) applies every one of them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from core.db import make_engine, normalize_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CORE_BRANCH = "core"  # how messages name the core's branch (its revisions carry no label)


class DatabaseNotReady(Exception):
    pass


def version_locations() -> list[Path]:
    """The folders of revision files: the core's, then each installed plugin's branch."""
    from core.plugins import migration_dirs

    return [MIGRATIONS_DIR / "versions", *migration_dirs()]


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in version_locations()).replace("%", "%%"))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Apply migrations up to ``revision``: ``heads`` (or ``head``) for every branch, the core's
    and each plugin's; a revision id or a ``branch@head`` for one branch. ``DatabaseNotReady``
    when the database is at a revision this code does not know (a newer version)."""
    engine = make_engine(url, pool_size=1)
    try:
        current = current_revisions(engine)
    finally:
        engine.dispose()
    unknown = [rev for rev in current if not _is_known(url, rev)]
    if unknown:
        raise DatabaseNotReady(_unknown_revision(unknown[0], head_revision(url)))
    command.upgrade(alembic_config(url), "heads" if revision == "head" else revision)


def head_revisions(url: str) -> tuple[str, ...]:
    """The newest revision of every branch, sorted."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config(url)).get_heads()))


def head_revision(url: str) -> str:
    """The newest revisions, one per branch, as one text (``"0011 worklog_0001"``)."""
    return " ".join(head_revisions(url))


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions the database is at (one per branch it has), sorted; empty if none."""
    # Alembic logs "Context impl ..." at INFO whenever it looks; only an upgrade has news to tell.
    migration_log = logging.getLogger("alembic.runtime.migration")
    level = migration_log.level
    migration_log.setLevel(logging.WARNING)
    try:
        with engine.connect() as connection:
            return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    finally:
        migration_log.setLevel(level)


def current_revision(engine: Engine) -> str | None:
    """``current_revisions`` as one text, comparable with ``head_revision``; None if empty."""
    return " ".join(current_revisions(engine)) or None


def _is_known(url: str, revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config(url)).get_revision(revision) is not None
    except CommandError:
        return False


def _unknown_revision(current: str, head: str) -> str:
    return (
        f"the database is at migration {current}, which this version of Kaoping does not know "
        f"(it needs {head}): was the database upgraded by a newer version, or by a plugin that is not "
        f"installed here?"
    )


def _branch(script: ScriptDirectory, revision: str) -> str:
    labels = set()
    for rev in script.iterate_revisions(revision, "base"):
        labels |= set(rev.branch_labels or ())
    return ", ".join(sorted(labels)) or CORE_BRANCH


def check_current(engine: Engine, url: str) -> None:
    """Refuse to run on an unmigrated or older database: every branch's head must be applied.
    The message says which branch (``core``, or a plugin's name) lacks which migration."""
    current = current_revisions(engine)
    head = head_revision(url)
    if not current:
        raise DatabaseNotReady("the database has no Kaoping tables yet: run `kaoping db upgrade` first")
    unknown = [rev for rev in current if not _is_known(url, rev)]
    if unknown:
        raise DatabaseNotReady(_unknown_revision(unknown[0], head))
    script = ScriptDirectory.from_config(alembic_config(url))
    applied: set[str] = set()
    for rev in current:
        applied |= {r.revision for r in script.iterate_revisions(rev, "base")}
    missing = [h for h in script.get_heads() if h not in applied]
    if missing:
        needs = " and ".join(f"{_branch(script, h)} {h}" for h in sorted(missing))
        raise DatabaseNotReady(
            f"the database is at migration {' '.join(current)}, this version needs {needs}: "
            "run `kaoping db upgrade` first"
        )
