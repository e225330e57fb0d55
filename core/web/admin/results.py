"""A campaign's results in the console: the ranking per subject category with a bar chart (tally
again, publish), one subject's page (score per evaluator category, indicators with a radar
chart, the grade distribution, comments, earlier campaigns, adjust the grade with a reason) and
a team's members as a bubble chart.

Each chart's numbers are embedded in the page as JSON (``<script type="application/json">``),
drawn by ``/static/charts.js`` with the vendored ECharts, and shown in a table beside it (read
without JavaScript, printed without the chart). The numbers come from
``core.services.result_details`` (the ranking), ``result_subject`` and ``result_teams``.

Office and platform admins read, tally again, adjust and publish; an assessment-group role (when
the platform has one) reads; everyone else, and another locality's campaign, gets 404.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from pydantic import ValidationError

from core.schemas.values import AdjustmentIn
from core.services import decisions, result_subject, result_teams
from core.services import result_details as rd
from core.services import tally as tally_service
from core.services import turnout as turnout_service
from core.services.errors import ServiceError
from core.web.admin.forms import model_errors
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, field_errors, open_shell, paging

log = logging.getLogger("kaoping.admin")

TABS_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "admin" / "campaigns" / "_tabs.html"
READERS = frozenset(r.value for r in rd.READ_ROLES)
RANKING_PAGE = 50  # rows of the ranking a page shows (300 subjects on one page weighed 174 KB)
FLAG_LABELS = {"tie_at_quota": "Tied at the quota", "veto": "Veto", "over_quota": "Over the quota"}
FROZEN = "The results are published and frozen: no grade can be changed and the campaign cannot be tallied again."
STATUS_LABELS = {
    "draft": "Being set up",
    "open": "Open for voting",
    "closed": "Closed",
    "tallied": "Tallied",
    "published": "Published",
}


def _url(code: str, campaign_id: int) -> str:
    return f"/admin/localities/{code}/campaigns/{campaign_id}"


def _campaign_tabs(shell: Shell, campaign: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The campaign pages' tab bar (``core.web.admin.campaigns.campaign_tabs``), or none while
    that module cannot be loaded: the pages then link back to the campaign instead."""
    if not TABS_TEMPLATE.exists():
        return []
    try:
        from core.web.admin.campaigns import campaign_tabs
    except Exception:  # noqa: BLE001 - the campaign pages are another area; ours work without them
        return []
    try:
        return campaign_tabs(shell, SimpleNamespace(id=campaign["id"], name=campaign["name"]))
    except Exception:
        log.exception("the campaign tab bar failed")
        return []


