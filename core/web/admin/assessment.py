"""Campaigns read by those who do not run them, on the same templates.

The assessment group's console (``/admin/assessment``): its assigned campaigns, and for each the
status, turnout and results, read only (``core.services.assessment``). A unit admin's
(``/admin/localities/{code}/unit-campaigns``): the campaigns that assess its unit, and for each
the status, turnout and its unit's subjects (``core.services.unit_campaigns``). Every other role
gets 404; a campaign outside the scope is 404 too."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get
from litestar.params import FromPath

from core.services import assessment, unit_campaigns
from core.web.admin.menu import GROUP, UNIT_ADMIN
from core.web.admin.shell import open_shell

STATUS = {"draft": "Draft", "open": "Open", "closed": "Closed", "tallied": "Tallied", "published": "Published"}


@get("/assessment", include_in_schema=False)
async def assessment_page(request: Request) -> Response:
    shell = await open_shell(request, roles=GROUP)
    rows = await run_sync(assessment.my_campaigns, shell.ctx, shell.actor)
    return shell.render(
        "admin/assessment/list.html",
        title=shell._("Assigned campaigns"),
        campaigns=rows,
        status_labels={k: shell._(v) for k, v in STATUS.items()},
    )


@get("/assessment/{campaign_id:int}", include_in_schema=False)
async def assessment_campaign_page(request: Request, campaign_id: FromPath[int]) -> Response:
    shell = await open_shell(request, roles=GROUP)
    view = await run_sync(assessment.campaign_view, shell.ctx, shell.actor, campaign_id)
    return shell.render(
        "admin/assessment/campaign.html",
        title=view["campaign"]["name"],
        crumbs=[(shell._("Assigned campaigns"), "/admin/assessment")],
        view=view,
        status_labels={k: shell._(v) for k, v in STATUS.items()},
    )


@get("/localities/{code:str}/unit-campaigns", include_in_schema=False)
async def unit_campaigns_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=UNIT_ADMIN)
    rows = await run_sync(unit_campaigns.unit_campaigns, shell.ctx, shell.actor, shell.code)
    return shell.render(
        "admin/assessment/list.html",
        title=shell._("Campaigns of your unit"),
        crumbs=[(shell.locality["name"], None)],
        campaigns=rows,
        status_labels={k: shell._(v) for k, v in STATUS.items()},
        intro=shell._(
            "The campaigns that assess your unit, its people or its leadership teams: their turnout, read only."
        ),
        empty=shell._("No campaign assesses your unit yet."),
        href_base=f"/admin/localities/{shell.code}/unit-campaigns",
    )


@get("/localities/{code:str}/unit-campaigns/{campaign_id:int}", include_in_schema=False)
async def unit_campaign_page(request: Request, code: FromPath[str], campaign_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=UNIT_ADMIN)
    view = await run_sync(unit_campaigns.unit_campaign_view, shell.ctx, shell.actor, shell.code, campaign_id)
    return shell.render(
        "admin/assessment/unit_campaign.html",
        title=view["campaign"]["name"],
        crumbs=[(shell._("Campaigns of your unit"), f"/admin/localities/{shell.code}/unit-campaigns")],
        view=view,
        status_labels={k: shell._(v) for k, v in STATUS.items()},
    )


ROUTES = [assessment_page, assessment_campaign_page, unit_campaigns_page, unit_campaign_page]
