"""The tally: aggregate the valid ballots of a closed campaign in SQL, run its scoring rule,
rank, propose grades, run its distribution policies, and store the results.

The ballots' grades are read packed, one row per ballot, and counted in one streaming pass
(``core.services.ballot_grades``): memory stays bounded whatever the number of ballots.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import (
    Campaign,
    CampaignResult,
    CampaignStatus,
    CampaignSubject,
    IndicatorValue,
    Person,
    Role,
    Subject,
)
from core.models.base import utcnow
from core.scoring import (
    CategoryData,
    SubjectData,
    SubjectScore,
    TallyData,
)
from core.services import audit, ballot_grades
from core.services.access import OFFICE_ROLES, require_role
from core.services.campaigns import categories_of, get_campaign_row, move_ballot_box
from core.services.errors import Conflict
from core.services.plugins import DEFAULT_RULE, policies_for, rules_for
from core.services.templates import template_data
from core.services.turnout import check_minimum
from core.services.values import stored_period

TIE_DIGITS = 9  # scores equal to 9 decimals share a rank


# --- aggregation -----------------------------------------------------------------------------


def _counts(session: Session, campaign: Campaign, sizes: dict[int, int]) -> dict[tuple[int, int, int], list[int]]:
    """(category id, subject id, indicator id) -> count of each grade index, over the valid ballots
    of the categories in ``sizes`` (category id -> number of grades), in one pass over their
    packed grades (``ballot_grades.grade_counts``: grade indices outside the scale are left out)."""
    counts: dict[tuple[int, int, int], list[int]] = {}
    for category, subject, indicator, grade, n in ballot_grades.grade_counts(session, campaign, sizes=sizes):
        size = sizes[category]
        if 0 <= grade < size:
            counts.setdefault((category, subject, indicator), [0] * size)[grade] += n
    return counts


def tally_data(session: Session, campaign: Campaign) -> TallyData:
    categories = [c for c in categories_of(session, campaign.id) if c.template_id is not None]
    templates = {tid: template_data(session, tid) for tid in {c.template_id for c in categories}}
    rows = session.exec(
        select(Subject)
        .join(CampaignSubject, CampaignSubject.subject_id == Subject.id)
        .where(CampaignSubject.campaign_id == campaign.id)
        .order_by(col(Subject.id))
    ).all()
    person_ids = [s.ref_id for s in rows if s.kind == "person" and s.ref_id is not None]
    unit_of_person = (
        dict(
            session.exec(
                select(Person.id, Person.unit_id).where(
                    Person.locality_id == campaign.locality_id, col(Person.id).in_(person_ids)
                )
            ).all()
        )
        if person_ids
        else {}
    )
    subjects = [
        SubjectData(
            id=s.id,
            name=s.name,
            kind=s.kind,
            ref_id=s.ref_id,
            category=s.category,
            unit_id=s.ref_id if s.kind == "unit" else unit_of_person.get(s.ref_id),
        )
        for s in rows
    ]
    sizes = {c.id: len(templates[c.template_id].grades) for c in categories if templates[c.template_id].grades}
    counts = _counts(session, campaign, sizes)
    # Every ballot rates every leaf of each subject it rates (submit refuses a partial one), so
    # the ballots that rated a subject are the most grades any of its indicators received.
    ballots: dict[tuple[int, int], int] = defaultdict(int)
    for (category_id, subject_id, _indicator), grades in counts.items():
        ballots[(category_id, subject_id)] = max(ballots[(category_id, subject_id)], sum(grades))
    subject_ids = [s.id for s in subjects]
    values: dict[tuple[int, int, str], float] = {}
    if templates and subject_ids:
        for row in session.exec(
            select(IndicatorValue).where(
                IndicatorValue.locality_id == campaign.locality_id,
                IndicatorValue.period == stored_period(campaign.period),
                col(IndicatorValue.template_id).in_(list(templates)),
                col(IndicatorValue.subject_id).in_(subject_ids),
            )
        ):
            values[(row.subject_id, row.template_id, row.indicator_code)] = float(row.value)

    def ballot_scores(category_id: int, contrib: dict[int, dict[int, float]]) -> dict[int, list[float]]:
        return ballot_grades.ballot_scores(session, campaign, category_id, contrib)

    def other_results(other_id: int) -> list[dict[str, Any]]:
        rows = session.exec(
            select(CampaignResult, Subject)
            .join(Subject, Subject.id == CampaignResult.subject_id)
            .where(CampaignResult.campaign_id == other_id, CampaignResult.locality_id == campaign.locality_id)
        ).all()
        return [_row_out(result, subject) for result, subject in rows]

    return TallyData(
        campaign_id=campaign.id,
        locality_id=campaign.locality_id,
        period=campaign.period,
        categories=[
            CategoryData(id=c.id, name=c.name, weight=float(c.weight), template_id=c.template_id) for c in categories
        ],
        templates=templates,
        subjects=subjects,
        counts=counts,
        ballots=dict(ballots),
        values=values,
        ballot_scores=ballot_scores,
        other_results=other_results,
    )


# --- ranking and grades ----------------------------------------------------------------------


def rank(results: list[SubjectScore]) -> list[SubjectScore]:
    """Rank within each subject category by score, ties sharing a rank (1, 2, 2, 4); subjects
    without a score are last, unranked. Returns the results in rank order per category."""
    by_category: dict[str, list[SubjectScore]] = defaultdict(list)
    for result in results:
        by_category[result.category].append(result)
    ordered: list[SubjectScore] = []
    for category in sorted(by_category):
        group = by_category[category]
        scored = sorted(
            (r for r in group if r.score is not None), key=lambda r: (-round(r.score, TIE_DIGITS), r.subject_id)
        )
        previous, previous_rank = None, 0
        for position, result in enumerate(scored, start=1):
            key = round(result.score, TIE_DIGITS)
            result.rank = previous_rank if key == previous else position
            previous, previous_rank = key, result.rank
        unscored = [r for r in group if r.score is None]
        for result in unscored:
            result.rank = None
        ordered.extend(scored + sorted(unscored, key=lambda r: r.subject_id))
    return ordered


def propose_grades(results: list[SubjectScore], thresholds: list[Any]) -> None:
    """The first threshold (highest min_score first) a score reaches; a vetoed subject keeps the
    lowest grade the rule gave it."""
    ordered = sorted(thresholds, key=lambda t: -t.min_score)
    for result in results:
        if "veto" in result.flags or result.score is None or not ordered:
            continue
        score = round(result.score, TIE_DIGITS)
        result.proposed_grade = next((t.grade for t in ordered if score >= t.min_score), None)


# --- the service -----------------------------------------------------------------------------


def _row_out(result: CampaignResult, subject: Subject) -> dict[str, Any]:
    return {
        "subject_id": result.subject_id,
        "name": subject.name,
        "category": subject.category,
        "kind": subject.kind,
        "ref_id": subject.ref_id,
        "score": result.score,
        "rank": result.rank,
        "proposed_grade": result.proposed_grade,
        "grade": result.grade if result.grade is not None else result.proposed_grade,
        "flags": list(result.flags),
        "by_category": result.by_category,
        "by_indicator": result.by_indicator,
    }


def _plugins(session: Session, campaign: Campaign) -> tuple[Any, Any, list[tuple[Any, Any]], dict[str, Any]]:
    rule_name = campaign.scoring.get("rule") or DEFAULT_RULE
    rules = rules_for(session, campaign.locality_id)
    if rule_name not in rules:
        raise Conflict(f"scoring rule {rule_name!r} is not enabled for this locality")
    rule = rules[rule_name]
    options = rule.options_model.model_validate(campaign.scoring.get("options") or {})
    available = policies_for(session, campaign.locality_id)
    policies = []
    for entry in campaign.distribution:
        name = entry.get("policy")
        if name not in available:
            raise Conflict(f"distribution policy {name!r} is not enabled for this locality")
        policy = available[name]
        policies.append((policy, policy.options_model.model_validate(entry.get("options") or {})))
    used = {
        "rule": rule_name,
        "options": options.model_dump(mode="json"),
        "policies": [{"policy": p.name, "options": o.model_dump(mode="json")} for p, o in policies],
    }
    return rule, options, policies, used


def compute(session: Session, campaign: Campaign) -> tuple[list[SubjectScore], dict[str, Any]]:
    """Run the campaign's rule, ranking, thresholds and policies on its aggregated ballots."""
    rule, options, policies, used = _plugins(session, campaign)
    data = tally_data(session, campaign)
    results = rank(rule.score(data, options))
    propose_grades(results, list(getattr(options, "thresholds", None) or []))
    for policy, policy_options in policies:
        policy.apply(results, data, policy_options)
    return results, used


