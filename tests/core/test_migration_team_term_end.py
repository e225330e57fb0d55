"""Migration 0027 adds the end of a team's term (``teams.term_end``) to a database that already
has teams: they keep their rows, with no end of term, and one can then be set; the
revisions have one head per branch. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from core.context import AppContext
from core.db import Database
from core.migrate import head_revisions, upgrade
from core.schemas.org import TeamPatch
from core.security import Keyring
from core.services import org
from tests.conftest import TEST_SECRET_KEY, _backends, make_settings
from tests.core.people_setup import office


@pytest.fixture(params=_backends())
def fresh_url(request, database_url_factory) -> str:
    return database_url_factory(request.param)


def test_one_head_for_the_core(fresh_url):
    heads = head_revisions(fresh_url)
    assert len([h for h in heads if "_" not in h]) == 1  # 0027 or a later one


def test_existing_teams_get_no_end_of_term_and_can_be_given_one(fresh_url, tmp_path):
    upgrade(fresh_url, "0026")  # a database before the column
    db = Database(fresh_url)
    try:
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO localities (code, name, plugin_config_version, result_decimals, created_at) "
                    "VALUES ('tt', '测试县', 0, 2, CURRENT_TIMESTAMP)"
                )
            )
            locality = connection.execute(text("SELECT id FROM localities WHERE code = 'tt'")).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO units (locality_id, code, name, type, duties, contact_name, contact_phone, "
                    "created_at, updated_at) VALUES (:l, 'U1', '县委', '', '', '', '', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                ),
                {"l": locality},
            )
            unit = connection.execute(text("SELECT id FROM units WHERE code = 'U1'")).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO teams (locality_id, unit_id, name, type, created_at) "
                    "VALUES (:l, :u, '县委班子', 'county', CURRENT_TIMESTAMP)"
                ),
                {"l": locality, "u": unit},
            )
        db.dispose()

        upgrade(fresh_url)
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT name, type, term_end FROM teams")).all()
        assert [tuple(r) for r in rows] == [("县委班子", "county", None)]
        ctx = AppContext(settings=make_settings(fresh_url, tmp_path), db=db, keys=Keyring(TEST_SECRET_KEY))
        actor = office(ctx, "tt")
        [team] = org.list_teams(ctx, actor, "tt").items
        assert team.term_end is None and team.name == "县委班子"
        changed = org.update_team(ctx, actor, "tt", team.id, TeamPatch(term_end=date(2031, 11, 30)))
        assert changed.term_end == date(2031, 11, 30)
        assert org.get_team(ctx, actor, "tt", team.id).term_end == date(2031, 11, 30)
    finally:
        db.dispose()
