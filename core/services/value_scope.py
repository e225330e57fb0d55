"""Which indicator values a user may read and change (the grid, its sheet and the API).

The office (and a platform admin) reads and changes every value of its locality. An assessment
group (考核小组, SPEC 11) scores what it is assigned: for one of its assigned campaigns
(``core.services.assessment``), the value indicators (numeric, bonus, deduction, veto) of the
templates of the campaign's evaluator categories, for the campaign's subjects, in the
campaign's period, the values the tally counts. It changes nothing else: another campaign, a
subject outside the campaign or another template is 404; another period is refused (422). Once
the campaign is tallied its values are counted, and only the office changes them (409).

The office may ask for the same narrowed view (``campaign_id``): the grid of one campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import CampaignCategory, CampaignStatus, CampaignSubject, IndicatorTemplate, Role, Subject
from core.periods import Period
from core.services.access import OFFICE_ROLES, locality_for
from core.services.campaigns import get_campaign_row
from core.services.errors import Conflict, Forbidden, Invalid, NotFound

SCORERS = OFFICE_ROLES | {Role.assessment_group}
WRITABLE = frozenset({CampaignStatus.draft, CampaignStatus.open, CampaignStatus.closed})

# Message ids (core/locales/zh_CN/LC_MESSAGES/assessment_scores.po).
NEEDS_CAMPAIGN = "an assessment group scores the values of its assigned campaigns: name the campaign (campaign_id)"
NO_PERIOD = "campaign {name} has no assessment period, so it counts no indicator values; the office sets one first"
OTHER_PERIOD = "the values of campaign {name} are for period {period}"
COUNTED = "campaign {name} is tallied: its values are counted, and only the office changes them now"
NOT_A_CAMPAIGN_SUBJECT = "subject {id} is not one of the subjects of campaign {name}"
NOT_A_CAMPAIGN_TEMPLATE = "no template with id {id} in this campaign"


@dataclass(frozen=True)
class ValueScope:
    """What one user may see of a locality's values. ``campaign_id`` None: every subject, every
    template, any period; else the campaign's subjects, ``template_ids`` and ``period`` (canonical).
    ``writable``: False for a campaign already tallied (or a locality only granted for reading)."""

    locality_id: int
    campaign_id: int | None = None
    campaign_name: str = ""
    template_ids: frozenset[int] | None = None
    period: str = ""
    writable: bool = True

    def subjects(self, query: Any) -> Any:
        """``query`` (of ``Subject`` columns) narrowed to the campaign's subjects."""
        if self.campaign_id is None:
            return query
        return query.where(
            col(Subject.id).in_(
                select(CampaignSubject.subject_id).where(CampaignSubject.campaign_id == self.campaign_id)
            )
        )

    def allows_template(self, template_id: int) -> bool:
        return self.template_ids is None or template_id in self.template_ids

    def check_template(self, template: IndicatorTemplate) -> None:
        if not self.allows_template(template.id):
            raise NotFound(NOT_A_CAMPAIGN_TEMPLATE, params={"id": template.id})

    def check_period(self, period: Period) -> None:
        """``Invalid`` (field ``period``) unless ``period`` is the campaign's."""
        if self.period and str(period) != self.period:
            text = OTHER_PERIOD.format(name=self.campaign_name, period=self.period)
            raise Invalid(
                OTHER_PERIOD,
                params={"name": self.campaign_name, "period": self.period},
                errors=[{"field": "period", "message": text}],
            )

    def check_writable(self) -> None:
        if not self.writable:
            raise Conflict(COUNTED, params={"name": self.campaign_name})

    def outside(self, session: Session, subject_ids: set[int]) -> set[int]:
        """The ids of ``subject_ids`` that are not the campaign's subjects (none without a campaign)."""
        if self.campaign_id is None or not subject_ids:
            return set()
        ids = sorted(subject_ids)
        inside: set[int] = set()
        for start in range(0, len(ids), 500):
            inside.update(
                session.exec(
                    select(CampaignSubject.subject_id).where(
                        CampaignSubject.campaign_id == self.campaign_id,
                        col(CampaignSubject.subject_id).in_(ids[start : start + 500]),
                    )
                )
            )
        return set(ids) - inside


def value_scope(
    session: Session, actor: Actor, code: str, campaign_id: int | None = None, *, write: bool = False
) -> ValueScope:
    """The scope of ``actor`` in locality ``code`` (404 unknown), optionally of one campaign.

    Errors: 403 a role that neither keeps nor scores values, or an assessment group naming no
    campaign; 404 a campaign not assigned (or of another locality); 422 (field ``period``) a
    campaign without a period; with ``write``, 409 a campaign already tallied."""
    if actor.role not in SCORERS:
        raise Forbidden(f"your role ({actor.role}) may not {'change' if write else 'read'} indicator values")
    locality = locality_for(session, actor, code, read_only=not write)
    if campaign_id is None:
        if actor.role == Role.assessment_group:
            raise Forbidden(NEEDS_CAMPAIGN)
        return ValueScope(locality.id)
    if not 0 < campaign_id < 2**31:
        raise NotFound(f"no campaign with id {campaign_id}")
    campaign = get_campaign_row(session, actor, campaign_id, read_only=not write)
    if campaign.locality_id != locality.id:
        raise NotFound(f"no campaign with id {campaign_id}")
    if not campaign.period:
        text = NO_PERIOD.format(name=campaign.name)
        raise Invalid(NO_PERIOD, params={"name": campaign.name}, errors=[{"field": "period", "message": text}])
    templates = frozenset(
        t
        for t in session.exec(
            select(CampaignCategory.template_id).where(CampaignCategory.campaign_id == campaign.id).distinct()
        )
        if t is not None
    )
    scope = ValueScope(
        locality.id,
        campaign.id,
        campaign.name,
        templates,
        str(Period.parse(campaign.period)),
        campaign.status in WRITABLE,
    )
    if write:
        scope.check_writable()
    return scope


def scope_of(ctx: AppContext, actor: Actor, code: str, campaign_id: int | None = None) -> ValueScope:
    """``value_scope`` for reading, in a transaction of its own (for pages)."""
    with ctx.db.read() as session:
        return value_scope(session, actor, code, campaign_id)
