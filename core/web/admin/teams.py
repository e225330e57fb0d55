"""Leadership team pages (领导班子) of a locality: the list by unit with each team's type and
size, a new team, and a team's page to edit its name, unit, type, end of term (届满, optional) and members (team post,
administrative post, what each is in charge of 分管工作, the units each supervises 分管部门,
phone); the teams as .xlsx in the columns of the team import.

Office users change teams; a unit admin reads them."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from pydantic import ValidationError

from core.models.org import TEAM_TYPE_LABELS
from core.schemas.org import TeamIn, TeamPatch
from core.services import org as org_service
from core.services import org_lists, team_members
from core.services.errors import ServiceError
from core.web.admin.forms import keep, model_errors, to_int
from core.web.admin.menu import OFFICE, READERS
from core.web.admin.shell import Shell, field_errors, open_shell, paging
from core.web.downloads import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEMBER_FIELDS = ("person", "person_id", "post", "admin_post", "in_charge_of", "supervised", "phone")
BLANK_ROWS = 3  # empty member rows under the members, for adding


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}/teams"


def type_options(shell: Shell) -> list[tuple[str, str]]:
    index = 0 if shell.tr.locale == "zh_CN" else 1
    return [(value, labels[index]) for value, labels in TEAM_TYPE_LABELS.items()]


async def _unit_options(shell: Shell) -> list[tuple[int, str]]:
    units = await run_sync(org_lists.all_units, shell.ctx, shell.actor, shell.code)
    return [(u.id, "\u3000" * depth + f"{u.name} ({u.code})") for u, depth in org_lists.tree_order(units)]


def _team_values(data: dict[str, str]) -> dict[str, str]:
    return {name: str(data.get(name, "")).strip() for name in ("name", "unit_id", "type", "term_end")}


def _team_body(values: dict[str, str]) -> dict[str, Any]:
    unit = to_int(values["unit_id"]) if values["unit_id"] else None
    return {
        "name": values["name"],
        "unit_id": unit if unit is not None else 0,
        "type": values["type"] or "other",
        "term_end": values.get("term_end") or None,
    }


def _filters(q: str = "", unit: str = "", team_type: str = "") -> dict[str, str]:
    unit_id = to_int(unit) if unit else None
    return {"q": q.strip()[:50], "unit": str(unit_id) if unit_id else "", "type": team_type.strip()[:20]}


async def _list_page(
    shell: Shell,
    values: dict[str, str],
    errors: dict[str, str],
    message: str = "",
    status_code: int = 200,
    filters: dict[str, str] | None = None,
    page: int = 1,
) -> Response:
    """The list (filtered in SQL, ``TEAMS_PAGE`` a page; with HTMX only ``#teams-results`` is
    rendered) and the form to add a team."""
    filters = filters or _filters()
    size = org_lists.TEAMS_PAGE
    found = await run_sync(
        lambda: org_lists.search_teams(
            shell.ctx,
            shell.actor,
            shell.code,
            q=filters["q"],
            unit_id=to_int(filters["unit"]) if filters["unit"] else None,
            team_type=filters["type"],
            offset=(max(page, 1) - 1) * size,
            limit=size,
        )
    )
    only_results = shell.wants_fragment("teams-results")
    return shell.render(
        "admin/org/teams.html",
        title=shell._("Leadership teams"),
        crumbs=[(shell.locality["name"], None)],
        fragment=("teams-results", "admin/org/_teams_results.html"),
        teams=found.items,
        p=paging(found.total, found.offset // size + 1, size),
        filters=filters,
        kept=keep(filters),
        types=dict(type_options(shell)),
        type_options=type_options(shell),
        unit_options=[] if only_results else await _unit_options(shell),
        values=values,
        errors=errors,
        message=message,
        may_change=shell.actor.role in OFFICE and shell.locality["writable"],
        status_code=status_code,
    )


@get("/localities/{code:str}/teams", include_in_schema=False)
async def teams_page(
    request: Request,
    code: FromPath[str],
    q: FromQuery[str] = "",
    unit: FromQuery[str] = "",
    type: FromQuery[str] = "",  # noqa: A002 - the query parameter's name
    page: FromQuery[str] = "1",
) -> Response:
    """``q`` a word in a team's or its unit's name, ``unit`` one unit's teams, ``type`` one type."""
    shell = await open_shell(request, code, roles=READERS)
    return await _list_page(
        shell,
        {"name": "", "unit_id": "", "type": "other", "term_end": ""},
        {},
        filters=_filters(q, unit, type),
        page=to_int(page) or 1,
    )


