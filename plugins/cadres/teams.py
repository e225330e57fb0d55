"""Teams in the cadre cloud: the relationship check of candidates placed into a leadership
team (or of any set of people), the team's structure before and after, and a scan of every
team of the locality for relations among its members. The checks themselves are the pure
``relations`` and ``structure`` modules; this module reads their facts (``loader``), and logs
every check in the view log (the team's members and the candidates)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core.context import Actor, AppContext
from core.models import Team, TeamMember, Unit
from core.services.errors import Invalid, NotFound
from plugins.cadres.access import cadre_locality
from plugins.cadres.facts import PostSpan
from plugins.cadres.loader import CHUNK, load_facts
from plugins.cadres.models import ViewAction
from plugins.cadres.relations import Relation
from plugins.cadres.relations import Team as ScanTeam
from plugins.cadres.rules import cadre_options, relation_checker
from plugins.cadres.service import record_view
from plugins.cadres.structure import StructureReport, simulate

MAX_CANDIDATES = 20
TERM_YEARS = 5  # the term assumed for a team without its own end of term (core teams.term_end)
# core team types -> the team level the structure rules name
TEAM_LEVELS = {"township": "township"}


def _team(session: Session, locality_id: int, team_id: int) -> tuple[Team, Unit | None]:
    """The locality's team ``team_id`` and its unit, in one statement; 404 otherwise."""
    found = (
        session.exec(select(Team, Unit).outerjoin(Unit, Unit.id == Team.unit_id).where(Team.id == team_id)).first()
        if 0 < team_id < 2**31
        else None
    )
    if found is None or found[0].locality_id != locality_id:
        raise NotFound("no team with id {team_id}", params={"team_id": team_id})
    return found[0], found[1]


def _message(message: Any) -> dict[str, Any]:
    return {"msgid": message.msgid, "params": {k: str(v) for k, v in message.params.items()}}


def relation_out(relation: Relation, names: dict[Any, str]) -> dict[str, Any]:
    """A relation as data: kind, strength, the two people and the evidence as messages
    (``{"msgid", "params"}``, translated by the page or the client)."""
    return {
        "kind": relation.kind,
        "strength": relation.strength,
        "a": relation.a,
        "a_name": names.get(relation.a, ""),
        "b": relation.b,
        "b_name": names.get(relation.b, ""),
        "evidence": [_message(m) for m in relation.evidence],
    }


