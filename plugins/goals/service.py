"""The goals' tree: the indicator dictionary, creating and changing goals, moving a branch,
reordering, copying a set to another year, publishing, and the versions kept after publishing.
The only code (with ``shares`` and ``progress``) that writes the goals' tables.

**Versions.** A set is published by its writer (``publish``): each draft goal becomes
published and version 1 keeps it as published. Any later change of a published goal (its fields,
its place in the tree, its people) adds a version with what changed (field: [before, after]),
marks it ``changed_after_publish`` and writes the audit log (``goals.changed``).

Errors (``core.services.errors``): 404 for a locality, unit, team or goal the actor may not read;
403 for one they may read but not change; 422 for bad fields, each naming the field."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Locality, Person, Unit
from core.models.base import utcnow
from core.services import audit
from core.services.access import locality_for
from core.services.errors import Conflict
from plugins.goals import calc, rollups
from plugins.goals.access import goal_for, invalid, lists_of, readable_set
from plugins.goals.models import Direction, Goal, GoalAssignment, GoalIndicator, GoalKind, GoalProgress, GoalVersion
from plugins.goals.schemas import (
    GoalIn,
    GoalOut,
    GoalPatch,
    MoveIn,
    PublishOut,
    ReorderIn,
    ShareOut,
)

# The fields a version compares and keeps.
SNAPSHOT_FIELDS = (
    "name",
    "weight",
    "kind",
    "source",
    "supervising_unit_id",
    "start_date",
    "end_date",
    "standard",
    "indicator_id",
    "baseline",
    "target",
    "direction",
    "counts_for_assessment",
    "parent_id",
    "sort_order",
)
# What a copy keeps besides its place (unit, team, year, parent, dates moved).
COPIED_FIELDS = tuple(f for f in SNAPSHOT_FIELDS if f not in ("parent_id", "start_date", "end_date"))


# --- reading ---------------------------------------------------------------------------------------


def people_of(session: Session, goal_ids: list[int]) -> dict[int, list[ShareOut]]:
    """The people of each goal, lead roles first as listed, then by name."""
    found: dict[int, list[ShareOut]] = {}
    if not goal_ids:
        return found
    rows = session.exec(
        select(GoalAssignment, Person.name)
        .join(Person, col(Person.id) == GoalAssignment.person_id)
        .where(col(GoalAssignment.goal_id).in_(goal_ids))
        .order_by(col(GoalAssignment.share).desc(), col(Person.name))
    )
    for row, name in rows:
        found.setdefault(row.goal_id, []).append(
            ShareOut(person_id=row.person_id, person_name=name, role=row.role, share=row.share)
        )
    return found


def goal_out(goal: Goal, people: list[ShareOut] | None = None, measure: str = "", **extra: Any) -> GoalOut:
    return GoalOut(
        id=goal.id,
        unit_id=goal.unit_id,
        team_id=goal.team_id,
        year=goal.year,
        parent_id=goal.parent_id,
        sort_order=goal.sort_order,
        name=goal.name,
        weight=goal.weight,
        kind=goal.kind,
        source=goal.source,
        supervising_unit_id=goal.supervising_unit_id,
        start=goal.start_date,
        end=goal.end_date,
        standard=goal.standard,
        indicator_id=goal.indicator_id,
        measure=measure,
        baseline=goal.baseline,
        target=goal.target,
        direction=goal.direction,
        counts_for_assessment=goal.counts_for_assessment,
        published=goal.published_at is not None,
        changed_after_publish=goal.changed_after_publish,
        versions=goal.versions,
        copied_from=goal.copied_from,
        people=people or [],
        **extra,
    )


def set_goals(session: Session, locality_id: int, unit_id: int, team_id: int | None, year: int) -> list[Goal]:
    """The goals of one set, in (parent, sort order, id) order."""
    query = select(Goal).where(Goal.locality_id == locality_id, Goal.unit_id == unit_id, Goal.year == year)
    query = query.where(Goal.team_id == team_id) if team_id is not None else query.where(col(Goal.team_id).is_(None))
    return list(session.exec(query.order_by(col(Goal.sort_order), col(Goal.id))))


def depth_first(goals: list[Goal]) -> list[tuple[Goal, int]]:
    """The goals depth first (children under their parent, in sort order), each with its depth."""
    children: dict[int | None, list[Goal]] = {}
    for goal in goals:
        children.setdefault(goal.parent_id, []).append(goal)
    out: list[tuple[Goal, int]] = []
    stack = [(g, 0) for g in reversed(children.get(None, []))]
    while stack:
        goal, depth = stack.pop()
        out.append((goal, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(goal.id, [])))
    return out


def branch_ids(session: Session, goal: Goal) -> list[int]:
    """``goal`` and every goal under it."""
    found, level = [goal.id], [goal.id]
    while level:
        level = list(session.exec(select(Goal.id).where(col(Goal.parent_id).in_(level))))
        found.extend(level)
    return found


# --- checks ----------------------------------------------------------------------------------------


def _check_fields(session: Session, locality: Locality, values: dict[str, Any]) -> None:
    """The rules a goal's fields obey together (``values`` holds the model's field names)."""
    year = values["year"]
    start, end = values["start_date"], values["end_date"]
    if start > end:
        raise invalid("end", "the goal ends ({end}) before it starts ({start})", start=start, end=end)
    if start.year != year or end.year != year:
        raise invalid("start", "a goal of {year} starts and ends in {year}", year=year)
    sources, _roles = lists_of(session, locality.id)
    if values["source"] and values["source"] not in sources:
        raise invalid(
            "source",
            "the source {source} is not in the list: {sources}",
            source=values["source"],
            sources="、".join(sources),
        )
    supervising = values.get("supervising_unit_id")
    if supervising is not None:
        unit = session.get(Unit, supervising)
        if unit is None or unit.locality_id != locality.id:
            raise invalid("supervising_unit_id", "no unit with id {unit_id}", unit_id=supervising)
    if values["kind"] == GoalKind.qualitative:
        values.update(
            indicator_id=None, baseline=None, target=None, direction=values.get("direction") or Direction.higher
        )
        return
    indicator = session.get(GoalIndicator, values["indicator_id"]) if values.get("indicator_id") else None
    if indicator is None or indicator.locality_id != locality.id:
        raise invalid("indicator_id", "a quantitative goal measures an indicator of the dictionary")
    baseline, target = values.get("baseline"), values.get("target")
    if baseline is None or target is None:
        raise invalid("target", "a quantitative goal needs a baseline and a target")
    if target == baseline:
        raise invalid("target", "the target ({target}) equals the baseline: there is nothing to reach", target=target)
    if values.get("direction") is None:
        values["direction"] = indicator.direction
    if values["direction"] == Direction.higher and target < baseline:
        raise invalid(
            "target",
            "higher is better, so the target ({target}) must be above the baseline ({baseline})",
            target=target,
            baseline=baseline,
        )
    if values["direction"] == Direction.lower and target > baseline:
        raise invalid(
            "target",
            "lower is better, so the target ({target}) must be below the baseline ({baseline})",
            target=target,
            baseline=baseline,
        )


def _parent(session: Session, locality: Locality, goal_like: Any, parent_id: int | None) -> Goal | None:
    if parent_id is None:
        return None
    parent = session.get(Goal, parent_id)
    if (
        parent is None
        or parent.locality_id != locality.id
        or parent.unit_id != goal_like.unit_id
        or parent.team_id != goal_like.team_id
        or parent.year != goal_like.year
    ):
        raise invalid(
            "parent_id",
            "the parent goal {parent_id} is not a goal of the same unit, team and year",
            parent_id=parent_id,
        )
    return parent


def next_order(
    session: Session, locality_id: int, unit_id: int, team_id: int | None, year: int, parent_id: int | None
) -> int:
    """The sort order after the last child of ``parent_id`` (null: the top) in a set."""
    query = select(func.max(Goal.sort_order)).where(
        Goal.locality_id == locality_id, Goal.unit_id == unit_id, Goal.year == year
    )
    query = (
        query.where(Goal.parent_id == parent_id)
        if parent_id is not None
        else query.where(col(Goal.parent_id).is_(None))
    )
    query = query.where(Goal.team_id == team_id) if team_id is not None else query.where(col(Goal.team_id).is_(None))
    highest = session.exec(query).one()
    return 0 if highest is None else highest + 1


# --- versions --------------------------------------------------------------------------------------


def snapshot(session: Session, goal: Goal) -> dict[str, Any]:
    """A goal's fields and people as a version keeps them (JSON values)."""
    data = {name: getattr(goal, name) for name in SNAPSHOT_FIELDS}
    data["start_date"], data["end_date"] = goal.start_date.isoformat(), goal.end_date.isoformat()
    data["people"] = [
        f"{row.person_id}:{row.role}:{row.share:g}"
        for row in session.exec(
            select(GoalAssignment).where(GoalAssignment.goal_id == goal.id).order_by(col(GoalAssignment.person_id))
        )
    ]
    return data


