"""Choosing a campaign's subjects by what an office knows them by: a subject category, a unit
(the unit itself, its teams and its people) or a team (the team and its members). Everything is
filtered and written in SQL, so a locality with thousands of subjects never loads them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_
from sqlmodel import col, select

from core.context import Actor, AppContext
from core.models import (
    CampaignStatus,
    CampaignSubject,
    Person,
    Subject,
    Team,
    TeamMember,
    Unit,
)
from core.services import audit
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, require_role
from core.services.campaigns import get_campaign_row
from core.services.errors import Conflict


@dataclass(frozen=True)
class SubjectFilter:
    """Which subjects: all criteria that are set must hold (``None``/"" = any)."""

    category: str = ""
    unit_id: int | None = None
    team_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.category and self.unit_id is None and self.team_id is None


def _matching(locality_id: int, chosen: SubjectFilter):
    """A SELECT of the ids of the locality's subjects that ``chosen`` picks."""
    query = select(Subject.id).where(Subject.locality_id == locality_id)
    if chosen.category:
        query = query.where(Subject.category == chosen.category)
    if chosen.unit_id is not None:
        people = select(Person.id).where(Person.locality_id == locality_id, Person.unit_id == chosen.unit_id)
        teams = select(Team.id).where(Team.locality_id == locality_id, Team.unit_id == chosen.unit_id)
        query = query.where(
            or_(
                and_(Subject.kind == "unit", Subject.ref_id == chosen.unit_id),
                and_(Subject.kind == "team", col(Subject.ref_id).in_(teams)),
                and_(Subject.kind == "person", col(Subject.ref_id).in_(people)),
            )
        )
    if chosen.team_id is not None:
        members = select(TeamMember.person_id).where(
            TeamMember.locality_id == locality_id, TeamMember.team_id == chosen.team_id
        )
        query = query.where(
            or_(
                and_(Subject.kind == "team", Subject.ref_id == chosen.team_id),
                and_(Subject.kind == "person", col(Subject.ref_id).in_(members)),
            )
        )
    return query


def _in_campaign(campaign_id: int):
    return select(CampaignSubject.subject_id).where(CampaignSubject.campaign_id == campaign_id)


def choices(ctx: AppContext, actor: Actor, campaign_id: int) -> dict[str, Any]:
    """What the filters offer: ``{"categories": [(name, subjects)], "units": [(id, name)],
    "teams": [(id, "unit name / team name")]}`` of the campaign's locality."""
    require_role(actor, ADMIN_READ_ROLES, "read campaigns")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        lid = campaign.locality_id
        categories = [
            (str(c), int(n))
            for c, n in session.exec(
                select(Subject.category, func.count())
                .where(Subject.locality_id == lid)
                .group_by(Subject.category)
                .order_by(Subject.category)
            )
        ]
        units = [
            (int(i), str(n))
            for i, n in session.exec(select(Unit.id, Unit.name).where(Unit.locality_id == lid).order_by(Unit.code))
        ]
        teams = [
            (int(i), f"{u} / {t}")
            for i, t, u in session.exec(
                select(Team.id, Team.name, Unit.name)
                .join(Unit, Unit.id == Team.unit_id)
                .where(Team.locality_id == lid)
                .order_by(Unit.code, Team.name)
            )
        ]
        return {"categories": categories, "units": units, "teams": teams}


def summary(
    ctx: AppContext, actor: Actor, campaign_id: int, chosen: SubjectFilter, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """``{"matching": n, "matching_in": n already in the campaign, "total": subjects in the
    campaign, "by_category": [(category, n)], "rows": [{id, name, kind, category}]}``: ``rows``
    are the campaign's subjects that ``chosen`` picks (all of them when it is empty), by name,
    ``limit`` from ``offset``."""
    require_role(actor, ADMIN_READ_ROLES, "read campaigns")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        matching = _matching(campaign.locality_id, chosen).subquery()

        def count(query) -> int:
            return int(session.exec(select(func.count()).select_from(query.subquery())).one())

        in_campaign = _in_campaign(campaign.id)
        picked = select(Subject.id).where(col(Subject.id).in_(select(matching.c.id)), col(Subject.id).in_(in_campaign))
        rows_query = (
            select(Subject.id, Subject.name, Subject.kind, Subject.category)
            .where(col(Subject.id).in_(select(picked.subquery().c.id)))
            .order_by(Subject.category, Subject.name, Subject.id)
            .limit(limit)
            .offset(offset)
        )
        by_category = [
            (str(c), int(n))
            for c, n in session.exec(
                select(Subject.category, func.count())
                .join(CampaignSubject, CampaignSubject.subject_id == Subject.id)
                .where(CampaignSubject.campaign_id == campaign.id)
                .group_by(Subject.category)
                .order_by(Subject.category)
            )
        ]
        return {
            "matching": count(select(matching.c.id)),
            "matching_in": count(picked),
            # every subject of the campaign is in one category's count (a campaign's subject is
            # a subject: its foreign key), so they add up to the total without counting again
            "total": sum(n for _c, n in by_category),
            "by_category": by_category,
            "rows": []
            if limit <= 0  # the counts alone (the console asks for them to choose its page)
            else [{"id": i, "name": n, "kind": k, "category": c} for i, n, k, c in session.exec(rows_query)],
        }


def change(
    ctx: AppContext,
    actor: Actor,
    campaign_id: int,
    chosen: SubjectFilter,
    *,
    add: bool,
    subject_ids: list[int] | None = None,
) -> int:
    """Add (``add=True``) or remove the subjects ``chosen`` picks, or only ``subject_ids`` of
    them when given; a draft campaign only (409 otherwise). Returns how many subjects were added
    or removed; audited as ``campaign.subjects``."""
    require_role(actor, OFFICE_ROLES, "change campaigns")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        if campaign.status != CampaignStatus.draft:
            raise Conflict(
                "campaign {id} is {status}: its subjects can no longer change",
                params={"id": campaign.id, "status": campaign.status},
            )
        matching = _matching(campaign.locality_id, chosen)
        if subject_ids is not None:
            matching = matching.where(col(Subject.id).in_(subject_ids))
        if add:
            new = matching.where(col(Subject.id).not_in(_in_campaign(campaign.id)))
            ids = list(session.exec(new))
            if ids:
                session.execute(
                    insert(CampaignSubject),
                    [{"campaign_id": campaign.id, "subject_id": i, "locality_id": campaign.locality_id} for i in ids],
                )
            changed = len(ids)
        else:
            changed = (
                session.execute(
                    delete(CampaignSubject).where(
                        CampaignSubject.campaign_id == campaign.id,
                        col(CampaignSubject.subject_id).in_(matching.scalar_subquery()),
                    )
                ).rowcount
                or 0
            )
        if changed:
            audit.record(
                session,
                actor,
                locality_id=campaign.locality_id,
                action="campaign.subjects",
                target_type="campaign",
                target_id=campaign.id,
                after={
                    "added" if add else "removed": changed,
                    "filter": {k: v for k, v in vars(chosen).items() if v not in (None, "")},
                },
            )
        return changed
