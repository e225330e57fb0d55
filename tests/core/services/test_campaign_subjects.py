"""A campaign's subjects as the setup step reads them (core.services.campaign_subjects.summary),
on SQLite and PostgreSQL, from a campaign made through the API (tests/results_setup.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from core.services import campaign_subjects
from core.services.auth import actor_of, find_user
from tests.results_setup import build

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def _read(world, call) -> tuple[dict, list[str]]:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(world.ctx.db.engine, "before_cursor_execute", seen)
    try:
        found = call()
    finally:
        event.remove(world.ctx.db.engine, "before_cursor_execute", seen)
    return found, statements


def test_the_summary_counts_once_and_reads_rows_only_when_asked(world):
    """The campaign's total is the sum of its categories' counts (no count of its own), and the
    counts alone (``limit=0``, what the console asks first to choose its page) read no rows."""
    s = build(world)
    office = actor_of(find_user(world.ctx, "office-county-r"))
    everyone = campaign_subjects.SubjectFilter()
    found, statements = _read(
        world, lambda: campaign_subjects.summary(world.ctx, office, s.campaign_id, everyone, limit=2, offset=1)
    )
    assert found["total"] == 4 == found["matching_in"] and found["by_category"] == [("班子成员", 4)]
    assert len(found["rows"]) == 2
    assert [q for q in statements if "subjects.name" in q], statements  # the page's rows
    assert not [q for q in statements if "count(*) AS count_1 FROM (SELECT campaign_subjects.subject_id" in q]
    counts, statements = _read(
        world, lambda: campaign_subjects.summary(world.ctx, office, s.campaign_id, everyone, limit=0)
    )
    assert {k: v for k, v in counts.items() if k != "rows"} == {k: v for k, v in found.items() if k != "rows"}
    assert counts["rows"] == [] and not [q for q in statements if "subjects.name" in q], statements
