"""Ballot campaigns: create, change while draft, open (after a completeness check), close."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import (
    AccountStatus,
    BallotAccount,
    Campaign,
    CampaignCategory,
    CampaignStatus,
    CampaignSubject,
    IndicatorTemplate,
    Role,
    Subject,
    TemplateStatus,
)
from core.schemas.base import Page
from core.schemas.campaigns import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignWarning,
    CategoryIn,
    CategoryOut,
    _check_window,
)
from core.services import audit, ballot_box
from core.services.access import (
    ADMIN_READ_ROLES,
    OFFICE_ROLES,
    can_see_locality,
    locality_for,
    require_role,
)
from core.services.campaign_periods import campaign_period_problems
from core.services.errors import Conflict, Invalid, NotFound, field_error
from core.services.paging import paginate
from core.services.plugins import check_campaign_plugins
from core.services.policy_warnings import policy_warnings
from core.services.templates import graded_leaves, load_indicators
from core.services.unit_scope import own_subjects


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for the UTC values it stored."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def get_campaign_row(
    session: Session, actor: Actor, campaign_id: int, *, for_update: bool = False, read_only: bool = False
) -> Campaign:
    query = select(Campaign).where(Campaign.id == campaign_id)
    if for_update:
        query = query.with_for_update()
    campaign = session.exec(query).first()
    if campaign is None or not can_see_locality(actor, campaign.locality_id, read_only=read_only):
        raise NotFound(f"no campaign with id {campaign_id}")
    if actor.role == Role.assessment_group and campaign.id not in actor.campaign_ids:
        raise NotFound(f"no campaign with id {campaign_id}")  # an assessment group reads its own only
    if actor.role == Role.unit_admin and not _assesses_unit(session, campaign, actor):
        raise NotFound(f"no campaign with id {campaign_id}")  # a unit admin reads its unit's only
    return campaign


def _assesses_unit(session: Session, campaign: Campaign, actor: Actor) -> bool:
    if actor.unit_id is None:
        return False
    return (
        session.exec(
            select(CampaignSubject.subject_id)
            .where(
                CampaignSubject.campaign_id == campaign.id,
                col(CampaignSubject.subject_id).in_(own_subjects(campaign.locality_id, actor.unit_id)),
            )
            .limit(1)
        ).first()
        is not None
    )


def categories_of(session: Session, campaign_id: int) -> list[CampaignCategory]:
    return list(
        session.exec(
            select(CampaignCategory)
            .where(CampaignCategory.campaign_id == campaign_id)
            .order_by(col(CampaignCategory.position), col(CampaignCategory.id))
        )
    )


def subject_ids_of(session: Session, campaign_id: int) -> list[int]:
    return list(
        session.exec(
            select(CampaignSubject.subject_id)
            .where(CampaignSubject.campaign_id == campaign_id)
            .order_by(col(CampaignSubject.subject_id))
        )
    )


def campaign_out(session: Session, campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        kind=campaign.kind,
        period=campaign.period,
        status=campaign.status,
        opens_at=as_utc(campaign.opens_at),
        closes_at=as_utc(campaign.closes_at),
        subject_ids=subject_ids_of(session, campaign.id),
        categories=[CategoryOut.model_validate(c) for c in categories_of(session, campaign.id)],
        scoring=campaign.scoring,
        distribution=campaign.distribution,
        subject_panels=bool(campaign.subject_panels),
    )


def with_warnings(session: Session, campaign: Campaign, out: CampaignOut) -> CampaignOut:
    """``out`` with what the campaign's policies would do unintended (a cap that allows 0 优秀)."""
    return out.model_copy(update={"warnings": [CampaignWarning(**w) for w in policy_warnings(session, campaign)]})


def _set_subjects(session: Session, campaign: Campaign, subject_ids: list[int]) -> None:
    if subject_ids:
        found = set(
            session.exec(
                select(Subject.id).where(Subject.locality_id == campaign.locality_id, col(Subject.id).in_(subject_ids))
            )
        )
        missing = [s for s in subject_ids if s not in found]
        if missing:
            raise field_error("subject_ids", f"no subject with id {', '.join(map(str, missing[:20]))} in this locality")
    session.execute(delete(CampaignSubject).where(CampaignSubject.campaign_id == campaign.id))
    for subject_id in subject_ids:
        session.add(CampaignSubject(campaign_id=campaign.id, subject_id=subject_id, locality_id=campaign.locality_id))


def _set_categories(session: Session, campaign: Campaign, categories: list[CategoryIn]) -> None:
    for index, category in enumerate(categories):
        if category.template_id is not None:
            template = session.get(IndicatorTemplate, category.template_id)
            if template is None or template.locality_id != campaign.locality_id:
                raise field_error(
                    f"categories[{index}].template_id", f"no template with id {category.template_id} in this locality"
                )
    existing = {c.name: c for c in categories_of(session, campaign.id)}
    wanted = {c.name for c in categories}
    for name, row in existing.items():
        if name not in wanted:
            if session.exec(select(BallotAccount.id).where(BallotAccount.category_id == row.id)).first():
                raise Conflict(f"category {name!r} already has accounts; it cannot be removed")
            session.delete(row)
    session.flush()
    for position, category in enumerate(categories):
        row = existing.get(category.name) or CampaignCategory(
            locality_id=campaign.locality_id, campaign_id=campaign.id, name=category.name
        )
        row.position = position
        row.weight = category.weight
        row.template_id = category.template_id
        row.subject_categories = list(category.subject_categories)
        session.add(row)
    session.flush()


