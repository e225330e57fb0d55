"""The worklog's use-cases: the only code that writes its tables.

**Entries.** A person writes one entry of each kind per period (``EntryKind``: weekly plan and
record for an ISO week ``2026-W48``, monthly plan and summary for a month ``2026-11``, quarterly
plan for a quarter ``2026-Q4``). An entry starts as a draft, seen by its author only; once
submitted, readers see it, and every later change of its text is kept as a new version (留痕):
version 1 is the text as submitted, 2, 3, ... each later text, with who wrote it and when. Only
the author (the person of the signed-in account, ``users.person_id``) writes their entries.

**Who may read a person's submitted entries** (``can_read``): the person; the office of the
locality (roles ``office`` and ``platform_admin``); an office or a leader of a parent locality
granted to read the localities below it (``queries.reads_below``: every person there, read-only:
they neither comment, like, grade nor write; their reading still tells the author);
supervising leaders: users of role ``leader`` whose unit (``users.unit_id``, else their
person's unit) is the person's unit, or who are in charge of it as a team member (分管,
``supervision.supervised_units``); colleagues of the same unit
only when the locality's option ``colleagues_can_read`` is on. Anyone else, and any id of another
locality, gets 404 as for an entry that does not exist.

**Views.** A reader other than the author who opens a submitted entry marks it viewed
(``worklog_entry_views``: first and last time), and its author is notified through the core's
notifications once per viewer per day (the locality's calendar day, ``KAOPING_TIMEZONE``),
however many entries that viewer read.

Entries are not written to the audit log: their versions are their trace, and the audit chain
serialises writers, which 100,000 people writing every week cannot afford.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Locality, Person, User
from core.models.base import utcnow
from core.periods import Period, PeriodError
from core.services.access import OFFICE_ROLES
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.worklog.board import board, board_units  # noqa: F401 - the service's use-cases, in a module of their own
from plugins.worklog.models import EntryKind, EntryStatus, EntryVersion, EntryView, ViewNotice, WorkEntry
from plugins.worklog.queries import (  # noqa: F401 - callers read these from the service
    NO_ENTRY,
    NO_PERSON,
    NOT_A_PERSON,
    PLUGIN,
    can_read,
    check_kept,
    check_open,
    check_period,
    closed_quarters,
    entry_and_person,
    entry_out,
    history_rows,
    kinds_for,
    open_slot,
    options_of,
    own_slot,
    parse_kind,
    parse_period,
    quarter_of,
    require_person,
    scope,
    today,
)
from plugins.worklog.schemas import (
    MAX_BODY,
    EntryDetail,
    EntryIn,
    EntryOut,
    HistoryPage,
    Overview,
    Slot,
    VersionOut,
    ViewOut,
)
from plugins.worklog.supervision import own_person

VIEWED_MESSAGE = "{viewer} read your work on {day}"
_out = entry_out
_entry = entry_and_person
_require_person = require_person


# --- helpers -------------------------------------------------------------------------------------


def _add_version(session: Session, entry: WorkEntry, actor: Actor, *, counted: bool = False) -> None:
    """Keep ``entry``'s text as its next version (the entry, already flushed, has its id; its
    count of versions is written with its other changes at the next flush; ``counted``: the
    entry's count already includes this version)."""
    if not counted:
        entry.versions += 1
    session.add(
        EntryVersion(
            locality_id=entry.locality_id,
            entry_id=entry.id,
            number=entry.versions,
            body=entry.body,
            written_by=actor.username,
        )
    )


def _submit(session: Session, entry: WorkEntry, actor: Actor) -> None:
    now = utcnow()
    entry.status = EntryStatus.submitted.value
    entry.submitted_at = entry.updated_at = now
    session.add(entry)
    if entry.id is None:
        session.flush()
    _add_version(session, entry, actor)


# --- writing -------------------------------------------------------------------------------------


