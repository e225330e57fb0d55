"""Importing leadership teams: one row per member, members found by ID-card number or name,
supervised units by code; every row checked first, then all written or none (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import Locality, Person, Team, TeamMember, Unit
from core.services import imports
from core.services.errors import Invalid
from tests.core.services.test_imports import csv_bytes, id_card, make_locality, refused, run, xlsx_bytes

HEADER = "单位编码,班子名称,班子类型,姓名,身份证号,班子职务,行政职务,分管工作,分管部门,联系电话"
CARD_A = id_card("33010219800101001")
CARD_B = id_card("33010219820202002")


@pytest.fixture
def county(ctx):
    make_locality(ctx)
    run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称\nU001,县委办\nU002,县财政局\nU003,县教育局\n"))
    people = "姓名,单位编码,身份证号\n"
    people += f"王建国,U001,{CARD_A}\n李明,U001,\n李明,U002,\n赵丽,U002,{CARD_B}\n陈静,U003,\n"
    run(ctx, "people", "p.csv", csv_bytes(people))
    return ctx


def teams_of(ctx) -> dict[tuple[str, str], tuple[str, list[tuple]]]:
    """(unit code, team name) -> (type, [(member, post, admin post, in charge of, supervised codes, phone)])."""
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == "county-a")).one()
        units = {u.id: u.code for u in session.exec(select(Unit).where(Unit.locality_id == locality.id))}
        found = {}
        for team in session.exec(select(Team).where(Team.locality_id == locality.id)):
            rows = session.exec(
                select(TeamMember, Person.name)
                .join(Person, Person.id == TeamMember.person_id)
                .where(TeamMember.team_id == team.id)
                .order_by(TeamMember.id)
            ).all()
            found[(units[team.unit_id], team.name)] = (
                team.type,
                [
                    (name, m.post, m.admin_post, m.in_charge_of, [units[u] for u in m.supervised_unit_ids], m.phone)
                    for m, name in rows
                ],
            )
        return found


def test_a_team_sheet_creates_teams_with_their_members_in_order(county):
    sheet = csv_bytes(
        f"{HEADER}\n"
        f"U001,县委办领导班子,部门领导班子,王建国,{CARD_A},主任,县委办公室主任,全面工作,,0571-1\n"
        "U001,县委办领导班子,,李明,,副主任,,财务、后勤,U002、U003 U002,\n"
        "U002,财政局班子,department,赵丽,,局长,,,U002,\n"
    )
    result = run(county, "teams", "teams.csv", sheet)
    assert (result.kind, result.rows, result.created, result.updated) == ("teams", 3, 2, 0)
    assert teams_of(county) == {
        ("U001", "县委办领导班子"): (
            "department",
            [
                ("王建国", "主任", "县委办公室主任", "全面工作", [], "0571-1"),
                ("李明", "副主任", "", "财务、后勤", ["U002", "U003"], ""),  # the 李明 of the team's unit
            ],
        ),
        ("U002", "财政局班子"): ("department", [("赵丽", "局长", "", "", ["U002"], "")]),
    }


def test_importing_a_team_again_replaces_its_members_and_keeps_other_teams(county):
    run(
        county,
        "teams",
        "t.csv",
        csv_bytes(f"{HEADER}\nU001,甲班子,党委（党组）班子,王建国,,书记,,,,\nU003,乙班子,,陈静,,校长,,,,\n"),
    )
    result = run(county, "teams", "t.csv", csv_bytes(f"{HEADER}\nU001,甲班子,,赵丽,,副书记,,,,\n"))
    assert (result.created, result.updated) == (0, 1)
    teams = teams_of(county)
    assert teams[("U001", "甲班子")] == ("party_committee", [("赵丽", "副书记", "", "", [], "")])
    assert teams[("U003", "乙班子")] == ("other", [("陈静", "校长", "", "", [], "")])


def test_xlsx_with_the_template_header_imports_too(county):
    header = [spec.headers[0] for spec in imports.TEAM_COLUMNS]
    content = xlsx_bytes([header, ["U003", "教育局班子", "部门领导班子", "陈静", None, "局长", None, None, None, None]])
    assert run(county, "teams", "t.xlsx", content).created == 1
    assert teams_of(county)[("U003", "教育局班子")][1][0][0] == "陈静"


def test_bad_rows_are_all_listed_with_their_cells_and_nothing_is_written(county):
    sheet = csv_bytes(
        f"{HEADER}\n"
        "U009,某班子,,王建国,,,,,,\n"  # row 2: no such unit
        "U003,教育局班子,,李明,,,,,,\n"  # row 3: two 李明, none in U003
        f"U003,教育局班子,,陈静,{CARD_A},,,,,\n"  # row 4: the card is 王建国's
        "U003,教育局班子,俱乐部,张无,,,,,,\n"  # row 5: bad type, nobody of that name
        "U003,教育局班子,,陈静,,,,,U001、U404,\n"  # row 6: no unit U404
        "U003,教育局班子,,陈静,,,,,,\n"  # row 7: 陈静 twice
        "U003,教育局班子,,无名氏,,,,,,\n"
    )  # row 8: nobody of that name
    exc = refused(county, Invalid, "teams", "t.csv", sheet)
    found = {(e["row"], e["column"].split(" ")[0]): e["message"] for e in exc.errors}
    assert found == {
        (2, "单位编码"): "no unit with code U009 in this locality",
        (3, "姓名"): "2 people are named 李明; add the ID-card number to say which one",
        (4, "身份证号"): "this ID-card number is 王建国's, not 陈静's",
        (5, "班子类型"): found[(5, "班子类型")],
        (5, "姓名"): "no person named 张无 in this locality; import the people first",
        (6, "分管部门"): "no unit with code U404 in this locality",
        (7, "姓名"): "陈静 is already a member of this team on row 6",
        (8, "姓名"): "no person named 无名氏 in this locality; import the people first",
    }
    assert found[(5, "班子类型")].startswith("not a team type: write one of 党委（党组）班子、政府班子")
    assert teams_of(county) == {}


def test_the_errors_read_in_chinese(county):
    from core.i18n import Translator

    exc = refused(county, Invalid, "teams", "t.csv", csv_bytes(f"{HEADER}\nU003,班子,,李明,,,,,,\n"))
    assert Translator("zh_CN").translate(exc.errors[0]["message"]) == "有 2 人名为李明，请填写身份证号以确定是哪一位"


def test_a_person_of_another_locality_is_not_found(county, ctx):
    make_locality(ctx, "county-b")
    run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称\nB01,乙县委办\n"), code="county-b")
    exc = refused(
        ctx, Invalid, "teams", "t.csv", csv_bytes(f"{HEADER}\nB01,乙班子,,王建国,{CARD_A},,,,,\n"), code="county-b"
    )
    assert exc.errors[0]["message"] == "no person with this ID-card number in this locality; import the people first"


def test_the_template_has_the_team_columns():
    import io

    from openpyxl import load_workbook

    content = imports.template_workbook("teams")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "领导班子"
    assert [c.value for c in sheet[1]] == HEADER.split(",")
