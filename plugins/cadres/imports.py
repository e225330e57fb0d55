"""Importing appointment forms (任免审批表, ``.lrmx``; one file or a zip of many) into profiles.

``import_lrmx(ctx, actor, code, filename, data)`` reads the upload with ``lrmx.read_upload``
(defusedxml, the limits there) and answers a report per file. All or nothing: when any file
is refused — unreadable, without a name, or with a problem in a field that says who the person
is (name, gender, birth month, ID number: ``IDENTITY_FIELDS``) — nothing is written and every
file's report says why. Otherwise every file is written in one transaction: the person is
found by ID number (else by name and birth month) or created, and the profile's sections
that the form carries (posts and military service from the résumé's dated lines, education,
family, expertise, the résumé's text) replace what was there. Problems of other fields are
reported as not mapped, per file, field and line; so are native places and birthplaces that
``divisions`` cannot code (GB/T 2260), codes only in part, or finds several divisions of. Every person created or changed is audited
as the core's people service does it (``person.create``/``person.update``), and every profile
written (``cadres.profile.import``: the file and how many rows of each section), in the same
transaction, so the audit chain covers imports. A form's photo (``ZhaoPian``, JPEG or PNG) is
kept as the person's photo (``photo``), replacing the one kept; a form without one keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Person
from core.models.base import utcnow
from core.services import attachments, audit
from core.services.errors import TooLarge
from core.services.org import person_out
from plugins.cadres import divisions, lrmx, photo
from plugins.cadres.access import cadre_locality
from plugins.cadres.schemas import EducationIn, MilitaryIn, PostIn, ProfileIn, RelationIn
from plugins.cadres.service import write_profile

IDENTITY_FIELDS = frozenset({"XingMing", "XingBie", "ChuShengNianYue", "ShenFenZheng"})
UNREADABLE = "the file could not be read"
NO_NAME = "the form has no name (XingMing)"
PLACE_UNKNOWN = "{value} names no division of the table (GB/T 2260): its code is left empty"
PLACE_IN_PART = "{rest} of {value} is not in the division table (GB/T 2260): coded as {matched} ({code})"
PLACE_AMBIGUOUS = "{value} may be any of {candidates} (GB/T 2260): write its province or city; its code is left empty"
PLACE_AMBIGUOUS_IN_PART = (
    "{rest} of {value} may be any of {candidates} (GB/T 2260): write its city; coded as {matched} ({code})"
)
PHOTO_OVER_LIMIT = "{file}: the photo (ZhaoPian) is over {mb} MB, the limit of stored files; nothing was imported"
SECTIONS_COUNTED = ("posts", "education", "military", "relations", "tags")  # how much each file wrote, audited


@dataclass
class FileReport:
    """One file of the upload: ``status`` ``imported``, ``refused`` (its own problems) or
    ``not_imported`` (another file was refused); the person written; ``problems`` as messages
    (``{"field", "line", "msgid", "params"}``)."""

    file: str
    status: str
    name: str = ""
    person_id: int | None = None
    created: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)


def _problem(p: Any) -> dict[str, Any]:
    return {"field": p.field, "line": p.line, "msgid": p.message.msgid, "params": dict(p.message.params)}


def _month(value: Any) -> str:
    return value.value.strftime("%Y-%m") if value is not None else ""


def _find(session: Session, ctx: AppContext, locality_id: int, profile: lrmx.LrmxProfile) -> Person | None:
    if profile.id_number:
        digest = ctx.keys.digest(profile.id_number.upper())
        found = session.exec(
            select(Person).where(Person.locality_id == locality_id, Person.id_card_digest == digest)
        ).first()
        if found is not None:
            return found
    month = _month(profile.birth)
    if not month:
        return None
    return session.exec(
        select(Person).where(
            Person.locality_id == locality_id,
            Person.name == profile.name,
            col(Person.birth_date).startswith(month),
        )
    ).first()


def _profile_in(profile: lrmx.LrmxProfile) -> ProfileIn:
    resume = profile.resume
    f = profile.fields
    posts = [
        PostIn(
            unit_name=(p.unit_name or "—")[:200], post=(p.post or p.unit_name or "—")[:200], start=p.start, end=p.end
        )
        for p in (resume.posts if resume else ())
        if p.start is not None
    ]
    education = [
        EducationIn(
            kind="full_time" if e.full_time else "in_service",
            school=e.school[:200] or "—",
            department=e.department[:200],
            major=e.major[:200],
            level=e.level[:20],
            degree=e.degree[:20],
            start=e.start,
            end=e.end,
        )
        for e in profile.education
    ]
    military = [
        MilitaryIn(unit_designation=m.unit[:200], start=m.start, end=m.end)
        for m in (resume.military if resume else ())
        if m.start is not None and m.unit
    ]
    relations = [
        RelationIn(
            relation=(m.relation or "—")[:50],
            name=m.name[:100],
            birth=m.birth.value if m.birth else None,
            unit_post=m.unit_and_post[:300],
            party=m.politics[:50],
        )
        for m in profile.family
        if m.name
    ]
    tags = [t[:50] for t in profile.facts(0).expertise][:50]
    native, birthplace = divisions.code_of(f.get("JiGuan", "")), divisions.code_of(f.get("ChuShengDi", ""))
    return ProfileIn(
        native_name=f.get("JiGuan", "")[:100],
        birthplace_name=f.get("ChuShengDi", "")[:100],
        # the code the name gives; a name the table does not know clears it (reported, not guessed);
        # a form without the name leaves the profile's code as it was
        **({"native_code": native.code if native else ""} if f.get("JiGuan", "").strip() else {}),
        **({"birthplace_code": birthplace.code if birthplace else ""} if f.get("ChuShengDi", "").strip() else {}),
        party_joined=profile.party_joined.value if profile.party_joined else None,
        work_started=profile.work_started.value if profile.work_started else None,
        resume=f.get("JianLi", "")[:20_000],
        posts=posts,
        education=education,
        military=military,
        relations=relations,
        tags=tags,
    )


def _audit_person(
    session: Session, actor: Actor, locality_id: int, person_id: int, before: dict | None, after: dict
) -> None:
    """The person's row as the core's people service audits it (``person.create``, or
    ``person.update`` with the fields changed), in the import's transaction."""
    if before is None:
        audit.record(
            session,
            actor,
            locality_id=locality_id,
            action="person.create",
            target_type="person",
            target_id=person_id,
            after=after,
        )
        return
    old, new = audit.changed_fields(before, after)
    if old or new:
        audit.record(
            session,
            actor,
            locality_id=locality_id,
            action="person.update",
            target_type="person",
            target_id=person_id,
            before=old,
            after=new,
        )


