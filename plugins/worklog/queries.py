"""The worklog's reading helpers: parsing and checking a kind and a period, who may read whom
(``can_read``, the rule in ``plugins.worklog.service``'s docstring), and the statements that
read entries, each shaped so that a request costs a few round trips whatever the number of rows:

* ``scope``: the locality and the signed-in account's own person in one statement;
* ``entry_and_person``: an entry with its person in one;
* ``history_rows``: a page of a person's entries with their comment and like counts and the
  total, in one (a window count; a second only for a page past the end).

``tests/plugins/worklog/test_round_trips.py`` holds the statement count of each request to a
ceiling."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Locality, LocalityPlugin, Person, Role, User
from core.periods import KIND_EXAMPLES, Period, PeriodError, PeriodKind
from core.services import discussion
from core.services.access import OFFICE_ROLES, can_see_locality
from core.services.auth import GRANTABLE_ROLES
from core.services.errors import Choices, Conflict, Forbidden, Invalid, NotFound
from plugins.worklog.models import (
    KIND_LABELS,
    PERIOD_OF_KIND,
    EntryKind,
    EntryStatus,
    EvaluationQuarter,
    QuarterStatus,
    WorkEntry,
)
from plugins.worklog.schemas import EntryOut
from plugins.worklog.supervision import own_person, remember_person, supervised_units

PLUGIN = "worklog"
TARGET = "worklog.entry"  # the discussion's target type of an entry
NOT_A_PERSON = "only a person's own account writes work records; this account belongs to no person"
NO_ENTRY = "no work record with id {entry_id}"
NO_PERSON = "no person with id {person_id}"
WRONG_PERIOD = {
    PeriodKind.week: "this entry is written for a week such as {example}, not {period}",
    PeriodKind.month: "this entry is written for a month such as {example}, not {period}",
    PeriodKind.quarter: "this entry is written for a quarter such as {example}, not {period}",
    PeriodKind.day: "this entry is written for a day such as {example}, not {period}",
}


# --- kinds and periods ---------------------------------------------------------------------------


def today(ctx: AppContext) -> date:
    """The locality's calendar day now (``KAOPING_TIMEZONE``)."""
    return datetime.now(ZoneInfo(ctx.settings.timezone)).date()


def kinds_for(period: Period) -> list[EntryKind]:
    """The kinds of entry expected for a period of this kind (on the board, in the completion,
    the week's slots): never the optional daily record, which nobody misses."""
    return [
        kind for kind, pkind in PERIOD_OF_KIND.items() if pkind is period.kind and kind is not EntryKind.daily_record
    ]


NO_STATUS = object()
CLOSED = "the work records of {quarter} are closed: its quarterly evaluation has been locked by the office"


def quarter_of(period: Period) -> Period:
    """The quarter an entry's period counts in: a week in that of its Thursday (as it counts in
    the month of its Thursday, ``service.weeks_of_month``), any other period in that of its start."""
    day = period.start + timedelta(days=3) if period.kind is PeriodKind.week else period.start
    return Period.from_date(PeriodKind.quarter, day)


def _quarter_status(locality_id: int, period: Period) -> Any:
    """The status of the evaluation of the quarter ``period`` counts in (NULL: not opened), as a
    scalar subquery."""
    return (
        select(EvaluationQuarter.status)
        .where(EvaluationQuarter.locality_id == locality_id, EvaluationQuarter.period == str(quarter_of(period)))
        .scalar_subquery()
    )


def closed_quarters(session: Session, locality_id: int, periods: list[Period]) -> set[str]:
    """The quarters among those ``periods`` count in whose evaluation the office locked (or
    published): their entries no longer change (``check_open``). One statement."""
    quarters = {str(quarter_of(period)) for period in periods}
    if not quarters:
        return set()
    return set(
        session.exec(
            select(EvaluationQuarter.period).where(
                EvaluationQuarter.locality_id == locality_id,
                col(EvaluationQuarter.period).in_(sorted(quarters)),
                col(EvaluationQuarter.status).in_([QuarterStatus.locked.value, QuarterStatus.published.value]),
            )
        )
    )


