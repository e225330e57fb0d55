"""The console page "Turnout" (参评情况), a campaign tab:
``/admin/localities/{code}/campaigns/{campaign_id}/turnout``.

Per evaluator category and in total: accounts issued (not revoked), signed in, with a draft,
submitted, valid and invalid ballots, and the turnout (submitted / issued), from
``ballots.service.progress`` (counts only: nothing says which account did what). While the
campaign is open the numbers refresh themselves: the block polls ``.../turnout/numbers`` with
HTMX every ``POLL_SECONDS`` and replaces itself, without reloading the page; once the campaign
is closed the answer stops the polling. ``?view=projector`` is a full-screen page of large
numbers for a meeting room's projector.

Marked public for the plugin guard only so that the console's own rules apply (see
``ballots.admin_accounts``): office and platform admins, the page's locality, 404 otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from anyio.to_thread import run_sync
from litestar import Request, Response, Router, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ballots import office, service
from ballots.admin_accounts import (
    CONSOLE_CHECKS,
    campaign_crumbs,
    campaign_href,
    campaign_nav,
    status_label,
)
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, exception_handlers, open_shell, shell_context

PAGE = "/localities/{code:str}/campaigns/{campaign_id:int}/turnout"
POLL_SECONDS = 3
PROJECTOR = "projector"


def _rows(progress: service.ProgressOut) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    def row(name: str, counts: service.CountsOut) -> dict[str, Any]:
        return {
            "name": name,
            "issued": counts.issued - counts.revoked,
            "logged_in": counts.logged_in,
            "drafts": counts.drafts,
            "submitted": counts.submitted,
            "valid": counts.valid,
            "invalid": counts.invalid,
            "turnout": counts.turnout,
        }

    return [row(name, counts) for name, counts in progress.categories.items()], row("", progress.total)


async def _numbers(shell: Shell, code: str, campaign_id: int, view: str) -> dict[str, Any]:
    campaign = await run_sync(office.campaign_in, shell.ctx, shell.actor, shell.locality_id, campaign_id)
    progress = await run_sync(service.progress, shell.ctx, shell.actor, campaign_id)
    rows, total = _rows(progress)
    base = campaign_href(code, campaign_id)
    projector = view == PROJECTOR
    return {
        "campaign": campaign,
        "status": status_label(shell, progress.status),
        "rows": rows,
        "total": total,
        "polling": progress.status == "open",
        "poll_seconds": POLL_SECONDS,
        "projector": projector,
        "numbers_href": f"{base}/turnout/numbers" + ("?view=projector" if projector else ""),
        "updated": datetime.now(ZoneInfo(shell.ctx.settings.timezone)).strftime("%H:%M:%S"),
    }


@get(PAGE, include_in_schema=False, opt=CONSOLE_CHECKS)
async def turnout_page(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], view: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    numbers = await _numbers(shell, code, campaign_id, view)
    base = campaign_href(code, campaign_id)
    title = shell._("Live turnout")
    if numbers["projector"]:
        return shell.render("ballots/admin/projector.html", title=title, page_href=f"{base}/turnout", **numbers)
    return shell.render(
        "ballots/admin/turnout.html",
        title=title,
        crumbs=campaign_crumbs(shell, numbers["campaign"], title),
        tabs=await campaign_nav(shell, campaign_id),
        current_tab="ballots.turnout",
        campaign_href=base,
        page_href=f"{base}/turnout",
        **numbers,
    )


@get(PAGE + "/numbers", include_in_schema=False, opt=CONSOLE_CHECKS)
async def turnout_numbers(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], view: FromQuery[str] = ""
) -> Response:
    """The numbers block alone (what the page polls): HTML, no-store."""
    shell = await open_shell(request, code, roles=OFFICE)
    numbers = await _numbers(shell, code, campaign_id, view)
    name = "ballots/admin/_projector_numbers.html" if numbers["projector"] else "ballots/admin/_turnout_numbers.html"
    return Template(
        template_name=name,
        context={**shell_context(request, shell.tr), **numbers},
        headers={"Cache-Control": "no-store"},
    )


def turnout_routes() -> list:
    """The turnout pages, under ``/admin`` with the console's error pages."""
    return [
        Router(path="/admin", route_handlers=[turnout_page, turnout_numbers], exception_handlers=exception_handlers)
    ]
