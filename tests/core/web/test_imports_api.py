"""Imports through the HTTP API of a live server (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from core.services import imports

DEMO = Path(__file__).resolve().parents[3] / "core" / "demo_data"
UNITS_CSV = (DEMO / "county-units.csv").read_bytes()
PEOPLE_CSV = (DEMO / "county-people.csv").read_bytes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BASE = "/api/localities/county-a/imports"

UNIT_HEADERS = ["单位编码", "单位名称", "单位类型", "上级单位编码", "联系人", "联系电话", "职责"]
PEOPLE_HEADERS = [
    "姓名",
    "性别",
    "出生年月",
    "民族",
    "学历",
    "学位",
    "毕业院校",
    "籍贯",
    "政治面貌",
    "现任职务",
    "职级",
    "单位编码",
    "任现职时间",
    "身份证号",
]


def upload(api, kind: str, name: str, content: bytes, mime: str = "text/csv", field: str = "data", base: str = BASE):
    return api.post(f"{base}/{kind}", files={field: (name, content, mime)})


def total(api, what: str, code: str = "county-a") -> int:
    response = api.get(f"/api/localities/{code}/{what}", params={"limit": 1})
    assert response.status_code == 200, response.text
    return response.json()["total"]


def assert_error_body(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status
    assert body["detail"]
    assert isinstance(body["errors"], list)
    return body


def test_good_upload_answers_with_counts(world):
    with world.office("county-a") as api:
        response = upload(api, "units", "county-units.csv", UNITS_CSV)
        assert response.status_code == 200, response.text
        assert response.json() == {"kind": "units", "rows": 24, "created": 24, "updated": 0}
        assert total(api, "units") == 24
        again = upload(api, "units", "county-units.csv", UNITS_CSV)
        assert again.json() == {"kind": "units", "rows": 24, "created": 0, "updated": 24}
        assert total(api, "units") == 24
        people = upload(api, "people", "county-people.csv", PEOPLE_CSV)
        assert people.status_code == 200, people.text
        assert people.json() == {"kind": "people", "rows": 287, "created": 287, "updated": 0}
        assert total(api, "people") == 287


def test_gbk_csv_and_xlsx_upload(world):
    gbk = PEOPLE_CSV.decode("utf-8-sig").encode("gbk")
    workbook = Workbook()
    for line in PEOPLE_CSV.decode("utf-8-sig").splitlines():
        workbook.active.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with world.office("county-a") as api:
        assert upload(api, "units", "county-units.csv", UNITS_CSV).status_code == 200
        response = upload(api, "people", "roster.csv", gbk)
        assert response.json()["created"] == 287, response.text
        response = upload(api, "people", "roster.xlsx", buffer.getvalue(), XLSX)
        # the same roster as a workbook: without ID cards people are known by name, unit and birth date
        assert (response.json()["created"], response.json()["updated"]) == (0, 287), response.text
        assert total(api, "people") == 287


def test_the_file_may_come_in_any_form_field(world):
    """Litestar hands the handler the whole form; the one file part is used, whatever its name
    ("data" as in the handler's signature, or "file" as most upload widgets send it)."""
    with world.office("county-a") as api:
        for field in ("data", "file"):
            response = upload(api, "units", "u.csv", "单位编码,单位名称\r\nU1,甲\r\n".encode(), field=field)
            assert response.status_code == 200, (field, response.text)
        # a text field beside the file is ignored
        response = api.post(
            f"{BASE}/units",
            files={"data": ("u.csv", "单位编码,单位名称\r\nU2,乙\r\n".encode(), "text/csv")},
            data={"note": "from the office"},
        )
        assert response.status_code == 200, response.text
        assert total(api, "units") == 2


def test_a_form_without_exactly_one_file_is_refused(world):
    one = ("u.csv", "单位编码,单位名称\r\nU1,甲\r\n".encode(), "text/csv")
    with world.office("county-a") as api:
        no_file = api.post(f"{BASE}/units", files={"data": (None, "单位编码,单位名称\r\nU1,甲\r\n")})
        assert_error_body(no_file, 422)
        empty_form = api.post(f"{BASE}/units", files={"data": ("", b"")})
        assert_error_body(empty_form, 422)
        two = api.post(f"{BASE}/units", files=[("data", one), ("data", ("v.csv", b"x", "text/csv"))])
        assert_error_body(two, 422)
        two_fields = api.post(f"{BASE}/units", files=[("a", one), ("b", ("v.csv", b"x", "text/csv"))])
        assert_error_body(two_fields, 422)
        no_body = api.post(f"{BASE}/units")
        assert 400 <= no_body.status_code < 500, no_body.text
        not_multipart = api.post(f"{BASE}/units", json={"data": "U1,甲"})
        assert_error_body(not_multipart, 400)
        assert total(api, "units") == 0


def test_a_bad_file_answers_422_with_every_row_error(world):
    content = (
        "姓名,性别,出生年月,单位编码,任现职时间\r\n"
        "甲,男,1985-06,U001,2020.12\r\n"
        "乙,X,1985-06,U001,2020.12\r\n"
        "丙,女,1985-06,U404,2020.1\r\n"
    ).encode()
    with world.office("county-a") as api:
        upload(api, "units", "county-units.csv", UNITS_CSV)
        response = upload(api, "people", "p.csv", content)
        body = assert_error_body(response, 422)
        cells = [(e["row"], e["column"]) for e in body["errors"]]
        assert sorted(cells) == sorted([(3, "性别 (B)"), (4, "任现职时间 (E)"), (4, "单位编码 (D)")])
        assert [row for row, _ in cells] == [3, 4, 4]  # listed in row order
        assert all(set(e) == {"row", "column", "message"} and e["message"] for e in body["errors"])
        assert "nothing was imported" in body["detail"]
        assert total(api, "people") == 0  # not even row 2, which was fine


def test_a_missing_column_is_reported_on_the_header_row(world):
    with world.office("county-a") as api:
        body = assert_error_body(upload(api, "units", "u.csv", "单位名称\r\n甲\r\n".encode()), 422)
        assert body["errors"] == [{"row": 1, "column": "单位编码", "message": "required column is missing"}]


NOT_SPREADSHEETS = [
    ("units.xlsx", bytes(range(256)) * 8, XLSX),  # random bytes under an .xlsx name
    ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"),
    ("units.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "application/vnd.ms-excel"),  # old OLE .xls
    ("units.csv", b"", "text/csv"),
    ("units.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
    (
        "units.csv",
        "单位编码,单位名称\r\nU1,".encode() + b"x" * 200_000,
        "text/csv",
    ),  # beyond the csv module's cell limit
]


def test_a_non_spreadsheet_answers_4xx_not_500(world):
    with world.office("county-a") as api:
        for name, content, mime in NOT_SPREADSHEETS:
            response = upload(api, "units", name, content, mime)
            assert 400 <= response.status_code < 500, (name, response.text)
            assert_error_body(response, response.status_code)
        xls = upload(api, "units", "units.xls", NOT_SPREADSHEETS[2][1], "application/vnd.ms-excel")
        assert ".xlsx" in xls.json()["detail"]  # tells the user what to do
        assert total(api, "units") == 0


def test_a_body_over_the_upload_limit_answers_413(world):
    limit = world.ctx.settings.max_upload_mb * 1024 * 1024
    with world.office("county-a") as api:
        response = upload(api, "units", "big.csv", b"a" * (limit + 1))
        assert_error_body(response, 413)
        # the server is fine afterwards
        ok = upload(api, "units", "u.csv", "单位编码,单位名称\r\nU1,甲\r\n".encode())
        assert ok.status_code == 200, ok.text
        assert total(api, "units") == 1


@pytest.mark.parametrize(
    "kind, headers, row",
    [
        ("units", UNIT_HEADERS, ["X1", "新单位", "综合部门", "U001", "张三", "0571-80000000", "文电"]),
        (
            "people",
            PEOPLE_HEADERS,
            [
                "新人",
                "女",
                "1990-01",
                "汉族",
                "大学本科",
                "学士",
                "浙江大学",
                "浙江杭州",
                "中共党员",
                "科员",
                "一级科员",
                "U001",
                "2020-12",
                "330102199001010012",
            ],
        ),
    ],
)
def test_xlsx_template_matches_the_import_and_imports_when_filled(world, kind, headers, row):
    with world.office("county-a") as api:
        upload(api, "units", "county-units.csv", UNITS_CSV)
        response = api.get(f"{BASE}/{kind}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == XLSX
        assert f'filename="{kind}-template.xlsx"' in response.headers["content-disposition"]
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        assert header == headers
        assert header == [spec.headers[0] for spec in imports.KINDS[kind]]
        # every column is formatted as text, so Excel keeps 001 and 18-digit ID numbers as typed
        for index in range(1, len(headers) + 1):
            assert sheet.column_dimensions[get_column_letter(index)].number_format == "@", index
        sheet.append(row)
        filled = io.BytesIO()
        workbook.save(filled)
        result = upload(api, kind, f"{kind}-template.xlsx", filled.getvalue(), XLSX)
        assert result.status_code == 200, result.text
        assert result.json()["created"] == 1
        assert result.json()["rows"] == 1


@pytest.mark.parametrize(
    "kind, headers, row",
    [
        ("units", UNIT_HEADERS, "X1,新单位,,,,,"),
        ("people", PEOPLE_HEADERS, "新人,女,1990.01,,,,,,,,,U001,,"),
    ],
)
def test_csv_template_matches_the_import_and_imports_when_filled(world, kind, headers, row):
    with world.office("county-a") as api:
        upload(api, "units", "county-units.csv", UNITS_CSV)
        response = api.get(f"{BASE}/{kind}", params={"format": "csv"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert f'filename="{kind}-template.csv"' in response.headers["content-disposition"]
        assert response.content.startswith(b"\xef\xbb\xbf")  # so that Excel opens it as UTF-8
        assert response.content.decode("utf-8-sig").rstrip("\r\n").split(",") == headers
        result = upload(api, kind, f"{kind}.csv", response.content + (row + "\r\n").encode())
        assert result.status_code == 200, result.text
        assert result.json()["created"] == 1


def test_unknown_kind_or_format_is_a_client_error(world):
    with world.office("county-a") as api:
        response = upload(api, "budgets", "u.csv", UNITS_CSV)
        assert 400 <= response.status_code < 500, response.text
        assert_error_body(response, response.status_code)
        assert 400 <= api.get(f"{BASE}/budgets").status_code < 500
        assert 400 <= api.get(f"{BASE}/units", params={"format": "pdf"}).status_code < 500
        assert total(api, "units") == 0


def test_another_localitys_office_gets_404(world):
    with world.office("county-a") as office_a, world.office("county-b") as office_b:
        assert_error_body(upload(office_b, "units", "county-units.csv", UNITS_CSV), 404)
        assert_error_body(office_b.get(f"{BASE}/units"), 404)
        assert_error_body(office_b.get(f"{BASE}/people", params={"format": "csv"}), 404)
        assert total(office_a, "units") == 0
        # its own locality works
        response = upload(office_b, "units", "county-units.csv", UNITS_CSV, base="/api/localities/county-b/imports")
        assert response.status_code == 200, response.text
        assert total(office_a, "units") == 0


def test_uploading_needs_a_signed_in_user(world):
    world.locality("county-a")
    with world.client() as anonymous:
        assert upload(anonymous, "units", "county-units.csv", UNITS_CSV).status_code == 401
        assert anonymous.get(f"{BASE}/units").status_code == 401


def test_a_file_of_mixed_encodings_is_refused_naming_the_row_in_the_users_language(world):
    # UTF-8 with one row from a GBK file (as a whole it would "decode" as GB18030, to mojibake)
    content = (
        "code,name\r\nU001,县财政局\r\nU002,县教育局\r\n".encode()
        + "U003,县公安局\r\n".encode("gbk")
        + "U004,县审计局\r\n".encode()
    )
    with world.office("county-a") as api:
        assert upload(api, "units", "county-units.csv", UNITS_CSV).status_code == 200
        names = {
            u["code"]: u["name"]
            for u in api.get("/api/localities/county-a/units", params={"limit": 100}).json()["items"]
        }
        english = assert_error_body(upload(api, "units", "units.csv", content), 422)
        assert english["errors"] == [{"row": 4, "column": "", "message": "not UTF-8 text like the rest of the file"}]
        assert "row(s) 4 is not UTF-8" in english["detail"]
        chinese = assert_error_body(
            api.post(
                f"{BASE}/units",
                files={"data": ("units.csv", content, "text/csv")},
                headers={"Accept-Language": "zh-CN,zh;q=0.9"},
            ),
            422,
        )
        assert chinese["errors"] == [{"row": 4, "column": "", "message": "不是与文件其余部分相同的 UTF-8 编码"}]
        assert chinese["detail"].startswith("文件：第 4 行的文字不是与文件其余部分相同的 UTF-8 编码")
        after = {
            u["code"]: u["name"]
            for u in api.get("/api/localities/county-a/units", params={"limit": 100}).json()["items"]
        }
        assert after == names and after["U001"] == "县委办公室"


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell(world):
    workbook = Workbook()
    workbook.active.title = "单位"
    for row in (["单位编码", "单位名称", "联系人"], ["U001", "县委办公室", '=""&"x"']):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with world.office("county-a") as api:
        assert upload(api, "units", "county-units.csv", UNITS_CSV).status_code == 200
        response = api.post(
            f"{BASE}/units",
            files={"data": ("units.xlsx", buffer.getvalue(), XLSX)},
            headers={"Accept-Language": "zh-CN"},
        )
        body = assert_error_body(response, 422)
        assert body["errors"] == [
            {"row": 2, "column": "C", "message": "工作表 单位，单元格 C2：公式没有保存的计算结果"}
        ]
        assert "单元格 C2" in body["detail"]
        units = api.get("/api/localities/county-a/units", params={"limit": 100}).json()["items"]
        assert next(u for u in units if u["code"] == "U001")["contact_name"] == "郭刚浩"


def test_hostile_workbooks_are_refused_quickly_naming_the_limit_in_the_users_language(world):
    import time

    from tests import spreadsheet_bombs as bombs

    hostile = [  # (file, status, what the Chinese answer says)
        (bombs.shared_string_bomb(8_000_000), 413, "共享字符串表超过 1,000,000 项"),
        (bombs.empty_rows(), 413, "工作表 单位 超过 250,000 行"),
        (bombs.deep_nesting(), 422, "XML 嵌套超过 64 层"),
        (bombs.zip_bomb(170), 413, "工作表 单位 解压后有 170 MB，上限为 160 MB"),
        (bombs.wide_rows(), 413, "工作表 单位 超过 2,000,000 个单元格"),
        (bombs.commas_row(), 413, "第 2 行超过 1,000,000 个字符"),
    ]
    with world.office("county-a") as api:
        for content, status, says in hostile:
            name = "bomb.csv" if content[:2] != b"PK" else "bomb.xlsx"
            started = time.perf_counter()
            response = api.post(
                f"{BASE}/units", files={"data": (name, content, XLSX)}, headers={"Accept-Language": "zh-CN"}
            )
            assert time.perf_counter() - started < 30, says  # seconds: 194 before the limits
            body = assert_error_body(response, status)
            assert says in body["detail"], body["detail"]
        assert total(api, "units") == 0
