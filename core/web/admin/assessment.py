"""The assessment group's console (``/admin/assessment``): its assigned campaigns, and for each
the status, turnout and results, read only (``core.services.assessment``). Every other role gets
404; a campaign not assigned is 404 too."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get
from litestar.params import FromPath

from core.services import assessment
from core.web.admin.menu import GROUP
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


ROUTES = [assessment_page, assessment_campaign_page]
