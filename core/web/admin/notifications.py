"""The signed-in user's notifications (``/admin/notifications``), any role: newest first, a
page at a time, each marked read when opened (or all at once)."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.services import notifications as notes
from core.web.admin.shell import open_shell, paging

PAGE = 20


@get("/notifications", include_in_schema=False)
async def notifications_page(request: Request, page: FromQuery[int] = 1) -> Response:
    shell = await open_shell(request)
    page = min(max(page, 1), 10_000_000)
    found = await run_sync(
        lambda: notes.list_notifications(shell.ctx, shell.actor, shell.tr, limit=PAGE, offset=(page - 1) * PAGE)
    )
    return shell.render(
        "admin/notifications/index.html",
        title=shell._("Notifications"),
        crumbs=[],
        found=found,
        p=paging(found.total, page, PAGE),
        items=found.items,
        next_url="/admin/notifications",
        when=shell.tr.datetime,
    )


@post("/notifications/{notification_id:int}/read", include_in_schema=False)
async def read_one(request: Request, notification_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    """Mark read and go where it points (or back to the list)."""
    shell = await open_shell(request)
    shell.check_csrf(data)
    link = await run_sync(notes.mark_read, shell.ctx, shell.actor, notification_id)
    return Redirect(link or _back(data))


@post("/notifications/read-all", include_in_schema=False)
async def read_all(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request)
    shell.check_csrf(data)
    await run_sync(notes.mark_all_read, shell.ctx, shell.actor)
    return Redirect(_back(data))


def _back(data: dict[str, str]) -> str:
    back = data.get("next", "")
    return back if back.startswith("/") and not back.startswith("//") and "\\" not in back else "/admin/notifications"


ROUTES = [notifications_page, read_one, read_all]
