"""The people's accounts console page pages on the key (after / before an id), never by OFFSET:
the pages hold the right people in id order, the position reads "51–100 of n", Previous and
Next and the name filter work together, and the page's queries carry no OFFSET, so page 400 of
100,000 reads what page 1 does (SQLite and PostgreSQL; zh-CN and en)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from core.schemas.org import PersonIn
from core.services import org
from core.services import people_accounts as pa
from core.web.admin import people_accounts as page_module
from tests.core.people_setup import SYSTEM, make_org
from tests.core.web.test_people_accounts_web import _browser

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
URL = "/admin/localities/pa/people-accounts"


@pytest.fixture
def county(world, monkeypatch):
    o = make_org(world.ctx, "pa")
    make_org(world.ctx, "pb", serial=10)  # another locality's people are never on pa's pages
    for i in range(7):
        org.create_person(world.ctx, SYSTEM, "pa", PersonIn(name=f"钱{i}", unit_id=o.sibling))
    world.user("office-pa", "office", "pa")
    monkeypatch.setattr(page_module, "PAGE", 3)  # 11 people: pages of 3, 3, 3, 2
    return world, o


def _ids(text: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-person="(\d+)"', text)]


def _link(text: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', text)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_office_pages_forward_and_back_on_the_key(county):
    world, o = county
    everyone = sorted(pa.list_people(world.ctx, SYSTEM, "pa", limit=100)[0], key=lambda p: p.person_id)
    ids = [p.person_id for p in everyone]
    assert len(ids) == 11
    with _browser(world, "office-pa") as browser:
        first = browser.get(URL, params={"lang": "zh_CN"})
        assert _ids(first.text) == ids[:3] and "第 1–3 人，共 11 人" in first.text
        assert _link(first.text, "prev") is None
        seen, page = [], first
        while True:
            seen += _ids(page.text)
            following = _link(page.text, "next")
            if following is None:
                break
            assert "after=" in following and "page=" not in following and "offset" not in following
            page = browser.get(following)
            assert page.status_code == 200
        assert seen == ids  # every person once, in id order, across 4 pages
        assert _ids(page.text) == ids[9:]
        back = browser.get(_link(page.text, "prev"))
        assert _ids(back.text) == ids[6:9]
        english = browser.get(URL, params={"after": str(ids[2]), "lang": "en"})
        assert _ids(english.text) == ids[3:6]
        assert "4–6 of 11 people" in english.text and "Previous" in english.text and "First page" in english.text
        named = browser.get(URL, params={"q": "钱", "after": str(ids[5])})  # the filter with the key
        assert [i for i in _ids(named.text)] == [p.person_id for p in everyone if p.name.startswith("钱")][2:5]
        assert browser.get(URL, params={"after": "x", "before": "-1"}).status_code == 200  # odd keys: a page


def test_the_page_reads_no_offset_and_the_position_is_counted(county):
    world, o = county
    actor = SYSTEM
    statements: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        statements.append((statement, parameters))

    ids = [p.person_id for p in pa.list_people(world.ctx, actor, "pa", limit=100)[0]]
    event.listen(world.ctx.db.engine, "before_cursor_execute", seen)
    try:
        far = pa.people_page(world.ctx, actor, "pa", after=ids[7], limit=2, total=11)
    finally:
        event.remove(world.ctx.db.engine, "before_cursor_execute", seen)
    assert [p.person_id for p in far.items] == ids[8:10]
    assert (far.first, far.total, far.has_prev, far.has_next) == (9, 11, True, True)
    # SQLite's dialect writes "LIMIT ? OFFSET ?" for any LIMIT: the offset bound must be 0
    skipped = [(s, p) for s, p in statements if "OFFSET" in s.upper() and (not isinstance(p, tuple) or p[-1] != 0)]
    assert not skipped and any("people.id >" in s for s, _p in statements), statements
    back = pa.people_page(world.ctx, actor, "pa", before=ids[8], limit=2)
    assert [p.person_id for p in back.items] == ids[6:8] and (back.first, back.total) == (7, 11)
    start = pa.people_page(world.ctx, actor, "pa", before=ids[1], limit=2)
    assert [p.person_id for p in start.items] == ids[:1] and not start.has_prev and start.first == 1
