"""Importing appointment forms (.lrmx) into profiles, on both databases: a good form creates the
person and the profile (résumé lines as posts and military service, education, family,
expertise); the same form again updates the same person; a zip with one refused form imports
nothing and reports every file; hostile files are refused; only the department may import."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from core.models import Person
from core.services.errors import NotFound, ServiceError
from plugins.cadres import service
from plugins.cadres.imports import import_lrmx
from tests.plugins.cadres.conftest import FIELDS, ID_NUMBER, form, zipped
from tests.plugins.cadres.setup import make_world


def _people(ctx) -> int:
    with ctx.db.read() as session:
        return session.exec(select(func.count()).select_from(Person)).one()


def test_a_form_creates_the_person_and_the_profile_and_again_updates_them(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    before = _people(ctx)
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form())
    assert (report.status, report.name, report.created) == ("imported", "张三", True)
    assert _people(ctx) == before + 1
    profile = service.read_profile(ctx, dept, "ca", report.person_id)
    assert (profile.gender, profile.birth_date, profile.ethnicity) == ("男", "1976-03", "彝族")
    assert [(p.unit_name, p.post, p.end) for p in profile.posts][-1] == ("大方县人民政府", "副县长", None)
    assert [p.post for p in profile.posts] == ["党委副书记", "镇长", "局长、党组书记", "副县长"]
    assert [m.unit_designation for m in profile.military] == ["中国人民解放军78091部队"]
    assert profile.derived.highest_degree == "学士" and profile.derived.years_in_post is not None
    assert {r.name for r in profile.relations} == {"王芳", "张大山"}
    assert profile.derived.highest_education == "硕士研究生" and profile.derived.highest_full_time_education == "本科"
    assert "乡村振兴" in profile.tags and "1994.09" in profile.resume
    assert profile.native_name == "贵州大方"

    [again] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form({**FIELDS, "MinZu": "汉族"}))
    assert (again.status, again.created, again.person_id) == ("imported", False, report.person_id)  # by ID number
    assert service.read_profile(ctx, dept, "ca", report.person_id).ethnicity == "汉族"
    assert _people(ctx) == before + 1


def test_one_refused_form_in_a_zip_imports_nothing_and_every_file_is_reported(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    before = _people(ctx)
    bad_id = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    upload = zipped(
        [
            ("good.lrmx", form()),
            ("bad.lrmx", form({**FIELDS, "XingMing": "李四", "ShenFenZheng": bad_id})),
            ("broken.lrmx", b"<Person><XingMing>x</Person>"),
        ]
    )
    reports = {r.file: r for r in import_lrmx(ctx, dept, "ca", "forms.zip", upload)}
    assert reports["good.lrmx"].status == "not_imported"
    assert reports["bad.lrmx"].status == "refused"
    assert [p["field"] for p in reports["bad.lrmx"].problems] == ["ShenFenZheng"]
    assert reports["broken.lrmx"].status == "refused" and reports["broken.lrmx"].problems
    assert _people(ctx) == before


def test_hostile_uploads_are_refused_and_others_may_not_import(ctx):
    world = make_world(ctx)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<Person><XingMing>&b;</Person>"
    )
    [report] = import_lrmx(ctx, world.actors["org_dept"], "ca", "bomb.lrmx", bomb)
    assert report.status == "refused" and report.problems
    with pytest.raises(ServiceError):
        import_lrmx(ctx, world.actors["org_dept"], "ca", "notes.txt", b"hello")
    for role in ("office", "other_dept"):
        with pytest.raises(NotFound):
            import_lrmx(ctx, world.actors[role], "ca", "zhang.lrmx", form())
