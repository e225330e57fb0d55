"""Indicator template pages (指标模板): the list, a new template, an import from an office's own
spreadsheet, and the tree editor of a draft (add a child, edit every attribute, move up and
down or under another indicator, delete), the grade scale, copy to a new version and export.
The weights of a level that do not add up to 100 (or 1) are named above the tree.

Office users change templates; a frozen template (used by an opened campaign) is shown read
only with a button to copy it. The edits are ``core.services.template_tree``'s."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.periods import PeriodKind
from core.services import template_sheet, template_tree, templates
from core.services.errors import NotFound, ServiceError
from core.web.admin.forms import message
from core.web.admin.menu import OFFICE
from core.web.admin.shell import MAX_PAGE, PAGE_SIZE, Shell, field_errors, open_shell, paging
from core.web.downloads import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("graded", "numeric", "bonus", "deduction", "veto")
MAX_GRADES = 10


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}/templates"


def kind_labels(shell: Shell) -> dict[str, str]:
    return {
        "graded": shell._("Graded (评价)"),
        "numeric": shell._("Numeric (定量)"),
        "bonus": shell._("Bonus (加分)"),
        "deduction": shell._("Deduction (扣分)"),
        "veto": shell._("Veto (否决)"),
    }


def _crumbs(shell: Shell, template: Any = None) -> list[tuple[str, str | None]]:
    crumbs = [(shell.locality["name"], None), (shell._("Indicator templates"), _base(shell))]
    if template is not None:
        crumbs.append((f"{template.name} v{template.version}", f"{_base(shell)}/{template.id}"))
    return crumbs


# --- list, new, import -----------------------------------------------------------------------


async def _list(
    shell: Shell,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problems: list[dict] | None = None,
    error: str = "",
    status_code: int = 200,
    page: int = 1,
) -> Response:
    def read(offset: int):
        return templates.list_templates(shell.ctx, shell.actor, shell.code, limit=PAGE_SIZE, offset=offset)

    page = min(max(page, 1), MAX_PAGE)  # a page number past any list: the last page, never an overflow
    asked = (page - 1) * PAGE_SIZE
    found = await run_sync(read, asked)
    p = paging(found.total, page)
    if p["offset"] != asked:  # past the last page: its last page
        found = await run_sync(read, p["offset"])
    return shell.render(
        "admin/templates/list.html",
        title=shell._("Indicator templates"),
        crumbs=_crumbs(shell)[:1],
        templates=found.items,
        p=p,
        values=values or {"name": "", "first": "", "import_name": ""},
        errors=errors or {},
        problems=problems or [],
        error=error,
        status_code=status_code,
    )


@get("/localities/{code:str}/templates", include_in_schema=False)
async def templates_page(request: Request, code: FromPath[str], page: FromQuery[int] = 1) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return await _list(shell, page=page)


@post("/localities/{code:str}/templates", include_in_schema=False)
async def template_create(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    """A new draft: its name and its first indicator (a template has at least one)."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    values = {"name": data.get("name", "").strip(), "first": data.get("first", "").strip(), "import_name": ""}
    errors = {k: shell._("required, but empty") for k in ("name", "first") if not values[k]}
    if errors:
        return await _list(shell, values, errors, status_code=422)
    from pydantic import ValidationError

    from core.schemas.indicators import TemplateIn

    try:
        content = TemplateIn.model_validate(
            {
                "name": values["name"],
                "grade_scale": template_sheet.DEFAULT_GRADE_SCALE,
                "indicators": [{"code": "1", "name": values["first"]}],
            }
        )
        created = await run_sync(templates.create, shell.ctx, shell.actor, shell.code, content)
    except ValidationError as exc:
        return await _list(shell, values, {"name": message(shell.tr, exc.errors()[0]["msg"])}, status_code=422)
    except ServiceError as exc:
        return await _list(shell, values, error=shell.tr.error(exc), status_code=exc.status_code)
    return Redirect(f"{_base(shell)}/{created.id}")