def keep_version(session: Session, actor: Actor, goal: Goal, before: dict[str, Any]) -> None:
    """After a change of a published goal: a version with what changed (none if nothing did),
    the flag, and the audit log."""
    if goal.published_at is None:
        return
    after = snapshot(session, goal)
    changes = {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
    if not changes:
        return
    goal.versions += 1
    goal.changed_after_publish = True
    goal.updated_at = utcnow()
    session.add(goal)
    session.add(
        GoalVersion(
            locality_id=goal.locality_id,
            goal_id=goal.id,
            number=goal.versions,
            snapshot=after,
            changes=changes,
            written_by=actor.username,
        )
    )
    session.flush()
    audit.record(
        session,
        actor,
        locality_id=goal.locality_id,
        action="goals.changed",
        target_type="goal",
        target_id=goal.id,
        before={k: v[0] for k, v in changes.items()},
        after={k: v[1] for k, v in changes.items()},
    )


# --- writing ---------------------------------------------------------------------------------------


def create_goal(ctx: AppContext, actor: Actor, code: str, data: GoalIn) -> GoalOut:
    """A new draft goal of a set, last among its siblings. 404/403 per ``plugins.goals.access``;
    422 per field (dates, source, indicator, baseline and target, parent)."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        readable_set(session, actor, locality, data.unit_id, data.team_id, write=True)
        values = data.model_dump(exclude={"start", "end"})
        values.update(start_date=data.start, end_date=data.end, locality_id=locality.id)
        _check_fields(session, locality, values)
        goal = Goal(**{k: v for k, v in values.items() if v is not None or k in ("parent_id", "team_id")})
        _parent(session, locality, goal, data.parent_id)
        goal.sort_order = next_order(session, locality.id, goal.unit_id, goal.team_id, goal.year, data.parent_id)
        session.add(goal)
        session.flush()
        rollups.touch_goals(session, [goal])
        return goal_out(goal)


def update_goal(ctx: AppContext, actor: Actor, code: str, goal_id: int, data: GoalPatch) -> GoalOut:
    """Change the fields given; a published goal keeps a version of the change."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goal = goal_for(session, actor, locality, goal_id, write=True)
        before = snapshot(session, goal)
        values = {name: getattr(goal, name) for name in SNAPSHOT_FIELDS}
        values["year"] = goal.year
        given = data.model_dump(exclude_unset=True)
        if "start" in given:
            given["start_date"] = given.pop("start")
        if "end" in given:
            given["end_date"] = given.pop("end")
        if "kind" in given and given["kind"] == GoalKind.quantitative and "direction" not in given:
            values["direction"] = None  # from the indicator, unless given
        values.update(given)
        _check_fields(session, locality, values)
        for name in SNAPSHOT_FIELDS:
            if name not in ("parent_id", "sort_order"):
                setattr(goal, name, values[name])
        goal.updated_at = utcnow()
        session.add(goal)
        if (goal.baseline, goal.target) != (before["baseline"], before["target"]):
            rebase_reports(session, goal)
        session.flush()
        rollups.touch_goals(session, [goal])
        keep_version(session, actor, goal, before)
        return goal_out(goal, people_of(session, [goal.id]).get(goal.id))


def rebase_reports(session: Session, goal: Goal) -> None:
    """After a quantitative goal's baseline or target changed: its reports' percentages again
    from their actual values (``calc.percent_of``), so that the list, the roll-ups and the chart
    read one basis; a report reaching 100 % is done, as when it was filed. The caller touches the
    goal's set (``rollups.touch_goals``) in the same transaction."""
    if goal.kind != GoalKind.quantitative or goal.baseline is None or goal.target is None:
        return
    reports = session.exec(
        select(GoalProgress).where(GoalProgress.goal_id == goal.id, col(GoalProgress.actual).is_not(None))
    )
    for row in reports:
        percent = calc.percent_of(row.actual, goal.baseline, goal.target)
        if percent != row.percent:
            row.percent, row.done = percent, row.done or percent >= 100.0
            session.add(row)


def delete_goal(ctx: AppContext, actor: Actor, code: str, goal_id: int) -> None:
    """Delete a draft goal with its branch. 409 for a published goal or a branch holding one."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goal = goal_for(session, actor, locality, goal_id, write=True)
        ids = branch_ids(session, goal)
        published = session.exec(
            select(Goal.name).where(col(Goal.id).in_(ids), col(Goal.published_at).is_not(None))
        ).first()
        if published is not None:
            raise Conflict("the goal {name} is published; change it instead of deleting it", params={"name": published})
        from core.services import attachments, discussion
        from plugins.goals.files import delete_for_goals

        for goal_id in ids:  # comments, likes and files are not reached by the database's CASCADE
            discussion.delete_for_target(session, "goals.goal", goal_id)
        from plugins.goals import report_discussion

        report_discussion.delete_for_goals(session, ids)
        paths = delete_for_goals(ctx, session, ids)
        rollups.touch_goals(session, [goal])
        session.delete(goal)
    attachments.remove_files(paths)


def move_goal(ctx: AppContext, actor: Actor, code: str, goal_id: int, data: MoveIn) -> GoalOut:
    """Move a goal and its branch under ``data.parent_id`` (same set; null: the top), at
    ``data.position`` among its new siblings. 422 when the new parent is the goal itself or
    one of its sub-goals (a cycle)."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        goal = goal_for(session, actor, locality, goal_id, write=True)
        parent = _parent(session, locality, goal, data.parent_id)
        if parent is not None and parent.id in branch_ids(session, goal):
            raise invalid(
                "parent_id",
                "the goal {name} cannot move under {parent}: that is the goal itself or one of its sub-goals",
                name=goal.name,
                parent=parent.name,
            )
        before = snapshot(session, goal)
        siblings = [
            g
            for g in set_goals(session, locality.id, goal.unit_id, goal.team_id, goal.year)
            if g.parent_id == data.parent_id and g.id != goal.id
        ]
        position = len(siblings) if data.position is None else min(data.position, len(siblings))
        siblings.insert(position, goal)
        goal.parent_id = data.parent_id
        _renumber(session, actor, siblings, skip=goal.id)
        goal.sort_order = position
        session.add(goal)
        session.flush()
        rollups.touch_goals(session, [goal])
        keep_version(session, actor, goal, before)
        return goal_out(goal, people_of(session, [goal.id]).get(goal.id))


def _renumber(session: Session, actor: Actor, ordered: list[Goal], skip: int | None = None) -> None:
    for number, goal in enumerate(ordered):
        if goal.sort_order != number and goal.id != skip:
            before = snapshot(session, goal)
            goal.sort_order = number
            session.add(goal)
            session.flush()
            keep_version(session, actor, goal, before)


def reorder(
    ctx: AppContext, actor: Actor, code: str, unit_id: int, team_id: int | None, year: int, data: ReorderIn
) -> list[GoalOut]:
    """Put the children of ``data.parent_id`` in the set in ``data.order`` (every one of them,
    once: 422 otherwise). Answers them in their new order."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        readable_set(session, actor, locality, unit_id, team_id, write=True)
        siblings = {
            g.id: g for g in set_goals(session, locality.id, unit_id, team_id, year) if g.parent_id == data.parent_id
        }
        if sorted(data.order) != sorted(siblings):
            raise invalid(
                "order", "list every sub-goal of the parent once: {ids}", ids=", ".join(map(str, sorted(siblings)))
            )
        ordered = [siblings[i] for i in data.order]
        _renumber(session, actor, ordered)
        return [goal_out(g) for g in ordered]


def publish(ctx: AppContext, actor: Actor, code: str, unit_id: int, team_id: int | None, year: int) -> PublishOut:
    """Publish the set's draft goals: each keeps version 1 as published; audited
    (``goals.published``). Publishing a set without drafts changes nothing."""
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        readable_set(session, actor, locality, unit_id, team_id, write=True)
        drafts = [g for g in set_goals(session, locality.id, unit_id, team_id, year) if g.published_at is None]
        now = utcnow()
        for goal in drafts:
            goal.published_at = now
            goal.versions = 1
            session.add(goal)
            session.add(
                GoalVersion(
                    locality_id=locality.id,
                    goal_id=goal.id,
                    number=1,
                    snapshot=snapshot(session, goal),
                    changes={},
                    written_by=actor.username,
                )
            )
        if drafts:
            session.flush()
            audit.record(
                session,
                actor,
                locality_id=locality.id,
                action="goals.published",
                target_type="goal_set",
                target_id=f"{unit_id}/{team_id or ''}/{year}",
                after={"goals": [g.id for g in drafts]},
            )
        return PublishOut(published=len(drafts))
