"""Bounded reading (core/tabular.py ``Limits``): a spreadsheet file within the upload limit is
read in little memory or refused quickly, naming the limit and the sheet, while it is read.

The hostile files are in tests/spreadsheet_bombs.py; their reads run in one fresh process that
measures the peak memory of each (``VmHWM``), through ``read_rows`` and the ``tabular_file``
adapter's ``read_file``. The imports API refuses the same files (tests/core/web/test_imports_api.py).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from core import tabular
from core.i18n import Translator
from core.services.errors import Invalid, TooLarge
from tests import spreadsheet_bombs as bombs

MAX_PEAK_MB = 100  # the requirement is 200 MB of server memory for any upload; the reads stay far below
MAX_SECONDS = 30  # each is refused within a second on a laptop (it took 194 s before the limits); a loaded CI machine is far slower

# name -> (file name, builder, refusal, message pattern (the read_rows message; the adapter's
# names the file first))
BOMBS = {
    # 8 million empty shared strings: 300 KB of .xlsx, 96 MB of XML; openpyxl would hold every one
    "shared strings": (
        "strings.xlsx",
        lambda: bombs.shared_string_bomb(8_000_000),
        TooLarge,
        r"shared-string table of the workbook has more than 1,000,000 entries",
    ),
    # 11 million (the probe's bomb: 459 KB that kept a server busy 194 s at 1.1 GB)
    "shared strings, larger": (
        "strings11.xlsx",
        bombs.shared_string_bomb,
        TooLarge,
        r"shared-string table of the workbook inflates to \d+ MB; the limit is 100 MB",
    ),
    "a million empty rows": ("rows.xlsx", bombs.empty_rows, TooLarge, r"sheet 单位 has more than 250,000 rows"),
    "deep nesting": (
        "deep.xlsx",
        bombs.deep_nesting,
        Invalid,
        r"xl/worksheets/sheet1.xml of the workbook nests its XML more than 64 levels deep",
    ),
    "zip bomb": (
        "zip.xlsx",
        lambda: bombs.zip_bomb(170),
        TooLarge,
        r"sheet 单位 inflates to 170 MB; the limit is 160 MB",
    ),
    "sizes that lie": ("lying.xlsx", bombs.lying_sizes, Invalid, r"cannot be read \(damaged file\?\)"),
    "wide rows": ("wide.xlsx", bombs.wide_rows, TooLarge, r"sheet 单位 has more than 2,000,000 cells"),
    "entity expansion": ("dtd.xlsx", bombs.dtd_bomb, Invalid, r"declares a document type \(DTD\)"),
    # expat holds a whole tag or comment before it reports it: 150 MB in one attribute, a 90 MB comment
    "a long attribute": ("token.xlsx", bombs.long_token, Invalid, r"sheet1.xml of the workbook has a tag or comment"),
    "a long comment": (
        "comment.xlsx",
        lambda: bombs.long_comment(90),
        Invalid,
        r"sharedStrings.xml of the workbook has a tag or comment of more than 1 MB",
    ),
    "a row of commas": ("commas.csv", bombs.commas_row, TooLarge, r"row 2 is longer than 1,000,000 characters"),
    "blank lines": ("blank.csv", bombs.blank_lines, TooLarge, r"more than 1,000,000 lines"),
    "blank lines within the line limit": (
        "blank-rows.csv",
        lambda: bombs.blank_lines(900_000),
        TooLarge,
        r"more than 250,000 rows",
    ),
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[tuple[str, str], dict]:
    folder = tmp_path_factory.mktemp("bombs")
    files = {}
    for name, (file_name, build, _error, _pattern) in BOMBS.items():
        path = folder / file_name
        content = build()
        assert len(content) < 20 * 1024 * 1024, name  # within the default upload limit
        path.write_bytes(content)
        files[name] = path
    runs = [(name, mode) for name in BOMBS for mode in ("text", "adapter")] + [("shared strings", "typed")]
    results = bombs.peak_memory_of_reading([(files[name], mode) for name, mode in runs])
    return dict(zip(runs, results, strict=True))


@pytest.mark.parametrize("mode", ["text", "adapter"])
@pytest.mark.parametrize("name", list(BOMBS))
def test_hostile_files_are_refused_quickly_in_little_memory(measured, name, mode):
    _file, _build, error, pattern = BOMBS[name]
    outcome = measured[(name, mode)]
    assert outcome.get("error") == (error.__name__ if mode != "adapter" else "PermanentFault"), outcome
    assert re.search(pattern, outcome["message"]), outcome["message"]
    if mode == "adapter":
        assert outcome["message"].startswith(f"file {_file}: ")
    assert outcome["seconds"] < MAX_SECONDS, outcome
    assert outcome["peak_mb"] < MAX_PEAK_MB, outcome


def test_the_typed_reading_is_bounded_too(measured):
    outcome = measured[("shared strings", "typed")]
    assert outcome["error"] == "TooLarge" and outcome["peak_mb"] < MAX_PEAK_MB, outcome


# --- each limit, small ------------------------------------------------------------------------


def read(content: bytes, name: str = "u.xlsx", **limits) -> list[list]:
    return list(tabular.read_rows(name, content, limits=tabular.Limits(**limits)))


def refusal(content: bytes, name: str = "u.xlsx", error=TooLarge, **limits):
    with pytest.raises(error) as info:
        read(content, name, **limits)
    return info.value


def sheet(*rows: str) -> bytes:
    return bombs.workbook(sheet=[f'<worksheet xmlns="{bombs.MAIN}"><sheetData>', *rows, "</sheetData></worksheet>"])


def test_a_workbook_within_the_limits_reads_as_before():
    content = sheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="C3"><v>12.5</v></c><c r="D3" t="b"><v>1</v></c></row>',
    )
    assert read(content) == [["单位编码", "单位名称"], [], ["U001", "", "12.5", "True"]]
    typed = list(tabular.read_rows("u.xlsx", content, keep_types=True))
    assert typed[2] == ["U001", "", 12.5, True]


def test_rows_beyond_the_limit_are_refused_naming_the_sheet():
    content = sheet(*(f'<row r="{n}"><c t="s"><v>2</v></c></row>' for n in range(1, 8)))
    assert len(read(content, rows=7)) == 7
    exc = refusal(content, rows=6)
    assert exc.message == "file: sheet 单位 has more than 6 rows; split it into several files"
    assert Translator("zh_CN").translate(exc.message) == "文件：工作表 单位 超过 6 行；请拆分成几个文件"
    # a row number far beyond is refused at once, without the rows between
    exc = refusal(sheet('<row r="1048576"><c r="A1048576" t="s"><v>2</v></c></row>'), rows=10)
    assert "more than 10 rows" in exc.message


def test_a_cell_beyond_the_column_limit_is_refused_naming_it():
    content = sheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="K2" t="s"><v>3</v></c></row>',
    )
    assert read(content, columns=11)[1] == ["U001"] + [""] * 9 + ["县委办公室"]
    exc = refusal(content, columns=10)
    assert exc.message == "file: sheet 单位, cell K2: more than 10 columns; delete the columns that are not needed"
    assert exc.errors == [{"row": 2, "column": "K", "message": "more than 10 columns"}]
    assert Translator("zh_CN").translate(exc.errors[0]["message"]) == "超过 10 列"
    # a reference of a thousand letters costs nothing
    assert (
        "more than 10 columns"
        in refusal(sheet(f'<row r="1"><c r="{"Z" * 1000}1"><v>1</v></c></row>'), columns=10).message
    )


def test_cells_are_counted_as_the_rows_handed_out():
    # two cells a row in the file, but each row is 1,000 cells wide when handed out
    exc = refusal(
        sheet(*('<row><c t="s"><v>2</v></c><c r="ALL1" t="s"><v>3</v></c></row>' for _ in range(5))), cells=4_000
    )
    assert exc.message == "file: sheet 单位 has more than 4,000 cells; split it into several files"


def test_shared_strings_beyond_the_limits_are_refused():
    def table(*texts: str) -> bytes:
        return bombs.workbook(
            shared=[f'<sst xmlns="{bombs.MAIN}">', *(f"<si><t>{t}</t></si>" for t in texts), "</sst>"]
        )

    assert read(table("单位编码", "单位名称", "U001", "县委办公室"), shared_strings=4)[1] == ["U001", "县委办公室"]
    exc = refusal(table("单位编码", "单位名称", "U001", "县委办公室", "x"), shared_strings=4)
    assert "shared-string table of the workbook has more than 4 entries" in exc.message
    exc = refusal(table("单位编码", "单位名称", "U001", "县委办公室"), shared_string_chars=12)
    assert "shared strings of the workbook hold more than 12 characters" in exc.message
    exc = refusal(table("单位编码", "单位名称" * 10, "U001", "县委办公室"), cell_chars=20)
    assert exc.message == "file: shared string 2 of the workbook has more than 20 characters"


def test_a_long_cell_is_refused_naming_it():
    content = sheet(f'<row r="1"><c r="B1" t="inlineStr"><is><t>{"长" * 30}</t></is></c></row>')
    assert read(content, cell_chars=30) == [["", "长" * 30]]
    exc = refusal(content, cell_chars=29)
    assert exc.message == "file: sheet 单位, cell B1: more than 29 characters"


def test_a_sheet_part_or_a_table_that_inflates_beyond_its_limit_is_refused_before_it_is_read():
    exc = refusal(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', " " * 300_000), sheet_bytes=200_000)
    assert exc.message.startswith("file: sheet 单位 inflates to 0.3 MB; the limit is 0.2 MB")
    exc = refusal(bombs.shared_string_bomb(30_000), shared_string_bytes=100_000)
    assert re.match(
        r"file: the shared-string table of the workbook inflates to 0\.\d MB; the limit is 0\.1 MB", exc.message
    )


def test_too_many_zip_entries_are_refused_before_the_zip_is_opened():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(tabular.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"x/{index}", b"")
    exc = refusal(out.getvalue())
    assert "the workbook has more than 10000 parts" in exc.message


def test_csv_limits():
    text = "单位编码,单位名称\r\n" + "".join(f"U{n},单位{n}\r\n" for n in range(5))
    assert len(read(text.encode(), "u.csv", rows=6)) == 6
    assert refusal(text.encode(), "u.csv", rows=5).message == "file: more than 5 rows; split it into several files"
    exc = refusal(b"a,b\r\n1,2,3\r\n", "u.csv", columns=2)
    assert exc.message == "file: row 2 has more than 2 columns; delete the columns that are not needed"
    assert exc.errors[0]["row"] == 2
    exc = refusal(b"a,b\r\n" + b"x" * 50 + b"\r\n", "u.csv", row_chars=40)
    assert exc.message == "file: row 2 is longer than 40 characters"
    # a row spanning lines (a quoted cell with line breaks) counts all of its lines
    exc = refusal(b'a,b\r\n"' + b"x\r\n" * 20 + b'",1\r\n', "u.csv", row_chars=40)
    assert exc.message == "file: row 2 is longer than 40 characters"


def test_a_csv_of_millions_of_short_lines_is_refused_before_its_lines_are_judged():
    content = b"\xb5\xa5\xce\xbb\n" * 2_000_000 + "县委办公室\n".encode()  # 10 MB: GBK lines, then a UTF-8 one
    exc = refusal(content, "u.csv")
    assert exc.message == "file: more than 1,000,000 lines; split it into several files"
    # within the limit, the line that is not like the others is named
    exc = refusal(content[-20 * 5 - 16 :], "u.csv", error=Invalid)
    assert "row(s) 21 is not GBK" in exc.message
