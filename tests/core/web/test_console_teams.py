"""The leadership team pages over HTTP: add a team, name its members by name or ID-card number
with their posts and supervised units, each problem beside its cell and nothing saved, the
export in the import's columns, and the roles and localities that may not change them."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from core.context import Actor
from core.schemas.org import PersonIn, TeamIn, UnitIn
from core.services import org
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
CARD = "11010519491231002X"


@pytest.fixture
def county(world):
    world.locality("county-t", "示范县")
    world.locality("other-t", "别的县")
    office_unit = org.create_unit(world.ctx, SYSTEM, "county-t", UnitIn(code="T1", name="县委办"))
    finance = org.create_unit(world.ctx, SYSTEM, "county-t", UnitIn(code="T2", name="县财政局"))
    org.create_person(world.ctx, SYSTEM, "county-t", PersonIn(name="王建国", unit_id=office_unit.id))
    org.create_person(world.ctx, SYSTEM, "county-t", PersonIn(name="李明", unit_id=office_unit.id))
    org.create_person(world.ctx, SYSTEM, "county-t", PersonIn(name="李明", unit_id=finance.id, id_card=CARD))
    world.user("office-t", "office", "county-t")
    world.user("unit-t", "unit_admin", "county-t", unit="T1")
    world.user("office-other", "office", "other-t")
    world.units = {"T1": office_unit.id, "T2": finance.id}
    return world


def _form(page_text: str) -> dict[str, str]:
    """The team form's fields as the page shows them (inputs and selected options)."""
    page_text = page_text[page_text.index('<form method="post" action="/admin/localities/county-t/teams/') :]
    page_text = page_text[: page_text.index("</form>")]
    values = dict(
        re.findall(r'<input type="(?:hidden|text)" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"', page_text)
    )
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', page_text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = chosen.group(1) if chosen else ""
    return values


def test_an_office_adds_a_team_and_its_members(county):
    with _session(county, "office-t") as client:
        created = client.post(
            "/admin/localities/county-t/teams",
            data={
                "_csrf": client.csrf,
                "name": "县委办领导班子",
                "unit_id": str(county.units["T1"]),
                "type": "department",
            },
            follow_redirects=True,
        )
        assert created.status_code == 200 and "已保存" in created.text
        team_url = str(created.url.path)
        form = _form(created.text)
        assert form["type"] == "department" and form["rows"] == "3"
        form.update(
            {
                "m-0-person": "王建国",
                "m-0-post": "主任",
                "m-0-admin_post": "县委办公室主任",
                "m-1-person": "李明",
                "m-1-post": "副主任",
                "m-1-supervised": "T2、T1",
                "m-1-phone": "0571-1",
            }
        )
        saved = client.post(team_url, data=form)
        assert saved.status_code == 200 and "已保存" in saved.text, (saved.headers, form)
        team = org.list_teams(county.ctx, SYSTEM, "county-t").items[0]
        assert [(m.name, m.post, m.admin_post, m.supervised_unit_ids, m.phone) for m in team.members] == [
            ("王建国", "主任", "县委办公室主任", [], ""),
            ("李明", "副主任", "", [county.units["T2"], county.units["T1"]], "0571-1"),
        ]
        li_ming = team.members[1].person_id  # the 李明 of the team's unit, not the one of T2

        # the other 李明 by ID-card number; an unknown name and unit code stay beside their cells
        form = _form(saved.text)
        assert form["m-1-supervised"] == "T2、T1" and form["m-1-person_id"] == str(li_ming)
        form.update({"m-2-person": CARD, "m-2-post": "成员", "m-3-person": "无名氏", "m-1-supervised": "T2、T9"})
        refused = client.post(team_url, data=form)
        assert refused.status_code == 422
        assert "本地区没有名为无名氏的人员" in refused.text and "T9" in refused.text
        assert 'value="无名氏"' in refused.text  # what was typed is kept
        assert len(org.list_teams(county.ctx, SYSTEM, "county-t").items[0].members) == 2  # nothing saved

        form.update({"m-3-person": "", "m-1-supervised": "T2"})
        client.post(team_url, data=form)
        members = org.list_teams(county.ctx, SYSTEM, "county-t").items[0].members
        assert [(m.name, m.person_id == li_ming) for m in members] == [
            ("王建国", False),
            ("李明", True),
            ("李明", False),
        ]

        # removing a member: empty its name
        form = _form(client.get(team_url).text)
        form["m-0-person"] = ""
        client.post(team_url, data=form)
        assert [m.name for m in org.list_teams(county.ctx, SYSTEM, "county-t").items[0].members] == ["李明", "李明"]

        listing = client.get("/admin/localities/county-t/teams")
        assert "县委办领导班子" in listing.text and "部门领导班子" in listing.text
        export = client.get("/admin/localities/county-t/teams/export")
        rows = list(load_workbook(io.BytesIO(export.content)).active.values)
        assert rows[0][:4] == ("单位编码", "班子名称", "班子类型", "姓名")
        assert [r[3] for r in rows[1:]] == ["李明", "李明"] and rows[1][2] == "部门领导班子"


