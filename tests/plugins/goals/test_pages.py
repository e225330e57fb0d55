"""The goals' console pages over HTTP, on both databases: a unit admin adds a goal and a
sub-goal, decomposes it (the share difference shown and refused), publishes, reports progress;
bad numbers and periods are shown on the form and write nothing; CSRF, English, and 404 for other
units, other localities and a locality that has not enabled goals."""

from __future__ import annotations

import pytest

from core.services.plugins import PluginSettingIn, set_plugin
from plugins.goals import progress
from tests.core.web.test_downloads import saved_as
from tests.helpers import browser_session
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import SYSTEM, YEAR, make_world

BASE = "/admin/localities/ga/goals"


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)

    return world, lambda name: browser_session(ctx, live_server.url, world.actors[name].user_id)


def form(client, **fields):
    return {"_csrf": client.csrf, **fields}


def test_a_unit_admin_enters_decomposes_publishes_and_reports(ctx, site):
    world, session = site
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with session("admin_a") as admin:
        page = admin.get(BASE, params=where)
        assert page.status_code == 200 and "工作目标" in page.text and "县财政局领导班子" in page.text
        added = admin.post(
            f"{BASE}/new",
            data=form(
                admin,
                **where,
                name="财政收入增长",
                kind="quantitative",
                indicator_id=world.indicator,
                baseline="10",
                target="12",
                weight="2",
                start=f"{YEAR}-01-01",
                end=f"{YEAR}-12-31",
                source="县委县政府",
                counts_for_assessment="1",
            ),
            follow_redirects=True,
        )
        assert added.status_code == 200 and "财政收入增长" in added.text and "草稿" in added.text
        top = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR).goals[0]
        assert (top.baseline, top.target, top.weight, top.source) == (10, 12, 2, "县委县政府")
        admin.post(
            f"{BASE}/new",
            data=form(
                admin,
                **where,
                parent_id=top.id,
                name="清理欠税",
                kind="qualitative",
                weight="1",
                start=f"{YEAR}-01-01",
                end=f"{YEAR}-06-30",
            ),
        )
        sub = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR).goals[1]
        assert sub.parent_id == top.id and sub.depth == 1

        li, wang = world.people["李明"], world.people["王芳"]
        people = admin.get(f"{BASE}/{sub.id}/people")
        assert "李明" in people.text and "王芳" in people.text and "周五" not in people.text  # the team only
        short = admin.post(
            f"{BASE}/{sub.id}/people",
            data=form(
                admin,
                **{
                    f"on-{li}": "1",
                    f"role-{li}": "主办",
                    f"share-{li}": "60",
                    f"on-{wang}": "1",
                    f"role-{wang}": "协办",
                    f"share-{wang}": "30",
                },
            ),
        )
        assert short.status_code == 422 and "还差 10%" in short.text and "清理欠税" in short.text
        saved = admin.post(
            f"{BASE}/{sub.id}/people",
            data=form(
                admin,
                **{
                    f"on-{li}": "1",
                    f"role-{li}": "主办",
                    f"share-{li}": "60",
                    f"on-{wang}": "1",
                    f"role-{wang}": "协办",
                    f"share-{wang}": "40",
                },
            ),
            follow_redirects=True,
        )
        assert "李明（主办 60.0%）" in saved.text

        published = admin.post(f"{BASE}/publish", data=form(admin, **where), follow_redirects=True)
        assert "已发布 2 个目标" in published.text and 'id="publish"' not in published.text

        bad = admin.post(f"{BASE}/{top.id}/progress", data=form(admin, period=f"{YEAR}-Q1", actual="很多"))
        assert bad.status_code == 422 and "很多 不是数字" in bad.text
        parent = admin.post(f"{BASE}/{top.id}/progress", data=form(admin, period=f"{YEAR}-Q1", actual="11"))
        assert parent.status_code == 422 and "有子目标" in parent.text
        outside = admin.post(f"{BASE}/{sub.id}/progress", data=form(admin, period=f"{YEAR}-Q3", percent="10"))
        assert outside.status_code == 422 and "不在目标的起止时间" in outside.text
        report = admin.post(
            f"{BASE}/{sub.id}/progress",
            data=form(admin, period=f"{YEAR}-Q1", percent="100", work_done="清理完毕"),
            follow_redirects=True,
        )
        assert "进度已保存" in report.text and "清理完毕" in report.text and "🚩" in report.text
        edited = admin.post(
            f"{BASE}/{sub.id}/edit",
            data=form(
                admin,
                name="清理历史欠税",
                parent_id=top.id,
                kind="qualitative",
                weight="1",
                start=f"{YEAR}-01-01",
                end=f"{YEAR}-06-30",
            ),
            follow_redirects=True,
        )
        assert "清理历史欠税" in edited.text and "发布后已修改" in edited.text
        versions = admin.get(f"{BASE}/{sub.id}/edit")
        assert "发布后的修改" in versions.text and "名称: 清理欠税 → 清理历史欠税" in versions.text


