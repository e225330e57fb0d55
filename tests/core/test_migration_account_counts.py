"""Migration 0023 counts the people's accounts of every existing locality once: after it the
kept counts are what counting the accounts and codes gives, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from core import codes
from core.context import AppContext
from core.db import Database
from core.migrate import alembic_config, upgrade
from core.security import Keyring
from core.services import account_counts
from core.services import people_accounts as pa
from tests.conftest import TEST_SECRET_KEY, _backends, make_settings
from tests.core.people_setup import make_org, office
from tests.core.services.test_people_accounts import batch_codes


@pytest.fixture(params=_backends())
def fresh_url(request, database_url_factory) -> str:
    return database_url_factory(request.param)


def test_existing_accounts_are_counted_by_the_migration(fresh_url, tmp_path, cheap_password_hashes):
    upgrade(fresh_url)
    db = Database(fresh_url)
    ctx = AppContext(settings=make_settings(fresh_url, tmp_path), db=db, keys=Keyring(TEST_SECRET_KEY))
    try:
        counted = {}
        for code, serial in (("pa", 0), ("pb", 10)):
            o = make_org(ctx, code, serial)
            actor = office(ctx, code)
            issued = pa.issue(ctx, actor, code)
            if code == "pa":
                first = batch_codes(ctx, issued.batch_id)[o.people["王五"]]
                pa.activate(ctx, o.cards["王五"], codes.display(first), "a password of mine", "a password of mine", "x")
                pa.revoke(ctx, actor, code, o.people["李四"])
        with db.engine.begin() as connection:
            localities = dict(connection.execute(text("SELECT code, id FROM localities")).all())
        with db.read() as session:
            counted = {code: account_counts.scan(session, localities[code]) for code in ("pa", "pb")}
        assert counted["pa"] == {"accounts": 4, "activated": 1, "waiting": 2, "revoked": 1}
        db.dispose()

        command.downgrade(alembic_config(fresh_url), "0022")  # as a database before the counts were kept
        with db.engine.connect() as connection:
            assert "people_account_counts" not in {
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                        if db.is_sqlite
                        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    )
                )
            }
        db.dispose()
        upgrade(fresh_url, "0023")
        with db.read() as session:
            for code in ("pa", "pb"):
                assert account_counts.read(session, localities[code]) == counted[code]
                assert (
                    session.execute(
                        text("SELECT count(*) FROM people_account_counts WHERE locality_id = :l"),
                        {"l": localities[code]},
                    ).scalar_one()
                    == 1
                )
    finally:
        db.dispose()
