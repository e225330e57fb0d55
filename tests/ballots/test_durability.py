"""Durability: SQLite commits are synced (``synchronous=FULL``), and the crash test's short form
(``bench.crash``): a real ``kaoping serve`` SIGKILLed 3 times while 60 evaluators submit loses no
acknowledged ballot and counts none twice, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from core.db import Database
from tests.conftest import _backends

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_sqlite_commits_are_synced_on_every_connection_and_the_ballot_writer(database_url_factory):
    db = Database(database_url_factory("sqlite"))
    try:
        with db.engine.connect() as first, db.engine.connect() as second:
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == FULL
        for wait in (True, False):  # the raw connection ballot submission commits on
            with db.sqlite_writer(wait=wait) as connection:
                assert connection.execute("PRAGMA synchronous").fetchone()[0] == FULL
    finally:
        db.dispose()


@pytest.mark.parametrize("backend_name", _backends())
def test_no_acknowledged_ballot_is_lost_or_doubled_when_the_server_is_killed(backend_name):
    from bench import crash

    outcome = crash.run(backend_name, voters=60, kills=3, seed=12)
    assert outcome.ok, outcome.problems()
    assert outcome.kills == 3 and outcome.ballots == outcome.submitted_accounts == 60
    assert outcome.no_answer > 0  # some requests really were cut off by a kill
