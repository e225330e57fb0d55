"""The access log leaves out the evaluators' ballot routes unless KAOPING_BALLOT_ACCESS_LOG is set."""

from __future__ import annotations

import logging

import pytest

from core.context import AppContext
from core.web import access_log
from core.web.app import create_app
from tests.conftest import make_settings


def _uvicorn_line(path: str) -> None:
    """What uvicorn's HTTP protocol logs after each answer (uvicorn/protocols/http/*_impl.py)."""
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "POST", path, "1.1", 200)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("setting", [False, True])
def test_ballot_routes_are_logged_only_when_configured(ctx, tmp_path, setting):
    settings = make_settings(ctx.settings.database_url, tmp_path, ballot_access_log=setting)
    create_app(AppContext(settings=settings, db=ctx.db, keys=ctx.keys), audit_monitor=False)
    # A handler on uvicorn's access logger itself: what reaches the root logger (caplog) depends
    # on how earlier tests left logging (uvicorn's own configuration stops propagation).
    seen = _Records()
    logger = logging.getLogger("uvicorn.access")
    level = logger.level
    logger.addHandler(seen)
    logger.setLevel(logging.INFO)
    try:
        ballot = ["/api/ballot/submit", "/api/ballot", "/api/ballot/login?x=1", "/b/ballot", "/b/"]
        other = ["/api/campaigns/3/accounts", "/api/ballots-report", "/admin/", "/bx", "/health"]
        for path in ballot + other:
            _uvicorn_line(path)
    finally:
        logger.removeHandler(seen)
        logger.setLevel(level)
    logged = [record.args[2] for record in seen.records]
    assert logged == (ballot + other if setting else other)


def test_the_setting_is_read_from_the_environment(monkeypatch, tmp_path):
    from core.settings import Settings

    monkeypatch.setenv("KAOPING_BALLOT_ACCESS_LOG", "true")
    assert Settings(var_dir=tmp_path).ballot_access_log is True
    monkeypatch.delenv("KAOPING_BALLOT_ACCESS_LOG")
    assert Settings(var_dir=tmp_path).ballot_access_log is False


def teardown_module() -> None:
    access_log.configure(False)  # the default, for whatever runs next in this process