def _place_problems(profile: lrmx.LrmxProfile) -> list[dict[str, Any]]:
    """The native place and birthplace that could not be coded, or only in part (not guessed)."""
    found = []
    for field_name in ("JiGuan", "ChuShengDi"):
        value = profile.fields.get(field_name, "").strip()
        if not value:
            continue
        coded = divisions.code_of(value)
        if coded is None:
            found.append({"field": field_name, "line": None, "msgid": PLACE_UNKNOWN, "params": {"value": value}})
        elif coded.ambiguous:  # 朝阳区 (Beijing's or Changchun's): not guessed
            params = {"value": value, "rest": coded.rest, "matched": coded.matched, "code": coded.code}
            params["candidates"] = "、".join(f"{divisions.name_of(c)}（{c}）" for c in coded.ambiguous)
            msgid = PLACE_AMBIGUOUS_IN_PART if coded.code else PLACE_AMBIGUOUS
            found.append({"field": field_name, "line": None, "msgid": msgid, "params": params})
        elif coded.rest:
            params = {"value": value, "rest": coded.rest, "matched": coded.matched, "code": coded.code}
            found.append({"field": field_name, "line": None, "msgid": PLACE_IN_PART, "params": params})
    return found


def _blocking(item: lrmx.LrmxFile) -> list[dict[str, Any]]:
    if item.profile is None:
        return [_problem(p) for p in item.problems] or [{"field": "", "line": None, "msgid": UNREADABLE, "params": {}}]
    found = [_problem(p) for p in item.problems if p.field in IDENTITY_FIELDS]
    if not item.profile.name:
        found.append({"field": "XingMing", "line": None, "msgid": NO_NAME, "params": {}})
    return found


