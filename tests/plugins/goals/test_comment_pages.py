"""The goals' comments pages over HTTP, on both databases: a county leader comments on a
published goal with a kind, the unit answers privately and publicly, the unanswered count, the
kind filter, a public account where allowed, the office removes a duplicate; files of a progress
report uploaded, sniffed, served only to readers and followers; CSRF and 404s."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import AuditEntry
from plugins.goals import discussion, progress, service
from plugins.goals.following import followed_goal
from plugins.goals.schemas import ProgressIn
from tests.core.services.test_attachments import pdf
from tests.helpers import browser_session
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR, account, enable, make_world

BASE = "/admin/localities/ga/goals"
ZH = {"lang": "zh_CN"}  # the language chosen sticks to the session


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)
    world.actors["county_leader"] = account(ctx, "ga", "xianzhang", "leader")
    world.actors["public"] = account(ctx, "ga", "citizen", "public")

    return world, lambda name: browser_session(ctx, live_server.url, world.actors[name].user_id)


def form(client, **fields):
    return {"_csrf": client.csrf, **fields}


def published_goal(ctx, world, name="招商引资"):
    target = goal(ctx, world, name)
    service.publish(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    return target


def test_the_pages_read_the_same_in_english_and_chinese(ctx, site):
    """Issue #14: the default kinds of comment in the page's language (the form still sends the
    kind as kept), counts without broken English plurals, a private answer's note in full-width
    brackets on a Chinese page, the set chooser's "the unit itself" in lower case."""
    world, session = site
    target = published_goal(ctx, world)
    page = f"{BASE}/{target.id}/comments"
    with session("county_leader") as leader:
        leader.post(page, data=form(leader, body="请说明进度", kind="举报"))
        english = leader.get(page, params={"lang": "en"}).text
        assert '<span class="kind">Complaint</span>' in english and '<option value="举报">Complaint</option>' in english
        assert ">Review · 0</a>" in english and ">举报<" not in english and ">点评 · " not in english
        assert '<option value="建议">建议</option>' in leader.get(page, params=ZH).text  # Chinese: as kept
    [comment] = discussion.read(ctx, world.actors["office"], "ga", target.id).comments
    with session("admin_a") as admin:
        overview = admin.get(f"{BASE}/comments", params={"year": YEAR, "unit_id": world.unit_a, "lang": "en"}).text
        assert "Comments waiting for your answer: 1" in overview and "<th>Complaint</th>" in overview
        assert "有 1 条点评等待答复。" in admin.get(f"{BASE}/comments", params={"year": YEAR, **ZH}).text
        admin.post(f"{page}/{comment.id}/answer", data=form(admin, body="内部情况说明"))  # private
        chinese = admin.get(page, params=ZH).text
        assert "单位答复（仅点评人可见）" in chinese and "(仅点评人可见)" not in chinese
        assert "The unit answered, only to the commenter" in admin.get(page, params={"lang": "en"}).text
        where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
        tree = admin.get(BASE, params={**where, "lang": "en"}).text
        assert '<option value="">the unit itself</option>' in tree and "Goals: 1; " in tree
        assert '<option value="">本单位</option>' in admin.get(BASE, params={**where, **ZH}).text
    with session("office") as office:
        status = office.get(f"{BASE}/status", params={"year": YEAR, "lang": "en"}).text
        assert "Goal sets: 1; goals: 1; top goals:" in status
        assert "共 1 套目标、1 个目标；一级目标：" in office.get(f"{BASE}/status", params={"year": YEAR, **ZH}).text


