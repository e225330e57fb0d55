"""The import API (``/api/localities/{code}/cadres/imports/``) over a live server, on both
databases: a section's template and its import, appointment forms one by one or zipped; bad rows
and refused forms answer 422 with the row and column (or file, field and line) in the language of
``Accept-Language`` and nothing written; the organisation department only, as on the pages;
every write audited; the operations in the OpenAPI document with a binary file part."""

from __future__ import annotations

import io
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlmodel import col, select

from core.models import AuditEntry
from tests.plugins.cadres.conftest import FIELDS, ID_NUMBER, form, zipped
from tests.plugins.cadres.test_sheets import workbook

BASE = "/api/localities/ca/cadres"


def _actions(ctx, after_id: int) -> list[str]:
    with ctx.db.read() as session:
        return list(session.exec(select(AuditEntry.action).where(col(AuditEntry.id) > after_id)))


def _last_id(ctx) -> int:
    with ctx.db.read() as session:
        return session.exec(select(AuditEntry.id).order_by(col(AuditEntry.id).desc())).first() or 0


def test_a_section_imports_through_the_api_and_bad_rows_come_back_by_row_and_column(ctx, site):
    world, _session, api = site
    dept = api("org_dept")
    start = _last_id(ctx)
    good = workbook([["姓名", "专业特长"], ["王局长", "财政"], ["王局长", "审计"], ["张书记", "党建"]])
    answer = dept.post(f"{BASE}/imports/sheets/tags", files={"file": ("tags.xlsx", good)})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"rows": 3, "people": 2}
    assert _actions(ctx, start) == ["cadres.profile.sheet", "cadres.profile.sheet"]
    profile = dept.get(f"{BASE}/people/{world.people['王局长']}").json()
    assert profile["tags"] == ["审计", "财政"]

    bad = workbook(
        [
            ["姓名", "任职单位", "职务", "起始时间"],
            ["张书记", "羊场镇", "书记", "1984.13"],
            ["无此人", "镇", "镇长", "2001.01"],
        ]
    )
    middle = _last_id(ctx)
    refused = dept.post(f"{BASE}/imports/sheets/posts", files={"file": ("posts.xlsx", bad)})
    assert refused.status_code == 422
    rows = sorted((e["row"], e["column"].split(" ")[0]) for e in refused.json()["errors"])
    assert rows == [(2, "起始时间"), (3, "姓名")]
    chinese = dept.post(
        f"{BASE}/imports/sheets/posts", files={"file": ("posts.xlsx", bad)}, headers={"Accept-Language": "zh-CN"}
    ).json()
    unknown = next(e["message"] for e in chinese["errors"] if e["row"] == 3)
    assert unknown == "本地区没有此姓名的人员"
    assert _actions(ctx, middle) == []  # nothing written, nothing audited
    assert len(dept.get(f"{BASE}/people/{world.people['张书记']}").json()["posts"]) == 2


def test_the_template_is_the_sheet_the_import_reads_named_in_the_readers_language(site):
    _world, _session, api = site
    dept = api("org_dept")
    chinese = dept.get(f"{BASE}/imports/sheets/relations", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 200
    assert chinese.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "干部-家庭成员及重要社会关系-模板.xlsx" in unquote(chinese.headers["content-disposition"])
    book = load_workbook(io.BytesIO(chinese.content))
    assert book.worksheets[0].title == "家庭成员及重要社会关系"
    assert [c.value for c in book.worksheets[0][1]][:4] == ["身份证号", "姓名", "称谓", "成员姓名"]
    english = dept.get(f"{BASE}/imports/sheets/rewards", headers={"Accept-Language": "en"})
    assert 'filename="cadres-rewards-template.xlsx"' in english.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(english.content)).worksheets[0]
    assert sheet.title == "Rewards and punishments"
    assert [c.value for c in sheet[1]] == ["身份证号", "姓名", "奖惩类别", "奖惩名称", "批准机关", "批准时间"]
    assert dept.get(f"{BASE}/imports/sheets/nothing").status_code in (400, 404)


