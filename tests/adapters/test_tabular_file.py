"""The ``tabular_file`` adapter on real CSV and XLSX files in a real folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from pydantic import ValidationError

from adapters import tabular_file
from adapters.tabular_file import ADAPTER, save_upload
from core.adapters import PermanentFault
from core.services.errors import Invalid, TooLarge
from tests.adapters.conftest import make_context
from tests.adapters.fake_platform import all_records

FIELDS = [
    "dept_code",
    "dept_name",
    "month",
    "cases_closed",
    "on_time_rate",
    "complaints",
    "complaints_answered_in_time",
]
ZH_FIELDS = ["单位编码", "单位名称", "月份", "办结件数", "按时办结率", "投诉件数", "投诉按时回复件数"]


def opts(**changes):
    return ADAPTER.options_model.model_validate(changes)


def put(folder: Path, name: str, content: bytes, age: float = 10) -> Path:
    """Write a file as if it had arrived ``age`` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    past = time.time() - age
    os.utime(path, (past, past))
    return path


def csv_bytes(header: list[str], rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def sample_rows() -> list[list]:
    return [[r[f] for f in FIELDS] for r in all_records()]


def xlsx_bytes(rows: list[list], title: str | None = None, sheet: str = "Sheet") -> bytes:
    import io

    workbook = Workbook()
    workbook.active.title = "封面" if sheet != "Sheet" else "Sheet"
    worksheet = workbook.active if sheet == "Sheet" else workbook.create_sheet(sheet)
    for row in rows:
        worksheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def context(tmp_path):
    return make_context(tmp_path / "work")


def test_the_plugin_registers_one_adapter_named_like_its_module():
    assert [a.name for a in tabular_file.kaoping_adapters()] == ["tabular_file"]
    assert ADAPTER.secret_options == ()
    assert opts().patterns == ["*.csv", "*.xlsx"]
    with pytest.raises(ValidationError):
        opts(patterns=["sub/*.csv"])
    with pytest.raises(ValidationError):
        opts(folder="x", other=1)


def test_a_utf8_bom_csv_gives_every_row_with_its_row_number(context):
    put(context.work_dir, "units-2026-03.csv", csv_bytes(FIELDS, sample_rows()))
    fetched = ADAPTER.fetch(opts(), context)
    assert len(fetched.records) == 288
    assert fetched.records[0].where == "file units-2026-03.csv, row 2"
    assert fetched.records[-1].where == "file units-2026-03.csv, row 289"
    assert [r.fields for r in fetched.records] == [{f: str(r[f]) for f in FIELDS} for r in all_records()]


def test_a_gbk_csv_with_chinese_headers(context):
    rows = [["U001", "县委办公室", "2026-01", "109", "0.9069", "1", "0"]]
    put(context.work_dir, "业务数据.csv", csv_bytes(ZH_FIELDS, rows, encoding="gbk"))
    (record,) = ADAPTER.fetch(opts(), context).records
    assert record.where == "file 业务数据.csv, row 2"
    assert record.fields == dict(zip(ZH_FIELDS, rows[0]))


def test_an_xlsx_keeps_numbers_and_reads_the_named_sheet_below_a_title(context):
    rows = [
        ["2026年3月业务数据"],
        [],
        [" dept_code ", "cases_closed", "on_time_rate", "note"],
        ["U001", 109, 0.9069, None],
        [None, None, None, None],
        ["U002", 63.0, 0.9084, "补报"],
    ]
    put(context.work_dir, "cases.xlsx", xlsx_bytes(rows, sheet="数据"))
    fetched = ADAPTER.fetch(opts(sheet="数据", header_row=3), context)
    assert [(r.where, r.fields) for r in fetched.records] == [
        ("file cases.xlsx, row 4", {"dept_code": "U001", "cases_closed": 109, "on_time_rate": 0.9069, "note": ""}),
        ("file cases.xlsx, row 6", {"dept_code": "U002", "cases_closed": 63, "on_time_rate": 0.9084, "note": "补报"}),
    ]
    with pytest.raises(
        PermanentFault,
        match=r"^file cases.xlsx: the workbook has no sheet named 'nope' "
        r"\(sheets: 封面, 数据\)$",
    ):
        ADAPTER.fetch(opts(sheet="nope"), context)


# UTF-8 with one row from a GBK file: as a whole it also "decodes" as GB18030, to mojibake
MIXED = (
    "单位编码,单位名称,月份,办结件数\r\nU001,县财政局,2026-01,1\r\nU002,县教育局,2026-01,2\r\n".encode()
    + "U003,县公安局,2026-01,3\r\n".encode("gbk")
    + "U004,县审计局,2026-01,4\r\n".encode()
)


def test_a_file_of_mixed_encodings_is_refused_naming_its_rows(context):
    MIXED.decode("gb18030")
    put(context.work_dir, "月报.csv", MIXED)
    with pytest.raises(PermanentFault, match=r"^file 月报.csv: the text on row\(s\) 4 is not UTF-8 like") as info:
        ADAPTER.fetch(opts(), context)
    assert info.value.rejected == [
        {"where": "file 月报.csv, row 4", "field": "", "message": "not UTF-8 text like the rest of the file"}
    ]


def test_excel_unicode_text_utf16_with_tabs_is_read(context):
    text = "\t".join(ZH_FIELDS) + "\r\n" + "\t".join(["U001", "县委办公室", "2026-01", "109", "0.9069", "1", "0"])
    put(context.work_dir, "业务数据.csv", b"\xff\xfe" + (text + "\r\n").encode("utf-16-le"))
    (record,) = ADAPTER.fetch(opts(), context).records
    assert record.where == "file 业务数据.csv, row 2"
    assert record.fields["单位名称"] == "县委办公室" and record.fields["办结件数"] == "109"


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell(context):
    put(
        context.work_dir,
        "cases.xlsx",
        xlsx_bytes([["dept_code", "month", "cases_closed"], ["U001", "2026-01", 109], ["U002", "2026-01", "=C2-46"]]),
    )
    with pytest.raises(
        PermanentFault,
        match=r"^file cases.xlsx: sheet Sheet, cell\(s\) C3: formulas without a "
        r"saved value",
    ) as info:
        ADAPTER.fetch(opts(), context)
    assert info.value.rejected == [
        {
            "where": "file cases.xlsx, row 3",
            "field": "C",
            "message": "sheet Sheet, cell C3: a formula without a saved value",
        }
    ]


def test_a_run_over_a_refused_file_lists_its_rows_moves_it_aside_and_keeps_the_values(ctx):
    from core.models import AdapterSource
    from core.services import adapters
    from tests.adapter_setup import SYSTEM, make_county

    county = make_county(ctx, adapters_enabled=("tabular_file",))
    source = county.file_source()
    adapters.upload_file(ctx, SYSTEM, source.id, "a.csv", "单位编码,月份,办结件数\nU003,2026-01,30\n".encode())
    assert adapters.run_now(ctx, SYSTEM, source.id).status == "succeeded"
    before = county.values()
    adapters.upload_file(ctx, SYSTEM, source.id, "b-mixed.csv", MIXED)
    adapters.upload_file(
        ctx,
        SYSTEM,
        source.id,
        "c-formula.xlsx",
        xlsx_bytes([["单位编码", "月份", "办结件数"], ["U003", "2026-01", "=1+1"]]),
    )
    adapters.upload_file(ctx, SYSTEM, source.id, "d-good.csv", "单位编码,月份,办结件数\nU004,2026-01,4\n".encode())

    failed = adapters.run_now(ctx, SYSTEM, source.id)
    assert failed.status == "failed" and failed.error.startswith("file b-mixed.csv: the text on row(s) 4")
    assert failed.rows_rejected == 1
    assert [r.model_dump() for r in failed.rejected] == [
        {"where": "file b-mixed.csv, row 4", "field": "", "message": "not UTF-8 text like the rest of the file"}
    ]
    assert county.values() == before
    with ctx.db.read() as session:
        folder = adapters.adapter_context(ctx, session.get(AdapterSource, source.id), county.code).work_dir / "inbox"
    reason = (folder / "failed" / "b-mixed.csv.reason.txt").read_text(encoding="utf-8")
    assert "file b-mixed.csv, row 4: not UTF-8 text like the rest of the file" in reason

    failed = adapters.run_now(ctx, SYSTEM, source.id)  # the next file with a fault
    assert failed.status == "failed" and [(r.where, r.field) for r in failed.rejected] == [
        ("file c-formula.xlsx, row 2", "C")
    ]
    assert county.values() == before  # U003 not overwritten
    assert sorted(p.name for p in (folder / "failed").iterdir()) == [
        "b-mixed.csv",
        "b-mixed.csv.reason.txt",
        "c-formula.xlsx",
        "c-formula.xlsx.reason.txt",
    ]

    assert adapters.run_now(ctx, SYSTEM, source.id).status == "succeeded"  # the good file waited
    assert county.values() == {**before, (county.subject_by_unit["U004"], "CASES", "2026-01"): 4.0}


def test_the_whole_sample_as_xlsx(context):
    put(context.work_dir, "all.xlsx", xlsx_bytes([FIELDS] + sample_rows()))
    fetched = ADAPTER.fetch(opts(), context)
    assert [r.fields for r in fetched.records] == all_records()
    assert fetched.records[150].where == "file all.xlsx, row 152"


def test_several_files_are_read_in_name_order_and_only_matching_ones(context):
    put(context.work_dir, "b.csv", csv_bytes(["k"], [["b1"]]))
    put(context.work_dir, "a.CSV", csv_bytes(["k"], [["a1"], [""], ["a3"]]))
    put(context.work_dir, "notes.txt", b"k\nno\n")
    put(context.work_dir / "sub", "c.csv", csv_bytes(["k"], [["c1"]]))
    fetched = ADAPTER.fetch(opts(), context)
    assert [(r.where, r.fields["k"]) for r in fetched.records] == [
        ("file a.CSV, row 2", "a1"),
        ("file a.CSV, row 4", "a3"),
        ("file b.csv, row 2", "b1"),
    ]
    assert [r.fields["k"] for r in ADAPTER.fetch(opts(patterns=["b*.csv"]), context).records] == ["b1"]


def test_files_still_being_written_are_skipped(context):
    put(context.work_dir, "done.csv", csv_bytes(["k"], [["1"]]))
    put(context.work_dir, "copying.csv", csv_bytes(["k"], [["2"]]), age=0)
    put(context.work_dir, ".upload-x.csv", csv_bytes(["k"], [["3"]]))
    put(context.work_dir, "~$cases.xlsx", b"lock")
    fetched = ADAPTER.fetch(opts(), context)
    assert [r.where for r in fetched.records] == ["file done.csv, row 2"]
    fetched.on_success()
    assert sorted(p.name for p in context.work_dir.iterdir() if p.is_file()) == [
        ".upload-x.csv",
        "copying.csv",
        "~$cases.xlsx",
    ]


def test_on_success_moves_the_files_aside_so_a_file_is_read_once(context):
    put(context.work_dir, "m.csv", csv_bytes(["k"], [["1"]]))
    put(context.work_dir / "processed", "m.csv", b"an older m.csv")
    fetched = ADAPTER.fetch(opts(), context)
    assert len(fetched.records) == 1 and fetched.on_failure is not None
    fetched.on_success()
    assert not (context.work_dir / "m.csv").exists()
    processed = sorted(p.name for p in (context.work_dir / "processed").iterdir())
    assert processed[0] == "m-" + processed[0][2:] and processed[0].endswith(".csv") and processed[1] == "m.csv"
    assert (context.work_dir / "processed" / "m.csv").read_bytes() == b"an older m.csv"
    again = ADAPTER.fetch(opts(), context)
    assert again.records == [] and again.on_success is None


def test_on_failure_moves_the_files_into_failed_with_the_reason(context):
    put(context.work_dir, "f.csv", csv_bytes(["k"], [["x"]]))
    fetched = ADAPTER.fetch(opts(), context)
    fetched.on_failure("file f.csv, row 2: no subject with code x")
    assert not (context.work_dir / "f.csv").exists()
    assert (context.work_dir / "failed" / "f.csv").exists()
    assert (context.work_dir / "failed" / "f.csv.reason.txt").read_text(
        encoding="utf-8"
    ) == "file f.csv, row 2: no subject with code x\n"


def test_a_preview_leaves_the_files_in_place(context):
    put(context.work_dir, "p.csv", csv_bytes(["k"], [["1"]]))
    for _ in range(2):
        assert len(ADAPTER.fetch(opts(), context).records) == 1  # on_success never called
    assert (context.work_dir / "p.csv").exists()
    assert not (context.work_dir / "processed").exists()


def test_unreadable_files_are_permanent_faults_naming_the_file(context):
    put(context.work_dir, "broken.xlsx", b"PK\x03\x04 not really a zip")
    with pytest.raises(PermanentFault, match=r"^file broken.xlsx: not a valid .xlsx workbook"):
        ADAPTER.fetch(opts(), context)
    (context.work_dir / "broken.xlsx").unlink()
    put(context.work_dir, "latin.csv", "k\n\xe9t\xe9\n".encode("utf-16-le"))
    with pytest.raises(PermanentFault, match=r"^file latin.csv: "):
        ADAPTER.fetch(opts(), context)
    (context.work_dir / "latin.csv").unlink()
    put(context.work_dir, "twice.csv", csv_bytes(["k", "v", "k"], [["1", "2", "3"]]))
    with pytest.raises(PermanentFault, match=r"^file twice.csv, row 1: column 'k' appears twice \(A and C\)$"):
        ADAPTER.fetch(opts(), context)
    (context.work_dir / "twice.csv").unlink()
    put(context.work_dir, "short.csv", csv_bytes(["k"], []))
    with pytest.raises(PermanentFault, match=r"^file short.csv: no header row \(expected on row 3\)$"):
        ADAPTER.fetch(opts(header_row=3), context)


def test_folders_outside_the_allowed_places_are_refused(tmp_path, context):
    outside = tmp_path / "outside"
    put(outside, "x.csv", csv_bytes(["k"], [["1"]]))
    with pytest.raises(PermanentFault, match="not inside a folder the platform allows"):
        ADAPTER.fetch(opts(folder=str(outside)), context)
    with pytest.raises(PermanentFault, match="must stay inside the source's work folder"):
        ADAPTER.fetch(opts(folder="../outside"), context)
    with pytest.raises(PermanentFault, match="not inside a folder the platform allows"):
        ADAPTER.fetch(opts(folder=str(context.work_dir / ".." / "outside")), context)
    (context.work_dir / "link").symlink_to(outside)
    with pytest.raises(PermanentFault, match="must stay inside the source's work folder"):
        ADAPTER.fetch(opts(folder="link"), context)
    allowed = make_context(context.work_dir, allowed_folders=(tmp_path / "outside",))
    assert len(ADAPTER.fetch(opts(folder=str(outside)), allowed).records) == 1
    with pytest.raises(PermanentFault, match="does not exist"):
        ADAPTER.fetch(opts(folder=str(outside / "missing")), allowed)
    # a relative folder is created on first use: it is the source's inbox
    assert ADAPTER.fetch(opts(folder="inbox"), context).records == []
    assert (context.work_dir / "inbox").is_dir()


def test_the_test_message(context):
    assert ADAPTER.test(opts(), context) == f"folder {context.work_dir.resolve()}: no files waiting"
    put(context.work_dir, "a.csv", csv_bytes(["k", "v"], [["1", "2"], ["3", "4"]]))
    put(context.work_dir, "b.csv", csv_bytes(["k", "v"], [["5", "6"]]))
    assert ADAPTER.test(opts(), context) == (
        f"folder {context.work_dir.resolve()}: 2 files waiting (records in each): a.csv (2), b.csv (1); columns k, v"
    )
    assert (context.work_dir / "a.csv").exists()


# --- uploads ---------------------------------------------------------------------------------


def test_save_upload_writes_atomically_and_the_next_fetch_reads_it(context):
    path = save_upload(opts(), context, "cases-2026-03.csv", csv_bytes(["k"], [["1"]]))
    assert path == context.work_dir.resolve() / "cases-2026-03.csv"
    assert [p.name for p in context.work_dir.iterdir()] == ["cases-2026-03.csv"]  # no temporary file left
    second = save_upload(opts(), context, "cases-2026-03.csv", csv_bytes(["k"], [["2"]]))
    assert second != path and second.name.startswith("cases-2026-03-") and path.read_bytes().endswith(b"1\r\n")
    fetched = ADAPTER.fetch(opts(), context)
    assert sorted(r.fields["k"] for r in fetched.records) == ["1", "2"]


@pytest.mark.parametrize(
    "name", ["../x.csv", "sub/x.csv", "..\\x.csv", "x.txt", "x.xls", ".hidden.csv", "~$x.xlsx", "", "C:x.csv"]
)
def test_save_upload_refuses_bad_names(context, name):
    with pytest.raises(Invalid):
        save_upload(opts(), context, name, b"k\n1\n")
    assert not any(context.work_dir.parent.rglob("x.*"))


def test_save_upload_refuses_names_the_source_would_not_read_and_large_files(context, monkeypatch):
    with pytest.raises(Invalid, match="does not match this source's file patterns"):
        save_upload(opts(patterns=["cases-*.csv"]), context, "units.csv", b"k\n1\n")
    with pytest.raises(Invalid, match="is empty"):
        save_upload(opts(), context, "units.csv", b"")
    monkeypatch.setattr(tabular_file, "MAX_FILE_BYTES", 10)
    with pytest.raises(TooLarge):
        save_upload(opts(), context, "units.csv", b"k\n" + b"1\n" * 10)
    assert list(context.work_dir.iterdir()) == []
