"""People's accounts of a locality (``/admin/localities/{code}/people-accounts``), office roles:
counts, issuing activation codes for a unit (with or without its sub-units) or the whole
locality, downloading one issue's codes as slips (PDF) or a list (.xlsx) while they are held,
and re-issuing or revoking one person's account."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.services import org_lists, people_slips
from core.services import people_accounts as pa
from core.services.errors import ServiceError
from core.web.admin.forms import to_int
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, open_shell
from core.web.downloads import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 50


def _base(shell: Shell) -> str:
    return f"/admin/localities/{shell.code}/people-accounts"


def _view(shell: Shell, q: str, after: int | None, before: int | None):
    counts = pa.counts(shell.ctx, shell.actor, shell.code)
    found = pa.people_page(
        shell.ctx,
        shell.actor,
        shell.code,
        q=q,
        after=after,
        before=before,
        limit=PAGE,
        total=None if q.strip() else counts.people,  # everyone: the count just read
    )
    units = org_lists.all_units(shell.ctx, shell.actor, shell.code)
    return counts, found, [(u.id, u.name) for u in units]


async def _page(
    shell: Shell,
    *,
    q: str = "",
    after: int | None = None,
    before: int | None = None,
    batch: int | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    counts, found, units = await run_sync(_view, shell, q, after, before)
    return shell.render(
        "admin/people_accounts/index.html",
        title=shell._("People's accounts"),
        crumbs=[(shell.locality["name"], None)],
        counts=counts,
        people=found.items,
        found=found,
        last=found.first + len(found.items) - 1,
        units=units,
        q=q,
        batch=batch,
        message=message,
        error=error,
        base=_base(shell),
        status_code=status_code,
    )


@get("/localities/{code:str}/people-accounts", include_in_schema=False)
async def accounts_page(
    request: Request,
    code: FromPath[str],
    q: FromQuery[str] = "",
    after: FromQuery[str] = "",
    before: FromQuery[str] = "",
    batch: FromQuery[int | None] = None,
    done: FromQuery[str] = "",
) -> Response:
    """A page of people in id order: ``after`` an id (the next page) or ``before`` one (the
    previous), on the key, never an OFFSET; ``q`` a name's beginning."""
    shell = await open_shell(request, code, roles=OFFICE)
    message = ""
    if batch is not None and done:
        message = shell._("Codes issued: {n}. Download them now; they are kept for 24 hours only.", n=done)
    return await _page(
        shell,
        q=q[:100],
        after=to_int(after) if after else None,
        before=to_int(before) if before else None,
        batch=batch,
        message=message,
    )


@post("/localities/{code:str}/people-accounts/issue", include_in_schema=False)
async def issue_submit(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    unit_id = to_int(data.get("unit_id", "")) if data.get("unit_id") else None
    try:
        issued = await run_sync(
            lambda: pa.issue(
                shell.ctx, shell.actor, shell.code, unit_id=unit_id, with_sub_units=bool(data.get("with_sub_units"))
            )
        )
    except ServiceError as exc:
        return await _page(shell, error=shell.tr.error(exc), status_code=exc.status_code)
    if issued.batch_id is None:
        return await _page(
            shell, message=shell._("Nobody there is waiting for a code: every account is activated or revoked.")
        )
    return Redirect(f"{_base(shell)}?batch={issued.batch_id}&done={issued.codes}")


@post("/localities/{code:str}/people-accounts/{person_id:int}/reissue", include_in_schema=False)
async def reissue_submit(
    request: Request, code: FromPath[str], person_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    issued = await run_sync(pa.reissue, shell.ctx, shell.actor, shell.code, person_id)
    return Redirect(f"{_base(shell)}?batch={issued.batch_id}&done=1")


@post("/localities/{code:str}/people-accounts/{person_id:int}/revoke", include_in_schema=False)
async def revoke_submit(
    request: Request, code: FromPath[str], person_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    await run_sync(pa.revoke, shell.ctx, shell.actor, shell.code, person_id)
    return await _page(shell, message=shell._("The account was revoked: it can no longer sign in."))


@get("/localities/{code:str}/people-accounts/batches/{batch_id:int}/slips.pdf", include_in_schema=False)
async def batch_pdf(request: Request, code: FromPath[str], batch_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    slips = await run_sync(people_slips.batch_slips, shell.ctx, shell.actor, shell.code, batch_id)
    content = await run_sync(people_slips.slips_pdf, slips, shell.tr.gettext)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": attachment(shell.tr, "activation-codes-{batch}", ".pdf", batch=batch_id),
            "Cache-Control": "no-store",
        },
    )


@get("/localities/{code:str}/people-accounts/batches/{batch_id:int}/codes.xlsx", include_in_schema=False)
async def batch_xlsx(request: Request, code: FromPath[str], batch_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    slips = await run_sync(people_slips.batch_slips, shell.ctx, shell.actor, shell.code, batch_id)
    content = await run_sync(people_slips.codes_xlsx, slips, shell.tr.gettext)
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": attachment(shell.tr, "activation-codes-{batch}", ".xlsx", batch=batch_id),
            "Cache-Control": "no-store",
        },
    )


ROUTES = [accounts_page, issue_submit, reissue_submit, revoke_submit, batch_pdf, batch_xlsx]
