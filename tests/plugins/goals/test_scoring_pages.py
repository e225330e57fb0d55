"""The office's year-end scoring page over HTTP, on both databases: a goal scored directly and one
by deduction, the set's total and each person's result through the shares shown; a bad number
and a score above the standard shown on the page with nothing written; CSRF; English; 404 for
every role but the office, and for another locality's office. A period other than the year (a
quarter) scored, finished and reopened on the page, each step asked first, the year untouched."""

from __future__ import annotations

import pytest

from plugins.goals import results, scoring, shares
from plugins.goals.schemas import AssignIn, ShareIn
from tests.helpers import browser_session
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, make_world

BASE = "/admin/localities/ga/goals"


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)
    return world, lambda name: browser_session(ctx, live_server.url, world.actors[name].user_id)


def test_the_office_scores_a_teams_goals_and_reads_the_results(ctx, site):
    world, session = site
    admin = world.actors["admin_a"]
    first, second = goal(ctx, world, "招商引资"), goal(ctx, world, "制度建设")
    goal(ctx, world, "子目标", parent_id=first.id)
    li, wang = world.people["李明"], world.people["王芳"]
    shares.assign(ctx, admin, "ga", first.id, AssignIn(people=[ShareIn(person_id=li, role="主办", share=100)]))
    shares.assign(
        ctx,
        admin,
        "ga",
        second.id,
        AssignIn(people=[ShareIn(person_id=li, role="主办", share=50), ShareIn(person_id=wang, role="协办", share=50)]),
    )
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with session("office") as office:
        page = office.get(f"{BASE}/scoring", params=where)
        assert page.status_code == 200 and "年终评分" in page.text and "招商引资" in page.text
        assert "子目标" not in page.text  # top-level goals are scored
        fields = {"_csrf": office.csrf, **where}
        assert office.post(f"{BASE}/{first.id}/score", data={**where, "standard": "20"}).status_code == 403
        bad = office.post(f"{BASE}/{first.id}/score", data={**fields, "standard": "20", "score": "十八"})
        assert bad.status_code == 422 and "十八 不是数字" in bad.text
        above = office.post(f"{BASE}/{first.id}/score", data={**fields, "standard": "20", "score": "25"})
        assert above.status_code == 422 and "得分 25.0 高于标准分 20.0" in above.text
        assert scoring.score_sheet(ctx, admin, "ga", world.unit_a, world.team, YEAR).scores == []
        done = office.post(
            f"{BASE}/{first.id}/score", data={**fields, "standard": "20", "score": "18"}, follow_redirects=True
        )
        assert done.status_code == 200 and "评分已保存。" in done.text and "得分：18.0（标准分 20.0）" in done.text
        office.post(f"{BASE}/{second.id}/score", data={**fields, "standard": "10", "deduction": "4", "note": "滞后"})
        results = office.get(f"{BASE}/scoring", params=where).text
        assert "合计：24.0（标准分 30.0）" in results
        assert "<td>李明</td><td>21.0</td>" in results and "<td>王芳</td><td>3.0</td>" in results
        english = office.get(f"{BASE}/scoring", params={**where, "lang": "en"}).text
        assert "Year-end scoring" in english and "Total: 24.0 of 30.0" in english
    for name in ("admin_a", "member", "other_office"):
        with session(name) as other:
            assert other.get(f"{BASE}/scoring", params=where).status_code == 404
            score = other.post(f"{BASE}/{first.id}/score", data={"_csrf": other.csrf, **where, "standard": "1"})
            assert score.status_code == 404


def test_the_office_scores_finishes_and_reopens_a_quarter_on_the_page(ctx, site):
    world, session = site
    office_actor = world.actors["office"]
    first, second = goal(ctx, world, "招商引资"), goal(ctx, world, "制度建设")
    li = world.people["李明"]
    for target in (first, second):
        shares.assign(
            ctx,
            world.actors["admin_a"],
            "ga",
            target.id,
            AssignIn(people=[ShareIn(person_id=li, role="主办", share=100)]),
        )
    quarter = f"{YEAR}-Q2"
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with session("office") as office:
        page = office.get(f"{BASE}/scoring", params={**where, "period": "2026年第二季度"}).text
        assert f'<option value="{quarter}" selected>' in page and f"{quarter} 结果" in page
        fields = {"_csrf": office.csrf, **where, "period": quarter}
        saved = office.post(
            f"{BASE}/{first.id}/score", data={**fields, "standard": "10", "score": "8"}, follow_redirects=True
        )
        assert saved.status_code == 200 and f"period={quarter}" in str(saved.url)
        assert "得分：8.0（标准分 10.0）" in saved.text
        office.post(f"{BASE}/{second.id}/score", data={**fields, "standard": "10", "deduction": "1"})
        assert scoring.score_sheet(ctx, office_actor, "ga", world.unit_a, world.team, YEAR).scores == []
        page = office.get(f"{BASE}/scoring", params={**where, "period": quarter}).text
        assert "合计：17.0（标准分 20.0）" in page
        assert f'data-confirm="完成 {quarter} 的评分并保存结果？此后该期评分将保持不变，直至重新开启评分。"' in page
        assert office.post(f"{BASE}/scoring/finish", data={**where, "period": quarter}).status_code == 403  # no CSRF
        done = office.post(f"{BASE}/scoring/finish", data=fields, follow_redirects=True)
        assert done.status_code == 200 and f"period={quarter}" in str(done.url)
        assert "评分已完成，结果已保存" in done.text
        assert f'data-confirm="重新开启 {quarter} 的评分？已保存的结果将被删除，评分可再次修改。"' in done.text
        stored = results.stored(ctx, office_actor, "ga", quarter)
        assert [(r.subject, r.score, r.standard) for r in stored] == [("set", 17.0, 20.0), (f"person:{li}", 17.0, 20.0)]
        assert results.stored(ctx, office_actor, "ga", str(YEAR)) == []
        year_page = office.get(f"{BASE}/scoring", params=where).text  # the year: not finished, no scores
        assert f"{YEAR} 结果" in year_page and "完成评分并保存结果" in year_page and "评分已完成" not in year_page
        english = office.get(f"{BASE}/scoring", params={**where, "period": quarter, "lang": "en"}).text
        assert "Reopen the scoring of 2026-Q2? Its stored results are removed" in english
        assert f"Results of {quarter}" in english
        back = office.post(f"{BASE}/scoring/reopen", data=fields, follow_redirects=True)
        assert back.status_code == 200 and "评分已完成" not in back.text
        assert results.stored(ctx, office_actor, "ga", quarter) == []
        again = office.post(f"{BASE}/scoring/reopen", data=fields)  # nothing stored: refused on the page
        assert again.status_code == 409 and f"{quarter}" in again.text
        # a period not of the year shows the year
        other = office.get(f"{BASE}/scoring", params={**where, "period": f"{YEAR - 1}-Q2"}).text
        assert f'<option value="{YEAR}" selected>' in other
    with session("admin_a") as admin:
        refused = admin.post(f"{BASE}/scoring/finish", data={"_csrf": admin.csrf, **where, "period": quarter})
        assert refused.status_code == 404