@post("/localities/{code:str}/templates/import", include_in_schema=False)
async def template_import(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    name = str(form.get("import_name", "")).strip()
    values = {"name": "", "first": "", "import_name": name}
    upload = form.get("file")
    if not name:
        return await _list(shell, values, {"import_name": shell._("required, but empty")}, status_code=422)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _list(shell, values, {"file": shell._("Choose an .xlsx or .csv file first.")}, status_code=422)
    content = await upload.read()
    try:
        created = await run_sync(
            lambda: template_sheet.import_template(
                shell.ctx, shell.actor, shell.code, upload.filename, content, name=name[:200]
            )
        )
    except ServiceError as exc:
        problems = [
            {"row": e.get("row", ""), "column": e.get("column", ""), "message": message(shell.tr, e.get("message", ""))}
            for e in exc.errors
            if "row" in e
        ]
        return await _list(shell, values, problems=problems, error=shell.tr.error(exc), status_code=exc.status_code)
    return Redirect(f"{_base(shell)}/{created.id}?imported=1")


# --- one template ----------------------------------------------------------------------------


def _rows(template: Any) -> list[tuple[Any, int, Any]]:
    """(indicator, depth, parent) depth first, as the tree table shows them."""
    out: list[tuple[Any, int, Any]] = []

    def walk(items: list, depth: int, parent: Any) -> None:
        for item in items:
            out.append((item, depth, parent))
            walk(item.children, depth + 1, item)

    walk(template.indicators, 0, None)
    return out


async def _load(shell: Shell, template_id: int) -> Any:
    return await run_sync(template_tree.get_for_locality, shell.ctx, shell.actor, shell.code, template_id)


async def _template_page(
    shell: Shell,
    template_id: int,
    *,
    message_text: str = "",
    error: str = "",
    grades: list[dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    template = await _load(shell, template_id)
    if grades is None:
        grades = [{"label": g.label, "score": f"{g.score:g}"} for g in template.grade_scale]
    grades = grades + [{"label": "", "score": ""}] * max(0, min(2, MAX_GRADES - len(grades)))
    names = {
        "day": shell._("Day"),
        "week": shell._("Week"),
        "month": shell._("Month"),
        "quarter": shell._("Quarter"),
        "half_year": shell._("Half-year"),
        "year": shell._("Year"),
    }
    periods = [("", shell._("Any"))] + [(k.value, names.get(k.value, k.value)) for k in PeriodKind]
    return shell.render(
        "admin/templates/template.html",
        title=f"{template.name} v{template.version}",
        crumbs=_crumbs(shell)[:2],
        template=template,
        rows=_rows(template),
        sums=template_tree.weight_sums(template),
        kinds=kind_labels(shell),
        grades=grades,
        periods=periods,
        draft=template.status == "draft",
        message=message_text,
        error=error,
        errors=errors or {},
        status_code=status_code,
    )


@get("/localities/{code:str}/templates/{template_id:int}", include_in_schema=False)
async def template_page(
    request: Request, code: FromPath[str], template_id: FromPath[int], imported: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return await _template_page(shell, template_id, message_text=shell._("Imported.") if imported else "")


@get("/localities/{code:str}/templates/{template_id:int}/export", include_in_schema=False)
async def template_export(request: Request, code: FromPath[str], template_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    template = await _load(shell, template_id)
    content = await run_sync(template_sheet.template_workbook, template)
    name = attachment(
        shell.tr,
        "template-{id}-{name}-v{version}",
        ".xlsx",
        id=template.id,
        name=template.name,
        version=template.version,
    )
    return Response(content, media_type=XLSX, headers={"Content-Disposition": name})


@post("/localities/{code:str}/templates/{template_id:int}", include_in_schema=False)
async def template_action(
    request: Request, code: FromPath[str], template_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``up`` / ``down`` / ``delete`` (of ``indicator``), ``settings`` (name, period
    kind and the grade rows ``g-{i}-label`` / ``g-{i}-score``), or ``copy``."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    await _load(shell, template_id)  # 404 for another locality's template
    action, indicator = data.get("action", ""), data.get("indicator", "")
    grades = None
    try:
        if action == "copy":
            copied = await run_sync(templates.copy, shell.ctx, shell.actor, template_id)
            return Redirect(f"{_base(shell)}/{copied.id}")
        if action in ("up", "down"):
            await run_sync(
                lambda: template_tree.move_indicator(
                    shell.ctx, shell.actor, template_id, indicator, step=-1 if action == "up" else 1
                )
            )
        elif action == "delete":
            await run_sync(template_tree.delete_indicator, shell.ctx, shell.actor, template_id, indicator)
        elif action == "settings":
            grades = [
                {"label": data.get(f"g-{i}-label", "").strip(), "score": data.get(f"g-{i}-score", "").strip()}
                for i in range(MAX_GRADES)
            ]
            grades = [g for g in grades if g["label"] or g["score"]]
            scale = []
            for index, grade in enumerate(grades):
                try:
                    scale.append({"label": grade["label"], "score": float(grade["score"])})
                except ValueError:
                    return await _template_page(
                        shell,
                        template_id,
                        grades=grades,
                        status_code=422,
                        errors={f"g-{index}-score": shell._("not a number: {value}", value=grade["score"])},
                    )
            await run_sync(
                lambda: template_tree.update_settings(
                    shell.ctx,
                    shell.actor,
                    template_id,
                    name=data.get("name", "").strip(),
                    period_kind=data.get("period_kind", "") or None,
                    grade_scale=scale,
                )
            )
        else:
            raise NotFound("page not found")
    except ServiceError as exc:
        errors, _general = field_errors(shell.tr, exc)
        return await _template_page(
            shell, template_id, error=shell.tr.error(exc), grades=grades, errors=errors, status_code=exc.status_code
        )
    return Redirect(f"{_base(shell)}/{template_id}#i-{indicator}" if indicator else f"{_base(shell)}/{template_id}")


# --- one indicator ---------------------------------------------------------------------------

FIELDS = template_tree.INDICATOR_FIELDS


def _values_of(indicator: Any) -> dict[str, str]:
    values = {name: getattr(indicator, name) for name in FIELDS}
    values["weight"] = f"{indicator.weight:g}"
    values["max_score"] = "" if indicator.max_score is None else f"{indicator.max_score:g}"
    values["overall"] = "1" if indicator.overall else ""
    return {k: str(v) for k, v in values.items()}


def _fields_of(values: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {name: values.get(name, "").strip() for name in FIELDS}
    fields["overall"] = bool(values.get("overall"))
    fields["max_score"] = fields["max_score"] or None
    fields["weight"] = fields["weight"] or "1"
    return fields


async def _indicator_form(
    shell: Shell,
    template: Any,
    code: str | None,
    parent: str | None,
    values: dict[str, str],
    errors: dict[str, str],
    error: str = "",
    status_code: int = 200,
) -> Response:
    moves = [
        (item.code, "\u3000" * depth + f"{item.code} {item.name}")
        for item, depth, _p in _rows(template)
        if item.kind == "graded" and code is not None and item.code != code
    ]
    title = shell._("Indicator {code}", code=code) if code else shell._("New indicator")
    return shell.render(
        "admin/templates/indicator.html",
        title=title,
        crumbs=_crumbs(shell, template),
        template=template,
        code=code,
        parent=parent or "",
        values=values,
        errors=errors,
        error=error,
        kinds=kind_labels(shell),
        moves=moves,
        draft=template.status == "draft",
        status_code=status_code,
    )


@get("/localities/{code:str}/templates/{template_id:int}/indicators/new", include_in_schema=False)
async def indicator_new_page(
    request: Request, code: FromPath[str], template_id: FromPath[int], parent: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    template = await _load(shell, template_id)
    if parent and template_tree.find_indicator(template, parent) is None:
        raise NotFound("page not found")
    values = dict.fromkeys(FIELDS, "") | {"kind": "graded", "weight": "1"}
    return await _indicator_form(shell, template, None, parent, values, {})


@post("/localities/{code:str}/templates/{template_id:int}/indicators/new", include_in_schema=False)
async def indicator_create(
    request: Request, code: FromPath[str], template_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    template = await _load(shell, template_id)
    parent = data.get("parent", "") or None
    values = {name: data.get(name, "") for name in FIELDS}
    try:
        await run_sync(
            lambda: template_tree.add_indicator(
                shell.ctx, shell.actor, template_id, _fields_of(values), parent_code=parent
            )
        )
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        return await _indicator_form(
            shell, template, None, parent, values, errors, error="" if errors else general, status_code=exc.status_code
        )
    return Redirect(f"{_base(shell)}/{template_id}#i-{values['code'].strip()}")


@get("/localities/{code:str}/templates/{template_id:int}/indicators/{indicator:str}", include_in_schema=False)
async def indicator_page(
    request: Request, code: FromPath[str], template_id: FromPath[int], indicator: FromPath[str]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    template = await _load(shell, template_id)
    found = template_tree.find_indicator(template, indicator)
    if found is None:
        raise NotFound("page not found")
    return await _indicator_form(shell, template, indicator, None, _values_of(found[0]), {})


@post("/localities/{code:str}/templates/{template_id:int}/indicators/{indicator:str}", include_in_schema=False)
async def indicator_update(
    request: Request,
    code: FromPath[str],
    template_id: FromPath[int],
    indicator: FromPath[str],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    """``action``: ``save`` (the attributes) or ``move`` (under ``parent``; empty: to the top level)."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    template = await _load(shell, template_id)
    if template_tree.find_indicator(template, indicator) is None:
        raise NotFound("page not found")
    values = {name: data.get(name, "") for name in FIELDS}
    try:
        if data.get("action") == "move":
            target = data.get("parent", "")
            await run_sync(
                lambda: template_tree.move_indicator(
                    shell.ctx, shell.actor, template_id, indicator, parent_code=target or None, to_top=not target
                )
            )
            return Redirect(f"{_base(shell)}/{template_id}#i-{indicator}")
        await run_sync(
            template_tree.update_indicator, shell.ctx, shell.actor, template_id, indicator, _fields_of(values)
        )
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        if data.get("action") == "move":
            values = _values_of(template_tree.find_indicator(template, indicator)[0])
        return await _indicator_form(
            shell,
            template,
            indicator,
            None,
            values,
            errors,
            error="" if errors else general,
            status_code=exc.status_code,
        )
    return Redirect(f"{_base(shell)}/{template_id}#i-{values['code'].strip()}")


ROUTES = [
    templates_page,
    template_create,
    template_import,
    template_page,
    template_export,
    template_action,
    indicator_new_page,
    indicator_create,
    indicator_page,
    indicator_update,
]
