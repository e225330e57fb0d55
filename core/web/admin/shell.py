"""What every console page shares: who is signed in, which locality it shows, the menu,
breadcrumbs and title, the CSRF check of its forms, and the pages for errors.

A page handler starts with ``shell = await open_shell(request, code, roles=...)``: without a
session it ends in a redirect to the sign-in page that comes back here afterwards
(``?next=``); a role that may not use the page, or a locality the user may not see, gets 404.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from anyio.to_thread import run_sync
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.i18n import Translator
from core.models import Locality
from core.services.auth import TokenInfo
from core.services.errors import NotFound, ServiceError
from core.web.admin.menu import MenuEntry, build_menu
from core.web.auth import current_session
from core.web.pages import LANG_COOKIE, safe_next, translator_for

log = logging.getLogger("kaoping.admin")

LOCALITY_COOKIE = "kaoping_locality"
PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # page numbers beyond it are read as it (the last page then): no offset overflows


class NeedsSignIn(Exception):
    """No (or an expired) session: the handler turns it into a redirect to the sign-in page."""


class FormExpired(Exception):
    """A form whose CSRF token does not match the session's."""


def _here(request: Request) -> str:
    """Where the user was: this page (GET), or for a form sent with an expired session the page
    the form was on (its Referer, when local)."""
    if request.method == "GET":
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc == request.headers.get("host", ""):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/admin/"


def sign_in_redirect(request: Request) -> Response:
    target = "/admin/login?next=" + quote(safe_next(_here(request)), safe="")
    if request.headers.get("hx-request"):
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target)


@dataclass
class Shell:
    request: Request
    ctx: AppContext
    actor: Actor
    csrf: str
    tr: Translator
    localities: list[dict[str, Any]]
    locality: dict[str, Any] | None
    menu: list[MenuEntry] = field(default_factory=list)
    cookies: list[Cookie] = field(default_factory=list)
    unread: int = 0  # the user's unread notifications, shown in the header

    @property
    def code(self) -> str | None:
        return self.locality["code"] if self.locality else None

    @property
    def locality_id(self) -> int | None:
        return self.locality["id"] if self.locality else None

    def _(self, message: str, **values: Any) -> str:
        return self.tr.gettext(message, **values)

    def check_csrf(self, data: dict[str, Any]) -> None:
        sent = str(data.get("_csrf", "") or "")
        if not sent or not hmac.compare_digest(sent, self.csrf):
            raise FormExpired()

    def wants_fragment(self, target: str) -> bool:
        """An HTMX request that swaps only the element of id ``target`` (not a history restore,
        which wants the whole page)."""
        headers = self.request.headers
        return (
            headers.get("hx-request") == "true"
            and headers.get("hx-target") == target
            and headers.get("hx-history-restore-request") != "true"
        )

    def render(
        self,
        name: str,
        *,
        title: str,
        crumbs: list[tuple[str, str | None]] | None = None,
        status_code: int = 200,
        fragment: tuple[str, str] | None = None,
        **context: Any,
    ) -> Template:
        """Render ``name`` in the shell. ``crumbs``: (label, href or None) after the overview.
        ``fragment``: (element id, template) rendered alone, with the same context, for an HTMX
        request that swaps only that element (a list's filters and pages); the full page else."""
        trail = [(self._("Overview"), "/admin/")] + list(crumbs or [])
        if fragment is not None and self.wants_fragment(fragment[0]):
            name = fragment[1]
        page = Template(
            template_name=name,
            context={
                **shell_context(self.request, self.tr),
                "shell": self,
                "user": self.actor,
                "csrf": self.csrf,
                "menu": [(e.label(self.tr.locale), e.href, e.key) for e in self.menu],
                "localities": self.localities,
                "locality": self.locality,
                "title": title,
                "crumbs": trail,
                "current": _current_key(self.request.url.path, self.menu),
                "unread": self.unread,
                **context,
            },
            status_code=status_code,
            cookies=list(self.cookies),
            headers={"Vary": "HX-Request"} if fragment is not None else None,
        )
        return page


def shell_context(request: Request, tr: Translator) -> dict[str, Any]:
    query = request.url.query
    return {
        "_": tr.gettext,
        "lang": tr.html_lang,
        "locale": tr.locale,
        "path": request.url.path,
        "query": query,
        "translate": tr.translate,
    }


