"""Data sources of a locality in the console: the list with the last run and "run now"; a
source created or edited in a form (the adapter's options generated from its schema, secret
options write-only, the mapping, the schedule and the retry policy); testing the connection,
previewing the first mapped rows, uploading a file to a ``tabular_file`` source, and the runs.
The form's fields are read and filled by ``core.web.admin.source_form``.

Reading: office users and unit admins (as the API lets them); changing: office users."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from pydantic import ValidationError

from core.schemas.adapters import AdapterSourceIn, AdapterSourcePatch
from core.services import adapters as adapter_service
from core.services.errors import NotFound, ServiceError
from core.web.admin import schema_form
from core.web.admin.menu import OFFICE, READERS
from core.web.admin.shell import MAX_PAGE, PAGE_SIZE, Shell, open_shell, paging
from core.web.admin.source_form import errors_by_field, form_values, read_form, validation_list

PERIOD_KINDS = ("day", "week", "month", "quarter", "half_year", "year")


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}/sources"


def _types(shell: Shell) -> dict[str, dict[str, Any]]:
    types = {}
    for item in adapter_service.installed_adapters():
        item = dict(item)
        item["label"] = item["label_zh"] if shell.tr.locale == "zh_CN" else item["label_en"]
        item["fields"] = schema_form.fields_of(item["options_schema"])
        types[item["name"]] = item
    return types


def _source(shell: Shell, source_id: int):
    source = adapter_service.get_source(shell.ctx, shell.actor, source_id)
    if source.locality_code != shell.code:
        raise NotFound("no adapter source with id {id}", params={"id": source_id})
    return source


def _schedule_text(shell: Shell, schedule: dict[str, Any] | None) -> str:
    if not schedule:
        return shell._("By hand")
    if schedule.get("interval_minutes"):
        return shell._("Every {n} minutes", n=schedule["interval_minutes"])
    return shell._("Cron {expression}", expression=schedule.get("cron", ""))


def _run_outcome(shell: Shell, run) -> tuple[str, str]:
    """(message, error) telling how a run ended, in the reader's language."""
    if run.status == "succeeded":
        return shell._("Run {id} succeeded: {written} values written.", id=run.id, written=run.rows_written), ""
    if run.status == "failed":
        return "", shell._("Run {id} failed: {error}", id=run.id, error=shell.tr.translate(run.error))
    return shell._("Run {id}: {status}", id=run.id, status=shell._(run.status)), ""


def _may_change(shell: Shell) -> bool:
    return shell.actor.role in OFFICE and bool(shell.locality["writable"])


def _list_rows(shell: Shell, page: int = 1) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of one page of the locality's sources, and its paging."""

    def read(offset: int):
        return adapter_service.list_sources(shell.ctx, shell.actor, shell.code, limit=PAGE_SIZE, offset=offset)

    page = min(max(page, 1), MAX_PAGE)  # a page number past any list: the last page, never an overflow
    asked = (page - 1) * PAGE_SIZE
    found = read(asked)
    p = paging(found.total, page)
    if p["offset"] != asked:  # past the last page: its last page
        found = read(p["offset"])
    types = _types(shell)
    return [
        {
            "source": s,
            "type": types.get(s.adapter, {}).get("label", s.adapter),
            "schedule": _schedule_text(shell, s.schedule),
            "next_run": shell.tr.datetime(s.next_run_at) if s.enabled and s.next_run_at else "",
            "last": shell.tr.datetime(s.last_run.started_at) if s.last_run else "",
        }
        for s in found.items
    ], p


async def _render_list(
    shell: Shell, *, message_text: str = "", error: str = "", status_code: int = 200, page: int = 1
) -> Response:
    rows, p = await run_sync(_list_rows, shell, page)
    return shell.render(
        "admin/sources/list.html",
        title=shell._("Data sources"),
        crumbs=[(shell.locality["name"], None)],
        rows=rows,
        p=p,
        may_change=_may_change(shell),
        message=message_text,
        error=error,
        status_code=status_code,
    )


@get("/localities/{code:str}/sources", include_in_schema=False)
async def sources_page(request: Request, code: FromPath[str], page: FromQuery[int] = 1) -> Response:
    """The locality's sources, a page at a time: kind, schedule, next and last run (records read
    and values written, the error); office users of the locality run one from here."""
    shell = await open_shell(request, code, roles=READERS)
    return await _render_list(shell, page=page)