def tally(ctx: AppContext, actor: Actor, campaign_id: int, *, low_turnout_reason: str | None = None) -> dict[str, Any]:
    """Tally a closed (or re-tally a tallied) campaign; answers its results.

    When an evaluator category's turnout is below the locality's ``min_turnout_percent`` the
    tally is refused (409, with each category's figures) unless ``low_turnout_reason`` says why
    it runs anyway; the reason and the figures are then recorded in the audit entry
    (``core.services.turnout.check_minimum``)."""
    require_role(actor, OFFICE_ROLES, "tally campaigns")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id)
        if campaign.status not in (CampaignStatus.closed, CampaignStatus.tallied):
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; only a closed campaign can be tallied")
    move_ballot_box(ctx, campaign_id)  # what a close interrupted by a crash left in the ballot box
    with ctx.db.write() as session:
        campaign = get_campaign_row(session, actor, campaign_id, for_update=True)
        if campaign.status not in (CampaignStatus.closed, CampaignStatus.tallied):
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; only a closed campaign can be tallied")
        low_turnout = check_minimum(session, campaign, low_turnout_reason)
        results, used = compute(session, campaign)
        kept = {
            r.subject_id: r.grade
            for r in session.exec(select(CampaignResult).where(CampaignResult.campaign_id == campaign.id))
            if r.grade is not None
        }
        session.execute(delete(CampaignResult).where(CampaignResult.campaign_id == campaign.id))
        for result in results:
            session.add(
                CampaignResult(
                    campaign_id=campaign.id,
                    subject_id=result.subject_id,
                    locality_id=campaign.locality_id,
                    score=result.score,
                    rank=result.rank,
                    proposed_grade=result.proposed_grade,
                    grade=kept.get(result.subject_id),
                    flags=list(result.flags),
                    by_category=result.by_category,
                    by_indicator=result.by_indicator,
                )
            )
        before = campaign.status
        campaign.tally = {**used, "tallied_at": utcnow().isoformat()}
        campaign.status = CampaignStatus.tallied
        session.add(campaign)
        session.flush()
        audit.record(
            session,
            actor,
            locality_id=campaign.locality_id,
            action="campaign.tally",
            target_type="campaign",
            target_id=campaign.id,
            before={"status": before},
            after={
                "status": "tallied",
                "rule": used["rule"],
                "subjects": len(results),
                **({"low_turnout": low_turnout} if low_turnout else {}),
            },
        )
        return _results(session, campaign)


