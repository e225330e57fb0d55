"""The subject pages over HTTP: the list by category, one subject's name and category changed,
a subject that a campaign uses refused deletion with the reason, the export, office only."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core.context import Actor
from core.schemas.org import SubjectIn, UnitIn
from core.services import org
from core.services import subjects as subject_service
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
BASE = "/admin/localities/county-s/subjects"


@pytest.fixture
def county(world):
    world.locality("county-s", "示范县")
    world.locality("other-s", "别的县")
    unit = org.create_unit(world.ctx, SYSTEM, "county-s", UnitIn(code="S1", name="县财政局"))
    world.subjects = [
        subject_service.create_subject(world.ctx, SYSTEM, "county-s", SubjectIn(**fields)).id
        for fields in (
            {"name": "县财政局", "kind": "unit", "ref_id": unit.id, "category": "县直部门"},
            {"name": "城关镇", "kind": "unit", "category": "乡镇"},
            {"name": "南山镇", "kind": "unit", "category": "乡镇"},
        )
    ]
    world.user(
        "office-s",
        "office",
        "county-s",
    )
    world.user("office-o", "office", "other-s")
    world.user("unit-s", "unit_admin", "county-s", unit="S1")
    return world


def test_the_office_filters_edits_exports_and_deletes_subjects(county):
    with _session(county, "office-s") as client:
        listing = client.get(BASE)
        assert "乡镇 (2)" in listing.text and "县直部门 (1)" in listing.text
        towns = client.get(BASE, params={"category": "乡镇"})
        assert "城关镇" in towns.text and "县财政局</a>" not in towns.text and "2 个考核对象" in towns.text
        first = county.subjects[1]
        refused = client.post(
            f"{BASE}/{first}", data={"_csrf": client.csrf, "action": "save", "name": "", "category": "乡镇"}
        )
        assert refused.status_code in (400, 422) and "field-error" in refused.text
        saved = client.post(
            f"{BASE}/{first}", data={"_csrf": client.csrf, "action": "save", "name": "城关街道", "category": "街道"}
        )
        assert saved.status_code == 200 and "已保存" in saved.text
        assert (
            subject_service.get_subject(county.ctx, SYSTEM, "county-s", first).name,
            subject_service.get_subject(county.ctx, SYSTEM, "county-s", first).category,
        ) == ("城关街道", "街道")
        rows = list(
            load_workbook(io.BytesIO(client.get(f"{BASE}/export", params={"category": "乡镇"}).content)).active.values
        )
        assert rows == [("考核对象", "类型", "考核对象类别"), ("南山镇", "单位", "乡镇")]
        deleted = client.post(f"{BASE}/{county.subjects[2]}", data={"_csrf": client.csrf, "action": "delete"})
        assert deleted.status_code == 302
        assert subject_service.list_subjects(county.ctx, SYSTEM, "county-s").total == 2
        assert client.post(f"{BASE}/{first}", data={"action": "delete"}).status_code == 403  # no CSRF token


def test_others_get_404(county):
    subject = county.subjects[0]
    with _session(county, "office-o") as client:
        assert client.get(f"{BASE}/{subject}").status_code == 404
        assert client.get(f"/admin/localities/other-s/subjects/{subject}").status_code == 404
        assert (
            client.post(
                f"/admin/localities/other-s/subjects/{subject}", data={"_csrf": client.csrf, "action": "delete"}
            ).status_code
            == 404
        )
    with _session(county, "unit-s") as client:
        assert client.get(f"{BASE}/{subject}").status_code == 404
        assert client.get(f"{BASE}/export").status_code == 404
    assert subject_service.list_subjects(county.ctx, SYSTEM, "county-s").total == 3
