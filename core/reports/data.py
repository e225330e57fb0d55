"""The numbers of a campaign's result files, gathered once for every format.

Built on ``core.services.result_details`` (ranking, per-subject scores, per-indicator means)
and ``core.services.turnout`` (issued and submitted accounts); the only query of its own counts
the valid and invalid ballots per evaluator category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from core.context import Actor, AppContext
from core.models import Ballot, Campaign
from core.models.base import utcnow
from core.services import result_details
from core.services.errors import Conflict
from core.services.plugins import policies_for, rules_for
from core.services.turnout import category_turnout

NOT_TALLIED = "This campaign has no results yet: close and tally it first, then download its results."


@dataclass(frozen=True)
class TurnoutRow:
    """One evaluator category (or the total, ``category`` None): ``issued`` accounts not revoked,
    ``submitted`` of them, ``valid`` and ``invalid`` ballots counted, ``percent`` = submitted /
    issued × 100 rounded to 1 place (0.0 when none were issued)."""

    category: str | None
    issued: int
    submitted: int
    valid: int
    invalid: int
    percent: float


@dataclass
class ReportData:
    """Everything a result file shows.

    ``campaign``: ``{id, name, kind, period, status, locality_code, locality_name, rule, options,
    policies [{policy, options}], tallied_at}`` (as ``result_details.campaign_results``);
    ``decimals``: the locality's ``result_decimals``; ``grade_labels``: best first;
    ``evaluator_categories``: ``[{name, weight}]``; ``turnout`` per category and ``total``;
    ``groups``: ``[{category, subjects: [row]}]``, rows in rank order (see
    ``result_details.campaign_results``); ``subjects``: ``{subject_id: details}`` (see
    ``result_details.subject_details``); ``indicators``: the graded leaves of the campaign's
    templates, ``[{code, name, parent}]`` in tree order; ``plugins``: ``{name: (label_zh,
    label_en)}`` of the scoring rule and the distribution policies the tally used."""

    campaign: dict[str, Any]
    generated_at: datetime
    decimals: int
    grade_labels: list[str]
    evaluator_categories: list[dict[str, Any]]
    turnout: list[TurnoutRow]
    total: TurnoutRow
    groups: list[dict[str, Any]]
    subjects: dict[int, dict[str, Any]]
    indicators: list[dict[str, Any]]
    plugins: dict[str, tuple[str, str]] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """Every ranked subject, category after category, in rank order."""
        return [row for group in self.groups for row in group["subjects"]]


def _percent(submitted: int, issued: int) -> float:
    return round(submitted * 100 / issued, 1) if issued else 0.0


def report_data(ctx: AppContext, actor: Actor, campaign_id: int, *,
                locality_code: str | None = None) -> ReportData:
    """The numbers of a tallied (or published) campaign's result files.

    Errors: 404 a campaign (or ``locality_code``) the actor may not read, 403 a role that may not
    read results, 409 ``NOT_TALLIED`` for a campaign not tallied yet."""
    ranking = result_details.campaign_results(ctx, actor, campaign_id, locality_code=locality_code)
    if not ranking["tallied"]:
        raise Conflict(NOT_TALLIED)
    details: dict[int, dict[str, Any]] = {}
    indicators: dict[str, dict[str, Any]] = {}
    for group in ranking["groups"]:
        for row in group["subjects"]:
            subject = result_details.subject_details(ctx, actor, campaign_id, row["subject_id"],
                                                     locality_code=locality_code)
            details[row["subject_id"]] = subject
            for indicator in subject["indicators"]:
                indicators.setdefault(indicator["code"], {"code": indicator["code"], "name": indicator["name"],
                                                          "parent": indicator["parent"]})
    with ctx.db.read() as session:
        campaign = session.get(Campaign, campaign_id)
        ballots: dict[tuple[int, bool], int] = {}
        for category_id, valid, n in session.exec(
                select(Ballot.category_id, Ballot.valid, func.count())
                .where(Ballot.locality_id == campaign.locality_id, Ballot.campaign_id == campaign.id)
                .group_by(Ballot.category_id, Ballot.valid)):
            ballots[(int(category_id), bool(valid))] = int(n)
        from core.services.campaigns import categories_of

        ids = {c.name: c.id for c in categories_of(session, campaign.id)}
        turnout = [TurnoutRow(t.category, t.issued, t.submitted, ballots.get((ids[t.category], True), 0),
                              ballots.get((ids[t.category], False), 0), t.percent)
                   for t in category_turnout(session, campaign)]
        plugins: dict[str, tuple[str, str]] = {}
        for name, plugin in {**rules_for(session, campaign.locality_id),
                             **policies_for(session, campaign.locality_id)}.items():
            plugins[name] = (getattr(plugin, "label_zh", name), getattr(plugin, "label_en", name))
    issued, submitted = sum(t.issued for t in turnout), sum(t.submitted for t in turnout)
    total = TurnoutRow(None, issued, submitted, sum(t.valid for t in turnout), sum(t.invalid for t in turnout),
                       _percent(submitted, issued))
    return ReportData(
        campaign=ranking["campaign"], generated_at=utcnow(), decimals=ranking["decimals"],
        grade_labels=ranking["grade_labels"], evaluator_categories=ranking["evaluator_categories"],
        turnout=turnout, total=total, groups=ranking["groups"], subjects=details,
        indicators=list(indicators.values()), plugins=plugins)
