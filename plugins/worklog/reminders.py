"""Reminders: whoever has not submitted their weekly record or monthly summary by its deadline
gets an in-app notification (``core.services.notifications``; plugins may forward it by SMS).

**Working days** follow the State Council's calendar through the ``chinesecalendar`` package
(``chinese_calendar``): statutory holidays are days off, make-up working days (调休, e.g. the
Sunday before National Day) are working days. For a year the package does not cover yet (its
data end with the last calendar the State Council published), Monday to Friday are working days
except the statutory holidays fixed by date (``FIXED_HOLIDAYS``: New Year's Day, Labour Day, the
first three days of National Day); a warning naming the year and the package is logged once per
year and process, and the office's completion page says the year's calendar is not known yet
(``uncovered_years``). Make-up working days and the moving holidays of such a year are unknown.

**The deadline** of an entry for a period (a week ``2025-W40`` or a month ``2025-09``) is the
period's last working day, moved ``reminder_grace_workdays`` working days later (a locality
option, default 0), at ``reminder_hour`` o'clock (default 18) in ``KAOPING_TIMEZONE``. A period
without a working day (a week inside a long holiday) is due on the first working day after it.
So by default the weekly record is due on Friday 18:00, on Tuesday 30 September in the week of
National Day 2025, and on Sunday 28 September the week before (a make-up working day); the
monthly summary on the month's last working day.

**The pass** (``send_reminders``, the periodic task ``worklog-reminders``) looks, for each
locality that enabled the worklog with ``reminders`` on, at the latest period of each kind whose
deadline has passed, if it passed less than ``REMIND_WITHIN`` ago (so enabling the plugin does
not remind of last year), and notifies every active account of a person (``users.person_id``)
of that locality who has no submitted entry of that kind and period. Each person is reminded
once per kind and period (``worklog_reminders``, inserted with ON CONFLICT DO NOTHING), so
several instances may run the pass at once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, literal
from sqlmodel import Session, col, select

from core.context import AppContext
from core.models import LocalityPlugin, Person, User
from core.models.base import tz_datetime, utcnow
from core.periods import Period
from plugins.worklog.models import EntryKind, EntryStatus, Reminder, WorkEntry

log = logging.getLogger("kaoping.worklog")

PLUGIN = "worklog"
REMIND_WITHIN = timedelta(days=7)
REMINDED_KINDS = {EntryKind.weekly_record: "week", EntryKind.monthly_summary: "month"}
MESSAGES = {
    EntryKind.weekly_record: "Your weekly record for {period} was due on {day}: please write and submit it",
    EntryKind.monthly_summary: "Your monthly summary for {period} was due on {day}: please write and submit it",
}


# (month, day) of the statutory holidays that do not move: 元旦, 劳动节, 国庆节 (1-3 October)
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)})


@lru_cache(maxsize=64)
def calendar_covers(year: int) -> bool:
    """Whether the ``chinesecalendar`` package knows the official holidays of ``year``; if not,
    log a warning (once per year: the answer is cached)."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        log.warning(
            "worklog: the chinesecalendar package (%s) has no official holidays for %d: "
            "Monday to Friday are taken as working days there, except 1 January, 1 May and 1-3 October",
            getattr(chinese_calendar, "__version__", "?"),
            year,
        )
        return False
    return True


def uncovered_years(*days: date) -> list[int]:
    """The years among ``days`` whose official holiday calendar is not known yet, in order."""
    return sorted(year for year in {day.year for day in days} if not calendar_covers(year))


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day in China (holidays off, make-up days on); for a year the
    package does not cover, Monday to Friday but the ``FIXED_HOLIDAYS``."""
    import chinese_calendar

    if calendar_covers(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def next_workday(day: date) -> date:
    """The first working day after ``day``."""
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def due_day(period: Period, grace_workdays: int = 0) -> date:
    """The day an entry for ``period`` is due (the module docstring's rule)."""
    day = period.end
    while day >= period.start and not is_workday(day):
        day -= timedelta(days=1)
    if day < period.start:
        day = next_workday(period.end)
    for _ in range(grace_workdays):
        day = next_workday(day)
    return day


def deadline(period: Period, tz: str, *, grace_workdays: int = 0, hour: int = 18) -> datetime:
    """When an entry for ``period`` is due: an aware datetime in ``tz``."""
    return datetime.combine(due_day(period, grace_workdays), time(hour), tzinfo=ZoneInfo(tz))


def latest_due(kind: str, now: datetime, tz: str, *, grace_workdays: int = 0, hour: int = 18) -> Period | None:
    """The latest period of ``kind`` (``week``, ``month``) whose deadline is at or before ``now``
    and less than ``REMIND_WITHIN`` ago, or None."""
    local = now.astimezone(ZoneInfo(tz))
    period = Period.from_date(kind, local.date())
    for _ in range(12):  # a deadline is at most a few weeks after its period
        due = deadline(period, tz, grace_workdays=grace_workdays, hour=hour)
        if due <= now:
            return period if now - due < REMIND_WITHIN else None
        period = Period.from_date(kind, period.start - timedelta(days=1))
    return None


def reminder_options(options: dict) -> tuple[bool, int, int]:
    """A locality's worklog options as (reminders on, grace working days, deadline hour);
    the defaults for options it has not set (or that no longer validate)."""
    from plugins.worklog import WorklogOptions

    try:
        options = WorklogOptions.model_validate(options or {})
    except ValueError:
        options = WorklogOptions()
    return options.reminders, options.reminder_grace_workdays, options.reminder_hour


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Reminder.__table__)


