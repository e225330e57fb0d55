"""Files attached to progress reports (the core's attachments service: its size limit, its
count limit per report, its content sniffing; ``core/services/attachments.py``).

A report's files are listed and served to whoever may read or follow its goal
(``plugins.goals.access.goal_to_follow``): 404 for anyone else, as for a report that does not
exist. Files are attached by those who report the goal's progress (the unit's administrator, the
office, the people of the goal) and deleted by their uploader or the office (audited by the
core). A report's files go with its goal when a draft goal is deleted (``delete_for_goals``)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Attachment
from core.services import attachments
from core.services.access import can_see_locality, locality_for
from core.services.attachments import AttachmentOut
from core.services.discussion import Access, Resolver, is_office
from core.services.errors import NotFound
from plugins.goals.access import can_write, goal_to_follow
from plugins.goals.models import GoalProgress

TARGET = "goals.progress"
NO_REPORT = "no progress report with id {report_id} on this goal"


def resolver(code: str, goal_id: int, report_id: int) -> Resolver:
    """The core's check for report ``report_id`` of goal ``goal_id``: 404 unless the actor may
    read or follow the goal and the report is the goal's; ``may_write`` for its reporters."""

    def resolve(session: Session, actor: Actor) -> Access:
        from plugins.goals.progress import _carries

        locality = locality_for(session, actor, code, read_only=True)
        goal, reads = goal_to_follow(session, actor, locality, goal_id)
        report = session.get(GoalProgress, report_id) if 0 < report_id < 2**31 else None
        if report is None or report.goal_id != goal.id:
            raise NotFound(NO_REPORT, params={"report_id": report_id})
        writes = can_see_locality(actor, locality.id) and (
            can_write(actor, locality, goal.unit_id) or (reads and _carries(session, actor, locality, goal))
        )
        return Access(locality_id=locality.id, may_write=writes)

    return resolve


def files_of(session: Session, actor: Actor, locality_id: int, report_ids: list[int]) -> dict[int, list[AttachmentOut]]:
    """The files of each report (oldest first), in one query; the caller checked the actor may
    read the reports."""
    found: dict[int, list[AttachmentOut]] = {}
    if not report_ids:
        return found
    rows = session.exec(
        select(Attachment)
        .where(Attachment.target_type == TARGET, col(Attachment.target_id).in_(report_ids))
        .order_by(col(Attachment.id))
    )
    office = is_office(actor, locality_id)
    for row in rows:
        found.setdefault(row.target_id, []).append(
            AttachmentOut(
                id=row.id,
                file_name=row.file_name,
                kind=row.kind,
                size=row.size,
                author_name=row.author_name,
                created_at=row.created_at,
                may_delete=office or (actor.user_id is not None and row.user_id == actor.user_id),
            )
        )
    return found


def delete_for_goals(ctx: AppContext, session: Session, goal_ids: list[int]) -> list[Path]:
    """Remove the files' rows of the goals' reports in the caller's transaction; the caller
    unlinks the paths after its COMMIT (``core.services.attachments.remove_files``)."""
    paths: list[Path] = []
    if not goal_ids:
        return paths
    reports = session.exec(select(GoalProgress.id).where(col(GoalProgress.goal_id).in_(goal_ids))).all()
    for report_id in reports:
        paths += attachments.delete_for_target(ctx, session, TARGET, report_id)
    return paths
