"""Comments (点评) on one progress report, over HTTP on both databases: the same kinds, answers
and permissions as comments on the goal (followers of a published goal comment; a private answer
only for the commenter, the unit and the office; drafts, other units' readers and other
localities get 404; a comment of another report is not this report's), shown under the report on
the goal's page (zh-CN and en) and counted beside it on the progress entry, counted in the comments overview, gone with a deleted draft."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from core.models import AuditEntry, Comment, User
from core.services import auth
from core.web.auth import SESSION_COOKIE
from plugins.goals import progress, service
from plugins.goals.schemas import ProgressIn
from tests.helpers import never_5xx
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, account, make_world, token

API = "/api/localities/ga/goals"
PAGES = "/admin/localities/ga/goals"


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)
    world.actors["county_leader"] = account(ctx, "ga", "xianzhang", "leader")
    world.actors["public"] = account(ctx, "ga", "citizen", "public")

    def api(name: str, **headers: str) -> httpx.Client:
        return httpx.Client(
            base_url=live_server.url,
            timeout=30,
            headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}", **headers},
            event_hooks={"response": [never_5xx]},
        )

    def browser(name: str) -> httpx.Client:
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

    return world, api, browser


def reported(ctx, world, *, publish=True):
    """A qualitative goal of the team with reports for Q1 and Q2 (published unless told)."""
    target = goal(ctx, world, "招商引资", kind="qualitative")
    admin = world.actors["admin_a"]
    first = progress.report(ctx, admin, "ga", target.id, ProgressIn(period=f"{YEAR}-Q1", percent=20))
    second = progress.report(ctx, admin, "ga", target.id, ProgressIn(period=f"{YEAR}-Q2", percent=45))
    if publish:
        service.publish(ctx, admin, "ga", world.unit_a, world.team, YEAR)
    return target, first, second


def test_followers_comment_on_a_report_and_the_unit_answers(ctx, site):
    world, api, _ = site
    target, first, second = reported(ctx, world)
    on_first = f"{API}/{target.id}/progress/{first.id}/comments"
    with api("county_leader", **{"Accept-Language": "zh-CN"}) as leader:
        made = leader.post(on_first, json={"body": "一季度进度偏慢", "kind": "点评"})
        assert made.status_code == 201 and made.json()["kind"] == "点评"
        refused = leader.post(on_first, json={"body": "x", "kind": "表扬"})
        assert refused.status_code == 422 and "点评、建议、举报" in refused.text
        asked = leader.post(on_first, json={"body": "请说明原因", "kind": "建议"}).json()
    with api("admin_b") as other_unit:  # another unit follows the published goal
        suggested = other_unit.post(on_first, json={"body": "建议联合招商"}).json()
        assert suggested["kind"] == "点评"  # the first kind when none is chosen
    with api("admin_a") as admin:
        seen = admin.get(on_first).json()
        assert seen["report_id"] == first.id and seen["may_answer"] and seen["unanswered"] == 3
        assert seen["counts"] == {"点评": 2, "建议": 1}
        assert admin.get(on_first, params={"kind": "建议"}).json()["comments"][0]["body"] == "请说明原因"
        answer = f"{on_first}/{asked['id']}/answer"
        assert admin.put(answer, json={"body": "受疫情影响", "public": False}).json()["unanswered"] == 2
        public = admin.put(f"{on_first}/{suggested['id']}/answer", json={"body": "同意", "public": True})
        assert public.status_code == 200
        # a comment of the first report is not the second report's, nor the goal's
        assert (
            admin.put(
                f"{API}/{target.id}/progress/{second.id}/comments/{asked['id']}/answer", json={"body": "x"}
            ).status_code
            == 404
        )
        assert admin.put(f"{API}/{target.id}/comments/{asked['id']}/answer", json={"body": "x"}).status_code == 404
        assert admin.get(f"{API}/{target.id}/progress/{second.id}/comments").json()["comments"] == []
        assert admin.get(f"{API}/{target.id}/comments").json()["comments"] == []

    def answers(name):
        with api(name) as client:
            return {c["body"]: (c["answer"] or {}).get("body") for c in client.get(on_first).json()["comments"]}

    assert answers("county_leader")["请说明原因"] == "受疫情影响"  # the commenter reads the private answer
    assert answers("office")["请说明原因"] == "受疫情影响"
    assert answers("admin_b") == {"一季度进度偏慢": None, "请说明原因": None, "建议联合招商": "同意"}
    with api("admin_b") as other_unit:  # followers neither answer nor delete others' comments
        assert other_unit.put(f"{on_first}/{asked['id']}/answer", json={"body": "x"}).status_code == 403
        assert other_unit.delete(f"{on_first}/{asked['id']}").status_code == 403
    for name in ("qian", "other_office", "public"):  # a cadre of another unit, another locality, no option
        with api(name) as outsider:
            assert outsider.get(on_first).status_code == 404
            assert outsider.post(on_first, json={"body": "x"}).status_code == 404
    with api("office") as office:  # the office removes a duplicate (audited)
        assert office.delete(f"{on_first}/{suggested['id']}").status_code == 204
        assert [c["body"] for c in office.get(on_first).json()["comments"]] == ["一季度进度偏慢", "请说明原因"]
        overview = office.get(f"{API}/comments", params={"year": YEAR}).json()
        assert [(g["name"], g["comments"], g["counts"], g["unanswered"]) for g in overview["goals"]] == [
            ("招商引资", 2, {"点评": 1, "建议": 1}, 1)
        ]
        bad = office.get(f"{API}/{target.id}/progress/{2**31 - 1}/comments")
        assert bad.status_code == 404
    with ctx.db.read() as session:
        audited = session.exec(select(AuditEntry).where(AuditEntry.action == "comment.delete")).one()
        assert audited.target_id == f"{first.id}/comment/{suggested['id']}"


def test_drafts_are_the_units_and_deleting_the_draft_takes_the_comments(ctx, site):
    world, api, _ = site
    target, first, _second = reported(ctx, world, publish=False)
    on_first = f"{API}/{target.id}/progress/{first.id}/comments"
    for name in ("county_leader", "admin_b"):  # a draft is not followed
        with api(name) as follower:
            assert follower.get(on_first).status_code == 404
            assert follower.post(on_first, json={"body": "x"}).status_code == 404
    with api("member") as member:  # a member of the team reads the draft and comments
        assert member.post(on_first, json={"body": "需要财政支持"}).status_code == 201
    with api("admin_a") as admin:
        assert admin.get(f"{API}/comments", params={"year": YEAR}).json()["goals"][0]["unanswered"] == 1
        assert admin.delete(f"{API}/{target.id}").status_code == 204
    with ctx.db.read() as session:
        assert session.exec(select(Comment).where(Comment.target_type == "goals.progress")).all() == []


def test_comments_under_each_report_on_the_goal_page(ctx, site):
    world, _, browser = site
    target, first, second = reported(ctx, world)
    page = f"{PAGES}/{target.id}/comments"
    on_second = f"{PAGES}/{target.id}/progress/{second.id}/comments"
    with browser("county_leader") as leader:
        seen = leader.get(page)
        assert seen.status_code == 200 and seen.text.count("对本期进度的点评 · 0") == 2
        assert leader.post(on_second, data={"body": "x"}).status_code == 403  # no CSRF token
        refused = leader.post(on_second, data={"_csrf": leader.csrf, "body": "二季度加快", "kind": "表扬"})
        assert refused.status_code == 422 and "点评类型只能是：点评、建议、举报" in refused.text
        assert "二季度加快" in refused.text  # the text is kept under its report
        done = leader.post(on_second, data={"_csrf": leader.csrf, "body": "二季度加快了", "kind": "建议"})
        assert done.status_code == 303 and done.headers["location"].endswith(f"#report-{second.id}")
        english = leader.get(page, params={"lang": "en"}).text
        assert "Comments on this report · 1" in english and "Comments on this report · 0" in english
    comment_id = None
    with browser("admin_a") as admin:
        text = admin.get(page).text
        report_block = text[text.index(f'id="report-{second.id}"') : text.index(f'id="report-{first.id}"')]
        assert "二季度加快了" in report_block and "有 1 条点评等待答复。" in report_block
        entry = admin.get(f"{PAGES}/{target.id}/progress").text  # the progress entry counts them per report
        assert f'comments#report-{second.id}" class="report-comments">1</a>' in entry
        assert f'comments#report-{first.id}" class="report-comments">0</a>' in entry

        comment_id = int(re.search(r'id="comment-(\d+)"', report_block).group(1))
        empty = admin.post(f"{on_second}/{comment_id}/answer", data={"_csrf": admin.csrf, "body": " "})
        assert empty.status_code == 422 and "答复：1 至 2000 个字符" in empty.text
        answered = admin.post(f"{on_second}/{comment_id}/answer", data={"_csrf": admin.csrf, "body": "已加派人手"})
        assert answered.status_code == 303
        assert "仅点评人可见" in admin.get(page).text  # no "public" box: a private answer
    with browser("admin_b") as other_unit:
        assert "已加派人手" not in other_unit.get(page).text and "二季度加快了" in other_unit.get(page).text
    with browser("county_leader") as leader:
        assert "已加派人手" in leader.get(page).text
        gone = leader.post(f"{on_second}/{comment_id}/delete", data={"_csrf": leader.csrf})
        assert gone.status_code == 303 and "二季度加快了" not in leader.get(page).text
    with browser("qian") as outsider:
        assert outsider.post(on_second, data={"_csrf": outsider.csrf, "body": "x"}).status_code == 404