def write_entry(ctx: AppContext, actor: Actor, code: str, kind: str, period: Any, data: EntryIn) -> EntryOut:
    """Write the signed-in person's entry of ``kind`` for ``period`` (created as a draft if
    there is none). A draft's text is replaced; a submitted entry's new text is kept as a new
    version (an unchanged text adds none). ``data.submit`` submits a draft.

    Errors: 404 locality; 403 the account is no person's; 422 unknown kind, not a period, a
    period of the wrong kind, a period that has not begun, a text over 20,000 characters; 409 a
    period of a quarter whose evaluation the office locked (``queries.check_open``)."""
    entry_kind = parse_kind(kind)
    when = parse_period(period)
    check_period(ctx, entry_kind, when)
    body = data.body.replace("\r\n", "\n")
    if len(body) > MAX_BODY or "\x00" in body:
        raise Invalid(
            "body: at most {max} characters, and no NUL character",
            params={"max": MAX_BODY},
            errors=[{"field": "body", "message": "too long or holds a NUL character"}],
        )
    for attempt in range(2):  # a first write racing another one for the same slot: read it again
        try:
            with ctx.db.write() as session:
                locality, _ = scope(session, actor, code)
                person = require_person(session, actor, locality)
                check_kept(session, locality.id, entry_kind)
                entry = open_slot(session, locality.id, person.id, entry_kind, when)  # 409 in a locked quarter
                if entry is None:
                    entry = WorkEntry(
                        locality_id=locality.id,
                        person_id=person.id,
                        kind=entry_kind.value,
                        period=str(when),
                        period_start=when.start,
                        body=body,
                    )
                    if data.submit:  # written submitted at once: one INSERT of each row
                        entry.status, entry.versions = EntryStatus.submitted.value, 1
                        entry.submitted_at = entry.updated_at = entry.created_at
                    session.add(entry)
                    session.flush()
                    if data.submit:
                        _add_version(session, entry, actor, counted=True)
                elif entry.body != body:
                    entry.body = body
                    entry.updated_at = utcnow()
                    session.add(entry)
                    if entry.status == EntryStatus.submitted:
                        _add_version(session, entry, actor)  # the UPDATE and the INSERT at the commit
                if data.submit and entry.status == EntryStatus.draft:
                    _submit(session, entry, actor)
                session.flush()
                return _out(entry, person.name, True)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def submit_entry(ctx: AppContext, actor: Actor, code: str, entry_id: int) -> EntryOut:
    """Submit the signed-in person's draft ``entry_id`` (an entry already submitted is answered
    as it is). 404 for an entry that is not theirs to change and not theirs to read; 403 for one
    they may read but did not write."""
    with ctx.db.write() as session:
        locality, mine = scope(session, actor, code)
        entry, person = _entry(session, actor, locality, entry_id)
        if mine is None or mine.id != entry.person_id:
            raise Forbidden("only its author may change a work record")
        if entry.status == EntryStatus.draft:
            check_open(session, locality.id, Period.parse(entry.period))
            _submit(session, entry, actor)
            session.flush()
        return _out(entry, person.name, True)


def start_monthly_summary(ctx: AppContext, actor: Actor, code: str, month: Any) -> EntryOut:
    """The signed-in person's monthly summary (月小结) for ``month``, started if there is none
    as a draft assembled from that month's weekly records (the ISO weeks whose Thursday falls in
    the month, each under its week and dates). An existing summary is answered as it is."""
    when = parse_period(month, "month")
    check_period(ctx, EntryKind.monthly_summary, when)
    with ctx.db.write() as session:
        locality, _ = scope(session, actor, code)
        person = require_person(session, actor, locality)
        entry = own_slot(session, locality.id, person.id, EntryKind.monthly_summary, when)
        if entry is None:
            check_open(session, locality.id, when)
            entry = WorkEntry(
                locality_id=locality.id,
                person_id=person.id,
                kind=EntryKind.monthly_summary.value,
                period=str(when),
                period_start=when.start,
                body=assemble_summary(session, locality.id, person.id, when),
            )
            session.add(entry)
            session.flush()
        return _out(entry, person.name, True)


def weeks_of_month(month: Period) -> list[Period]:
    """The ISO weeks whose Thursday falls in ``month`` (each week belongs to one month)."""
    weeks, week = [], Period.from_date("week", month.start)
    while week.start <= month.end:
        if month.contains(week.start + timedelta(days=3)):
            weeks.append(week)
        week = Period.from_date("week", week.start + timedelta(days=7))
    return weeks


def assemble_summary(session: Session, locality_id: int, person_id: int, month: Period) -> str:
    weeks = weeks_of_month(month)
    records = {
        e.period: e
        for e in session.exec(
            select(WorkEntry).where(
                WorkEntry.locality_id == locality_id,
                WorkEntry.person_id == person_id,
                WorkEntry.kind == EntryKind.weekly_record.value,
                col(WorkEntry.period).in_([str(w) for w in weeks]),
            )
        )
    }
    parts = []
    for week in weeks:
        entry = records.get(str(week))
        if entry is not None and entry.body.strip():
            parts.append(f"{week} ({week.start:%m-%d} – {week.end:%m-%d})\n{entry.body.strip()}")
    return "\n\n".join(parts)


