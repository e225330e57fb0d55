"""The cadre cloud's profiles: read one (recorded in the view log), write one (each section
given replaces that section), the derived figures, and the view log itself.

Every function takes the locality's ``code`` and goes through ``access.cadre_locality``: the
organisation department of that locality only, 404 for anyone else and for a person of
another locality. Reads are traced by the view log; every write is an entry of the audit chain
(``cadres.profile.update`` through the API, with the plain fields changed and the number of rows
of each section given; the imports write their own entries in the same transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Person
from core.models.base import utcnow
from core.security import mask_id_card
from core.services import audit
from core.services.errors import NotFound
from plugins.cadres.access import cadre_locality
from plugins.cadres.facts import education_rank
from plugins.cadres.grades import campaign_names, sync_kaoping_grades
from plugins.cadres.models import (
    DEGREES,
    EDUCATION_LEVELS,
    AnnualGrade,
    CadreProfile,
    EducationKind,
    EducationRecord,
    ExpertiseTag,
    FamilyRelation,
    GradeSource,
    MilitaryRecord,
    PostRecord,
    RewardRecord,
    TrainingRecord,
    ViewAction,
    ViewLog,
)
from plugins.cadres.schemas import (
    Derived,
    EducationIn,
    GradeIn,
    GradeOut,
    MilitaryIn,
    PostIn,
    ProfileIn,
    ProfileOut,
    RelationOut,
    RewardIn,
    TrainingIn,
    ViewLogPage,
    ViewLogRow,
)

NO_PERSON = "no person with id {person_id}"
PLAIN = (
    "native_code",
    "native_name",
    "birthplace_code",
    "birthplace_name",
    "party_joined",
    "work_started",
    "rank_since",
    "resume",
)
_LEVEL_NAME = {rank: name for name, rank in reversed(EDUCATION_LEVELS.items())}
_DEGREE_NAME = {rank: name for name, rank in DEGREES.items()}
# section name -> (table, input shape)
SECTIONS: dict[str, tuple[type, type]] = {
    "posts": (PostRecord, PostIn),
    "education": (EducationRecord, EducationIn),
    "military": (MilitaryRecord, MilitaryIn),
    "trainings": (TrainingRecord, TrainingIn),
    "rewards": (RewardRecord, RewardIn),
    "grades": (AnnualGrade, GradeIn),
}


# --- derived figures (pure) ----------------------------------------------------------------------


def birth_of(text: str) -> date | None:
    """``people.birth_date`` (``YYYY-MM`` or ``YYYY-MM-DD``) as a date (a month: its first day)."""
    try:
        if len(text) == 7:
            return date(int(text[:4]), int(text[5:7]), 1)
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def age_at(birth: date | None, on: date) -> int | None:
    """Whole years of age on ``on`` (None without a birth date)."""
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def years_between(start: date | None, end: date) -> float | None:
    """Years from ``start`` to ``end``, one decimal (None without a start)."""
    if start is None:
        return None
    return round(max((end - start).days, 0) / 365.25, 1)


def current_post(posts: list[Any], on: date) -> Any | None:
    """The post held on ``on`` (started by then and not ended before it), the latest started."""
    held = [p for p in posts if p.start <= on and (p.end is None or p.end >= on)]
    return max(held, key=lambda p: p.start) if held else None


def highest_level(education: list[Any], kind: str | None = None) -> int:
    """The highest ``EDUCATION_LEVELS`` rank of ``education`` (of one ``kind`` if given), 0 if none."""
    return max((education_rank(e.level) for e in education if kind is None or e.kind == kind), default=0)


def degree_rank(degree: str) -> int:
    """``DEGREES`` rank of a degree as written (``经济学学士`` is 学士: 1), 0 if none."""
    return max((rank for name, rank in DEGREES.items() if name in degree), default=0)


def level_name(rank: int) -> str:
    return _LEVEL_NAME.get(rank, "")


def derive(person: Person, profile: CadreProfile, posts: list[Any], education: list[Any], on: date) -> Derived:
    post = current_post(posts, on)
    post_start = post.start if post else birth_of(person.post_since)
    return Derived(
        on=on,
        age=age_at(birth_of(person.birth_date), on),
        years_in_post=years_between(post_start, on) if post_start and post_start <= on else None,
        years_at_rank=years_between(profile.rank_since, on) if profile.rank_since else None,
        highest_education=level_name(highest_level(education)),
        highest_full_time_education=level_name(highest_level(education, EducationKind.full_time.value)),
        highest_degree=_DEGREE_NAME.get(max((degree_rank(e.degree) for e in education), default=0), ""),
        training_hours=profile.training_hours,
    )


# --- helpers -------------------------------------------------------------------------------------


def _person(session: Session, locality_id: int, person_id: int) -> Person:
    person = session.get(Person, person_id) if 0 < person_id < 2**31 else None
    if person is None or person.locality_id != locality_id:
        raise NotFound(NO_PERSON, params={"person_id": person_id})
    return person


def _profile(session: Session, person: Person) -> CadreProfile:
    profile = session.exec(select(CadreProfile).where(CadreProfile.person_id == person.id)).first()
    if profile is None:
        profile = CadreProfile(locality_id=person.locality_id, person_id=person.id)
        session.add(profile)
        session.flush()
    return profile


def _rows(session: Session, table: type, person_id: int, order: Any = None) -> list[Any]:
    query = select(table).where(table.person_id == person_id)
    return list(session.exec(query.order_by(order if order is not None else table.id)))


def refresh_profile(session: Session, person: Person) -> CadreProfile:
    """Rewrite the profile's derived columns from the person and the sections."""
    profile = _profile(session, person)
    education = _rows(session, EducationRecord, person.id)
    profile.edu_rank_any = highest_level(education)
    profile.edu_rank_full_time = highest_level(education, EducationKind.full_time.value)
    profile.degree_rank = max((degree_rank(e.degree) for e in education), default=0)
    hours = session.exec(select(func.sum(TrainingRecord.hours)).where(TrainingRecord.person_id == person.id)).one()
    profile.training_hours = int(hours or 0)
    profile.updated_at = utcnow()
    session.add(profile)
    return profile


