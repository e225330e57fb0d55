"""一人一表: a unit's indicators of a template (its 机关一表) split to the unit's people, each
with a role (the locality's list, as for goals) and a responsibility share (责任比重); the shares
of one indicator sum to 100 %, as a goal's do (``plugins.goals.shares``). Stored for the scoring
that follows (a unit's score of an indicator flows to its people by share). ``split_indicator``
writes one indicator; ``split_unit`` many at once, all or nothing, each refused one named (the
console's page, ``plugins.goals.person_table_pages``).

Who: the unit's administrator and the office write; whoever may read the unit's goals reads the
unit's table, and a person reads their own table (``person_table``). 404 for a unit, template,
indicator or person the caller may not see; 403 for reading without the right to change."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Indicator, IndicatorTemplate, Locality, Person
from core.schemas.base import Id, In
from core.services import audit
from core.services.access import locality_for
from core.services.errors import Invalid, NotFound
from plugins.goals.access import can_read, can_write, invalid, lists_of, own_person
from plugins.goals.models import IndicatorShare
from plugins.goals.schemas import AssignIn, ShareIn, ShareOut
from plugins.goals.shares import OVER, SHORT, TOLERANCE, share_difference

NO_UNIT = "no unit {unit_id}"
NO_TEMPLATE = "no template {template_id}"
NO_INDICATOR = "no indicator {indicator_id} in this template"
NOT_OF_UNIT = "{indicator}: person {person_id} is not of the unit"
TWICE = "{indicator}: a person is listed twice"
NOT_A_ROLE = "{indicator}: the role {role} is not in the list: {roles}"
NOTHING_SAVED = "nothing saved: {count} indicators to correct"
TWICE_IN_BATCH = "{indicator}: listed twice"


class IndicatorPeople(BaseModel):
    """An indicator of the template and the unit's people responsible for it."""

    indicator_id: int
    code: str
    name: str
    parent_id: int | None
    people: list[ShareOut] = Field(default_factory=list)
    difference: float  # 100 minus the sum of the shares (0: complete; 100: no one yet)


class IndicatorSplitIn(In):
    """The people of one indicator of the batch (none: unassigned)."""

    indicator_id: Id
    people: list[ShareIn] = Field(default_factory=list, max_length=500)


class UnitSplitIn(In):
    """Several indicators of one template split at once, all or nothing; those not listed keep
    their people."""

    indicators: list[IndicatorSplitIn] = Field(max_length=2000)


class UnitTable(BaseModel):
    unit_id: int
    template_id: int
    indicators: list[IndicatorPeople]


class PersonIndicator(BaseModel):
    unit_id: int
    indicator_id: int
    code: str
    name: str
    role: str
    share: float


def _template(session: Session, locality: Locality, template_id: int) -> IndicatorTemplate:
    template = session.get(IndicatorTemplate, template_id)
    if template is None or template.locality_id != locality.id:
        raise NotFound(NO_TEMPLATE, params={"template_id": template_id})
    return template


def _unit_checked(session: Session, actor: Actor, locality: Locality, unit_id: int, *, write: bool) -> None:
    from core.models import Unit
    from core.services.errors import Forbidden

    unit = session.get(Unit, unit_id)
    if unit is None or unit.locality_id != locality.id or not can_read(session, actor, locality, unit_id, None):
        raise NotFound(NO_UNIT, params={"unit_id": unit_id})
    if write and not can_write(actor, locality, unit_id):
        raise Forbidden("only the unit's administrator and the office split its indicators")


