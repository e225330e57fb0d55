"""The office's county-wide status view in the console (/goals/status), over HTTP on both
databases: every set of a year with its roll-up and flags (red flags, overdue, behind), filtered
by status, the county's totals, in the goals menu of the office only (zh-CN and en); anyone else
403, another locality's office sees its own sets; bad filters fall back, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from core.models import User
from core.services import auth
from core.web.auth import SESSION_COOKIE
from plugins.goals import progress
from plugins.goals.schemas import ProgressIn
from tests.helpers import never_5xx
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, make_world

PAGE = "/admin/localities/ga/goals/status"
NO_GOALS = "没有可显示的目标。"
MAY = {"year": str(YEAR), "as_of": f"{YEAR}-05-01"}


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)

    def browser(name: str) -> httpx.Client:
        with ctx.db.read() as db:
            user = db.get(User, world.actors[name].user_id)
        issued = auth.issue_token(ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
        return httpx.Client(
            base_url=live_server.url,
            timeout=30,
            cookies={SESSION_COOKIE: issued.token},
            event_hooks={"response": [never_5xx]},
        )

    return world, browser


def three_sets(ctx, world):
    """The team: 甲 behind (nothing reported by May) and 乙 done; unit A: 旧 overdue (ended in
    March); unit B: 学校 on track (half done in Q1)."""
    admin_a, admin_b = world.actors["admin_a"], world.actors["admin_b"]
    goal(ctx, world, "甲")
    done = goal(ctx, world, "乙", kind="qualitative")
    progress.report(ctx, admin_a, "ga", done.id, ProgressIn(period=f"{YEAR}-Q1", percent=100, done=True))
    goal(ctx, world, "旧", team=False, end=date(YEAR, 3, 31))
    school = goal(ctx, world, "学校", team=False, unit_id=world.unit_b, actor=admin_b, kind="qualitative")
    progress.report(ctx, admin_b, "ga", school.id, ProgressIn(period=f"{YEAR}-Q1", percent=50))


def sets(text: str) -> list[str]:
    return [part.split('"', 1)[0] for part in text.split('data-unit="')[1:]]


def test_the_office_sees_every_set_with_its_flags_and_filters_by_status(ctx, site):
    world, browser = site
    three_sets(ctx, world)
    a, b = str(world.unit_a), str(world.unit_b)
    with browser("office") as office:
        seen = office.get(PAGE, params=MAY)
        assert seen.status_code == 200 and "目标总览" in seen.text
        assert sorted(sets(seen.text)) == sorted([a, a, b])
        assert "共 3 套目标、4 个目标；一级目标：" in seen.text
        assert "🚩 1" in seen.text and "1 个逾期" in seen.text and "1 个滞后" in seen.text
        assert "县财政局领导班子" in seen.text and "单位目标" in seen.text
        team_row = seen.text.split(f'data-team="{world.team}"', 1)[1].split("</tr>", 1)[0]
        assert "> 50.0%" in team_row  # 甲 (0 %) and 乙 (100 %) by weight
        assert f'?unit_id={world.unit_a}&amp;team_id={world.team}&amp;year={YEAR}"' in seen.text  # its tree
        flagged = office.get(PAGE, params={**MAY, "status": "flagged"}).text
        assert sorted(sets(flagged)) == [a, a] and "学校" not in flagged and "县教育局" not in flagged
        assert sets(office.get(PAGE, params={**MAY, "status": "on_track"}).text) == [b]
        only_done = office.get(PAGE, params={**MAY, "status": "done"}).text
        assert sets(only_done) == [a] and 'data-team="' + str(world.team) + '"' in only_done
        assert "共 3 套目标" in only_done  # the totals stay the county's
        english = office.get(PAGE, params={**MAY, "lang": "en"}).text
        assert "Goals across the county" in english and "1 overdue" in english and "1 behind" in english
        for bad in ({"year": "abc"}, {"year": "99999"}, {"status": "nothing"}, {"as_of": "2026-13-40"}):
            assert office.get(PAGE, params=bad).status_code == 200
        menu = office.get("/admin/localities/ga/goals").text
        assert 'href="/admin/localities/ga/goals/status"' in menu
    with browser("other_office") as other:  # another locality: its own sets only
        own = other.get("/admin/localities/gb/goals/status", params=MAY)
        assert own.status_code == 200 and sets(own.text) == [] and NO_GOALS in own.text
        assert other.get(PAGE, params=MAY).status_code in (403, 404)
    for name in ("admin_a", "member"):
        with browser(name) as reader:
            assert reader.get(PAGE, params=MAY).status_code == 403
            assert 'href="/admin/localities/ga/goals/status"' not in reader.get("/admin/localities/ga/goals/mine").text