def _check_period(session: Session, campaign: Campaign) -> None:
    problems = campaign_period_problems(session, campaign)
    if problems:
        raise Invalid("; ".join(problems), errors=[{"field": "period", "message": p} for p in problems])


def create(ctx: AppContext, actor: Actor, code: str, data: CampaignIn) -> CampaignOut:
    require_role(actor, OFFICE_ROLES, "change campaigns")
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        scoring, distribution = check_campaign_plugins(session, locality.id, data.scoring, data.distribution)
        # Stored in UTC: SQLite keeps the wall time of an aware value and drops its offset.
        campaign = Campaign(
            locality_id=locality.id,
            name=data.name,
            kind=data.kind,
            period=str(data.period) if data.period is not None else "",
            opens_at=as_utc(data.opens_at),
            closes_at=as_utc(data.closes_at),
            scoring=scoring,
            distribution=distribution,
            subject_panels=data.subject_panels,
        )
        session.add(campaign)
        session.flush()
        _set_subjects(session, campaign, data.subject_ids)
        _set_categories(session, campaign, data.categories)
        _check_period(session, campaign)
        out = campaign_out(session, campaign)
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="campaign.create",
            target_type="campaign",
            target_id=campaign.id,
            after={
                "name": campaign.name,
                "kind": campaign.kind,
                "subjects": len(data.subject_ids),
                "categories": [c.name for c in data.categories],
            },
        )
        return with_warnings(session, campaign, out)


def get(ctx: AppContext, actor: Actor, campaign_id: int) -> CampaignOut:
    require_role(actor, ADMIN_READ_ROLES, "read campaigns")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        return with_warnings(session, campaign, campaign_out(session, campaign))


def list_campaigns(ctx: AppContext, actor: Actor, code: str, *, limit: int = 100, offset: int = 0) -> Page[CampaignOut]:
    require_role(actor, ADMIN_READ_ROLES, "read campaigns")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(Campaign).where(Campaign.locality_id == locality.id).order_by(col(Campaign.id).desc())
        if actor.role == Role.unit_admin:  # the campaigns assessing its unit (core.services.unit_campaigns)
            assessed = select(CampaignSubject.campaign_id).where(
                col(CampaignSubject.subject_id).in_(own_subjects(locality.id, actor.unit_id or 0))
            )
            query = query.where(col(Campaign.id).in_(assessed))
        return paginate(session, query, limit, offset, campaign_out)


OPEN_EDITABLE = {"name", "opens_at", "closes_at", "subject_panels"}


def update_campaign(ctx: AppContext, actor: Actor, campaign_id: int, data: CampaignPatch) -> CampaignOut:
    """Everything may change while draft; once open only the name and the time window."""
    require_role(actor, OFFICE_ROLES, "change campaigns")
    changes = data.model_dump(exclude_unset=True)
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        if campaign.status != CampaignStatus.draft:
            locked = sorted(set(changes) - OPEN_EDITABLE)
            if campaign.status != CampaignStatus.open or locked:
                raise Conflict(
                    f"campaign {campaign_id} is {campaign.status}: "
                    + (f"{', '.join(locked)} can no longer change" if locked else "it can no longer change")
                )
        for field in (
            "name",
            "kind",
            "period",
            "subject_ids",
            "categories",
            "scoring",
            "distribution",
            "subject_panels",
        ):
            if field in changes and changes[field] is None:
                raise field_error(field, "must not be null")
        before = campaign_out(session, campaign).model_dump(mode="json")
        opens_at = changes.get("opens_at", campaign.opens_at)
        closes_at = changes.get("closes_at", campaign.closes_at)
        try:
            _check_window(as_utc(opens_at), as_utc(closes_at))
        except ValueError as exc:
            raise field_error("closes_at", str(exc)) from None
        if "scoring" in changes or "distribution" in changes:
            changes["scoring"], changes["distribution"] = check_campaign_plugins(
                session,
                campaign.locality_id,
                changes.get("scoring", campaign.scoring),
                changes.get("distribution", campaign.distribution),
            )
        for field in ("name", "kind", "period", "scoring", "distribution", "subject_panels"):
            if field in changes:
                setattr(campaign, field, changes[field])
        for field in ("opens_at", "closes_at"):
            if field in changes:
                setattr(campaign, field, as_utc(changes[field]))  # in UTC, as in create()
        session.add(campaign)
        if data.subject_ids is not None:
            _set_subjects(session, campaign, data.subject_ids)
        if data.categories is not None:
            _set_categories(session, campaign, data.categories)
        if "period" in changes or data.categories is not None:
            _check_period(session, campaign)
        session.flush()
        out = campaign_out(session, campaign)
        old, new = audit.changed_fields(before, out.model_dump(mode="json"))
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="campaign.update",
            target_type="campaign",
            target_id=campaign.id,
            before=old,
            after=new,
        )
        return with_warnings(session, campaign, out)