# --- reading -------------------------------------------------------------------------------------


def read_entry(ctx: AppContext, actor: Actor, code: str, entry_id: int) -> EntryDetail:
    """An entry with its versions. A reader other than its author marks it viewed, and its
    author is notified once per viewer and day. 404 for an entry the actor may not read."""
    with ctx.db.write() as session:
        locality, mine = scope(session, actor, code, read_only=True)
        entry, person = _entry(session, actor, locality, entry_id)
        is_author = mine is not None and mine.id == person.id
        if not is_author and actor.user_id is not None and entry.status == EntryStatus.submitted:
            _mark_viewed(ctx, session, actor, locality, entry, person)
        history = [
            VersionOut(number=v.number, body=v.body, written_by=v.written_by, written_at=v.written_at)
            for v in session.exec(
                select(EntryVersion).where(EntryVersion.entry_id == entry.id).order_by(col(EntryVersion.number))
            )
        ]
        views = []
        if is_author or actor.role in OFFICE_ROLES:
            views = [
                ViewOut(viewer=name, first_viewed_at=v.first_viewed_at, last_viewed_at=v.last_viewed_at)
                for v, name in session.exec(
                    select(EntryView, User.username)
                    .join(User, col(User.id) == EntryView.user_id)
                    .where(EntryView.entry_id == entry.id)
                    .order_by(col(EntryView.last_viewed_at).desc())
                )
            ]
        return _out(entry, person.name, is_author, EntryDetail, history=history, views=views)


def _viewer_name(session: Session, actor: Actor, locality: Locality) -> str:
    """The viewer's person's name (a reader of a parent locality: theirs there), else the user name."""
    if actor.locality_id != locality.id:
        from core.services.discussion import display_name

        return display_name(session, actor)
    person = own_person(session, actor, locality)
    return person.name if person is not None else actor.username


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _insert_once(session: Session, model: type, **values: Any) -> bool:
    """INSERT a row unless one with the same unique key exists (a concurrent reader may have
    just added it: ON CONFLICT DO NOTHING on both databases); whether this call added it."""
    statement = _insert(session)(model.__table__).values(**values).on_conflict_do_nothing()
    return session.execute(statement.returning(model.__table__.c.id)).first() is not None


def _mark_viewed(
    ctx: AppContext, session: Session, actor: Actor, locality: Locality, entry: WorkEntry, person: Person
) -> None:
    from core.services.notifications import notify

    now = utcnow()
    seen = _insert(session)(EntryView.__table__).values(
        locality_id=locality.id, entry_id=entry.id, user_id=actor.user_id, first_viewed_at=now, last_viewed_at=now
    )
    session.execute(  # the first view, or the last time of a later one: one statement
        seen.on_conflict_do_update(index_elements=["entry_id", "user_id"], set_={"last_viewed_at": now})
    )
    day = today(ctx)
    if not _insert_once(
        session, ViewNotice, locality_id=locality.id, person_id=person.id, user_id=actor.user_id, day=day
    ):
        return  # told already today
    author = session.exec(select(User.id).where(User.locality_id == locality.id, User.person_id == person.id)).first()
    if author is not None and author != actor.user_id:
        notify(
            session,
            locality.id,
            author,
            "worklog.viewed",
            VIEWED_MESSAGE,
            {"viewer": _viewer_name(session, actor, locality), "day": day},
            link=f"/me/worklog/entries/{entry.id}",
        )


def _slots(periods: list[Period]) -> list[tuple[EntryKind, Period]]:
    return [(kind, period) for period in periods for kind in kinds_for(period)]


