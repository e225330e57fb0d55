"""Campaigns (测评活动) of a locality in the console: the list (with the locality's result
settings), a campaign's overview (status, what it still misses before it can open, open /
close / tally), the close confirmation with the turnout per category, and a tally refused below
the locality's minimum turnout until the office gives a reason. A new campaign and the setup
steps are in ``core.web.admin.campaign_steps`` (the scoring steps in ``campaign_scoring``).

Every campaign page shows the campaign's tab bar, ``admin/campaigns/_tabs.html``: render the page
with ``tabs`` = ``campaign_tabs(shell, campaign)`` and ``current_tab`` = the key of its tab, and
in the template ``{% set current = current_tab %}{% include "admin/campaigns/_tabs.html" %}``
(``current`` of the page itself marks the menu's entry). A plugin's campaign page
(``kaoping_campaign_pages``) does the same with its own key; see docs/plugins.md.
Office roles only (platform admin, office): everyone else gets 404, as for another locality's
campaign id.
"""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from pydantic import ValidationError

from core.services import campaign_overview, tally
from core.services import campaigns as campaign_service
from core.services import turnout as turnout_service
from core.services.errors import Conflict, ServiceError
from core.web.admin.forms import model_errors
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, field_errors, open_shell, paging, plugin_tabs

KINDS = ("democratic", "annual", "monthly", "satisfaction")
KIND_LABELS = {
    "democratic": "Democratic evaluation",
    "annual": "Annual assessment",
    "monthly": "Monthly assessment",
    "satisfaction": "Satisfaction survey",
}
# What the overview says after an action (it redirects there, so a reload repeats nothing).
DONE = {
    "opened": "The campaign is open: evaluators may vote.",
    "closed": "The campaign is closed: no more ballots are taken.",
    "tallied": "The campaign is tallied.",
}
STATUS_LABELS = {
    "draft": "Being set up",
    "open": "Open for voting",
    "closed": "Closed",
    "tallied": "Tallied",
    "published": "Published",
}


def base_url(code: str, campaign_id: int | None = None) -> str:
    """``/admin/localities/{code}/campaigns`` or the campaign's own page."""
    url = f"/admin/localities/{code}/campaigns"
    return f"{url}/{campaign_id}" if campaign_id is not None else url


def campaign_tabs(shell: Shell, campaign: Any) -> list[tuple[str, str, str]]:
    """The tab bar of a campaign's pages as ``[(label, href, key)]``: the core's overview
    (``"overview"``), setup (``"setup"``) and results (``"results"``), then the tabs the
    locality's plugins add (``kaoping_campaign_pages``) that the user's role may see.
    ``campaign``: anything with an ``id`` (``CampaignOut``). Blocking: call it in a worker
    thread (``await anyio.to_thread.run_sync(campaign_tabs, shell, campaign)``). Render with
    ``{% include "admin/campaigns/_tabs.html" %}`` given ``tabs`` and ``current`` (a key)."""
    url = base_url(shell.code, campaign.id)
    tabs = [
        (shell._("Overview"), url, "overview"),
        (shell._("Setup"), f"{url}/setup/basics", "setup"),
        (shell._("Results"), f"{url}/results", "results"),
    ]
    return tabs + [(t.label(shell.tr.locale), t.href, t.key) for t in plugin_tabs(shell, campaign.id)]


def labels(shell: Shell) -> dict[str, Any]:
    """What every campaign template uses to name kinds and statuses in the reader's language."""
    return {
        "kind_label": {k: shell._(v) for k, v in KIND_LABELS.items()},
        "status_label": {k: shell._(v) for k, v in STATUS_LABELS.items()},
    }


def crumbs(shell: Shell, campaign: Any | None = None) -> list[tuple[str, str | None]]:
    trail = [(shell.locality["name"], None), (shell._("Campaigns"), base_url(shell.code))]
    if campaign is not None:
        trail.append((campaign.name, base_url(shell.code, campaign.id)))
    return trail