def test_forms_import_through_the_api_one_by_one_or_zipped_and_a_refused_one_stops_all(ctx, site):
    world, _session, api = site
    dept = api("org_dept")
    start = _last_id(ctx)
    answer = dept.post(f"{BASE}/imports/lrmx", files={"file": ("zhang.lrmx", form())})
    assert answer.status_code == 200, answer.text
    [report] = answer.json()
    assert report["file"] == "zhang.lrmx" and report["name"] == "张三" and report["created"] is True
    assert _actions(ctx, start) == ["person.create", "cadres.profile.import"]
    profile = dept.get(f"{BASE}/people/{report['person_id']}").json()
    assert profile["ethnicity"] == "彝族" and [r["name"] for r in profile["relations"]] == ["王芳", "张大山"]

    bad_id = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    upload = zipped(
        [
            ("a.lrmx", form({**FIELDS, "XingMing": "李四", "ShenFenZheng": "", "MinZu": "汉族"})),
            ("b.lrmx", form({**FIELDS, "ShenFenZheng": bad_id})),
        ]
    )
    middle = _last_id(ctx)
    refused = dept.post(f"{BASE}/imports/lrmx", files={"file": ("forms.zip", upload)})
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert {e["file"] for e in errors} == {"a.lrmx", "b.lrmx"}
    assert any(e["file"] == "b.lrmx" and e["field"] == "ShenFenZheng" for e in errors)
    assert next(e for e in errors if e["file"] == "a.lrmx")["message"] == "Not imported: another file was refused"
    assert refused.json()["detail"] == "1 of 2 files were refused; nothing was imported"
    chinese = dept.post(
        f"{BASE}/imports/lrmx", files={"file": ("forms.zip", upload)}, headers={"Accept-Language": "zh-CN"}
    ).json()
    assert chinese["detail"] == "2 个文件中有 1 个被拒绝，均未导入"
    assert next(e for e in chinese["errors"] if e["file"] == "a.lrmx")["message"] == "未导入：另有文件被拒绝"
    assert _actions(ctx, middle) == []
    assert dept.post(f"{BASE}/imports/lrmx", files={"file": ("x.lrmx", b"<Person>")}).status_code == 422
    two = dept.post(f"{BASE}/imports/lrmx", files=[("file", ("a.lrmx", form())), ("more", ("b.lrmx", form()))])
    assert two.status_code == 422 and two.json()["errors"][0]["field"] == "file"  # one file part, not two


def test_only_the_organisation_department_imports(site):
    world, _session, api = site
    content = workbook([["姓名", "专业特长"], ["王局长", "财政"]])
    for role in ("office", "unit_admin", "leader", "cadre", "assessment_group", "other_dept"):
        client = api(role)
        assert client.post(f"{BASE}/imports/sheets/tags", files={"file": ("t.xlsx", content)}).status_code == 404
        assert client.post(f"{BASE}/imports/lrmx", files={"file": ("z.lrmx", form())}).status_code == 404
        assert client.get(f"{BASE}/imports/sheets/tags").status_code == 404
    head = api("org_dept_head")
    assert head.post(f"{BASE}/imports/sheets/tags", files={"file": ("t.xlsx", content)}).status_code == 200
    assert (
        api("org_dept")
        .post(BASE.replace("/ca/", "/cb/") + "/imports/lrmx", files={"file": ("z.lrmx", form())})
        .status_code
        == 404
    )


def test_the_imports_are_in_the_openapi_document_with_a_binary_file_part(site):
    _world, _session, api = site
    document = api("org_dept").get("/schema/openapi.json").json()
    forms = document["paths"]["/api/localities/{code}/cadres/imports/lrmx"]["post"]
    part = forms["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["file"]
    assert part["format"] == "binary" and ".lrmx" in part["description"]
    assert {"401", "403", "404", "409", "413", "422"} <= set(forms["responses"])
    sheets = document["paths"]["/api/localities/{code}/cadres/imports/sheets/{section}"]
    assert sheets["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["required"] == ["file"]
    assert set(sheets["get"]["responses"]["200"]["content"]) == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    }
    section = next(p for p in sheets["post"]["parameters"] if p["name"] == "section")
    assert {"relations", "rewards", "posts"} <= set(section["schema"]["enum"])
