"""A cadre's profile as the appointment and removal form (干部任免审批表): the fields the form
has, filled from the profile, for the three files the department takes away — the ``.lrmx``
that cadre information systems exchange (``lrmx.to_lrmx``), and the printable form as PDF and
Word (``form_print``).

What the profile does not hold is given when the form is made (``Appointment``): the proposed
post (拟任职务) and removal (拟免职务), the reason (任免理由), the reporting unit (呈报单位), and
the health (健康状况) and professional title (专业技术职务) as the department writes them that day.

The résumé (简历) is the one kept on the profile as written; a profile without one gets lines
written from its education, military service and posts (``1998.07--2001.12  羊场镇党委副书记``),
which the ``.lrmx`` reader reads back into the same spans. Annual grades are the entered ones
and Kaoping's own (``grades``), a year's Kaoping grade first. The photo is the one kept
(``photo``), in the ``.lrmx`` as it was read and in the photo box of the printed forms. Making
a form is recorded in the view log (``form``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from core.context import Actor, AppContext
from core.services.discussion import display_name
from plugins.cadres import lrmx
from plugins.cadres.access import cadre_locality
from plugins.cadres.grades import sync_kaoping_grades
from plugins.cadres.models import (
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
    ViewAction,
)
from plugins.cadres.photo import photo_of
from plugins.cadres.service import _person, _rows, age_at, birth_of, record_view

FIELD_LIMIT = 500  # each given text, as the form's cells hold it


@dataclass(frozen=True)
class Appointment:
    """What the department writes on the form the day it is made (each at most 500 characters)."""

    proposed_post: str = ""  # 拟任职务
    proposed_removal: str = ""  # 拟免职务
    reason: str = ""  # 任免理由
    reporting_unit: str = ""  # 呈报单位
    health: str = ""  # 健康状况
    title: str = ""  # 专业技术职务

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Appointment:
        return cls(**{name: str(params.get(name) or "").strip()[:FIELD_LIMIT] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class FormData:
    """The form: ``profile`` (fields as the .lrmx writes them, family members), the age shown
    beside the birth month, and the file name's stem (the cadre's name)."""

    profile: lrmx.LrmxProfile
    age: int | None
    on: date


def month(value: date | None) -> str:
    """A date as the forms write a month: ``199807``."""
    return value.strftime("%Y%m") if value else ""


def dotted(value: date | None) -> str:
    """A date as printed on the form and in the résumé: ``1998.07``."""
    return value.strftime("%Y.%m") if value else ""


def _school_text(e: EducationRecord) -> str:
    major = e.major + ("专业" if e.major and not e.major.endswith("专业") else "")
    return f"{e.school}{e.department}{major}"


def _best(education: list[EducationRecord], kind: str) -> EducationRecord | None:
    chosen = [e for e in education if e.kind == kind]
    return max(chosen, key=lambda e: (EDUCATION_LEVELS.get(e.level, 0), e.end or date.min), default=None)


def resume_lines(posts: list[PostRecord], education: list[EducationRecord], military: list[MilitaryRecord]) -> str:
    """A résumé written from the sections, oldest first: full-time study, military service and
    posts on lines of their own; in-service study as the ``（其间：...）`` lines the forms use."""
    lines: list[tuple[date, str]] = []
    for e in education:
        if e.kind == EducationKind.full_time.value and e.start:
            lines.append((e.start, f"{dotted(e.start)}--{dotted(e.end):<9}{_school_text(e)}学习"))
    for m in military:
        lines.append((m.start, f"{dotted(m.start)}--{dotted(m.end):<9}{m.unit_designation}服役"))
    for p in posts:
        where = p.post if p.post.startswith(p.unit_name) else f"{p.unit_name}{p.post}"
        lines.append((p.start, f"{dotted(p.start)}--{dotted(p.end):<9}{where}"))
    lines.sort(key=lambda line: line[0])
    text = [line for _start, line in lines]
    for e in education:
        if e.kind == EducationKind.in_service.value and e.start:
            text.append(f"          （其间：{dotted(e.start)}--{dotted(e.end)}在{_school_text(e)}学习）")
    return "\n".join(text)


def _grades_text(grades: list[AnnualGrade]) -> str:
    by_year: dict[int, str] = {}
    for g in sorted(grades, key=lambda g: (g.year, g.source != GradeSource.kaoping.value)):
        by_year.setdefault(g.year, g.grade)  # Kaoping's own first
    return "；".join(f"{year}年度{grade}" for year, grade in sorted(by_year.items()))


def _rewards_text(rewards: list[RewardRecord]) -> str:
    return "；".join(
        (f"{r.on.year}年" if r.on else "") + r.title + (f"（{r.issuer}）" if r.issuer else "") for r in rewards
    )


def build_form(
    ctx: AppContext, session: Session, actor: Actor, locality_id: int, person_id: int, given: Appointment, on: date
) -> FormData:
    """The form of a person of ``locality_id`` (in the caller's session: 404 for anyone else's)."""
    person = _person(session, locality_id, person_id)
    profile = session.exec(select(CadreProfile).where(CadreProfile.person_id == person.id)).first()
    profile = profile or CadreProfile(locality_id=locality_id, person_id=person.id)
    posts = _rows(session, PostRecord, person.id, PostRecord.start)
    education = _rows(session, EducationRecord, person.id, EducationRecord.start)
    military = _rows(session, MilitaryRecord, person.id, MilitaryRecord.start)
    rewards = _rows(session, RewardRecord, person.id, RewardRecord.on)
    grades = _rows(session, AnnualGrade, person.id, AnnualGrade.year)
    tags = [t.tag for t in _rows(session, ExpertiseTag, person.id, ExpertiseTag.tag)]
    relations = _rows(session, FamilyRelation, person.id)
    birth = birth_of(person.birth_date)
    fields = {name: "" for name in (*lrmx.TEXT_FIELDS, *lrmx.TAIL_FIELDS)}
    fields.update(
        XingMing=person.name,
        XingBie=person.gender,
        ChuShengNianYue=month(birth),
        MinZu=person.ethnicity,
        JiGuan=profile.native_name,
        ChuShengDi=profile.birthplace_name,
        RuDangShiJian=month(profile.party_joined),
        CanJiaGongZuoShiJian=month(profile.work_started),
        JianKangZhuangKuang=given.health,
        ZhuanYeJiShuZhiWu=given.title,
        ShuXiZhuanYeYouHeZhuanChang="、".join(tags),
        XianRenZhiWu=person.post,
        NiRenZhiWu=given.proposed_post,
        NiMianZhiWu=given.proposed_removal,
        JianLi=profile.resume or resume_lines(posts, education, military),
        JiangChengQingKuang=_rewards_text(rewards),
        NianDuKaoHeJieGuo=_grades_text(grades),
        RenMianLiYou=given.reason,
        ChengBaoDanWei=given.reporting_unit,
        JiSuanNianLingShiJian=month(on),
        TianBiaoShiJian=on.strftime("%Y%m%d"),
        TianBiaoRen=display_name(session, actor),
        ShenFenZheng=ctx.keys.decrypt(person.id_card_cipher) if person.id_card_cipher else "",
    )
    for prefix, kind in (("QuanRiZhiJiaoYu", EducationKind.full_time.value), ("ZaiZhiJiaoYu", "in_service")):
        best = _best(education, kind)
        if best is not None:
            fields[f"{prefix}_XueLi"] = best.level
            fields[f"{prefix}_XueWei"] = best.degree
            fields[f"{prefix}_XueLi_BiYeYuanXiaoXi"] = _school_text(best)
    family = tuple(
        lrmx.FamilyMember(
            relation=r.relation,
            name=r.name,
            birth_text=month(r.birth),
            politics=r.party,
            unit_and_post=r.unit_post,
        )
        for r in relations
    )
    kept = photo_of(ctx, session, person.id)
    return FormData(profile=lrmx.LrmxProfile(fields=fields, family=family, photo=kept), age=age_at(birth, on), on=on)


def appointment_form(
    ctx: AppContext, actor: Actor, code: str, person_id: int, given: Appointment, on: date | None = None
) -> FormData:
    """The form of a person of the locality ``code`` (the organisation department only, 404
    otherwise); recorded in the view log."""
    on = on or date.today()
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        _person(session, locality.id, person_id)
        sync_kaoping_grades(session, locality.id, [person_id])
        form = build_form(ctx, session, actor, locality.id, person_id, given, on)
        record_view(session, actor, locality.id, ViewAction.form, [person_id])
        return form
