"""The goals' console pages, in the console's shell (``/admin/localities/{code}/goals...``):

* ``/goals?unit_id=&team_id=&year=``: a set's goal tree (a unit's goals, or a leadership
  team's) with weights, people and shares, progress bars, statuses, red flags (done) and the
  "changed after publishing" mark; links to add a goal or a sub-goal, edit or move one, decompose
  it, report its progress; the publish button while drafts remain. For the office (any unit) and
  a unit's administrator (their unit).
* ``/goals/new`` and ``/goals/{id}/edit``: the goal form (editing also moves it under another
  parent of the set).
* ``/goals/{id}/people``: decomposition: a row per member with a role and a share, the sum and
  the difference from 100 % shown while typing and checked when saved.
* ``/goals/{id}/progress``: the progress entry, one column for a phone, with the goal's reports;
  also for the people the goal is given to.

Forms carry the session's CSRF token; a locality that has not enabled goals answers 404; what a
service refuses is shown on the form, in the reader's language, and nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from pydantic import ValidationError

from core.models import Role
from core.services.errors import Invalid, ServiceError
from core.web.admin.shell import Shell, exception_handlers, field_errors, open_shell
from plugins.goals import choices, progress, service, shares
from plugins.goals.access import today
from plugins.goals.models import Direction, GoalKind, GoalStatus
from plugins.goals.schemas import AssignIn, GoalIn, GoalPatch, MoveIn, ShareIn

CONSOLE_CHECKS = {"public": True}  # the plugin guard lets the page run; open_shell checks the session
ADMIN_ROLES = frozenset({Role.platform_admin.value, Role.office.value, Role.unit_admin.value})
STATUS_LABELS = {
    GoalStatus.on_track: "On track",
    GoalStatus.behind: "Behind",
    GoalStatus.overdue: "Overdue",
    GoalStatus.done: "Done",
}
FIELD_LABELS = {
    "name": "Name",
    "weight": "Weight",
    "kind": "Type",
    "source": "Source",
    "supervising_unit_id": "Supervising unit",
    "start_date": "Starts",
    "end_date": "Ends",
    "standard": "Completion standard",
    "indicator_id": "Indicator",
    "baseline": "Baseline",
    "target": "Target value",
    "direction": "Direction",
    "counts_for_assessment": "Counts for the assessment",
    "parent_id": "Under",
    "sort_order": "Order",
    "people": "People",
}
NOT_A_NUMBER = "{value} is not a number"
NOT_A_DATE = "{value} is not a date; write 2026-03-31"
CHECK_FIELD = "please check this field: out of range or too long"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _number(data: dict[str, str], name: str) -> float | None:
    text = (data.get(name) or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise Invalid(NOT_A_NUMBER, params={"value": text}, errors=[{"field": name, "message": "not a number"}])
    return number


def _date(data: dict[str, str], name: str) -> date | None:
    text = (data.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(NOT_A_DATE, params={"value": text}, errors=[{"field": name, "message": "not a date"}]) from None


def _validated(model: type, values: dict[str, Any]) -> Any:
    """``model`` from ``values``, or a 422 naming the first field refused."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        where = str(exc.errors()[0]["loc"][0]) if exc.errors() and exc.errors()[0]["loc"] else ""
        raise Invalid(CHECK_FIELD, errors=[{"field": where, "message": CHECK_FIELD}]) from None


def _set_query(unit_id: int, team_id: int | None, year: int) -> str:
    return urlencode({k: v for k, v in {"unit_id": unit_id, "team_id": team_id, "year": year}.items() if v})


def _common(shell: Shell, code: str) -> dict[str, Any]:
    return {
        "status_label": lambda status: shell._(STATUS_LABELS[GoalStatus(status)]),
        "when": shell.tr.datetime,
        "field_label": lambda name: shell._(FIELD_LABELS.get(name, name)),
        "kind_label": lambda kind: (
            shell._(choices.COMMENT_KIND_LABELS[kind]) if kind in choices.COMMENT_KIND_LABELS else kind
        ),
        "code": code,
        "base": f"/admin/localities/{code}/goals",
    }


# --- the tree -------------------------------------------------------------------------------------