def remind_locality(ctx: AppContext, locality_id: int, kind: EntryKind, period: Period, due: datetime) -> int:
    """Notify the people of ``locality_id`` without a submitted ``kind`` entry for ``period``
    who were not reminded of it yet; how many were notified.

    Set-based, in one write transaction, whatever the number of people: one INSERT ... SELECT
    of the reminder rows (ON CONFLICT DO NOTHING, so a pass running at the same time skips who
    this one reminds; RETURNING the people it did remind), one SELECT of those people's accounts,
    and one bulk INSERT of the notifications (``notify_many``). No row goes through Python
    on the way in, and a pass with nobody new writes nothing."""
    from core.services.notifications import notify_many

    text = str(period)
    with ctx.db.write() as session:
        now = utcnow()
        # NOT IN (a subquery) rather than NOT EXISTS: SQLite then builds each set once instead
        # of probing an index per person (0.7 s -> 0.2 s a pass over 100,000 people with nobody
        # new); PostgreSQL hashes either. Both columns are NOT NULL.
        submitted = select(WorkEntry.person_id).where(
            WorkEntry.locality_id == locality_id,
            WorkEntry.kind == kind.value,
            WorkEntry.period == text,
            WorkEntry.status == EntryStatus.submitted.value,
        )
        reminded = select(Reminder.person_id).where(
            Reminder.locality_id == locality_id, Reminder.kind == kind.value, Reminder.period == text
        )
        missing = (
            select(
                literal(locality_id, Integer),
                User.person_id,
                literal(kind.value),
                literal(text),
                literal(now, tz_datetime()),
            )
            .join(Person, col(Person.id) == User.person_id)
            .where(
                User.locality_id == locality_id,
                col(User.person_id).is_not(None),
                User.is_active == True,  # noqa: E712 - SQL expression
                Person.locality_id == locality_id,
                col(User.person_id).not_in(submitted),
                col(User.person_id).not_in(reminded),
            )
        )
        table = Reminder.__table__
        statement = (
            _insert(session)
            .from_select(["locality_id", "person_id", "kind", "period", "sent_at"], missing)
            .on_conflict_do_nothing()
            .returning(table.c.person_id)
        )
        new = {person_id for (person_id,) in session.execute(statement)}
        if not new:
            return 0
        accounts = session.exec(  # the accounts of the people just reminded (one each in a locality)
            select(User.id, User.person_id)
            .join(Reminder, col(Reminder.person_id) == User.person_id)
            .where(
                Reminder.locality_id == locality_id,
                Reminder.period == text,
                Reminder.kind == kind.value,
                Reminder.sent_at == now,
                User.locality_id == locality_id,
                User.is_active == True,  # noqa: E712 - SQL expression
            )
            .order_by(col(User.id))
        ).all()
        return notify_many(
            session,
            locality_id,
            [user_id for user_id, person_id in accounts if person_id in new],
            "worklog.reminder",
            MESSAGES[kind],
            {"period": text, "day": due.date()},
            link=f"/me/worklog/write/{kind.value}/{period}",
        )


def send_reminders(ctx: AppContext, now: datetime | None = None) -> int:
    """The reminder pass at ``now`` (default: the current time) over every locality that enabled
    the worklog; how many people were notified."""
    now = now or utcnow()
    tz = ctx.settings.timezone
    with ctx.db.read() as session:
        rows = session.exec(
            select(LocalityPlugin).where(
                LocalityPlugin.plugin == PLUGIN,
                LocalityPlugin.enabled == True,  # noqa: E712 - SQL expression
            )
        ).all()
    sent = 0
    for row in rows:
        on, grace, hour = reminder_options(row.options)
        if not on:
            continue
        for kind, period_kind in REMINDED_KINDS.items():
            period = latest_due(period_kind, now, tz, grace_workdays=grace, hour=hour)
            if period is not None:
                due = deadline(period, tz, grace_workdays=grace, hour=hour)
                sent += remind_locality(ctx, row.locality_id, kind, period, due)
    if sent:
        log.info("worklog reminders: %d people notified", sent)
    return sent
