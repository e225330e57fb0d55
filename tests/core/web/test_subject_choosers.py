"""The subjects' bulk form chooses units and teams in choosers that search as you type and page
(HTMX swaps only the chooser's list; GET .../subjects/choices), never the whole locality at once:
with 2,000 units the page stays small, the ticked ones are carried along while searching and
paging, another locality's ids drop out, and the choices make subjects of units, teams and
team members. SQLite and PostgreSQL; zh-CN and en."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert
from sqlmodel import select

from core.context import Actor
from core.models import Locality, Unit
from core.schemas.org import PersonIn, TeamIn, TeamMemberIn, UnitIn
from core.services import org, subject_choices
from core.services import subjects as subject_service
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
BASE = "/admin/localities/county-c/subjects"
UNITS = 2000


@pytest.fixture
def county(world):
    world.locality("county-c", "示范县")
    world.locality("other-c", "别的县")
    with world.ctx.db.write() as session:
        ids = dict(session.exec(select(Locality.code, Locality.id)).all())
    with world.ctx.db.engine.begin() as connection:
        connection.execute(
            insert(Unit),
            [{"locality_id": ids["county-c"], "code": f"U{i:04d}", "name": f"第{i}局"} for i in range(UNITS)],
        )
    finance = org.create_unit(world.ctx, SYSTEM, "county-c", UnitIn(code="F1", name="县财政局"))
    head = org.create_person(world.ctx, SYSTEM, "county-c", PersonIn(name="局长甲", unit_id=finance.id))
    deputy = org.create_person(world.ctx, SYSTEM, "county-c", PersonIn(name="副局长乙", unit_id=finance.id))
    members = [TeamMemberIn(person_id=head.id, post="局长"), TeamMemberIn(person_id=deputy.id, post="副局长")]
    world.team = org.create_team(
        world.ctx, SYSTEM, "county-c", TeamIn(unit_id=finance.id, name="领导班子", members=members)
    ).id
    world.finance = finance.id
    world.foreign = org.create_unit(world.ctx, SYSTEM, "other-c", UnitIn(code="X1", name="别县局")).id
    world.user("office-c", "office", "county-c")
    world.user("unit-c", "unit_admin", "county-c", unit="F1")
    return world


def _boxes(text: str, kind: str) -> list[int]:
    return [int(i) for i in re.findall(rf'name="ids_{kind}" value="(\d+)"', text)]


def _checked(text: str, kind: str) -> list[int]:
    return [int(i) for i in re.findall(rf'name="ids_{kind}" value="(\d+)" checked', text)]


def _unit_ids(world, *codes: str) -> list[int]:
    with world.ctx.db.read() as session:
        found = dict(session.exec(select(Unit.code, Unit.id).where(Unit.code.in_(codes))).all())
    return [found[c] for c in codes]


def test_the_page_offers_a_page_of_units_and_a_search_not_every_unit(county):
    with _session(county, "office-c") as client:
        page = client.get(BASE)
        assert page.status_code == 200
        assert len(_boxes(page.text, "units")) == subject_choices.PAGE  # not 2,001 checkboxes
        assert f"找到 {UNITS + 1} 个单位" in page.text and "按名称或编码查找单位" in page.text
        assert len(page.content) < 60_000, len(page.content)
        assert _boxes(page.text, "teams") == [county.team] and "找到 1 个领导班子" in page.text
        # without JS: the search box's own GET form opens the page with the search
        plain = client.get(BASE, params={"units_q": "财政", "units_page": "1"})
        assert _boxes(plain.text, "units") == [county.finance] and "找到 1 个单位" in plain.text
        english = client.get(BASE, params={"lang": "en"})
        assert f"{UNITS + 1} units found" in english.text and "Search units by name or code" in english.text


def test_searching_and_paging_keep_what_is_ticked(county):
    first, second = _unit_ids(county, "U0001", "U0002")
    with _session(county, "office-c") as client:
        typed = client.get(
            f"{BASE}/choices",
            params={"kind": "units", "units_q": "第19", "ids_units": [str(first), str(county.foreign)]},
            headers={"HX-Request": "true", "HX-Target": "choose-units-list"},
        )
        assert typed.status_code == 200 and "<html" not in typed.text and 'id="choose-units-list"' in typed.text
        # 第19, 第190-199, 第1900-1999: 111 found; the ticked one first and checked, the other
        # locality's unit dropped
        assert "找到 111 个单位" in typed.text and "已勾选 1 项" in typed.text
        assert _checked(typed.text, "units") == [first] and county.foreign not in _boxes(typed.text, "units")
        assert len(_boxes(typed.text, "units")) == 1 + subject_choices.PAGE
        following = re.search(r'hx-get="([^"]+)" rel="next"', typed.text).group(1).replace("&amp;", "&")
        assert "units_page=2" in following
        turned = client.get(f"{following}&ids_units={first}&ids_units={second}")
        assert _checked(turned.text, "units") == [first, second] and "2 / 4" in turned.text
        last = client.get(f"{BASE}/choices", params={"kind": "units", "units_q": "第19", "units_page": "99"})
        assert "4 / 4" in last.text and len(_boxes(last.text, "units")) == 111 - 3 * subject_choices.PAGE
        none = client.get(f"{BASE}/choices", params={"kind": "units", "units_q": "没有这个", "lang": "en"})
        assert "Nothing found." in none.text and "0 units found" in none.text
        teams = client.get(f"{BASE}/choices", params={"kind": "teams", "teams_q": "财政"})
        assert _boxes(teams.text, "teams") == [county.team]
        odd = client.get(f"{BASE}/choices", params={"kind": "nonsense", "units_page": "x", "ids_units": "y"})
        assert odd.status_code == 200 and len(_boxes(odd.text, "units")) == subject_choices.PAGE


def test_the_choices_make_subjects_of_units_teams_and_members(county):
    first, second = _unit_ids(county, "U0001", "U0002")
    with _session(county, "office-c") as client:

        def add(source, kind, ids, category):
            return client.post(
                BASE,
                data={
                    "_csrf": client.csrf,
                    "source": source,
                    "category": category,
                    f"ids_{kind}": [str(i) for i in ids],
                },
            )

        refused = add("units", "units", [first, second], "")
        assert refused.status_code == 422 and _checked(refused.text, "units") == [first, second]  # kept ticked
        assert "已添加 2 个考核对象。" in add("units", "units", [first, second, county.foreign], "县直部门").text
        assert "已添加 1 个考核对象。" in add("teams", "teams", [county.team], "领导班子").text
        assert "已添加 2 个考核对象。" in add("members", "teams", [county.team], "班子成员").text
    made = {(s.kind, s.name, s.category) for s in subject_service.list_subjects(county.ctx, SYSTEM, "county-c").items}
    assert made == {
        ("unit", "第1局", "县直部门"),
        ("unit", "第2局", "县直部门"),
        ("team", "县财政局领导班子", "领导班子"),
        ("person", "局长甲", "班子成员"),
        ("person", "副局长乙", "班子成员"),
    }


def test_only_the_office_reads_the_choices(county):
    with _session(county, "unit-c") as client:
        assert client.get(f"{BASE}/choices", params={"kind": "units"}).status_code == 404
    with _session(county, "office-c") as client:
        assert client.get("/admin/localities/other-c/subjects/choices").status_code == 404
