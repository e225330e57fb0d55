"""The worklog's service on both databases: an entry's lifecycle, its versions (留痕), period
checks, who may read whom, views and the notice to the author, the board, a monthly summary
started from the weekly records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from core.models import Notification
from core.periods import Period
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.worklog import service
from plugins.worklog.models import EntryStatus, EntryVersion, WorkEntry
from plugins.worklog.service import EntryIn
from tests.plugins.worklog.setup import enable, make_world


@pytest.fixture
def world(ctx):
    return make_world(ctx)


def this(ctx, kind: str) -> Period:
    return Period.from_date(kind, service.today(ctx))


def test_a_draft_is_private_then_submitted_and_every_later_change_is_a_version(ctx, world):
    author, leader = world.actors["author"], world.actors["leader"]
    week = str(this(ctx, "week"))
    draft = service.write_entry(ctx, author, "wa", "weekly_record", week, EntryIn(body="周一：预算初审\r\n周二：调研"))
    assert draft.status == EntryStatus.draft and draft.versions == 0 and draft.mine
    assert draft.body == "周一：预算初审\n周二：调研"  # line breaks kept, one kind of them
    with pytest.raises(NotFound):  # a draft is its author's only
        service.read_entry(ctx, leader, "wa", draft.id)
    assert service.board(ctx, leader, "wa", week).rows[0].entries["weekly_record"] is None

    again = service.write_entry(ctx, author, "wa", "weekly_record", week, EntryIn(body="周一：预算初审"))
    assert again.id == draft.id and again.versions == 0  # a draft is replaced, no version
    submitted = service.submit_entry(ctx, author, "wa", draft.id)
    assert submitted.status == EntryStatus.submitted and submitted.versions == 1 and submitted.submitted_at
    assert service.submit_entry(ctx, author, "wa", draft.id).versions == 1  # submitting twice changes nothing

    service.write_entry(ctx, author, "wa", "weekly_record", week, EntryIn(body="周一：预算初审（已改）"))
    service.write_entry(ctx, author, "wa", "weekly_record", week, EntryIn(body="周一：预算初审（已改）"))  # same text
    detail = service.read_entry(ctx, leader, "wa", draft.id)
    assert detail.body == "周一：预算初审（已改）" and detail.versions == 2 and not detail.mine
    assert [(v.number, v.body, v.written_by) for v in detail.history] == [
        (1, "周一：预算初审", "liming"),
        (2, "周一：预算初审（已改）", "liming"),
    ]
    with ctx.db.read() as session:
        assert len(session.exec(select(EntryVersion)).all()) == 2


def test_writing_and_submitting_at_once(ctx, world):
    out = service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_plan", str(this(ctx, "week")), EntryIn(body="计划", submit=True)
    )
    assert out.status == EntryStatus.submitted and out.versions == 1


@pytest.mark.parametrize(
    ("kind", "period_kind"),
    [
        ("weekly_plan", "month"),
        ("weekly_record", "quarter"),
        ("monthly_summary", "week"),
        ("monthly_plan", "day"),
        ("quarterly_plan", "month"),
        ("daily_record", "week"),
    ],
)
def test_a_period_of_the_wrong_kind_is_refused(ctx, world, kind, period_kind):
    enable(ctx, "wa", daily_records=True)
    with pytest.raises(Invalid) as raised:
        service.write_entry(ctx, world.actors["author"], "wa", kind, str(this(ctx, period_kind)), EntryIn(body="x"))
    assert raised.value.errors[0]["field"] == "period"
    assert "this entry is written for a" in raised.value.message


def test_a_period_that_has_not_begun_is_refused_and_nothing_is_written(ctx, world):
    author = world.actors["author"]
    next_week = Period.from_date("week", service.today(ctx) + timedelta(days=7))
    next_quarter = Period.from_date("quarter", this(ctx, "quarter").end + timedelta(days=1))
    for kind, period in [("weekly_plan", next_week), ("quarterly_plan", next_quarter)]:
        with pytest.raises(Invalid, match="has not begun yet"):
            service.write_entry(ctx, author, "wa", kind, str(period), EntryIn(body="x", submit=True))
    with ctx.db.read() as session:
        assert session.exec(select(WorkEntry)).all() == []


def test_bad_kind_period_and_text_are_422(ctx, world):
    author, week = world.actors["author"], str(this(ctx, "week"))
    with pytest.raises(Invalid) as raised:
        service.write_entry(ctx, author, "wa", "daily_poem", week, EntryIn(body="x"))
    assert raised.value.errors[0]["field"] == "kind"
    with pytest.raises(Invalid, match="is not a period"):
        service.write_entry(ctx, author, "wa", "weekly_plan", "上周", EntryIn(body="x"))
    with pytest.raises(Invalid, match="NUL"):
        service.write_entry(ctx, author, "wa", "weekly_plan", week, EntryIn(body="a\x00b"))
    # Typed forms of a period are read: 2026年第48周 is the week 2026-W48.
    week_typed = f"{this(ctx, 'week').year}年第{this(ctx, 'week').start.isocalendar()[1]}周"
    assert service.write_entry(ctx, author, "wa", "weekly_plan", week_typed, EntryIn(body="x")).period == week


def test_only_a_persons_own_account_writes_and_only_the_author_submits(ctx, world):
    week = str(this(ctx, "week"))
    with pytest.raises(Forbidden, match="belongs to no person"):
        service.write_entry(ctx, world.actors["office"], "wa", "weekly_plan", week, EntryIn(body="x"))
    entry = service.write_entry(ctx, world.actors["author"], "wa", "weekly_plan", week, EntryIn(body="x", submit=True))
    with pytest.raises(Forbidden, match="only its author"):  # the leader may read it, not change it
        service.submit_entry(ctx, world.actors["leader"], "wa", entry.id)
    with pytest.raises(NotFound):  # the leader of another unit may not even see it
        service.submit_entry(ctx, world.actors["leader_b"], "wa", entry.id)


def test_who_may_read_whom(ctx, world):
    week = str(this(ctx, "week"))
    entry = service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", week, EntryIn(body="记实", submit=True)
    )
    person = world.people["李明"]
    readers = {"author", "leader", "office"}
    for name, actor in world.actors.items():
        code = "wb" if name.startswith("other") else "wa"
        if name in readers:
            assert service.read_entry(ctx, actor, code, entry.id).body == "记实", name
            assert service.history(ctx, actor, code, person).total == 1, name
        else:
            # a colleague without the locality's option, a leader of another unit, a unit admin,
            # a person and the office of another locality: 404, as for an entry that does not exist
            with pytest.raises(NotFound):
                service.read_entry(ctx, actor, code, entry.id)
            with pytest.raises(NotFound):
                service.history(ctx, actor, code, person)
    with pytest.raises(NotFound):  # the other locality's office, naming this locality
        service.read_entry(ctx, world.actors["other_office"], "wa", entry.id)


def test_colleagues_read_each_other_when_the_locality_allows_it(ctx):
    world = make_world(ctx, colleagues_can_read=True)
    entry = service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", str(this(ctx, "week")), EntryIn(body="记实", submit=True)
    )
    assert service.read_entry(ctx, world.actors["colleague"], "wa", entry.id).body == "记实"
    with pytest.raises(NotFound):  # still not the leader of another unit
        service.read_entry(ctx, world.actors["leader_b"], "wa", entry.id)


def test_reading_marks_viewed_and_notifies_the_author_once_per_viewer_and_day(ctx, world):
    author, leader, office = world.actors["author"], world.actors["leader"], world.actors["office"]
    week = str(this(ctx, "week"))
    record = service.write_entry(ctx, author, "wa", "weekly_record", week, EntryIn(body="记实", submit=True))
    plan = service.write_entry(ctx, author, "wa", "weekly_plan", week, EntryIn(body="计划", submit=True))
    service.read_entry(ctx, author, "wa", record.id)  # the author reading: no view, no notice
    service.read_entry(ctx, leader, "wa", record.id)
    service.read_entry(ctx, leader, "wa", record.id)
    service.read_entry(ctx, leader, "wa", plan.id)
    service.read_entry(ctx, office, "wa", plan.id)
    with ctx.db.read() as session:
        notices = session.exec(
            select(Notification).where(Notification.user_id == author.user_id).order_by(Notification.id)
        ).all()
    assert [(n.kind, n.params["viewer"]) for n in notices] == [
        ("worklog.viewed", "张局长"),
        ("worklog.viewed", "office-wa"),
    ]
    assert notices[0].params["day"] == service.today(ctx).isoformat()
    assert notices[0].link == f"/me/worklog/entries/{record.id}"
    mine = service.read_entry(ctx, author, "wa", record.id)
    assert [v.viewer for v in mine.views] == ["zhang"]  # the author sees who read it
    assert service.read_entry(ctx, leader, "wa", record.id).views == []  # a leader does not


def test_the_board_shows_what_each_supervised_person_submitted_and_what_is_missing(ctx, world):
    week = str(this(ctx, "week"))
    service.write_entry(ctx, world.actors["author"], "wa", "weekly_record", week, EntryIn(body="记实", submit=True))
    service.write_entry(ctx, world.actors["colleague"], "wa", "weekly_plan", week, EntryIn(body="草稿"))
    board = service.board(ctx, world.actors["leader"], "wa", week)
    assert [k.value for k in board.kinds] == ["weekly_plan", "weekly_record"]
    rows = {row.person_name: row for row in board.rows}
    assert set(rows) == {"李明", "王芳"}  # the leader's unit, not the leader
    assert rows["李明"].entries["weekly_record"].body == "记实" and rows["李明"].entries["weekly_plan"] is None
    assert rows["王芳"].entries == {"weekly_plan": None, "weekly_record": None}  # a draft is missing
    assert (board.submitted, board.missing) == (1, 3)
    assert {r.person_name for r in service.board(ctx, world.actors["leader_b"], "wa", week).rows} == {"钱七"}
    with pytest.raises(NotFound):  # a leader asking for another unit
        service.board(ctx, world.actors["leader_b"], "wa", week, unit_id=world.unit_a)
    office_board = service.board(ctx, world.actors["office"], "wa", week, unit_id=world.unit_a)
    assert {r.person_name for r in office_board.rows} == {"李明", "王芳", "张局长"}
    with pytest.raises(Invalid):
        service.board(ctx, world.actors["office"], "wa", week)
    with pytest.raises(Forbidden):
        service.board(ctx, world.actors["author"], "wa", week)
    with pytest.raises(NotFound):  # another locality's office
        service.board(ctx, world.actors["other_office"], "wa", week, unit_id=world.unit_a)
    month = service.board(ctx, world.actors["leader"], "wa", str(this(ctx, "month")))
    assert [k.value for k in month.kinds] == ["monthly_plan", "monthly_summary"]


def test_the_overview_lists_the_week_month_and_quarter(ctx, world):
    author = world.actors["author"]
    week = str(this(ctx, "week"))
    service.write_entry(ctx, author, "wa", "weekly_plan", week, EntryIn(body="计划"))
    view = service.overview(ctx, author, "wa")
    assert [(s.kind.value, s.period) for s in view.slots] == [
        ("weekly_plan", week),
        ("weekly_record", week),
        ("monthly_plan", str(this(ctx, "month"))),
        ("monthly_summary", str(this(ctx, "month"))),
        ("quarterly_plan", str(this(ctx, "quarter"))),
        ("quarterly_self_assessment", str(this(ctx, "quarter"))),
    ]
    assert view.slots[0].entry.body == "计划" and view.slots[1].entry is None
    with pytest.raises(Forbidden):
        service.overview(ctx, world.actors["office"], "wa")


def test_a_monthly_summary_starts_from_the_months_weekly_records(ctx, world):
    author = world.actors["author"]
    month = Period.from_date("month", service.today(ctx) - timedelta(days=40))  # a whole month in the past
    weeks = service.weeks_of_month(month)
    assert 4 <= len(weeks) <= 5
    assert all(month.contains(w.start + timedelta(days=3)) for w in weeks)
    for number, week in enumerate(weeks[:2], start=1):
        service.write_entry(
            ctx, author, "wa", "weekly_record", str(week), EntryIn(body=f"第{number}周的工作", submit=True)
        )
    summary = service.start_monthly_summary(ctx, author, "wa", str(month))
    assert summary.status == EntryStatus.draft and summary.kind.value == "monthly_summary"
    assert summary.body.index("第1周的工作") < summary.body.index("第2周的工作")
    assert str(weeks[0]) in summary.body
    service.write_entry(ctx, author, "wa", "monthly_summary", str(month), EntryIn(body="我的小结"))
    assert service.start_monthly_summary(ctx, author, "wa", str(month)).body == "我的小结"  # kept as written


def test_history_is_newest_period_first_and_only_submitted_for_readers(ctx, world):
    author, leader = world.actors["author"], world.actors["leader"]
    today = service.today(ctx)
    for weeks_ago in (3, 2, 1):
        week = Period.from_date("week", today - timedelta(days=7 * weeks_ago))
        service.write_entry(
            ctx, author, "wa", "weekly_record", str(week), EntryIn(body=str(weeks_ago), submit=weeks_ago != 1)
        )
    mine = service.history(ctx, author, "wa")
    assert [e.body for e in mine.items] == ["1", "2", "3"] and mine.total == 3
    theirs = service.history(ctx, leader, "wa", world.people["李明"])
    assert [e.body for e in theirs.items] == ["2", "3"]
    assert [e.body for e in service.history(ctx, author, "wa", limit=1, offset=1).items] == ["2"]


def test_a_leader_reading_an_entry_many_times_at_once_tells_the_author_once(ctx, world):
    from concurrent.futures import ThreadPoolExecutor

    entry = service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", str(this(ctx, "week")), EntryIn(body="记实", submit=True)
    )
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: service.read_entry(ctx, world.actors["leader"], "wa", entry.id), range(12)))
    assert {a.body for a in answers} == {"记实"}
    with ctx.db.read() as session:
        notices = session.exec(select(Notification).where(Notification.user_id == world.actors["author"].user_id)).all()
    assert len(notices) == 1
    assert [v.viewer for v in service.read_entry(ctx, world.actors["author"], "wa", entry.id).views] == ["zhang"]


def test_the_overview_of_a_day_outside_the_years_of_periods_is_422(ctx, world):
    from datetime import date

    with pytest.raises(Invalid, match="between 1900 and 2199"):
        service.overview(ctx, world.actors["author"], "wa", date(5551, 5, 20))


def test_daily_records_only_where_the_locality_keeps_them(ctx, world):
    """Optional daily entries (日记实): refused (422, nothing written) until the locality's option
    is on; then written for a day like any entry, versions and all, and read by the leader."""
    author, leader = world.actors["author"], world.actors["leader"]
    today = str(this(ctx, "day"))
    with pytest.raises(Invalid) as off:
        service.write_entry(ctx, author, "wa", "daily_record", today, EntryIn(body="走访两家企业", submit=True))
    assert off.value.errors[0]["field"] == "kind" and "daily records are not kept" in off.value.message
    with ctx.db.read() as session:
        assert session.exec(select(WorkEntry)).all() == []

    enable(ctx, "wa", daily_records=True)
    entry = service.write_entry(ctx, author, "wa", "daily_record", today, EntryIn(body="走访两家企业", submit=True))
    assert (entry.kind.value, entry.period, entry.status, entry.versions) == ("daily_record", today, "submitted", 1)
    service.write_entry(ctx, author, "wa", "daily_record", today, EntryIn(body="走访三家企业"))
    detail = service.read_entry(ctx, leader, "wa", entry.id)
    assert detail.body == "走访三家企业" and [v.body for v in detail.history] == ["走访两家企业", "走访三家企业"]
    history = service.history(ctx, leader, "wa", world.people["李明"], kind="daily_record")
    assert [e.period for e in history.items] == [today]
    with pytest.raises(Invalid):  # optional: no board of a day, nobody is missing a daily record
        service.board(ctx, leader, "wa", today)
    tomorrow = str(Period.from_date("day", service.today(ctx) + timedelta(days=1)))
    with pytest.raises(Invalid, match="has not begun yet"):
        service.write_entry(ctx, author, "wa", "daily_record", tomorrow, EntryIn(body="x"))