def check_open(session: Session, locality_id: int, period: Period, status: Any = NO_STATUS) -> None:
    """Entries of a quarter whose evaluation the office locked (or published) no longer change:
    409, nothing written. ``status``: the quarter's status if already read (``open_slot``)."""
    if status is NO_STATUS:
        status = session.exec(select(_quarter_status(locality_id, period))).first()
    if status in (QuarterStatus.locked.value, QuarterStatus.published.value):
        quarter = quarter_of(period)
        raise Conflict(
            CLOSED, params={"quarter": str(quarter)}, errors=[{"field": "period", "message": "the quarter is locked"}]
        )


def parse_kind(value: str) -> EntryKind:
    try:
        return EntryKind(value)
    except ValueError:
        raise Invalid(
            "kind: must be one of {kinds}",
            params={"kinds": Choices(KIND_LABELS[k] for k in EntryKind)},
            errors=[{"field": "kind", "message": "unknown kind of entry", "allowed": [k.value for k in EntryKind]}],
        ) from None


def parse_period(value: Any, field: str = "period") -> Period:
    try:
        return Period.parse(value)
    except PeriodError as exc:
        raise Invalid(exc.message, errors=[{"field": field, "message": exc.message}]) from None


def check_period(ctx: AppContext, kind: EntryKind, period: Period) -> None:
    """The period must be of the kind's period kind, and must have begun (the locality's day)."""
    wanted = PERIOD_OF_KIND[kind]
    if period.kind is not wanted:
        raise Invalid(
            WRONG_PERIOD[wanted],
            params={"example": KIND_EXAMPLES[wanted], "period": str(period)},
            errors=[{"field": "period", "message": f"must be a {wanted.value}"}],
        )
    if period.start > today(ctx):
        raise Invalid(
            "{period} has not begun yet; write it from {start}",
            params={"period": str(period), "start": period.start.isoformat()},
            errors=[{"field": "period", "message": "has not begun yet"}],
        )


def check_kept(session: Session, locality_id: int, kind: EntryKind) -> None:
    """Daily records only where the locality's option ``daily_records`` is on (422 otherwise)."""
    if kind is EntryKind.daily_record and not options_of(session, locality_id).get("daily_records", False):
        raise Invalid(
            "kind: daily records are not kept in this locality",
            errors=[{"field": "kind", "message": "daily records are off"}],
        )


# --- who is asking, and who may read whom --------------------------------------------------------


def scope(session: Session, actor: Actor, code: str, *, read_only: bool = False) -> tuple[Locality, Person | None]:
    """The locality ``code`` (404 as ``core.services.access.locality_for`` answers) and the
    person of the signed-in account there (None: no person, or of another locality), read in
    one statement; ``own_person`` answers from it for the rest of the session."""
    person_of_user = (
        select(User.person_id)
        .where(User.id == (actor.user_id or -1), User.locality_id == Locality.id)
        .correlate(Locality)
        .scalar_subquery()
    )
    found = session.exec(
        select(Locality, Person)
        .outerjoin(Person, and_(col(Person.locality_id) == Locality.id, col(Person.id) == person_of_user))
        .where(Locality.code == code)
    ).first()
    if found is None or not can_see_locality(actor, found[0].id, read_only=read_only):
        raise NotFound(f"no locality with code {code!r}")
    locality, person = found
    remember_person(session, actor, locality, person)
    return locality, person


def require_person(session: Session, actor: Actor, locality: Locality) -> Person:
    person = own_person(session, actor, locality)
    if person is None:
        raise Forbidden(NOT_A_PERSON)
    return person


def options_of(session: Session, locality_id: int) -> dict[str, Any]:
    row = session.get(LocalityPlugin, (locality_id, PLUGIN))
    return dict(row.options or {}) if row is not None else {}


def reads_below(actor: Actor, locality: Locality) -> bool:
    """Whether ``actor`` reads ``locality`` through a parent locality's grant: an office or
    leader user of a locality above it with ``users.reads_child_localities``
    (``core.services.auth.grant_child_localities``). Such a reader reads every person's
    submitted entries there as the locality's office does, and writes nothing there."""
    return (
        actor.role in GRANTABLE_ROLES
        and actor.locality_id != locality.id
        and can_see_locality(actor, locality.id, read_only=True)
    )


