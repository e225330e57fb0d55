"""Downloads of a tallied campaign's result files in the console: the results workbook and the
report as PDF and as Word .docx, in the console's language (``core.reports``).

Office and platform admins (and an assessment-group role, when the platform has one) download;
everyone else, and another locality's campaign, gets 404; a campaign not tallied yet gets a page
saying to tally it first (409). The results page links here (``admin/results/_downloads.html``).
"""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get
from litestar.params import FromPath

from core.reports import files
from core.services import result_details
from core.web.admin.shell import open_shell
from core.web.downloads import content_disposition

READERS = frozenset(r.value for r in result_details.READ_ROLES)
BASE = "/localities/{code:str}/campaigns/{campaign_id:int}"


async def _download(request: Request, code: str, campaign_id: int, kind: str) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    result = await run_sync(
        lambda: files.export(shell.ctx, shell.actor, campaign_id, kind, shell.tr.locale, locality_code=code)
    )
    return Response(
        content=result.content,
        media_type=result.media_type,
        headers={"Content-Disposition": content_disposition(result.title, result.filename)},
        cookies=shell.cookies,
    )


@get(BASE + "/results.xlsx", include_in_schema=False)
async def results_xlsx(request: Request, code: FromPath[str], campaign_id: FromPath[int]) -> Response:
    return await _download(request, code, campaign_id, "xlsx")


@get(BASE + "/report.pdf", include_in_schema=False)
async def report_pdf(request: Request, code: FromPath[str], campaign_id: FromPath[int]) -> Response:
    return await _download(request, code, campaign_id, "pdf")


@get(BASE + "/report.docx", include_in_schema=False)
async def report_docx(request: Request, code: FromPath[str], campaign_id: FromPath[int]) -> Response:
    return await _download(request, code, campaign_id, "docx")


ROUTES = [results_xlsx, report_pdf, report_docx]
