"""The console page "Accounts and slips" (账号与票条), a campaign tab:
``/admin/localities/{code}/campaigns/{campaign_id}/accounts``.

Per evaluator category: how many one-time accounts were issued, are unused, in use, submitted
and revoked; a form to issue more (spares too, while the campaign is open); the slips PDF of the
category (``.../accounts/slips.pdf?category=<id>``, or ``?batch=<n>`` for one batch). A slip that
is lost or spoiled is found by the number printed on it ("No.") or its code, and revoked or
replaced (the new slip is printed from the page). Plaintext codes exist only in the slips PDF,
while the batch is held (``ballots.service.SLIP_HOLD``).

The page warns when slips would carry a loopback address (phones could not open them) and when
no CJK font can be embedded. The routes are marked public for the plugin guard only so that the
console's own rules apply (``open_shell``): no session is a redirect to the sign-in page, a role
other than office or platform admin or another locality's campaign is 404, every form carries the
session's CSRF token (403 without).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Stream

from ballots import office, service
from ballots.slips import embedded_font
from ballots.web import _render_to_file, _stream_and_delete, slips_disposition
from core.i18n import translator
from core.reachability import lan_address, loopback_only
from core.services.errors import Invalid, ServiceError
from core.web.admin.campaigns import campaign_tabs, crumbs
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, exception_handlers, field_errors, open_shell

PAGE = "/localities/{code:str}/campaigns/{campaign_id:int}/accounts"
LOCALES_DIR = Path(__file__).parent / "locales"
CONSOLE_CHECKS = {"public": True}  # see the module's docstring: open_shell checks the session


# A campaign's status as the console names it (the same message ids as the core's campaign pages).
STATUS_LABELS = {
    "draft": "Being set up",
    "open": "Open for voting",
    "closed": "Closed",
    "tallied": "Tallied",
    "published": "Published",
}


def status_label(shell: Shell, status: str) -> str:
    return shell._(STATUS_LABELS.get(status, status))


def campaign_href(code: str, campaign_id: int) -> str:
    return f"/admin/localities/{code}/campaigns/{campaign_id}"


async def campaign_nav(shell: Shell, campaign_id: int) -> list[tuple[str, str, str]]:
    """The campaign's tab bar ``[(label, href, key)]`` (the core's, with the plugins' tabs)."""
    return await run_sync(campaign_tabs, shell, SimpleNamespace(id=campaign_id))


def campaign_crumbs(shell: Shell, campaign: office.CampaignInfo, title: str) -> list[tuple[str, str | None]]:
    return [*crumbs(shell, campaign), (title, None)]


def error_text(shell: Shell, exc: ServiceError) -> str:
    """A ballots service error in the reader's language, read with the plugin's catalogues first
    (a generic message id of another catalogue, such as "{rank} of {n}", must not take it)."""
    if shell.tr.locale != "en" and not exc.params:
        own = translator(shell.tr.locale, (LOCALES_DIR,)).translate(exc.message)
        if own != exc.message:
            return own
    return shell.tr.error(exc)


def _warnings(shell: Shell) -> dict[str, Any]:
    settings = shell.ctx.settings
    loopback = loopback_only(settings)
    font = embedded_font(str(settings.pdf_font) if settings.pdf_font else None)
    return {
        "loopback": loopback,
        "lan": lan_address() if loopback else None,
        "base_url": settings.resolved_base_url,
        "port": settings.port,
        "font": font,
    }


