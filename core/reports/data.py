"""The numbers of a campaign's result files, gathered once for every format.

Built on ``core.services.result_details`` (the ranking) and ``core.services.result_subject``
(per subject the score per evaluator category, per-indicator means and grade distribution,
computed by its functions so a report says what the results pages say) and ``core.services.turnout`` (issued and submitted accounts). A
report covers every subject, so the per-subject counts are read in one grouped query for all
of them (``subject_details`` reads a subject at a time: 200 subjects took 30 s that way, 0.5 s
this way); valid and invalid ballots per evaluator category are one more.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Adjustment, Ballot, Campaign, CampaignResult, Subject
from core.models.base import utcnow
from core.services import ballot_grades, result_details, result_subject
from core.services.campaigns import categories_of
from core.services.errors import Conflict
from core.services.plugins import policies_for, rules_for
from core.services.result_details import show_score
from core.services.templates import template_data
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
    ``result_details.campaign_results``); ``subjects``: ``{subject_id: details}``, details as
    ``result_subject.subject_details`` gives them less ``comments`` and ``history``;
    ``indicators``: the graded leaves of the campaign's templates, ``[{code, name, parent}]`` in
    tree order; ``plugins``: ``{name: (label_zh,
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


def _all_grade_counts(session: Session, campaign: Campaign) -> dict[int, list[tuple[int, int, int, int]]]:
    """subject id -> [(category id, indicator id, grade index, count)] over the valid ballots: the
    rows ``result_subject._grade_counts`` gives for one subject, for every subject in one pass."""
    out: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for category, subject, indicator, grade, n in ballot_grades.grade_counts(session, campaign):
        out[subject].append((category, indicator, grade, n))
    return out


def _subjects(
    session: Session, campaign: Campaign, rows: list[dict[str, Any]], decimals: int, labels: list[str]
) -> dict[int, dict[str, Any]]:
    """Per subject what ``result_subject.subject_details`` gives (``group_size``, ``by_category``,
    ``indicators``, ``values``, ``distribution``, ``adjustments``; not the comments nor the
    history, which reports leave out), computed with its own functions from one query per kind
    instead of a dozen per subject."""
    categories = [c for c in categories_of(session, campaign.id) if c.template_id is not None]
    templates = {tid: template_data(session, tid) for tid in dict.fromkeys(c.template_id for c in categories)}
    category_template = {c.id: c.template_id for c in categories}
    category_names = {c.id: c.name for c in categories}
    kinds = {i.code: (i.name, i.kind) for t in templates.values() for i in t.indicators}
    subject_category = dict(
        session.exec(
            select(Subject.id, Subject.category).where(
                Subject.locality_id == campaign.locality_id, col(Subject.id).in_([r["subject_id"] for r in rows])
            )
        ).all()
    )
    by_indicator = dict(
        session.exec(
            select(CampaignResult.subject_id, CampaignResult.by_indicator).where(
                CampaignResult.campaign_id == campaign.id, CampaignResult.locality_id == campaign.locality_id
            )
        ).all()
    )
    adjustments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in session.exec(
        select(Adjustment)
        .where(Adjustment.campaign_id == campaign.id, Adjustment.locality_id == campaign.locality_id)
        .order_by(col(Adjustment.id))
    ):
        adjustments[a.subject_id].append(
            {
                "from_grade": a.from_grade,
                "grade": a.grade,
                "reason": a.reason,
                "actor": a.actor,
                "created_at": a.created_at,
            }
        )
    group_sizes = Counter(r["category"] for r in rows)
    all_counts = _all_grade_counts(session, campaign)
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        counts = all_counts.get(row["subject_id"], [])
        indicators, by_id = result_subject.indicator_means(
            templates, category_names, category_template, counts, decimals
        )
        rated = {category_names.get(c) for c, _i, _g, _n in counts}
        by_category = []
        for c in categories:
            entry = row["by_category"].get(c.name)
            if (
                entry is None
                and c.name not in rated
                and c.subject_categories
                and subject_category.get(row["subject_id"]) not in c.subject_categories
            ):
                continue
            by_category.append(
                {"name": c.name, "weight": float(c.weight), **(entry or {"score": None, "shown": "", "ballots": 0})}
            )
        graded = {i["code"] for i in indicators}
        values = [
            {
                "code": code,
                "name": kinds.get(code, (code, ""))[0],
                "kind": kinds.get(code, ("", ""))[1],
                "score": entry.get("score"),
                "shown": show_score(entry.get("score"), decimals),
            }
            for code, entry in (by_indicator.get(row["subject_id"]) or {}).items()
            if code not in graded
        ]
        out[row["subject_id"]] = {
            "subject": row,
            "group_size": group_sizes[row["category"]],
            "by_category": by_category,
            "indicators": indicators,
            "values": values,
            "distribution": result_subject._distribution(templates, category_template, by_id, counts, labels),
            "adjustments": adjustments.get(row["subject_id"], []),
        }
    return out


def report_data(ctx: AppContext, actor: Actor, campaign_id: int, *, locality_code: str | None = None) -> ReportData:
    """The numbers of a tallied (or published) campaign's result files.

    Errors: 404 a campaign (or ``locality_code``) the actor may not read, 403 a role that may not
    read results, 409 ``NOT_TALLIED`` for a campaign not tallied yet."""
    ranking = result_details.campaign_results(ctx, actor, campaign_id, locality_code=locality_code)
    if not ranking["tallied"]:
        raise Conflict(NOT_TALLIED)
    rows = [row for group in ranking["groups"] for row in group["subjects"]]
    with ctx.db.read() as session:
        campaign = session.get(Campaign, campaign_id)
        details = _subjects(session, campaign, rows, ranking["decimals"], ranking["grade_labels"])
        ballots: dict[tuple[int, bool], int] = {}
        for category_id, valid, n in session.exec(
            select(Ballot.category_id, Ballot.valid, func.count())
            .where(Ballot.locality_id == campaign.locality_id, Ballot.campaign_id == campaign.id)
            .group_by(Ballot.category_id, Ballot.valid)
        ):
            ballots[(int(category_id), bool(valid))] = int(n)
        ids = {c.name: c.id for c in categories_of(session, campaign.id)}
        turnout = [
            TurnoutRow(
                t.category,
                t.issued,
                t.submitted,
                ballots.get((ids[t.category], True), 0),
                ballots.get((ids[t.category], False), 0),
                t.percent,
            )
            for t in category_turnout(session, campaign)
        ]
        plugins: dict[str, tuple[str, str]] = {}
        for name, plugin in {
            **rules_for(session, campaign.locality_id),
            **policies_for(session, campaign.locality_id),
        }.items():
            plugins[name] = (getattr(plugin, "label_zh", name), getattr(plugin, "label_en", name))
    indicators: dict[str, dict[str, Any]] = {}
    for subject in details.values():
        for indicator in subject["indicators"]:
            indicators.setdefault(
                indicator["code"], {"code": indicator["code"], "name": indicator["name"], "parent": indicator["parent"]}
            )
    issued, submitted = sum(t.issued for t in turnout), sum(t.submitted for t in turnout)
    total = TurnoutRow(
        None,
        issued,
        submitted,
        sum(t.valid for t in turnout),
        sum(t.invalid for t in turnout),
        _percent(submitted, issued),
    )
    return ReportData(
        campaign=ranking["campaign"],
        generated_at=utcnow(),
        decimals=ranking["decimals"],
        grade_labels=ranking["grade_labels"],
        evaluator_categories=ranking["evaluator_categories"],
        turnout=turnout,
        total=total,
        groups=ranking["groups"],
        subjects=details,
        indicators=list(indicators.values()),
        plugins=plugins,
    )