def test_a_bad_new_team_is_refused_beside_its_field(county):
    with _session(county, "office-t") as client:
        page = client.post(
            "/admin/localities/county-t/teams", data={"_csrf": client.csrf, "name": "", "unit_id": "", "type": "other"}
        )
        assert page.status_code in (400, 422) and "field-error" in page.text
        assert org.list_teams(county.ctx, SYSTEM, "county-t").total == 0
        assert (
            client.post(
                "/admin/localities/county-t/teams", data={"name": "x", "unit_id": str(county.units["T1"])}
            ).status_code
            == 403
        )  # no CSRF token


def test_who_may_see_and_change_teams(county):
    team = org.create_team(county.ctx, SYSTEM, "county-t", org.TeamIn(unit_id=county.units["T1"], name="甲班子"))
    with _session(county, "unit-t") as client:
        assert client.get(f"/admin/localities/county-t/teams/{team.id}").status_code == 200
        assert '<button type="submit">' not in client.get(f"/admin/localities/county-t/teams/{team.id}").text
        assert (
            client.post(
                f"/admin/localities/county-t/teams/{team.id}", data={"_csrf": client.csrf, "action": "delete"}
            ).status_code
            == 404
        )
    with _session(county, "office-other") as client:
        assert client.get(f"/admin/localities/county-t/teams/{team.id}").status_code == 404
        assert client.get(f"/admin/localities/other-t/teams/{team.id}").status_code == 404
        assert client.get("/admin/localities/county-t/teams/export").status_code == 404
    assert org.get_team(county.ctx, SYSTEM, "county-t", team.id).name == "甲班子"


def test_the_team_form_sets_and_clears_the_end_of_term(county):
    team = org.create_team(county.ctx, SYSTEM, "county-t", TeamIn(unit_id=county.units["T1"], name="县委办领导班子"))
    team_url = f"/admin/localities/county-t/teams/{team.id}"
    with _session(county, "office-t") as client:
        page = client.get(team_url)
        assert 'type="date" id="f-term_end" name="term_end" value=""' in page.text and "届满时间" in page.text
        form = {**_form(page.text), "term_end": "2031-11-30"}
        saved = client.post(team_url, data=form)
        assert saved.status_code == 200 and "已保存" in saved.text
        assert 'name="term_end" value="2031-11-30"' in saved.text
        assert org.get_team(county.ctx, SYSTEM, "county-t", team.id).term_end == date(2031, 11, 30)
        refused = client.post(team_url, data={**form, "term_end": "2031-13-01"})
        assert refused.status_code == 422 and 'aria-describedby="e-term_end"' in refused.text
        assert org.get_team(county.ctx, SYSTEM, "county-t", team.id).term_end == date(2031, 11, 30)
        client.post(team_url, data={**form, "term_end": ""})
        assert org.get_team(county.ctx, SYSTEM, "county-t", team.id).term_end is None