async def load(shell: Shell, campaign_id: int):
    """The campaign of the shell's locality (404 otherwise) and its tabs."""
    campaign = await run_sync(campaign_overview.get_in, shell.ctx, shell.actor, shell.code, campaign_id)
    return campaign, await run_sync(campaign_tabs, shell, campaign)


# --- the list and the locality's result settings ---------------------------------------------


async def _list(
    shell: Shell,
    page: int,
    *,
    settings_values: dict[str, str] | None = None,
    settings_errors: dict[str, str] | None = None,
    message: str = "",
    status_code: int = 200,
) -> Response:
    rows, total = await run_sync(lambda: campaign_overview.list_rows(shell.ctx, shell.actor, shell.code, limit=1))
    p = paging(total, page)
    rows, total = await run_sync(
        lambda: campaign_overview.list_rows(shell.ctx, shell.actor, shell.code, limit=p["size"], offset=p["offset"])
    )
    if settings_values is None:
        current = await run_sync(turnout_service.result_settings, shell.ctx, shell.actor, shell.code)
        minimum = current["min_turnout_percent"]
        settings_values = {
            "min_turnout_percent": "" if minimum is None else f"{minimum:g}",
            "result_decimals": str(current["result_decimals"]),
        }
    return shell.render(
        "admin/campaigns/list.html",
        title=shell._("Campaigns"),
        crumbs=[(shell.locality["name"], None)],
        campaigns=rows,
        p=p,
        base="?",
        settings=settings_values,
        errors=settings_errors or {},
        message=message,
        status_code=status_code,
        **labels(shell),
    )


@get("/localities/{code:str}/campaigns", include_in_schema=False)
async def campaigns_page(request: Request, code: FromPath[str], page: FromQuery[int] = 1) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return await _list(shell, page)


