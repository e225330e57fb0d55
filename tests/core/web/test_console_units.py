"""The units page over HTTP: the tree a page at a time, a word in a name or code, what lies
below one unit with the units above it, the HTMX fragment (the list alone, the hidden parent
filter swapped beside it), adding a unit under the unit shown, the parent typed as a code in a
locality too large for a list, and who may see and change what."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.context import Actor
from core.models import Locality, Unit
from core.schemas.org import UnitIn
from core.services import org
from core.web.admin import units as units_page
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
URL = "/admin/localities/county-u/units"
HTMX = {"HX-Request": "true", "HX-Target": "units-results"}


def _list(page) -> str:
    """The list alone (the add form's parent choices name every unit too)."""
    text = page.text[page.text.index('id="units-results"') :]
    return text[: text.index('id="add"')] if 'id="add"' in text else text


@pytest.fixture
def county(world):
    world.locality("county-u", "示范县")
    world.locality("other-u", "别的县")
    top = org.create_unit(world.ctx, SYSTEM, "county-u", UnitIn(code="A", name="县教育局"))
    org.create_unit(world.ctx, SYSTEM, "county-u", UnitIn(code="A1", name="县教育局办公室", parent_id=top.id))
    org.create_unit(world.ctx, SYSTEM, "county-u", UnitIn(code="B", name="县财政局"))
    with world.ctx.db.write() as session:
        locality = session.exec(select(Locality.id).where(Locality.code == "county-u")).one()
        session.add_all(
            Unit(locality_id=locality, code=f"T{i:03d}", name=f"乡镇{i:03d}", parent_id=top.id) for i in range(120)
        )
    foreign = org.create_unit(world.ctx, SYSTEM, "other-u", UnitIn(code="Z", name="别县单位"))
    world.user("office-u", "office", "county-u")
    world.user("unit-u", "unit_admin", "county-u", unit="B")
    world.user("office-ou", "office", "other-u")
    world.top, world.foreign = top.id, foreign.id
    return world


def test_the_tree_is_paged_filtered_and_shown_below_one_unit(county):
    with _session(county, "office-u") as client:
        first = client.get(URL)
        assert first.status_code == 200 and "共 123 个单位" in first.text
        assert '<tr data-depth="1">' in first.text and "县教育局办公室" in first.text
        assert "乡镇097" in _list(first) and "乡镇098" not in _list(first)  # 100 a page, depth first
        assert "121 个下级单位" in first.text and f'href="{URL}?parent={county.top}"' in first.text
        second = client.get(URL, params={"page": "2"})
        assert "乡镇098" in _list(second) and "县财政局" in _list(second) and "县教育局办公室" not in _list(second)

        found = client.get(URL, params={"q": "办公"})
        assert "共 1 个单位" in found.text and "县教育局办公室" in _list(found) and "乡镇000" not in _list(found)
        assert '<small class="muted">县教育局</small>' in found.text  # the units above it
        by_code = client.get(URL, params={"q": "t11"})  # a code, any case
        assert "共 10 个单位" in by_code.text and "乡镇119" in _list(by_code)
        none = client.get(URL, params={"q": "没有这个单位"})
        assert 'id="no-units-found"' in none.text

        below = client.get(URL, params={"parent": str(county.top)})
        assert "县教育局下共 121 个单位" in below.text and 'id="units-trail"' in below.text
        assert "县财政局" not in _list(below)
        assert f'name="parent" id="f-parent" value="{county.top}"' in below.text
        assert f'value="{county.top}" selected' in below.text  # a new unit goes under it
        word_below = client.get(URL, params={"parent": str(county.top), "q": "乡镇11"})
        assert "县教育局下共 10 个单位" in word_below.text
        foreign = client.get(URL, params={"parent": str(county.foreign)})
        assert foreign.status_code == 200 and "别县单位" not in _list(foreign) and 'id="no-units-found"' in foreign.text

        fragment = client.get(URL, params={"parent": str(county.top), "page": "2"}, headers=HTMX)
        assert fragment.status_code == 200 and "<html" not in fragment.text
        assert 'id="units-results"' in fragment.text
        assert f'id="f-parent" value="{county.top}" hx-swap-oob="true"' in fragment.text
        assert "乡镇119" in fragment.text and "添加单位" not in fragment.text
        assert fragment.headers.get("vary", "").lower().find("hx-request") >= 0


def test_a_unit_is_added_below_the_unit_shown_and_a_parent_may_be_typed_as_its_code(county, monkeypatch):
    with _session(county, "office-u") as client:

        def add(code, name, **parent):
            data = {"_csrf": client.csrf, "code": code, "name": name, "type": "", "duties": ""}
            return client.post(URL, data=data | parent)

        added = add("A2", "县教育局人事科", parent_id=str(county.top))
        assert added.status_code == 302 and f"parent={county.top}" in added.headers["location"]

        monkeypatch.setattr(units_page, "PARENT_CHOICES", 3)  # a large locality: type the code
        page = client.get(URL)
        assert 'name="parent_code"' in page.text and 'name="parent_id"' not in page.text
        below = client.get(URL, params={"parent": str(county.top)})
        assert 'name="parent_code" value="A"' in below.text
        unknown = add("A3", "县教育局财务科", parent_code="NOPE")
        assert unknown.status_code == 422 and 'id="e-parent_code"' in unknown.text
        assert "没有编码为 NOPE 的单位" in unknown.text and 'value="县教育局财务科"' in unknown.text
        assert add("A3", "县教育局财务科", parent_code="A").status_code == 302
        unit = next(u for u in org.list_units(county.ctx, SYSTEM, "county-u", limit=500).items if u.code == "A3")
        assert unit.parent_id == county.top

        edit = client.get(f"{URL}/{unit.id}")
        assert 'name="parent_code" value="A"' in edit.text
        moved = client.post(
            f"{URL}/{unit.id}",
            data={"_csrf": client.csrf, "action": "save", "code": "A3", "name": "县教育局财务科", "parent_code": "B"},
        )
        assert moved.status_code == 200 and "已保存" in moved.text
        cycle = client.post(
            f"{URL}/{county.top}",
            data={"_csrf": client.csrf, "action": "save", "code": "A", "name": "县教育局", "parent_code": "A1"},
        )
        assert cycle.status_code == 422 and 'id="e-parent_code"' in cycle.text
        assert org.get_unit(county.ctx, SYSTEM, "county-u", unit.id).parent_id != county.top


def test_a_unit_admin_reads_the_units_and_another_locality_sees_none(county):
    with _session(county, "unit-u") as client:
        page = client.get(URL, params={"q": "财政"})
        assert page.status_code == 200 and "县财政局" in _list(page) and "添加单位" not in page.text
        assert client.post(URL, data={"_csrf": client.csrf, "code": "X", "name": "x"}).status_code == 404
    with _session(county, "office-ou") as client:
        assert client.get(URL).status_code == 404
        assert client.get(URL, headers=HTMX).status_code == 404