async def _page(
    shell: Shell,
    campaign: office.CampaignInfo,
    *,
    message: str = "",
    print_href: str = "",
    error: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    progress = await run_sync(service.progress, shell.ctx, shell.actor, campaign.id)
    rows = []
    for category_id, name in campaign.categories:
        counts = progress.categories.get(name, service.CountsOut())
        rows.append(
            {
                "id": category_id,
                "name": name,
                "issued": counts.issued,
                "revoked": counts.revoked,
                "submitted": counts.submitted,
                "in_use": counts.logged_in - counts.submitted,
                "unused": counts.issued - counts.revoked - counts.logged_in,
            }
        )
    base = campaign_href(shell.code, campaign.id)
    return shell.render(
        "ballots/admin/accounts.html",
        title=shell._("Accounts and slips"),
        crumbs=campaign_crumbs(shell, campaign, shell._("Accounts and slips")),
        campaign=campaign,
        status=status_label(shell, campaign.status),
        rows=rows,
        total=progress.total,
        tabs=await campaign_nav(shell, campaign.id),
        current_tab="ballots.accounts",
        campaign_href=base,
        page_href=base + "/accounts",
        warnings=await run_sync(_warnings, shell),
        message=message,
        print_href=print_href,
        error=error,
        errors=errors or {},
        values=values or {},
        max_count=service.MAX_ACCOUNTS_PER_CALL,
        status_code=status_code,
    )


async def _open(request: Request, code: str, campaign_id: int) -> tuple[Shell, office.CampaignInfo]:
    shell = await open_shell(request, code, roles=OFFICE)
    campaign = await run_sync(office.campaign_in, shell.ctx, shell.actor, shell.locality_id, campaign_id)
    return shell, campaign


@get(PAGE, include_in_schema=False, opt=CONSOLE_CHECKS)
async def accounts_page(
    request: Request,
    code: FromPath[str],
    campaign_id: FromPath[int],
    issued: FromQuery[int | None] = None,
    count: FromQuery[int | None] = None,
    category: FromQuery[int | None] = None,
    revoked: FromQuery[int | None] = None,
    replaced: FromQuery[int | None] = None,
    batch: FromQuery[int | None] = None,
) -> Response:
    """After a form: ``issued=<batch>&count=<n>&category=<id>``, ``revoked=<no>``, or
    ``replaced=<old no>&batch=<new batch>`` say what was done (and offer the slips to print)."""
    shell, campaign = await _open(request, code, campaign_id)
    base = campaign_href(code, campaign_id) + "/accounts"
    message, print_href = "", ""
    if issued and count and category:
        name = campaign.category_name(category)
        message = shell._(
            "{count} accounts were issued for {category} (batch {batch}). Print their slips now: "
            "their codes are kept for printing for 24 hours only.",
            count=count,
            category=name,
            batch=issued,
        )
        print_href = f"{base}/slips.pdf?{urlencode({'batch': issued})}"
    elif revoked:
        message = shell._("The slip No. {number} was revoked: its code can no longer be used.", number=revoked)
    elif replaced and batch:
        message = shell._(
            "The slip No. {number} was revoked and a new slip was issued in its place. "
            "Print the new slip now and hand it over.",
            number=replaced,
        )
        print_href = f"{base}/slips.pdf?{urlencode({'batch': batch})}"
    return await _page(shell, campaign, message=message, print_href=print_href)


def _count(text: str) -> int:
    try:
        value = int((text or "").strip())
    except ValueError:
        value = 0
    if not 1 <= value <= service.MAX_ACCOUNTS_PER_CALL:
        most = service.MAX_ACCOUNTS_PER_CALL
        raise Invalid(
            "count: type a whole number from 1 to {most}",
            params={"most": most},
            errors=[{"field": "count", "message": f"type a whole number from 1 to {most}"}],
        )
    return value


@post(PAGE + "/issue", include_in_schema=False, opt=CONSOLE_CHECKS)
async def accounts_issue(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """Form fields: ``category`` (a category's id), ``count`` (1 to MAX_ACCOUNTS_PER_CALL)."""
    shell, campaign = await _open(request, code, campaign_id)
    shell.check_csrf(data)
    values = {"count": data.get("count", ""), "category": data.get("category", "")}
    try:
        category_id = int(values["category"]) if values["category"].strip().isdigit() else 0
        if category_id not in dict(campaign.categories):
            raise Invalid(
                "category: choose one of the campaign's evaluator categories",
                errors=[{"field": "category", "message": "choose one of the campaign's evaluator categories"}],
            )
        name = campaign.category_name(category_id)
        count = _count(values["count"])
        out = await run_sync(
            service.issue_accounts, shell.ctx, shell.actor, campaign_id, service.AccountsIn(category=name, count=count)
        )
    except ServiceError as exc:
        errors, _general = field_errors(shell.tr, exc)
        return await _page(
            shell,
            campaign,
            error="" if errors else error_text(shell, exc),
            errors=errors,
            values=values,
            status_code=exc.status_code,
        )
    query = urlencode({"issued": out.batch, "count": len(out.accounts), "category": category_id})
    return Redirect(f"{campaign_href(code, campaign_id)}/accounts?{query}", status_code=303)


@post(PAGE + "/slip", include_in_schema=False, opt=CONSOLE_CHECKS)
async def accounts_slip(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """A lost or spoiled slip: ``slip`` (its number or code), ``action`` ``revoke`` or ``replace``."""
    shell, campaign = await _open(request, code, campaign_id)
    shell.check_csrf(data)
    action = data.get("action", "")
    values = {"slip": data.get("slip", "")}
    base = f"{campaign_href(code, campaign_id)}/accounts"
    try:
        account = await run_sync(office.find_account, shell.ctx, shell.actor, campaign, values["slip"])
        if action == "replace":
            new = await run_sync(service.replace_account, shell.ctx, shell.actor, campaign_id, account.id)
            return Redirect(f"{base}?{urlencode({'replaced': account.id, 'batch': new.batch})}", status_code=303)
        if action != "revoke":
            raise Invalid("choose to revoke or to replace the slip")
        await run_sync(service.revoke_account, shell.ctx, shell.actor, campaign_id, account.id)
    except ServiceError as exc:
        errors, _general = field_errors(shell.tr, exc)
        if not errors:  # the account's state (already used, revoked) or the campaign's: beside the field
            errors = {"slip": error_text(shell, exc)}
        return await _page(shell, campaign, errors=errors, values=values, status_code=exc.status_code)
    return Redirect(f"{base}?{urlencode({'revoked': account.id})}", status_code=303)


@get(PAGE + "/slips.pdf", include_in_schema=False, opt=CONSOLE_CHECKS)
async def accounts_slips(
    request: Request,
    code: FromPath[str],
    campaign_id: FromPath[int],
    category: FromQuery[int | None] = None,
    batch: FromQuery[int | None] = None,
) -> Response:
    """The slips PDF of one category (``category``: its id) or one batch, of the accounts not yet
    used; the page with the reason (e.g. 410: the codes are no longer held) when there is none."""
    shell, campaign = await _open(request, code, campaign_id)
    try:
        name = campaign.category_name(category) if category is not None else None
        job = await run_sync(
            lambda: service.slips_to_print(shell.ctx, shell.actor, campaign_id, category=name, batch=batch)
        )
        path = await run_sync(_render_to_file, shell.ctx, job, shell.tr.locale)
    except ServiceError as exc:
        return await _page(shell, campaign, error=error_text(shell, exc), status_code=exc.status_code)
    return Stream(
        _stream_and_delete(path),
        media_type="application/pdf",
        headers={
            "Content-Disposition": slips_disposition(shell.tr, campaign_id, category, name, batch),
            "Cache-Control": "no-store",
        },
    )


def accounts_routes() -> list:
    """The accounts pages, under ``/admin`` with the console's error pages."""
    return [
        Router(
            path="/admin",
            route_handlers=[accounts_page, accounts_issue, accounts_slip, accounts_slips],
            exception_handlers=exception_handlers,
        )
    ]
