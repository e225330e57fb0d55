"""The overview (``/admin/``), the locality switcher and a user's own password."""

from __future__ import annotations

import re

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.reachability import lan_address, loopback_only
from core.services import users as user_service
from core.services.errors import Invalid, NotFound
from core.web.admin.shell import LOCALITY_COOKIE, field_errors, open_shell
from core.web.pages import safe_next


@get("/", include_in_schema=False)
async def dashboard(request: Request) -> Response:
    from core.web.pages import _audit_alarm, _overview

    shell = await open_shell(request)
    localities = await run_sync(_overview, request, shell.actor)
    settings = shell.ctx.settings
    reach = None
    if loopback_only(settings):
        lan = await run_sync(lan_address)
        reach = {
            "host": settings.host,
            "base_url": settings.resolved_base_url,
            "port": settings.port,
            "lan": lan,
            "example": lan or "192.168.1.10",
        }
    return shell.render(
        "admin/dashboard.html",
        title=shell._("Overview"),
        crumbs=[],
        localities=localities,
        audit_alarm=_audit_alarm(request, shell.actor),
        reach=reach,
    )


_LOCALITY_PATH = re.compile(r"^/admin/localities/[^/]+/([^/?]+)")


@get("/switch", include_in_schema=False)
async def switch_locality(request: Request, code: FromQuery[str] = "", back: FromQuery[str] = "/admin/") -> Response:
    """The header's locality switcher: the same area of the chosen locality."""
    shell = await open_shell(request)
    if not any(loc["code"] == code for loc in shell.localities):
        raise NotFound("no locality with code {code!r}", params={"code": code})
    back = safe_next(back)
    match = _LOCALITY_PATH.match(back)
    target = f"/admin/localities/{code}/{match.group(1)}" if match else back
    response = Redirect(target)
    response.cookies.append(
        Cookie(key=LOCALITY_COOKIE, value=code, path="/admin", samesite="lax", httponly=True, max_age=365 * 86400)
    )
    return response


@get("/account/password", include_in_schema=False)
async def password_page(request: Request) -> Response:
    shell = await open_shell(request)
    return shell.render("admin/account/password.html", title=shell._("Change my password"), errors={}, message="")


@post("/account/password", include_in_schema=False)
async def password_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request)
    shell.check_csrf(data)
    errors: dict[str, str] = {}
    if data.get("new_password", "") != data.get("repeat", ""):
        errors["repeat"] = shell._("The two new passwords differ.")
    else:
        try:
            await run_sync(
                user_service.change_own_password,
                shell.ctx,
                shell.actor,
                data.get("current", ""),
                data.get("new_password", ""),
            )
        except Invalid as exc:
            errors, general = field_errors(shell.tr, exc)
            errors = errors or {"new_password": general}
    if errors:
        return shell.render(
            "admin/account/password.html",
            title=shell._("Change my password"),
            errors=errors,
            message="",
            status_code=422,
        )
    return shell.render(
        "admin/account/password.html",
        title=shell._("Change my password"),
        errors={},
        message=shell._("Your password was changed."),
    )


ROUTES = [dashboard, switch_locality, password_page, password_submit]
