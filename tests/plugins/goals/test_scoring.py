"""Year-end scoring on both databases: the office scores top-level goals directly or by
deduction (a done goal gets its standard score), scores are stored per period and audited, the
set's total counts only goals that count for the assessment, people's results follow their shares;
others may not score, sub-goals and bad scores are refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import AuditEntry
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.goals import progress, scoring, shares
from plugins.goals.schemas import AssignIn, ProgressIn, ScoreIn, ShareIn
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def split(world, lead_share):
    people = [ShareIn(person_id=world.people["李明"], role="主办", share=lead_share)]
    if lead_share < 100:
        people.append(ShareIn(person_id=world.people["王芳"], role="协办", share=100 - lead_share))
    return AssignIn(people=people)


def test_the_office_scores_and_results_flow_to_people_by_share(ctx, world):
    office, admin = world.actors["office"], world.actors["admin_a"]
    done = goal(ctx, world, "制度建设")
    late = goal(ctx, world, "招商引资")
    extra = goal(ctx, world, "不计考核", counts_for_assessment=False)
    shares.assign(ctx, admin, "ga", done.id, split(world, 60))
    shares.assign(ctx, admin, "ga", late.id, split(world, 100))
    progress.report(ctx, admin, "ga", done.id, ProgressIn(period=f"{YEAR}-Q4", percent=100))
    by_grade = scoring.score_goal(ctx, office, "ga", done.id, ScoreIn(period=str(YEAR), standard=10, deduction=3))
    assert by_grade.score == 10 and by_grade.deduction == 0  # done: the standard score, whatever the deduction
    deducted = scoring.score_goal(ctx, office, "ga", late.id, ScoreIn(period=str(YEAR), standard=20, deduction=4.5))
    assert deducted.score == 15.5
    direct = scoring.score_goal(
        ctx, office, "ga", late.id, ScoreIn(period=f"{YEAR}年", standard=20, score=18, note="复核")
    )
    assert direct.score == 18 and direct.deduction == 2 and direct.period == str(YEAR)  # replaced
    scoring.score_goal(ctx, office, "ga", extra.id, ScoreIn(period=str(YEAR), standard=5, score=5))
    sheet = scoring.score_sheet(ctx, world.actors["member"], "ga", world.unit_a, world.team, YEAR)
    assert (sheet.total, sheet.standard) == (28, 30)  # 10 + 18; the goal not counted is left out
    assert [(p.person_name, p.score) for p in sheet.people] == [("李明", 24.0), ("王芳", 4.0)]  # 10*.6+18, 10*.4
    assert scoring.score_sheet(ctx, office, "ga", world.unit_a, world.team, YEAR, f"{YEAR}-Q4").scores == []
    with ctx.db.read() as session:
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "goals.scored")).all()) == 4


def test_bad_scores_and_who_may_score(ctx, world):
    office = world.actors["office"]
    top = goal(ctx, world, "招商引资")
    sub = goal(ctx, world, "子目标", parent_id=top.id)
    cases = [
        (sub.id, ScoreIn(period=str(YEAR), standard=10, score=5), "is a sub-goal"),
        (top.id, ScoreIn(period=str(YEAR), standard=10, score=12), "above the standard score"),
        (top.id, ScoreIn(period=str(YEAR), standard=10), "give a score or a deduction"),
        (top.id, ScoreIn(period=str(YEAR + 1), standard=10, score=5), "outside the goal's span"),
    ]
    for goal_id, data, words in cases:
        with pytest.raises(Invalid) as raised:
            scoring.score_goal(ctx, office, "ga", goal_id, data)
        assert words in raised.value.message
    with pytest.raises(Forbidden):
        scoring.score_goal(ctx, world.actors["admin_a"], "ga", top.id, ScoreIn(period=str(YEAR), standard=10, score=5))
    with pytest.raises(NotFound):
        scoring.score_goal(
            ctx, world.actors["other_office"], "gb", top.id, ScoreIn(period=str(YEAR), standard=10, score=5)
        )
    assert scoring.score_sheet(ctx, office, "ga", world.unit_a, world.team, YEAR).scores == []