def split_indicator(
    ctx: AppContext, actor: Actor, code: str, unit_id: int, indicator_id: int, data: AssignIn
) -> IndicatorPeople:
    """Give the unit's ``indicator_id`` the people of ``data`` (replacing those it had; none:
    unassigned). 422 for a person not of the unit, a person twice, a role not in the list, shares
    not summing to 100 % (the message names the indicator and the gap)."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        _unit_checked(session, actor, locality, unit_id, write=True)
        indicator = session.get(Indicator, indicator_id)
        if indicator is None or indicator.locality_id != locality.id:
            raise NotFound(NO_INDICATOR, params={"indicator_id": indicator_id})
        _check(session, locality, unit_id, indicator, data)
        before = _people(session, unit_id, [indicator.id]).get(indicator.id, [])
        after = _replace(session, actor, locality, unit_id, indicator, data.people, before)
        return _row(indicator, after)


def _check(session: Session, locality: Locality, unit_id: int, indicator: Indicator, data: AssignIn) -> None:
    if not data.people:
        return
    _sources, roles = lists_of(session, locality.id)
    seen: set[int] = set()
    for index, share in enumerate(data.people):
        if share.person_id in seen:
            raise invalid(f"people[{index}].person_id", TWICE, indicator=indicator.name)
        seen.add(share.person_id)
        if share.role not in roles:
            raise invalid(
                f"people[{index}].role", NOT_A_ROLE, indicator=indicator.name, role=share.role, roles="、".join(roles)
            )
    members = set(
        session.exec(
            select(Person.id).where(
                Person.locality_id == locality.id, Person.unit_id == unit_id, col(Person.id).in_(list(seen))
            )
        )
    )
    for index, share in enumerate(data.people):
        if share.person_id not in members:
            raise invalid(
                f"people[{index}].person_id", NOT_OF_UNIT, indicator=indicator.name, person_id=share.person_id
            )
    difference = share_difference([p.share for p in data.people])
    if abs(difference) > TOLERANCE:
        total = round(sum(p.share for p in data.people), 2)
        message = SHORT if difference > 0 else OVER
        raise invalid("people", message, goal=indicator.name, total=f"{total:g}", difference=f"{abs(difference):g}")


def _people(session: Session, unit_id: int, indicator_ids: list[int]) -> dict[int, list[ShareOut]]:
    found: dict[int, list[ShareOut]] = {}
    if not indicator_ids:
        return found
    for row, name in session.exec(
        select(IndicatorShare, Person.name)
        .join(Person, col(Person.id) == IndicatorShare.person_id)
        .where(IndicatorShare.unit_id == unit_id, col(IndicatorShare.indicator_id).in_(indicator_ids))
        .order_by(col(IndicatorShare.share).desc(), col(IndicatorShare.person_id))
    ):
        found.setdefault(row.indicator_id, []).append(
            ShareOut(person_id=row.person_id, person_name=name, role=row.role, share=row.share)
        )
    return found


def _row(indicator: Indicator, people: list[ShareOut]) -> IndicatorPeople:
    return IndicatorPeople(
        indicator_id=indicator.id,
        code=indicator.code,
        name=indicator.name,
        parent_id=indicator.parent_id,
        people=people,
        difference=share_difference([p.share for p in people]),
    )


def unit_table(ctx: AppContext, actor: Actor, code: str, unit_id: int, template_id: int) -> UnitTable:
    """The template's indicators (in its order) with the unit's people of each (机关一表 split)."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        _unit_checked(session, actor, locality, unit_id, write=False)
        _template(session, locality, template_id)
        items = list(
            session.exec(
                select(Indicator)
                .where(Indicator.template_id == template_id, Indicator.locality_id == locality.id)
                .order_by(col(Indicator.position), col(Indicator.id))
            )
        )
        people = _people(session, unit_id, [i.id for i in items])
        return UnitTable(
            unit_id=unit_id, template_id=template_id, indicators=[_row(i, people.get(i.id, [])) for i in items]
        )


def person_table(
    ctx: AppContext, actor: Actor, code: str, template_id: int, person_id: int | None = None
) -> list[PersonIndicator]:
    """一人一表: the indicators of the template given to ``person_id`` (default: the signed-in
    person), with role and share. Another person's table: for those who may read their unit's."""
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        _template(session, locality, template_id)
        own = own_person(session, actor, locality)
        if person_id is None:
            if own is None:
                return []
            person: Any = own
        else:
            person = session.get(Person, person_id)
            if (
                person is None
                or person.locality_id != locality.id
                or (
                    (own is None or own.id != person.id)
                    and not can_read(session, actor, locality, person.unit_id or 0, None)
                )
            ):
                raise NotFound("no person {person_id}", params={"person_id": person_id})
        rows = session.exec(
            select(IndicatorShare, Indicator)
            .join(Indicator, col(Indicator.id) == IndicatorShare.indicator_id)
            .where(IndicatorShare.person_id == person.id, IndicatorShare.template_id == template_id)
            .order_by(col(Indicator.position), col(Indicator.id))
        )
        return [
            PersonIndicator(
                unit_id=share.unit_id,
                indicator_id=indicator.id,
                code=indicator.code,
                name=indicator.name,
                role=share.role,
                share=share.share,
            )
            for share, indicator in rows
        ]


