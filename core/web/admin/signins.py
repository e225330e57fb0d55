"""The sign-in log in the console (``/admin/sign-ins``): platform admins read every attempt,
office users the attempts on their own locality's users; filtered by user, result and date, a
page at a time, newest first (``core.services.signins``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, get
from litestar.params import FromQuery

from core.services import signins as signin_service
from core.services.errors import Invalid
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, field_errors, open_shell, paging

FILTERS = ("user", "result", "date_from", "date_to")
REASON_LABELS = {
    "": "Signed in",
    signin_service.WRONG_PASSWORD: "Wrong password",
    signin_service.UNKNOWN_USER: "Unknown user name",
    signin_service.INACTIVE: "Deactivated user",
    signin_service.THROTTLED: "Too many failed attempts",
}


def result_options(shell: Shell) -> list[tuple[str, str]]:
    """The ``result`` filter's choices: (value, label)."""
    return [(signin_service.OK, shell._("Signed in")), ("failed", shell._("Failed (any reason)"))] + [
        (reason, shell._(REASON_LABELS[reason])) for reason in signin_service.REASONS
    ]


def attempt_rows(shell: Shell, attempts: list[signin_service.AttemptOut]) -> list[dict[str, Any]]:
    """Attempts as the templates show them (time in the platform's zone, reason translated)."""
    return [
        {
            "at": shell.tr.datetime(a.at),
            "username": a.username,
            "user_id": a.user_id,
            "ok": a.ok,
            "result": shell._(REASON_LABELS.get(a.reason, a.reason)),
            "channel": a.channel,
            "client": a.client,
            "user_agent": a.user_agent,
            "unknown": a.username.startswith("?") and a.user_id is None,
        }
        for a in attempts
    ]


@get("/sign-ins", include_in_schema=False)
async def signins_page(
    request: Request,
    user: FromQuery[str] = "",
    result: FromQuery[str] = "",
    date_from: FromQuery[str] = "",
    date_to: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Response:
    shell = await open_shell(request, roles=OFFICE)
    filters = {"user": user[:100], "result": result[:16], "date_from": date_from[:10], "date_to": date_to[:10]}
    errors: dict[str, str] = {}
    message = ""
    rows: list[signin_service.AttemptOut] = []
    p = paging(0, 1)
    try:
        total = (await run_sync(lambda: signin_service.list_attempts(shell.ctx, shell.actor, **filters, limit=1)))[1]
        p = paging(total, page)
        rows = (
            await run_sync(
                lambda: signin_service.list_attempts(
                    shell.ctx, shell.actor, **filters, limit=p["size"], offset=p["offset"]
                )
            )
        )[0]
    except Invalid as exc:
        errors, message = field_errors(shell.tr, exc)
    kept = {k: v for k, v in filters.items() if v}
    return shell.render(
        "admin/signins/list.html",
        title=shell._("Sign-in log"),
        attempts=attempt_rows(shell, rows),
        p=p,
        filters=filters,
        errors=errors,
        message="" if errors else message,
        result_options=result_options(shell),
        base="?" + urlencode(kept) + ("&" if kept else ""),
        status_code=422 if errors else 200,
    )


ROUTES = [signins_page]
