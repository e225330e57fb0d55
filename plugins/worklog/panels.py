"""The worklog's panel on the ballot (hook ``kaoping_subject_panels``): for a person subject,
their most recent submitted work records (weekly records and monthly summaries first of all
kinds, newest period first), so an evaluator can see what the person did."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from core.context import AppContext
from core.services.subject_panels import PanelItem, SubjectPanel, SubjectRef
from plugins.worklog.models import EntryStatus, WorkEntry

RECENT = 4  # entries per person
KIND_WORDS = {
    "weekly_plan": ("周计划", "Weekly plan"),
    "weekly_record": ("周记实", "Weekly record"),
    "monthly_plan": ("月计划", "Monthly plan"),
    "monthly_summary": ("月小结", "Monthly summary"),
    "quarterly_plan": ("季度计划", "Quarterly plan"),
    "quarterly_self_assessment": ("季度自评", "Quarterly self-assessment"),
    "daily_record": ("日记实", "Daily record"),
}


def recent_records(ctx: AppContext, locality_id: int, subjects: list[SubjectRef]) -> list[SubjectPanel]:
    """A panel per person subject with submitted entries: the ``RECENT`` newest."""
    people = {s.ref_id: s.id for s in subjects if s.kind == "person" and s.ref_id is not None}
    if not people:
        return []
    rank = (
        func.row_number()
        .over(partition_by=WorkEntry.person_id, order_by=(col(WorkEntry.period_start).desc(), col(WorkEntry.id).desc()))
        .label("rank")
    )
    recent = (
        select(WorkEntry.person_id, WorkEntry.kind, WorkEntry.period, WorkEntry.body, rank)
        .where(
            WorkEntry.locality_id == locality_id,
            col(WorkEntry.person_id).in_(list(people)),
            WorkEntry.status == EntryStatus.submitted.value,
        )
        .subquery()
    )
    with ctx.db.read() as session:
        rows = session.exec(
            select(recent.c.person_id, recent.c.kind, recent.c.period, recent.c.body)
            .where(recent.c.rank <= RECENT)
            .order_by(recent.c.person_id, recent.c.rank)
        ).all()
    items: dict[int, list[PanelItem]] = {}
    for person_id, kind, period, body in rows:
        zh, en = KIND_WORDS.get(kind, (kind, kind))
        items.setdefault(person_id, []).append(
            PanelItem(heading=f"{period} {zh}", text=body, heading_en=f"{period} {en}")
        )
    return [
        SubjectPanel(
            subject_id=people[person_id],
            key="worklog.records",
            title_zh="近期工作纪实",
            title_en="Recent work records",
            items=tuple(found),
        )
        for person_id, found in items.items()
    ]
