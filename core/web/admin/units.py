"""The units pages of a locality: the tree a page at a time (filtered by a word in a unit's name
or code, or to what lies below one unit; with HTMX the filters, the pages and a unit's "below"
link swap only ``#units-results`` and the address follows, without JS they are plain forms and
links), the form to add a unit, and a unit's page to edit or move it.

The parent is chosen from a list while the locality has at most ``PARENT_CHOICES`` units, else
typed as its code (a list of thousands of units would weigh hundreds of KB on every page).

Office users change units; a unit admin reads them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from pydantic import ValidationError

from core.schemas.org import UnitIn, UnitPatch
from core.services import org as org_service
from core.services import org_lists, unit_tree
from core.services.errors import ServiceError
from core.web.admin.forms import keep, model_errors, to_int
from core.web.admin.lists import list_page
from core.web.admin.menu import OFFICE, READERS
from core.web.admin.shell import Shell, field_errors, open_shell, paging

UNIT_FIELDS = ("code", "name", "type", "parent_id", "parent_code", "duties", "contact_name", "contact_phone")
PARENT_CHOICES = 300


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}/units"


def _unit_values(data: dict[str, str]) -> dict[str, str]:
    return {name: str(data.get(name, "")) for name in UNIT_FIELDS}


async def _unit_body(shell: Shell, values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The body for the schema, and an error beside ``parent_code`` when no unit has that code."""
    body: dict[str, Any] = {k: v for k, v in values.items() if k not in ("parent_id", "parent_code")}
    typed = values.get("parent_code", "").strip()
    if typed:
        found = await run_sync(unit_tree.unit_id_by_code, shell.ctx, shell.actor, shell.code, typed)
        if found is None:
            return body, {"parent_code": shell._("No unit has the code {code}.", code=typed)}
        body["parent_id"] = found
        return body, {}
    parent = values.get("parent_id", "")
    body["parent_id"] = to_int(parent) if parent else None
    if parent and body["parent_id"] is None:
        body["parent_id"] = 0  # refused by the schema, beside the field
    return body, {}


def _service_errors(shell: Shell, exc: ServiceError, values: dict[str, str]) -> tuple[dict[str, str], str]:
    errors, general = field_errors(shell.tr, exc)
    if "parent_id" in errors and values.get("parent_code", "").strip():
        errors["parent_code"] = errors.pop("parent_id")
    if exc.status_code == 409 and not errors:
        return {"code": general}, ""
    return errors, "" if errors else general


async def _parent_choices(shell: Shell, exclude_below: int | None = None) -> list[tuple[int, str]] | None:
    """The units to choose a parent from, in tree order; None when there are too many (type a code)."""
    if await run_sync(unit_tree.count_units, shell.ctx, shell.actor, shell.code) > PARENT_CHOICES:
        return None
    units = await run_sync(org_lists.all_units, shell.ctx, shell.actor, shell.code)
    excluded = org_lists.below(units, exclude_below) if exclude_below is not None else set()
    return [
        (u.id, "\u3000" * depth + f"{u.name} ({u.code})")
        for u, depth in org_lists.tree_order(units)
        if u.id not in excluded
    ]


def _filters(q: str = "", parent: str = "") -> dict[str, str]:
    parent_id = to_int(parent) if parent else None
    return {"q": q.strip()[:100], "parent": str(parent_id) if parent_id else ""}