def import_lrmx(
    ctx: AppContext, actor: Actor, code: str, filename: str, data: bytes, *, unit_id: int | None = None
) -> list[FileReport]:
    """Import the forms of an upload (see the module); the reports in the upload's order.
    ``Invalid``/``TooLarge`` (nothing written) when the upload as a whole is refused."""
    with ctx.db.read() as session:
        cadre_locality(session, actor, code)  # 404 before reading anything
    files = lrmx.read_upload(filename, data)
    reports = []
    refused = False
    for item in files:
        blocking = _blocking(item)
        refused = refused or bool(blocking)
        report = FileReport(item.name, "refused" if blocking else "imported", item.profile.name if item.profile else "")
        report.problems = blocking or [*(_problem(p) for p in item.problems), *_place_problems(item.profile)]
        reports.append(report)
    if refused or not files:
        for report in reports:
            if report.status == "imported":
                report.status = "not_imported"
        return reports
    convert = person_out(ctx.keys)
    stored: list[Path] = []  # photos written: removed again if the transaction fails
    replaced: list[Path] = []  # photos replaced: removed after the COMMIT
    try:
        _write(ctx, actor, code, files, reports, unit_id, convert, stored, replaced)
    except BaseException:
        attachments.remove_files(stored)
        raise
    attachments.remove_files(replaced)
    return reports


def _write(
    ctx: AppContext,
    actor: Actor,
    code: str,
    files: list[lrmx.LrmxFile],
    reports: list[FileReport],
    unit_id: int | None,
    convert: Any,
    stored: list[Path],
    replaced: list[Path],
) -> None:
    """Every form of a checked upload, in one transaction (``import_lrmx``)."""
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        for item, report in zip(files, reports, strict=True):
            profile = item.profile
            person = _find(session, ctx, locality.id, profile)
            report.created = person is None
            before = None if person is None else convert(session, person).model_dump()
            if person is None:
                person = Person(locality_id=locality.id, unit_id=unit_id, name=profile.name[:100])
                if profile.id_number:
                    person.id_card_cipher = ctx.keys.encrypt(profile.id_number.upper())
                    person.id_card_digest = ctx.keys.digest(profile.id_number.upper())
            person.gender = profile.gender[:10] or person.gender
            person.birth_date = _month(profile.birth) or person.birth_date
            person.ethnicity = profile.fields.get("MinZu", "")[:50] or person.ethnicity
            person.party = "中共党员" if profile.party_joined else person.party
            person.post = profile.fields.get("XianRenZhiWu", "")[:200] or person.post
            person.updated_at = utcnow()
            session.add(person)
            session.flush()
            _audit_person(session, actor, locality.id, person.id, before, convert(session, person).model_dump())
            data = _profile_in(profile)
            write_profile(ctx, actor, code, person.id, data, session, audit_action=None)  # audited below
            counts = {name: len(getattr(data, name) or ()) for name in SECTIONS_COUNTED}
            if profile.photo:  # a form without a photo keeps the one kept
                if len(profile.photo) > attachments.max_bytes(ctx):
                    raise TooLarge(PHOTO_OVER_LIMIT, params={"file": item.name, "mb": ctx.settings.attachment_max_mb})
                new, old = photo.store_photo(ctx, session, actor, locality.id, person.id, profile.photo)
                stored.append(new)
                replaced.extend(old)
                counts["photo_bytes"] = len(profile.photo)
            audit.record(
                session,
                actor,
                locality_id=locality.id,
                action="cadres.profile.import",
                target_type="person",
                target_id=person.id,
                after={"file": item.name[:200], **counts},
            )
            report.person_id = person.id
