"""Issuing accounts in bulk (issue 16): one call issues many, each code unique, well formed and
stored only as its HMAC; the ids the call answers are the stored rows'; the cap is enforced."""

from __future__ import annotations

import json

from sqlalchemy import text

from ballots import codes
from ballots.service import MAX_ACCOUNTS_PER_CALL
from core.models import BallotAccount

COUNT = 2500  # one call of many rows (small enough to keep the suite quick)


def test_a_bulk_call_issues_unique_valid_codes_stored_only_as_hmacs(world, setup):
    accounts = setup.issue("县领导", COUNT)
    assert len(accounts) == COUNT
    shown = [a["code"] for a in accounts]
    assert len(set(shown)) == COUNT
    canonical = [codes.parse(code) for code in shown]  # each reads back as a code
    assert all(code == codes.display(c) for code, c in zip(shown, canonical))
    assert {a["category"] for a in accounts} == {"县领导"} and {a["status"] for a in accounts} == {"issued"}
    assert len({a["batch"] for a in accounts}) == 1
    with world.ctx.db.engine.connect() as connection:
        stored = dict(
            connection.execute(
                text("SELECT id, code_hash FROM ballot_accounts WHERE campaign_id = :c"), {"c": setup.campaign_id}
            ).all()
        )
        held = connection.execute(
            text("SELECT codes_cipher FROM slip_batches WHERE campaign_id = :c"), {"c": setup.campaign_id}
        ).scalar_one()
        dump = " ".join(
            str(row)
            for table in ("ballot_accounts", "slip_batches")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
    # the answer's ids are the stored rows, each with the HMAC of its own code
    assert stored == {a["id"]: world.ctx.keys.token_hash(c) for a, c in zip(accounts, canonical)}
    # no plaintext code anywhere in the rows, in any form; the held batch opens to the same pairs
    assert not any(c in dump or code in dump for c, code in zip(canonical, shown))
    assert json.loads(world.ctx.keys.decrypt(held)) == [[a["id"], c] for a, c in zip(accounts, canonical)]
    # every code signs in
    with world.client() as client:
        setup.issue("基层代表", 1)
        setup.open()
        for code in (shown[0], shown[-1]):
            assert client.post("/api/ballot/login", json={"code": code}).status_code == 200


def test_ids_of_later_calls_and_ordinary_inserts_never_collide(world, setup):
    first = setup.issue("县领导", 30)
    second = setup.issue("基层代表", 20)
    ids = [a["id"] for a in first + second]
    assert ids == sorted(ids) and len(set(ids)) == 50
    assert second[0]["batch"] == first[0]["batch"] + 1
    replaced = setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{first[0]['id']}/replace")
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["id"] > ids[-1] and codes.parse(replaced.json()["code"])
    # an ordinary insert after the bulk ones takes the database's own next id (PostgreSQL: the
    # sequence the bulk ids were drawn from), which none of them holds
    with world.ctx.db.write() as session:
        locality_id, category_id = session.exec(
            text("SELECT locality_id, category_id FROM ballot_accounts WHERE id = :id").bindparams(id=ids[0])
        ).one()
        account = BallotAccount(
            locality_id=locality_id, campaign_id=setup.campaign_id, category_id=category_id, code_hash="x" * 64
        )
        session.add(account)
        session.flush()
        assert account.id > replaced.json()["id"]


def test_one_call_is_capped_at_the_documented_maximum(world, setup):
    assert MAX_ACCOUNTS_PER_CALL == 100_000
    over = setup.api.post(
        f"/api/campaigns/{setup.campaign_id}/accounts", json={"category": "县领导", "count": MAX_ACCOUNTS_PER_CALL + 1}
    )
    assert over.status_code == 400 and "count" in over.text
    none = setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts", json={"category": "县领导", "count": 0})
    assert none.status_code == 400
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballot_accounts")).scalar() == 0
