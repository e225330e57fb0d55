"""Migration 0021 packs the stored ballots: every campaign counts the same after it (and after
going back to 0020), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from alembic import command
from sqlalchemy import text

from core.context import Actor
from core.db import Database
from core.migrate import alembic_config, upgrade
from core.models import Campaign
from core.services import ballot_grades, tally
from core.services.tally import tally_data
from tests.conftest import TEST_SECRET_KEY, _backends, make_settings
from tests.tally_reference import Node, Scenario, Template, reference, stored_items, write

OLD_COUNTS = """
    SELECT b.category_id, i.subject_id, i.indicator_id, i.grade, count(*)
    FROM ballot_items i JOIN ballots b ON b.id = i.ballot_id
    WHERE b.campaign_id = 1 AND b.valid
    GROUP BY b.category_id, i.subject_id, i.indicator_id, i.grade
"""


def _scenario(seed: int = 21) -> Scenario:
    """Two templates (3 and 4 grades), three categories, ballots that rate part of the sheet,
    some invalid."""
    rng = random.Random(seed)
    templates = [
        Template(
            id=1,
            grades=[95.0, 80.0, 60.0],
            nodes=[Node(id=1, code="A", children=[Node(id=2, code="A1"), Node(id=3, code="A2", weight=3)])],
        ),
        Template(id=2, grades=[100.0, 75.0, 50.0, 0.0], nodes=[Node(id=4, code="X"), Node(id=5, code="Y")]),
    ]
    leaves = {1: [2, 3], 2: [4, 5]}
    categories = [(1, 40.0, 1), (2, 60.0, 2), (3, 10.0, 1)]
    subjects = [1, 2, 3, 4, 5]
    ballots = []
    for category_id, _weight, template_id in categories:
        for _ in range(12):
            rated = rng.sample(subjects, rng.randint(1, len(subjects)))
            grades = {
                (s, leaf): rng.randrange(len(templates[template_id - 1].grades))
                for s in rated
                for leaf in leaves[template_id]
            }
            ballots.append((category_id, rng.random() > 0.2, grades))
    return Scenario(templates=templates, categories=categories, subjects=subjects, ballots=ballots)


@pytest.fixture(params=_backends())
def fresh_url(request, database_url_factory) -> str:
    return database_url_factory(request.param)


def test_packing_keeps_every_count_score_comment_and_result(fresh_url, tmp_path, caplog):
    from core.context import AppContext
    from core.security import Keyring

    data = _scenario()
    upgrade(fresh_url, "0020")
    db = Database(fresh_url)
    try:
        with db.engine.begin() as connection:
            write(connection, data, items_table=True)
            connection.execute(text("UPDATE ballots SET comment = id"))  # each names its ballot
            connection.execute(  # a grade index no byte holds: never counted, left out and named
                text(
                    "INSERT INTO ballot_items (ballot_id, subject_id, indicator_id, campaign_id, grade) "
                    "SELECT id, 9, 9, 1, 300 FROM ballots WHERE category_id = 1 ORDER BY id LIMIT 1"
                )
            )
            before_counts = sorted(tuple(row) for row in connection.execute(text(OLD_COUNTS)))
            before_items = sorted(
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT ballot_id, campaign_id, subject_id, indicator_id, grade FROM ballot_items "
                        "WHERE grade < 300"
                    )
                )
            )
            before_comments = {
                s: sorted(
                    connection.execute(
                        text(
                            "SELECT b.comment FROM ballots b WHERE b.valid AND EXISTS (SELECT 1 FROM ballot_items i "
                            "WHERE i.ballot_id = b.id AND i.subject_id = :s AND i.grade < 300)"
                        ),
                        {"s": s},
                    ).scalars()
                )
                for s in data.subjects
            }
        db.dispose()

        caplog.set_level("WARNING", logger="kaoping.migrations")
        upgrade(fresh_url, "0021")  # this migration alone: the ones after it may rebuild tables
        logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "kaoping.migrations")
        assert "1 item(s) with a grade index outside 0-254 were left out" in logged and ": 300" in logged

        with db.engine.connect() as connection:
            assert "ballot_items" not in {
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                        if db.is_sqlite
                        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    )
                )
            }
            after_items = sorted((b, c, s, i, g) for b, c, _cat, s, i, g in stored_items(connection))
        assert after_items == before_items

        # and back: the items return to their rows
        db.dispose()
        command.downgrade(alembic_config(fresh_url), "0020")
        with db.engine.connect() as connection:
            back = sorted(
                tuple(row)
                for row in connection.execute(
                    text("SELECT ballot_id, campaign_id, subject_id, indicator_id, grade FROM ballot_items")
                )
            )
            assert back == before_items
            assert sorted(tuple(row) for row in connection.execute(text(OLD_COUNTS))) == [
                row for row in before_counts if row[3] < 300
            ]
        db.dispose()
        upgrade(fresh_url)
        with db.read() as session:
            campaign = session.get(Campaign, 1)
            # the tally's counts are the old query's, within each scale (it never counted others)
            sizes = {c: len(t.grades) for c, _w, tid in data.categories for t in data.templates if t.id == tid}
            assert ballot_grades.grade_counts(session, campaign) == [
                row for row in before_counts if row[3] < sizes[row[0]]
            ]
            counts = tally_data(session, campaign).counts
            assert sum(sum(c) for c in counts.values()) == sum(n for c, _s, _i, g, n in before_counts if g < sizes[c])
            for subject in data.subjects:
                assert sorted(ballot_grades.comments_about(session, campaign, subject)) == before_comments[subject]
            contrib = {2: {0: 1.5, 2: 7.25}, 3: {1: 10.0}, 4: {0: 2.0, 3: -1.0}, 5: {1: 0.5, 2: 3.0}}
            for category_id, _weight, _template in data.categories:
                expected: dict[int, list[float]] = defaultdict(list)
                for c, valid, grades in data.ballots:
                    if c == category_id and valid:
                        per_subject: dict[int, list[float]] = defaultdict(list)
                        for (s, leaf), g in grades.items():
                            if g in contrib.get(leaf, {}):
                                per_subject[s].append(contrib[leaf][g])
                        for s, parts in per_subject.items():
                            expected[s].append(sum(parts))
                got = ballot_grades.ballot_scores(session, campaign, category_id, contrib)
                assert {s: sorted(v) for s, v in got.items()} == {
                    s: pytest.approx(sorted(v)) for s, v in expected.items()
                }

        # the results of a tally after the migration are the reference's (which the tally on the
        # old layout equalled: tests/plugins/test_weighted_mean_property.py)
        ctx = AppContext(settings=make_settings(fresh_url, tmp_path), db=db, keys=Keyring(TEST_SECRET_KEY))
        results = {s["subject_id"]: s for s in tally.tally(ctx, Actor.system("test"), 1)["subjects"]}
        for subject_id, want in reference(data).items():
            assert results[subject_id]["score"] == pytest.approx(want["score"], abs=1e-9)
            assert {int(name[1:]): v["ballots"] for name, v in results[subject_id]["by_category"].items()} == (
                want["ballots"]
            )

    finally:
        db.dispose()
