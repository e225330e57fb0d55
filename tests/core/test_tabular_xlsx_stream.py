"""The streamed .xlsx writer (core/tabular/xlsx_stream.py): what openpyxl and so Excel read back
from it, cell by cell, and that it hands the file out in pieces as it writes."""

from __future__ import annotations

import hashlib
import io
from datetime import date

from openpyxl import load_workbook

from core.tabular import xlsx_stream
from core.tabular.xlsx_stream import column_letter, xlsx_bytes, xlsx_chunks


def test_cells_read_back_as_written_text_stays_text():
    rows = [
        ["王伟", 3, 2.5, None, "=SUM(A1:A2)", " 前后空格 ", "a\x01b<&>\"'", date(2026, 11, 30), True, ""],
        ["+86 138", -1, 0.1, "", "@x", "-5", "第二行", None, False, "末"],
    ]
    content = xlsx_bytes('人员<"名单">', ["姓名", "n", "f", "空", "公式", "空格", "怪", "日期", "是否", "尾"], rows)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == '人员<"名单">'
    assert [c.value for c in sheet[1]][:3] == ["姓名", "n", "f"]
    assert [c.value for c in sheet[2]] == [
        "王伟",
        3,
        2.5,
        None,
        "=SUM(A1:A2)",
        " 前后空格 ",
        "ab<&>\"'",
        "2026-11-30",
        "是",
        None,
    ]
    assert [c.value for c in sheet[3]] == ["+86 138", -1, 0.1, None, "@x", "-5", "第二行", None, "否", "末"]
    formula = sheet["E2"]
    assert (formula.data_type, formula.quotePrefix) == ("s", True)  # shown as typed, never run
    assert (sheet["F3"].data_type, sheet["F3"].quotePrefix) == ("s", True)  # "-5" is text that looks like a formula
    assert sheet["A2"].quotePrefix is False


def test_a_long_sheet_is_handed_out_in_pieces_while_its_rows_are_still_being_read(monkeypatch):
    monkeypatch.setattr(xlsx_stream, "CHUNK_ROWS", 500)
    read = 0

    def rows():
        nonlocal read
        for i in range(20_000):
            read += 1
            yield [hashlib.sha256(str(i).encode()).hexdigest(), i]

    chunks = xlsx_chunks("表", ["名", "号"], rows())
    first = next(chunks)
    assert first.startswith(b"PK") and read < 20_000  # the download starts before the last row is read
    content = first + b"".join(chunks)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 20_001 and values[1][1] == 0 and values[-1] == (hashlib.sha256(b"19999").hexdigest(), 19_999)


def test_columns_are_lettered_as_spreadsheets_do():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_several_sheets_read_back_in_order_each_with_its_rows():
    content = xlsx_stream.sheets_bytes(
        [
            ("目标", ["编号", "名称"], [[1, "=不是公式"], [2, "第二"]]),
            ('进"度', ["编号"], ([n] for n in range(3))),
            ("空", ["只有表头"], []),
        ]
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["目标", '进"度', "空"]
    assert [[c.value for c in row] for row in book["目标"].iter_rows()] == [
        ["编号", "名称"],
        [1, "=不是公式"],
        [2, "第二"],
    ]
    assert book["目标"]["B2"].data_type == "s"
    assert [row[0].value for row in book['进"度'].iter_rows()] == ["编号", 0, 1, 2]
    assert book["空"].max_row == 1
