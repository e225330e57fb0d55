"""Whether a campaign's period fits its templates: a template that takes values of one kind of
period (``IndicatorTemplate.period_kind``: months, quarters, ...) can only count values of that
kind in the campaign's tally. Read by ``core.services.campaigns`` (saving and opening a campaign)
and ``core.services.values`` (the values a template may have), below both."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.models import Campaign, CampaignCategory, IndicatorTemplate
from core.periods import KIND_EXAMPLES, Period, PeriodError, PeriodKind


def example_of(kind: PeriodKind, near: Period | None = None) -> str:
    """A period of ``kind``: the one that holds ``near``'s first day, if any (a hint at what was meant)."""
    if near is not None:
        try:
            return str(Period.from_date(kind, near.start))
        except PeriodError:
            pass
    return KIND_EXAMPLES[kind]


# Message ids (core/locales): a campaign period of another kind than its templates take.
PERIOD_NOT_OF_TEMPLATE_KIND = (
    "period {period} is not of the kind template {template} of category {category} takes: "
    "its values are for periods like {example}"
)
NO_PERIOD_FOR_TEMPLATE = (
    "category {category}: the campaign has no period, but its template {template} takes values "
    "for periods like {example}"
)


def campaign_period_problems(session: Session, campaign: Campaign, *, require: bool = False) -> list[str]:
    """Why a campaign's period does not fit the kind of period its categories' templates take
    (``IndicatorTemplate.period_kind``: values of periods of another kind could never count in
    its tally); with ``require`` (when it opens), also a missing period."""
    categories = session.exec(
        select(CampaignCategory.name, CampaignCategory.template_id, IndicatorTemplate.period_kind)
        .join(IndicatorTemplate, IndicatorTemplate.id == CampaignCategory.template_id)
        .where(CampaignCategory.campaign_id == campaign.id)
        .order_by(col(CampaignCategory.position), col(CampaignCategory.id))
    ).all()
    try:
        period = Period.parse(campaign.period) if campaign.period else None
    except PeriodError as exc:  # stored before periods were checked, and unreadable (see migration 0007)
        return [exc.message]
    problems = []
    for name, template_id, kind in categories:
        if not kind:
            continue
        example = example_of(PeriodKind(kind), period)
        if period is None:
            if require:
                problems.append(NO_PERIOD_FOR_TEMPLATE.format(category=name, template=template_id, example=example))
        elif period.kind != kind:
            problems.append(
                PERIOD_NOT_OF_TEMPLATE_KIND.format(period=period, template=template_id, category=name, example=example)
            )
    return problems
