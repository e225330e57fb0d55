"""The import service: every row is checked first; then all rows are written, or none.

Each test runs on SQLite and on PostgreSQL (the ``ctx`` fixture).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from core import tabular
from core.context import Actor
from core.models import AuditEntry, Locality, Person, Unit
from core.schemas.localities import LocalityIn
from core.services import import_sheets, imports, localities
from core.services.errors import Invalid, NotFound, TooLarge

DEMO = Path(__file__).resolve().parents[3] / "core" / "demo_data"
SHARED_GBK = Path("/work/shared/data/county-people-gbk.csv")
ACTOR = Actor.system("test")

UNITS_CSV = (DEMO / "county-units.csv").read_bytes()
PEOPLE_CSV = (DEMO / "county-people.csv").read_bytes()
PEOPLE_HEADER = "姓名,性别,出生年月,民族,学历,学位,毕业院校,籍贯,政治面貌,现任职务,职级,单位编码,任现职时间,身份证号"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_card(first17: str) -> str:
    """A valid 18-character ID-card number (GB 11643 check character) for ``first17``."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def bad_check(card: str) -> str:
    """The same number with a wrong check character."""
    return card[:17] + ("0" if card[17] != "0" else "1")


def make_locality(ctx, code: str = "county-a") -> str:
    localities.create(ctx, ACTOR, LocalityIn(code=code, name=code))
    return code


def run(ctx, kind: str, filename: str, content: bytes, code: str = "county-a") -> imports.ImportResult:
    return imports.import_file(ctx, ACTOR, code, kind, filename, content)


