"""Server-rendered admin pages (``/admin``): sign in, sign out, and an overview.

Pages call the same services as the API; every form carries a CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import URLEncodedBody
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from core.i18n import Translator, normalize_locale
from core.services import auth as auth_service
from core.services.errors import RateLimited, Unauthorized
from core.web.auth import SESSION_COOKIE, app_context, client_address, current_session
from core.web.i18n import request_translator

TEMPLATES_DIR = Path(__file__).parent / "templates"
LANG_COOKIE = "kaoping_lang"
LOGIN_CSRF_COOKIE = "kaoping_login_csrf"


def template_config() -> TemplateConfig:
    """The core's templates, then those of plugins with console pages (``PluginInfo.templates_dir``)."""
    from core.plugins import console_template_dirs

    return TemplateConfig(directory=[TEMPLATES_DIR, *console_template_dirs()], engine=JinjaTemplateEngine)


def translator_for(request: Request) -> Translator:
    """The console's translator: the user's language (``?lang=``, else the cookie), the
    locality's time zone, and the route's catalogues: on a plugin's own pages (a handler defined
    in the plugin's package) that plugin's catalogue, then the core's, so a plugin may give a
    short msgid its own meaning there ("Person" is 姓名 in a worklog table, 个人 in the core);
    on the core's pages the core's alone. Never another plugin's (``core.web.i18n``)."""
    locale = normalize_locale(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))
    return request_translator(request, locale)


def safe_next(value: str | None) -> str:
    """A place to go back to after signing in: a local path under ``/admin/`` (or a person's own
    pages, ``/me/``) only (never another host, ``//host`` or ``/\\host``), else the overview."""
    if not value or not value.startswith(("/admin", "/me/")) or value.startswith(("//", "/\\")) or "\\" in value:
        return "/admin/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/admin/"
    if parts.path.startswith("/admin/login") or parts.path.startswith("/admin/logout"):
        return "/admin/"
    return value


def _secure(request: Request) -> bool:
    return app_context(request).settings.resolved_base_url.startswith("https://")


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Template:
    tr = translator_for(request)
    cookies = []
    if "lang" in request.query_params:
        cookies.append(Cookie(key=LANG_COOKIE, value=tr.locale, path="/", samesite="lax", max_age=365 * 86400))
    return Template(
        template_name=name,
        context={"_": tr.gettext, "lang": tr.html_lang, "locale": tr.locale, "path": request.url.path, **context},
        status_code=status_code,
        cookies=cookies,
    )


@get("/admin/login", include_in_schema=False)
async def login_page(request: Request) -> Template:
    token = secrets.token_urlsafe(24)
    page = render(request, "admin/login.html", csrf=token, error=None, next=safe_next(request.query_params.get("next")))
    page.cookies.append(
        Cookie(
            key=LOGIN_CSRF_COOKIE, value=token, path="/admin", httponly=True, samesite="strict", secure=_secure(request)
        )
    )
    return page


@post("/admin/login", include_in_schema=False)
async def login_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    tr = translator_for(request)
    next_page = safe_next(data.get("next"))  # where the user was when the session ended
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, data.get("_csrf", "")):
        return render(
            request,
            "admin/login.html",
            status_code=403,
            csrf=expected,
            next=next_page,
            error=tr.gettext("The form has expired. Please try again."),
        )
    ctx = app_context(request)
    try:
        user = await run_sync(
            lambda: auth_service.authenticate(
                ctx,
                data.get("username", ""),
                data.get("password", ""),
                client_address(request),
                user_agent=request.headers.get("user-agent", ""),
                channel="console",
            )
        )
    except Unauthorized:
        return render(
            request,
            "admin/login.html",
            status_code=401,
            csrf=expected,
            next=next_page,
            error=tr.gettext("Wrong user name or password."),
        )
    except RateLimited:
        return render(
            request,
            "admin/login.html",
            status_code=429,
            csrf=expected,
            next=next_page,
            error=tr.gettext("Too many failed attempts. Please wait a few minutes."),
        )
    issued = await run_sync(
        lambda: auth_service.issue_token(ctx, user, kind="session", name="browser", ttl=auth_service.SESSION_TTL)
    )
    response = Redirect(next_page)
    response.cookies.append(
        Cookie(
            key=SESSION_COOKIE,
            value=issued.token,
            path="/",
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            max_age=int(auth_service.SESSION_TTL.total_seconds()),
        )
    )
    return response


@post("/admin/logout", include_in_schema=False)
async def logout(request: Request, data: URLEncodedBody[dict[str, str]]) -> Redirect:
    session = await run_sync(current_session, request)
    if session and hmac.compare_digest(session.csrf_token, data.get("_csrf", "")):
        await run_sync(auth_service.revoke_token, app_context(request), request.cookies[SESSION_COOKIE])
    response = Redirect("/admin/login")
    response.cookies.append(Cookie(key=SESSION_COOKIE, value="", path="/", max_age=0, httponly=True))
    return response


def _overview(request: Request, actor) -> list[dict[str, Any]]:
    """The localities the actor may see, with the counts its API would show it: through the same
    services, so a role that may not list units (a cadre, a leader) sees no count (None), and a
    unit admin counts the people of its own unit."""
    from core.services import localities as locality_service
    from core.services import org
    from core.services import subjects as subject_service
    from core.services.errors import Forbidden, NotFound

    ctx = app_context(request)
    counters = {"units": org.list_units, "people": org.list_people, "subjects": subject_service.list_subjects}
    rows = []
    for locality in locality_service.list_visible(ctx, actor):
        row: dict[str, Any] = {"code": locality.code, "name": locality.name}
        for name, lister in counters.items():
            try:
                row[name] = lister(ctx, actor, locality.code, limit=1).total
            except (Forbidden, NotFound):
                row[name] = None
        rows.append(row)
    return rows


@get("/admin/", include_in_schema=False)
async def dashboard(request: Request) -> Response:
    session = await run_sync(current_session, request)
    if session is None:
        return Redirect("/admin/login")
    localities = await run_sync(_overview, request, session.actor)
    return render(
        request,
        "admin/dashboard.html",
        user=session.actor,
        csrf=session.csrf_token,
        localities=localities,
        audit_alarm=_audit_alarm(request, session.actor),
    )


def _audit_alarm(request: Request, actor) -> str | None:
    """For platform admins: what the last verification of the audit log found wrong, or None."""
    report = app_context(request).db.audit.failing if actor.is_platform_admin else None
    if report is None:
        return None
    tr = translator_for(request)
    return tr.gettext(
        "The audit log failed its check ({at}): {problem}",
        at=report.checked_at,
        problem=tr.gettext(report.problem, **report.params),
    )


def admin_pages() -> list:
    # the overview (/admin/) is in core.web.admin.dashboard, in the console's shell
    # the data sources (/admin/adapters before) are in core.web.admin.sources
    return [login_page, login_submit, logout]