def overview(ctx: AppContext, actor: Actor, code: str, day: date | None = None) -> Overview:
    """The signed-in person's entries for the week, month and quarter of ``day`` (default:
    today), in that order; a slot without an entry is what is still due. 403 for an account
    that is no person's."""
    day = day or today(ctx)
    try:
        periods = [Period.from_date(kind, day) for kind in ("week", "month", "quarter")]
    except PeriodError as exc:
        raise Invalid(exc.message, errors=[{"field": "day", "message": exc.message}]) from None
    with ctx.db.read() as session:
        locality, _ = scope(session, actor, code)
        person = require_person(session, actor, locality)
        days: list[Period] = []
        if options_of(session, locality.id).get("daily_records", False):
            last = min(periods[0].end, today(ctx))
            days = [Period.from_date("day", periods[0].start + timedelta(days=n)) for n in range(7)]
            days = [d for d in days if d.start <= last]
        found = {
            (e.kind, e.period): e
            for e in session.exec(
                select(WorkEntry).where(
                    WorkEntry.locality_id == locality.id,
                    WorkEntry.person_id == person.id,
                    col(WorkEntry.period).in_([str(p) for p in periods + days]),
                )
            )
        }

        closed = closed_quarters(session, locality.id, periods + days)

        def slot(kind: EntryKind, period: Period) -> Slot:
            entry = found.get((kind.value, str(period)))
            out = _out(entry, person.name, True) if entry else None
            return Slot(kind=kind, period=str(period), entry=out, closed=str(quarter_of(period)) in closed)

        return Overview(
            person_id=person.id,
            person_name=person.name,
            day=day,
            slots=[slot(kind, period) for kind, period in _slots(periods)],
            days=[slot(EntryKind.daily_record, d) for d in days],
        )


def own_entry(ctx: AppContext, actor: Actor, code: str, kind: str, period: Any) -> EntryOut | None:
    """The signed-in person's entry of ``kind`` for ``period``, or None. 422 for an unknown kind,
    a period of the wrong kind or one not begun; 403 for an account that is no person's."""
    return own_entry_and_lock(ctx, actor, code, kind, period)[0]


def own_entry_and_lock(
    ctx: AppContext, actor: Actor, code: str, kind: str, period: Any
) -> tuple[EntryOut | None, str | None]:
    """``own_entry``, and the quarter ``period`` counts in if the office locked it (None while
    open): the write page then shows the entry without a form."""
    entry_kind = parse_kind(kind)
    when = parse_period(period)
    check_period(ctx, entry_kind, when)
    with ctx.db.read() as session:
        locality, _ = scope(session, actor, code)
        person = require_person(session, actor, locality)
        entry = own_slot(session, locality.id, person.id, entry_kind, when)
        closed = closed_quarters(session, locality.id, [when])
        return (_out(entry, person.name, True) if entry is not None else None), next(iter(closed), None)


def me(ctx: AppContext, actor: Actor, code: str) -> Person:
    """The signed-in person (403 for an account that is no person's)."""
    with ctx.db.read() as session:
        locality, _ = scope(session, actor, code)
        return require_person(session, actor, locality)


def history(
    ctx: AppContext,
    actor: Actor,
    code: str,
    person_id: int | None = None,
    *,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> HistoryPage:
    """A person's entries (default: the signed-in person's), newest period first: all of them
    for the author, the submitted ones for other readers. 404 for a person the actor may not
    read; 422 for an unknown kind."""
    entry_kind = parse_kind(kind) if kind else None
    limit = max(1, min(limit, 200))
    with ctx.db.read(autocommit=True) as session:  # a few statements, no BEGIN/ROLLBACK round trips
        locality, mine = scope(session, actor, code, read_only=True)
        if person_id is None:
            person = require_person(session, actor, locality)
        else:
            person = session.get(Person, person_id)
            if person is None or person.locality_id != locality.id or not can_read(session, actor, locality, person):
                raise NotFound(NO_PERSON, params={"person_id": person_id})
        is_author = mine is not None and mine.id == person.id
        where = [WorkEntry.locality_id == locality.id, WorkEntry.person_id == person.id]
        if not is_author:
            where.append(WorkEntry.status == EntryStatus.submitted.value)
        if entry_kind is not None:
            where.append(WorkEntry.kind == entry_kind.value)
        rows, total = history_rows(session, where, limit, offset)
        return HistoryPage(
            items=[_out(e, person.name, is_author, comments=c, likes=n) for e, c, n in rows],
            total=total,
            limit=limit,
            offset=offset,
        )


def seed_entry(
    ctx: AppContext,
    code: str,
    person_id: int,
    kind: EntryKind,
    period: Period,
    body: str,
    *,
    written_by: str,
    submit: bool = True,
) -> None:
    """Load an entry for a person as a loader (the demo) does, without an account of theirs:
    submitted (version 1) unless ``submit`` is false. The period is checked as for a person."""
    check_period(ctx, kind, period)
    with ctx.db.write() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        entry = WorkEntry(
            locality_id=locality.id,
            person_id=person_id,
            kind=kind.value,
            period=str(period),
            period_start=period.start,
            body=body,
        )
        session.add(entry)
        session.flush()
        if submit:
            _submit(session, entry, Actor.system(written_by))
