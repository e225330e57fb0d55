"""The cadre cloud's pages in the console (``/admin/localities/{code}/cadres/...``), for the
organisation department only (404 for every other role and where the plugin is off):

* ``search``: the condition builder, the people found with the evidence of each condition,
  saved searches and the results as .xlsx (``search.xlsx``, same fields);
* ``people/{id}``: a cadre's profile with its derived figures;
* ``view-log``: who looked at whom and when (the head of the department only).

Team pages (relationship check and structure) are in ``team_pages``. Every read goes through
the services, which write the view log."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from openpyxl import Workbook
from sqlmodel import select

from core.models import Unit
from core.services.errors import Choices, ServiceError
from core.tabular.writer import append_row
from core.web.admin.shell import Shell, exception_handlers, field_errors, open_shell
from core.web.downloads import attachment
from plugins.cadres import queries, search, service, teams
from plugins.cadres.access import HEAD, READERS
from plugins.cadres.builder import form_from_query, query_from_form
from plugins.cadres.models import DEGREES, EDUCATION_LEVELS
from plugins.cadres.schemas import SavedQueryIn

CONSOLE_CHECKS = {"public": True}  # open_shell checks the session (as the worklog's pages)
MAX_TEAMS_OFFERED = 2000  # the search's "place into the team" list
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_FIELDS = (
    "post_text post_years education full_time degree age_below age_at_least on gender ethnicity party rank "
    "rank_years native tag training_min grade grade_years mode advanced"
).split()
KIND_LABELS = {
    "post": "Post held",
    "education": "Education",
    "degree": "Degree",
    "age": "Age",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "party": "Party",
    "rank": "Rank",
    "rank_years": "Since at rank",
    "native": "Native place",
    "tag": "Expertise",
    "training_hours": "Training hours",
    "grade": "Annual grades",
}
ACTION_LABELS = {
    "profile": "Read a profile",
    "search": "Searched",
    "relations": "Checked relations",
    "export": "Exported",
    "dossier": "Downloaded a dossier file",
    "form": "Made an appointment form",
}


def _units(shell: Shell) -> dict[int, str]:
    with shell.ctx.db.read() as session:
        return dict(session.exec(select(Unit.id, Unit.name).where(Unit.locality_id == shell.locality_id)).all())


def _form(params: dict[str, Any]) -> dict[str, Any]:
    return {name: str(params.get(name) or "")[:2000] for name in FORM_FIELDS}


def _on(form: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(form["on"]) if form.get("on") else None
    except ValueError:
        return None


@get("/localities/{code:str}/cadres/search", include_in_schema=False, opt=CONSOLE_CHECKS)
async def search_page(request: Request, code: FromPath[str], page: FromQuery[int] = 1) -> Response:
    """The builder; with any field filled, the people found (100 a page) and their evidence."""
    shell = await open_shell(request, code, roles=READERS)
    form = _form(dict(request.query_params))
    found, errors, error = None, {}, ""
    page = max(1, min(page, 10_000))
    size = 100
    saved = await run_sync(queries.list_queries, shell.ctx, shell.actor, code)
    query: dict[str, Any] = {}
    try:
        query = query_from_form(form)
        if query:
            found = await run_sync(
                lambda: search.run_search(
                    shell.ctx, shell.actor, code, query, limit=size, offset=(page - 1) * size, today=_on(form)
                )
            )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        errors, error = field_errors(shell.tr, readable_search_error(exc, query))
        query = {}
    units = await run_sync(_units, shell) if found else {}
    listed = await run_sync(teams.list_teams, shell.ctx, shell.actor, code) if found and found["items"] else []
    return shell.render(
        "cadres/search.html",
        title=shell._("Cadre search"),
        form=form,
        found=found,
        errors=errors,
        error=error,
        units=units,
        teams=listed[:MAX_TEAMS_OFFERED],
        saved=saved,
        page=page,
        pages=max(1, -(-found["total"] // size)) if found else 1,
        levels=list(EDUCATION_LEVELS),
        degrees=list(DEGREES),
        kind_label=lambda kind: shell._(KIND_LABELS.get(kind, kind)),
        query_text=json.dumps(query, ensure_ascii=False) if query else "",
        link=lambda **more: urlencode({**{k: v for k, v in form.items() if v}, **more}),
        code=code,
    )


@get("/localities/{code:str}/cadres/search.xlsx", include_in_schema=False, opt=CONSOLE_CHECKS)
async def search_export(request: Request, code: FromPath[str]) -> Response:
    """The people found (up to 500) as a workbook: a row each, a column per condition's evidence."""
    shell = await open_shell(request, code, roles=READERS)
    form = _form(dict(request.query_params))
    query = query_from_form(form)
    found = await run_sync(
        lambda: search.run_search(shell.ctx, shell.actor, code, query, limit=search.MAX_RESULTS, today=_on(form))
    )
    units = await run_sync(_units, shell)
    book = Workbook()
    sheet = book.active
    sheet.title = shell._("Cadre search")
    kinds = [e["kind"] for e in found["items"][0]["evidence"]] if found["items"] else []
    append_row(
        sheet,
        [
            shell._("Full name"),
            shell._("Gender"),
            shell._("Date of birth"),
            shell._("Unit"),
            shell._("Post"),
            shell._("Rank"),
        ]
        + [shell._(KIND_LABELS.get(k, k)) for k in kinds],
    )
    for item in found["items"]:
        append_row(
            sheet,
            [
                item["name"],
                item["gender"],
                item["birth_date"],
                units.get(item["unit_id"], ""),
                item["post"],
                item["rank"],
                *[e["detail"] for e in item["evidence"]],
            ],
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        media_type=XLSX,
        headers={"Content-Disposition": attachment(shell.tr, "cadres-search", ".xlsx")},
    )