def record_view(
    session: Session, actor: Actor, locality_id: int, action: ViewAction, person_ids: list[int], detail: str = ""
) -> None:
    """One line of the view log: ``actor`` looked at ``person_ids`` (``detail``: what it asked)."""
    session.add(
        ViewLog(
            locality_id=locality_id,
            user_id=actor.user_id,
            username=actor.username,
            action=action.value,
            person_ids=sorted(set(person_ids))[:1000],
            detail=detail[:2000],
        )
    )


# --- profiles ------------------------------------------------------------------------------------


SECTIONS_GIVEN = (*SECTIONS, "relations", "tags")
PROFILE_UPDATE = "cadres.profile.update"


def _plain(profile: CadreProfile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in PLAIN}


def _audit_write(
    session: Session,
    actor: Actor,
    person: Person,
    before: dict[str, Any],
    after: dict[str, Any],
    data: ProfileIn,
    action: str,
    extra: dict[str, Any] | None,
) -> None:
    """The write's entry: the plain fields it changed (the résumé as its length in characters,
    not its text) and how many rows each section given now has. No ID number is written out."""
    old, new = audit.changed_fields(before, after)
    if "resume" in new:
        old["resume"], new["resume"] = len(old["resume"] or ""), len(new["resume"] or "")
    given = {name: len(getattr(data, name)) for name in SECTIONS_GIVEN if getattr(data, name) is not None}
    audit.record(
        session,
        actor,
        locality_id=person.locality_id,
        action=action,
        target_type="person",
        target_id=person.id,
        before=old or None,
        after={**new, **({"sections": given} if given else {}), **(extra or {})},
    )


def write_profile(
    ctx: AppContext,
    actor: Actor,
    code: str,
    person_id: int,
    data: ProfileIn,
    session: Session | None = None,
    *,
    audit_action: str | None = PROFILE_UPDATE,
    audit_extra: dict[str, Any] | None = None,
) -> None:
    """Write the profile of a person of the locality: the plain fields, and each section given
    (replacing that section's rows). 404 for a person of another locality. Audited as
    ``audit_action`` in the same transaction (``None``: the caller audits the write itself)."""
    if session is None:
        with ctx.db.write() as session:
            return write_profile(
                ctx, actor, code, person_id, data, session, audit_action=audit_action, audit_extra=audit_extra
            )
    locality = cadre_locality(session, actor, code)
    person = _person(session, locality.id, person_id)
    profile = _profile(session, person)
    before = _plain(profile)
    for name, value in data.model_dump(include=set(PLAIN), exclude_unset=True).items():
        setattr(profile, name, value)
    for name, (table, _shape) in SECTIONS.items():
        rows = getattr(data, name)
        if rows is None:
            continue
        replaced = delete(table).where(col(table.person_id) == person.id)
        if table is AnnualGrade:  # Kaoping's own grades are not the profile's to replace
            replaced = replaced.where(AnnualGrade.source == GradeSource.entered.value)
        session.execute(replaced)
        for row in rows:
            session.add(table(locality_id=locality.id, person_id=person.id, **row.model_dump()))
    if data.relations is not None:
        session.execute(delete(FamilyRelation).where(col(FamilyRelation.person_id) == person.id))
        for row in data.relations:
            id_card = (row.id_card or "").strip().upper() or None
            session.add(
                FamilyRelation(
                    locality_id=locality.id,
                    person_id=person.id,
                    **row.model_dump(exclude={"id_card"}),
                    id_card_cipher=ctx.keys.encrypt(id_card) if id_card else None,
                    id_card_digest=ctx.keys.digest(id_card) if id_card else None,
                )
            )
    if data.tags is not None:
        session.execute(delete(ExpertiseTag).where(col(ExpertiseTag.person_id) == person.id))
        for tag in sorted({t.strip() for t in data.tags if t.strip()}):
            session.add(ExpertiseTag(locality_id=locality.id, person_id=person.id, tag=tag[:50]))
    session.flush()
    refresh_profile(session, person)
    session.flush()
    if audit_action is not None:
        _audit_write(session, actor, person, before, _plain(profile), data, audit_action, audit_extra)


