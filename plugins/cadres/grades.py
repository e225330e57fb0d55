"""Annual assessment grades taken from Kaoping's own results (SPEC 10: 年度考核结果 "from
Kaoping's results where they exist").

A campaign counts as an annual assessment of a year when it is **published** and its period is
that whole year (``"2026"``); a person subject's result there gives the person that year's grade:
the office's final grade, else the proposed one. Of several such campaigns of one year, the
latest (highest id) gives the grade. The grades are copied into ``cadre_annual_grades`` with
``source = "kaoping"`` and the campaign's id, beside the grades entered or imported
(``source = ""``), so the condition search reads them as it reads the others and the profile
marks them as Kaoping's.

``sync_kaoping_grades`` brings the copies up to date, adding, changing and removing rows (a
campaign unpublished or deleted takes its grades away). It runs for one person when their profile
is read and for the whole locality from the periodic task (``watch.run_watch``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.models import Campaign, CampaignResult, CampaignStatus, Person, Subject, SubjectKind
from plugins.cadres.models import AnnualGrade, GradeSource

KAOPING = GradeSource.kaoping.value


def _year(period: str) -> int | None:
    return int(period) if len(period) == 4 and period.isdigit() else None


def kaoping_grades(
    session: Session, locality_id: int, person_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], tuple[str, int]]:
    """(person id, year) -> (grade, campaign id) from the locality's published annual campaigns
    (of ``person_ids`` only, when given)."""
    query = (
        select(Subject.ref_id, Campaign.id, Campaign.period, CampaignResult.grade, CampaignResult.proposed_grade)
        .join(Campaign, col(Campaign.id) == CampaignResult.campaign_id)
        .join(Subject, col(Subject.id) == CampaignResult.subject_id)
        .where(
            CampaignResult.locality_id == locality_id,
            Campaign.locality_id == locality_id,
            Campaign.status == CampaignStatus.published.value,
            Subject.kind == SubjectKind.person.value,
            col(Subject.ref_id).is_not(None),
        )
        .order_by(col(Campaign.id))
    )
    if person_ids is not None:
        query = query.where(col(Subject.ref_id).in_(list(person_ids)))
    found: dict[tuple[int, int], tuple[str, int]] = {}
    for person_id, campaign_id, period, grade, proposed in session.exec(query):
        year, chosen = _year(period or ""), (grade or proposed or "").strip()
        if year is not None and chosen:
            found[(person_id, year)] = (chosen[:20], campaign_id)  # the latest campaign wins
    return found


def sync_kaoping_grades(session: Session, locality_id: int, person_ids: Iterable[int] | None = None) -> int:
    """Make the ``kaoping`` rows of ``cadre_annual_grades`` (of ``person_ids``, or of the whole
    locality) what the published campaigns say, in the caller's transaction; how many rows
    changed. Only people of the locality get rows (a subject's ``ref_id`` is checked)."""
    ids = None if person_ids is None else sorted(set(person_ids))
    wanted = kaoping_grades(session, locality_id, ids)
    query = select(AnnualGrade).where(AnnualGrade.locality_id == locality_id, AnnualGrade.source == KAOPING)
    if ids is not None:
        query = query.where(col(AnnualGrade.person_id).in_(ids))
    have = {(row.person_id, row.year): row for row in session.exec(query)}
    changed = 0
    stale = [row.id for key, row in have.items() if key not in wanted]
    if stale:
        session.execute(delete(AnnualGrade).where(col(AnnualGrade.id).in_(stale)))
        changed += len(stale)
    missing = sorted({person_id for person_id, _year in wanted.keys() - have.keys()})
    mine = (
        set(session.exec(select(Person.id).where(Person.locality_id == locality_id, col(Person.id).in_(missing))))
        if missing
        else set()
    )
    for (person_id, year), (grade, campaign_id) in wanted.items():
        row = have.get((person_id, year))
        if row is None:
            if person_id not in mine:
                continue
            session.add(
                AnnualGrade(
                    locality_id=locality_id,
                    person_id=person_id,
                    year=year,
                    grade=grade,
                    source=KAOPING,
                    campaign_id=campaign_id,
                )
            )
            changed += 1
        elif (row.grade, row.campaign_id) != (grade, campaign_id):
            row.grade, row.campaign_id = grade, campaign_id
            session.add(row)
            changed += 1
    session.flush()
    return changed


def campaign_names(session: Session, locality_id: int, campaign_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted({i for i in campaign_ids if i})
    if not ids:
        return {}
    query = select(Campaign.id, Campaign.name).where(Campaign.locality_id == locality_id, col(Campaign.id).in_(ids))
    return dict(session.exec(query).all())
