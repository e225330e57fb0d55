"""The leader's board a page at a time, on both databases: in the service (pages in id order,
counts over every page, a bad page size refused), in the API (``limit``/``offset``) and on the
page (``page``; plain links, and with HTMX only ``#board-results`` is sent back)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.periods import Period
from core.schemas.org import PersonIn
from core.services import org
from core.services.errors import Invalid
from plugins.worklog import service
from plugins.worklog.schemas import EntryIn
from tests.plugins.worklog.setup import SYSTEM, account, make_world, token
from tests.plugins.worklog.test_pages import site  # noqa: F401 - the fixture

MORE = 120  # people added to unit A: with the author and the colleague, 122 on the leader's board


def _more(ctx, world) -> list[int]:
    return [
        org.create_person(ctx, SYSTEM, "wa", PersonIn(name=f"干部{i:03d}", unit_id=world.unit_a)).id
        for i in range(MORE)
    ]


@pytest.fixture
def crowd(ctx):
    world = make_world(ctx)
    return world, _more(ctx, world)


def _week(ctx) -> str:
    return str(Period.from_date("week", service.today(ctx)))


def test_the_board_is_paged_in_id_order_and_counts_every_page(ctx, crowd):
    world, ids = crowd
    week = _week(ctx)
    last = account(ctx, "wa", "last-one", "cadre", person_id=ids[-1], unit_id=world.unit_a)
    service.write_entry(ctx, last, "wa", "weekly_record", week, EntryIn(body="本周", submit=True))
    leader = world.actors["leader"]
    pages = [service.board(ctx, leader, "wa", week, limit=50, offset=o) for o in (0, 50, 100, 150)]
    people = [r.person_id for b in pages for r in b.rows]
    assert [len(b.rows) for b in pages] == [50, 50, 22, 0]
    assert people == sorted(people) and len(set(people)) == MORE + 2
    assert world.people["张局长"] not in people  # not the leader themself
    for b in pages:  # counts of the whole board on every page
        assert (b.total, b.submitted, b.missing) == (MORE + 2, 1, (MORE + 2) * 2 - 1)
    row = next(r for r in pages[2].rows if r.person_id == ids[-1])
    assert row.entries["weekly_record"] is not None and row.entries["weekly_plan"] is None
    for limit, offset in ((0, 0), (201, 0), (10, -1)):
        with pytest.raises(Invalid):
            service.board(ctx, leader, "wa", week, limit=limit, offset=offset)


def test_a_board_on_one_page_counts_as_one_split_in_pages(ctx):
    """A unit on one page is counted from its rows (the statement's second probe of every
    person's entries is skipped); the counts are those of the same board paged: drafts and
    other periods not counted, each kind of the week counted."""
    world = make_world(ctx)
    week = _week(ctx)
    last_week = str(Period.from_date("week", Period.parse(week).start - timedelta(days=1)))
    author, colleague = world.actors["author"], world.actors["colleague"]
    for kind in ("weekly_plan", "weekly_record"):
        service.write_entry(ctx, author, "wa", kind, week, EntryIn(body="本周", submit=True))
    service.write_entry(ctx, colleague, "wa", "weekly_plan", week, EntryIn(body="草稿"))  # a draft
    service.write_entry(ctx, colleague, "wa", "weekly_record", last_week, EntryIn(body="上周", submit=True))
    leader = world.actors["leader"]
    whole = service.board(ctx, leader, "wa", week)  # 2 people (not the leader), one page
    assert (whole.total, whole.submitted, whole.missing) == (2, 2, 2)
    for limit in (2, 1):  # exactly one page, and two pages of one
        pages = [service.board(ctx, leader, "wa", week, limit=limit, offset=o) for o in range(0, 2, limit)]
        for page in pages:
            assert (page.total, page.submitted, page.missing) == (2, 2, 2)
        assert [r.person_id for p in pages for r in p.rows] == [r.person_id for r in whole.rows]


def test_the_api_pages_the_board(ctx, crowd, live_server):
    import httpx

    world, _ = crowd
    headers = {"Authorization": f"Bearer {token(ctx, world.actors['leader'])}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=30) as client:
        path = "/api/localities/wa/worklog/board"
        first = client.get(path, params={"period": _week(ctx), "limit": 100}).json()
        rest = client.get(path, params={"period": _week(ctx), "limit": 100, "offset": 100}).json()
        assert (len(first["rows"]), len(rest["rows"]), first["total"], rest["offset"]) == (100, 22, MORE + 2, 100)
        assert client.get(path, params={"period": _week(ctx), "limit": 500}).status_code == 400


def test_the_board_page_has_pages_with_plain_links_and_htmx(ctx, site):  # noqa: F811
    world, session = site
    _more(ctx, world)
    with session("leader") as leader:
        first = leader.get("/admin/localities/wa/worklog/board")
        assert first.status_code == 200 and first.text.count('<tr data-person="') == 50
        assert "第 1–50 人，共 122 人" in first.text
        nxt = re.search(r'<a href="([^"]+)" rel="next">', first.text).group(1).replace("&amp;", "&")
        assert "page=2" in nxt and "period=" in nxt and "unit_id=" in nxt  # the filters are kept
        second = leader.get(nxt)  # a plain link: the whole page
        assert second.status_code == 200 and "<html" in second.text and "第 51–100 人，共 122 人" in second.text
        swapped = leader.get(nxt, headers={"HX-Request": "true", "HX-Target": "board-results"})
        assert swapped.status_code == 200 and "<html" not in swapped.text
        assert 'id="board-results"' in swapped.text
        assert swapped.text.count('<tr data-person="') == 50 and "HX-Request" in swapped.headers.get("vary", "")
        last = leader.get("/admin/localities/wa/worklog/board", params={"page": "99"})  # past the end: the last
        assert last.status_code == 200 and "第 101–122 人，共 122 人" in last.text
        assert 'rel="next"' not in last.text and 'rel="prev"' in last.text
        assert leader.get("/admin/localities/wa/worklog/board", params={"page": "x"}).status_code == 200
