"""Subject pages: the list (a page at a time, filtered in SQL; with HTMX only its results swap)
with the form that makes subjects in bulk of units, teams or team members, chosen in choosers
that search as you type and page (``core.services.subject_choices``: a locality's thousands of
units are never listed whole); one subject's name and category (编辑), its deletion when nothing
refers to it, and the subjects as .xlsx. Office users only."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Stream
from pydantic import ValidationError

from core.schemas.org import SubjectPatch
from core.services import org_lists, subject_choices, subject_lists
from core.services import subjects as subject_service
from core.services.errors import ServiceError
from core.web.admin.forms import keep, model_errors, to_int
from core.web.admin.lists import list_page
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, field_errors, open_shell, paging
from core.web.downloads import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}/subjects"


# --- the list and the bulk form ------------------------------------------------------------------


def _filters(q: str = "", category: str = "", kind: str = "") -> dict[str, str]:
    kind = kind.strip()
    return {
        "q": q.strip()[:100],
        "category": category.strip()[:100],
        "kind": kind if kind in subject_lists.KINDS else "",
    }


def _chooser_kind(source: str) -> str:
    """The chooser a bulk source reads: units, or teams (for the teams or their members)."""
    return "units" if source == "units" else "teams"


def _ticked(params, kind: str) -> list[int]:
    return [i for i in (to_int(v) for v in params.getall(f"ids_{kind}", [])) if i]


async def _choices(shell: Shell, kind: str, q: str, page: int, chosen: list[int]) -> subject_choices.Choices:
    return await run_sync(
        lambda: subject_choices.choices(shell.ctx, shell.actor, shell.code, kind, q=q, page=page, chosen=chosen)
    )


async def _subjects_page(
    shell: Shell,
    values: dict[str, Any],
    errors: dict[str, str],
    message: str = "",
    status_code: int = 200,
    page: int = 1,
    filters: dict[str, str] | None = None,
    search: dict[str, tuple[str, int]] | None = None,
) -> Response:
    """The bulk form and one page of the subjects, filtered in SQL (with HTMX only
    ``#subjects-results``). ``values["ids"]`` are ticked in the chooser of ``values["source"]``;
    ``search``: each chooser's word and page."""
    filters = filters or _filters()
    size = subject_lists.SUBJECTS_PAGE
    search = search or {}

    async def whole_page(_found) -> dict[str, Any]:
        picked = _chooser_kind(values.get("source", ""))
        choosers = {
            f"choose_{kind}": await _choices(
                shell, kind, *search.get(kind, ("", 1)), values.get("ids", []) if kind == picked else []
            )
            for kind in subject_choices.KINDS
        }
        categories = await run_sync(org_lists.subject_categories, shell.ctx, shell.actor, shell.code)
        return choosers | {"categories": categories}

    return await list_page(
        shell,
        lambda: subject_lists.search_subjects(
            shell.ctx,
            shell.actor,
            shell.code,
            q=filters["q"],
            category=filters["category"],
            kind=filters["kind"],
            offset=(max(page, 1) - 1) * size,
            limit=size,
        ),
        "admin/org/subjects.html",
        "admin/org/_subjects_results.html",
        results_id="subjects-results",
        title=shell._("Subjects"),
        context=lambda found: {
            "subjects": found.items,
            "p": paging(found.total, found.offset // size + 1, size),
            "base": keep(filters),
            "export": keep({"category": filters["category"]}),
            "category": filters["category"],
            "filters": filters,
            "kinds": subject_lists.KINDS,
            "values": values,
            "errors": errors,
            "message": message,
        },
        whole_page=whole_page,
        status_code=status_code,
    )


@get("/localities/{code:str}/subjects", include_in_schema=False)
async def subjects_page(
    request: Request,
    code: FromPath[str],
    page: FromQuery[str] = "1",
    category: FromQuery[str] = "",
    q: FromQuery[str] = "",
    kind: FromQuery[str] = "",
    units_q: FromQuery[str] = "",
    units_page: FromQuery[str] = "1",
    teams_q: FromQuery[str] = "",
    teams_page: FromQuery[str] = "1",
) -> Response:
    """``q`` a word in a subject's name, ``category`` one category, ``kind`` unit, team or person;
    ``units_q``/``units_page`` and ``teams_q``/``teams_page`` the bulk form's choosers (without JS)."""
    shell = await open_shell(request, code, roles=OFFICE)
    return await _subjects_page(
        shell,
        {"source": "units", "category": "", "ids": []},
        {},
        page=to_int(page) or 1,
        filters=_filters(q, category, kind),
        search={"units": (units_q, to_int(units_page) or 1), "teams": (teams_q, to_int(teams_page) or 1)},
    )


@get("/localities/{code:str}/subjects/choices", include_in_schema=False)
async def subject_choices_part(request: Request, code: FromPath[str], kind: FromQuery[str] = "units") -> Response:
    """The chooser's list alone (HTMX): ``kind`` units or teams, ``{kind}_q`` a word,
    ``{kind}_page``, ``ids_{kind}`` the ids ticked so far (kept ticked, first)."""
    shell = await open_shell(request, code, roles=OFFICE)
    kind = kind if kind in subject_choices.KINDS else "units"
    params = request.query_params
    found = await _choices(
        shell,
        kind,
        str(params.get(f"{kind}_q", "")),
        to_int(params.get(f"{kind}_page", "1")) or 1,
        _ticked(params, kind),
    )
    return shell.render("admin/org/_subject_choices.html", title=shell._("Subjects"), c=found)


@post("/localities/{code:str}/subjects", include_in_schema=False)
async def subjects_create(request: Request, code: FromPath[str]) -> Response:
    """``source`` units, teams or members; ``category``; the ids ticked (``ids_units``, or
    ``ids_teams`` for teams and members; ``ids_members`` is read too)."""
    shell = await open_shell(request, code, roles=OFFICE)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    source = str(form.get("source", ""))
    names = [f"ids_{source}"] + (["ids_teams"] if source == "members" else [])
    chosen = [v for name in names if source in org_lists.BULK_SOURCES for v in form.getall(name, [])]
    ids = list(dict.fromkeys(i for i in (to_int(v) for v in chosen) if i))
    values = {"source": source, "category": str(form.get("category", "")), "ids": ids}
    try:
        result = await run_sync(
            org_lists.create_subjects, shell.ctx, shell.actor, shell.code, source, ids, values["category"]
        )
    except ServiceError as exc:
        errors, _general = field_errors(shell.tr, exc)
        return await _subjects_page(shell, values, errors, status_code=exc.status_code)
    message = shell._("{n} subjects added.", n=len(result.created))
    if result.skipped:
        message += " " + shell._(
            "{n} were subjects already: {names}", n=len(result.skipped), names="、".join(result.skipped[:20])
        )
    return await _subjects_page(
        shell, {"source": source, "category": values["category"], "ids": []}, {}, message=message
    )


# --- one subject, the export -----------------------------------------------------------------------


@get("/localities/{code:str}/subjects/export", include_in_schema=False)
async def subjects_export(request: Request, code: FromPath[str], category: FromQuery[str] = "") -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    chunks = await run_sync(lambda: org_lists.export_subjects(shell.ctx, shell.actor, shell.code, category=category))
    name = attachment(shell.tr, "subjects-{code}", ".xlsx", code=shell.code)
    return Stream(chunks, media_type=XLSX, headers={"Content-Disposition": name})


async def _form(
    shell: Shell,
    subject_id: int,
    values: dict[str, str] | None,
    errors: dict[str, str],
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    subject = await run_sync(subject_service.get_subject, shell.ctx, shell.actor, shell.code, subject_id)
    categories = await run_sync(org_lists.subject_categories, shell.ctx, shell.actor, shell.code)
    if values is None:
        values = {"name": subject.name, "category": subject.category}
    return shell.render(
        "admin/org/subject.html",
        title=subject.name,
        crumbs=[(shell.locality["name"], None), (shell._("Subjects"), _base(shell))],
        subject=subject,
        values=values,
        errors=errors,
        message=message,
        error=error,
        categories=[c for c, _n in categories],
        status_code=status_code,
    )


@get("/localities/{code:str}/subjects/{subject_id:int}", include_in_schema=False)
async def subject_page(request: Request, code: FromPath[str], subject_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return await _form(shell, subject_id, None, {})


@post("/localities/{code:str}/subjects/{subject_id:int}", include_in_schema=False)
async def subject_update(
    request: Request, code: FromPath[str], subject_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``save`` (name and category) or ``delete`` (refused while campaigns, values or
    results refer to the subject, with what does)."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    if data.get("action") == "delete":
        try:
            await run_sync(subject_service.delete_subject, shell.ctx, shell.actor, shell.code, subject_id)
        except ServiceError as exc:
            return await _form(shell, subject_id, None, {}, error=shell.tr.error(exc), status_code=exc.status_code)
        return Redirect(_base(shell))
    values = {"name": data.get("name", ""), "category": data.get("category", "")}
    try:
        patch = SubjectPatch.model_validate({k: v.strip() for k, v in values.items()})
        await run_sync(subject_service.update_subject, shell.ctx, shell.actor, shell.code, subject_id, patch)
    except ValidationError as exc:
        return await _form(shell, subject_id, values, model_errors(shell.tr, exc), status_code=422)
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        return await _form(
            shell, subject_id, values, errors, error="" if errors else general, status_code=exc.status_code
        )
    return await _form(shell, subject_id, None, {}, message=shell._("Saved."))


ROUTES = [subjects_page, subject_choices_part, subjects_create, subjects_export, subject_page, subject_update]