def _results(session: Session, campaign: Campaign) -> dict[str, Any]:
    rows = session.exec(
        select(CampaignResult, Subject)
        .join(Subject, Subject.id == CampaignResult.subject_id)
        .where(CampaignResult.campaign_id == campaign.id)
    ).all()
    subjects = [_row_out(result, subject) for result, subject in rows]
    subjects.sort(key=lambda s: (s["category"], s["rank"] is None, s["rank"] or 0, s["subject_id"]))
    tally_info = campaign.tally or {}
    return {
        "rule": tally_info.get("rule"),
        "options": tally_info.get("options", {}),
        "policies": tally_info.get("policies", []),
        "tallied_at": tally_info.get("tallied_at"),
        "subjects": subjects,
    }


# Who reads results, as the console's results pages and the result files: the office roles and an
# assessment group (its assigned campaigns only, see core.services.assessment); not a unit admin.
RESULT_READERS = frozenset(OFFICE_ROLES | {Role.assessment_group})


def results(ctx: AppContext, actor: Actor, campaign_id: int) -> dict[str, Any]:
    require_role(actor, RESULT_READERS, "read results")
    with ctx.db.read() as session:
        campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
        if campaign.status not in (CampaignStatus.tallied, CampaignStatus.published):
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; it has no results yet")
        return _results(session, campaign)