@get("/localities/{code:str}/goals", include_in_schema=False, opt=CONSOLE_CHECKS)
async def tree_page(
    request: Request,
    code: FromPath[str],
    unit_id: FromQuery[str | None] = None,
    team_id: FromQuery[str | None] = None,
    year: FromQuery[str | None] = None,
    published: FromQuery[str | None] = None,
    imported: FromQuery[str | None] = None,
    goals_imported: FromQuery[str | None] = None,
    copied: FromQuery[str | None] = None,
    assigned: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    return await render_tree(
        shell,
        code,
        unit_id,
        team_id,
        year,
        published=_int(published),
        imported=_int(imported),
        goals_imported=_int(goals_imported),
        copied=_int(copied),
        assigned=_int(assigned),
    )


async def render_tree(
    shell: Shell,
    code: str,
    unit_id: str | None,
    team_id: str | None,
    year: str | None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The tree page of the chosen set (the first unit the actor manages, the unit's own goals and
    this year by default); ``extra``: ``published``, ``imported``, ``goals_imported``,
    ``copied``, ``assigned``, ``problems``, ``error``."""
    lists = await run_sync(choices.choices, shell.ctx, shell.actor, code)
    day = await run_sync(today, shell.ctx)
    chosen_year = _int(year) or day.year
    chosen_year = chosen_year if 1900 <= chosen_year <= 2199 else day.year
    unit = _int(unit_id)
    if unit not in {u[0] for u in lists.units}:
        unit = lists.units[0][0] if lists.units else None
    team = _int(team_id)
    if unit is None or team not in {t[0] for t in lists.teams.get(unit, [])}:
        team = None
    tree = None
    if unit is not None:
        tree = await run_sync(progress.goal_tree, shell.ctx, shell.actor, code, unit, team, chosen_year)
    return shell.render(
        "goals/tree.html",
        title=shell._("Goals"),
        crumbs=[],
        lists=lists,
        unit=unit,
        team=team,
        year=chosen_year,
        tree=tree,
        query=_set_query(unit, team, chosen_year) if unit else "",
        published=extra.pop("published", None),
        imported=extra.pop("imported", None),
        goals_imported=extra.pop("goals_imported", None),
        copied=extra.pop("copied", None),
        assigned=extra.pop("assigned", None),
        problems=extra.pop("problems", []),
        error=extra.pop("error", ""),
        status_code=status_code,
        **_common(shell, code),
    )


@post("/localities/{code:str}/goals/publish", include_in_schema=False, opt=CONSOLE_CHECKS)
async def publish(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    shell.check_csrf(data)
    unit, team, year = _int(data.get("unit_id")), _int(data.get("team_id")), _int(data.get("year"))
    if unit is None or year is None:
        raise Invalid(CHECK_FIELD)
    out = await run_sync(service.publish, shell.ctx, shell.actor, code, unit, team, year)
    return Redirect(
        f"/admin/localities/{code}/goals?{_set_query(unit, team, year)}&published={out.published}", status_code=303
    )


# --- the goal form --------------------------------------------------------------------------------


def _goal_values(data: dict[str, str]) -> dict[str, Any]:
    """The goal form's fields as the service's names, numbers and dates parsed (422 naming one)."""
    kind = data.get("kind") or GoalKind.qualitative.value
    quantitative = kind == GoalKind.quantitative.value
    return {
        "name": data.get("name", ""),
        "weight": _number(data, "weight") or 1.0,
        "kind": kind,
        "source": data.get("source", ""),
        "supervising_unit_id": _int(data.get("supervising_unit_id")),
        "start": _date(data, "start"),
        "end": _date(data, "end"),
        "standard": data.get("standard", "").replace("\r\n", "\n"),
        "indicator_id": _int(data.get("indicator_id")) if quantitative else None,
        "baseline": _number(data, "baseline") if quantitative else None,
        "target": _number(data, "target") if quantitative else None,
        "direction": (data.get("direction") or None) if quantitative else None,
        "counts_for_assessment": data.get("counts_for_assessment") == "1",
    }


def _form(shell: Shell, code: str, goal: Any, values: dict[str, Any], **context: Any) -> Response:
    title = shell._("Edit a goal") if goal is not None else shell._("Add a goal")
    return shell.render(
        "goals/form.html",
        title=title,
        crumbs=[(shell._("Goals"), f"/admin/localities/{code}/goals?{context['query']}"), (title, None)],
        goal=goal,
        values=values,
        kinds=[k.value for k in GoalKind],
        directions=[d.value for d in Direction],
        error=context.pop("error", ""),
        errors=context.pop("errors", {}),
        **context,
        **_common(shell, code),
    )


async def _form_lists(shell: Shell, code: str, goal_set: tuple[int, int | None, int], goal_id: int | None) -> dict:
    lists = await run_sync(choices.choices, shell.ctx, shell.actor, code)
    tree = await run_sync(progress.goal_tree, shell.ctx, shell.actor, code, *goal_set)
    parents, skip = [], None
    for g in tree.goals:  # a goal cannot move under itself or its own branch
        if skip is not None and g.depth > skip:
            continue
        skip = g.depth if g.id == goal_id else None
        if skip is None:
            parents.append((g.id, "　" * g.depth + g.name))
    return {"lists": lists, "parents": parents, "query": _set_query(*goal_set)}


@get("/localities/{code:str}/goals/new", include_in_schema=False, opt=CONSOLE_CHECKS)
async def new_page(
    request: Request,
    code: FromPath[str],
    unit_id: FromQuery[str],
    year: FromQuery[str],
    team_id: FromQuery[str | None] = None,
    parent_id: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    goal_set = (_int(unit_id) or 0, _int(team_id), _int(year) or 0)
    extra = await _form_lists(shell, code, goal_set, None)
    y = goal_set[2]
    values = {"weight": 1, "start": f"{y}-01-01", "end": f"{y}-12-31", "counts_for_assessment": True}
    values["parent_id"] = _int(parent_id)
    return _form(shell, code, None, values, goal_set=goal_set, **extra)


@post("/localities/{code:str}/goals/new", include_in_schema=False, opt=CONSOLE_CHECKS)
async def create(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    shell.check_csrf(data)
    goal_set = (_int(data.get("unit_id")) or 0, _int(data.get("team_id")), _int(data.get("year")) or 0)
    try:
        values = _goal_values(data)
        payload = _validated(
            GoalIn,
            {
                **values,
                "unit_id": goal_set[0],
                "team_id": goal_set[1],
                "year": goal_set[2],
                "parent_id": _int(data.get("parent_id")),
            },
        )
        await run_sync(service.create_goal, shell.ctx, shell.actor, code, payload)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        errors, general = field_errors(shell.tr, exc)
        extra = await _form_lists(shell, code, goal_set, None)
        return _form(
            shell,
            code,
            None,
            {
                **data,
                "parent_id": _int(data.get("parent_id")),
                "counts_for_assessment": data.get("counts_for_assessment") == "1",
            },
            goal_set=goal_set,
            error=general,
            errors=errors,
            status_code=exc.status_code,
            **extra,
        )
    return Redirect(f"/admin/localities/{code}/goals?{_set_query(*goal_set)}", status_code=303)


@get("/localities/{code:str}/goals/{goal_id:int}/edit", include_in_schema=False, opt=CONSOLE_CHECKS)
async def edit_page(request: Request, code: FromPath[str], goal_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    goal_set = (goal.unit_id, goal.team_id, goal.year)
    extra = await _form_lists(shell, code, goal_set, goal.id)
    values = goal.model_dump(mode="json")
    return _form(shell, code, goal, values, goal_set=goal_set, **extra)


@post("/localities/{code:str}/goals/{goal_id:int}/edit", include_in_schema=False, opt=CONSOLE_CHECKS)
async def update(
    request: Request, code: FromPath[str], goal_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    shell.check_csrf(data)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    goal_set = (goal.unit_id, goal.team_id, goal.year)
    try:
        patch = _validated(GoalPatch, _goal_values(data))
        parent = _int(data.get("parent_id"))
        if parent != goal.parent_id:
            await run_sync(service.move_goal, shell.ctx, shell.actor, code, goal_id, MoveIn(parent_id=parent))
        await run_sync(service.update_goal, shell.ctx, shell.actor, code, goal_id, patch)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        errors, general = field_errors(shell.tr, exc)
        extra = await _form_lists(shell, code, goal_set, goal.id)
        return _form(
            shell,
            code,
            goal,
            {
                **data,
                "parent_id": _int(data.get("parent_id")),
                "counts_for_assessment": data.get("counts_for_assessment") == "1",
            },
            goal_set=goal_set,
            error=general,
            errors=errors,
            status_code=exc.status_code,
            **extra,
        )
    return Redirect(f"/admin/localities/{code}/goals?{_set_query(*goal_set)}", status_code=303)


# --- decomposition --------------------------------------------------------------------------------


def _people_page(shell: Shell, code: str, goal: Any, people: list, rows: list[dict], **context: Any) -> Response:
    lists = context.pop("lists")
    return shell.render(
        "goals/people.html",
        title=shell._("Decompose: {name}", name=goal.name),
        crumbs=[
            (shell._("Goals"), f"/admin/localities/{code}/goals?{_set_query(goal.unit_id, goal.team_id, goal.year)}"),
            (goal.name, None),
        ],
        goal=goal,
        rows=rows,
        roles=lists.roles,
        total=round(sum(r["share"] or 0 for r in rows if r["on"]), 2),
        error=context.pop("error", ""),
        **context,
        **_common(shell, code),
    )


@get("/localities/{code:str}/goals/{goal_id:int}/people", include_in_schema=False, opt=CONSOLE_CHECKS)
async def people_page(request: Request, code: FromPath[str], goal_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    people = await run_sync(choices.candidates, shell.ctx, shell.actor, code, goal_id)
    lists = await run_sync(choices.choices, shell.ctx, shell.actor, code)
    given = {p.person_id: p for p in goal.people}
    rows = [
        {
            "person_id": pid,
            "name": name,
            "on": pid in given,
            "role": given[pid].role if pid in given else lists.roles[0] if lists.roles else "",
            "share": given[pid].share if pid in given else None,
        }
        for pid, name in people
    ]
    return _people_page(shell, code, goal, people, rows, lists=lists)


@post("/localities/{code:str}/goals/{goal_id:int}/people", include_in_schema=False, opt=CONSOLE_CHECKS)
async def people_save(
    request: Request, code: FromPath[str], goal_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """Fields per candidate ``p``: ``on-{p}`` (given), ``role-{p}``, ``share-{p}``."""
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    shell.check_csrf(data)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    people = await run_sync(choices.candidates, shell.ctx, shell.actor, code, goal_id)
    lists = await run_sync(choices.choices, shell.ctx, shell.actor, code)
    rows, chosen = [], []
    try:
        for pid, name in people:
            share = _number(data, f"share-{pid}")
            on = data.get(f"on-{pid}") == "1"
            rows.append({"person_id": pid, "name": name, "on": on, "role": data.get(f"role-{pid}", ""), "share": share})
            if on:
                chosen.append(
                    _validated(ShareIn, {"person_id": pid, "role": data.get(f"role-{pid}", ""), "share": share or 0})
                )
        await run_sync(shares.assign, shell.ctx, shell.actor, code, goal_id, AssignIn(people=chosen))
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        rows += [
            {
                "person_id": pid,
                "name": name,
                "on": data.get(f"on-{pid}") == "1",
                "role": data.get(f"role-{pid}", ""),
                "share": None,
            }
            for pid, name in people[len(rows) :]
        ]
        return _people_page(
            shell, code, goal, people, rows, lists=lists, error=shell.tr.error(exc), status_code=exc.status_code
        )
    return Redirect(
        f"/admin/localities/{code}/goals?{_set_query(goal.unit_id, goal.team_id, goal.year)}", status_code=303
    )


def page_routes() -> list:
    from plugins.goals.assign_pages import ROUTES as assign_routes
    from plugins.goals.comment_pages import ROUTES as comment_routes
    from plugins.goals.copy_pages import ROUTES as copy_routes
    from plugins.goals.order_pages import ROUTES as order_routes
    from plugins.goals.person_table_pages import ROUTES as person_table_routes
    from plugins.goals.progress_pages import ROUTES as progress_routes
    from plugins.goals.report_comment_pages import ROUTES as report_comment_routes
    from plugins.goals.scoring_pages import ROUTES as scoring_routes
    from plugins.goals.search_pages import ROUTES as search_routes
    from plugins.goals.sheet_pages import ROUTES as sheet_routes
    from plugins.goals.status_pages import ROUTES as status_routes

    return [
        Router(
            path="/admin",
            route_handlers=[
                tree_page,
                publish,
                new_page,
                create,
                edit_page,
                update,
                people_page,
                people_save,
                *progress_routes,
                *sheet_routes,
                *copy_routes,
                *assign_routes,
                *order_routes,
                *search_routes,
                *comment_routes,
                *report_comment_routes,
                *status_routes,
                *scoring_routes,
                *person_table_routes,
            ],
            exception_handlers=exception_handlers,
        )
    ]
