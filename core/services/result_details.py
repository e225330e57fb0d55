"""What the results pages and reports show of a tallied campaign (read-only): the ranking here,
one subject in ``core.services.result_subject``, a team's members in
``core.services.result_teams`` (both built on this module's loading, rounding and rows).

Every function checks the role and the tenant as ``core.services.tally.results`` does: a
campaign of a locality the actor may not read answers 404 (``NotFound``), and so does one of
another locality than ``locality_code`` when that is given. Roles: the office and platform
admins (and an assessment-group role, when the platform has one) read; others get 403
(``Forbidden``; the console turns it into a 404).

Scores are kept unrounded (``score``) beside the value rounded to the locality's
``result_decimals`` for display (``shown``, a string with exactly that many decimals, half up).
A campaign not yet tallied is no error here: ``tallied`` is False and the lists are empty.

Counts per grade come from SQL aggregates (one row per category, indicator and grade), never a
loop over ballots. Comments are returned sorted by their text, so their order says nothing
about the ballots they came from.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import (
    Adjustment,
    Campaign,
    CampaignResult,
    CampaignStatus,
    Locality,
    Role,
    Subject,
)
from core.services.access import OFFICE_ROLES, require_role
from core.services.campaigns import categories_of, get_campaign_row
from core.services.decisions import grade_labels
from core.services.errors import NotFound
from core.services.paging import check_page

# Who reads results: the office roles, and an assessment group (考核组) role if one exists.
READ_ROLES = frozenset(OFFICE_ROLES | {r for r in Role if r.value == "assessment_group"})
TALLIED = (CampaignStatus.tallied, CampaignStatus.published)
OVER_QUOTA_FLAG = "over_quota"  # more final grades of a quota's grade than the quota allows
FLAGS = ("tie_at_quota", "veto", OVER_QUOTA_FLAG)


# --- rounding --------------------------------------------------------------------------------


def round_score(value: float | None, decimals: int) -> float | None:
    """``value`` rounded half up to ``decimals`` places (80.445 -> 80.45, not 80.44); None stays None."""
    if value is None or not math.isfinite(value):
        return None
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def show_score(value: float | None, decimals: int) -> str:
    """``value`` for display: exactly ``decimals`` places, half up ("80.45", "95.00"); "" for None."""
    rounded = round_score(value, decimals)
    return "" if rounded is None else f"{rounded:.{decimals}f}"


@dataclass
class _Loaded:
    campaign: Campaign
    locality: Locality
    decimals: int


def _load(session: Session, actor: Actor, campaign_id: int, locality_code: str | None) -> _Loaded:
    require_role(actor, READ_ROLES, "read results")
    campaign = get_campaign_row(session, actor, campaign_id, read_only=True)
    locality = session.get(Locality, campaign.locality_id)
    if locality_code is not None and locality.code != locality_code:
        raise NotFound("no campaign with id {id}", params={"id": campaign_id})
    return _Loaded(campaign, locality, int(locality.result_decimals))


def _campaign_out(loaded: _Loaded) -> dict[str, Any]:
    c = loaded.campaign
    info = c.tally or {}
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind,
        "period": c.period,
        "status": c.status,
        "locality_code": loaded.locality.code,
        "locality_name": loaded.locality.name,
        "rule": info.get("rule"),
        "options": info.get("options", {}),
        "policies": info.get("policies", []),
        "tallied_at": info.get("tallied_at"),
    }


# --- the ranking -----------------------------------------------------------------------------


def _allowed(ratio: float, n: int, rounding: str) -> int:
    """rounding(ratio x n), as ``plugins.distribution.allowed_count`` counts a quota."""
    x = round(ratio * n, 9)
    return math.ceil(x) if rounding == "ceil" else math.floor(x + 0.5) if rounding == "round" else math.floor(x)


def _quota_breaches(campaign: Campaign, labels: list[str], held: dict[tuple[str, str | None], int]) -> set:
    """The (subject category, grade) pairs over a ``result_quota`` policy's quota: more subjects of
    the category hold that grade (final, after the office's adjustments) than the quota allows.
    ``held``: how many subjects of each category hold each final grade."""
    sizes: dict[str, int] = defaultdict(int)
    for (category, _grade), n in held.items():
        sizes[category] += n
    breaches = set()
    for policy in (campaign.tally or {}).get("policies", []):
        if policy.get("policy") != "result_quota":
            continue
        options = policy.get("options") or {}
        grade = options.get("grade") or (labels[0] if labels else None)
        if grade is None:
            continue
        for category, size in sizes.items():
            allowed = _allowed(float(options.get("max_ratio", 1)), size, options.get("rounding", "floor"))
            if held.get((category, grade), 0) > allowed:
                breaches.add((category, grade))
    return breaches


def _held(session: Session, campaign: Campaign) -> dict[tuple[str, str | None], int]:
    """How many subjects of each subject category hold each final grade (one grouped query)."""
    final = func.coalesce(CampaignResult.grade, CampaignResult.proposed_grade)
    return {
        (category, grade): n
        for category, grade, n in session.execute(
            select(col(Subject.category), final, func.count())
            .join(Subject, Subject.id == CampaignResult.subject_id)
            .where(CampaignResult.campaign_id == campaign.id, CampaignResult.locality_id == campaign.locality_id)
            .group_by(col(Subject.category), final)
        ).all()
    }


def _result_row(result: Any, subject: Any, decimals: int, adjustment: Adjustment | None) -> dict[str, Any]:
    """``result``: a row with a result's score, rank, proposed_grade, grade, flags and
    by_category; ``subject``: one with a subject's id, name, kind, ref_id and category."""
    by_category = {
        name: {
            "score": entry.get("score"),
            "shown": show_score(entry.get("score"), decimals),
            "ballots": int(entry.get("ballots") or 0),
        }
        for name, entry in (result.by_category or {}).items()
    }
    return {
        "subject_id": subject.id,
        "name": subject.name,
        "kind": subject.kind,
        "ref_id": subject.ref_id,
        "category": subject.category,
        "score": result.score,
        "shown": show_score(result.score, decimals),
        "rank": result.rank,
        "proposed_grade": result.proposed_grade,
        "grade": result.grade if result.grade is not None else result.proposed_grade,
        "flags": list(result.flags or []),
        "ballots": sum(e["ballots"] for e in by_category.values()),
        "by_category": by_category,
        "adjustment": None
        if adjustment is None
        else {
            "from_grade": adjustment.from_grade,
            "grade": adjustment.grade,
            "reason": adjustment.reason,
            "actor": adjustment.actor,
            "created_at": adjustment.created_at,
        },
    }


def _rows(session: Session, loaded: _Loaded) -> list[dict[str, Any]]:
    """Every result row in ranking order (subject category, rank, unranked last)."""
    campaign = loaded.campaign
    return _ranked(session, loaded, grade_labels(session, campaign.id), _held(session, campaign), None, 0)[0]


def _ranked(
    session: Session,
    loaded: _Loaded,
    labels: list[str],
    held: dict[tuple[str, str | None], int],
    limit: int | None,
    offset: int,
    *,
    subject_id: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The result rows in ranking order (subject category, rank, unranked last), all of them or
    the page ``limit``/``offset`` (``core.services.paging``, in SQL), or only ``subject_id``'s
    row (the subject's page: no other row is read); and how many there are."""
    campaign = loaded.campaign
    category = col(Subject.category)
    if session.get_bind().dialect.name == "postgresql":
        category = category.collate("C")  # code point order, as SQLite (and Python) compare text
    # plain rows, not ORM objects: a campaign of a few hundred subjects spent most of the page's
    # time building (and tracking) two mapped objects per subject that nothing changes
    query = (
        select(
            col(CampaignResult.score),
            col(CampaignResult.rank),
            col(CampaignResult.proposed_grade),
            col(CampaignResult.grade),
            col(CampaignResult.flags),
            col(CampaignResult.by_category),
            col(Subject.id),
            col(Subject.name),
            col(Subject.kind),
            col(Subject.ref_id),
            col(Subject.category),
        )
        .join(Subject, Subject.id == CampaignResult.subject_id)
        .where(CampaignResult.campaign_id == campaign.id, CampaignResult.locality_id == campaign.locality_id)
        .order_by(category, col(CampaignResult.rank).is_(None), col(CampaignResult.rank), col(Subject.id))
    )
    if subject_id is not None:
        query = query.where(CampaignResult.subject_id == subject_id)
    # ``held`` counts these very rows (the same join and filters), so no query counts them again
    total = sum(held.values())
    if limit is not None:
        check_page(limit, offset)
        query = query.limit(limit).offset(offset)
    pairs = session.execute(query).all()
    adjustments = select(Adjustment).where(Adjustment.campaign_id == campaign.id)
    if limit is not None or subject_id is not None:
        adjustments = adjustments.where(col(Adjustment.subject_id).in_([row.id for row in pairs]))
    latest: dict[int, Adjustment] = {}
    for adjustment in session.exec(adjustments.order_by(col(Adjustment.id))):
        latest[adjustment.subject_id] = adjustment
    rows = [_result_row(row, row, loaded.decimals, latest.get(row.id)) for row in pairs]
    breaches = _quota_breaches(campaign, labels, held)
    for row in rows:
        if (row["category"], row["grade"]) in breaches and OVER_QUOTA_FLAG not in row["flags"]:
            row["flags"].append(OVER_QUOTA_FLAG)
    return rows, total


def campaign_results(
    ctx: AppContext,
    actor: Actor,
    campaign_id: int,
    *,
    locality_code: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """The ranking of a campaign, per subject category: every row, or one page of them
    (``limit`` rows from ``offset``, over the categories in order; ranks stay the campaign's).

    Returns ``{"campaign": {id, name, kind, period, status, locality_code, locality_name, rule,
    options, policies, tallied_at}, "tallied": bool, "published": bool, "decimals": int,
    "evaluator_categories": [{"name", "weight"}], "grade_labels": [str, best first],
    "total": int (rows in all), "offset": int,
    "groups": [{"category": str, "count": int (its rows in all), "subjects": [row]}]}`` where a
    row is ``{subject_id, name, kind,
    ref_id, category, score (float|None, unrounded), shown (str), rank (int|None),
    proposed_grade, grade (final: adjusted, else proposed), flags [str: tie_at_quota, veto,
    over_quota, ...], ballots (int: valid ballots that rated it, all categories),
    by_category {name: {score, shown, ballots}}, adjustment (latest: {from_grade, grade, reason,
    actor, created_at}) or None}``, rows in rank order (unranked last).
    Errors: 404 campaign or locality not readable, 403 role, 422 a ``limit`` out of 1..1000 or
    a negative ``offset``."""
    with ctx.db.read() as session:
        loaded = _load(session, actor, campaign_id, locality_code)
        campaign = loaded.campaign
        tallied = campaign.status in TALLIED
        labels = grade_labels(session, campaign.id)
        held = _held(session, campaign) if tallied else {}
        rows, total = _ranked(session, loaded, labels, held, limit, offset) if tallied else ([], 0)
        sizes: dict[str, int] = defaultdict(int)
        for (category, _grade), n in held.items():
            sizes[category] += n
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(row["category"], []).append(row)
        return {
            "campaign": _campaign_out(loaded),
            "tallied": tallied,
            "published": campaign.status == CampaignStatus.published,
            "decimals": loaded.decimals,
            "evaluator_categories": [
                {"name": c.name, "weight": float(c.weight)} for c in categories_of(session, campaign.id)
            ],
            "grade_labels": labels,
            "total": total,
            "offset": offset if limit is not None else 0,
            "groups": [
                {"category": name, "count": sizes[name], "subjects": subjects} for name, subjects in groups.items()
            ],
        }
