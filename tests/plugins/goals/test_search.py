"""Finding a year's goals across a locality's sets (plugins/goals/search.py, GET .../goals/search
and the console's /goals/search), on both databases: by unit, supervising unit, type and status as
of a day, each goal with its set's roll-up; a set's readers find its drafts, followers (county
leaders, other units, the public where allowed) published goals only, everyone else nothing, not
even counts; another locality 404."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from core.models import User
from core.services import auth
from core.services.errors import NotFound
from core.web.auth import SESSION_COOKIE
from plugins.goals import progress, search, service
from plugins.goals.models import GoalKind, GoalStatus
from plugins.goals.schemas import ProgressIn
from tests.helpers import never_5xx
from tests.plugins.goals.helpers import goal, revenue
from tests.plugins.goals.setup import YEAR, account, enable, make_world, token


@pytest.fixture
def world(ctx):
    w = make_world(ctx)
    w.actors["county_leader"] = account(ctx, "ga", "xianzhang", "leader")
    w.actors["public"] = account(ctx, "ga", "citizen", "public")
    w.actors["cadre"] = account(ctx, "ga", "cadre-c", "cadre")  # a cadre account of no unit's people
    admin = w.actors["admin_a"]
    top = revenue(ctx, w, "财政收入", supervising_unit_id=w.unit_b)  # quantitative
    done = goal(ctx, w, "营商环境", parent_id=None)
    late = goal(ctx, w, "上半年任务", end=date(YEAR, 6, 30))
    progress.report(ctx, admin, "ga", top.id, ProgressIn(period=f"{YEAR}-Q1", actual=11))  # 50 %
    progress.report(ctx, admin, "ga", done.id, ProgressIn(period=f"{YEAR}-Q1", percent=100, done=True))
    progress.report(ctx, admin, "ga", late.id, ProgressIn(period=f"{YEAR}-Q1", percent=40))
    service.publish(ctx, admin, "ga", w.unit_a, w.team, YEAR)
    goal(ctx, w, "草稿目标", team=False)  # unit A's own set: a draft
    goal(ctx, w, "乙单位目标", actor=w.actors["admin_b"], team=False, unit_id=w.unit_b)  # a draft of unit B
    w.goals = {"top": top.id, "done": done.id, "late": late.id}
    return w


def found(ctx, world, who, **filters):
    filters.setdefault("as_of", date(YEAR, 9, 30))
    out = search.search(ctx, world.actors[who], "ga", YEAR, **filters)
    return {r.name: r.status.value for r in out.rows}, out.counts, out.total


def test_the_office_finds_every_goal_by_unit_supervising_unit_type_and_status(ctx, world):
    names, counts, total = found(ctx, world, "office")
    assert names == {
        "财政收入": "behind",  # 50 % at the end of September
        "营商环境": "done",
        "上半年任务": "overdue",
        "草稿目标": "behind",  # nothing reported by September
        "乙单位目标": "behind",
    }
    assert counts == {"on_track": 0, "behind": 3, "overdue": 1, "done": 1} and total == 5
    assert set(found(ctx, world, "office", unit_id=world.unit_b)[0]) == {"乙单位目标"}
    assert set(found(ctx, world, "office", supervising_unit_id=world.unit_b)[0]) == {"财政收入"}
    assert set(found(ctx, world, "office", kind=GoalKind.quantitative)[0]) == {"财政收入"}
    assert set(found(ctx, world, "office", status=GoalStatus.overdue)[0]) == {"上半年任务"}
    early = found(ctx, world, "office", status=GoalStatus.on_track, as_of=date(YEAR, 2, 1))[0]
    assert "上半年任务" in early and "财政收入" in early  # as of February: on track
    rows = search.search(ctx, world.actors["office"], "ga", YEAR, as_of=date(YEAR, 9, 30)).rows
    row = next(r for r in rows if r.name == "财政收入")
    assert (row.name, row.percent, row.supervising_unit_name, row.team_name) == (
        "财政收入",
        50.0,
        "县教育局",
        "县财政局领导班子",
    )
    with pytest.raises(NotFound):
        search.search(ctx, world.actors["other_office"], "ga", YEAR)


def test_readers_find_drafts_followers_published_goals_and_others_nothing(ctx, world):
    published = {"财政收入", "营商环境", "上半年任务"}
    assert set(found(ctx, world, "admin_a")[0]) == published | {"草稿目标"}  # its unit's sets, drafts too
    assert set(found(ctx, world, "admin_b")[0]) == published | {"乙单位目标"}  # follows A, reads B
    assert set(found(ctx, world, "county_leader")[0]) == published
    assert set(found(ctx, world, "member")[0]) == published | {"草稿目标"}  # reads the team's and the unit's sets
    assert set(found(ctx, world, "qian")[0]) == {"乙单位目标"}  # a cadre of unit B reads its unit's set only
    for nobody in ("cadre", "public"):  # the public where the locality does not allow it
        names, counts, total = found(ctx, world, nobody)
        assert names == {} and total == 0 and set(counts.values()) == {0}
    # the form's units: the office every unit, others those of the goals they may find
    assert [n for _i, n in search.unit_names(ctx, world.actors["office"], "ga", YEAR)] == ["县财政局", "县教育局"]
    assert [n for _i, n in search.unit_names(ctx, world.actors["qian"], "ga", YEAR)] == ["县教育局"]
    assert search.unit_names(ctx, world.actors["public"], "ga", YEAR) == []
    assert search.unit_names(ctx, world.actors["cadre"], "ga", YEAR) == []
    enable(ctx, "ga", public_comments=True)
    assert set(found(ctx, world, "public")[0]) == published
    assert len(search.unit_names(ctx, world.actors["public"], "ga", YEAR)) == 2  # A's, and B supervising
    assert found(ctx, world, "public", status=GoalStatus.done)[1]["done"] == 1


def test_the_api_and_the_console_page(ctx, world, live_server):
    with httpx.Client(base_url=live_server.url, timeout=30, event_hooks={"response": [never_5xx]}) as api:
        headers = {"Authorization": f"Bearer {token(ctx, world.actors['county_leader'])}"}
        answer = api.get(
            "/api/localities/ga/goals/search",
            params={"year": YEAR, "status": "overdue", "as_of": f"{YEAR}-09-30"},
            headers=headers,
        )
        assert answer.status_code == 200
        assert [(r["name"], r["status"], r["reader"]) for r in answer.json()["rows"]] == [
            ("上半年任务", "overdue", False)
        ]
        assert (
            api.get(
                "/api/localities/ga/goals/search", params={"year": YEAR, "status": "lost"}, headers=headers
            ).status_code
            == 400
        )
        other = {"Authorization": f"Bearer {token(ctx, world.actors['other_office'])}"}
        assert api.get("/api/localities/ga/goals/search", params={"year": YEAR}, headers=other).status_code == 404
        assert "/api/localities/{code}/goals/search" in api.get("/schema/openapi.json").json()["paths"]
    with ctx.db.read() as db:
        user = db.get(User, world.actors["county_leader"].user_id)
    issued = auth.issue_token(ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        cookies={SESSION_COOKIE: issued.token},
        event_hooks={"response": [never_5xx]},
    ) as leader:
        page = leader.get("/admin/localities/ga/goals/search", params={"year": YEAR, "as_of": f"{YEAR}-09-30"})
        assert page.status_code == 200 and "目标查询" in page.text and "共找到 3 个目标" in page.text
        assert (
            f'href="/admin/localities/ga/goals/{world.goals["late"]}/comments"' in page.text
            and "草稿目标" not in page.text
        )
        assert "已逾期" in page.text
        odd = leader.get(
            "/admin/localities/ga/goals/search",
            params={"year": "x", "status": "lost", "as_of": "soon", "unit_id": "-1"},
        )
        assert odd.status_code == 200  # odd filters are ignored, never a 500
        english = leader.get("/admin/localities/ga/goals/search", params={"year": YEAR, "lang": "en"}).text
        assert "Find goals" in english and "Goals found: 3" in english