@post("/localities/{code:str}/sources/{source_id:int}/run", include_in_schema=False)
async def source_run(
    request: Request, code: FromPath[str], source_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """ "Run now" from the list: the list again, with how the run ended."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    await run_sync(_source, shell, source_id)
    try:
        run = await run_sync(adapter_service.run_now, shell.ctx, shell.actor, source_id)
    except ServiceError as exc:
        return await _render_list(shell, error=shell.tr.error(exc), status_code=exc.status_code)
    message_text, error = _run_outcome(shell, run)
    return await _render_list(shell, message_text=message_text, error=error)


# --- addresses of the pages this area replaced, kept for bookmarks -----------------------------


@get("/adapters", include_in_schema=False)
async def old_sources_page(request: Request) -> Response:
    """``/admin/adapters``: the sources of the user's own locality (else the one the console shows)."""
    shell = await open_shell(request, roles=READERS)
    own = next((loc for loc in shell.localities if loc["id"] == shell.actor.locality_id), shell.locality)
    if own is None:
        raise NotFound("page not found")
    return Redirect(f"/admin/localities/{own['code']}/sources")


@get("/adapter-sources/{source_id:int}", include_in_schema=False)
async def old_source_page(request: Request, source_id: FromPath[int]) -> Response:
    """``/admin/adapter-sources/{id}``: that source's page; 404 when the user may not see it."""
    shell = await open_shell(request, roles=READERS)
    source = await run_sync(adapter_service.get_source, shell.ctx, shell.actor, source_id)
    return Redirect(f"/admin/localities/{source.locality_code}/sources/{source.id}")


# --- the form ----------------------------------------------------------------------------------


def _render_form(
    shell: Shell,
    *,
    source,
    adapter: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    message_text: str = "",
    error: str = "",
    result: dict[str, Any] | None = None,
    runs=None,
    status_code: int = 200,
) -> Response:
    title = source.name if source else shell._("New data source")
    return shell.render(
        "admin/sources/source.html",
        title=title,
        crumbs=[(shell.locality["name"], None), (shell._("Data sources"), _base(shell))],
        source=source,
        adapter=adapter,
        fields=adapter["fields"],
        values=values,
        errors=errors,
        secret=set(adapter["secret_options"]),
        secrets_set=set(source.secrets_set) if source else set(),
        period_kinds=PERIOD_KINDS,
        message=message_text,
        error=error,
        result=result,
        runs=runs or [],
        schedule_text=_schedule_text(shell, source.schedule) if source else "",
        rejected=runs[0]["run"].rejected[:500] if runs else [],
        may_change=_may_change(shell),
        status_code=status_code,
        # the options' titles and help, a test's result, a run's error: in the words of the
        # adapter's plugin (its catalogue, then the core's)
        translate=shell.tr.of(adapter.get("plugin")).translate,
    )


def _runs(shell: Shell, source_id: int) -> list[dict[str, Any]]:
    page = adapter_service.list_runs(shell.ctx, shell.actor, source_id, limit=20)
    return [{"run": r, "started": shell.tr.datetime(r.started_at)} for r in page.items]


@get("/localities/{code:str}/sources/new", include_in_schema=False)
async def source_new_page(request: Request, code: FromPath[str], adapter: FromQuery[str] = "") -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    types = await run_sync(_types, shell)
    if adapter not in types:
        return shell.render(
            "admin/sources/choose.html",
            title=shell._("New data source"),
            crumbs=[(shell.locality["name"], None), (shell._("Data sources"), _base(shell))],
            types=types,
        )
    return _render_form(
        shell, source=None, adapter=types[adapter], values=form_values(None, types[adapter]["fields"]), errors={}
    )


@post("/localities/{code:str}/sources/new", include_in_schema=False)
async def source_create(
    request: Request, code: FromPath[str], adapter: FromQuery[str], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    types = await run_sync(_types, shell)
    if adapter not in types:
        raise NotFound("page not found")
    kind = types[adapter]
    body, typed, errors = read_form(data, kind["fields"], set(kind["secret_options"]))
    errors = {
        ("opt_" + k if k in {f.name for f in kind["fields"]} else k): shell.tr.translate(v) for k, v in errors.items()
    }
    try:
        if errors:
            raise ValueError
        checked = AdapterSourceIn.model_validate({**body, "adapter": adapter})
        source = await run_sync(adapter_service.create_source, shell.ctx, shell.actor, shell.code, checked)
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            errors = errors_by_field(shell, validation_list(exc))
        return _render_form(
            shell,
            source=None,
            adapter=kind,
            values=typed,
            errors=errors,
            error=shell._("Please check the input."),
            status_code=422,
        )
    except ServiceError as exc:
        errors = errors_by_field(shell, exc.errors)
        return _render_form(
            shell,
            source=None,
            adapter=kind,
            values=typed,
            errors=errors,
            error=shell.tr.error(exc),
            status_code=exc.status_code,
        )
    return Redirect(f"{_base(shell)}/{source.id}?created=1")


@get("/localities/{code:str}/sources/{source_id:int}", include_in_schema=False)
async def source_page(
    request: Request, code: FromPath[str], source_id: FromPath[int], created: FromQuery[str] = ""
) -> Response:
    """A source: its form and actions (office users of the locality), its last 20 runs and the
    records its last run rejected, with the reasons in the reader's language (every reader)."""
    shell = await open_shell(request, code, roles=READERS)
    source = await run_sync(_source, shell, source_id)
    types = await run_sync(_types, shell)
    kind = types.get(source.adapter) or {
        "name": source.adapter,
        "label": source.adapter,
        "fields": [],
        "secret_options": [],
    }
    return _render_form(
        shell,
        source=source,
        adapter=kind,
        values=form_values(source, kind["fields"]),
        errors={},
        message_text=shell._("Data source created.") if created else "",
        runs=await run_sync(_runs, shell, source_id),
    )


@post("/localities/{code:str}/sources/{source_id:int}", include_in_schema=False)
async def source_action(
    request: Request, code: FromPath[str], source_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``save``, ``test`` (reach it once), ``preview`` (the first mapped rows), ``run``
    or ``delete``."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    source = await run_sync(_source, shell, source_id)
    types = await run_sync(_types, shell)
    kind = types.get(source.adapter) or {
        "name": source.adapter,
        "label": source.adapter,
        "fields": [],
        "secret_options": [],
    }
    action = data.get("action", "save")
    values, errors, message_text, error, result, status = form_values(source, kind["fields"]), {}, "", "", None, 200
    try:
        if action == "delete":
            await run_sync(adapter_service.delete_source, shell.ctx, shell.actor, source_id)
            return Redirect(_base(shell))
        if action == "test":
            test = await run_sync(adapter_service.test_source, shell.ctx, shell.actor, source_id)
            result = {"kind": "test", "ok": test.ok, "message": shell.tr.translate(test.message)}
        elif action == "preview":
            preview = await run_sync(adapter_service.preview_source, shell.ctx, shell.actor, source_id)
            result = {"kind": "preview", "preview": preview}
        elif action == "run":
            run = await run_sync(adapter_service.run_now, shell.ctx, shell.actor, source_id)
            message_text, error = _run_outcome(shell, run)
        else:
            body, typed, errors = read_form(data, kind["fields"], set(kind["secret_options"]))
            values = typed
            errors = {
                ("opt_" + k if k in {f.name for f in kind["fields"]} else k): shell.tr.translate(v)
                for k, v in errors.items()
            }
            if errors:
                raise ValueError
            patch = AdapterSourcePatch.model_validate(body)
            await run_sync(adapter_service.update_source, shell.ctx, shell.actor, source_id, patch)
            source = await run_sync(_source, shell, source_id)
            values, message_text = form_values(source, kind["fields"]), shell._("Saved.")
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            errors = errors_by_field(shell, validation_list(exc))
        error, status = shell._("Please check the input."), 422
    except ServiceError as exc:
        errors = errors_by_field(shell, exc.errors) if action == "save" else {}
        error, status = shell.tr.error(exc), exc.status_code
    return _render_form(
        shell,
        source=source,
        adapter=kind,
        values=values,
        errors=errors,
        message_text=message_text,
        error=error,
        result=result,
        runs=await run_sync(_runs, shell, source_id),
        status_code=status,
    )


@post("/localities/{code:str}/sources/{source_id:int}/files", include_in_schema=False)
async def source_upload(request: Request, code: FromPath[str], source_id: FromPath[int]) -> Response:
    """A .csv or .xlsx file into a ``tabular_file`` source's folder; the next run reads it."""
    shell = await open_shell(request, code, roles=OFFICE)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    source = await run_sync(_source, shell, source_id)
    types = await run_sync(_types, shell)
    kind = types.get(source.adapter) or {
        "name": source.adapter,
        "label": source.adapter,
        "fields": [],
        "secret_options": [],
    }
    upload = form.get("file")
    message_text, error, status = "", "", 200
    if not isinstance(upload, UploadFile) or not upload.filename:
        error, status = shell._("Choose an .xlsx or .csv file first."), 422
    else:
        content = await upload.read()
        try:
            saved = await run_sync(
                adapter_service.upload_file, shell.ctx, shell.actor, source_id, upload.filename, content
            )
            message_text = shell._(
                "File {name} uploaded; the next run reads it.", name=saved.get("file") or upload.filename
            )
        except ServiceError as exc:
            error, status = shell.tr.error(exc), exc.status_code
    return _render_form(
        shell,
        source=source,
        adapter=kind,
        values=form_values(source, kind["fields"]),
        errors={},
        message_text=message_text,
        error=error,
        runs=await run_sync(_runs, shell, source_id),
        status_code=status,
    )


ROUTES = [
    sources_page,
    source_run,
    old_sources_page,
    old_source_page,
    source_new_page,
    source_create,
    source_page,
    source_action,
    source_upload,
]
