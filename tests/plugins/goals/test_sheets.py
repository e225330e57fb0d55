"""The goals' workbook on both databases: every field exported, the empty progress sheet filled
and read back, and bad rows (unknown goal, not a number, outside the span, twice, a parent goal)
refused by row and column with nothing written; a .csv of the same columns."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from core.services.errors import Invalid, NotFound
from plugins.goals import progress, shares, sheets
from plugins.goals.schemas import AssignIn, ShareIn
from tests.plugins.goals.helpers import goal, revenue
from tests.plugins.goals.setup import YEAR, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


@pytest.fixture
def goals(ctx, world):
    top = revenue(ctx, world, source="县委县政府", supervising_unit_id=world.unit_b, standard="=完成12亿元")
    sub = goal(ctx, world, "清理欠税", parent_id=top.id, end=date(YEAR, 6, 30))
    other = goal(ctx, world, "制度建设", weight=2)
    shares.assign(
        ctx,
        world.actors["admin_a"],
        "ga",
        other.id,
        AssignIn(
            people=[
                ShareIn(person_id=world.people["李明"], role="主办", share=70),
                ShareIn(person_id=world.people["王芳"], role="协办", share=30),
            ]
        ),
    )
    return top, sub, other


def export(ctx, world, actor="admin_a"):
    content = sheets.export_workbook(ctx, world.actors[actor], "ga", world.unit_a, world.team, YEAR)
    return load_workbook(io.BytesIO(content))


def send(ctx, world, book, filename="goals.xlsx"):
    out = io.BytesIO()
    book.save(out)
    return sheets.import_progress(
        ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR, filename, out.getvalue()
    )


def reports(ctx, world):
    tree = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR, date(YEAR, 12, 31))
    return {g.name: (g.latest_period, g.percent) for g in tree.goals}


def test_the_workbook_holds_every_field_and_an_empty_progress_sheet(ctx, world, goals):
    top, sub, other = goals
    book = export(ctx, world, actor="member")  # a member may download it
    rows = list(book["目标"].values)
    assert rows[0] == tuple(sheets.GOAL_HEADER)
    assert rows[1][:10] == (
        top.id,
        None,
        "一般公共预算收入增长",
        1,
        "定量",
        "县委县政府",
        "县教育局",
        f"{YEAR}-01-01",
        f"{YEAR}-12-31",
        "=完成12亿元",
    )
    assert rows[1][10:16] == ("revenue", "亿元", 10, 12, "越高越好", "是")
    assert book["目标"]["J2"].data_type == "s"  # text that looks like a formula stays text
    assert rows[2][:3] == (sub.id, top.id, "清理欠税")
    assert rows[3][16] == "李明:主办:70;王芳:协办:30"
    progress_rows = list(book["进度"].values)
    assert progress_rows[0] == tuple(sheets.PROGRESS_HEADER)
    assert [(r[0], r[3], r[4]) for r in progress_rows[1:]] == [(sub.id, None, None), (other.id, None, None)]  # leaves


def test_a_filled_progress_sheet_imports_and_an_unfilled_row_is_skipped(ctx, world, goals):
    _top, sub, other = goals
    book = export(ctx, world)
    sheet = book["进度"]
    sheet["D2"], sheet["F2"], sheet["G2"], sheet["H2"] = f"{YEAR}-Q1", 100, "是", "清理完毕"
    sheet["D3"], sheet["F3"], sheet["I3"] = f"{YEAR}年3月", "40%", "调研延后"
    assert send(ctx, world, book) == 2
    assert reports(ctx, world) == {
        "一般公共预算收入增长": (None, 100.0),
        "清理欠税": (f"{YEAR}-Q1", 100.0),
        "制度建设": (f"{YEAR}-03", 40.0),
    }
    detail = progress.goal_detail(ctx, world.actors["admin_a"], "ga", other.id)
    assert detail.progress[0].delay_reasons == "调研延后"


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(ctx, world, goals):
    top, sub, other = goals
    book = export(ctx, world)
    sheet = book["进度"]
    sheet["D2"], sheet["F2"] = f"{YEAR}-Q3", 50  # 清理欠税 ends in June
    sheet["D3"], sheet["F3"] = f"{YEAR}-Q1", "很多"
    sheet.append([999999, "不存在", "定性", f"{YEAR}-Q1", None, 10])
    sheet.append([top.id, "一般公共预算收入增长", "定量", f"{YEAR}-Q1", 11])  # a parent rolls up
    sheet.append([other.id, "制度建设", "定性", f"{YEAR}-04", None, 20])
    sheet.append([other.id, "制度建设", "定性", f"{YEAR}年4月", None, 30])  # the same month again
    sheet.append([other.id, "制度建设", "定性", "2026-W10", None, 30])
    sheet.append([other.id, "制度建设", "定性", None, None, 30])
    with pytest.raises(Invalid) as raised:
        send(ctx, world, book)
    found = [(e["row"], e["column"], e["message"]) for e in raised.value.errors]
    assert raised.value.message == "7 problems in the file; nothing was imported"
    assert found == [
        (2, "期间", f"{YEAR}-Q3 is outside the goal's span, {YEAR}-01-01 to {YEAR}-06-30"),
        (3, "完成百分比", "很多 is not a number"),
        (4, "目标编号", "999999 is not a goal of this unit, team and year"),
        (5, "期间", "一般公共预算收入增长 has sub-goals: report their progress; it rolls up from them"),
        (7, "期间", f"goal {other.id} for {YEAR}-04 is also on row 6"),
        (8, "期间", "progress is reported by month (2026-03) or quarter (2026-Q1), not 2026-W10"),
        (9, "期间", "give the month or quarter of this row"),
    ]
    assert all(period is None for period, _ in reports(ctx, world).values())


def test_a_csv_with_the_progress_columns_and_a_workbook_without_them(ctx, world, goals):
    _top, sub, _other = goals
    csv = f"目标编号,期间,完成百分比,主要工作完成情况\n{sub.id},{YEAR}-02,30,走访\n".encode()
    assert sheets.import_progress(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR, "p.csv", csv) == 1
    with pytest.raises(Invalid) as raised:
        sheets.import_progress(
            ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR, "p.csv", b"a,b\n1,2\n"
        )
    assert [e["column"] for e in raised.value.errors] == ["目标编号", "期间"]
    with pytest.raises(NotFound):
        sheets.import_progress(ctx, world.actors["admin_b"], "ga", world.unit_a, world.team, YEAR, "p.csv", csv)