def missing_for_opening(session: Session, campaign: Campaign) -> list[str]:
    """What an office must still do before the campaign can open."""
    problems: list[str] = []
    subject_rows = session.exec(
        select(Subject.category)
        .join(CampaignSubject, CampaignSubject.subject_id == Subject.id)
        .where(CampaignSubject.campaign_id == campaign.id)
    ).all()
    if not subject_rows:
        problems.append("the campaign has no subjects")
    categories = categories_of(session, campaign.id)
    if not categories:
        problems.append("the campaign has no evaluator categories")
    for category in categories:
        if category.template_id is None:
            problems.append(f"category {category.name}: no indicator template")
        elif not graded_leaves(load_indicators(session, category.template_id)):
            problems.append(f"category {category.name}: its template has no graded indicators to vote on")
        accounts = session.exec(
            select(func.count())
            .select_from(BallotAccount)
            .where(BallotAccount.category_id == category.id, BallotAccount.status != AccountStatus.revoked)
        ).one()
        if accounts == 0:
            problems.append(f"category {category.name}: no accounts issued")
        wanted = set(category.subject_categories)
        if subject_rows and wanted and not wanted.intersection(subject_rows):
            problems.append(
                f"category {category.name}: none of the campaign's subjects is in {', '.join(sorted(wanted))}"
            )
    problems += campaign_period_problems(session, campaign, require=True)
    return problems


def open_campaign(ctx: AppContext, actor: Actor, campaign_id: int) -> CampaignOut:
    require_role(actor, OFFICE_ROLES, "open campaigns")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        if campaign.status != CampaignStatus.draft:
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; only a draft campaign can be opened")
        # Lock the templates first: a concurrent replace must not change them between the check and the freeze.
        locked = {c.template_id for c in categories_of(session, campaign.id) if c.template_id is not None}
        if locked:
            session.exec(
                select(IndicatorTemplate.id)
                .where(col(IndicatorTemplate.id).in_(locked))
                .order_by(col(IndicatorTemplate.id))
                .with_for_update()
            ).all()
        problems = missing_for_opening(session, campaign)
        # A policy that allows 0 of a grade somewhere (15 % of 5 subjects, rounded down) is a
        # mistake to fix before anyone votes (the policies are frozen once open), unless the
        # policy says zero is intended: the office is told where, and how many it allows.
        warnings = policy_warnings(session, campaign)
        if problems or warnings:
            raise Conflict(
                "the campaign cannot open yet: " + "; ".join(problems + [w["message"] for w in warnings]),
                errors=[{"field": "", "message": p} for p in problems]
                + [{"field": w["field"], "message": w["message"], "allowed": w["allowed"]} for w in warnings],
            )
        template_ids = {c.template_id for c in categories_of(session, campaign.id)}
        session.execute(
            update(IndicatorTemplate)
            .where(col(IndicatorTemplate.id).in_(template_ids))
            .values(status=TemplateStatus.frozen)
        )
        campaign.status = CampaignStatus.open
        session.add(campaign)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="campaign.open",
            target_type="campaign",
            target_id=campaign.id,
            before={"status": "draft"},
            after={"status": "open"},
        )
        return campaign_out(session, campaign)


def close_campaign(ctx: AppContext, actor: Actor, campaign_id: int) -> CampaignOut:
    """Close an open campaign, then move its ballot box into the ballot tables in random order
    (``core.services.ballot_box.move_staged``): from the closing commit on, no ballot can join."""
    require_role(actor, OFFICE_ROLES, "close campaigns")
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        if campaign.status != CampaignStatus.open:
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; only an open campaign can be closed")
        campaign.status = CampaignStatus.closed
        session.add(campaign)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="campaign.close",
            target_type="campaign",
            target_id=campaign.id,
            before={"status": "open"},
            after={"status": "closed"},
        )
    move_ballot_box(ctx, campaign_id, closing=True)
    with ctx.db.read() as session:
        return campaign_out(session, session.get(Campaign, campaign_id))


def move_ballot_box(ctx: AppContext, campaign_id: int, *, closing: bool = False) -> int:
    """Move a closed campaign's staged ballots into the ballot tables, then scrub what the box
    leaves behind (``ballot_box.scrub``); the tally calls it too, for what a crash during the
    close left. 409 when the ballots were sealed under another secret key."""
    try:
        moved = ballot_box.move_staged(ctx, campaign_id)
        if moved or closing:
            ballot_box.scrub(ctx, campaign_id)
        return moved
    except ballot_box.SealError:
        raise Conflict(
            "the ballots of this campaign were sealed under another secret key "
            "(KAOPING_SECRET_KEY); restore that key to count them"
        ) from None