def can_read(session: Session, actor: Actor, locality: Locality, person: Person) -> bool:
    """Whether ``actor`` may read ``person``'s submitted entries (the service's docstring)."""
    if actor.role in OFFICE_ROLES and can_see_locality(actor, locality.id, read_only=True):
        return True
    if reads_below(actor, locality):
        return True
    if actor.locality_id != locality.id:
        return False
    mine = own_person(session, actor, locality)
    if mine is not None and mine.id == person.id:
        return True
    if person.unit_id is None:
        return False
    if actor.role == Role.leader and person.unit_id in supervised_units(session, actor, locality):
        return True
    if actor.role in (Role.leader, Role.cadre) and mine is not None and mine.unit_id == person.unit_id:
        return bool(options_of(session, locality.id).get("colleagues_can_read", False))
    return False


# --- entries -------------------------------------------------------------------------------------


def entry_out(entry: WorkEntry, person_name: str, mine: bool, cls: type[EntryOut] = EntryOut, **extra: Any) -> Any:
    return cls(
        id=entry.id,
        person_id=entry.person_id,
        person_name=person_name,
        kind=EntryKind(entry.kind),
        period=entry.period,
        status=EntryStatus(entry.status),
        body=entry.body,
        versions=entry.versions,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        submitted_at=entry.submitted_at,
        mine=mine,
        **extra,
    )


def talk() -> tuple[Any, Any]:
    """(comments, likes) of ``WorkEntry.id``, to select beside entries (0 for a missing entry)."""
    return discussion.count_columns(TARGET, WorkEntry.id)


def own_slot(session: Session, locality_id: int, person_id: int, kind: EntryKind, period: Period) -> WorkEntry | None:
    """A person's entry of ``kind`` for ``period`` (drafts too), or None."""
    return session.exec(
        select(WorkEntry).where(
            WorkEntry.locality_id == locality_id,
            WorkEntry.person_id == person_id,
            WorkEntry.kind == kind.value,
            WorkEntry.period == str(period),
        )
    ).first()


def open_slot(session: Session, locality_id: int, person_id: int, kind: EntryKind, period: Period) -> WorkEntry | None:
    """``own_slot`` for writing: 409 if the quarter ``period`` counts in is locked
    (``check_open``), read in the same statement as the entry."""
    status, entry = session.exec(
        select(_quarter_status(locality_id, period), WorkEntry)
        .select_from(Locality)
        .outerjoin(
            WorkEntry,
            and_(
                col(WorkEntry.locality_id) == Locality.id,
                col(WorkEntry.person_id) == person_id,
                col(WorkEntry.kind) == kind.value,
                col(WorkEntry.period) == str(period),
            ),
        )
        .where(Locality.id == locality_id)
    ).one()
    check_open(session, locality_id, period, status)
    return entry


def entry_and_person(session: Session, actor: Actor, locality: Locality, entry_id: int) -> tuple[WorkEntry, Person]:
    """An entry the actor may read (a draft: only its author), with its person; 404 otherwise."""
    found = session.exec(
        select(WorkEntry, Person)
        .join(Person, col(Person.id) == WorkEntry.person_id)
        .where(WorkEntry.id == entry_id, WorkEntry.locality_id == locality.id)
    ).first()
    if found is None or not can_read(session, actor, locality, found[1]):
        raise NotFound(NO_ENTRY, params={"entry_id": entry_id})
    entry, person = found
    if entry.status == EntryStatus.draft:
        mine = own_person(session, actor, locality)
        if mine is None or mine.id != person.id:
            raise NotFound(NO_ENTRY, params={"entry_id": entry_id})
    return entry, person


def history_rows(
    session: Session, where: list[Any], limit: int, offset: int
) -> tuple[list[tuple[WorkEntry, int, int]], int]:
    """A page of the entries matching ``where``, newest period first, each with its comments and
    likes, and how many match in all: one statement (a window count beside each row), and a
    count of its own only for a page past the end."""
    comments, likes = talk()
    rows = session.exec(
        select(WorkEntry, comments, likes, func.count().over().label("total"))
        .where(*where)
        .order_by(col(WorkEntry.period_start).desc(), col(WorkEntry.kind), col(WorkEntry.id))
        .limit(limit)
        .offset(offset)
    ).all()
    if rows:
        return [(e, c, n) for e, c, n, _ in rows], rows[0][3]
    total = session.exec(select(func.count()).select_from(WorkEntry).where(*where)).one() if offset else 0
    return [], total