def read_profile(ctx: AppContext, actor: Actor, code: str, person_id: int, on: date | None = None) -> ProfileOut:
    """A person's profile with its derived figures at ``on`` (default today); recorded in the view log."""
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        person = _person(session, locality.id, person_id)
        sync_kaoping_grades(session, locality.id, [person.id])
        profile = session.exec(select(CadreProfile).where(CadreProfile.person_id == person.id)).first()
        profile = profile or CadreProfile(locality_id=locality.id, person_id=person.id)
        sections = {
            "posts": _rows(session, PostRecord, person.id, PostRecord.start),
            "education": _rows(session, EducationRecord, person.id, EducationRecord.start),
            "military": _rows(session, MilitaryRecord, person.id, MilitaryRecord.start),
            "trainings": _rows(session, TrainingRecord, person.id, TrainingRecord.start),
            "rewards": _rows(session, RewardRecord, person.id, RewardRecord.on),
        }
        grades = sorted(_rows(session, AnnualGrade, person.id), key=lambda g: (g.year, g.source))
        relations = _rows(session, FamilyRelation, person.id)
        tags = [t.tag for t in _rows(session, ExpertiseTag, person.id, ExpertiseTag.tag)]
        record_view(session, actor, locality.id, ViewAction.profile, [person.id])
        on = on or date.today()
        out = {
            name: [SECTIONS[name][1].model_validate(row, from_attributes=True) for row in rows]
            for name, rows in sections.items()
        }
        campaigns = campaign_names(session, locality.id, (g.campaign_id for g in grades))
        out["grades"] = [
            GradeOut(
                year=g.year,
                grade=g.grade,
                source=g.source,
                campaign_id=g.campaign_id,
                campaign_name=campaigns.get(g.campaign_id or 0, ""),
            )
            for g in grades
        ]
        return ProfileOut(
            person_id=person.id,
            name=person.name,
            gender=person.gender,
            birth_date=person.birth_date,
            ethnicity=person.ethnicity,
            party=person.party,
            unit_id=person.unit_id,
            post=person.post,
            rank=person.rank,
            **{name: getattr(profile, name) for name in PLAIN},
            **out,
            relations=[
                RelationOut(
                    relation=r.relation,
                    name=r.name,
                    birth=r.birth,
                    id_card_masked=mask_id_card(ctx.keys.decrypt(r.id_card_cipher)) if r.id_card_cipher else None,
                    unit_post=r.unit_post,
                    party=r.party,
                )
                for r in relations
            ],
            tags=tags,
            derived=derive(person, profile, sections["posts"], sections["education"], on),
        )


# --- the view log --------------------------------------------------------------------------------


def view_log(ctx: AppContext, actor: Actor, code: str, *, limit: int = 100, offset: int = 0) -> ViewLogPage:
    """Who looked at what, newest first: the head of the organisation department only (404 else)."""
    with ctx.db.read() as session:
        locality = cadre_locality(session, actor, code, head=True)
        where = ViewLog.locality_id == locality.id
        total = session.exec(select(func.count()).select_from(ViewLog).where(where)).one()
        rows = list(
            session.exec(
                select(ViewLog)
                .where(where)
                .order_by(col(ViewLog.at).desc(), col(ViewLog.id).desc())
                .limit(limit)
                .offset(offset)
            )
        )
        ids = {i for r in rows for i in r.person_ids[:20]}
        found = select(Person.id, Person.name).where(Person.locality_id == locality.id, col(Person.id).in_(ids))
        names = {pid: name for pid, name in session.exec(found)} if ids else {}
        return ViewLogPage(
            total=total,
            items=[
                ViewLogRow(
                    at=r.at,
                    username=r.username,
                    action=r.action,
                    person_ids=r.person_ids,
                    names=[names.get(i, "") for i in r.person_ids[:20]],
                    detail=r.detail,
                )
                for r in rows
            ],
        )