@post("/localities/{code:str}/campaigns/settings", include_in_schema=False)
async def settings_save(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    """The minimum turnout (percent, empty for none) and the decimals of shown scores."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    values = {k: data.get(k, "").strip() for k in ("min_turnout_percent", "result_decimals")}
    try:
        settings = turnout_service.ResultSettingsIn.model_validate(
            {
                "min_turnout_percent": values["min_turnout_percent"] or None,
                "result_decimals": values["result_decimals"] or 2,
            }
        )
        await run_sync(turnout_service.set_result_settings, shell.ctx, shell.actor, shell.code, settings)
    except ValidationError as exc:
        return await _list(
            shell, 1, settings_values=values, settings_errors=model_errors(shell.tr, exc), status_code=422
        )
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        return await _list(
            shell, 1, settings_values=values, settings_errors=errors or {"": general}, status_code=exc.status_code
        )
    return await _list(shell, 1, message=shell._("Saved."))


# --- the overview: open, close, tally ---------------------------------------------------------


async def _overview(
    shell: Shell,
    campaign_id: int,
    *,
    message: str = "",
    error: str = "",
    problems: list[str] | None = None,
    low: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    info = await run_sync(campaign_overview.overview, shell.ctx, shell.actor, shell.code, campaign_id)
    campaign = info["campaign"]
    tabs = await run_sync(campaign_tabs, shell, campaign)
    missing = [shell.tr.translate(m) for m in info["missing"]]
    warnings = [shell.tr.translate(w.message) for w in campaign.warnings]
    return shell.render(
        "admin/campaigns/overview.html",
        title=campaign.name,
        crumbs=crumbs(shell),
        campaign=campaign,
        info=info,
        tabs=tabs,
        current_tab="overview",
        missing=missing,
        warnings=warnings,
        message=message,
        error=error,
        problems=problems or [],
        low=low,
        window=_window(shell, campaign),
        status_code=status_code,
        **labels(shell),
    )


def _window(shell: Shell, campaign) -> str:
    if not campaign.opens_at and not campaign.closes_at:
        return ""
    return (
        f"{shell.tr.datetime(campaign.opens_at) if campaign.opens_at else '…'} – "
        f"{shell.tr.datetime(campaign.closes_at) if campaign.closes_at else '…'}"
    )


@get("/localities/{code:str}/campaigns/{campaign_id:int}", include_in_schema=False)
async def campaign_page(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], done: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return await _overview(shell, campaign_id, message=shell._(DONE[done]) if done in DONE else "")


@post("/localities/{code:str}/campaigns/{campaign_id:int}", include_in_schema=False)
async def campaign_action(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``open`` (refused with what is missing), or ``tally`` (with ``reason`` when
    a category's turnout is below the locality's minimum)."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    await run_sync(campaign_overview.get_in, shell.ctx, shell.actor, shell.code, campaign_id)
    action = data.get("action", "")
    try:
        if action == "open":
            await run_sync(campaign_service.open_campaign, shell.ctx, shell.actor, campaign_id)
            return Redirect(f"{base_url(shell.code, campaign_id)}?done=opened")
        if action == "tally":
            reason = data.get("reason", "").strip()[: turnout_service.REASON_MAX] or None
            await run_sync(lambda: tally.tally(shell.ctx, shell.actor, campaign_id, low_turnout_reason=reason))
            return Redirect(f"{base_url(shell.code, campaign_id)}?done=tallied")
    except Conflict as exc:
        if action == "open" and exc.errors:
            problems = [shell.tr.translate(str(e.get("message", ""))) for e in exc.errors]
            return await _overview(
                shell, campaign_id, error=shell._("The campaign cannot open yet:"), problems=problems, status_code=409
            )
        if action == "tally" and any(e.get("field") == "confirm_low_turnout_reason" for e in exc.errors):
            low = {
                "message": shell.tr.error(exc),
                "reason": data.get("reason", ""),
                "rows": [e for e in exc.errors if e.get("field") == "confirm_low_turnout_reason"],
            }
            return await _overview(shell, campaign_id, low=low, status_code=409)
        return await _overview(shell, campaign_id, error=shell.tr.error(exc), status_code=exc.status_code)
    except ServiceError as exc:
        return await _overview(shell, campaign_id, error=shell.tr.error(exc), status_code=exc.status_code)
    return await _overview(shell, campaign_id)


@get("/localities/{code:str}/campaigns/{campaign_id:int}/close", include_in_schema=False)
async def close_page(request: Request, code: FromPath[str], campaign_id: FromPath[int]) -> Response:
    """Asks before closing, with the turnout per category so far."""
    shell = await open_shell(request, code, roles=OFFICE)
    info = await run_sync(campaign_overview.overview, shell.ctx, shell.actor, shell.code, campaign_id)
    campaign = info["campaign"]
    if campaign.status != "open":
        return Redirect(base_url(shell.code, campaign_id))
    tabs = await run_sync(campaign_tabs, shell, campaign)
    return shell.render(
        "admin/campaigns/close.html",
        title=shell._("Close the campaign"),
        crumbs=crumbs(shell, campaign),
        campaign=campaign,
        info=info,
        tabs=tabs,
        current_tab="overview",
        **labels(shell),
    )


@post("/localities/{code:str}/campaigns/{campaign_id:int}/close", include_in_schema=False)
async def close_confirmed(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    await run_sync(campaign_overview.get_in, shell.ctx, shell.actor, shell.code, campaign_id)
    try:
        await run_sync(campaign_service.close_campaign, shell.ctx, shell.actor, campaign_id)
    except ServiceError as exc:
        return await _overview(shell, campaign_id, error=shell.tr.error(exc), status_code=exc.status_code)
    return Redirect(f"{base_url(shell.code, campaign_id)}?done=closed")


ROUTES = [campaigns_page, settings_save, campaign_page, campaign_action, close_page, close_confirmed]
