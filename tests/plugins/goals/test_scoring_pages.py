"""The office's year-end scoring page over HTTP, on both databases: a goal scored directly and one
by deduction, the set's total and each person's result through the shares shown; a bad number
and a score above the standard shown on the page with nothing written; CSRF; English; 404 for
every role but the office, and for another locality's office."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from core.models import User
from core.services import auth
from core.web.auth import SESSION_COOKIE
from plugins.goals import scoring, shares
from plugins.goals.schemas import AssignIn, ShareIn
from tests.helpers import never_5xx
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, make_world

BASE = "/admin/localities/ga/goals"


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)

    def session(name: str) -> httpx.Client:
        with ctx.db.read() as db:
            user = db.get(User, world.actors[name].user_id)
        issued = auth.issue_token(ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
        client = httpx.Client(
            base_url=live_server.url,
            timeout=30,
            cookies={SESSION_COOKIE: issued.token},
            event_hooks={"response": [never_5xx]},
        )
        client.csrf = issued.csrf_token
        return client

    return world, session


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
