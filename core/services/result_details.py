"""What the results pages and reports show of a tallied campaign (read-only).

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
    Person,
    Role,
    Subject,
    Team,
    TeamMember,
)
from core.scoring import TemplateData
from core.services import ballot_grades
from core.services.access import OFFICE_ROLES, require_role
from core.services.campaigns import categories_of, get_campaign_row
from core.services.decisions import grade_labels
from core.services.errors import NotFound
from core.services.paging import paginate
from core.services.templates import template_data

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
) -> tuple[list[dict[str, Any]], int]:
    """The result rows in ranking order (subject category, rank, unranked last), all of them or
    the page ``limit``/``offset`` (``core.services.paging``, in SQL); and how many there are."""
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
    if limit is None:
        pairs, total = session.execute(query).all(), sum(held.values())
    else:
        page = paginate(session, query, limit, offset, lambda _session, row: row)
        pairs, total = page.items, page.total
    adjustments = select(Adjustment).where(Adjustment.campaign_id == campaign.id)
    if limit is not None:
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


# --- one subject -----------------------------------------------------------------------------


def _grade_counts(session: Session, campaign: Campaign, subject_id: int) -> list[tuple[int, int, int, int]]:
    """(category id, indicator id, grade index, count) over the valid ballots that rated the subject."""
    return [(c, i, g, n) for c, _s, i, g, n in ballot_grades.grade_counts(session, campaign, subject_id=subject_id)]


def indicator_means(
    templates: dict[int, TemplateData],
    category_names: dict[int, str],
    category_template: dict[int, int],
    counts: list[tuple[int, int, int, int]],
    decimals: int,
) -> tuple[list[dict[str, Any]], dict]:
    """Per graded leaf (by code, tree order): mean hidden score overall and per evaluator category."""
    parents = {i.parent_id for t in templates.values() for i in t.indicators if i.parent_id is not None}
    by_id = {i.id: (t, i) for t in templates.values() for i in t.indicators}
    names = {i.id: i.name for t in templates.values() for i in t.indicators}
    order: dict[str, dict[str, Any]] = {}
    for template in templates.values():
        for indicator in template.indicators:
            if indicator.kind == "graded" and indicator.id not in parents and indicator.code not in order:
                order[indicator.code] = {
                    "code": indicator.code,
                    "name": indicator.name,
                    "parent": names.get(indicator.parent_id, ""),
                    "overall": indicator.overall,
                    "max": max((s for _label, s in template.grades), default=None),
                }
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    per_category: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for category_id, indicator_id, grade, n in counts:
        found = by_id.get(indicator_id)
        if found is None or category_template.get(category_id) != found[0].id:
            continue
        template, indicator = found
        if indicator.code not in order or not 0 <= grade < len(template.grades):
            continue
        hidden = template.grades[grade][1]
        for acc in (sums[indicator.code], per_category[(indicator.code, category_names[category_id])]):
            acc[0] += n * hidden
            acc[1] += n
    rows = []
    for code, row in order.items():
        total, n = sums.get(code, (0.0, 0))
        mean = total / n if n else None
        by_category = {}
        for name in category_names.values():
            c_total, c_n = per_category.get((code, name), (0.0, 0))
            if c_n:
                by_category[name] = {"score": c_total / c_n, "shown": show_score(c_total / c_n, decimals)}
        rows.append(
            {**row, "score": mean, "shown": show_score(mean, decimals), "answers": n, "by_category": by_category}
        )
    return rows, by_id


def _distribution(
    templates: dict[int, TemplateData],
    category_template: dict[int, int],
    by_id: dict,
    counts: list[tuple[int, int, int, int]],
    labels: list[str],
) -> dict[str, Any]:
    """Grades given to the subject: on the overall indicator when the templates have one (one
    answer per ballot), else on every graded leaf."""
    overall_ids = {i.id for t in templates.values() for i in t.indicators if i.overall and i.kind == "graded"}
    parents = {i.parent_id for t in templates.values() for i in t.indicators if i.parent_id is not None}
    basis = "overall" if any(ind in overall_ids for _c, ind, _g, _n in counts) else "items"
    tally: dict[str, int] = dict.fromkeys(labels, 0)
    for category_id, indicator_id, grade, n in counts:
        found = by_id.get(indicator_id)
        if found is None or category_template.get(category_id) != found[0].id:
            continue
        template, indicator = found
        wanted = (
            indicator_id in overall_ids
            if basis == "overall"
            else (indicator.kind == "graded" and indicator.id not in parents)
        )
        if wanted and 0 <= grade < len(template.grades):
            label = template.grades[grade][0]
            tally[label] = tally.get(label, 0) + n
    return {
        "basis": basis,
        "counts": [{"grade": label, "count": count} for label, count in tally.items()],
        "total": sum(tally.values()),
    }


def _comments(session: Session, campaign: Campaign, subject_id: int) -> list[str]:
    return sorted(c.strip() for c in ballot_grades.comments_about(session, campaign, subject_id) if c.strip())


def _history(session: Session, campaign: Campaign, subject: Subject, decimals: int) -> list[dict[str, Any]]:
    """The same subject (or the same unit/team/person behind another subject) in earlier tallied
    campaigns of the same kind and locality, oldest first."""
    same = col(CampaignResult.subject_id) == subject.id
    if subject.ref_id is not None:
        same = same | ((Subject.kind == subject.kind) & (Subject.ref_id == subject.ref_id))
    rows = session.exec(
        select(CampaignResult, Campaign, Subject)
        .join(Campaign, Campaign.id == CampaignResult.campaign_id)
        .join(Subject, Subject.id == CampaignResult.subject_id)
        .where(
            CampaignResult.locality_id == campaign.locality_id,
            Campaign.locality_id == campaign.locality_id,
            Campaign.kind == campaign.kind,
            col(Campaign.id) < campaign.id,
            col(Campaign.status).in_([s.value for s in TALLIED]),
            same,
        )
        .order_by(col(Campaign.created_at), col(Campaign.id))
    ).all()
    return [
        {
            "campaign_id": c.id,
            "campaign_name": c.name,
            "period": c.period,
            "status": c.status,
            "subject_id": s.id,
            "score": r.score,
            "shown": show_score(r.score, decimals),
            "rank": r.rank,
            "grade": r.grade if r.grade is not None else r.proposed_grade,
        }
        for r, c, s in rows
    ]


def subject_details(
    ctx: AppContext, actor: Actor, campaign_id: int, subject_id: int, *, locality_code: str | None = None
) -> dict[str, Any]:
    """One subject's results in a tallied campaign.

    Returns ``{"campaign": {...as campaign_results}, "tallied": bool, "published": bool,
    "decimals": int, "grade_labels": [str], "subject": row (as in campaign_results, with its
    flags), "group_size": int (subjects in its subject category),
    "by_category": [{"name", "weight", "score", "shown", "ballots"}] (every evaluator category that
    rates it, in the campaign's order; score None without ballots),
    "indicators": [{"code", "name", "parent" (name or ""), "overall" (bool), "max" (best grade's
    hidden score), "score" (mean hidden score, float|None), "shown", "answers" (int),
    "by_category": {name: {score, shown}}}] (graded leaves in tree order),
    "values": [{"code", "name", "kind", "score", "shown"}] (bonus/deduction/numeric indicators
    the rule counted), "distribution": {"basis": "overall"|"items", "counts": [{"grade",
    "count"}] (every label, best first), "total": int}, "comments": [str] (valid ballots that
    rated it, sorted by text), "history": [{"campaign_id", "campaign_name", "period", "status",
    "subject_id", "score", "shown", "rank", "grade"}] (oldest first), "adjustments": [{"from_grade",
    "grade", "reason", "actor", "created_at"}] (oldest first)}``.
    Errors: 404 campaign, locality or subject (not a subject with a result in this campaign),
    403 role. A campaign not tallied answers ``tallied: False`` and ``subject: None``."""
    with ctx.db.read() as session:
        loaded = _load(session, actor, campaign_id, locality_code)
        campaign, decimals = loaded.campaign, loaded.decimals
        labels = grade_labels(session, campaign.id)
        out: dict[str, Any] = {
            "campaign": _campaign_out(loaded),
            "tallied": campaign.status in TALLIED,
            "published": campaign.status == CampaignStatus.published,
            "decimals": decimals,
            "grade_labels": labels,
            "subject": None,
        }
        if not out["tallied"]:
            return out
        rows = _rows(session, loaded)
        row = next((r for r in rows if r["subject_id"] == subject_id), None)
        if row is None:
            raise NotFound("no subject with id {id} in this campaign's results", params={"id": subject_id})
        subject = session.get(Subject, subject_id)
        categories = [c for c in categories_of(session, campaign.id) if c.template_id is not None]
        templates = {tid: template_data(session, tid) for tid in dict.fromkeys(c.template_id for c in categories)}
        category_template = {c.id: c.template_id for c in categories}
        category_names = {c.id: c.name for c in categories}
        counts = _grade_counts(session, campaign, subject_id)
        indicators, by_id = indicator_means(templates, category_names, category_template, counts, decimals)
        rated = {category_names.get(c) for c, _i, _g, _n in counts}
        by_category = []
        for c in categories:
            entry = row["by_category"].get(c.name)
            if (
                entry is None
                and c.name not in rated
                and c.subject_categories
                and subject.category not in c.subject_categories
            ):
                continue
            entry = entry or {"score": None, "shown": "", "ballots": 0}
            by_category.append({"name": c.name, "weight": float(c.weight), **entry})
        graded = {i["code"] for i in indicators}
        kinds = {i.code: (i.name, i.kind) for t in templates.values() for i in t.indicators}
        result = session.exec(
            select(CampaignResult).where(
                CampaignResult.campaign_id == campaign.id, CampaignResult.subject_id == subject_id
            )
        ).one()
        values = [
            {
                "code": code,
                "name": kinds.get(code, (code, ""))[0],
                "kind": kinds.get(code, ("", ""))[1],
                "score": entry.get("score"),
                "shown": show_score(entry.get("score"), decimals),
            }
            for code, entry in (result.by_indicator or {}).items()
            if code not in graded
        ]
        adjustments = session.exec(
            select(Adjustment)
            .where(Adjustment.campaign_id == campaign.id, Adjustment.subject_id == subject_id)
            .order_by(col(Adjustment.id))
        ).all()
        out.update(
            subject=row,
            group_size=sum(1 for r in rows if r["category"] == row["category"]),
            by_category=by_category,
            indicators=indicators,
            values=values,
            distribution=_distribution(templates, category_template, by_id, counts, labels),
            comments=_comments(session, campaign, subject_id),
            history=_history(session, campaign, subject, decimals),
            adjustments=[
                {
                    "from_grade": a.from_grade,
                    "grade": a.grade,
                    "reason": a.reason,
                    "actor": a.actor,
                    "created_at": a.created_at,
                }
                for a in adjustments
            ],
        )
        return out


# --- a team's members ------------------------------------------------------------------------


def _member_pairs(session: Session, campaign: Campaign, team_id: int | None = None) -> list[tuple[int, int]]:
    """(team id, subject id) of the people subjects with a result in the campaign, per team."""
    query = (
        select(TeamMember.team_id, Subject.id)
        .join(Person, Person.id == TeamMember.person_id)
        .join(
            Subject,
            (Subject.ref_id == Person.id) & (Subject.kind == "person") & (Subject.locality_id == campaign.locality_id),
        )
        .join(CampaignResult, (CampaignResult.subject_id == Subject.id) & (CampaignResult.campaign_id == campaign.id))
        .where(TeamMember.locality_id == campaign.locality_id, Person.locality_id == campaign.locality_id)
    )
    if team_id is not None:
        query = query.where(TeamMember.team_id == team_id)
    return [(int(t), int(s)) for t, s in session.exec(query).all()]


def campaign_teams(
    ctx: AppContext, actor: Actor, campaign_id: int, *, locality_code: str | None = None
) -> list[dict[str, Any]]:
    """The teams (领导班子) with at least one member ranked in the campaign:
    ``[{"team_id", "name", "unit_id", "members": int}]`` by name. Empty before the tally.
    Errors: 404 campaign or locality, 403 role."""
    with ctx.db.read() as session:
        loaded = _load(session, actor, campaign_id, locality_code)
        if loaded.campaign.status not in TALLIED:
            return []
        members: dict[int, int] = defaultdict(int)
        for team_id, _subject_id in _member_pairs(session, loaded.campaign):
            members[team_id] += 1
        if not members:
            return []
        teams = session.exec(
            select(Team).where(col(Team.id).in_(list(members)), Team.locality_id == loaded.campaign.locality_id)
        ).all()
        return sorted(
            ({"team_id": t.id, "name": t.name, "unit_id": t.unit_id, "members": members[t.id]} for t in teams),
            key=lambda t: (t["name"], t["team_id"]),
        )


def team_bubbles(
    ctx: AppContext,
    actor: Actor,
    campaign_id: int,
    team_id: int,
    *,
    y: str | None = None,
    locality_code: str | None = None,
) -> dict[str, Any]:
    """A team's members ranked in the campaign, for a bubble chart: x = evaluation score,
    y = another component, bubble size = valid ballots that rated the member.

    Components (``components``: ``[{"key", "label", "kind": "category"|"indicator"}]``) are each
    evaluator category's score (``category:<name>``) and each non-graded indicator the rule counted
    (``indicator:<code>``, e.g. a bonus or a performance figure). ``y`` picks one (default: the first
    indicator component, else the first category; None when there is none).
    Returns ``{"campaign": {...}, "tallied", "decimals", "team": {"team_id", "name"},
    "components": [...], "y": key|None, "members": [{"subject_id", "name", "score", "shown", "rank",
    "grade", "ballots", "y" (float|None), "y_shown"}]}`` by rank.
    Errors: 404 campaign, locality, or a team of another locality / with no member ranked; 403 role."""
    with ctx.db.read() as session:
        loaded = _load(session, actor, campaign_id, locality_code)
        campaign = loaded.campaign
        team = session.get(Team, team_id)
        if team is None or team.locality_id != campaign.locality_id or campaign.status not in TALLIED:
            raise NotFound("no team with id {id} in this campaign's results", params={"id": team_id})
        wanted = {s for _t, s in _member_pairs(session, campaign, team_id)}
        if not wanted:
            raise NotFound("no team with id {id} in this campaign's results", params={"id": team_id})
        rows = [r for r in _rows(session, loaded) if r["subject_id"] in wanted]
        results = {
            r.subject_id: r
            for r in session.exec(
                select(CampaignResult).where(
                    CampaignResult.campaign_id == campaign.id, col(CampaignResult.subject_id).in_(list(wanted))
                )
            )
        }
        categories = [c.name for c in categories_of(session, campaign.id)]
        templates = [
            template_data(session, tid)
            for tid in dict.fromkeys(
                c.template_id for c in categories_of(session, campaign.id) if c.template_id is not None
            )
        ]
        names = {i.code: i.name for t in templates for i in t.indicators if i.kind != "graded"}
        components = [
            {"key": f"indicator:{code}", "label": name, "kind": "indicator"}
            for code, name in names.items()
            if any(code in (results[s].by_indicator or {}) for s in results)
        ]
        components += [
            {"key": f"category:{name}", "label": name, "kind": "category"}
            for name in categories
            if any(name in r["by_category"] for r in rows)
        ]
        keys = [c["key"] for c in components]
        chosen = y if y in keys else (keys[0] if keys else None)
        members = []
        for row in rows:
            value = None
            if chosen and chosen.startswith("indicator:"):
                value = ((results[row["subject_id"]].by_indicator or {}).get(chosen[10:]) or {}).get("score")
            elif chosen:
                value = (row["by_category"].get(chosen[9:]) or {}).get("score")
            members.append(
                {
                    "subject_id": row["subject_id"],
                    "name": row["name"],
                    "score": row["score"],
                    "shown": row["shown"],
                    "rank": row["rank"],
                    "grade": row["grade"],
                    "ballots": row["ballots"],
                    "y": value,
                    "y_shown": show_score(value, loaded.decimals),
                }
            )
        return {
            "campaign": _campaign_out(loaded),
            "tallied": True,
            "decimals": loaded.decimals,
            "team": {"team_id": team.id, "name": team.name},
            "components": components,
            "y": chosen,
            "members": members,
        }
