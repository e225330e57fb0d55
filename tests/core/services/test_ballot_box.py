"""The ballot box: sealing, and moving sealed ballots into the ballot tables exactly once."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy import text

from core.context import Actor
from core.db import Database
from core.security import Keyring
from core.services import ballot_box, tally
from core.services.errors import Conflict
from tests.campaign_setup import full_items
from tests.tally_reference import stored_items


def test_sealed_ballot_opens_with_its_campaign_key_only():
    keys = Keyring("k" * 40)
    items = [(3, 7, 0), (4, 7, 2), (70000, 1, 3)]
    head, body = ballot_box.seal_ballot(
        keys, 5, "s1", category_id=9, valid=False, reason="超过优秀比例", comment="意见" * 300, items=items
    )
    assert ballot_box.open_head(keys, 5, "s1", head) == (9, False)
    opened = ballot_box.open_body(keys, 5, "s1", body)
    assert (opened.category_id, opened.valid, opened.reason, opened.comment, opened.items) == (
        9,
        False,
        "超过优秀比例",
        "意见" * 300,
        items,
    )
    _, short = ballot_box.seal_ballot(keys, 5, "s2", category_id=9, valid=True, reason=None, comment="", items=items)
    assert len(short) == len(body)  # a long comment does not make a longer row
    for campaign, staged_id, other_keys in ((6, "s1", keys), (5, "s2", keys), (5, "s1", Keyring("x" * 40))):
        with pytest.raises(ballot_box.SealError):  # another campaign, another row, another secret key
            ballot_box.open_body(other_keys, campaign, staged_id, body)


def _cast(world, setup, count: int) -> None:
    accounts = setup.issue("县领导", count)
    setup.issue("基层代表", 1)
    setup.open()
    for account in accounts:
        with world.client() as client:
            token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
        with world.client(token) as client:
            assert client.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}).status_code == 200


def _counts(ctx) -> tuple[int, int, int]:
    """Staged ballots, stored ballots, and the items of the stored ones."""
    with ctx.db.engine.connect() as connection:
        return (
            *(
                connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("ballot_staging", "ballots")
            ),
            len(stored_items(connection)),
        )


def test_two_movers_at_once_move_every_ballot_once(world, setup):
    _cast(world, setup, 12)
    with world.ctx.db.write() as session:  # closed without the API, so the box is still full
        session.execute(text("UPDATE campaigns SET status = 'closed'"))
    assert _counts(world.ctx) == (12, 0, 0)
    moved = []
    threads = [
        threading.Thread(target=lambda: moved.append(ballot_box.move_staged(world.ctx, setup.campaign_id, chunk=3)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(moved) == 12
    assert _counts(world.ctx) == (0, 12, 12 * 12)


def test_a_move_cut_short_is_finished_by_the_tally(world, setup, monkeypatch):
    _cast(world, setup, 7)
    real_insert, calls = ballot_box._insert, []

    def insert_then_crash(session, ballots):
        calls.append(len(ballots))
        if len(calls) == 2:
            raise RuntimeError("the server died while moving")
        real_insert(session, ballots)

    monkeypatch.setattr(ballot_box, "MOVE_CHUNK", 3)
    monkeypatch.setattr(ballot_box.move_staged, "__kwdefaults__", {"chunk": 3})
    monkeypatch.setattr(ballot_box, "_insert", insert_then_crash)
    with pytest.raises(RuntimeError):
        ballot_box.move_staged(world.ctx, setup.campaign_id)
    assert _counts(world.ctx) == (4, 3, 3 * 12)  # the first chunk is in; the cut one is still in the box
    monkeypatch.setattr(ballot_box, "_insert", real_insert)
    setup.close()  # closing moves the rest
    assert _counts(world.ctx) == (0, 7, 7 * 12)
    tally = setup.api.post(f"/api/campaigns/{setup.campaign_id}/tally")
    assert tally.status_code == 200
    assert all(s["by_category"]["县领导"]["ballots"] == 7 for s in tally.json()["subjects"])


def test_ballots_sealed_under_another_key_are_kept_and_the_office_is_told(world, setup):
    _cast(world, setup, 2)
    with world.ctx.db.write() as session:
        session.execute(text("UPDATE campaigns SET status = 'closed'"))
    # The same database served with another secret key (its own Database: the audit chain of a
    # Database follows the keys of the context that made it).
    other = dataclasses.replace(
        world.ctx, keys=Keyring("another-secret-key-" + "z" * 30), db=Database(world.ctx.db.url)
    )
    try:
        with pytest.raises(ballot_box.SealError):
            ballot_box.move_staged(other, setup.campaign_id)
        assert _counts(world.ctx) == (2, 0, 0)  # nothing lost
        with pytest.raises(Conflict, match="sealed under another secret key"):
            tally.tally(other, Actor.system("test"), setup.campaign_id)
    finally:
        other.db.dispose()
    assert _counts(world.ctx) == (2, 0, 0)
    assert ballot_box.move_staged(world.ctx, setup.campaign_id) == 2