@post("/localities/{code:str}/teams", include_in_schema=False)
async def team_create(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    values = _team_values(data)
    try:
        body = TeamIn.model_validate(_team_body(values))
        team = await run_sync(org_service.create_team, shell.ctx, shell.actor, shell.code, body)
    except ValidationError as exc:
        return await _list_page(shell, values, model_errors(shell.tr, exc), status_code=422)
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        if not errors:
            errors = {"name": general}
        return await _list_page(shell, values, errors, status_code=exc.status_code)
    return Redirect(f"{_base(shell)}/{team.id}?created=1")


@get("/localities/{code:str}/teams/export", include_in_schema=False)
async def teams_export(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    content = await run_sync(team_members.teams_workbook, shell.ctx, shell.actor, shell.code, shell.tr.locale)
    name = attachment(shell.tr, "teams-{code}", ".xlsx", code=shell.code)
    return Response(content, media_type=XLSX, headers={"Content-Disposition": name})


def _member_rows(data: dict[str, str]) -> list[dict[str, str]]:
    count = min(to_int(data.get("rows", "")) or 0, team_members.MAX_MEMBERS + BLANK_ROWS)
    return [{name: str(data.get(f"m-{i}-{name}", "")).strip() for name in MEMBER_FIELDS} for i in range(count)]


async def _team_form(
    shell: Shell,
    team_id: int,
    values: dict[str, str] | None,
    rows: list[dict[str, str]] | None,
    errors: dict[str, str],
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    team = await run_sync(org_service.get_team, shell.ctx, shell.actor, shell.code, team_id)
    if values is None:
        values = {
            "name": team.name,
            "unit_id": str(team.unit_id),
            "type": team.type,
            "term_end": team.term_end.isoformat() if team.term_end else "",
        }
    if rows is None:
        rows = await run_sync(team_members.member_rows, shell.ctx, shell.actor, shell.code, team_id)
    rows = [row for row in rows if row.get("person")] + [dict.fromkeys(MEMBER_FIELDS, "")] * BLANK_ROWS
    return shell.render(
        "admin/org/team.html",
        title=team.name,
        crumbs=[(shell.locality["name"], None), (shell._("Leadership teams"), _base(shell))],
        team=team,
        values=values,
        rows=rows,
        errors=errors,
        message=message,
        error=error,
        type_options=type_options(shell),
        unit_options=await _unit_options(shell),
        may_change=shell.actor.role in OFFICE and shell.locality["writable"],
        status_code=status_code,
    )


@get("/localities/{code:str}/teams/{team_id:int}", include_in_schema=False)
async def team_page(
    request: Request, code: FromPath[str], team_id: FromPath[int], created: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    return await _team_form(shell, team_id, None, None, {}, message=shell._("Saved.") if created else "")


def _member_errors(shell: Shell, exc: ServiceError) -> dict[str, str]:
    """``members[2].person`` -> ``m-2-person``, so each message stands beside its cell."""
    errors, _general = field_errors(shell.tr, exc)
    found = {}
    for name, text in errors.items():
        if name.startswith("members[") and "]." in name:
            index, _, field = name[len("members[") :].partition("].")
            found[f"m-{index}-{field.split('[')[0]}"] = text
        else:
            found[name] = text
    return found


@post("/localities/{code:str}/teams/{team_id:int}", include_in_schema=False)
async def team_update(
    request: Request, code: FromPath[str], team_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``save`` (name, unit, type and the member rows ``m-{i}-{field}``) or ``delete``."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    if data.get("action") == "delete":
        try:
            await run_sync(org_service.delete_team, shell.ctx, shell.actor, shell.code, team_id)
        except ServiceError as exc:
            return await _team_form(
                shell, team_id, None, None, {}, error=shell.tr.error(exc), status_code=exc.status_code
            )
        return Redirect(_base(shell))
    values = _team_values(data)
    rows = _member_rows(data)
    try:
        body = _team_body(values)
        members = await run_sync(
            team_members.members_from_form, shell.ctx, shell.actor, shell.code, body["unit_id"], rows
        )
        patch = TeamPatch.model_validate({**body, "members": [m.model_dump() for m in members]})
        await run_sync(org_service.update_team, shell.ctx, shell.actor, shell.code, team_id, patch)
    except ValidationError as exc:
        return await _team_form(shell, team_id, values, rows, model_errors(shell.tr, exc), status_code=422)
    except ServiceError as exc:
        errors = _member_errors(shell, exc)
        general = "" if errors else shell.tr.error(exc)
        return await _team_form(
            shell, team_id, values, rows, errors, error=general or shell.tr.error(exc), status_code=exc.status_code
        )
    return await _team_form(shell, team_id, None, None, {}, message=shell._("Saved."))


ROUTES = [teams_page, team_create, teams_export, team_page, team_update]