def _figures_out(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures a reader is shown beside the counts: the average age, and the locality's
    words for the unit levels of the experience counts."""
    shown: dict[str, Any] = {}
    if "average_age" in figures:
        shown["average_age"] = figures["average_age"]
    if "labels" in figures:
        shown["labels"] = dict(figures["labels"])
    return shown


def report_out(report: StructureReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "dimensions": {
            name: {
                "status": d.status,
                "counts": {label: list(ids) for label, ids in d.counts.items()},
                "why": [_message(m) for m in d.why],
                **_figures_out(d.figures),
            }
            for name, d in report.dimensions.items()
        },
        "retiring": [
            {"person": r.person, "name": r.name, "retires_on": r.retires_on.isoformat()} for r in report.retiring
        ],
    }


def term_end(start: date) -> date:
    """The end of a term of ``TERM_YEARS`` begun on ``start`` (a term begun on 29 February ends
    on the 28th)."""
    try:
        return start.replace(year=start.year + TERM_YEARS)
    except ValueError:
        return start.replace(year=start.year + TERM_YEARS, day=28)


def _today(on: date | None) -> date:
    return on or date.today()


def check_team(
    ctx: AppContext,
    actor: Actor,
    code: str,
    team_id: int,
    add: list[int] | None = None,
    remove: list[int] | None = None,
    *,
    on: date | None = None,
) -> dict[str, Any]:
    """Place the people ``add`` into team ``team_id`` (taking out ``remove``, its members):
    ``{"team": {id, name, unit, type}, "term_end": {date, assumed}`` (the team's end of term,
    or, when the team has none, ``TERM_YEARS`` from the day of the check: ``assumed``),
    ``"members": [{id, name, post}], "candidates": [...],
    "relations": [relation_out] of the candidates (of the members among themselves without
    candidates), "existing": [relation_out] among the members, "before"/"after": report_out,
    "changes": [{dimension, before, after}]}``. Candidates of another locality: 404; more than
    ``MAX_CANDIDATES``: 422. Logged."""
    add, remove, today = list(dict.fromkeys(add or [])), set(remove or []), _today(on)
    if len(add) > MAX_CANDIDATES:
        raise Invalid("add: at most {max} candidates at once", params={"max": MAX_CANDIDATES})
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        team, unit = _team(session, locality.id, team_id)
        rows = session.exec(
            select(TeamMember.person_id, TeamMember.post).where(TeamMember.team_id == team.id).order_by(TeamMember.id)
        ).all()
        member_ids = [pid for pid, _post in rows]
        facts = load_facts(session, ctx.keys, locality.id, [*member_ids, *add])
        missing = [pid for pid in add if pid not in facts]
        if missing:
            raise NotFound("no person with id {person_id}", params={"person_id": missing[0]})
        members = [facts[pid] for pid in member_ids if pid in facts]
        candidates = [facts[pid] for pid in add]
        options = cadre_options(session, locality.id)  # read once: the relations' rules and the structure's
        checker = relation_checker(session, locality.id, today, options)
        team_unit = PostSpan(unit_name=unit.name if unit else "", unit_id=team.unit_id).unit_key
        found, existing = _placed(checker, candidates, members, team_unit)
        names = {pid: f.name for pid, f in facts.items()}
        level = TEAM_LEVELS.get(team.type, "county")
        ends = team.term_end or term_end(today)  # the team's own end of term, else TERM_YEARS from today
        before, after, changes = simulate(
            members,
            add=candidates,
            remove=remove,
            options=options.structure,
            on=today,
            term_end=ends,
            team_level=level,
        )
        record_view(
            session, actor, locality.id, ViewAction.relations, [*member_ids, *add], f"team {team.id}: {team.name}"
        )
        posts = dict(rows)
        return {
            "team": {"id": team.id, "name": team.name, "unit": unit.name if unit else "", "type": team.type},
            "term_end": {"date": ends, "assumed": team.term_end is None},
            "members": [{"id": m.id, "name": m.name, "post": posts.get(m.id, "")} for m in members],
            "candidates": [{"id": c.id, "name": c.name} for c in candidates],
            "relations": [relation_out(r, names) for r in found],
            "existing": [relation_out(r, names) for r in existing],
            "before": report_out(before),
            "after": report_out(after),
            "changes": [{"dimension": c.dimension, "before": c.before, "after": c.after} for c in changes],
            "names": {str(pid): name for pid, name in names.items()},
        }


def _placed(checker, candidates: list, members: list, team_unit: str) -> tuple[list[Relation], list[Relation]]:
    """The relations of the candidates placed into the team, and those among its members, as
    ``checker.placement`` and ``checker.within(members)`` find them: in one pass over the
    candidates and members together when no candidate is a member already (the relations of a
    pair do not depend on who else is there, and the pairs keep their order), else in two."""
    candidate_ids = {c.id for c in candidates}
    if not candidates or candidate_ids & {m.id for m in members}:
        found = checker.placement(candidates, members, team_unit=team_unit) if candidates else []
        return found, checker.within(members, exclude_units=(team_unit,))
    both = checker.within([*candidates, *members], exclude_units=(team_unit,))
    found = [r for r in both if r.a in candidate_ids or r.b in candidate_ids]
    return found, [r for r in both if r.a not in candidate_ids and r.b not in candidate_ids]


def check_people(
    ctx: AppContext, actor: Actor, code: str, person_ids: list[int], *, on: date | None = None
) -> list[dict]:
    """Every relation among any set of people of the locality (2 to 200). Logged."""
    ids = list(dict.fromkeys(person_ids))
    if not 2 <= len(ids) <= 200:
        raise Invalid("person_ids: give 2 to 200 people")
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        facts = load_facts(session, ctx.keys, locality.id, ids)
        missing = [pid for pid in ids if pid not in facts]
        if missing:
            raise NotFound("no person with id {person_id}", params={"person_id": missing[0]})
        found = relation_checker(session, locality.id, _today(on)).within([facts[pid] for pid in ids])
        record_view(session, actor, locality.id, ViewAction.relations, ids, "people")
        names = {pid: f.name for pid, f in facts.items()}
        return [relation_out(r, names) for r in found]


def list_teams(ctx: AppContext, actor: Actor, code: str) -> list[dict[str, Any]]:
    """The locality's teams with their unit and member count, by unit and name."""
    with ctx.db.read() as session:
        locality = cadre_locality(session, actor, code)
        count = select(TeamMember.team_id, func.count().label("n")).group_by(TeamMember.team_id).subquery()
        rows = session.exec(
            select(Team.id, Team.name, Unit.name, func.coalesce(count.c.n, 0))
            .join(Unit, Unit.id == Team.unit_id)
            .outerjoin(count, count.c.team_id == Team.id)
            .where(Team.locality_id == locality.id)
            .order_by(Unit.code, Team.name)
        ).all()
        return [{"id": tid, "name": name, "unit": unit, "members": n} for tid, name, unit, n in rows]


def scan_teams(ctx: AppContext, actor: Actor, code: str, *, on: date | None = None) -> list[dict[str, Any]]:
    """Relations among the members of every team of the locality: ``[{team_id, team, unit,
    relations: [relation_out]}]`` for the teams with any, strongest first. Logged (no people)."""
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        teams = session.exec(
            select(Team.id, Team.name, Team.unit_id, Unit.name)
            .join(Unit, Unit.id == Team.unit_id)
            .where(Team.locality_id == locality.id)
        ).all()
        members: dict[int, list[int]] = {}
        for team_id, pid in session.exec(
            select(TeamMember.team_id, TeamMember.person_id).where(TeamMember.locality_id == locality.id)
        ):
            members.setdefault(team_id, []).append(pid)
        member_ids = {p for ps in members.values() for p in ps}
        # many members: read the whole locality by its indexes rather than by lists of ids
        facts = load_facts(session, ctx.keys, locality.id, None if len(member_ids) > CHUNK else member_ids)
        scan = [
            ScanTeam(
                id=tid,
                members=[facts[p] for p in members.get(tid, []) if p in facts],
                unit_key=PostSpan(unit_name=unit_name, unit_id=unit_id).unit_key,
            )
            for tid, _name, unit_id, unit_name in teams
        ]
        found = relation_checker(session, locality.id, _today(on)).scan(scan)
        record_view(session, actor, locality.id, ViewAction.relations, [], f"scan of {len(teams)} teams")
        names = {pid: f.name for pid, f in facts.items()}
        info = {tid: (name, unit_name) for tid, name, _u, unit_name in teams}
        out = [
            {
                "team_id": tid,
                "team": info[tid][0],
                "unit": info[tid][1],
                "relations": [relation_out(r, names) for r in relations],
            }
            for tid, relations in found.items()
        ]
        return sorted(out, key=_strongest_first)


def _strongest_first(item: dict[str, Any]) -> tuple:
    return (-sum(r["strength"] == "strong" for r in item["relations"]), item["unit"], item["team"])
