"""How many database transactions a console page opens. Each ``ctx.db.read()`` or ``write()``
is one (a BEGIN on SQLite and PostgreSQL alike); the shell of every page (who is signed in,
the localities, the menu, the unread count) reads in one, so a page is that one and the
reads of its own content. The bounds keep it from creeping back to one transaction a piece."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event, text

from core.context import Actor
from core.schemas.org import UnitIn
from core.services import org
from core.web.auth import SESSION_COOKIE
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


@dataclass
class Counts:
    begins: int = 0
    commits: int = 0
    rollbacks: int = 0
    statements: int = 0
    sql: list[str] = field(default_factory=list)


@contextmanager
def counting(engine) -> Iterator[Counts]:
    """BEGINs, COMMITs, ROLLBACKs and statements on ``engine`` (and its write engine, which
    shares its events) while the block runs. The live server runs in this process's threads."""
    counts = Counts()

    def begin(_connection):
        counts.begins += 1

    def commit(_connection):
        counts.commits += 1

    def rollback(_connection):
        counts.rollbacks += 1

    def statement(_connection, _cursor, sql, *_args):
        counts.statements += 1
        counts.sql.append(sql.split("\n", 1)[0][:120])

    listeners = [("begin", begin), ("commit", commit), ("rollback", rollback), ("before_cursor_execute", statement)]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        yield counts
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)


def test_the_counter_counts_each_transaction(ctx):
    with counting(ctx.db.engine) as counts:
        with ctx.db.read() as session:
            session.execute(text("SELECT 1")).all()
            session.execute(text("SELECT 2")).all()
        with ctx.db.write() as session:
            session.execute(text("SELECT 3")).all()
    assert (counts.begins, counts.commits, counts.rollbacks) == (2, 1, 1)


def test_a_signed_out_visit_reads_once(world):
    browser = world.client()
    browser.cookies.set(SESSION_COOKIE, "no-such-session")
    with browser, counting(world.ctx.db.engine) as counts:
        answer = browser.get("/admin/localities/county-t/units")
    assert answer.status_code in (302, 303, 307) and "/admin/login" in answer.headers["location"]
    assert counts.begins == 1


@pytest.fixture
def county(world):
    world.locality("county-t", "示范县")
    unit = org.create_unit(world.ctx, Actor.system("test"), "county-t", UnitIn(code="T1", name="县财政局"))
    org.create_person(world.ctx, Actor.system("test"), "county-t", _person(unit.id))
    world.user("office-t", "office", "county-t")
    return world


def _person(unit_id: int):
    from core.schemas.org import PersonIn

    return PersonIn(name="张三", unit_id=unit_id)


# The shell's one, then the page's own reads (each service call reads in its own transaction:
# the overview counts units, people and subjects through the services the API uses).
PAGES = {
    "/admin/account/password": 1,  # the shell alone
    "/admin/": 5,
    "/admin/localities/county-t/units": 4,
    "/admin/localities/county-t/people": 4,
}


def test_main_pages_open_few_transactions(county):
    with _session(county, "office-t") as browser:
        for url in PAGES:
            assert browser.get(url).status_code == 200, url  # warm: caches filled, as in use
        for url, bound in PAGES.items():
            with counting(county.ctx.db.engine) as counts:
                page = browser.get(url)
            assert page.status_code == 200, url
            assert counts.begins <= bound, (url, counts.begins, counts.sql)
            assert counts.commits == 0, (url, counts.sql)  # a page that only shows writes nothing
