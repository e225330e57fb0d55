"""The people list narrowed by rank, by a post containing a word and by a name containing a
word (not only its beginning), on the page and in its export, as the office asks for a list of
"all 正科级 whose post mentions 局长"."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from core.context import Actor
from core.schemas.org import PersonIn, UnitIn
from core.services import org
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
PEOPLE = [
    ("王建国", "正科级", "县财政局局长"),
    ("李建华", "副科级", "县财政局副局长"),
    ("张国强", "正科级", "办公室主任"),
    ("赵四", "正科级", "县教育局局长"),
    ("钱_%", "一级科员", "科员"),
]


@pytest.fixture
def county(world):
    world.locality("county-f", "示范县")
    unit = org.create_unit(world.ctx, SYSTEM, "county-f", UnitIn(code="F1", name="县直"))
    for name, rank, post in PEOPLE:
        org.create_person(world.ctx, SYSTEM, "county-f", PersonIn(name=name, unit_id=unit.id, rank=rank, post=post))
    world.user("office-f", "office", "county-f")
    return world


def _names(html: str) -> list[str]:
    return re.findall(r'/people/\d+">([^<]+)</a>', html)


def test_rank_post_and_name_anywhere_narrow_the_list_and_its_export(county):
    with _session(county, "office-f") as client:
        base = "/admin/localities/county-f/people"
        page = client.get(base)
        assert 'value="正科级"' in page.text and 'value="一级科员"' in page.text  # the ranks people hold
        assert _names(client.get(base, params={"rank": "正科级"}).text) == ["王建国", "张国强", "赵四"]
        assert _names(client.get(base, params={"rank": "正科级", "post": "局长"}).text) == ["王建国", "赵四"]
        assert _names(client.get(base, params={"q": "建"}).text) == []  # a name's beginning by default
        assert _names(client.get(base, params={"q": "建", "anywhere": "1"}).text) == ["王建国", "李建华"]
        assert _names(client.get(base, params={"q": "国", "anywhere": "1", "post": "局长"}).text) == ["王建国"]
        # % and _ are what was typed, not wildcards
        assert _names(client.get(base, params={"q": "_", "anywhere": "1"}).text) == ["钱_%"]
        assert _names(client.get(base, params={"post": "%"}).text) == []
        filtered = client.get(base, params={"rank": "正科级", "post": "局长"})
        assert "rank=%E6%AD%A3%E7%A7%91%E7%BA%A7" in filtered.text  # the filters stay in the export link
        export = client.get(f"{base}/export", params={"rank": "正科级", "post": "局长"})
        rows = list(load_workbook(io.BytesIO(export.content)).active.values)
        assert [r[0] for r in rows[1:]] == ["王建国", "赵四"]
