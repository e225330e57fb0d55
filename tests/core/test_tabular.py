"""The one reader of spreadsheet files (imports and the tabular_file adapter), and the one
writer of text cells: encodings decoded strictly as a whole, mixtures refused naming the rows;
formulas without a saved value refused naming the cell; exported text kept exactly."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from core import tabular
from core.i18n import Translator
from core.services.errors import Invalid

UNITS = "单位编码,单位名称\nU001,县委办公室\nU002,县政府办公室\nU003,财政局\n"


def rows(content: bytes, name: str = "u.csv", **options) -> list[list]:
    return list(tabular.read_rows(name, content, **options))


def refused(content: bytes, name: str = "u.csv", **options) -> Invalid:
    with pytest.raises(Invalid) as info:
        rows(content, name, **options)
    return info.value


def lines(*parts: tuple[str, str]) -> bytes:
    """A file made of (text, encoding) parts."""
    return b"".join(text.encode(encoding) for text, encoding in parts)


# --- CSV encodings ---------------------------------------------------------------------------

EXPECTED = [["单位编码", "单位名称"], ["U001", "县委办公室"], ["U002", "县政府办公室"], ["U003", "财政局"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_file_in_one_encoding_is_read_exactly(encoding):
    assert rows(UNITS.encode(encoding)) == EXPECTED


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_with_bom_and_tabs_is_read(encoding):
    text = '单位编码\t单位名称\t职责\r\nU001\t县委办公室\t综合协调, 督查\r\nU002\t县政府办公室\t"文稿\n起草"\r\n'
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    assert rows(bom + text.encode(encoding)) == [
        ["单位编码", "单位名称", "职责"],
        ["U001", "县委办公室", "综合协调, 督查"],
        ["U002", "县政府办公室", "文稿\n起草"],
    ]


# UTF-8 text with one row from a GBK file; the whole of it also "decodes" as GB18030, to mojibake
MIXED = lines(
    ("单位编码,单位名称\nU001,县财政局\nU002,县教育局\n", "utf-8"),
    ("U003,县公安局\n", "gbk"),
    ("U004,县审计局\n", "utf-8"),
)


def test_a_utf8_file_with_one_gbk_row_is_refused_naming_that_row():
    garbled = MIXED.decode("gb18030")  # what the old reader imported
    assert "县财政局" not in garbled and "县公安局" in garbled
    exc = refused(MIXED)
    assert exc.errors == [{"row": 4, "column": "", "message": "not UTF-8 text like the rest of the file"}]
    assert exc.message.startswith("file: the text on row(s) 4 is not UTF-8 like the rest of the file")


def test_a_gbk_file_with_one_utf8_row_is_refused_naming_that_row():
    content = lines(
        ("单位编码,单位名称\nU001,县委办公室\n", "gbk"),
        ("U002,县政府办公室\n", "utf-8"),
        ("U003,财政局\nU004,教育局\n", "gbk"),
    )
    exc = refused(content)
    assert [(e["row"], e["message"]) for e in exc.errors] == [(3, "not GBK text like the rest of the file")]


def test_rows_are_counted_as_the_spreadsheet_shows_them_not_as_lines():
    content = lines(
        ('单位编码,单位名称,职责\nU001,县委办公室,"综合协调\n督查督办"\n', "utf-8"),
        ("U002,县政府办公室,文稿\n", "gbk"),
        ("U003,财政局,预算\n", "utf-8"),
    )
    assert [e["row"] for e in refused(content).errors] == [3]  # line 4 of the file


def test_many_bad_rows_name_the_first_ones():
    good = "".join(f"U{i:03},单位{i}\n" for i in range(20))
    bad = "".join(f"V{i:03},部门{i}\n" for i in range(25))
    exc = refused(lines(("单位编码,单位名称\n" + good, "utf-8"), (bad, "gbk"), (good, "utf-8")))
    assert [e["row"] for e in exc.errors] == list(range(22, 22 + tabular.MAX_NAMED))
    assert "row(s) 22, 23, 24, 25, 26, … is not UTF-8" in exc.message


def test_a_utf8_bom_file_with_a_gbk_row_is_refused():
    exc = refused(lines(("\ufeff单位编码,单位名称\nU001,甲\n", "utf-8"), ("U002,县政府办公室\n", "gbk")))
    assert [e["row"] for e in exc.errors] == [3]


def test_a_utf16_file_with_a_broken_character_is_refused_naming_the_row():
    content = "单位编码\t单位名称\r\nU001\t甲\r\n".encode("utf-16") + b"\x00\xd8" + "\r\n".encode("utf-16-le")
    exc = refused(content)
    assert [(e["row"], e["message"]) for e in exc.errors] == [(3, "not UTF-16 text like the rest of the file")]


def test_a_file_that_is_neither_utf8_nor_gbk_is_refused():
    exc = refused("name\nCafé Zürich\n".encode("latin-1"))
    assert [(e["row"], e["message"]) for e in exc.errors] == [(2, "neither UTF-8 nor GBK text")]


def test_short_gbk_text_that_happens_to_be_valid_utf8_is_read_as_gbk():
    content = "U1,女\n".encode("gbk")  # b"U1,\xc5\xae\n" is also UTF-8 for "Ů"
    content.decode("utf-8")
    assert rows(content) == [["U1", "女"]]
    assert rows("U1,女\n".encode()) == [["U1", "女"]]


def test_binary_content_is_refused():
    assert refused(b"a,b\n\x00\x01\x02\n").errors[0]["message"] == "binary content"


def test_the_refusal_is_translated_with_its_row_numbers():
    content = lines(("单位编码,单位名称\n", "utf-8"), ("U002,县政府办公室\n", "gbk"), ("U003,财政局\n", "utf-8"))
    exc = refused(content)
    zh = Translator("zh_CN")
    assert zh.translate(exc.message).startswith("文件：第 2 行的文字不是与文件其余部分相同的 UTF-8 编码")
    assert zh.translate(exc.errors[0]["message"]) == "不是与文件其余部分相同的 UTF-8 编码"
    assert Translator("en").translate(exc.message) == exc.message


# --- XLSX formulas ---------------------------------------------------------------------------


def workbook(rows_: list[list], title: str = "单位") -> bytes:
    book = Workbook()
    book.active.title = title
    for row in rows_:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet_xml(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML changed, as another program would save it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item.filename, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


# openpyxl writes a formula's missing value as <v /> with ElementTree and <v></v> with lxml
# (installed with python-docx): one form, so that the tests below can edit it
SCRIPTED = with_sheet_xml(
    workbook(
        [
            ["单位编码", "单位名称", "联系人"],
            ["U001", "县委办公室", "张三"],
            ["U002", "县政府办公室", "李四"],
            ["U003", "财政局", '=C3&"（代）"'],
        ]
    ),
    lambda xml: xml.replace(b"<v></v></c>", b"<v /></c>"),
)


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell():
    # openpyxl with data_only=True reads it as None: an empty cell
    assert load_workbook(io.BytesIO(SCRIPTED), data_only=True)["单位"]["C4"].value is None
    exc = refused(SCRIPTED, "u.xlsx")
    assert exc.errors == [{"row": 4, "column": "C", "message": "sheet 单位, cell C4: a formula without a saved value"}]
    assert exc.message.startswith("file: sheet 单位, cell(s) C4: formulas without a saved value")
    assert Translator("zh_CN").translate(exc.errors[0]["message"]) == "工作表 单位，单元格 C4：公式没有保存的计算结果"
    # the adapter's typed reading too
    assert refused(SCRIPTED, "u.xlsx", keep_types=True).errors[0]["column"] == "C"


def test_a_formula_with_the_value_excel_saved_is_read_as_that_value():
    saved = with_sheet_xml(
        SCRIPTED,
        lambda xml: xml.replace(b'<c r="C4"><f>', b'<c r="C4" t="str"><f>').replace(
            b"<v /></c>", "<v>李四（代）</v></c>".encode()
        ),
    )
    assert rows(saved, "u.xlsx")[3] == ["U003", "财政局", "李四（代）"]
    # a formula whose saved value is "" (Excel: t="str" and an empty <v>) is an empty cell, not a refusal
    empty = with_sheet_xml(
        SCRIPTED,
        lambda xml: xml.replace(b'<c r="C4"><f>', b'<c r="C4" t="str"><f>').replace(b"<v /></c>", b"<v></v></c>"),
    )
    assert rows(empty, "u.xlsx")[3] == ["U003", "财政局", ""]


def test_a_formula_without_any_value_element_or_with_a_namespace_prefix_is_refused():
    bare = with_sheet_xml(SCRIPTED, lambda xml: xml.replace(b"<v /></c>", b"</c>"))
    assert [e["column"] for e in refused(bare, "u.xlsx").errors] == ["C"]
    prefixed = with_sheet_xml(
        SCRIPTED,
        lambda xml: re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", xml).replace(
            b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x="
        ),
    )
    assert [e["row"] for e in refused(prefixed, "u.xlsx").errors] == [4]


def test_error_values_are_refused_naming_the_cell():
    broken = with_sheet_xml(
        SCRIPTED,
        lambda xml: xml.replace(b'<c r="C4"><f>', b'<c r="C4" t="e"><f>').replace(b"<v /></c>", b"<v>#REF!</v></c>"),
    )
    exc = refused(broken, "u.xlsx")
    assert exc.errors == [
        {"row": 4, "column": "C", "message": "sheet 单位, cell C4: the error value #REF! instead of data"}
    ]


def test_formulas_on_other_sheets_do_not_matter():
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["=1+1"])
    data = book.create_sheet("数据")
    data.append(["单位编码", "单位名称"])
    data.append(["U001", "县委办公室"])
    out = io.BytesIO()
    book.save(out)
    assert rows(out.getvalue(), "u.xlsx", sheet="数据") == [["单位编码", "单位名称"], ["U001", "县委办公室"]]
    assert refused(out.getvalue(), "u.xlsx").errors[0]["message"].startswith("sheet 说明, cell A1:")


def test_a_large_sheet_with_a_formula_at_the_end_is_refused_in_flat_memory():
    import tracemalloc

    book = Workbook(write_only=True)
    sheet = book.create_sheet("单位")
    for index in range(60_000):
        sheet.append([f"U{index:05}", f"单位{index}", "备注"])
    sheet.append(["U99999", "末尾", "=A1"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
        tracemalloc.start()
        found = tabular.unusable_cells(archive, "xl/worksheets/sheet1.xml")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert found == [(60_001, 3, "formula", "")]
    assert size > 10 * 1024 * 1024 and peak < 8 * 1024 * 1024, (size, peak)  # the same for a sheet 4 times larger


# --- writing text cells ----------------------------------------------------------------------

TRICKY = ["-5分", "=1+1", "@x", "+1", "#N/A", "=", "'quoted", "普通"]


def test_text_is_written_as_text_cells_exactly():
    book = Workbook()
    tabular.append_row(book.active, [*TRICKY, 3, None, 2.5])
    out = io.BytesIO()
    book.save(out)
    for read_only in (False, True):
        [row] = load_workbook(io.BytesIO(out.getvalue()), read_only=read_only).active.iter_rows(values_only=True)
        assert list(row) == [*TRICKY, 3, None, 2.5]
    xml = zipfile.ZipFile(io.BytesIO(out.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    cells = re.findall(r'<c r="([A-Z]+)1"([^>]*)>', xml)
    assert [(ref, 't="inlineStr"' in attrs) for ref, attrs in cells] == [
        (chr(ord("A") + i), True) for i in range(len(TRICKY))
    ] + [("I", False), ("K", False)]
    # and the file reads back through the importer's reader the same
    assert rows(out.getvalue(), "x.xlsx")[0][: len(TRICKY)] == TRICKY