def split_unit(
    ctx: AppContext,
    actor: Actor,
    code: str,
    unit_id: int,
    template_id: int,
    data: UnitSplitIn,
    *,
    check_only: bool = False,
    known: list[dict] | None = None,
) -> UnitTable:
    """Give each indicator of ``data`` (of template ``template_id``) its people, all or nothing:
    every indicator is checked first and a 422 lists each refused one (``errors``: ``field``,
    ``indicator_id``, ``message`` naming the indicator), with nothing written. Indicators whose
    people do not change are not rewritten (nor audited). ``check_only``: check, write nothing;
    ``known``: problems the caller already found (a page's unreadable numbers), reported with
    these. Returns the unit's table after the change."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        _unit_checked(session, actor, locality, unit_id, write=True)
        _template(session, locality, template_id)
        wanted = [i.indicator_id for i in data.indicators]
        items = {
            i.id: i
            for i in session.exec(
                select(Indicator).where(
                    Indicator.template_id == template_id,
                    Indicator.locality_id == locality.id,
                    col(Indicator.id).in_(wanted or [0]),
                )
            )
        }
        current = _people(session, unit_id, list(items))
        errors: list[dict] = list(known or [])
        seen: set[int] = set()
        changed = []
        for index, split in enumerate(data.indicators):
            indicator = items.get(split.indicator_id)
            if indicator is None:
                raise NotFound(NO_INDICATOR, params={"indicator_id": split.indicator_id})
            if indicator.id in seen:
                errors.append(_error(index, indicator, TWICE_IN_BATCH.format(indicator=indicator.name)))
                continue
            seen.add(indicator.id)
            try:
                _check(session, locality, unit_id, indicator, AssignIn(people=split.people))
            except Invalid as exc:
                errors.append(_error(index, indicator, exc.errors[0]["message"] if exc.errors else exc.message))
                continue
            before = sorted((p.person_id, p.role, p.share) for p in current.get(indicator.id, []))
            after = sorted((p.person_id, p.role, round(p.share, 2)) for p in split.people)
            if before != after:
                changed.append((indicator, split.people))
        if errors:
            raise Invalid(NOTHING_SAVED, params={"count": len({e["indicator_id"] for e in errors})}, errors=errors)
        if not check_only:
            for indicator, people in changed:
                _replace(session, actor, locality, unit_id, indicator, people, current.get(indicator.id, []))
    return unit_table(ctx, actor, code, unit_id, template_id)


def _error(index: int, indicator: Indicator, message: str) -> dict:
    return {"field": f"indicators[{index}]", "indicator_id": indicator.id, "message": message}


def _replace(
    session: Session,
    actor: Actor,
    locality: Locality,
    unit_id: int,
    indicator: Indicator,
    people: list[ShareIn],
    before: list[ShareOut],
) -> list[ShareOut]:
    """Write ``indicator``'s people (checked) in place of those it had, audited."""
    session.exec(
        delete(IndicatorShare).where(IndicatorShare.unit_id == unit_id, IndicatorShare.indicator_id == indicator.id)
    )
    for share in people:
        session.add(
            IndicatorShare(
                locality_id=locality.id,
                unit_id=unit_id,
                template_id=indicator.template_id,
                indicator_id=indicator.id,
                person_id=share.person_id,
                role=share.role,
                share=round(share.share, 2),
                written_by=actor.username,
            )
        )
    session.flush()
    after = _people(session, unit_id, [indicator.id]).get(indicator.id, [])
    audit.record(
        session,
        actor,
        locality_id=locality.id,
        action="goals.indicator_split",
        target_type="indicator",
        target_id=indicator.id,
        before={"unit_id": unit_id, "people": [p.model_dump() for p in before]},
        after={"unit_id": unit_id, "people": [p.model_dump() for p in after]},
    )
    return after


def templates_and_people(
    ctx: AppContext, actor: Actor, code: str, unit_id: int | None
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The locality's templates (id, name) and, for a unit the actor may read, its people (by
    name; none otherwise): what the 一人一表 page offers to choose from."""
    from core.models import Unit

    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        templates = [
            (t.id, f"{t.name}（v{t.version}）" if t.version > 1 else t.name)
            for t in session.exec(
                select(IndicatorTemplate)
                .where(IndicatorTemplate.locality_id == locality.id)
                .order_by(col(IndicatorTemplate.id).desc())
            )
        ]
        people: list[tuple[int, str]] = []
        unit = session.get(Unit, unit_id) if unit_id else None
        if unit is not None and unit.locality_id == locality.id and can_read(session, actor, locality, unit.id, None):
            people = [
                (p[0], p[1])
                for p in session.exec(
                    select(Person.id, Person.name)
                    .where(Person.locality_id == locality.id, Person.unit_id == unit.id)
                    .order_by(col(Person.name), col(Person.id))
                    .limit(2000)
                )
            ]
        return templates, people