def test_a_county_leader_comments_and_the_unit_answers(ctx, site):
    world, session = site
    target = published_goal(ctx, world)
    page = f"{BASE}/{target.id}/comments"
    with session("county_leader") as leader:
        seen = leader.get(page)
        assert seen.status_code == 200 and "招商引资" in seen.text and "点评类型" in seen.text
        assert leader.post(page, data={"body": "x", "kind": "建议"}).status_code == 403  # no CSRF token
        refused = leader.post(page, data=form(leader, body="请说明", kind="表扬"))
        assert refused.status_code == 422 and "点评类型只能是：点评、建议、举报" in refused.text
        assert "请说明" in refused.text  # the text is kept
        done = leader.post(page, data=form(leader, body="建议引进龙头企业", kind="建议"), follow_redirects=True)
        assert done.status_code == 200 and "建议引进龙头企业" in done.text
        leader.post(page, data=form(leader, body="请说明进度", kind="点评"))
        only = leader.get(page, params={"kind": "建议"})
        assert "建议引进龙头企业" in only.text and "请说明进度" not in only.text
        assert leader.get(f"{BASE}/comments", params={"year": YEAR}).text.count(f'data-goal="{target.id}"') == 1
    first, second = [c.id for c in discussion.read(ctx, world.actors["office"], "ga", target.id).comments]
    with session("admin_a") as admin:
        waiting = admin.get(f"{BASE}/comments", params={"year": YEAR, "unit_id": world.unit_a})
        assert "有 2 条点评等待答复。" in waiting.text
        empty = admin.post(f"{page}/{first}/answer", data=form(admin, body="  "))
        assert empty.status_code == 422 and '<p class="error" role="alert">答复：1 至 2000 个字符</p>' in empty.text
        admin.post(f"{page}/{first}/answer", data=form(admin, body="已对接三家企业", public="1"))
        admin.post(f"{page}/{second}/answer", data=form(admin, body="内部情况说明"))  # private
        after = admin.get(page)
        assert "等待答复" not in after.text and "仅点评人可见" in after.text
    with session("admin_b") as other_unit:  # another unit follows: the public answer only
        text = other_unit.get(page).text
        assert "已对接三家企业" in text and "内部情况说明" not in text
        assert other_unit.post(f"{page}/{first}/answer", data=form(other_unit, body="x")).status_code == 403
    with session("county_leader") as leader:
        assert "内部情况说明" in leader.get(page).text  # the commenter reads the private answer
    for name in ("qian", "other_office", "public"):  # a cadre of another unit, another locality, no option
        with session(name) as outsider:
            assert outsider.get(page).status_code == 404
            assert outsider.post(page, data=form(outsider, body="x", kind="点评")).status_code == 404
    enable(ctx, "ga", public_comments=True)
    with session("public") as citizen:
        assert "已对接三家企业" in citizen.get(page).text
        assert citizen.post(page, data=form(citizen, body="何时完工？", kind="建议")).status_code == 303
        assert citizen.get(f"{BASE}/comments", params={"year": YEAR}).status_code == 200
        assert citizen.get(BASE).status_code == 404  # the tree stays the unit's and the office's


def test_the_office_removes_a_duplicate_after_confirming(ctx, site):
    world, session = site
    target = published_goal(ctx, world)
    page = f"{BASE}/{target.id}/comments"
    with session("county_leader") as leader:
        leader.post(page, data=form(leader, body="请补充材料"))
        leader.post(page, data=form(leader, body="请补充材料"))
    first, duplicate = [c.id for c in discussion.read(ctx, world.actors["office"], "ga", target.id).comments]
    with session("admin_b") as other_unit:
        assert other_unit.post(f"{page}/{duplicate}/delete", data=form(other_unit)).status_code == 403
    with session("office") as office:
        text = office.get(page).text
        assert "删除这条点评？删除记录会保留在审计日志中。" in text  # the confirmation asked first
        english = office.get(page, params={"lang": "en"}).text
        assert "Delete this comment? It is kept in the audit log." in english and "Kind of comment" in english
        assert office.post(f"{page}/{duplicate}/delete", data={}).status_code == 403  # no CSRF token
        assert office.post(f"{page}/{duplicate}/delete", data=form(office)).status_code == 303
    assert [c.id for c in discussion.read(ctx, world.actors["office"], "ga", target.id).comments] == [first]
    with ctx.db.read() as db:
        assert db.exec(select(AuditEntry).where(AuditEntry.action == "comment.delete")).one().actor == "office-ga"


def test_files_of_a_progress_report(ctx, site):
    world, session = site
    target = goal(ctx, world, "招商引资")
    report = progress.report(ctx, world.actors["admin_a"], "ga", target.id, ProgressIn(period=f"{YEAR}-Q1", percent=20))
    files = f"{BASE}/{target.id}/progress/{report.id}/attachments"
    with session("admin_a") as admin:
        content = pdf()
        sent = admin.post(files, data={"_csrf": admin.csrf}, files={"file": ("合同.pdf", content, "application/pdf")})
        assert sent.status_code == 303
        renamed = admin.post(
            files, data={"_csrf": admin.csrf}, files={"file": ("x.pdf", b"MZ\x90\x00program", "application/pdf")}
        )
        assert renamed.status_code == 422 and "x.pdf" in renamed.text
        page = admin.get(f"{BASE}/{target.id}/comments")
        assert "合同.pdf" in page.text
        [file_id] = [f.id for f in followed_goal(ctx, world.actors["admin_a"], "ga", target.id).reports[0].files]
        got = admin.get(f"{files}/{file_id}")
        assert got.status_code == 200 and got.content == content
        assert "attachment" in got.headers["content-disposition"]
    with session("admin_b") as other_unit:  # a draft: not followed
        assert other_unit.get(f"{files}/{file_id}").status_code == 404
    service.publish(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    with session("admin_b") as other_unit:
        assert other_unit.get(f"{files}/{file_id}").status_code == 200
        refused = other_unit.post(
            files, data={"_csrf": other_unit.csrf}, files={"file": ("a.pdf", pdf(), "application/pdf")}
        )
        assert refused.status_code == 403
    with session("other_office") as other:
        assert other.get(f"{files}/{file_id}").status_code == 404