def _crumbs(shell: Shell, campaign: dict[str, Any], *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    trail = [
        (shell.locality["name"], None),
        (shell._("Campaigns"), f"/admin/localities/{shell.code}/campaigns"),
        (campaign["name"], _url(shell.code, campaign["id"])),
    ]
    return trail + list(more)


def _may_change(shell: Shell, data: dict[str, Any]) -> bool:
    return shell.actor.role in OFFICE and bool(shell.locality["writable"]) and not data["published"]


async def _common(shell: Shell, data: dict[str, Any]) -> dict[str, Any]:
    campaign = data["campaign"]
    tabs = await run_sync(_campaign_tabs, shell, campaign)
    try:
        campaign["tallied_at_text"] = shell.tr.datetime(datetime.fromisoformat(campaign["tallied_at"]))
    except (TypeError, ValueError):
        campaign["tallied_at_text"] = ""
    return {
        "data": data,
        "campaign": campaign,
        "tabs": tabs,
        "current": "results",
        "base": _url(shell.code, campaign["id"]),
        "may_change": _may_change(shell, data),
        "flag_label": {k: shell._(v) for k, v in FLAG_LABELS.items()},
        "status_label": shell._(STATUS_LABELS.get(campaign["status"], campaign["status"])),
    }


# --- charts: the numbers each chart draws, in the reader's language ---------------------------


def _ranking_chart(shell: Shell, group: dict[str, Any], decimals: int) -> dict[str, Any]:
    scored = [r for r in group["subjects"] if r["score"] is not None]
    return {
        "type": "bar",
        "title": group["category"],
        "axis": shell._("Score"),
        "names": [r["name"] for r in scored],
        "values": [rd.round_score(r["score"], decimals) for r in scored],
    }


def _radar_chart(shell: Shell, details: dict[str, Any]) -> dict[str, Any] | None:
    points = [i for i in details["indicators"] if not i["overall"]]
    if not points:
        return None
    decimals = details["decimals"]
    series = [{"name": shell._("All evaluators"), "values": [rd.round_score(i["score"], decimals) for i in points]}]
    for category in details["by_category"]:
        values = [rd.round_score((i["by_category"].get(category["name"]) or {}).get("score"), decimals) for i in points]
        if any(v is not None for v in values):
            series.append({"name": category["name"], "values": values})
    return {
        "type": "radar",
        "indicators": [{"name": i["name"], "max": i["max"] or 100} for i in points],
        "series": series,
    }


def _distribution_chart(shell: Shell, details: dict[str, Any]) -> dict[str, Any]:
    counts = details["distribution"]["counts"]
    return {
        "type": "column",
        "axis": shell._("Ballots") if details["distribution"]["basis"] == "overall" else shell._("Answers"),
        "names": [c["grade"] for c in counts],
        "values": [c["count"] for c in counts],
    }


def _bubble_chart(shell: Shell, bubbles: dict[str, Any], y_label: str) -> dict[str, Any]:
    decimals = bubbles["decimals"]
    points = [
        {
            "name": m["name"],
            "x": rd.round_score(m["score"], decimals),
            "y": rd.round_score(m["y"], decimals),
            "size": m["ballots"],
        }
        for m in bubbles["members"]
        if m["score"] is not None and m["y"] is not None
    ]
    return {
        "type": "bubble",
        "x": shell._("Evaluation score"),
        "y": y_label,
        "size": shell._("Ballots"),
        "points": points,
    }


# --- the ranking -----------------------------------------------------------------------------


async def _results_page(
    shell: Shell,
    campaign_id: int,
    *,
    message: str = "",
    error: str = "",
    low: dict[str, str] | None = None,
    status_code: int = 200,
    page: int = 1,
) -> Response:
    page = min(max(page, 1), 2**31 // RANKING_PAGE)

    def ranking() -> dict[str, Any]:
        found = rd.campaign_results(
            shell.ctx,
            shell.actor,
            campaign_id,
            locality_code=shell.code,
            limit=RANKING_PAGE,
            offset=(page - 1) * RANKING_PAGE,
        )
        if found["total"] and not found["groups"]:  # past the last page: show the last one
            last = paging(found["total"], page, RANKING_PAGE)
            found = rd.campaign_results(
                shell.ctx, shell.actor, campaign_id, locality_code=shell.code, limit=RANKING_PAGE, offset=last["offset"]
            )
        return found

    data = await run_sync(ranking)
    p = paging(data["total"], 1 + data["offset"] // RANKING_PAGE, RANKING_PAGE)
    teams = await run_sync(
        lambda: result_teams.campaign_teams(shell.ctx, shell.actor, campaign_id, locality_code=shell.code)
    )
    for group in data["groups"]:
        group["chart"] = _ranking_chart(shell, group, data["decimals"])
    context = await _common(shell, data)
    return shell.render(
        "admin/results/ranking.html",
        title=shell._("Results"),
        crumbs=_crumbs(shell, data["campaign"]),
        teams=teams,
        p=p,
        message=message,
        error=error,
        low=low,
        status_code=status_code,
        may_tally=shell.actor.role in OFFICE and shell.locality["writable"] and data["campaign"]["status"] == "tallied",
        **context,
    )


@get("/localities/{code:str}/campaigns/{campaign_id:int}/results", include_in_schema=False)
async def results_page(
    request: Request,
    code: FromPath[str],
    campaign_id: FromPath[int],
    done: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    messages = {"tally": shell._("Tallied again."), "publish": shell._("Published: the results are now final.")}
    return await _results_page(shell, campaign_id, message=messages.get(done, ""), page=page)


@post("/localities/{code:str}/campaigns/{campaign_id:int}/results/tally", include_in_schema=False)
async def results_tally(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    current = await run_sync(
        lambda: rd.campaign_results(shell.ctx, shell.actor, campaign_id, locality_code=shell.code, limit=1)
    )
    if current["published"]:
        return await _results_page(shell, campaign_id, error=shell._(FROZEN), status_code=409)
    reason = (data.get("reason") or "").strip()[: turnout_service.REASON_MAX] or None
    try:
        await run_sync(lambda: tally_service.tally(shell.ctx, shell.actor, campaign_id, low_turnout_reason=reason))
    except ServiceError as exc:
        if any(e.get("field") == "confirm_low_turnout_reason" for e in exc.errors):
            low = {"message": shell.tr.error(exc), "reason": data.get("reason", "")}
            return await _results_page(shell, campaign_id, low=low, status_code=exc.status_code)
        return await _results_page(shell, campaign_id, error=shell.tr.error(exc), status_code=exc.status_code)
    return Redirect(f"{_url(code, campaign_id)}/results?done=tally")


@post("/localities/{code:str}/campaigns/{campaign_id:int}/results/publish", include_in_schema=False)
async def results_publish(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    current = await run_sync(
        lambda: rd.campaign_results(shell.ctx, shell.actor, campaign_id, locality_code=shell.code, limit=1)
    )
    if current["published"]:
        return await _results_page(shell, campaign_id, error=shell._(FROZEN), status_code=409)
    try:
        await run_sync(decisions.publish, shell.ctx, shell.actor, campaign_id)
    except ServiceError as exc:
        return await _results_page(shell, campaign_id, error=shell.tr.error(exc), status_code=exc.status_code)
    return Redirect(f"{_url(code, campaign_id)}/results?done=publish")


# --- one subject -----------------------------------------------------------------------------


async def _subject_page(
    shell: Shell,
    campaign_id: int,
    subject_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    details = await run_sync(
        lambda: result_subject.subject_details(
            shell.ctx, shell.actor, campaign_id, subject_id, locality_code=shell.code
        )
    )
    context = await _common(shell, details)
    subject = details["subject"]
    charts = {}
    if subject is not None:
        charts = {"radar": _radar_chart(shell, details), "distribution": _distribution_chart(shell, details)}
    title = subject["name"] if subject else shell._("Results")
    crumbs = _crumbs(shell, details["campaign"], (shell._("Results"), f"{context['base']}/results"))
    return shell.render(
        "admin/results/subject.html",
        title=title,
        crumbs=crumbs,
        subject=subject,
        charts=charts,
        values=values or {"grade": subject["grade"] if subject else "", "reason": ""},
        errors=errors or {},
        message=message,
        error=error,
        status_code=status_code,
        **context,
    )


@get("/localities/{code:str}/campaigns/{campaign_id:int}/results/subjects/{subject_id:int}", include_in_schema=False)
async def subject_page(
    request: Request,
    code: FromPath[str],
    campaign_id: FromPath[int],
    subject_id: FromPath[int],
    adjusted: FromQuery[str] = "",
) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    message = shell._("The grade was changed and the reason recorded.") if adjusted else ""
    return await _subject_page(shell, campaign_id, subject_id, message=message)


@post(
    "/localities/{code:str}/campaigns/{campaign_id:int}/results/subjects/{subject_id:int}/adjust",
    include_in_schema=False,
)
async def subject_adjust(
    request: Request,
    code: FromPath[str],
    campaign_id: FromPath[int],
    subject_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    current = await run_sync(
        lambda: result_subject.subject_details(
            shell.ctx, shell.actor, campaign_id, subject_id, locality_code=shell.code
        )
    )
    values = {"grade": (data.get("grade") or "").strip(), "reason": (data.get("reason") or "").strip()}
    if current["published"]:
        return await _subject_page(
            shell, campaign_id, subject_id, values=values, error=shell._(FROZEN), status_code=409
        )
    try:
        body = AdjustmentIn(subject_id=subject_id, **values)
    except ValidationError as exc:
        return await _subject_page(
            shell, campaign_id, subject_id, values=values, errors=model_errors(shell.tr, exc), status_code=422
        )
    try:
        await run_sync(decisions.adjust, shell.ctx, shell.actor, campaign_id, body)
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        return await _subject_page(
            shell,
            campaign_id,
            subject_id,
            values=values,
            errors=errors,
            error="" if errors else general,
            status_code=exc.status_code,
        )
    return Redirect(f"{_url(code, campaign_id)}/results/subjects/{subject_id}?adjusted=1")


# --- a team's members ------------------------------------------------------------------------


@get("/localities/{code:str}/campaigns/{campaign_id:int}/results/teams/{team_id:int}", include_in_schema=False)
async def team_page(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], team_id: FromPath[int], y: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    bubbles = await run_sync(
        lambda: result_teams.team_bubbles(
            shell.ctx, shell.actor, campaign_id, team_id, y=y or None, locality_code=shell.code
        )
    )
    data = await run_sync(lambda: rd.campaign_results(shell.ctx, shell.actor, campaign_id, locality_code=shell.code))
    context = await _common(shell, data)
    labels = {
        c["key"]: (shell._("Score of {category}", category=c["label"]) if c["kind"] == "category" else c["label"])
        for c in bubbles["components"]
    }
    chart = _bubble_chart(shell, bubbles, labels.get(bubbles["y"], "")) if bubbles["y"] else None
    crumbs = _crumbs(shell, data["campaign"], (shell._("Results"), f"{context['base']}/results"))
    return shell.render(
        "admin/results/team.html",
        title=bubbles["team"]["name"],
        crumbs=crumbs,
        bubbles=bubbles,
        component_labels=labels,
        chart=chart,
        **context,
    )


ROUTES = [results_page, results_tally, results_publish, subject_page, subject_adjust, team_page]
