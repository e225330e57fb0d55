"""A leader of a parent locality granted to read the localities below it (``users.
reads_child_localities``), on both databases: they read every person's submitted work there as
its office does (board, a person's history and records, an entry with its comments and files;
reading still tells the author), and write nothing there (no comment, like, grade or entry); a
leader of the same parent without the grant gets 404 on every read, as for another locality."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from core.models import Locality, Notification, User
from core.periods import Period
from core.schemas.localities import LocalityIn
from core.schemas.org import PersonIn, UnitIn
from core.services import attachments, auth, discussion, localities, org
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.worklog import service
from plugins.worklog.discussion import TARGET, resolver
from plugins.worklog.evaluation import grading
from plugins.worklog.evaluation_schemas import GradesIn
from plugins.worklog.records import person_records
from plugins.worklog.service import EntryIn
from tests.core.services.test_attachments import pdf
from tests.helpers import browser_session, never_5xx
from tests.plugins.worklog.setup import SYSTEM, account, make_world, token


@pytest.fixture
def city(ctx):
    """The world of setup.py with ``wa`` under the city ``wp``, whose leader 周市长 is granted to
    read below and whose leader 吴市长 is not; 李明 (of wa) submitted this week's record, with a
    file on it."""
    world = make_world(ctx)
    localities.create(ctx, SYSTEM, LocalityIn(code="wp", name="市 wp"))
    with ctx.db.write() as session:
        parent = session.exec(select(Locality).where(Locality.code == "wp")).one()
        child = session.exec(select(Locality).where(Locality.code == "wa")).one()
        child.parent_id = parent.id
        session.add(child)
    unit = org.create_unit(ctx, SYSTEM, "wp", UnitIn(code="gov", name="市政府")).id
    actors = {}
    for name, username in [("周市长", "zhou-city"), ("吴市长", "wu-city")]:
        person = org.create_person(ctx, SYSTEM, "wp", PersonIn(name=name, unit_id=unit)).id
        actors[username] = account(ctx, "wp", username, "leader", person_id=person, unit_id=unit)
    auth.grant_child_localities(ctx, SYSTEM, "zhou-city", True)
    with ctx.db.read() as session:  # the actor as a sign-in makes it: with the localities it reads
        granted = auth.actor_of(session.get(User, actors["zhou-city"].user_id), session)
        ungranted = auth.actor_of(session.get(User, actors["wu-city"].user_id), session)
    assert granted.readable_localities and not ungranted.readable_localities
    week = str(Period.from_date("week", service.today(ctx)))
    author = world.actors["author"]
    entry = service.write_entry(ctx, author, "wa", "weekly_record", week, EntryIn(body="本周：预算初审", submit=True))
    attachments.add_file(ctx, author, TARGET, entry.id, resolver("wa", entry.id, files=True), "台账.pdf", pdf())
    return world, granted, ungranted, week, entry.id


def test_the_granted_parent_leader_reads_below_as_the_office_does(ctx, city):
    world, granted, _, week, entry_id = city
    assert [name for _, name in service.board_units(ctx, granted, "wa")] == ["县财政局", "县教育局"]
    board = service.board(ctx, granted, "wa", week, world.unit_a)
    assert [r.person_name for r in board.rows] == ["李明", "王芳", "张局长"] and board.submitted == 1
    assert board.rows[0].entries["weekly_record"].id == entry_id
    with pytest.raises(Invalid):  # as for the office: the unit is named, none is "theirs"
        service.board(ctx, granted, "wa", week)

    history = service.history(ctx, granted, "wa", person_id=world.people["李明"])
    assert [e.id for e in history.items] == [entry_id] and not history.items[0].mine
    records = person_records(ctx, granted, "wa", world.people["李明"], week)
    assert [e.body for e in records.entries] == ["本周：预算初审"]
    detail = service.read_entry(ctx, granted, "wa", entry_id)
    assert detail.body == "本周：预算初审" and not detail.mine
    talk = discussion.read(ctx, granted, TARGET, entry_id, resolver("wa", entry_id))
    assert talk.comments == [] and not talk.may_write
    files = attachments.list_files(ctx, granted, TARGET, entry_id, resolver("wa", entry_id, files=True))
    assert [f.file_name for f in files] == ["台账.pdf"]
    with ctx.db.read() as session:  # reading tells the author, by the reader's own name
        told = session.exec(select(Notification).where(Notification.user_id == world.actors["author"].user_id)).all()
    assert [(n.kind, n.params["viewer"]) for n in told] == [("worklog.viewed", "周市长")]

    # a draft stays its author's; another locality (not below wp) stays out of reach
    draft = service.write_entry(ctx, world.actors["colleague"], "wa", "weekly_record", week, EntryIn(body="草稿"))
    with pytest.raises(NotFound):
        service.read_entry(ctx, granted, "wa", draft.id)
    with pytest.raises(NotFound):
        service.history(ctx, granted, "wb", person_id=world.other_person)


def test_the_granted_parent_leader_writes_nothing_below(ctx, city):
    world, granted, _, week, entry_id = city
    with pytest.raises(Forbidden):
        discussion.add_comment(ctx, granted, TARGET, entry_id, resolver("wa", entry_id), "很好")
    with pytest.raises(Forbidden):
        discussion.toggle_like(ctx, granted, TARGET, entry_id, resolver("wa", entry_id))
    with pytest.raises(Forbidden):
        attachments.add_file(ctx, granted, TARGET, entry_id, resolver("wa", entry_id, files=True), "a.pdf", pdf())
    quarter = str(Period.from_date("quarter", service.today(ctx)))
    with pytest.raises(NotFound):
        grading.sheet(ctx, granted, "wa", quarter, world.unit_a)
    with pytest.raises(NotFound):
        grading.grade(ctx, granted, "wa", quarter, world.people["李明"], GradesIn(grades={}))
    with pytest.raises(NotFound):
        service.write_entry(ctx, granted, "wa", "weekly_record", week, EntryIn(body="x"))
    assert discussion.read(ctx, granted, TARGET, entry_id, resolver("wa", entry_id)).likes == 0


def test_a_parent_leader_without_the_grant_gets_404(ctx, city):
    world, _, ungranted, week, entry_id = city
    reads = [
        lambda: service.board_units(ctx, ungranted, "wa"),
        lambda: service.board(ctx, ungranted, "wa", week, world.unit_a),
        lambda: service.history(ctx, ungranted, "wa", person_id=world.people["李明"]),
        lambda: person_records(ctx, ungranted, "wa", world.people["李明"], week),
        lambda: service.read_entry(ctx, ungranted, "wa", entry_id),
        lambda: discussion.read(ctx, ungranted, TARGET, entry_id, resolver("wa", entry_id)),
        lambda: attachments.list_files(ctx, ungranted, TARGET, entry_id, resolver("wa", entry_id, files=True)),
    ]
    for read in reads:
        with pytest.raises(NotFound):
            read()


def test_the_grant_on_the_pages_and_the_api(ctx, city, live_server):
    world, granted, ungranted, week, entry_id = city
    entry_page = f"/admin/localities/wa/worklog/entries/{entry_id}"
    with browser_session(ctx, live_server.url, granted.user_id) as browser:
        board = browser.get("/admin/localities/wa/worklog/board", params={"period": week})
        assert board.status_code == 200 and "李明" in board.text and "县教育局" in board.text  # every unit to pick
        assert entry_page in board.text
        page = browser.get(entry_page)
        assert page.status_code == 200 and "本周：预算初审" in page.text and "台账.pdf" in page.text
        assert f'action="{entry_page}/comments"' not in page.text  # nothing to write with
        said = browser.post(f"{entry_page}/comments", data={"_csrf": browser.csrf, "body": "很好"})
        assert said.status_code == 403
    with browser_session(ctx, live_server.url, ungranted.user_id) as browser:
        assert browser.get("/admin/localities/wa/worklog/board", params={"period": week}).status_code == 404
        assert browser.get(entry_page).status_code == 404

    base = "/api/localities/wa/worklog"
    for actor, expected in [(granted, 200), (ungranted, 404)]:
        with httpx.Client(
            base_url=live_server.url,
            timeout=30,
            event_hooks={"response": [never_5xx]},
            headers={"Authorization": f"Bearer {token(ctx, actor)}"},
        ) as api:
            files = api.get(f"{base}/entries/{entry_id}/attachments")
            assert files.status_code == expected
            urls = [
                f"{base}/board?period={week}&unit_id={world.unit_a}",
                f"{base}/entries/{entry_id}",
                f"{base}/people/{world.people['李明']}/entries",
                f"{base}/entries/{entry_id}/comments",
            ]
            if expected == 200:
                urls.append(f"{base}/entries/{entry_id}/attachments/{files.json()[0]['id']}")
            for url in urls:
                assert api.get(url).status_code == expected, url
            # a write below is refused at the plugin's route guard as for any locality not one's own
            assert api.post(f"{base}/entries/{entry_id}/comments", json={"body": "很好"}).status_code == 404
            assert api.post(f"{base}/entries/{entry_id}/likes").status_code == 404
