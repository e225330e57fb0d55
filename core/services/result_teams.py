"""A team's (领导班子) members in a tallied campaign (read-only), for the bubble chart.

Role and tenant are checked, and scores rounded, as in ``core.services.result_details`` (the
ranking, which this builds on).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import (
    Campaign,
    CampaignResult,
    Person,
    Subject,
    Team,
    TeamMember,
)
from core.services.campaigns import categories_of
from core.services.errors import NotFound
from core.services.result_details import TALLIED, _campaign_out, _load, _rows, show_score
from core.services.templates import template_data


def _members_query(campaign: Campaign, query):
    """``query`` (a select of columns) over the team members who are people subjects with a
    result in the campaign."""
    return (
        query.select_from(TeamMember)
        .join(Person, Person.id == TeamMember.person_id)
        .join(
            Subject,
            (Subject.ref_id == Person.id) & (Subject.kind == "person") & (Subject.locality_id == campaign.locality_id),
        )
        .join(CampaignResult, (CampaignResult.subject_id == Subject.id) & (CampaignResult.campaign_id == campaign.id))
        .where(TeamMember.locality_id == campaign.locality_id, Person.locality_id == campaign.locality_id)
    )


def _member_pairs(session: Session, campaign: Campaign, team_id: int | None = None) -> list[tuple[int, int]]:
    """(team id, subject id) of the people subjects with a result in the campaign, per team."""
    query = _members_query(campaign, select(TeamMember.team_id, Subject.id))
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
        campaign = loaded.campaign
        # the members counted per team in the query that finds them, with the team's name: one
        # statement and a row per team (it read every member, then each team by id)
        counted = (
            _members_query(campaign, select(Team.id, Team.name, Team.unit_id, func.count()))
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.locality_id == campaign.locality_id)
            .group_by(col(Team.id), col(Team.name), col(Team.unit_id))
        )
        return sorted(
            (
                {"team_id": team_id, "name": name, "unit_id": unit_id, "members": int(n)}
                for team_id, name, unit_id, n in session.exec(counted).all()
            ),
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
