"""A profile exported as the 任免审批表: the printable PDF (read back with pdftotext) and Word
form carry the fields, the .lrmx imports again to the same profile, a profile without a written
résumé gets one from its sections, and only the organisation department may make a form."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document

from core.services.errors import NotFound
from plugins.cadres import lrmx, service
from plugins.cadres.appointment_form import Appointment, appointment_form
from plugins.cadres.form_print import form_docx, form_pdf
from plugins.cadres.imports import import_lrmx
from plugins.cadres.lrmx import to_lrmx
from tests.plugins.cadres.conftest import FIELDS, form
from tests.plugins.cadres.setup import ROLES, make_world

GIVEN = Appointment(proposed_post="大方县人民政府常务副县长", reason="工作需要", health="健康", title="经济师")


def _text_of_pdf(data: bytes, tmp_path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True).stdout.decode()


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_pdf_form_carries_every_field_of_the_profile(ctx, tmp_path):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form())
    made = appointment_form(ctx, dept, "ca", report.person_id, GIVEN, on=date(2026, 11, 30))
    pdf = form_pdf(made)
    assert pdf.startswith(b"%PDF-")
    text = _squeezed(_text_of_pdf(pdf, tmp_path))
    for caption in ("干部任免审批表", "姓名", "出生年月", "照片", "全日制", "在职", "毕业院校", "拟任职务", "年度考核"):
        assert caption in text
    for value in (
        "张三",
        "彝族",
        "贵州大方",
        "1976.03",
        "（50岁）",
        "1998.06",  # party
        "健康",
        "经济师",
        "乡村振兴、经济管理",  # the tags, in order
        "2026.11.30",
        "大方县人民政府副县长",  # current post
        "大方县人民政府常务副县长",  # proposed
        "工作需要",
        "贵州大学",
        "中央党校",
        "1998.07--2001.12大方县羊场镇党委副书记",  # the résumé as written
        "王芳",  # family
        "大方县第一中学教师",
        "1950.01",
    ):
        assert value in text, value


def test_the_word_form_carries_the_same_fields(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    made = appointment_form(ctx, dept, "ca", world.people["王局长"], GIVEN, on=date(2026, 11, 30))
    document = Document(io.BytesIO(form_docx(made)))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    text = "".join(p.text for p in document.paragraphs) + "|".join(sorted(cells))
    for value in ("干部任免审批表", "王局长", "1975.11\n（51岁）", "四川大学法学院", "硕士研究生 硕士", "赵某", "配偶"):
        assert value in text, value
    assert "2021年度优秀" in text and "大方县人民政府常务副县长" in text
    assert "1993.03--1995.03  61001部队服役" in text  # a résumé written from the sections


def test_the_lrmx_form_imports_again_to_the_same_profile(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    [first] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form())
    before = service.read_profile(ctx, dept, "ca", first.person_id, on=date(2026, 11, 30))
    made = appointment_form(ctx, dept, "ca", first.person_id, GIVEN, on=date(2026, 11, 30))
    data = to_lrmx(made.profile)
    read = lrmx.read_file("back.lrmx", data)
    assert read.profile.id_number == FIELDS["ShenFenZheng"] and read.profile.fields["NiRenZhiWu"] == GIVEN.proposed_post
    [again] = import_lrmx(ctx, dept, "ca", "back.lrmx", data)
    assert (again.status, again.created, again.person_id) == ("imported", False, first.person_id)
    after = service.read_profile(ctx, dept, "ca", first.person_id, on=date(2026, 11, 30))
    assert after.model_dump() == before.model_dump()


def test_a_resume_written_from_the_sections_reads_back_into_the_same_posts(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    made = appointment_form(ctx, dept, "ca", world.people["张书记"], Appointment(), on=date(2026, 11, 30))
    resume = made.profile.fields["JianLi"]
    assert resume.splitlines()[0].startswith("2006.09--2010.07  贵州大学经济学院经济学专业学习")
    read = lrmx.read_file("back.lrmx", to_lrmx(made.profile)).profile
    assert [(p.start, p.end) for p in read.resume.posts] == [
        (date(2010, 7, 1), date(2016, 6, 1)),  # months, as forms write them
        (date(2016, 7, 1), None),
    ]
    assert [(e.school, e.department, e.major) for e in read.education] == [("贵州大学", "经济学院", "经济学")]


def test_only_the_department_makes_forms_and_each_is_in_the_view_log(ctx):
    world = make_world(ctx)
    person = world.people["李镇长"]
    for role in ROLES:
        if role in ("org_dept", "org_dept_head"):
            assert appointment_form(ctx, world.actors[role], "ca", person, GIVEN).profile.name == "李镇长"
        else:
            with pytest.raises(NotFound):
                appointment_form(ctx, world.actors[role], "ca", person, GIVEN)
    with pytest.raises(NotFound):
        appointment_form(ctx, world.actors["org_dept"], "ca", world.other_person, GIVEN)
    with pytest.raises(NotFound):
        appointment_form(ctx, world.actors["other_dept"], "ca", person, GIVEN)
    log = service.view_log(ctx, world.actors["org_dept_head"], "ca")
    assert [(r.action, r.person_ids) for r in log.items if r.action == "form"] == [("form", [person])] * 2


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_a_long_resume_and_many_relations_run_on_over_pages(tmp_path):
    from plugins.cadres.appointment_form import FormData

    fields = {name: "" for name in (*lrmx.TEXT_FIELDS, *lrmx.TAIL_FIELDS)}
    lines = [f"{1980 + i % 40}.01--{1981 + i % 40}.01  某县某镇党委副书记（第{i}行）" for i in range(300)]
    fields.update(XingMing="张三", JianLi="\n".join(lines), JiangChengQingKuang="奖" * 3000)
    family = tuple(lrmx.FamilyMember("表兄", f"亲属{i}", "197001", "群众", "某单位") for i in range(100))
    made = FormData(profile=lrmx.LrmxProfile(fields=fields, family=family), age=50, on=date(2026, 11, 30))
    text = _text_of_pdf(form_pdf(made), tmp_path)
    assert "（第0行）" in text and "（第299行）" in text and "亲属0" in text and "亲属99" in text
    assert text.count("\f") >= 4  # pages
    cells = {c.text for t in Document(io.BytesIO(form_docx(made))).tables for r in t.rows for c in r.cells}
    assert "亲属99" in cells
