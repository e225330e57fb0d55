"""The users list (/admin/users) is paged 50 a page and counted once: a page past the last shows
the last one, a word and a locality narrow it, and the page's users keep their locality and unit."""

from __future__ import annotations

import re

from sqlalchemy import insert, select

from core.context import Actor
from core.models import Locality, User
from core.schemas.org import UnitIn
from core.services import org
from core.services import users as user_service
from tests.conftest import TEST_PASSWORD
from tests.core.web.test_console_signins import _form_sign_in


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', page)


def test_the_users_list_is_paged_searched_and_filtered_by_locality(world):
    world.locality("county-p", "示范县")
    world.locality("other-p", "别的县")
    org.create_unit(world.ctx, Actor.system("test"), "county-p", UnitIn(code="U1", name="单位一"))
    world.user("root-p", "platform_admin")
    world.user("unit-p", "unit_admin", "county-p", "U1")
    with world.ctx.db.engine.begin() as connection:
        county = connection.execute(select(Locality.id).where(Locality.code == "county-p")).scalar_one()
        other = connection.execute(select(Locality.id).where(Locality.code == "other-p")).scalar_one()
        connection.execute(
            insert(User),
            [
                {"username": f"clerk-{i:03d}", "password_hash": "x", "role": "cadre", "locality_id": county}
                for i in range(70)
            ]
            + [
                {"username": f"other-{i:03d}", "password_hash": "x", "role": "cadre", "locality_id": other}
                for i in range(5)
            ],
        )
    rows, total = user_service.list_users(world.ctx, Actor.system("test"), locality_code="county-p", limit=50)
    assert total == 71 and len(rows) == 50  # 70 clerks and the unit admin
    assert user_service.list_users(world.ctx, Actor.system("test"), locality_code="nowhere") == ([], 0)

    root = _form_sign_in(world, "root-p", TEST_PASSWORD)
    assert root.signed_in
    first = root.get("/admin/users").text
    assert _names(first)[:2] == ["clerk-000", "clerk-001"] and len(_names(first)) == 50
    second = root.get("/admin/users", params={"page": 2}).text
    assert _names(second)[0] == "clerk-050" and len(_names(second)) == 27  # 77 users: 75, root and unit admin
    assert _names(root.get("/admin/users", params={"page": 99}).text) == _names(second)  # the last page
    assert _names(root.get("/admin/users", params={"q": "other-00"}).text) == [f"other-{i:03d}" for i in range(5)]
    county_page = root.get("/admin/users", params={"locality": "county-p", "page": 2}).text
    assert _names(county_page) == [f"clerk-{i:03d}" for i in range(50, 70)] + ["unit-p"]
    assert "单位一" in county_page and "示范县" in county_page  # the page's users keep their unit and locality