@post("/localities/{code:str}/cadres/queries", include_in_schema=False, opt=CONSOLE_CHECKS)
async def save_query(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    """Save the form's query under ``name``; back to the search with it."""
    shell = await open_shell(request, code, roles=READERS)
    shell.check_csrf(data)
    form = _form(data)
    query = query_from_form(form)
    await run_sync(
        queries.save_query,
        shell.ctx,
        shell.actor,
        code,
        SavedQueryIn(name=(data.get("name") or "").strip()[:100] or "?", query=query),
    )
    return Redirect(
        f"/admin/localities/{code}/cadres/search?{urlencode({k: v for k, v in form.items() if v})}", status_code=303
    )


@get("/localities/{code:str}/cadres/queries/{query_id:int}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def open_query(request: Request, code: FromPath[str], query_id: FromPath[int]) -> Response:
    """A saved search, run: the search page with its fields filled."""
    shell = await open_shell(request, code, roles=READERS)
    saved = await run_sync(queries.list_queries, shell.ctx, shell.actor, code)
    chosen = next((q for q in saved if q.id == query_id), None)
    if chosen is None:
        from core.services.errors import NotFound

        raise NotFound("page not found")
    form = {k: v for k, v in form_from_query(chosen.query).items() if v not in ("", None, False)}
    return Redirect(f"/admin/localities/{code}/cadres/search?{urlencode(form)}", status_code=303)


@get("/localities/{code:str}/cadres/people/{person_id:int}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def profile_page(request: Request, code: FromPath[str], person_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    return await render_profile(shell, code, person_id)


async def render_profile(shell: Shell, code: str, person_id: int, file_error: str = "", status_code: int = 200):
    """The profile page, with its dossier files and the form export (``file_pages``)."""
    from core.services.attachments import max_bytes
    from plugins.cadres.dossier import list_dossier
    from plugins.cadres.photo import has_photo
    from plugins.cadres.warning_pages import NEGATIVE_LABELS
    from plugins.cadres.warnings import negative_records

    profile = await run_sync(service.read_profile, shell.ctx, shell.actor, code, person_id)
    files = await run_sync(list_dossier, shell.ctx, shell.actor, code, person_id)
    photo = await run_sync(has_photo, shell.ctx, shell.actor, code, person_id)
    negative = await run_sync(negative_records, shell.ctx, shell.actor, code, person_id)
    units = await run_sync(_units, shell)
    return shell.render(
        "cadres/profile.html",
        title=profile.name,
        crumbs=[(shell._("Cadre search"), f"/admin/localities/{code}/cadres/search"), (profile.name, None)],
        status_code=status_code,
        p=profile,
        unit=units.get(profile.unit_id or 0, ""),
        files=files,
        photo=photo,
        negative=negative,
        negative_label=lambda kind: shell._(NEGATIVE_LABELS.get(kind, kind)),
        file_error=file_error,
        max_mb=max_bytes(shell.ctx) // (1024 * 1024),
        when=shell.tr.datetime,
        code=code,
    )


_SCAN = re.compile(r"scan of (\d+) teams")
_TEAM = re.compile(r"team \d+: (.+)", re.S)


def _leaf_text(shell: Shell, leaf: dict) -> str:
    """One condition as the search page names it: its kind's label, then what it asks."""
    kind, parts = str(leaf.get("kind", "")), []
    value = next((leaf[k] for k in ("text", "value", "code") if leaf.get(k) not in (None, "")), None)
    if value is not None:
        parts.append(str(value))
    if leaf.get("at_least") not in (None, "") and kind in ("education", "degree"):
        parts.append(shell._("at least {value}", value=leaf["at_least"]))
    if leaf.get("full_time"):
        parts.append(shell._("full-time"))
    if kind == "age" and leaf.get("below") is not None:
        parts.append(shell._("under {years}", years=leaf["below"]))
    if kind == "age" and leaf.get("at_least") is not None:
        parts.append(shell._("{years} or over", years=leaf["at_least"]))
    if leaf.get("min_years") is not None:
        parts.append(shell._("{years} years or more", years=leaf["min_years"]))
    if leaf.get("min") is not None:
        parts.append(shell._("at least {value}", value=leaf["min"]))
    if kind == "grade" and leaf.get("years") is not None:
        parts.append(shell._("in the last {years} years", years=leaf["years"]))
    if leaf.get("on"):
        parts.append(shell._("on {day}", day=leaf["on"]))
    label = shell._(KIND_LABELS[kind]) if kind in KIND_LABELS else kind
    return f"{label}: {', '.join(parts)}" if parts else label


def describe_query(shell: Shell, query: Any, top: bool = True) -> str:
    """A saved or logged search as readable conditions in the reader's language
    (``任职经历: 乡镇党委书记, 满 3 年 且 性别: 女``); groups within groups in brackets."""
    if not isinstance(query, dict):
        return str(query)
    if "kind" in query:
        return _leaf_text(shell, query)
    items = [describe_query(shell, item, top=False) for item in query.get("items") or []]
    if not items:
        return shell._("no conditions")
    word = shell._("and") if query.get("op", "and") == "and" else shell._("or")
    joined = f" {word} ".join(items)
    return joined if top or len(items) == 1 else f"({joined})"


def readable_search_error(exc: ServiceError, query: Any) -> ServiceError:
    """A search's error about the condition at a path (``query.items.1.at_least: one of ...``)
    named instead by the condition's label (``Education: one of ...``, translated with the
    reason); ``errors[].field`` keeps the path for API clients. Any other error as it is."""
    path = str(exc.params.get("path", ""))
    if not exc.msgid.startswith("{path}: ") or not path.startswith("query"):
        return exc
    node: Any = query
    label = "Condition group"
    for part in path.split(".")[1:]:
        if isinstance(node, dict) and isinstance(node.get("items"), list) and part.isdigit():
            node = node["items"][int(part)] if int(part) < len(node["items"]) else None
        elif part != "items":
            break
        if isinstance(node, dict) and "kind" in node:
            label = KIND_LABELS.get(str(node["kind"]), "Condition")
            break
        if not isinstance(node, dict):
            label = "Condition"
    params = {k: v for k, v in exc.params.items() if k != "path"}
    readable = type(exc)(
        "{condition}: " + exc.msgid.removeprefix("{path}: "),
        params={"condition": Choices([label]), **params},
        errors=exc.errors,
    )
    return readable


def _detail(shell: Shell, detail: str) -> str:
    """A view-log line's detail in the reader's language: the relationship checks store theirs
    in English words (``team 12: 县委班子``, ``people``, ``scan of 40 teams``), a search its
    query as JSON (shown as its conditions); a file's name is shown as it is."""
    if detail.startswith("{"):
        try:
            return describe_query(shell, json.loads(detail))
        except ValueError:  # cut at 2,000 characters: shown as stored
            return detail
    if detail == "people":
        return shell._("a set of people")
    if scan := _SCAN.fullmatch(detail):
        return shell._("every team scanned ({count})", count=int(scan[1]))
    if team := _TEAM.fullmatch(detail):
        return shell._("team {name}", name=team[1])
    return detail


@get("/localities/{code:str}/cadres/view-log", include_in_schema=False, opt=CONSOLE_CHECKS)
async def view_log_page(request: Request, code: FromPath[str], page: FromQuery[int] = 1) -> Response:
    shell = await open_shell(request, code, roles=HEAD)
    size = 100
    page = max(1, min(page, 100_000))
    log = await run_sync(lambda: service.view_log(shell.ctx, shell.actor, code, limit=size, offset=(page - 1) * size))
    return shell.render(
        "cadres/view_log.html",
        title=shell._("Cadre view log"),
        log=log,
        page=page,
        pages=max(1, -(-log.total // size)),
        action_label=lambda a: shell._(ACTION_LABELS.get(a, a)),
        detail=lambda d: _detail(shell, d),
        when=shell.tr.datetime,
        code=code,
    )


def page_routes() -> list:
    from plugins.cadres.file_pages import file_routes
    from plugins.cadres.import_pages import import_routes
    from plugins.cadres.team_pages import team_routes
    from plugins.cadres.warning_pages import warning_routes

    return [
        Router(
            path="/admin",
            route_handlers=[
                search_page,
                search_export,
                save_query,
                open_query,
                profile_page,
                view_log_page,
                *team_routes(),
                *import_routes(),
                *file_routes(),
                *warning_routes(),
            ],
            exception_handlers=exception_handlers,
        )
    ]
