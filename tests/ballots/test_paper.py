"""Paper ballots entered by the office (ballots/paper.py), on SQLite and PostgreSQL: single
entry, double entry by two clerks (match, mismatch, same clerk), the codes and campaigns that
are refused, and the secrecy of a first entry while it waits."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from ballots import paper, service
from core.context import Actor
from core.services import auth
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from core.services.plugins import PluginSettingIn, set_plugin
from tests.campaign_setup import full_items
from tests.tally_reference import stored_items

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

COMMENT = "纸质票意见QXZ"


def _run(coro):
    """The service is async (it submits on the event loop like the phone): run it on a loop of
    its own in a thread, whatever loop the test process has."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _actor(world, username: str, role: str = "office", locality: str = "county-a", unit: str | None = None) -> Actor:
    token = world.user(username, role, locality, unit)
    return auth.resolve_token(world.ctx, token).actor


def _ballot(subject_ids, grade: str = "称职", comment: str = COMMENT) -> service.BallotIn:
    return service.BallotIn(items=[service.ItemIn(**item) for item in full_items(subject_ids, grade)], comment=comment)


def _enter(world, actor, setup, code, ballot, **kwargs):
    return _run(paper.enter(world.ctx, actor, setup.campaign_id, code, ballot, **kwargs))


def _double_entry(world, on: bool = True) -> None:
    set_plugin(
        world.ctx,
        Actor.system("test"),
        "county-a",
        "ballots",
        PluginSettingIn(enabled=True, options={"paper_double_entry": on}),
    )


def _status(setup, account_id: int) -> str:
    accounts = setup.api.get(f"/api/campaigns/{setup.campaign_id}/accounts").json()["items"]
    return next(a["status"] for a in accounts if a["id"] == account_id)


def _everything_stored(world) -> str:
    """Every row of every table, as text (bytes decoded loosely): what a database reader sees."""
    seen = []
    with world.ctx.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
                for value in row:
                    seen.append(
                        value.decode("utf-8", "replace") if isinstance(value, (bytes, memoryview)) else str(value)
                    )
    return "\n".join(seen)


def _open_with(setup, leaders: int) -> list[dict]:
    """Issue ``leaders`` accounts of 县领导 (and one of 基层代表: each category needs some), open."""
    accounts = setup.issue("县领导", leaders)
    setup.issue("基层代表", 1)
    setup.open()
    return accounts


def _paper_rows(world) -> int:
    with world.ctx.db.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM paper_entries")).scalar_one()


def test_single_entry_counts_once_and_uses_the_code(setup, world):
    account = _open_with(setup, 2)[0]
    clerk = _actor(world, "clerk1")
    out = _enter(world, clerk, setup, account["code"].lower().replace("-", " "), _ballot(setup.subject_ids))
    assert (out.status, out.valid, out.category) == ("submitted", True, "县领导")
    assert _status(setup, account["id"]) == "submitted"
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["total"]["submitted"] == 1 and progress["total"]["valid"] == 1
    with pytest.raises(Conflict, match="already been used"):
        _enter(world, clerk, setup, account["code"], _ballot(setup.subject_ids))
    # The code cannot vote on a phone either.
    login = setup.api.post("/api/ballot/login", json={"code": account["code"]})
    assert login.status_code == 409


def test_a_paper_ballot_is_checked_like_a_phone_ballot(setup, world):
    leaders, grassroots = setup.issue("县领导", 1)[0], setup.issue("基层代表", 1)[0]
    setup.open()
    clerk = _actor(world, "clerk1")
    incomplete = service.BallotIn(items=_ballot(setup.subject_ids).items[:-1], comment="")
    with pytest.raises(Invalid, match="missing"):
        _enter(world, clerk, setup, leaders["code"], incomplete)
    with pytest.raises(Invalid, match="no account of this campaign"):
        _enter(world, clerk, setup, "ABCD-EFGH-JKMN", _ballot(setup.subject_ids))
    with pytest.raises(Invalid):
        _enter(world, clerk, setup, "not a code", _ballot(setup.subject_ids))
    form = paper.paper_form(world.ctx, clerk, setup.campaign_id)
    leaders_form = next(c for c in form["categories"] if c["name"] == "县领导")
    with pytest.raises(Invalid, match="belongs to evaluator category 基层代表"):
        _enter(world, clerk, setup, grassroots["code"], _ballot(setup.subject_ids), category_id=leaders_form["id"])
    assert _status(setup, leaders["id"]) == "issued" and _status(setup, grassroots["id"]) == "issued"


def test_revoked_code_and_closed_campaign_are_refused(setup, world):
    first, second = _open_with(setup, 2)
    clerk = _actor(world, "clerk1")
    assert setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{first['id']}/revoke").status_code == 200
    with pytest.raises(Forbidden, match="revoked"):
        _enter(world, clerk, setup, first["code"], _ballot(setup.subject_ids))
    setup.close()
    with pytest.raises(Conflict, match="not open"):
        _enter(world, clerk, setup, second["code"], _ballot(setup.subject_ids))


