"""Profiles on both databases: written and read back with their derived figures, the view log,
and the organisation department's exclusive access (404 for every other role, for another
locality's person, and where the plugin is off)."""

from __future__ import annotations

from datetime import date

import pytest

from core.services.errors import NotFound
from plugins.cadres import service
from plugins.cadres.schemas import ProfileIn
from tests.plugins.cadres.setup import ROLES, enable, make_world


def test_a_profile_reads_back_with_its_derived_figures(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    profile = service.read_profile(ctx, dept, "ca", world.people["李镇长"], on=date(2026, 12, 1))
    assert profile.native_code == "520523" and profile.gender == "女"
    assert [p.post for p in profile.posts] == ["科员", "乡镇党委书记"]
    assert profile.derived.age == 43  # born 1983-02
    assert profile.derived.years_in_post == 4.9  # 乡镇党委书记 since 2022-01-01
    assert profile.derived.years_at_rank == 3.5  # since 2023-06-01
    assert profile.derived.highest_education == "本科"  # in-service
    assert profile.derived.highest_full_time_education == "大专"
    assert profile.derived.training_hours == 70
    assert profile.tags == ["农业"]

    wang = service.read_profile(ctx, dept, "ca", world.people["王局长"], on=date(2026, 11, 19))
    assert wang.derived.age == 50  # the day before his 51st birthday
    assert wang.derived.highest_degree == "硕士"
    assert wang.relations[0].id_card_masked == "5205**********002X"  # stored encrypted, shown masked
    assert wang.military[0].unit_designation == "61001部队"


def test_writing_one_section_keeps_the_others_and_refreshes_the_derived_figures(ctx):
    world = make_world(ctx)
    dept, person = world.actors["org_dept"], world.people["李镇长"]
    service.write_profile(
        ctx,
        dept,
        "ca",
        person,
        ProfileIn.model_validate({"education": [{"school": "贵州大学", "level": "硕士研究生"}]}),
    )
    profile = service.read_profile(ctx, dept, "ca", person, on=date(2026, 12, 1))
    assert (
        profile.derived.highest_education == "硕士研究生"
        and profile.derived.highest_full_time_education == "硕士研究生"
    )
    assert len(profile.posts) == 2 and profile.native_code == "520523" and profile.derived.training_hours == 70


def test_derived_figures_without_dates():
    assert service.age_at(None, date(2026, 1, 1)) is None
    assert service.age_at(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert service.birth_of("1984-09") == date(1984, 9, 1) and service.birth_of("1984-13") is None
    assert service.years_between(None, date(2026, 1, 1)) is None


def test_every_other_role_and_locality_gets_404(ctx):
    world = make_world(ctx)
    for role in [r for r in ROLES if not r.startswith("org_dept")] + ["other_dept"]:
        with pytest.raises(NotFound):
            service.read_profile(ctx, world.actors[role], "ca", world.people["张书记"])
        with pytest.raises(NotFound):
            service.write_profile(
                ctx, world.actors[role], "ca", world.people["张书记"], ProfileIn(native_code="520102")
            )


def test_a_person_of_another_locality_is_404_and_so_is_a_locality_without_the_plugin(ctx):
    world = make_world(ctx)
    with pytest.raises(NotFound):
        service.read_profile(ctx, world.actors["org_dept"], "ca", world.other_person)
    enable(ctx, "ca", False)
    with pytest.raises(NotFound):
        service.read_profile(ctx, world.actors["org_dept"], "ca", world.people["张书记"])


def test_the_view_log_records_every_read_and_only_the_head_reads_it(ctx):
    world = make_world(ctx)
    service.read_profile(ctx, world.actors["org_dept"], "ca", world.people["张书记"])
    service.read_profile(ctx, world.actors["org_dept_head"], "ca", world.people["王局长"])
    log = service.view_log(ctx, world.actors["org_dept_head"], "ca")
    assert log.total == 2
    assert [(r.username, r.action, r.names) for r in log.items] == [
        ("org_dept_head-ca", "profile", ["王局长"]),
        ("org_dept-ca", "profile", ["张书记"]),
    ]
    for role in ("org_dept", "office", "other_dept"):
        with pytest.raises(NotFound):
            service.view_log(ctx, world.actors[role], "ca")
