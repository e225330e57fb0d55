"""Reminders around National Day 2025, on both databases. The holiday ran from Wednesday
1 October to Wednesday 8 October; Sunday 28 September and Saturday 11 October were make-up
working days. So the weekly record of 2025-W39 is due on Sunday 28 September, that of W40
(29 September to 5 October) on Tuesday 30 September, that of W41 on Saturday 11 October, and
September's summary on Tuesday 30 September; each at 18:00 in Beijing time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from core.i18n import LOCALES_DIR, Translator
from core.models import Notification
from core.periods import Period
from core.services import notifications
from plugins.worklog import HERE, reminders
from plugins.worklog.models import EntryKind, Reminder
from plugins.worklog.service import seed_entry
from tests.plugins.worklog.setup import enable, make_world

BEIJING = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("period", "grace", "due"),
    [
        ("2025-W38", 0, date(2025, 9, 19)),  # an ordinary Friday
        ("2025-W39", 0, date(2025, 9, 28)),  # the Sunday make-up working day
        ("2025-W40", 0, date(2025, 9, 30)),  # the holiday starts on Wednesday
        ("2025-W40", 1, date(2025, 10, 9)),  # one working day of grace: after the holiday
        ("2025-W41", 0, date(2025, 10, 11)),  # the Saturday make-up working day
        ("2025-09", 0, date(2025, 9, 30)),
        ("2025-10", 0, date(2025, 10, 31)),
        ("2025-05", 0, date(2025, 5, 30)),  # 31 May was the Dragon Boat Festival (a Saturday anyway)
    ],
)
def test_due_days_follow_the_official_calendar(period, grace, due):
    assert reminders.due_day(Period.parse(period), grace) == due


def test_a_period_without_a_working_day_is_due_on_the_first_one_after_it():
    # weeks rarely fall wholly in a holiday; a day of it shows the rule the same way
    assert reminders.due_day(Period.parse("2025-10-01")) == date(2025, 10, 9)
    assert reminders.due_day(Period.parse("2025-10-01"), 2) == date(2025, 10, 11)  # a Saturday make-up day


def test_latest_due_period_moves_with_the_holiday():
    tz = "Asia/Shanghai"
    assert reminders.latest_due("week", at(9, 26, 18, 30), tz) is None  # W39 is due Sunday; W38 is a week old
    assert str(reminders.latest_due("week", at(9, 28, 18, 30), tz)) == "2025-W39"
    assert str(reminders.latest_due("week", at(9, 30, 17, 59), tz)) == "2025-W39"
    assert str(reminders.latest_due("week", at(9, 30, 18, 0), tz)) == "2025-W40"
    assert reminders.latest_due("week", at(10, 10, 18, 30), tz) is None  # W41 is due Saturday, W40 is 10 days old
    assert str(reminders.latest_due("week", at(10, 11, 18), tz)) == "2025-W41"
    assert str(reminders.latest_due("month", at(9, 30, 18, 30), tz)) == "2025-09"
    assert str(reminders.latest_due("week", at(9, 30, 18, 0), tz, grace_workdays=1)) == "2025-W39"  # due 29 Sep


@pytest.fixture
def fresh_calendar():
    """Forget which years were looked up (and warned of) so far in this process."""
    reminders.calendar_covers.cache_clear()
    reminders.is_workday.cache_clear()
    yield
    reminders.calendar_covers.cache_clear()
    reminders.is_workday.cache_clear()


def test_a_year_the_calendar_does_not_cover_keeps_the_fixed_holidays_and_warns_once(fresh_calendar, caplog):
    # chinesecalendar 1.11.0 ends with 2026; the year after stays uncovered until a newer release
    year = 2027
    while reminders.calendar_covers(year):
        year += 1
    caplog.clear()
    reminders.calendar_covers.cache_clear()
    with caplog.at_level("WARNING", logger="kaoping.worklog"):
        assert not reminders.is_workday(date(year, 1, 1))  # New Year's Day, whatever the weekday
        assert not reminders.is_workday(date(year, 5, 1))
        assert [reminders.is_workday(date(year, 10, d)) for d in (1, 2, 3)] == [False] * 3
        monday = date(year, 3, 1 + (7 - date(year, 3, 1).weekday()) % 7)
        assert reminders.is_workday(monday) and not reminders.is_workday(monday.replace(day=monday.day + 5))
        assert reminders.uncovered_years(date(2026, 12, 28), date(year, 1, 3)) == [year]
    warned = [r.getMessage() for r in caplog.records if str(year) in r.getMessage()]
    assert len(warned) == 1 and "chinesecalendar" in warned[0]  # once per year, naming the package


def test_the_week_across_new_year_2027_is_due_before_the_holiday(fresh_calendar):
    if reminders.calendar_covers(2027):
        pytest.skip("the installed chinesecalendar covers 2027")
    # 2026-W53 runs from Monday 28 December 2026 to Sunday 3 January 2027; 1 January is a Friday
    assert not reminders.is_workday(date(2027, 1, 1))
    assert reminders.due_day(Period.parse("2026-W53")) == date(2026, 12, 31)
    assert reminders.due_day(Period.parse("2027-01")) == date(2027, 1, 29)


def test_a_covered_year_is_unchanged_and_not_warned_of(fresh_calendar, caplog):
    with caplog.at_level("WARNING", logger="kaoping.worklog"):
        assert reminders.uncovered_years(date(2025, 10, 1), date(2026, 1, 1)) == []
        assert not reminders.is_workday(date(2025, 10, 8))  # a moving part of the 2025 holiday
        assert reminders.is_workday(date(2025, 9, 28))  # a Sunday make-up day
        assert reminders.is_workday(date(2026, 1, 4))  # the Sunday make-up day after New Year 2026
    assert not caplog.records


def _notices(ctx):
    with ctx.db.read() as session:
        return session.exec(
            select(Notification).where(Notification.kind == "worklog.reminder").order_by(col(Notification.id))
        ).all()


def test_the_pass_notifies_who_has_not_submitted_once_and_in_chinese(ctx):
    assert ctx.settings.timezone == "Asia/Shanghai"
    world = make_world(ctx)
    enable(ctx, "wb", reminders=False)  # only wa's people are reminded here
    wrote = world.people["李明"]
    seed_entry(ctx, "wa", wrote, EntryKind.weekly_record, Period.parse("2025-W40"), "节前工作", written_by="t")
    seed_entry(ctx, "wa", wrote, EntryKind.monthly_summary, Period.parse("2025-09"), "九月小结", written_by="t")
    draft_only = world.people["王芳"]
    seed_entry(
        ctx, "wa", draft_only, EntryKind.weekly_record, Period.parse("2025-W40"), "草稿", written_by="t", submit=False
    )

    assert reminders.send_reminders(ctx, at(9, 26, 18, 30)) == 0  # the Friday before: W39 is due on Sunday
    assert reminders.send_reminders(ctx, at(9, 30, 17, 0)) == 4  # W39 (due Sunday): nobody wrote it
    sent = reminders.send_reminders(ctx, at(9, 30, 18, 5))  # W40 and September are due now
    assert sent == 3 + 3  # W40: all but 李明 (a draft does not count); September: all but 李明
    assert reminders.send_reminders(ctx, at(10, 3, 10)) == 0  # during the holiday: nothing new, nobody twice
    assert reminders.send_reminders(ctx, at(10, 10, 18, 30)) == 0  # W41 is due on Saturday

    by_user = {a.user_id: name for name, a in world.actors.items()}
    notices = _notices(ctx)
    reminded = {(by_user[n.user_id], n.params["period"]) for n in notices}
    assert {name for name, period in reminded if period == "2025-W39"} == {"author", "colleague", "leader", "leader_b"}
    assert {name for name, period in reminded if period == "2025-W40"} == {"colleague", "leader", "leader_b"}
    assert {name for name, period in reminded if period == "2025-09"} == {"colleague", "leader", "leader_b"}
    assert "other" not in {by_user[n.user_id] for n in notices}  # 钱七 of wa has no account, wb is off
    w40 = next(n for n in notices if n.params["period"] == "2025-W40")
    assert w40.link == "/me/worklog/write/weekly_record/2025-W40" and w40.params["day"] == "2025-09-30"
    chinese = Translator("zh_CN", (HERE / "locales", LOCALES_DIR))
    assert notifications.render(w40, chinese) == "你 2025-W40 的周记实应于2025年9月30日前提交，请尽快填写并提交"
    english = Translator("en", (HERE / "locales", LOCALES_DIR))
    assert notifications.render(w40, english) == (
        "Your weekly record for 2025-W40 was due on Sep 30, 2025: please write and submit it"
    )  # the day as Babel writes it, with its year: not this year's
    with ctx.db.read() as session:
        assert len(session.exec(select(Reminder)).all()) == len(notices)


def test_options_turn_reminders_off_or_give_grace(ctx):
    world = make_world(ctx)
    enable(ctx, "wa", reminders=False)
    enable(ctx, "wb", reminder_grace_workdays=1)
    # wb, a day of grace: W39 (due Monday 29 September); W40 and September are due on 9 October
    assert reminders.send_reminders(ctx, at(9, 30, 18, 5)) == 1
    assert [(n.user_id, n.params["period"]) for n in _notices(ctx)] == [(world.actors["other"].user_id, "2025-W39")]
    assert reminders.send_reminders(ctx, at(10, 9, 17, 59)) == 0
    assert reminders.send_reminders(ctx, at(10, 9, 18, 5)) == 2


def test_the_scheduler_runs_the_pass_every_quarter_hour(ctx):
    from core.scheduler import periodic_tasks

    [task] = [t for t in periodic_tasks() if t.name == "worklog-reminders"]
    assert task.every_seconds == 900 and task.run is reminders.send_reminders
    make_world(ctx)
    assert task.run(ctx) >= 0  # today's pass runs on a real database (what it finds depends on the day)


def test_the_pass_takes_the_same_few_statements_for_four_people_or_thirty(ctx):
    """Set-based: an INSERT ... SELECT of the reminders, a SELECT of the accounts and one bulk
    INSERT of the notifications, whatever the number of people (100,000 in bench.worklog)."""
    from sqlalchemy import event

    from core.models import User
    from core.schemas.org import PersonIn
    from core.services import org
    from tests.plugins.worklog.setup import SYSTEM, account

    world = make_world(ctx)
    enable(ctx, "wb", reminders=False)
    statements: list[str] = []

    def listen(_conn, _cursor, statement, _params, _context, _many):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    def counted_pass(now: datetime) -> tuple[int, int]:
        statements.clear()
        event.listen(ctx.db.engine, "before_cursor_execute", listen)
        try:
            return reminders.send_reminders(ctx, now), len(statements)
        finally:
            event.remove(ctx.db.engine, "before_cursor_execute", listen)

    few = counted_pass(at(9, 30, 17, 0))  # W39: the 4 people with an account
    more = [
        org.create_person(ctx, SYSTEM, "wa", PersonIn(name=f"干部{i:02d}", unit_id=world.unit_a)).id for i in range(26)
    ]
    users = [
        account(ctx, "wa", f"cadre{i:02d}", "cadre", person_id=p, unit_id=world.unit_a) for i, p in enumerate(more)
    ]
    with ctx.db.write() as session:  # a deactivated account is not reminded
        session.get(User, users[0].user_id).is_active = False
    seed_entry(ctx, "wa", more[1], EntryKind.weekly_record, Period.parse("2025-W41"), "本周", written_by="t")
    many = counted_pass(at(10, 11, 18))  # W41 only: September's deadline is 11 days old
    assert few[0] == 4 and many[0] == 4 + 26 - 2
    assert many[1] <= few[1] <= 6, statements  # the first pass also reads the locality's hooks
    notified = {n.user_id for n in _notices(ctx) if n.params["period"] == "2025-W41"}
    assert users[0].user_id not in notified and users[1].user_id not in notified and users[2].user_id in notified
    assert counted_pass(at(10, 11, 18, 15)) == (0, 2)  # nobody new: the localities, an INSERT that adds nothing