def csv_bytes(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def counts(ctx) -> dict[str, int]:
    with ctx.db.read() as session:
        return {
            "units": session.exec(select(func.count()).select_from(Unit)).one(),
            "people": session.exec(select(func.count()).select_from(Person)).one(),
            "audit": session.exec(select(func.count()).select_from(AuditEntry)).one(),
        }


def people_of(ctx, code: str) -> list[tuple]:
    """(name, gender, birth_date, post, unit code, post_since) of everyone in a locality, sorted."""
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        rows = session.exec(
            select(Person, Unit).join(Unit, Unit.id == Person.unit_id).where(Person.locality_id == locality.id)
        ).all()
        return sorted((p.name, p.gender, p.birth_date, p.post, u.code, p.post_since) for p, u in rows)


def units_of(ctx, code: str) -> dict[str, Unit]:
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        return {u.code: u for u in session.exec(select(Unit).where(Unit.locality_id == locality.id))}


def refused(ctx, error_type, kind: str, filename: str, content: bytes, code: str = "county-a"):
    """Run an import that must fail with ``error_type`` and write nothing at all; return the error."""
    before = counts(ctx)
    with pytest.raises(error_type) as info:
        run(ctx, kind, filename, content, code)
    assert counts(ctx) == before, "a refused import must not write anything"
    assert info.value.message, "the error must say what is wrong"
    return info.value


def error_cells(exc) -> list[tuple[int, str]]:
    return [(e["row"], e["column"]) for e in exc.errors]


# --- good files ------------------------------------------------------------------------------


def test_units_csv_creates_all_units(ctx):
    make_locality(ctx)
    result = run(ctx, "units", "county-units.csv", UNITS_CSV)
    assert (result.kind, result.rows, result.created, result.updated) == ("units", 24, 24, 0)
    units = units_of(ctx, "county-a")
    assert len(units) == 24
    assert units["U001"].name == "县委办公室"
    assert units["U001"].type == "综合部门"
    assert units["U001"].contact_name == "郭刚浩"
    assert units["U001"].contact_phone == "0571-89586960"


def test_people_utf8_csv_creates_everyone_with_normalised_dates(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    result = run(ctx, "people", "county-people.csv", PEOPLE_CSV)
    assert (result.kind, result.rows, result.created, result.updated) == ("people", 287, 287, 0)
    people = people_of(ctx, "county-a")
    assert len(people) == 287
    by_name = {p[0]: p for p in people}
    # 石雨红,男,1984-09,...,县委办公室主任,正科级,U001,2020.12
    assert by_name["石雨红"] == ("石雨红", "男", "1984-09", "县委办公室主任", "U001", "2020-12")
    # 田雪浩,男,1994年09月,...,U001,2017.04
    assert by_name["田雪浩"][2] == "1994-09"
    assert by_name["田雪浩"][5] == "2017-04"
    # the file mixes 1984-09, 1984.09 and 1984年09月: all are stored as YYYY-MM
    assert all(re.fullmatch(r"\d{4}-\d{2}", p[2]) for p in people)
    assert all(re.fullmatch(r"\d{4}-\d{2}", p[5]) for p in people)
    source = list(csv.DictReader(io.StringIO(PEOPLE_CSV.decode("utf-8-sig"))))
    assert sorted(p[0] for p in people) == sorted(row["姓名"] for row in source)


def test_gbk_csv_gives_the_same_people_as_utf8(ctx):
    gbk = SHARED_GBK.read_bytes() if SHARED_GBK.exists() else PEOPLE_CSV.decode("utf-8-sig").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")  # really GBK, not UTF-8 in disguise
    for code, content in (("utf8", PEOPLE_CSV), ("gbk", gbk)):
        make_locality(ctx, code)
        run(ctx, "units", "county-units.csv", UNITS_CSV, code)
        assert run(ctx, "people", "roster.csv", content, code).created == 287
    utf8_people, gbk_people = people_of(ctx, "utf8"), people_of(ctx, "gbk")
    assert len(gbk_people) == 287
    assert gbk_people == utf8_people
    assert "田雪浩" in {p[0] for p in gbk_people}


def test_xlsx_imports_the_same_as_csv(ctx):
    def to_xlsx(content: bytes) -> bytes:
        return xlsx_bytes(list(csv.reader(io.StringIO(content.decode("utf-8-sig")))))

    for code, units, people, suffix in (
        ("csv", UNITS_CSV, PEOPLE_CSV, "csv"),
        ("xlsx", to_xlsx(UNITS_CSV), to_xlsx(PEOPLE_CSV), "xlsx"),
    ):
        make_locality(ctx, code)
        assert run(ctx, "units", f"units.{suffix}", units, code).created == 24
        assert run(ctx, "people", f"people.{suffix}", people, code).created == 287
    assert people_of(ctx, "xlsx") == people_of(ctx, "csv")
    assert {c: u.name for c, u in units_of(ctx, "xlsx").items()} == {c: u.name for c, u in units_of(ctx, "csv").items()}


def test_xlsx_date_cells_and_numbers_are_read_as_text(ctx):
    from datetime import date

    make_locality(ctx)
    run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称\nU001,县委办\n"))
    card = id_card("33010219850601001")
    content = xlsx_bytes(
        [
            ["姓名", "性别", "出生年月", "单位编码", "任现职时间", "身份证号"],
            ["张三", "男", date(1985, 6, 1), "U001", 202012, card],
        ]
    )
    assert run(ctx, "people", "people.xlsx", content).created == 1
    assert people_of(ctx, "county-a") == [("张三", "男", "1985-06", "", "U001", "2020-12")]


def test_csv_quoting_as_excel_writes_it_is_kept_exactly(ctx):
    make_locality(ctx)
    # Excel's "CSV UTF-8": CRLF between rows, "" for a quote inside a quoted cell, LF inside a cell
    only_doubled = '\ufeff单位编码,单位名称,职责\r\nU1,甲,"负责""三重一大""事项"\r\nU0,戊,x\r\n'
    assert run(ctx, "units", "u.csv", only_doubled.encode("utf-8")).created == 2
    content = '\ufeff单位编码,单位名称,职责\r\nU2,乙,"第一行\n第二行"\r\nU3,丙,"文电, 会务"\r\nU4,It\'s 丁,x\r\n'
    assert run(ctx, "units", "u.csv", content.encode("utf-8")).created == 3
    units = units_of(ctx, "county-a")
    assert units["U1"].duties == '负责"三重一大"事项'
    assert units["U2"].duties == "第一行\n第二行"
    assert units["U3"].duties == "文电, 会务"
    assert units["U4"].name == "It's 丁"
    # a cell over two lines is still one spreadsheet row: the next bad row is row 4, not line 5
    bad = '单位编码,单位名称,职责\r\nV1,甲,\r\nV2,乙,"一\n二"\r\nV3,,\r\n'
    exc = refused(ctx, Invalid, "units", "u.csv", bad.encode("utf-8"))
    assert error_cells(exc) == [(4, "单位名称 (B)")]


def test_semicolon_and_tab_separated_files_are_read(ctx):
    make_locality(ctx)
    assert run(ctx, "units", "u.csv", csv_bytes("单位编码;单位名称;单位类型\nS1;甲;乡镇\nS2;乙;乡镇\n")).created == 2
    assert run(ctx, "units", "u.txt", csv_bytes("单位编码\t单位名称\nT1\t丙\n")).created == 1
    units = units_of(ctx, "county-a")
    assert (units["S1"].name, units["S1"].type, units["T1"].name) == ("甲", "乡镇", "丙")


def test_a_utf8_bom_file_and_a_whole_gbk_file_are_read(ctx):
    make_locality(ctx)
    text = "单位编码,单位名称,单位类型\nB1,县财政局,经济部门\n"
    assert run(ctx, "units", "u.csv", csv_bytes("\ufeff" + text)).created == 1
    assert run(ctx, "units", "u.csv", text.replace("B1", "G1").replace("\n", "\r\n").encode("gbk")).created == 1
    units = units_of(ctx, "county-a")
    assert (units["B1"].name, units["B1"].type, units["G1"].name) == ("县财政局", "经济部门", "县财政局")


def test_excel_unicode_text_utf16_with_tabs_imports(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    roster = (
        "姓名\t性别\t出生年月\t单位编码\t现任职务\r\n"
        "张三\t男\t1985年06月\tU001\t科员, 兼文书\r\n"
        '李四\t女\t1990.10\tU002\t"副主任\n（挂职）"\r\n'
    )
    assert run(ctx, "people", "roster.txt", b"\xff\xfe" + roster.encode("utf-16-le")).created == 2
    people = {p[0]: p for p in people_of(ctx, "county-a")}
    assert people["张三"] == ("张三", "男", "1985-06", "科员, 兼文书", "U001", "")
    assert people["李四"][1:4] == ("女", "1990-10", "副主任\n（挂职）")


def test_a_utf8_file_with_one_gbk_row_is_refused_and_leaves_the_units_unchanged(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    before = {code: unit.name for code, unit in units_of(ctx, "county-a").items()}
    # UTF-8 with one row pasted from a GBK file: as a whole it also "decodes" as GB18030 (into
    # mojibake that would rename U001, U002 and U004)
    content = (
        "code,name\r\nU001,县财政局\r\nU002,县教育局\r\n".encode()
        + "U003,县公安局\r\n".encode("gbk")
        + "U004,县审计局\r\n".encode()
    )
    content.decode("gb18030")
    exc = refused(ctx, Invalid, "units", "units.csv", content)
    assert [(e["row"], e["column"], e["message"]) for e in exc.errors] == [
        (4, "", "not UTF-8 text like the rest of the file")
    ]
    assert "row(s) 4" in exc.message
    assert {code: unit.name for code, unit in units_of(ctx, "county-a").items()} == before


def test_a_formula_without_a_saved_value_is_refused_and_the_stored_data_is_kept(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    # written by a script, never opened in Excel: openpyxl saves the formula and no value
    content = xlsx_bytes(
        [
            ["单位编码", "单位名称", "联系人"],
            ["U001", "县委办公室", "郭刚浩"],
            ["U002", "县政府办公室", "=C2"],
            ["U003", "县委组织部", "薛文辉"],
        ]
    )
    exc = refused(ctx, Invalid, "units", "units.xlsx", content)
    assert exc.errors == [{"row": 3, "column": "C", "message": "sheet Sheet, cell C3: a formula without a saved value"}]
    assert "cell(s) C3" in exc.message
    assert units_of(ctx, "county-a")["U002"].contact_name == "龙思强"  # not erased with a blank


def test_reimporting_units_updates_instead_of_duplicating(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    changed = UNITS_CSV.replace("县委办公室".encode(), "中共县委办公室".encode(), 1)
    result = run(ctx, "units", "county-units.csv", changed)
    assert (result.rows, result.created, result.updated) == (24, 0, 24)
    units = units_of(ctx, "county-a")
    assert len(units) == 24
    assert units["U001"].name == "中共县委办公室"
    assert counts(ctx)["units"] == 24


def test_reimporting_people_with_id_cards_updates_them(ctx):
    make_locality(ctx)
    run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称\nU001,县委办\nU002,政府办\n"))
    card = id_card("33010219850601003")
    assert card.endswith("X")
    first = csv_bytes(f"{PEOPLE_HEADER}\n张三,男,1985-06,,,,,,,科员,,U001,2020-12,{card}\n")
    assert run(ctx, "people", "p.csv", first).created == 1
    # the same card in lower case x / moved to another unit with a new post: the same person
    second = csv_bytes(f"{PEOPLE_HEADER}\n张三,男,1985-06,,,,,,,科长,,U002,2023-01,{card.lower()}\n")
    result = run(ctx, "people", "p.csv", second)
    assert (result.created, result.updated) == (0, 1)
    assert people_of(ctx, "county-a") == [("张三", "男", "1985-06", "科长", "U002", "2023-01")]


def test_a_blank_cell_on_reimport_keeps_what_is_stored(ctx):
    # A roster from another system often leaves unknown cells empty: the import must not erase
    # what the office already has (a field is cleared on the person's or the unit's page).
    make_locality(ctx)
    run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称,联系人\nU001,县委办,郭刚浩\n"))
    card = id_card("33010219850601003")
    run(ctx, "people", "p.csv", csv_bytes(f"{PEOPLE_HEADER}\n张三,男,1985-06,,,,,,,科长,,U001,2020-12,{card}\n"))
    run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称,联系人\nU001,县委办公室,\n"))
    result = run(ctx, "people", "p.csv", csv_bytes(f"{PEOPLE_HEADER}\n张三,,,,,,,,,,,U001,,{card}\n"))
    assert (result.created, result.updated) == (0, 1)
    assert people_of(ctx, "county-a") == [("张三", "男", "1985-06", "科长", "U001", "2020-12")]
    unit = units_of(ctx, "county-a")["U001"]
    assert (unit.name, unit.contact_name) == ("县委办公室", "郭刚浩")


def test_reimporting_a_roster_without_id_cards_updates_the_same_people(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    first = run(ctx, "people", "county-people.csv", PEOPLE_CSV)
    assert (first.created, first.updated) == (287, 0)
    changed = PEOPLE_CSV.decode("utf-8-sig").replace("县委办公室主任", "县委办公室副主任", 1).encode("utf-8-sig")
    again = run(ctx, "people", "county-people.csv", changed)
    assert (again.created, again.updated) == (0, 287)
    people = people_of(ctx, "county-a")
    assert len(people) == 287
    assert ("石雨红", "男", "1984-09", "县委办公室副主任", "U001", "2020-12") in people


def test_two_rows_or_people_that_cannot_be_told_apart_without_id_cards_are_refused(ctx):
    make_locality(ctx)
    run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称\nU001,县委办\n"))
    twice = csv_bytes("姓名,出生年月,单位编码\n张三,1985-06,U001\n李四,1990-01,U001\n张三,1985-06,U001\n")
    exc = refused(ctx, Invalid, "people", "p.csv", twice)
    assert error_cells(exc) == [(4, "姓名 (A)")] and "row 2" in exc.errors[0]["message"]

    card_a, card_b = id_card("33010219850601001"), id_card("33010219850601002")
    header = "姓名,出生年月,单位编码,身份证号"
    run(ctx, "people", "p.csv", csv_bytes(f"{header}\n张三,1985-06,U001,{card_a}\n张三,1985-06,U001,{card_b}\n"))
    ambiguous = refused(ctx, Invalid, "people", "p.csv", csv_bytes("姓名,出生年月,单位编码\n张三,1985-06,U001\n"))
    assert error_cells(ambiguous) == [(2, "姓名 (A)")]
    assert "2 people already have this name, unit and birth date" in ambiguous.errors[0]["message"]


def test_parent_codes_may_point_to_later_rows_of_the_same_file(ctx):
    make_locality(ctx)
    content = csv_bytes("单位编码,单位名称,上级单位编码\nT1,乡政府办,T0\nT0,某乡,\nT2,乡综治办,T1\n")
    assert run(ctx, "units", "u.csv", content).created == 3
    units = units_of(ctx, "county-a")
    assert units["T0"].parent_id is None
    assert units["T1"].parent_id == units["T0"].id
    assert units["T2"].parent_id == units["T1"].id


def test_parent_code_may_name_a_unit_already_in_the_locality(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    assert run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称,上级单位编码\nX1,督查室,U001\n")).created == 1
    units = units_of(ctx, "county-a")
    assert units["X1"].parent_id == units["U001"].id


def test_a_parent_cycle_is_refused_naming_row_and_column(ctx):
    make_locality(ctx)
    content = csv_bytes("单位编码,单位名称,上级单位编码\nA,甲,B\nB,乙,A\n")
    exc = refused(ctx, Invalid, "units", "u.csv", content)
    assert error_cells(exc) == [(2, "上级单位编码 (C)"), (3, "上级单位编码 (C)")]
    assert all("cycle" in e["message"] for e in exc.errors)


def test_a_unit_cannot_be_its_own_parent(ctx):
    make_locality(ctx)
    exc = refused(ctx, Invalid, "units", "u.csv", csv_bytes("单位编码,单位名称,上级单位编码\nA,甲,A\n"))
    assert error_cells(exc) == [(2, "上级单位编码 (C)")]


def test_a_cycle_through_existing_units_is_refused(ctx):
    make_locality(ctx)
    run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称,上级单位编码\nA,甲,\nB,乙,A\n"))
    # making A a child of B, while B stays a child of A in the database
    exc = refused(ctx, Invalid, "units", "u.csv", csv_bytes("单位编码,单位名称,上级单位编码\nA,甲,B\n"))
    assert error_cells(exc) == [(2, "上级单位编码 (C)")]


def test_a_file_with_exactly_max_rows_is_accepted(ctx, monkeypatch):
    monkeypatch.setattr(import_sheets, "MAX_ROWS", 5)
    make_locality(ctx)
    rows = "".join(f"U{i},单位{i}\n" for i in range(5))
    assert run(ctx, "units", "u.csv", csv_bytes("单位编码,单位名称\n" + rows)).created == 5


# --- bad rows: one error each, nothing written -----------------------------------------------


def test_bad_people_rows_are_all_listed_and_nothing_is_written(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    good = id_card("33010219850601001")
    lines = [
        PEOPLE_HEADER,  # row 1
        f"好人甲,男,1985-06,汉族,,,,,,科员,,U001,2020-12,{good}",  # row 2: fine
        "乙,男,1985-06,汉族,,,,,,科员,,U999,2020-12,",  # row 3: unknown unit
        "丙,男,1985-13,汉族,,,,,,科员,,U001,2020-12,",  # row 4: month 13
        "丁,未知,1985-06,汉族,,,,,,科员,,U001,2020-12,",  # row 5: gender
        ",男,1985-06,汉族,,,,,,科员,,U001,2020-12,",  # row 6: no name
        f"戊,女,1985-06,汉族,,,,,,科员,,U001,2020-12,{bad_check(id_card('33010219900101002'))}",  # row 7
        "己,女,1985-06,汉族,,,,,,科员,,U001,2020.1,",  # row 8: ambiguous month
        "",  # row 9: blank, skipped
        "庚,女,1990.10,汉族,,,,,,科员,,U002,2021年3月,",  # row 10: fine
        "辛,女,19900,汉族,,,,,,科员,,U002,2021-03,",  # row 11: bad date
    ]
    exc = refused(ctx, Invalid, "people", "people.csv", csv_bytes("\n".join(lines) + "\n"))
    assert exc.status_code == 422
    assert error_cells(exc) == [
        (3, "单位编码 (L)"),
        (4, "出生年月 (C)"),
        (5, "性别 (B)"),
        (6, "姓名 (A)"),
        (7, "身份证号 (N)"),
        (8, "任现职时间 (M)"),
        (11, "出生年月 (C)"),
    ]
    messages = {e["row"]: e["message"] for e in exc.errors}
    assert "U999" in messages[3]
    assert "ambiguous" in messages[8]
    assert "check" in messages[7]
    assert "nothing was imported" in exc.message
    assert counts(ctx)["people"] == 0


def test_bad_people_rows_in_xlsx_have_spreadsheet_row_numbers(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    rows = [
        ["姓名", "性别", "单位编码"],
        ["甲", "男", "U001"],
        [None, None, None],  # a blank row in the middle still counts
        ["乙", "男", "U404"],
    ]
    exc = refused(ctx, Invalid, "people", "people.xlsx", xlsx_bytes(rows))
    assert error_cells(exc) == [(4, "单位编码 (C)")]


def test_same_id_card_twice_in_a_file_is_refused(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    card = id_card("33010219850601001")
    content = csv_bytes(f"{PEOPLE_HEADER}\n甲,男,,,,,,,,,,U001,,{card}\n乙,女,,,,,,,,,,U001,,{card}\n")
    exc = refused(ctx, Invalid, "people", "p.csv", content)
    assert error_cells(exc) == [(3, "身份证号 (N)")]
    assert "row 2" in exc.errors[0]["message"]


def test_too_long_cells_are_refused_as_row_errors_on_every_backend(ctx):
    """A value longer than its database column is a row error, not a failed insert (PostgreSQL
    enforces VARCHAR lengths, SQLite does not)."""
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    for kind, model, fixed in (("people", Person, {"unit_code": "U001"}), ("units", Unit, {})):
        header, row, expected = [], [], []
        for index, spec in enumerate(imports.KINDS[kind]):
            header.append(spec.headers[0])
            column = model.__table__.columns.get(spec.key)
            length = getattr(column.type, "length", None) if column is not None else None
            if spec.key in fixed or spec.parse or not length:
                row.append(fixed.get(spec.key, ""))
                continue
            row.append("字" * (length + 1))
            expected.append((2, f"{spec.headers[0]} ({chr(ord('A') + index)})"))
        assert len(expected) >= 5, kind
        content = csv_bytes(",".join(header) + "\n" + ",".join(row) + "\n")
        exc = refused(ctx, Invalid, kind, f"{kind}.csv", content)
        assert sorted(error_cells(exc)) == sorted(expected), kind
    # at the limit is fine
    content = csv_bytes("姓名,民族,职级,单位编码\n" + "名" * 100 + "," + "族" * 50 + "," + "级" * 50 + ",U001\n")
    assert run(ctx, "people", "p.csv", content).created == 1


def test_a_csv_cell_too_big_for_the_csv_reader_is_refused_naming_the_row(ctx):
    make_locality(ctx)
    content = csv_bytes("单位编码,单位名称,职责\nU1,甲,x\n\nU2,乙," + "x" * 200_000 + "\n")
    exc = refused(ctx, Invalid, "units", "u.csv", content)
    assert error_cells(exc) == [(4, "")]


def test_a_quote_that_is_never_closed_is_refused_instead_of_swallowing_the_rest(ctx):
    make_locality(ctx)
    content = csv_bytes('单位编码,单位名称\nU1,甲\nU2,"乙\nU3,丙\nU4,丁\n')
    exc = refused(ctx, Invalid, "units", "u.csv", content)
    assert error_cells(exc) == [(3, "")]
    assert exc.errors[0]["message"] == 'a quote (") opened on line 3 is never closed'


def test_text_after_a_closing_quote_is_refused_naming_the_row(ctx):
    make_locality(ctx)
    exc = refused(ctx, Invalid, "units", "u.csv", csv_bytes('单位编码,单位名称\nU1,"甲"乙\nU2,丙\n'))
    assert error_cells(exc) == [(2, "")]
    assert "followed by more text" in exc.errors[0]["message"]


def test_duplicate_unit_code_in_a_file_is_refused(ctx):
    make_locality(ctx)
    content = csv_bytes("单位编码,单位名称\nU1,甲\nU2,乙\nU1,丙\n")
    exc = refused(ctx, Invalid, "units", "u.csv", content)
    assert error_cells(exc) == [(4, "单位编码 (A)")]
    assert "row 2" in exc.errors[0]["message"]


def test_bad_unit_rows_are_refused_and_existing_units_are_untouched(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    content = csv_bytes("单位编码,单位名称,上级单位编码\nU001,改名了,\nU 2,乙,\nU3,,\nU4,丁,NOPE\n")
    exc = refused(ctx, Invalid, "units", "u.csv", content)
    assert error_cells(exc) == [(3, "单位编码 (A)"), (4, "单位名称 (B)"), (5, "上级单位编码 (C)")]
    assert units_of(ctx, "county-a")["U001"].name == "县委办公室"


def test_a_missing_required_column_is_reported_on_the_header_row(ctx):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    exc = refused(ctx, Invalid, "people", "p.csv", csv_bytes("姓名,性别\n甲,男\n"))
    assert [(e["row"], e["column"], e["message"]) for e in exc.errors] == [
        (1, "单位编码", "required column is missing")
    ]
    # the header may start below blank rows: it is reported where it is
    exc = refused(ctx, Invalid, "units", "u.csv", csv_bytes("\n\n单位名称\n甲\n"))
    assert error_cells(exc) == [(3, "单位编码")]


def test_a_column_given_twice_is_refused(ctx):
    make_locality(ctx)
    exc = refused(ctx, Invalid, "units", "u.csv", csv_bytes("单位编码,单位名称,code\nU1,甲,U2\n"))
    assert error_cells(exc) == [(1, "code")]


# --- files that are not a usable table -------------------------------------------------------


def test_an_empty_file_is_refused(ctx):
    make_locality(ctx)
    assert refused(ctx, Invalid, "units", "u.csv", b"").status_code == 422
    refused(ctx, Invalid, "units", "u.csv", b"\xef\xbb\xbf\r\n\r\n")  # only a BOM and blank lines
    refused(ctx, Invalid, "units", "u.xlsx", xlsx_bytes([]))


def test_random_bytes_named_xlsx_are_refused(ctx):
    make_locality(ctx)
    junk = bytes(range(256)) * 40
    exc = refused(ctx, Invalid, "units", "units.xlsx", junk)
    assert exc.status_code == 422
    # a damaged workbook: a zip that is not a spreadsheet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    refused(ctx, Invalid, "units", "units.xlsx", buffer.getvalue())
    # the same junk under a .csv name is not read as text either
    refused(ctx, Invalid, "units", "units.csv", junk)


def test_a_workbook_with_a_damaged_sheet_is_refused_naming_the_row(ctx):
    make_locality(ctx)
    good = xlsx_bytes([["单位编码", "单位名称"], ["U1", "甲"]])
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>单位编码</t></is></c><c r="B1" t="inlineStr"><is><t>单位名称</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>U1</t></is></c><c r="B2" t="inlineStr"><is><t>甲</t></is></c></row>'
        '<row r="3"><c r="A3" t="n"><v>not a number</v></c></row>'
        "</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as damaged:
        for item in source.infolist():
            replaced = item.filename == "xl/worksheets/sheet1.xml"
            damaged.writestr(item.filename, sheet.encode() if replaced else source.read(item.filename))
    exc = refused(ctx, Invalid, "units", "units.xlsx", buffer.getvalue())
    assert error_cells(exc) == [(3, "")]


def test_an_old_xls_workbook_is_refused_with_advice(ctx):
    make_locality(ctx)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"\x00" * 512
    for name in ("units.xls", "units.csv", "units"):
        exc = refused(ctx, Invalid, "units", name, ole)
        assert ".xlsx" in exc.message, name


def test_a_zip_bomb_is_refused_before_it_is_inflated(ctx, monkeypatch):
    monkeypatch.setattr(tabular.workbook, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)  # where the reader reads it
    make_locality(ctx)
    good = xlsx_bytes([["单位编码", "单位名称"], ["U1", "甲"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item.filename, source.read(item.filename))
        bomb.writestr("xl/media/padding.bin", bytes(2 * 1024 * 1024))  # 2 MB of zeros: a few KB packed
    content = buffer.getvalue()
    assert len(content) < 64 * 1024
    exc = refused(ctx, TooLarge, "units", "units.xlsx", content)
    assert exc.status_code == 413
    # without the padding the same workbook is fine
    assert run(ctx, "units", "units.xlsx", good).created == 1


def test_more_than_max_rows_is_refused(ctx, monkeypatch):
    monkeypatch.setattr(import_sheets, "MAX_ROWS", 5)
    make_locality(ctx)
    rows = "".join(f"U{i},单位{i}\n" for i in range(6))
    exc = refused(ctx, TooLarge, "units", "u.csv", csv_bytes("单位编码,单位名称\n" + rows))
    assert exc.status_code == 413
    xlsx = xlsx_bytes([["单位编码", "单位名称"]] + [[f"U{i}", f"单位{i}"] for i in range(6)])
    refused(ctx, TooLarge, "units", "u.xlsx", xlsx)


def test_unknown_kind_and_unknown_locality_are_refused(ctx):
    make_locality(ctx)
    refused(ctx, Invalid, "budgets", "u.csv", UNITS_CSV)
    refused(ctx, NotFound, "units", "u.csv", UNITS_CSV, code="nowhere")


def test_another_localitys_office_cannot_import(ctx):
    from core.services import auth

    make_locality(ctx, "county-a")
    make_locality(ctx, "county-b")
    user = auth.create_user(
        ctx,
        ACTOR,
        username="office-b",
        password="correct horse battery staple",
        role="office",
        locality_code="county-b",
    )
    with ctx.db.read() as session:
        locality_b = session.exec(select(Locality).where(Locality.code == "county-b")).one()
    office_b = Actor(user_id=user.id, username="office-b", role="office", locality_id=locality_b.id)
    before = counts(ctx)
    with pytest.raises(NotFound):
        imports.import_file(ctx, office_b, "county-a", "units", "u.csv", UNITS_CSV)
    assert counts(ctx) == before
    assert imports.import_file(ctx, office_b, "county-b", "units", "u.csv", UNITS_CSV).created == 24


# --- audit -----------------------------------------------------------------------------------


def test_each_import_writes_one_audit_entry(ctx):
    make_locality(ctx)

    def entries(action: str) -> list[AuditEntry]:
        with ctx.db.read() as session:
            return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))

    run(ctx, "units", "county-units.csv", UNITS_CSV)
    [entry] = entries("import.units")
    assert entry.actor == "test"
    assert entry.summary["after"] == {"rows": 24, "created": 24, "updated": 0}
    run(ctx, "people", "county-people.csv", PEOPLE_CSV)
    [entry] = entries("import.people")
    assert entry.summary["after"] == {"rows": 287, "created": 287, "updated": 0}
    # a refused import leaves no entry
    refused(ctx, Invalid, "people", "p.csv", csv_bytes("姓名,单位编码\n甲,NOPE\n"))
    assert len(entries("import.people")) == 1
    assert len(entries("import.units")) == 1


# --- templates -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["units", "people", "teams"])
def test_csv_template_header_is_accepted_by_the_import(ctx, kind):
    make_locality(ctx)
    run(ctx, "units", "county-units.csv", UNITS_CSV)
    template = imports.template_csv(kind)
    assert template.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    header = template.decode("utf-8-sig").strip().split(",")
    assert header == [spec.headers[0] for spec in imports.KINDS[kind]]
    if kind == "teams":  # a team's members are people already there
        run(ctx, "people", "p.csv", csv_bytes(f"{PEOPLE_HEADER}\n新人,女,1990-01,,,,,,,,,U001,,\n"))
    row = {
        "units": "X9,新单位,,,,,",
        "people": "新人,女,1990-01,,,,,,,,,U001,,",
        "teams": "U001,县委办领导班子,部门领导班子,新人,,主任,,,,",
    }[kind]
    result = run(ctx, kind, f"{kind}.csv", template + csv_bytes(row + "\n"))
    assert result.created == 1