def test_csrf_english_and_404s(ctx, site):
    world, session = site
    target = goal(ctx, world, "招商")
    with session("admin_a") as admin:
        assert admin.post(f"{BASE}/{target.id}/progress", data={"period": "2026-03", "percent": "5"}).status_code == 403
        english = admin.get(f"{BASE}/{target.id}/progress", params={"lang": "en"})
        assert "Month or quarter" in english.text
    with session("admin_b") as other:
        assert other.get(f"{BASE}/{target.id}/edit").status_code == 404
        assert other.get(f"{BASE}/{target.id}/people").status_code == 404
    with session("other_office") as other:
        assert other.get(f"{BASE}/{target.id}/progress").status_code == 404
    with session("member") as member:  # a member: not the console's goal pages
        assert member.get(BASE).status_code == 404
    set_plugin(ctx, SYSTEM, "ga", "goals", PluginSettingIn(enabled=False))
    with session("admin_a") as admin:
        assert admin.get(BASE).status_code == 404


def test_the_progress_sheet_round_trip_on_the_tree_page(ctx, site):
    import io

    from openpyxl import load_workbook

    world, session = site
    target = goal(ctx, world, "制度建设")
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with session("admin_a") as admin:
        download = admin.get(f"{BASE}/workbook", params=where)
        assert download.status_code == 200 and download.headers["content-type"].startswith("application/vnd.openxml")
        assert saved_as(download.headers["content-disposition"]) == (
            f"工作目标-单位{world.unit_a}-{YEAR}年.xlsx",
            f"goals-{world.unit_a}-{YEAR}.xlsx",
        )
        book = load_workbook(io.BytesIO(download.content))
        sheet = book["进度"]
        sheet["D2"], sheet["F2"] = f"{YEAR}-03", "一半"

        def upload(book):
            out = io.BytesIO()
            book.save(out)
            files = {"file": ("进度.xlsx", out.getvalue(), "application/octet-stream")}
            return admin.post(f"{BASE}/progress-sheet", data=form(admin, **where), files=files, follow_redirects=True)

        bad = upload(book)
        assert bad.status_code == 422 and "文件中有 1 处问题，未导入任何数据" in bad.text
        assert "<td>2</td><td>完成百分比</td><td>一半 不是数字</td>" in bad.text
        sheet["F2"] = 60
        good = upload(book)
        assert good.status_code == 200 and "已导入 1 条进度" in good.text and "60.0%" in good.text
        assert progress.goal_detail(ctx, world.actors["admin_a"], "ga", target.id).percent == 60.0


def test_a_member_finds_their_goals_and_reports_on_a_phone_page(ctx, site):
    from plugins.goals import shares
    from plugins.goals.schemas import AssignIn, ShareIn

    world, session = site
    mine = goal(ctx, world, "制度建设")
    goal(ctx, world, "别人的目标")
    shares.assign(
        ctx,
        world.actors["admin_a"],
        "ga",
        mine.id,
        AssignIn(people=[ShareIn(person_id=world.people["李明"], role="主办", share=100)]),
    )
    with session("member") as member:
        page = member.get(f"{BASE}/mine", params={"year": YEAR})
        assert page.status_code == 200 and "制度建设" in page.text and "别人的目标" not in page.text
        assert f"{BASE}/{mine.id}/progress" in page.text
        saved = member.post(
            f"{BASE}/{mine.id}/progress",
            data=form(member, period=f"{YEAR}-03", percent="30", work_done="起草制度"),
            follow_redirects=True,
        )
        assert "进度已保存" in saved.text and "返回我的工作目标" in saved.text
    with session("outsider") as outsider:  # of the unit, no goal given: an empty list, and 404 on the goal
        assert "今年没有分解给您的工作目标" in outsider.get(f"{BASE}/mine", params={"year": YEAR}).text
        assert outsider.get(f"{BASE}/{mine.id}/progress").status_code == 404
