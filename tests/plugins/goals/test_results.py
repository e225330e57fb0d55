"""Year-end results stored when the office finishes scoring a set, on both databases: refused
while a counted top goal is unscored; the set's total and each person's result through shares
stored and audited; the scores then kept (409) until the office reopens; only the office finishes
or reopens; the stored results read over the API by the sets' readers only; the scoring page's
finish and reopen buttons (zh-CN)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, select

from core.models import AuditEntry, User
from core.services import auth
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from core.web.auth import SESSION_COOKIE
from plugins.goals import results, scoring, shares
from plugins.goals.models import GoalResult
from plugins.goals.schemas import AssignIn, ScoreIn, ShareIn
from tests.helpers import never_5xx
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, make_world, token

API = "/api/localities/ga/goals/results"


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def scored_set(ctx, world, *, score_second=True):
    """Two counted top goals of the team (李明 60 % / 王芳 40 % of the first, 李明 all of the
    second) and one not counted, scored 10 of 10 and 18 of 20."""
    office, admin = world.actors["office"], world.actors["admin_a"]
    first, second = goal(ctx, world, "制度建设"), goal(ctx, world, "招商引资")
    goal(ctx, world, "不计考核", counts_for_assessment=False)
    shares.assign(
        ctx,
        admin,
        "ga",
        first.id,
        AssignIn(
            people=[
                ShareIn(person_id=world.people["李明"], role="主办", share=60),
                ShareIn(person_id=world.people["王芳"], role="协办", share=40),
            ]
        ),
    )
    shares.assign(
        ctx, admin, "ga", second.id, AssignIn(people=[ShareIn(person_id=world.people["李明"], role="主办", share=100)])
    )
    scoring.score_goal(ctx, office, "ga", first.id, ScoreIn(period=str(YEAR), standard=10, score=10))
    if score_second:
        scoring.score_goal(ctx, office, "ga", second.id, ScoreIn(period=str(YEAR), standard=20, score=18))
    return first, second


def test_finishing_stores_the_results_and_keeps_the_scores_until_reopened(ctx, world):
    office = world.actors["office"]
    first, second = scored_set(ctx, world, score_second=False)
    with pytest.raises(Invalid) as refused:
        results.finish(ctx, office, "ga", world.unit_a, world.team, YEAR)
    assert refused.value.params == {"goals": "招商引资"}
    with pytest.raises(Invalid):  # unit A's own goals: none
        results.finish(ctx, office, "ga", world.unit_a, None, YEAR)
    scoring.score_goal(ctx, office, "ga", second.id, ScoreIn(period=str(YEAR), standard=20, score=18))
    for name in ("admin_a", "member"):
        with pytest.raises((Forbidden, NotFound)):
            results.finish(ctx, world.actors[name], "ga", world.unit_a, world.team, YEAR)
    with pytest.raises(NotFound):
        results.finish(ctx, world.actors["other_office"], "ga", world.unit_a, world.team, YEAR)
    sheet = results.finish(ctx, office, "ga", world.unit_a, world.team, YEAR)
    assert sheet.finished_by == "office-ga" and (sheet.total, sheet.standard) == (28, 30)
    with ctx.db.read() as session:
        rows = {r.subject: r for r in session.exec(select(GoalResult))}
    li, wang = world.people["李明"], world.people["王芳"]
    assert set(rows) == {"set", f"person:{li}", f"person:{wang}"}
    assert (rows["set"].score, rows["set"].standard, rows["set"].period) == (28, 30, str(YEAR))
    assert (rows[f"person:{li}"].score, rows[f"person:{li}"].standard) == (24, 26)  # 10×.6 + 18; 10×.6 + 20
    assert (rows[f"person:{wang}"].person_name, rows[f"person:{wang}"].score) == ("王芳", 4)
    with pytest.raises(Conflict) as kept:
        scoring.score_goal(ctx, office, "ga", second.id, ScoreIn(period=str(YEAR), standard=20, score=12))
    assert kept.value.params == {"period": str(YEAR)}
    # another period of the same set is not finished
    scoring.score_goal(ctx, office, "ga", second.id, ScoreIn(period=f"{YEAR}-Q4", standard=20, score=12))
    assert scoring.score_sheet(ctx, world.actors["member"], "ga", world.unit_a, world.team, YEAR).finished_at
    again = results.finish(ctx, office, "ga", world.unit_a, world.team, YEAR)  # replaces, no duplicates
    assert again.total == 28
    with ctx.db.read() as session:
        assert len(session.exec(select(GoalResult)).all()) == 3
    with pytest.raises(Forbidden):
        results.reopen(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    results.reopen(ctx, office, "ga", world.unit_a, world.team, YEAR)
    with pytest.raises(Conflict):
        results.reopen(ctx, office, "ga", world.unit_a, world.team, YEAR)
    assert (
        scoring.score_goal(ctx, office, "ga", second.id, ScoreIn(period=str(YEAR), standard=20, score=12)).score == 12
    )
    assert results.stored(ctx, office, "ga", str(YEAR)) == []
    with ctx.db.read() as session:
        actions = [
            e.action
            for e in session.exec(
                select(AuditEntry).where(AuditEntry.target_type == "goals_set").order_by(col(AuditEntry.id))
            )
        ]
    assert actions == ["goals.results_stored", "goals.results_stored", "goals.results_reopened"]


def test_the_stored_results_over_the_api(ctx, world, live_server):
    scored_set(ctx, world)

    def client(name):
        return httpx.Client(
            base_url=live_server.url,
            timeout=30,
            headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}", "Accept-Language": "zh-CN"},
            event_hooks={"response": [never_5xx]},
        )

    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with client("admin_a") as admin:
        assert admin.post(f"{API}/finish", params=where).status_code == 403
    with client("office") as office:
        finished = office.post(f"{API}/finish", params=where)
        assert finished.status_code == 200 and finished.json()["finished_by"] == "office-ga"
        listed = office.get(API, params={"period": str(YEAR)}).json()
        assert [(r["subject"].split(":")[0], r["person_name"], r["score"]) for r in listed] == [
            ("set", "", 28.0),
            ("person", "李明", 24.0),
            ("person", "王芳", 4.0),
        ]
        assert office.get(API, params={"period": "2026-13"}).status_code == 422
        assert office.get(API, params={"period": str(YEAR), "unit_id": world.unit_b}).json() == []
    with client("member") as member:  # the team's member reads the team's results
        assert len(member.get(API, params={"period": str(YEAR)}).json()) == 3
    with client("admin_b") as other_unit:  # not a reader of the team's set
        assert other_unit.get(API, params={"period": str(YEAR)}).json() == []
    with client("other_office") as other:
        assert other.get(API, params={"period": str(YEAR)}).status_code == 404
    with client("office") as office:
        assert office.post(f"{API}/reopen", params=where).status_code == 204
        again = office.post(f"{API}/reopen", params=where)
        assert again.status_code == 409 and "尚未完成" in again.text


def test_the_scoring_page_finishes_and_reopens(ctx, world, live_server):
    _first, target = scored_set(ctx, world, score_second=False)
    with ctx.db.read() as db:
        user = db.get(User, world.actors["office"].user_id)
    issued = auth.issue_token(ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    page = "/admin/localities/ga/goals/scoring"
    where = {"unit_id": str(world.unit_a), "team_id": str(world.team), "year": str(YEAR)}
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        cookies={SESSION_COOKIE: issued.token},
        event_hooks={"response": [never_5xx]},
    ) as office:
        seen = office.get(page, params=where).text
        assert "完成评分并保存结果" in seen and 'action="/admin/localities/ga/goals/scoring/finish"' in seen
        refused = office.post(f"{page}/finish", data={"_csrf": issued.csrf_token, **where})
        assert refused.status_code == 422 and "请先为所有计入考核的一级目标评分：招商引资" in refused.text
        scoring.score_goal(
            ctx, world.actors["office"], "ga", target.id, ScoreIn(period=str(YEAR), standard=20, score=18)
        )
        done = office.post(f"{page}/finish", data={"_csrf": issued.csrf_token, **where}, follow_redirects=True)
        assert done.status_code == 200 and "评分已完成，结果已保存" in done.text and "重新开启评分" in done.text
        blocked = office.post(
            f"/admin/localities/ga/goals/{target.id}/score",
            data={"_csrf": issued.csrf_token, **where, "standard": "20", "score": "1"},
        )
        assert blocked.status_code == 409 and "请先重新开启评分" in blocked.text
        assert office.post(f"{page}/finish", data=where).status_code == 403  # no CSRF token
        back = office.post(f"{page}/reopen", data={"_csrf": issued.csrf_token, **where}, follow_redirects=True)
        assert back.status_code == 200 and "完成评分并保存结果" in back.text
