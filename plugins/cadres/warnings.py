"""Warnings about cadres (预警, SPEC 10 item 6): a cadre whose goals fall behind, whose scores
drop, or about whom a negative-information record came in is flagged — once per thing it is
about (``CadreWarning.key``) — to their supervising leaders and to the organisation department,
with the source, by the core's in-app notifications.

Where warnings come from:

* **negative records** (``negative``): each new record pulled in by an adapter source, at once,
  in the run's transaction (``negative:<record id>``);
* **scores**: of a person's two latest published campaigns of one kind (by period, then id) in
  which they have a score, the later one at least ``score_drop`` points (plugin option, default 5)
  below the earlier (``scores:<campaign id>``). Read from the core's campaign results;
* **goals**: any plugin's ``kaoping_person_warnings`` hook (the goals plugin: goals behind
  schedule or overdue). The cadre cloud never imports another plugin: the hook carries the key,
  the source and the message.

The supervisors of a cadre are the accounts of the leadership-team members who supervise the
cadre's unit (分管部门, ``TeamMember.supervised_unit_ids``); the department is every active
account of role ``org_dept`` or ``org_dept_head`` of the locality. The department's notice links
to the warnings page showing the person's warnings (``warning_link``: ``?person=<id>#warning-<id>``,
each with a link to the person's profile); a supervisor's links to what the warning is about when
its source names a page of this site (a hook's ``link``, e.g. the goal), else nowhere: the cadre
cloud, profile and warnings page included, is the department's alone (404 for a leader).
The scan of scores and hooks runs in the periodic task (``watch``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Campaign, CampaignResult, CampaignStatus, Locality, Person, Subject, SubjectKind, TeamMember
from core.models.users import User
from core.services.notifications import Notice, notify_each
from plugins.cadres.access import PLUGIN, READERS, cadre_locality
from plugins.cadres.models import CadreWarning, WarningKind

log = logging.getLogger("kaoping.cadres")

DEFAULT_SCORE_DROP = 5.0
CHUNK = 5000  # people per query
NOTICE = "cadres.warning"
# The plugin whose catalogue holds a warning's message when another plugin raised it (goals'),
# kept with the warning's values (a key no message names) and left out of what is shown or sent.
CATALOGUE_KEY = "_catalogue"
SCORE_DROP = "{name}: the score in {campaign} is {score}, {drop} points below {previous} in {before}"
NEGATIVE = {  # by the record's kind
    "discipline": "{name}: a discipline record from {source}: {title}",
    "audit": "{name}: an audit finding from {source}: {title}",
    "complaint": "{name}: a complaint from {source}: {title}",
    "other": "{name}: a negative-information record from {source}: {title}",
}


@dataclass
class WarningIn:
    person_id: int
    kind: str
    key: str
    source: str
    message_id: str
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""  # for the supervisors: a page of this site about it (a hook's), if any


def warning_link(code: str, person_id: int, warning_id: int | None = None) -> str:
    """The warnings page of one person, at the warning (the department's notices link there)."""
    return f"/admin/localities/{code}/cadres/warnings?person={person_id}" + (
        f"#warning-{warning_id}" if warning_id else ""
    )


def department(session: Session, locality_id: int) -> list[int]:
    """The active accounts of the locality's organisation department."""
    query = select(User.id).where(
        User.locality_id == locality_id,
        col(User.role).in_(sorted(READERS)),
        User.is_active == True,  # noqa: E712 - SQL expression
    )
    return sorted(session.exec(query))


def supervisors(session: Session, locality_id: int, person_ids: list[int]) -> dict[int, list[int]]:
    """person id -> the active accounts of the team members who supervise that person's unit
    (never the person's own account)."""
    units = dict(
        session.exec(
            select(Person.id, Person.unit_id).where(Person.locality_id == locality_id, col(Person.id).in_(person_ids))
        ).all()
    )
    held = set(units.values())
    by_unit: dict[int, set[int]] = {}
    for member_id, supervised in session.exec(
        select(TeamMember.person_id, TeamMember.supervised_unit_ids).where(TeamMember.locality_id == locality_id)
    ):
        for unit_id in supervised or []:
            if unit_id in held:
                by_unit.setdefault(unit_id, set()).add(member_id)
    leaders = sorted({m for members in by_unit.values() for m in members})
    accounts: dict[int, int] = {}
    if leaders:
        accounts = {
            person_id: user_id
            for user_id, person_id in session.exec(
                select(User.id, User.person_id).where(
                    User.locality_id == locality_id,
                    col(User.person_id).in_(leaders),
                    User.is_active == True,  # noqa: E712 - SQL expression
                )
            )
        }
    return {
        pid: sorted(accounts[m] for m in by_unit.get(unit_id, ()) if m in accounts and m != pid)
        for pid, unit_id in units.items()
    }


def raise_warnings(session: Session, locality_id: int, items: list[WarningIn]) -> list[CadreWarning]:
    """Write the warnings not raised before (by person and key) and notify, in the caller's
    transaction; the new ones. People of another locality are skipped."""
    if not items:
        return []
    ids = sorted({i.person_id for i in items})
    if len(ids) > CHUNK:  # bounded IN lists (SQLite's variable limit)
        raised: list[CadreWarning] = []
        for start in range(0, len(ids), CHUNK):
            part = set(ids[start : start + CHUNK])
            raised += raise_warnings(session, locality_id, [i for i in items if i.person_id in part])
        return raised
    names = dict(
        session.exec(
            select(Person.id, Person.name).where(Person.locality_id == locality_id, col(Person.id).in_(ids))
        ).all()
    )
    known = set(
        session.exec(
            select(CadreWarning.person_id, CadreWarning.key).where(
                CadreWarning.locality_id == locality_id, col(CadreWarning.person_id).in_(ids)
            )
        ).all()
    )
    new: list[CadreWarning] = []
    links: dict[int, str] = {}  # the supervisors' link of each new warning (by its place in ``new``)
    for item in items:
        key = (item.person_id, item.key[:200])
        if item.person_id not in names or key in known:
            continue
        known.add(key)
        links[len(new)] = item.link
        new.append(
            CadreWarning(
                locality_id=locality_id,
                person_id=item.person_id,
                kind=item.kind,
                key=item.key[:200],
                source=item.source[:200],
                message_id=item.message_id[:500],
                params=dict(item.params),
            )
        )
    if not new:
        return []
    code = session.exec(select(Locality.code).where(Locality.id == locality_id)).one()
    dept = department(session, locality_id)
    leaders = supervisors(session, locality_id, sorted({w.person_id for w in new}))
    told = {index: [u for u in leaders.get(w.person_id, []) if u not in dept] for index, w in enumerate(new)}
    for index, warning in enumerate(new):
        warning.notified = len(dept) + len(told[index])  # known before the rows go in: no UPDATE after
    session.add_all(new)
    session.flush()  # the ids the department's links point at
    notices = []
    for index, warning in enumerate(new):
        params = {**_values(warning), "name": names[warning.person_id]}
        named = warning.params.get(CATALOGUE_KEY)  # a notice of a relayed message is read with its plugin's
        notices.append(
            Notice(dept, warning.message_id, params, warning_link(code, warning.person_id, warning.id), named)
        )
        notices.append(Notice(told[index], warning.message_id, params, links[index], named))
    notify_each(session, locality_id, NOTICE, notices)  # one INSERT for every notice of the pass
    return new


# --- scores --------------------------------------------------------------------------------------


def score_warnings(session: Session, locality_id: int, drop: float = DEFAULT_SCORE_DROP) -> list[WarningIn]:
    """People whose latest published score of a kind of campaign is ``drop`` points or more
    below their one before (see the module)."""
    rows = session.exec(
        select(Subject.ref_id, Campaign.id, Campaign.name, Campaign.kind, Campaign.period, CampaignResult.score)
        .join(Campaign, col(Campaign.id) == CampaignResult.campaign_id)
        .join(Subject, col(Subject.id) == CampaignResult.subject_id)
        .where(
            CampaignResult.locality_id == locality_id,
            Campaign.locality_id == locality_id,
            Campaign.status == CampaignStatus.published.value,
            Subject.kind == SubjectKind.person.value,
            col(Subject.ref_id).is_not(None),
            col(CampaignResult.score).is_not(None),
        )
    ).all()
    series: dict[tuple[int, str], list[tuple[str, int, str, float]]] = {}
    for person_id, campaign_id, name, kind, period, score in rows:
        series.setdefault((person_id, kind), []).append((period or "", campaign_id, name, float(score)))
    found = []
    for (person_id, _kind), scores in series.items():
        if len(scores) < 2:
            continue
        scores.sort()
        (_p, _i, before, previous), (_p2, latest_id, campaign, score) = scores[-2], scores[-1]
        if previous - score >= drop:
            found.append(
                WarningIn(
                    person_id=person_id,
                    kind=WarningKind.scores.value,
                    key=f"scores:{latest_id}",
                    source=campaign,
                    message_id=SCORE_DROP,
                    params={
                        "campaign": campaign,
                        "score": round(score, 2),
                        "drop": round(previous - score, 2),
                        "previous": round(previous, 2),
                        "before": before,
                    },
                )
            )
    return found


# --- listing -------------------------------------------------------------------------------------


def warnings_page(
    session: Session,
    locality_id: int,
    *,
    kind: str = "",
    person_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[tuple[CadreWarning, str]]]:
    """(total, the page of warnings newest first, each with the person's name); of one ``kind``
    and one person if given."""
    where = [CadreWarning.locality_id == locality_id]
    if kind:
        where.append(CadreWarning.kind == kind)
    if person_id is not None:
        where.append(CadreWarning.person_id == person_id)
    total = session.exec(select(func.count()).select_from(CadreWarning).where(*where)).one()
    rows = session.exec(
        select(CadreWarning, Person.name)
        .join(Person, col(Person.id) == CadreWarning.person_id)
        .where(*where)
        .order_by(col(CadreWarning.created_at).desc(), col(CadreWarning.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return total, list(rows)


def _values(warning: CadreWarning) -> dict[str, Any]:
    """The warning's message values (without ``CATALOGUE_KEY``)."""
    return {k: v for k, v in (warning.params or {}).items() if k != CATALOGUE_KEY}


def catalogue_of(warning: CadreWarning) -> str:
    """The plugin whose catalogue holds a warning's message: the one that answered the hook
    (kept with its values; before it was, the source it named), else the cadre cloud."""
    named = (warning.params or {}).get(CATALOGUE_KEY)
    if isinstance(named, str) and named:
        return named
    return warning.source if warning.kind == WarningKind.goals.value and warning.source else PLUGIN


# --- reading (the department) --------------------------------------------------------------------


class WarningOut(BaseModel):
    """A warning: ``message_id`` with ``params`` (``name``: the person's) is what it says,
    translated when shown with the core's catalogue and ``catalogue``'s (the plugin that raised
    it: the cadre cloud, or the one answering ``kaoping_person_warnings``); ``notified``: how
    many accounts were told."""

    id: int
    person_id: int
    name: str
    kind: str
    source: str
    message_id: str
    params: dict[str, Any]
    catalogue: str = PLUGIN
    notified: int
    created_at: datetime


class WarningPage(BaseModel):
    total: int
    items: list[WarningOut]
    person_name: str = ""  # the person's, when the warnings of one person were asked for


class NegativeOut(BaseModel):
    id: int
    kind: str
    source: str
    external_id: str
    title: str
    detail: str
    on: date | None
    created_at: datetime


def list_warnings(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    kind: str = "",
    person_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> WarningPage:
    """The locality's warnings, newest first (of one ``kind``, of one person if given): the
    department only (404, and for a person of another locality)."""
    from plugins.cadres.service import _person

    with ctx.db.read() as session:
        locality = cadre_locality(session, actor, code)
        name = _person(session, locality.id, person_id).name if person_id is not None else ""
        total, rows = warnings_page(session, locality.id, kind=kind, person_id=person_id, limit=limit, offset=offset)
        return WarningPage(
            total=total,
            person_name=name,
            items=[
                WarningOut(
                    id=w.id,
                    person_id=w.person_id,
                    name=name,
                    kind=w.kind,
                    source=w.source,
                    message_id=w.message_id,
                    params={**_values(w), "name": name},
                    catalogue=catalogue_of(w),
                    notified=w.notified,
                    created_at=w.created_at,
                )
                for w, name in rows
            ],
        )


def negative_records(ctx: AppContext, actor: Actor, code: str, person_id: int) -> list[NegativeOut]:
    """A person's negative-information records, newest first: the department only (404)."""
    from plugins.cadres.negative import records_of
    from plugins.cadres.service import _person

    with ctx.db.read() as session:
        locality = cadre_locality(session, actor, code)
        _person(session, locality.id, person_id)
        return [
            NegativeOut.model_validate(r, from_attributes=True) for r in records_of(session, locality.id, person_id)
        ]