async def _units_page(
    shell: Shell,
    values: dict[str, str],
    errors: dict[str, str],
    message: str = "",
    error: str = "",
    status_code: int = 200,
    filters: dict[str, str] | None = None,
    page: int = 1,
) -> Response:
    filters = filters or _filters()
    size = unit_tree.UNITS_PAGE
    may_change = shell.actor.role in OFFICE and shell.locality["writable"]

    def context(found: unit_tree.UnitsFound) -> dict[str, Any]:
        shown = values
        if found.parent and not values.get("parent_id") and not values.get("parent_code") and not errors:
            shown = values | {"parent_id": str(found.parent[0]), "parent_code": found.parent[2]}
        return {
            "p": paging(found.total, found.offset // size + 1, size),
            "filters": filters,
            "kept": keep(filters),
            "top": keep({"q": filters["q"]}),
            "parents": None,
            "values": shown,
            "errors": errors,
            "message": message,
            "error": error,
            "may_change": may_change,
        }

    async def whole_page(_found) -> dict[str, Any]:  # the form's parents, for who may add a unit
        return {"parents": await _parent_choices(shell) if may_change else None}

    return await list_page(
        shell,
        lambda: unit_tree.search_units(
            shell.ctx,
            shell.actor,
            shell.code,
            q=filters["q"],
            parent_id=to_int(filters["parent"]) if filters["parent"] else None,
            offset=(max(page, 1) - 1) * size,
            limit=size,
        ),
        "admin/org/units.html",
        "admin/org/_units_results.html",
        results_id="units-results",
        title=shell._("Units"),
        context=context,
        whole_page=whole_page,
        status_code=status_code,
    )


@get("/localities/{code:str}/units", include_in_schema=False)
async def units_page(
    request: Request,
    code: FromPath[str],
    created: FromQuery[str] = "",
    q: FromQuery[str] = "",
    parent: FromQuery[str] = "",
    page: FromQuery[str] = "1",
) -> Response:
    """``q`` a word in a unit's name or code, ``parent`` only the units below that unit, ``page``."""
    shell = await open_shell(request, code, roles=READERS)
    message = shell._("Unit {name} added.", name=created[:200]) if created else ""
    return await _units_page(
        shell, _unit_values({}), {}, message=message, filters=_filters(q, parent), page=to_int(page) or 1
    )


@post("/localities/{code:str}/units", include_in_schema=False)
async def unit_create(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    values = _unit_values(data)
    try:
        body, errors = await _unit_body(shell, values)
        if errors:
            return await _units_page(shell, values, errors, status_code=422)
        checked = UnitIn.model_validate(body)
        unit = await run_sync(org_service.create_unit, shell.ctx, shell.actor, shell.code, checked)
    except ValidationError as exc:
        return await _units_page(shell, values, model_errors(shell.tr, exc), status_code=422)
    except ServiceError as exc:
        errors, general = _service_errors(shell, exc, values)
        return await _units_page(shell, values, errors, error=general, status_code=exc.status_code)
    where = f"&parent={unit.parent_id}" if unit.parent_id else ""
    return Redirect(f"{_base(shell)}?created={quote(unit.name)}{where}")


async def _unit_form(
    shell: Shell,
    unit_id: int,
    values: dict[str, str] | None,
    errors: dict[str, str],
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    unit = await run_sync(org_service.get_unit, shell.ctx, shell.actor, shell.code, unit_id)
    parents = await _parent_choices(shell, exclude_below=unit.id)
    if values is None:
        values = {
            name: "" if getattr(unit, name, None) is None else str(getattr(unit, name))
            for name in UNIT_FIELDS
            if name != "parent_code"
        }
        values["parent_code"] = ""
        if unit.parent_id is not None and parents is None:
            parent = await run_sync(org_service.get_unit, shell.ctx, shell.actor, shell.code, unit.parent_id)
            values["parent_code"] = parent.code
    return shell.render(
        "admin/org/unit.html",
        title=unit.name,
        crumbs=[(shell.locality["name"], None), (shell._("Units"), _base(shell))],
        unit=unit,
        parents=parents,
        values=values,
        errors=errors,
        message=message,
        error=error,
        status_code=status_code,
    )


@get("/localities/{code:str}/units/{unit_id:int}", include_in_schema=False)
async def unit_page(request: Request, code: FromPath[str], unit_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return await _unit_form(shell, unit_id, None, {})


@post("/localities/{code:str}/units/{unit_id:int}", include_in_schema=False)
async def unit_update(
    request: Request, code: FromPath[str], unit_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``save`` (every field, the parent too: a move; an empty ``parent_code`` with no
    ``parent_id`` puts it at the top) or ``delete``."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    if data.get("action") == "delete":
        try:
            await run_sync(org_service.delete_unit, shell.ctx, shell.actor, shell.code, unit_id)
        except ServiceError as exc:
            return await _unit_form(shell, unit_id, None, {}, error=shell.tr.error(exc), status_code=exc.status_code)
        return Redirect(_base(shell))
    values = _unit_values(data)
    try:
        body, errors = await _unit_body(shell, values)
        if errors:
            return await _unit_form(shell, unit_id, values, errors, status_code=422)
        patch = UnitPatch.model_validate(body)
        await run_sync(org_service.update_unit, shell.ctx, shell.actor, shell.code, unit_id, patch)
    except ValidationError as exc:
        return await _unit_form(shell, unit_id, values, model_errors(shell.tr, exc), status_code=422)
    except ServiceError as exc:
        errors, general = _service_errors(shell, exc, values)
        return await _unit_form(shell, unit_id, values, errors, error=general, status_code=exc.status_code)
    return await _unit_form(shell, unit_id, None, {}, message=shell._("Saved."))


ROUTES = [units_page, unit_create, unit_page, unit_update]
