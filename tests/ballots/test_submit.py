"""The submit path (ballots/submit.py, ballots/submit_pg.py): a campaign with forced-distribution
policies is written like any other once its policies are cached, and on SQLite no COMMIT (an
fsync) ever runs on the event loop, whether ballots arrive together or alone."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, text

from ballots import sheet
from tests.campaign_setup import full_items, make_campaign


def _distribution_campaign(world):
    setup = make_campaign(world)
    enabled = setup.api.put("/api/localities/county-a/plugins/distribution", json={"enabled": True})
    assert enabled.status_code == 200, enabled.text
    patched = setup.api.patch(
        f"/api/campaigns/{setup.campaign_id}",
        json={"distribution": [{"policy": "ballot_cap", "options": {"max_ratio": 0.5, "action": "reject"}}]},
    )
    assert patched.status_code == 200, patched.text
    return setup


class _CommitWatch:
    """Records, for every COMMIT on the database's SQLite connections, whether it ran on a thread
    with a running event loop (the server's loop: the uvicorn server of the tests runs in this
    process)."""

    def __init__(self, engine):
        self.engine, self.on_loop, self.off_loop = engine, 0, 0
        self._connections: set = set()
        self._lock = threading.Lock()

    def _trace(self, statement: str) -> None:
        if statement.strip().upper() == "COMMIT":
            try:
                asyncio.get_running_loop()
                on_loop = True
            except RuntimeError:
                on_loop = False
            with self._lock:
                if on_loop:
                    self.on_loop += 1
                else:
                    self.off_loop += 1

    def _checkout(self, dbapi_connection, _record, _proxy) -> None:
        dbapi_connection.set_trace_callback(self._trace)
        self._connections.add(dbapi_connection)

    def __enter__(self):
        event.listen(self.engine, "checkout", self._checkout)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "checkout", self._checkout)
        for connection in self._connections:
            connection.set_trace_callback(None)


def test_distribution_ballots_read_the_policies_once_and_sqlite_commits_off_the_loop(world, monkeypatch):
    setup = _distribution_campaign(world)
    accounts = setup.issue("县领导", 12)
    setup.issue("基层代表", 1)
    setup.open()
    reads = []
    policies = sheet._policies
    monkeypatch.setattr(sheet, "_policies", lambda session, bc: reads.append(1) or policies(session, bc))
    tokens = []
    with world.client() as client:
        for account in accounts:
            tokens.append(client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"])
    items = full_items(setup.subject_ids)  # no 优秀 at all: within any cap

    def submit(token):
        with world.client(token) as voter:
            return voter.post("/api/ballot/submit", json={"items": items}).status_code

    sqlite = world.ctx.db.is_sqlite
    with _CommitWatch(world.ctx.db.engine) if sqlite else contextlib.nullcontext() as watch:
        assert submit(tokens[0]) == 200  # alone: reads the policies once, caches them
        with ThreadPoolExecutor(max_workers=8) as pool:  # together: a group commit on SQLite
            assert list(pool.map(submit, tokens[1:9])) == [200] * 8
        for token in tokens[9:]:  # one after the other: each alone
            assert submit(token) == 200
    assert len(reads) == 1  # the first ballot of the category read them; the 11 others used the cache
    if sqlite:
        assert watch.on_loop == 0 and watch.off_loop >= 4
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballots")).scalar() == 12


def test_a_refused_distribution_ballot_alone_is_refused_and_changes_nothing(world):
    setup = _distribution_campaign(world)
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    with world.client() as client:
        token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
    items = full_items(setup.subject_ids)
    for item in items:
        if item["indicator"] == "ALL":
            item["grade"] = "优秀"  # 3 of 3 subjects, over a cap of 1
    with world.client(token) as voter:
        refused = voter.post("/api/ballot/submit", json={"items": items})
        assert refused.status_code == 422 and "优秀" in refused.text
        accepted = voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)})
        assert accepted.status_code == 200
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballots")).scalar() == 1
