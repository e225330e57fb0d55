"""Packed ballots: the frozen item order, packing, and reading ballots of different lengths."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.models import Campaign
from core.services import ballot_box, ballot_grades
from core.services import subjects as subject_service
from core.services.ballot_grades import Layout
from tests.campaign_setup import full_items
from tests.conftest import truncate_all
from tests.tally_reference import Node, Scenario, Template, stored_items, write


def test_pack_and_unpack_are_inverse_and_refuse_what_has_no_byte():
    layout = Layout(7, ((1, 10), (1, 11), (2, 10), (2, 11)))
    packed = ballot_grades.pack(layout, [(2, 11, 0), (1, 10, 253), (2, 10, 254)])
    assert packed == bytes([254, 0, 255, 1])  # grade index + 1; 0 = not rated
    assert ballot_grades.unpack(layout, packed) == [(1, 10, 253), (2, 10, 254), (2, 11, 0)]
    assert ballot_grades.unpack(layout, packed[:1]) == [(1, 10, 253)]  # shorter: the rest not rated
    with pytest.raises(ValueError, match="grade index 255"):
        ballot_grades.pack(layout, [(1, 10, 255)])
    with pytest.raises(KeyError):
        ballot_grades.pack(layout, [(3, 10, 0)])


def test_closing_writes_the_sheets_order_once_and_one_row_per_ballot(world, setup):
    leaders = setup.issue("县领导", 2)
    setup.issue("基层代表", 1)
    setup.open()
    for index, account in enumerate(leaders):
        with world.client() as client:
            token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
        items = full_items(setup.subject_ids, grade=("优秀", "不称职")[index])
        with world.client(token) as client:  # the phone may post the items in any order
            assert client.post("/api/ballot/submit", json={"items": items[::-1]}).status_code == 200
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        leaves = dict(
            connection.execute(
                text("SELECT code, id FROM indicators WHERE template_id = :t"), {"t": setup.template_id}
            ).all()
        )
        layouts = ballot_grades.load_layouts(connection, setup.campaign_id)
        category = connection.execute(
            text("SELECT id FROM campaign_categories WHERE name = '县领导' AND campaign_id = :c"),
            {"c": setup.campaign_id},
        ).scalar()
        rows = connection.execute(text("SELECT category_id, grades FROM ballots")).all()
        items = stored_items(connection, setup.campaign_id)
    # subjects by id, each with the graded leaves in tree order: the ballot sheet's order
    order = [(s, leaves[code]) for s in sorted(setup.subject_ids) for code in ("DE1", "DE2", "JI1", "ALL")]
    assert list(layouts) == [category] and list(layouts[category].items) == order
    assert sorted(bytes(g) for _c, g in rows) == [bytes([1] * 12), bytes([4] * 12)]
    assert sorted((s, i, g) for *_b, s, i, g in items) == sorted([(s, i, g) for s, i in order for g in (0, 3)])
    with world.ctx.db.read() as session:  # a subject the ballots rate cannot be deleted: they name it
        assert subject_service.subject_uses(session, setup.subject_ids[0])["ballots"] == 2
        assert subject_service.subject_uses(session, 10**6)["ballots"] == 0


def _scenario() -> Scenario:
    leaves = [Node(id=1, code="A"), Node(id=2, code="B")]
    ballots = [
        (1, True, {(1, 1): 0, (1, 2): 1, (2, 1): 2, (2, 2): 2}),
        (1, True, {(1, 1): 1, (2, 2): 0}),  # it rated part of the sheet
        (1, False, {(1, 1): 2, (1, 2): 2, (2, 1): 2, (2, 2): 2}),  # invalid: never counted
    ]
    return Scenario(
        templates=[Template(id=1, grades=[90.0, 70.0, 50.0], nodes=leaves)],
        categories=[(1, 1.0, 1)],
        subjects=[1, 2, 3],
        ballots=ballots,
    )


def test_an_order_extended_after_some_ballots_reads_the_shorter_ones_too(ctx):
    """An item the order lacks is appended at its end; the ballots written before stay shorter
    and are read as not rating it."""
    truncate_all(ctx.db)
    with ctx.db.engine.begin() as connection:
        write(connection, _scenario())
    with ctx.db.write() as session:
        known = ballot_grades.load_layouts(session, 1)[1]
        assert (
            ballot_grades.layout_for(session, campaign_id=1, locality_id=1, category_id=1, needed=[(2, 1)], known=known)
            is known
        )  # nothing to add: nothing written
        longer = ballot_grades.layout_for(
            session, campaign_id=1, locality_id=1, category_id=1, needed=[(3, 2), (2, 1)], known=known
        )
        assert longer.items == (*known.items, (3, 2))
        ballot_box._insert(
            session,
            [
                {
                    "id": "late",
                    "locality_id": 1,
                    "campaign_id": 1,
                    "category_id": 1,
                    "valid": True,
                    "reason": "",
                    "comment": "第三个",
                    "grades": ballot_grades.pack(longer, [(3, 2, 1), (1, 1, 0)]),
                }
            ],
        )
    with ctx.db.read() as session:
        campaign = session.get(Campaign, 1)
        assert ballot_grades.load_layouts(session, 1)[1] == longer
        counts = ballot_grades.grade_counts(session, campaign)
        assert counts == [
            (1, 1, 1, 0, 2),
            (1, 1, 1, 1, 1),
            (1, 1, 2, 1, 1),
            (1, 2, 1, 2, 1),
            (1, 2, 2, 0, 1),
            (1, 2, 2, 2, 1),
            (1, 3, 2, 1, 1),
        ]
        assert ballot_grades.grade_counts(session, campaign, subject_id=3) == [(1, 3, 2, 1, 1)]
        assert ballot_grades.comments_about(session, campaign, 3) == ["第三个"]
        assert ballot_grades.comments_about(session, campaign, 2) == []  # its ballots have no comment
        scores = ballot_grades.ballot_scores(session, campaign, 1, {1: {0: 10.0, 1: 1.0}, 2: {1: 100.0}})
        # subject 1: 10 + 100, 1 (B not rated), 10 (late); subject 2: A grade 2 has no value: only
        # the ballots with a valued item about it count; subject 3: B grade 1
        assert {s: sorted(v) for s, v in scores.items()} == {1: [1.0, 10.0, 110.0], 3: [100.0]}
