"""The organisation, import and plugin pages of the console over HTTP: keyset pages of people,
search by name and by ID-card number, a unit admin kept to its own unit, a move that would
make a cycle refused beside the field, the import's error table, exports as .xlsx with text
kept text, the options form generated from a schema, and a plugin an open campaign uses that
cannot be disabled."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from pydantic import BaseModel, Field, ValidationError

from core.context import Actor
from core.schemas.org import PersonIn, UnitIn
from core.services import org
from core.services import subjects as subject_service
from core.web.admin import schema_form
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
CARD = "11010519491231002X"


def _people(world, code: str, n: int, unit_id: int) -> None:
    for index in range(n):
        org.create_person(world.ctx, SYSTEM, code, PersonIn(name=f"人员{index:03d}", unit_id=unit_id))


def test_people_pages_are_keyset_pages_found_by_name_or_id_card_and_scoped_for_unit_admins(world):
    world.locality("county-o", "示范县")
    u1 = org.create_unit(world.ctx, SYSTEM, "county-o", UnitIn(code="O1", name="县财政局"))
    u2 = org.create_unit(world.ctx, SYSTEM, "county-o", UnitIn(code="O2", name="县教育局"))
    _people(world, "county-o", 120, u1.id)
    org.create_person(world.ctx, SYSTEM, "county-o", PersonIn(name="王小明", unit_id=u2.id, id_card=CARD))
    world.user("office-o", "office", "county-o")
    world.user("unit-o", "unit_admin", "county-o", unit="O2")
    with _session(world, "office-o") as client:
        first = client.get("/admin/localities/county-o/people")
        assert first.status_code == 200 and "第 1–50 人，共 121 人" in first.text
        after = re.search(r'after=(\d+)" rel="next"', first.text).group(1)
        second = client.get(f"/admin/localities/county-o/people?after={after}")
        assert "第 51–100 人，共 121 人" in second.text and 'rel="prev"' in second.text
        before = re.search(r'before=(\d+)" rel="prev"', second.text).group(1)
        assert "第 1–50 人" in client.get(f"/admin/localities/county-o/people?before={before}").text
        after = re.search(r'after=(\d+)" rel="next"', second.text).group(1)
        third = client.get(f"/admin/localities/county-o/people?after={after}")
        assert "第 101–121 人，共 121 人" in third.text and 'rel="next"' not in third.text
        assert len(third.text.encode()) < 100_000

        by_name = client.get("/admin/localities/county-o/people", params={"q": "王小"})
        assert "共 1 人" in by_name.text and "王小明" in by_name.text and "1101**********002X" in by_name.text
        assert CARD not in by_name.text
        by_card = client.get("/admin/localities/county-o/people", params={"q": CARD.lower()})
        assert "王小明" in by_card.text and "共 1 人" in by_card.text
        in_unit = client.get("/admin/localities/county-o/people", params={"unit": str(u2.id)})
        assert "共 1 人" in in_unit.text

        export = client.get("/admin/localities/county-o/people/export", params={"unit": str(u2.id)})
        sheet = load_workbook(io.BytesIO(export.content)).active
        rows = list(sheet.values)
        assert rows[0][0] == "姓名" and rows[1][0] == "王小明" and rows[1][-1] == "1101**********002X"

    with _session(world, "unit-o") as client:
        mine = client.get("/admin/localities/county-o/people")
        assert "共 1 人" in mine.text and "人员000" not in mine.text
        other = client.get("/admin/localities/county-o/people", params={"unit": str(u1.id)})
        assert "共 0 人" in other.text
        assert client.get("/admin/localities/county-o/units/1").status_code == 404  # editing units: office only
        assert client.get("/admin/localities/county-o/plugins").status_code == 404
        page = client.get("/admin/localities/county-o/import")
        assert 'value="people"' in page.text and 'value="units"' not in page.text


def test_units_add_move_and_a_cycle_refused_beside_the_field(world):
    world.office("county-t")
    world.user("office-t2", "office", "county-t")
    with _session(world, "office-t2") as client:

        def add(code, name, parent=""):
            return client.post(
                "/admin/localities/county-t/units",
                data={
                    "_csrf": client.csrf,
                    "code": code,
                    "name": name,
                    "parent_id": parent,
                    "type": "党委部门",
                    "duties": "",
                    "contact_name": "",
                    "contact_phone": "=1+1",
                },
            )

        assert add("T1", "县委办").status_code == 302
        top = org.list_units(world.ctx, SYSTEM, "county-t").items[0]
        assert add("T2", "县委办秘书科", str(top.id)).status_code == 302
        refused = add("bad code", "")
        assert refused.status_code == 422
        assert 'id="e-code"' in refused.text and 'id="e-name"' in refused.text and 'value="bad code"' in refused.text
        twice = add("T1", "又一个")
        assert twice.status_code == 409 and "本地区已有编码为 &#39;T1&#39; 的单位" in twice.text
        child = next(u for u in org.list_units(world.ctx, SYSTEM, "county-t").items if u.code == "T2")
        page = client.get(f"/admin/localities/county-t/units/{top.id}")
        assert f'<option value="{child.id}"' not in page.text  # its own children are no parents for it
        cycle = client.post(
            f"/admin/localities/county-t/units/{top.id}",
            data={"_csrf": client.csrf, "action": "save", "code": "T1", "name": "县委办", "parent_id": str(child.id)},
        )
        assert cycle.status_code == 422 and "不能把下级单位设为上级" in cycle.text
        moved = client.post(
            f"/admin/localities/county-t/units/{child.id}",
            data={"_csrf": client.csrf, "action": "save", "code": "T2", "name": "县委办秘书科", "parent_id": ""},
        )
        assert moved.status_code == 200 and "已保存" in moved.text
        assert org.get_unit(world.ctx, SYSTEM, "county-t", child.id).parent_id is None
        export = client.get("/admin/localities/county-t/units/export")
        sheet = load_workbook(io.BytesIO(export.content)).active
        cells = [row for row in sheet.values]
        assert (
            cells[0][:2] == ("单位编码", "单位名称") and ("T1", "县委办", "党委部门", None, None, "=1+1", None) in cells
        )
        phone = next(row[5] for row in sheet.iter_rows() if row[0].value == "T1")
        assert phone.data_type == "s" and phone.quotePrefix  # text, never a formula
        assert (
            client.post("/admin/localities/county-t/units", data={"_csrf": "x", "code": "T9", "name": "x"}).status_code
            == 403
        )


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_shows_each_bad_row_in_a_table_then_imports_the_fixed_file(world):
    world.office("county-i")
    org.create_unit(world.ctx, SYSTEM, "county-i", UnitIn(code="I1", name="县统计局"))
    world.user("office-i2", "office", "county-i")
    header = ["姓名", "性别", "单位编码", "身份证号"]
    bad = _xlsx([header, ["张三", "男", "I1", CARD], ["李四", "x", "I9", "110105194912310021"]])
    with _session(world, "office-i2") as client:
        page = client.post(
            "/admin/localities/county-i/import",
            data={"_csrf": client.csrf, "kind": "people"},
            files={"file": ("people.xlsx", bad)},
        )
        assert page.status_code == 422
        table = page.text[page.text.index('id="import-problems"') :]
        assert "文件中有 3 处问题，未导入任何数据" in page.text
        assert "<td>3</td><td>单位编码 (C)</td><td>本地区没有编码为 I9 的单位</td>" in table
        assert "<td>3</td><td>性别 (B)</td><td>&#39;x&#39; 不是“男”或“女”</td>" in table
        assert "校验位不符" in table
        good = _xlsx([header, ["张三", "男", "I1", CARD], ["李四", "女", "I1", ""]])
        done = client.post(
            "/admin/localities/county-i/import",
            data={"_csrf": client.csrf, "kind": "people"},
            files={"file": ("people.xlsx", good)},
        )
        assert done.status_code == 200 and "已导入 2 行：新增 2，更新 0。" in done.text
        template = client.get("/admin/localities/county-i/import/people/template?fmt=xlsx")
        assert load_workbook(io.BytesIO(template.content)).active["A1"].value == "姓名"
        english = client.post(
            "/admin/localities/county-i/import?lang=en",
            data={"_csrf": client.csrf, "kind": "units"},
            files={"file": ("units.csv", "单位编码,单位名称\nI1,\n".encode())},
        )
        assert "required, but empty" in english.text


class Options(BaseModel):
    title: str = Field(default="", max_length=5)
    count: int = Field(default=1, ge=1, le=10)
    ratio: float | None = None
    on: bool = False
    mode: str = Field(default="a", json_schema_extra={"enum": ["a", "b"]})
    tags: list[str] = []
    extra: dict[str, int] = {}


def test_an_options_form_from_a_schema_reads_back_what_the_model_validates():
    fields = {f.name: f for f in schema_form.fields_of(Options.model_json_schema())}
    assert {n: f.kind for n, f in fields.items()} == {
        "title": "text",
        "count": "integer",
        "ratio": "number",
        "on": "bool",
        "mode": "enum",
        "tags": "list",
        "extra": "json",
    }
    assert fields["title"].constraints == {"maxLength": 5} and fields["ratio"].nullable
    options, typed, errors = schema_form.read_form(
        list(fields.values()),
        {
            "opt_title": "abc",
            "opt_count": "3",
            "opt_ratio": "",
            "opt_on": "on",
            "opt_mode": "b",
            "opt_tags": "x\r\n\r\ny\n",
            "opt_extra": '{"a": 1}',
        },
    )
    assert errors == {} and typed["tags"] == "x\r\n\r\ny\n"
    assert Options.model_validate(options).model_dump() == {
        "title": "abc",
        "count": 3,
        "ratio": None,
        "on": True,
        "mode": "b",
        "tags": ["x", "y"],
        "extra": {"a": 1},
    }
    _options, _typed, errors = schema_form.read_form(list(fields.values()), {"opt_extra": "{oops"})
    assert errors["extra"].startswith("not valid JSON")
    shown = schema_form.form_values(list(fields.values()), {"tags": ["p", "q"], "extra": {"b": 2}})
    assert shown["tags"] == "p\nq" and shown["on"] is False and '"b": 2' in shown["extra"]


def test_plugin_options_are_checked_beside_the_field_and_a_plugin_in_use_stays_enabled(world, setup):
    world.user("office-a2", "office", "county-a")
    with _session(world, "office-a2") as client:
        listing = client.get("/admin/localities/county-a/plugins")
        assert "示例插件" in listing.text and "以考核对象得分最高的测评人类别计分。" in listing.text
        bad = client.post(
            "/admin/localities/county-a/plugins/example",
            data={"_csrf": client.csrf, "enabled": "on", "opt_note": "长" * 101},
        )
        assert bad.status_code == 422 and '<p class="field-error" id="e-opt_note">最多 100 个字符</p>' in bad.text
        assert "长" * 101 in bad.text  # kept as typed
        good = client.post(
            "/admin/localities/county-a/plugins/example",
            data={"_csrf": client.csrf, "enabled": "on", "opt_note": "备注"},
        )
        assert good.status_code == 200 and "已保存" in good.text and 'value="备注"' in good.text
        patched = setup.api.patch(f"/api/campaigns/{setup.campaign_id}", json={"scoring": {"rule": "highest_category"}})
        assert patched.status_code == 200, patched.text
        setup.issue("县领导", 1)
        setup.issue("基层代表", 1)
        setup.open()
        refused = client.post(
            "/admin/localities/county-a/plugins", data={"_csrf": client.csrf, "name": "example", "action": "disable"}
        )
        assert refused.status_code == 409
        assert f"插件 example 正被进行中的测评 {setup.campaign_id} 使用，请先结束这些测评" in refused.text
        assert 'value="disable"' in refused.text  # still enabled


def test_subjects_are_added_in_bulk_from_units_teams_and_team_members(world):
    from core.schemas.org import TeamIn, TeamMemberIn

    world.office("county-s")
    world.user("office-s2", "office", "county-s")
    u1 = org.create_unit(world.ctx, SYSTEM, "county-s", UnitIn(code="S1", name="县财政局"))
    u2 = org.create_unit(world.ctx, SYSTEM, "county-s", UnitIn(code="S2", name="县水利局"))
    head = org.create_person(world.ctx, SYSTEM, "county-s", PersonIn(name="局长甲", unit_id=u1.id))
    deputy = org.create_person(world.ctx, SYSTEM, "county-s", PersonIn(name="副局长乙", unit_id=u1.id))
    team = org.create_team(
        world.ctx,
        SYSTEM,
        "county-s",
        TeamIn(
            unit_id=u1.id,
            name="领导班子",
            members=[
                TeamMemberIn(person_id=head.id, post="主要领导"),
                TeamMemberIn(person_id=deputy.id, post="分管领导"),
            ],
        ),
    )
    with _session(world, "office-s2") as client:

        def add(source, ids, category):
            return client.post(
                "/admin/localities/county-s/subjects",
                data={
                    "_csrf": client.csrf,
                    "source": source,
                    "category": category,
                    f"ids_{source}": [str(i) for i in ids],
                },
            )

        missing = add("units", [], "")
        assert missing.status_code == 422 and "请至少勾选一项" in missing.text and "必填，但为空" in missing.text
        assert "已添加 2 个考核对象。" in add("units", [u1.id, u2.id], "县直部门").text
        again = add("units", [u1.id], "县直部门")
        assert "已添加 0 个考核对象。 1 个原来就是考核对象：县财政局" in again.text
        assert "已添加 1 个考核对象。" in add("teams", [team.id], "领导班子").text
        page = add("members", [team.id], "班子成员")
        assert "已添加 2 个考核对象。" in page.text and "共 5 个考核对象" not in page.text
        assert "5 个考核对象" in page.text
    subjects = {
        (s.kind, s.name, s.category) for s in subject_service.list_subjects(world.ctx, SYSTEM, "county-s").items
    }
    assert subjects == {
        ("unit", "县财政局", "县直部门"),
        ("unit", "县水利局", "县直部门"),
        ("team", "县财政局领导班子", "领导班子"),
        ("person", "局长甲", "班子成员"),
        ("person", "副局长乙", "班子成员"),
    }


def test_a_file_data_source_is_created_tested_previewed_fed_a_file_and_run_in_the_console(world):
    from tests.adapter_setup import make_county

    county = make_county(world.ctx, "county-f", adapters_enabled=("tabular_file",))
    world.user("office-f2", "office", "county-f")
    unit_code = sorted(county.subject_by_unit)[0]
    with _session(world, "office-f2") as client:
        assert "表格文件" in client.get("/admin/localities/county-f/sources/new").text
        form = {
            "_csrf": client.csrf,
            "action": "save",
            "name": "月报文件",
            "enabled": "on",
            "opt_folder": "inbox",
            "subject_field": "单位编码",
            "subject_by": "code",
            "subject_kind": "",
            "period_field": "月份",
            "period_from_run_date": "",
            "values": f"办结件数, {county.template_id}, CASES",
            "schedule_kind": "",
            "retry_attempts": "0",
        }
        refused = client.post("/admin/localities/county-f/sources/new?adapter=tabular_file", data=form)
        assert refused.status_code == 422 and 'id="e-retry_attempts"' in refused.text
        assert "应大于或等于 1" in refused.text and 'value="月报文件"' in refused.text
        form["retry_attempts"] = "3"
        created = client.post("/admin/localities/county-f/sources/new?adapter=tabular_file", data=form)
        assert created.status_code == 302, created.text
        path = created.headers["location"].split("?")[0]
        assert "已创建数据源。" in client.get(created.headers["location"]).text
        tested = client.post(path, data={"_csrf": client.csrf, "action": "test"})
        assert 'id="test-result"' in tested.text
        csv = f"单位编码,月份,办结件数\n{unit_code},2026-10,95\nNOPE,2026-10,80\n".encode()
        uploaded = client.post(f"{path}/files", data={"_csrf": client.csrf}, files={"file": ("月报.csv", csv)})
        assert uploaded.status_code == 200 and "已上传" in uploaded.text, uploaded.text[-2000:]
        preview = client.post(path, data={"_csrf": client.csrf, "action": "preview"})
        assert 'id="preview"' in preview.text and "<td>95.0</td>" in preview.text
        ran = client.post(path, data={"_csrf": client.csrf, "action": "run"})
        assert ran.status_code == 200 and 'id="runs"' in ran.text
        runs = ran.text[ran.text.index('id="runs"') :]
        assert "2 条记录中有 1 条无法使用，没有写入任何数据" in runs  # the run and why it failed, in Chinese
        assert "1 of 2 records cannot be used" not in ran.text  # its error in Chinese
        assert county.values() == {}  # a record it cannot use: nothing written (all or nothing)
        listing = client.get("/admin/localities/county-f/sources")
        assert "月报文件" in listing.text


def test_a_list_of_simple_objects_is_a_table_of_rows_not_json():
    # grade thresholds: an office types 优秀 90 and 称职 70 in rows, never JSON
    from plugins.scoring_math import THRESHOLDS_FIELD, Threshold

    class WithThresholds(BaseModel):
        thresholds: list[Threshold] = THRESHOLDS_FIELD

    (field,) = schema_form.fields_of(WithThresholds.model_json_schema())
    assert (field.kind, field.columns) == ("rows", [("grade", "Grade"), ("min_score", "Min Score")])
    shown = schema_form.form_values([field], {"thresholds": [{"grade": "优秀", "min_score": 90}]})["thresholds"]
    assert shown == [{"grade": "优秀", "min_score": "90"}] + [{"grade": "", "min_score": ""}] * 3
    typed = {
        "opt_thresholds__rows": "3",
        "opt_thresholds__0__grade": "优秀",
        "opt_thresholds__0__min_score": "90",
        "opt_thresholds__1__grade": "",
        "opt_thresholds__1__min_score": "",  # an emptied row: removed
        "opt_thresholds__2__grade": " 称职 ",
        "opt_thresholds__2__min_score": "70",
    }
    options, again, errors = schema_form.read_form([field], typed)
    assert errors == {} and [row["grade"] for row in again["thresholds"][:2]] == ["优秀", "称职"]
    assert WithThresholds.model_validate(options).model_dump() == {
        "thresholds": [{"grade": "优秀", "min_score": 90.0}, {"grade": "称职", "min_score": 70.0}]
    }
    bad, _again, _errors = schema_form.read_form(
        [field],
        {"opt_thresholds__rows": "1", "opt_thresholds__0__grade": "优秀", "opt_thresholds__0__min_score": "九十"},
    )
    with pytest.raises(ValidationError):  # the model says what is wrong, beside the table
        WithThresholds.model_validate(bad)