def test_roles_and_localities(setup, world):
    account = _open_with(setup, 1)[0]
    world.locality("county-b")
    with pytest.raises(NotFound):
        _enter(
            world,
            _actor(world, "other-office", locality="county-b"),
            setup,
            account["code"],
            _ballot(setup.subject_ids),
        )
    with pytest.raises(Forbidden):
        _enter(
            world,
            _actor(world, "unit-admin", role="unit_admin", unit="U0"),
            setup,
            account["code"],
            _ballot(setup.subject_ids),
        )
    with pytest.raises(NotFound):  # the page of county-a names a campaign: it must be county-a's
        _enter(world, _actor(world, "clerk1"), setup, account["code"], _ballot(setup.subject_ids), locality_id=-1)
    assert _status(setup, account["id"]) == "issued"


def test_double_entry_waits_sealed_then_counts_once_when_a_second_clerk_matches(setup, world):
    account = _open_with(setup, 1)[0]
    _double_entry(world)
    first_clerk, second_clerk = _actor(world, "clerk1"), _actor(world, "clerk2")
    ballot = _ballot(setup.subject_ids, grade="基本称职")
    out = _enter(world, first_clerk, setup, account["code"], ballot)
    assert out.status == "waiting"
    assert _status(setup, account["id"]) == "issued"  # not counted, the code not used
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["total"]["submitted"] == 0
    # Nothing of what the first entry says is readable in the database while it waits.
    assert _paper_rows(world) == 1
    stored = _everything_stored(world)
    assert COMMENT not in stored and '基本称职"' not in stored and '"grade"' not in stored
    assert paper.paper_form(world.ctx, first_clerk, setup.campaign_id)["waiting"] == 1

    with pytest.raises(Conflict, match="different clerk"):
        _enter(world, first_clerk, setup, account["code"], ballot)
    out = _enter(world, second_clerk, setup, account["code"], ballot)
    assert (out.status, out.valid) == ("submitted", True)
    assert _status(setup, account["id"]) == "submitted"
    assert _paper_rows(world) == 0
    with pytest.raises(Conflict, match="already been used"):
        _enter(world, first_clerk, setup, account["code"], ballot)

    setup.close()
    with world.ctx.db.engine.connect() as connection:
        ballots = connection.execute(
            text("SELECT id, comment FROM ballots WHERE campaign_id = :c"), {"c": setup.campaign_id}
        ).all()
        grades = sorted({g for *_ids, g in stored_items(connection, setup.campaign_id)})
    assert [b.comment for b in ballots] == [COMMENT]  # counted once
    assert grades == [2]  # 基本称职, the third grade
    tally = setup.api.post(f"/api/campaigns/{setup.campaign_id}/tally")
    assert tally.status_code == 200, tally.text
    for subject in tally.json()["subjects"]:  # the paper ballot is 县领导's one ballot, 基本称职 throughout
        assert subject["by_category"]["县领导"]["ballots"] == 1
        assert subject["by_indicator"]["ALL"]["distribution"]["基本称职"] == 1


def test_a_second_entry_that_differs_counts_nothing_and_names_the_places(setup, world):
    account = _open_with(setup, 1)[0]
    _double_entry(world)
    first_clerk, second_clerk = _actor(world, "clerk1"), _actor(world, "clerk2")
    ballot = _ballot(setup.subject_ids)
    _enter(world, first_clerk, setup, account["code"], ballot)
    typo = _ballot(setup.subject_ids)
    typo.items[5] = service.ItemIn(subject_id=typo.items[5].subject_id, indicator=typo.items[5].indicator, grade="优秀")
    typo.comment = COMMENT + "!"
    with pytest.raises(paper.Mismatch) as raised:
        _enter(world, second_clerk, setup, account["code"], typo)
    # items are (subject, indicator) in order DE1 DE2 JI1 ALL: item 5 is subject 2, indicator 2.
    places = [(d.subject_position, d.indicator_position, d.indicator) for d in raised.value.differences]
    assert places == [(2, 2, "DE2"), (0, 0, "")]
    assert "subject 2 (单位1), indicator 2 (职业道德)" in str(raised.value)
    assert "the comment" in str(raised.value)
    assert _status(setup, account["id"]) == "issued" and _paper_rows(world) == 0
    # Both enter it again, and it counts.
    assert _enter(world, second_clerk, setup, account["code"], ballot).status == "waiting"
    assert _enter(world, first_clerk, setup, account["code"], ballot).status == "submitted"
    assert _status(setup, account["id"]) == "submitted"


def test_first_entries_of_a_closed_campaign_are_discarded(setup, world):
    account = _open_with(setup, 1)[0]
    _double_entry(world)
    _enter(world, _actor(world, "clerk1"), setup, account["code"], _ballot(setup.subject_ids))
    assert paper.discard_stale(world.ctx) == 0  # still open: it waits
    setup.close()
    assert paper.discard_stale(world.ctx) == 1
    assert _paper_rows(world) == 0


def test_two_second_clerks_at_once_count_the_ballot_once(setup, world):
    account = _open_with(setup, 1)[0]
    _double_entry(world)
    ballot = _ballot(setup.subject_ids)
    _enter(world, _actor(world, "clerk1"), setup, account["code"], ballot)
    clerks = [_actor(world, "clerk2"), _actor(world, "clerk3")]

    def second(clerk):
        try:
            return _enter(world, clerk, setup, account["code"], ballot).status
        except Conflict as exc:
            return exc.message

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(second, clerks))
    assert answers == ["submitted", "this code has already been used to submit a ballot"]
    assert _paper_rows(world) == 0
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballots")).scalar_one() == 1
