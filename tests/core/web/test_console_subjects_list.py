"""The subjects list over HTTP: a word in the name, a category and a kind, filtered and paged in
SQL; with HTMX the list alone is rendered (no bulk form), and the pages keep the filters."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.context import Actor
from core.models import Locality, Subject
from core.schemas.org import UnitIn
from core.services import org
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
BASE = "/admin/localities/county-sl/subjects"
HTMX = {"HX-Request": "true", "HX-Target": "subjects-results"}


@pytest.fixture
def county(world):
    world.locality("county-sl", "示范县")
    world.locality("other-sl", "别的县")
    with world.ctx.db.write() as session:
        ids = dict(session.exec(select(Locality.code, Locality.id)).all())
        here = ids["county-sl"]
        session.add_all(Subject(locality_id=here, name=f"镇{i:02d}", kind="unit", category="乡镇") for i in range(60))
        session.add_all(
            Subject(locality_id=here, name=f"干部{i}", kind="person", ref_id=None, category="干部") for i in range(3)
        )
        session.add(Subject(locality_id=ids["other-sl"], name="别县镇", kind="unit", category="乡镇"))
    world.user("office-sl", "office", "county-sl")
    world.user("office-osl", "office", "other-sl")
    org.create_unit(world.ctx, SYSTEM, "county-sl", UnitIn(code="S1", name="县财政局"))
    world.user("unit-sl", "unit_admin", "county-sl", unit="S1")
    return world


def _list(page) -> str:
    return page.text[page.text.index('id="subjects-results"') :]


def test_the_list_is_filtered_and_paged_in_place(county):
    with _session(county, "office-sl") as client:
        whole = client.get(BASE)
        assert whole.status_code == 200 and "63 个考核对象" in whole.text and "添加" in whole.text
        assert "镇49" in _list(whole) and "镇50" not in _list(whole) and "别县镇" not in whole.text
        assert f'href="{BASE}?page=2"' in _list(whole)

        towns = client.get(BASE, params={"q": "镇5", "category": "乡镇", "kind": "unit"})
        assert "10 个考核对象" in towns.text and "镇59" in _list(towns) and "镇49" not in _list(towns)
        assert f'href="{BASE}/export?category=%E4%B9%A1%E9%95%87"' in towns.text  # the export takes the category
        people = client.get(BASE, params={"kind": "person"})
        assert "3 个考核对象" in people.text and "干部2" in _list(people) and "镇00" not in _list(people)
        assert "3 个考核对象" in client.get(BASE, params={"kind": "nonsense", "q": "干部"}).text  # an unknown kind: all
        none = client.get(BASE, params={"q": "没有"})
        assert 'id="no-subjects-found"' in none.text
        wild = client.get(BASE, params={"q": "%"})
        assert 'id="no-subjects-found"' in wild.text  # % is a character, not a wildcard

        second = client.get(BASE, params={"category": "乡镇", "page": "2"}, headers=HTMX)
        assert second.status_code == 200 and "<html" not in second.text and "添加" not in second.text
        assert second.text.lstrip().startswith('<div class="card" id="subjects-results"')
        assert "镇50" in second.text and "镇49" not in second.text and "2 / 2" in second.text
        assert f'href="{BASE}?category=%E4%B9%A1%E9%95%87&amp;page=1"' in second.text
        past = client.get(BASE, params={"page": "99"})
        assert past.status_code == 200 and "镇50" in _list(past)  # past the end: the last page
        assert client.get(BASE, params={"page": "x"}).status_code == 200


def test_others_get_404(county):
    with _session(county, "office-osl") as client:
        assert client.get(BASE).status_code == 404
        assert client.get(BASE, headers=HTMX).status_code == 404
    with _session(county, "unit-sl") as client:
        assert client.get(BASE, headers=HTMX).status_code == 404