def _current_key(path: str, menu: list[MenuEntry]) -> str | None:
    best = None
    for entry in menu:
        href = entry.href.rstrip("/")
        if (path.rstrip("/") == href or (href and path.startswith(href + "/"))) and (
            best is None or len(entry.href) > len(best.href)
        ):
            best = entry
    return best.key if best else None


def _visible_localities(session: Session, actor: Actor) -> list[dict[str, Any]]:
    query = select(Locality.id, Locality.code, Locality.name).order_by(Locality.code)
    if not actor.is_platform_admin:
        query = query.where(col(Locality.id).in_({actor.locality_id, *actor.readable_localities}))
    return [
        {
            "id": row[0],
            "code": row[1],
            "name": row[2],
            "writable": actor.is_platform_admin or row[0] == actor.locality_id,
        }
        for row in session.exec(query)
    ]


def _plugin_entries(
    session: Session, locality_id: int, code: str, hook: str = "kaoping_admin_menu", **values: Any
) -> list:
    """The answers of a menu-like hook (``kaoping_admin_menu``, ``kaoping_campaign_pages``) from
    the plugins the locality enabled; a plugin that fails is logged and left out."""
    from core.services.plugins import hooks_for

    hooks = hooks_for(session, locality_id)
    try:
        return list(getattr(hooks, hook)(locality_code=code, **values))
    except Exception:  # a broken plugin must not take the console down
        log.exception("%s failed for %s", hook, code)
        return []


def plugin_tabs(shell: Shell, campaign_id: int) -> list[MenuEntry]:
    """A campaign's tabs added by the plugins its locality enabled (``kaoping_campaign_pages``),
    those the user's role may see, in order. Call in a worker thread."""
    with shell.ctx.db.read() as session:
        answers = _plugin_entries(
            session, shell.locality_id, shell.code, "kaoping_campaign_pages", campaign_id=campaign_id
        )
    tabs = [e for answer in answers for e in (answer or []) if isinstance(e, MenuEntry) and e.href.startswith("/")]
    return sorted((t for t in tabs if shell.actor.role in t.roles), key=lambda t: (t.order, t.key))


@dataclass
class _Prepared:
    signed_in: TokenInfo
    localities: list[dict[str, Any]]
    locality: dict[str, Any] | None
    menu: list[MenuEntry]
    unread: int


def _prepare(request: Request, code: str | None, chosen: str | None, roles: frozenset[str] | None) -> _Prepared:
    """Everything the shell shows, read in one read session (one transaction): who is signed
    in, the localities they may see, the menu the locality's plugins add to, the unread count."""
    from core.services.notifications import unread_count

    ctx: AppContext = request.app.state.ctx
    with ctx.db.read() as session:
        signed_in = current_session(request, session)
        if signed_in is None:
            raise NeedsSignIn()
        actor = signed_in.actor
        if roles is not None and actor.role not in roles:
            raise NotFound("page not found")
        localities = _visible_localities(session, actor)
        locality = None
        if code is not None:
            locality = next((loc for loc in localities if loc["code"] == code), None)
            if locality is None:
                raise NotFound("no locality with code {code!r}", params={"code": code})
        else:
            own = next((loc for loc in localities if loc["id"] == actor.locality_id), None)
            picked = next((loc for loc in localities if loc["code"] == chosen), None)
            locality = picked or own or (localities[0] if localities else None)
        entries = _plugin_entries(session, locality["id"], locality["code"]) if locality else []
        menu = build_menu(actor.role, locality["code"] if locality else None, entries)
        unread = unread_count(session, actor.user_id) if actor.user_id is not None else 0
    return _Prepared(signed_in, localities, locality, menu, unread)


