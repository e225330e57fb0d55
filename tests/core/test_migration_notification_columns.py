"""Migration 0028 gives notifications a ``catalogue`` and a ``param_types`` column and moves the
private keys ``_catalogue`` and ``_types`` that earlier revisions kept inside ``params`` out of the
rows already there: their values keep only the message's own, and they read as before (a relayed
message in its plugin's words, a day as 12月1日 / Dec 1, a time in the reader's time zone). Downgrading puts the keys back. The
core has one head. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import text

from core.context import AppContext
from core.db import Database
from core.i18n import translator
from core.migrate import alembic_config, head_revisions, upgrade
from core.models import User
from core.security import Keyring
from core.services import auth
from core.services import notifications as notes
from tests.conftest import TEST_SECRET_KEY, _backends, make_settings

VIEWED = "{viewer} viewed your work on {day}"
NOTE = "Note"  # goals' catalogue alone translates it (说明)
THIS_YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year  # the reader's year: no year shown

# What the earlier writers stored (SQLAlchemy's JSON, as they wrote it), and what each row's
# values, catalogue and types are after the migration.
OLD = [
    ("test.viewed", VIEWED, {"viewer": "王", "day": f"{THIS_YEAR}-12-01", "_types": {"day": "date"}}),
    ("cadres.warning", NOTE, {"x": 1, "_catalogue": "goals"}),
    (
        "worklog.due",
        "Due {due}",
        {"due": "2025-11-28T01:30:00+00:00", "_types": {"due": "datetime"}, "_catalogue": "goals"},
    ),
    ("test.plain", "{viewer} said hello", {"viewer": "李"}),
    ("people.activated", "Your account is activated.", {}),
]
NEW = [
    ({"viewer": "王", "day": f"{THIS_YEAR}-12-01"}, None, {"day": "date"}),
    ({"x": 1}, "goals", None),
    ({"due": "2025-11-28T01:30:00+00:00"}, "goals", {"due": "datetime"}),
    ({"viewer": "李"}, None, None),
    ({}, None, None),
]
_OLD_TABLE = sa.table(
    "notifications",
    sa.column("locality_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("message_id", sa.String),
    sa.column("params", sa.JSON),
    sa.column("link", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


@pytest.fixture(params=_backends())
def fresh_url(request, database_url_factory) -> str:
    return database_url_factory(request.param)


def test_one_head_for_the_core(fresh_url):
    heads = head_revisions(fresh_url)
    assert [h for h in heads if "_" not in h] == ["0028"]


def _old_notifications(db: Database) -> int:
    """A locality, a user and the rows ``OLD`` as revision 0027 had them; the user's id."""
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO localities (code, name, plugin_config_version, result_decimals, created_at) "
                "VALUES ('nn', '通知县', 0, 2, CURRENT_TIMESTAMP)"
            )
        )
        locality = connection.execute(text("SELECT id FROM localities WHERE code = 'nn'")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO users (username, password_hash, role, locality_id, is_active, created_at, "
                "reads_child_localities) VALUES ('reader', 'x', 'cadre', :l, true, CURRENT_TIMESTAMP, false)"
            ),
            {"l": locality},
        )
        user = connection.execute(text("SELECT id FROM users WHERE username = 'reader'")).scalar_one()
        connection.execute(
            sa.insert(_OLD_TABLE),
            [
                {"locality_id": locality, "user_id": user, "kind": kind, "message_id": message, "params": params}
                | {"link": "", "created_at": datetime(2026, 12, 1, 1, 0, n, tzinfo=ZoneInfo("UTC"))}
                for n, (kind, message, params) in enumerate(OLD)
            ],
        )
    return user


def _stored(db: Database) -> list[tuple]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                sa.column("params", sa.JSON),
                sa.column("catalogue", sa.String),
                sa.column("param_types", sa.JSON),
                text("param_types IS NULL"),
            )
            .select_from(sa.table("notifications"))
            .order_by(sa.column("id"))
        ).all()
    return [tuple(r) for r in rows]


def test_existing_notifications_lose_their_private_keys_and_read_as_before(fresh_url, tmp_path):
    upgrade(fresh_url, "0027")  # a database written the old way
    db = Database(fresh_url)
    try:
        user_id = _old_notifications(db)
        db.dispose()

        upgrade(fresh_url)
        stored = _stored(db)
        assert [row[:3] for row in stored] == NEW
        assert [row[3] for row in stored] == [False, True, False, True, True]  # SQL NULL, not JSON null

        ctx = AppContext(settings=make_settings(fresh_url, tmp_path), db=db, keys=Keyring(TEST_SECRET_KEY))
        with ctx.db.read() as session:
            actor = auth.actor_of(session.get(User, user_id))
        for locale, texts in {
            "zh_CN": [
                "王 viewed your work on 12月1日",
                "说明",
                "Due 2025年11月28日 09:30",
                "李 said hello",
                "你的账号已激活。",
            ],
            "en": [
                "王 viewed your work on Dec 1",
                NOTE,
                "Due November 28, 2025, 09:30",
                "李 said hello",
                "Your account is activated.",
            ],
        }.items():
            page = notes.list_notifications(ctx, actor, translator(locale))
            assert [i.text for i in reversed(page.items)] == texts
            assert [i.params for i in reversed(page.items)] == [values for values, _c, _t in NEW]
    finally:
        db.dispose()


def test_downgrade_puts_the_keys_back(fresh_url):
    upgrade(fresh_url, "0027")
    db = Database(fresh_url)
    try:
        _old_notifications(db)
        db.dispose()
        upgrade(fresh_url)
        command.downgrade(alembic_config(fresh_url), "0027")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("notifications")}
            params = connection.execute(
                sa.select(sa.column("params", sa.JSON)).select_from(sa.table("notifications")).order_by(sa.column("id"))
            ).scalars()
            assert list(params) == [params for _k, _m, params in OLD]
        assert not {"catalogue", "param_types"} & columns
        db.dispose()
        upgrade(fresh_url)  # and up again
        assert [row[:3] for row in _stored(db)] == NEW
    finally:
        db.dispose()
