"""How many SQL statements one request of the worklog costs, over the real HTTP server and on
both databases: writing an entry, a leader's board of 40 people, a person's year of history.

Counted with SQLAlchemy's ``before_cursor_execute`` event on the server's engine (the test
server runs in this process), from the moment the request is sent to its answer: the sign-in
(the bearer token), the plugin guard (is the worklog enabled) and the service, everything the
request costs. A ceiling per request, so a change that adds a round trip fails here rather than
in the benchmark (``bench/worklog.py``). The count does not grow with the people on the board
or the entries in the history: the same ceiling holds for 10 and for 40 people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import event, insert

from core.periods import Period
from core.schemas.org import PersonIn
from core.services import org
from plugins.worklog import service
from plugins.worklog.models import EntryKind, EntryStatus, WorkEntry
from tests.helpers import never_5xx
from tests.plugins.worklog.setup import SYSTEM, locality_id, make_world, token

# Statements per request, everything included; BEGIN and COMMIT are not counted. Two are the
# core's: the bearer token with its user, and the plugin guard's locality with whether it enabled
# the plugin (one statement since 2026-12-01; it was two).
# Before the worklog's service was reworked: writing 10, the board 13, a year of history 11.
# Lower them when a change saves one; never raise them without a reason.
WRITE_CEILING = 6  # + the locality with the person, the entry, the UPDATE and the version's INSERT
BOARD_CEILING = 5  # + the locality with the person, the units led, the page with the counts of every page
HISTORY_CEILING = 4  # + the locality with the person, the page with its counts and total
READER_HISTORY_CEILING = 6  # + the person read and the units their leader supervises


@contextmanager
def counted(ctx) -> Iterator[list[str]]:
    statements: list[str] = []

    def listen(_conn, _cursor, statement, _params, _context, _many):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):  # SQLite's own; PostgreSQL's are implicit
            statements.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", listen)


@contextmanager
def in_transactions(ctx) -> Iterator[list[str]]:
    """The statements that ran inside a transaction (PostgreSQL: each such session also costs a
    BEGIN and a ROLLBACK round trip; SQLite: none are counted, its reads are in-process)."""
    statements: list[str] = []

    def listen(conn, _cursor, statement, _params, _context, _many):
        driver = conn.connection.driver_connection
        if not ctx.db.is_sqlite and driver.info.transaction_status.name == "INTRANS":
            statements.append(statement)

    event.listen(ctx.db.engine, "after_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(ctx.db.engine, "after_cursor_execute", listen)


def _fill(ctx, world, people: int) -> tuple[list[int], int]:
    """``people`` more people in unit A, each with this week's submitted record, and a year of
    weekly records and monthly summaries for the author (64 entries); (the people, entries)."""
    ids = [
        org.create_person(ctx, SYSTEM, "wa", PersonIn(name=f"干部{i:02d}", unit_id=world.unit_a)).id
        for i in range(people)
    ]
    today = service.today(ctx)
    week = Period.from_date("week", today)
    rows = [
        {"person_id": pid, "kind": EntryKind.weekly_record.value, "period": str(week), "period_start": week.start}
        for pid in ids
    ]
    author = world.people["李明"]
    for n in range(1, 53):
        w = Period.from_date("week", today - timedelta(days=7 * n))
        rows.append(
            {"person_id": author, "kind": EntryKind.weekly_record.value, "period": str(w), "period_start": w.start}
        )
    for n in range(1, 13):
        m = Period.from_date("month", today.replace(day=1) - timedelta(days=1 + 31 * (n - 1)))
        rows.append(
            {"person_id": author, "kind": EntryKind.monthly_summary.value, "period": str(m), "period_start": m.start}
        )
    rows = list({(r["person_id"], r["kind"], r["period"]): r for r in rows}.values())
    lid = locality_id(ctx, "wa")
    now = service.utcnow()
    with ctx.db.write() as session:
        session.execute(
            insert(WorkEntry),
            [
                {
                    **r,
                    "locality_id": lid,
                    "status": EntryStatus.submitted.value,
                    "body": "本周完成材料起草。",
                    "versions": 1,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
                for r in rows
            ],
        )
    return ids, sum(1 for r in rows if r["person_id"] == author)


@pytest.fixture
def clients(ctx, live_server):
    world = make_world(ctx)

    def client(name: str) -> httpx.Client:
        return httpx.Client(
            base_url=live_server.url,
            timeout=30,
            event_hooks={"response": [never_5xx]},
            headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}"},
        )

    return world, client


def _cost(ctx, client: httpx.Client, method: str, path: str, **kwargs) -> tuple[httpx.Response, list[str]]:
    client.request(method, path, **kwargs)  # warm: caches of the process (settings, plugins) are filled
    with counted(ctx) as statements:
        answer = client.request(method, path, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer, statements


def test_writing_an_entry_costs_a_few_statements(ctx, clients):
    world, client = clients
    week = str(Period.from_date("week", service.today(ctx)))
    path = f"/api/localities/wa/worklog/me/entries/weekly_record/{week}"
    with client("author") as author:
        first = author.put(path, json={"body": "第一稿", "submit": True})
        assert first.json()["status"] == "submitted"
        with counted(ctx) as statements:  # a submitted entry's new text: a new version
            answer = author.put(path, json={"body": "第二稿", "submit": True})
    assert answer.status_code == 200 and answer.json()["versions"] == 2
    assert len(statements) <= WRITE_CEILING, "\n".join(statements)
    with client("colleague") as colleague, counted(ctx) as statements:  # a first draft
        answer = colleague.put(path, json={"body": "草稿"})
    assert answer.status_code == 200 and answer.json()["status"] == "draft"
    assert len(statements) <= WRITE_CEILING, "\n".join(statements)


def test_a_board_of_40_costs_what_a_board_of_10_does(ctx, clients):
    world, client = clients
    _fill(ctx, world, 10)
    week = str(Period.from_date("week", service.today(ctx)))
    with client("leader") as leader:
        small, few = _cost(ctx, leader, "GET", "/api/localities/wa/worklog/board", params={"period": week})
        _fill_more = [
            org.create_person(ctx, SYSTEM, "wa", PersonIn(name=f"新人{i:02d}", unit_id=world.unit_a)).id
            for i in range(30)
        ]
        big, many = _cost(ctx, leader, "GET", "/api/localities/wa/worklog/board", params={"period": week})
        with in_transactions(ctx) as transactional:  # the guard and the board read outside of one
            leader.get("/api/localities/wa/worklog/board", params={"period": week})
    assert len(big.json()["rows"]) == len(small.json()["rows"]) + 30 >= 40
    assert len(many) == len(few) <= BOARD_CEILING, "\n".join(many)
    assert len(transactional) <= 1, transactional  # the bearer token's, the core's sign-in


def test_a_year_of_history_costs_a_few_statements(ctx, clients):
    world, client = clients
    _, entries = _fill(ctx, world, 0)
    assert entries >= 60
    with client("author") as author, client("leader") as leader:
        own, statements = _cost(ctx, author, "GET", "/api/localities/wa/worklog/me/entries", params={"limit": 100})
        assert own.json()["total"] == entries and len(own.json()["items"]) == entries
        assert len(statements) <= HISTORY_CEILING, "\n".join(statements)
        with in_transactions(ctx) as transactional:  # the guard and the history read outside of one
            author.get("/api/localities/wa/worklog/me/entries", params={"limit": 100})
        assert len(transactional) <= 1, transactional  # the bearer token's, the core's sign-in
        person = world.people["李明"]
        read, statements = _cost(
            ctx, leader, "GET", f"/api/localities/wa/worklog/people/{person}/entries", params={"limit": 100}
        )
        assert read.json()["total"] == entries
        assert len(statements) <= READER_HISTORY_CEILING, "\n".join(statements)