async def open_shell(request: Request, code: str | None = None, *, roles: frozenset[str] | None = None) -> Shell:
    """The shell of a page for the signed-in user; ``code``: the locality the page is about."""
    ctx: AppContext = request.app.state.ctx
    chosen = request.cookies.get(LOCALITY_COOKIE)
    prepared = await run_sync(_prepare, request, code, chosen, roles)
    session, actor = prepared.signed_in, prepared.signed_in.actor
    localities, locality, menu, unread = prepared.localities, prepared.locality, prepared.menu, prepared.unread
    tr = translator_for(request)  # in the locality's time zone; shared: never changed
    cookies = []
    if "lang" in request.query_params:
        cookies.append(Cookie(key=LANG_COOKIE, value=tr.locale, path="/", samesite="lax", max_age=365 * 86400))
    if locality and code and chosen != code:
        cookies.append(
            Cookie(key=LOCALITY_COOKIE, value=code, path="/admin", samesite="lax", httponly=True, max_age=365 * 86400)
        )
    return Shell(
        request=request,
        ctx=ctx,
        actor=actor,
        csrf=session.csrf_token,
        tr=tr,
        localities=localities,
        locality=locality,
        menu=menu,
        cookies=cookies,
        unread=unread,
    )


def field_errors(tr: Translator, exc: ServiceError) -> tuple[dict[str, str], str]:
    """A service error as messages per form field (``errors[].field``, also read from
    ``"field: message"``) and a message for the whole form."""
    by_field: dict[str, str] = {}
    for error in exc.errors:
        name = str(error.get("field") or "")
        name = name.removeprefix("body.").removeprefix("options.")
        if name:
            by_field.setdefault(name, tr.translate(str(error.get("message", ""))))
    general = tr.error(exc)
    if not by_field and ": " in exc.msgid and not exc.params:
        name, _, message = exc.message.partition(": ")
        if name.isidentifier():
            by_field[name] = tr.translate(message)
    return by_field, general


def paging(total: int, page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    return {"page": page, "pages": pages, "total": total, "size": size, "offset": (page - 1) * size}


# --- errors on console pages: always a page, never a bare 500 --------------------------------


def _error_page(request: Request, status_code: int, message: str) -> Response:
    tr = translator_for(request)
    titles = {
        401: "Sign in first",
        403: "Not allowed",
        404: "Page not found",
        409: "Conflict",
        413: "The file is too large",
        422: "Please check the input",
        429: "Too many requests",
    }
    title = tr.gettext(titles.get(status_code, "Something went wrong"))
    return Template(
        template_name="admin/error.html",
        context={
            **shell_context(request, tr),
            "title": title,
            "message": message,
            "crumbs": [(tr.gettext("Overview"), "/admin/")],
            "status_code": status_code,
        },
        status_code=status_code,
    )


def _on_needs_sign_in(request: Request, _exc: NeedsSignIn) -> Response:
    return sign_in_redirect(request)


def _on_form_expired(request: Request, _exc: FormExpired) -> Response:
    return _error_page(request, 403, translator_for(request).gettext("The form has expired. Please try again."))


def _on_service_error(request: Request, exc: ServiceError) -> Response:
    tr = translator_for(request)
    return _error_page(request, exc.status_code, tr.error(exc))


def _on_http_exception(request: Request, exc: HTTPException) -> Response:
    tr = translator_for(request)
    if exc.status_code == 404:
        message = tr.gettext("There is no such page, or you may not open it.")
    elif exc.status_code < 500:
        message = tr.gettext("The request could not be read. Please go back and try again.")
    else:
        message = tr.gettext(
            "Something went wrong on the server. Please try again; if it happens again, tell the administrator."
        )
    return _error_page(request, exc.status_code, message)


def _on_any_error(request: Request, exc: Exception) -> Response:
    log.exception("console page %s failed", request.url.path, exc_info=exc)
    return _error_page(
        request,
        500,
        translator_for(request).gettext(
            "Something went wrong on the server. Please try again; if it happens again, tell the administrator."
        ),
    )


exception_handlers = {
    NeedsSignIn: _on_needs_sign_in,
    FormExpired: _on_form_expired,
    ServiceError: _on_service_error,
    HTTPException: _on_http_exception,
    Exception: _on_any_error,
}


def console_aware(handlers: dict) -> dict:
    """The app's exception handlers, with pages under ``/admin/`` that no route matches (or that
    fail outside the console's router) answered by the console's error page instead of JSON."""

    def wrap(inner):
        def handler(request: Request, exc: Exception) -> Response:
            if request.url.path.startswith("/admin/") and "application/json" not in request.headers.get("accept", ""):
                if isinstance(exc, HTTPException):
                    return _on_http_exception(request, exc)
                return _on_any_error(request, exc)
            return inner(request, exc)

        return handler

    return {key: wrap(value) if key in (HTTPException, 500) else value for key, value in handlers.items()}
