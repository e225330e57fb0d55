"""A whole goal tree imported from a sheet (plugins/goals/tree_sheet.py) on both databases: an
exported workbook imports back as a copy of its tree with every field and its people; bad rows
(unknown parent code, a code twice, a cycle, shares not summing to 100 %, a person outside the
team, an unknown indicator, not a number, not a date) are refused by row and column with nothing
written; the tree page's form shows the problems in Chinese."""

from __future__ import annotations

import io
from datetime import date, timedelta

import httpx
import pytest
from openpyxl import Workbook

from core.models import User
from core.services import auth
from core.services.errors import Forbidden, Invalid
from core.web.auth import SESSION_COOKIE
from plugins.goals import progress, service, shares, sheets, tree_sheet
from plugins.goals.schemas import AssignIn, ShareIn
from tests.helpers import never_5xx
from tests.plugins.goals.helpers import goal, revenue
from tests.plugins.goals.setup import YEAR, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def book(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheets.GOALS_SHEET
    sheet.append(sheets.GOAL_HEADER)
    for row in rows:
        sheet.append(row + [None] * (len(sheets.GOAL_HEADER) - len(row)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(code, parent, name, **cells) -> list:
    values = dict.fromkeys(sheets.GOAL_HEADER)
    values.update({"目标编号": code, "上级编号": parent, "目标名称": name}, **cells)
    return [values[c] for c in sheets.GOAL_HEADER]


def load(ctx, world, content, team=True, actor="admin_a"):
    return tree_sheet.import_tree(
        ctx, world.actors[actor], "ga", world.unit_a, world.team if team else None, YEAR, "goals.xlsx", content
    )


def test_an_exported_tree_imports_back_as_a_copy_with_every_field_and_its_people(ctx, world):
    top = revenue(ctx, world, source="县委县政府", supervising_unit_id=world.unit_b, standard="=完成12亿元", weight=3)
    sub = goal(ctx, world, "清理欠税", parent_id=top.id, end=date(YEAR, 6, 30), counts_for_assessment=False)
    goal(ctx, world, "深化改革", parent_id=sub.id, weight=2)
    shares.assign(
        ctx,
        world.actors["admin_a"],
        "ga",
        sub.id,
        AssignIn(
            people=[
                ShareIn(person_id=world.people["李明"], role="主办", share=70),
                ShareIn(person_id=world.people["王芳"], role="协办", share=30),
            ]
        ),
    )
    content = sheets.export_workbook(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    assert load(ctx, world, content, team=False) == 3  # into the unit's own goals: 李明 and 王芳 are of unit A
    copied = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, None, YEAR)
    original = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    fields = (
        "name weight kind source supervising_unit_id start end standard indicator_id baseline target direction "
        "counts_for_assessment depth"
    ).split()
    assert [[getattr(g, f) for f in fields] for g in copied.goals] == [
        [getattr(g, f) for f in fields] for g in original.goals
    ]
    assert [(p.person_id, p.role, p.share) for p in copied.goals[1].people] == [
        (world.people["李明"], "主办", 70.0),
        (world.people["王芳"], "协办", 30.0),
    ]
    assert not copied.published and copied.drafts == 3
    by_name = {g.name: g for g in copied.goals}
    assert (
        by_name["深化改革"].parent_id == by_name["清理欠税"].id
        and by_name["清理欠税"].parent_id == by_name["一般公共预算收入增长"].id
    )


def test_bad_rows_are_refused_by_row_and_column_and_nothing_is_written(ctx, world):
    goal(ctx, world, "已有目标")
    content = book(
        [
            row("A", None, "经济发展", 责任人="李明:主办:60;王芳:协办:30"),  # 2: 90 %
            row("B", "Z", "招商引资"),  # 3: no row Z
            row("A", None, "重复编号"),  # 4: A twice
            row("C", "D", "甲"),  # 5: C -> D -> C
            row("D", "C", "乙"),
            row("E", None, "丙", 责任人="周五:主办:100"),  # 7: 周五 is of unit A, not of the team
            row("F", None, "丁", 权重="很重", 开始日期="三月"),  # 8
            row("G", None, "戊", 类型="定量", 指标代码="nope", 基数=1, 目标值=2),  # 9
            row("H", None, "己", 责任人="李明:组长:100"),  # 10: not a role of the list
            row("I", None, "庚", 开始日期="2026-05-01", 结束日期="2026-03-01"),  # 11: ends before it starts
        ]
    )
    with pytest.raises(Invalid) as raised:
        load(ctx, world, content)
    found = {(e["row"], e["column"]): e["message"] for e in raised.value.errors}
    assert found == {
        (2, "责任人"): "the shares sum to 90 %, 10 % short of 100 %",
        (3, "上级编号"): "no row has the code Z",
        (4, "目标编号"): "the code A is also on row 2",
        (5, "上级编号"): "the parents of C go round in a circle: C → D → C",
        (7, "责任人"): "周五 is not a member of the team or unit the goals belong to",
        (8, "权重"): "很重 is not a number",
        (8, "开始日期"): "三月 is not a date (2026-03-31)",
        (9, "指标代码"): "no indicator with the code nope in the dictionary",
        (10, "责任人"): "the role 组长 is not in the list: 主办、协办",
        (11, "结束日期"): f"the goal ends ({date(YEAR, 3, 1)}) before it starts ({date(YEAR, 5, 1)})",
    }
    names = [
        g.name for g in progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR).goals
    ]
    assert names == ["已有目标"]  # nothing written


def test_only_the_sets_writers_import_and_new_goals_go_after_the_existing_ones(ctx, world):
    goal(ctx, world, "已有目标")
    content = book([row("1", None, "新目标"), row("1.1", "1", "子目标", 权重=2)])
    with pytest.raises(Forbidden):
        load(ctx, world, content, actor="member")
    with pytest.raises(Invalid):
        load(ctx, world, book([]))
    assert load(ctx, world, content) == 2
    tree = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    assert [(g.name, g.depth) for g in tree.goals] == [("已有目标", 0), ("新目标", 0), ("子目标", 1)]
    service.publish(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)


def test_the_tree_page_imports_a_tree_and_lists_problems_in_chinese(ctx, world, live_server):
    with ctx.db.read() as db:
        user = db.get(User, world.actors["admin_a"].user_id)
    issued = auth.issue_token(ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        cookies={SESSION_COOKIE: issued.token},
        event_hooks={"response": [never_5xx]},
    ) as admin:
        page = admin.get("/admin/localities/ga/goals", params=where).text
        assert 'action="/admin/localities/ga/goals/tree-sheet"' in page and "导入目标" in page

        def upload(content):
            files = {"file": ("目标.xlsx", content, "application/octet-stream")}
            data = {"_csrf": issued.csrf_token, **where}
            return admin.post("/admin/localities/ga/goals/tree-sheet", data=data, files=files, follow_redirects=True)

        bad = upload(book([row("A", "B", "经济发展", 责任人="李明:主办:60")]))
        assert bad.status_code == 422 and "文件中有 2 处问题，未导入任何数据" in bad.text
        assert "<td>2</td><td>上级编号</td><td>没有目标编号为 B 的行</td>" in bad.text
        assert "<td>2</td><td>责任人</td><td>责任比重合计 60%，距 100% 还差 40%</td>" in bad.text
        good = upload(book([row("A", None, "经济发展", 责任人="李明:主办:60;王芳:协办:40")]))
        assert good.status_code == 200 and "已导入 1 个目标（草稿）" in good.text and "经济发展" in good.text
