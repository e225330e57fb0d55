"""Organisation pages of a locality: people (search by name or ID-card number, filter by unit, a
page at a time on an index, edit), and the units and people lists as .xlsx. The units tree's
pages are in ``core.web.admin.units``, the subjects' in ``core.web.admin.subjects``.

Office users change everything; a unit admin reads the units and keeps its own unit's people
(as the API lets it)."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Stream
from pydantic import ValidationError

from core.schemas.org import PersonIn, PersonPatch
from core.services import org as org_service
from core.services import org_lists
from core.services.errors import ServiceError
from core.web.admin.forms import keep, model_errors, to_int
from core.web.admin.lists import list_page
from core.web.admin.menu import READERS
from core.web.admin.shell import Shell, field_errors, open_shell
from core.web.downloads import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERSON_FIELDS = (
    "name",
    "unit_id",
    "id_card",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "degree",
    "school",
    "native_place",
    "party",
    "post",
    "rank",
    "post_since",
)
PEOPLE_PAGE = 50


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}"


def _service_errors(shell: Shell, exc: ServiceError) -> tuple[dict[str, str], str]:
    errors, general = field_errors(shell.tr, exc)
    return errors, "" if errors else general


# --- units -----------------------------------------------------------------------------------


@get("/localities/{code:str}/units/export", include_in_schema=False)
async def units_export(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    chunks = await run_sync(org_lists.export_units, shell.ctx, shell.actor, shell.code)
    name = attachment(shell.tr, "units-{code}", ".xlsx", code=shell.code)
    return Stream(chunks, media_type=XLSX, headers={"Content-Disposition": name})


# --- people ----------------------------------------------------------------------------------


def _unit_options(shell: Shell, units) -> list[tuple[int, str]]:
    own = org_lists.unit_admin_unit(shell.actor)
    return [(u.id, "\u3000" * depth + u.name) for u, depth in org_lists.tree_order(units) if own is None or u.id == own]


@get("/localities/{code:str}/people", include_in_schema=False)
async def people_page(
    request: Request,
    code: FromPath[str],
    q: FromQuery[str] = "",
    unit: FromQuery[str] = "",
    rank: FromQuery[str] = "",
    post: FromQuery[str] = "",
    anywhere: FromQuery[str] = "",
    after: FromQuery[str] = "",
    before: FromQuery[str] = "",
) -> Response:
    """``q`` a name's beginning (anywhere in it with ``anywhere=1``) or an ID-card number;
    ``unit``, ``rank`` (exactly) and ``post`` (anywhere in it) narrow the list."""
    shell = await open_shell(request, code, roles=READERS)
    unit_id = to_int(unit) if unit else None
    filters = {
        "q": q,
        "unit": str(unit_id) if unit_id else "",
        "rank": rank,
        "post": post,
        "anywhere": "1" if anywhere else "",
    }
    units = await run_sync(org_lists.all_units, shell.ctx, shell.actor, shell.code)

    async def whole_page(_found) -> dict[str, Any]:  # the filters' choices are on the page
        return {"ranks": await run_sync(org_lists.ranks_of, shell.ctx, shell.actor, shell.code)}

    return await list_page(
        shell,
        lambda: org_lists.search_people(
            shell.ctx,
            shell.actor,
            shell.code,
            q=q,
            unit_id=unit_id,
            after=to_int(after) if after else None,
            before=to_int(before) if before else None,
            limit=PEOPLE_PAGE,
            rank=rank,
            post=post,
            anywhere=bool(anywhere),
        ),
        "admin/org/people.html",
        "admin/org/_people_results.html",
        results_id="people-results",
        title=shell._("People"),
        context=lambda found: {
            "names": {u.id: u.name for u in units},
            "filters": filters,
            "base": keep(filters),
            "ranks": [],
            "unit_options": _unit_options(shell, units),
            "last": found.first + len(found.items) - 1,
        },
        whole_page=whole_page,
    )


@get("/localities/{code:str}/people/export", include_in_schema=False)
async def people_export(
    request: Request,
    code: FromPath[str],
    q: FromQuery[str] = "",
    unit: FromQuery[str] = "",
    rank: FromQuery[str] = "",
    post: FromQuery[str] = "",
    anywhere: FromQuery[str] = "",
) -> Response:
    """The people the list shows, as .xlsx streamed while it is written (``export_people_stream``)."""
    shell = await open_shell(request, code, roles=READERS)
    chunks = await run_sync(
        lambda: org_lists.export_people_stream(
            shell.ctx,
            shell.actor,
            shell.code,
            q=q,
            unit_id=to_int(unit) if unit else None,
            rank=rank,
            post=post,
            anywhere=bool(anywhere),
        )
    )
    name = attachment(shell.tr, "people-{code}", ".xlsx", code=shell.code)
    return Stream(chunks, media_type=XLSX, headers={"Content-Disposition": name})


def _person_values(data: dict[str, str]) -> dict[str, str]:
    return {name: data.get(name, "") for name in PERSON_FIELDS}


def _person_body(values: dict[str, str], *, new: bool) -> dict[str, Any]:
    body: dict[str, Any] = {k: v for k, v in values.items() if k not in ("unit_id", "id_card")}
    unit = values.get("unit_id", "")
    body["unit_id"] = (to_int(unit) or 0) if unit else None
    if values.get("id_card", "").strip():
        body["id_card"] = values["id_card"].strip()
    elif new:
        body["id_card"] = None
    return body


async def _person_form(
    shell: Shell,
    person_id: int | None,
    values: dict[str, str] | None,
    errors: dict[str, str],
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    person = None
    if person_id is not None:
        person = await run_sync(org_service.get_person, shell.ctx, shell.actor, shell.code, person_id)
        if values is None:
            values = {
                name: "" if getattr(person, name, None) is None else str(getattr(person, name))
                for name in PERSON_FIELDS
                if name != "id_card"
            } | {"id_card": ""}
    units = await run_sync(org_lists.all_units, shell.ctx, shell.actor, shell.code)
    if values is None:
        own = org_lists.unit_admin_unit(shell.actor)
        values = _person_values({"unit_id": str(own) if own else ""})
    title = person.name if person else shell._("New person")
    return shell.render(
        "admin/org/person.html",
        title=title,
        crumbs=[(shell.locality["name"], None), (shell._("People"), f"{_base(shell)}/people")],
        person=person,
        values=values,
        errors=errors,
        message=message,
        error=error,
        unit_options=_unit_options(shell, units),
        status_code=status_code,
    )


@get("/localities/{code:str}/people/new", include_in_schema=False)
async def person_new_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    return await _person_form(shell, None, None, {})


@post("/localities/{code:str}/people/new", include_in_schema=False)
async def person_create(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    shell.check_csrf(data)
    values = _person_values(data)
    try:
        body = PersonIn.model_validate(_person_body(values, new=True))
        person = await run_sync(org_service.create_person, shell.ctx, shell.actor, shell.code, body)
    except ValidationError as exc:
        return await _person_form(shell, None, values, model_errors(shell.tr, exc), status_code=422)
    except ServiceError as exc:
        errors, general = _service_errors(shell, exc)
        if exc.status_code == 409 and not errors:
            errors, general = {"id_card": general}, ""
        return await _person_form(shell, None, values, errors, error=general, status_code=exc.status_code)
    return Redirect(f"{_base(shell)}/people/{person.id}?created=1")


@get("/localities/{code:str}/people/{person_id:int}", include_in_schema=False)
async def person_page(
    request: Request, code: FromPath[str], person_id: FromPath[int], created: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    return await _person_form(shell, person_id, None, {}, message=shell._("Saved.") if created else "")


@post("/localities/{code:str}/people/{person_id:int}", include_in_schema=False)
async def person_update(
    request: Request, code: FromPath[str], person_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``save`` (an empty ID-card number keeps the stored one) or ``delete``."""
    shell = await open_shell(request, code, roles=READERS)
    shell.check_csrf(data)
    if data.get("action") == "delete":
        try:
            await run_sync(org_service.delete_person, shell.ctx, shell.actor, shell.code, person_id)
        except ServiceError as exc:
            return await _person_form(
                shell, person_id, None, {}, error=shell.tr.error(exc), status_code=exc.status_code
            )
        return Redirect(f"{_base(shell)}/people")
    values = _person_values(data)
    try:
        body = PersonPatch.model_validate(_person_body(values, new=False))
        await run_sync(org_service.update_person, shell.ctx, shell.actor, shell.code, person_id, body)
    except ValidationError as exc:
        return await _person_form(shell, person_id, values, model_errors(shell.tr, exc), status_code=422)
    except ServiceError as exc:
        errors, general = _service_errors(shell, exc)
        if exc.status_code == 409 and not errors:
            errors, general = {"id_card": general}, ""
        return await _person_form(shell, person_id, values, errors, error=general, status_code=exc.status_code)
    return await _person_form(shell, person_id, None, {}, message=shell._("Saved."))


ROUTES = [
    units_export,
    people_page,
    people_export,
    person_new_page,
    person_create,
    person_page,
    person_update,
]
