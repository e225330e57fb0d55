"""Who is calling: a bearer token (API clients) or the admin session cookie (browser).

A cookie-authenticated request that changes something must carry the session's CSRF
token (header ``X-CSRF-Token`` or form field ``_csrf``); a bearer token needs none, as a
browser never sends one by itself.
"""

from __future__ import annotations

import hmac

from anyio.to_thread import run_sync
from litestar import Request
from sqlmodel import Session

from core.context import Actor, AppContext
from core.services import auth as auth_service
from core.services.errors import Forbidden, Unauthorized

SESSION_COOKIE = "kaoping_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# message ids (core/locales/*/LC_MESSAGES/auth.po): translated by the error handlers for the
# page's language (console pages) or ``Accept-Language`` (API clients)
UNKNOWN_TOKEN = "the bearer token is unknown or expired"
SIGN_IN_FIRST = "sign in first: send 'Authorization: Bearer <token>' (POST /api/auth/token)"
WRONG_CSRF = "missing or wrong CSRF token"


def app_context(request: Request) -> AppContext:
    return request.app.state.ctx


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def current_session(request: Request, session: Session | None = None) -> auth_service.TokenInfo | None:
    """The signed-in browser session of ``request`` (its cookie), read in ``session`` if given."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    info = auth_service.resolve_token(app_context(request), token, session)
    return info if info and info.kind == "session" else None


async def _csrf_from_request(request: Request) -> str:
    value = request.headers.get(CSRF_HEADER, "")
    if not value and request.content_type[0] in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        value = str(form.get("_csrf", ""))
    return value


ACTOR_SCOPE_KEY = "kaoping.actor"


async def provide_actor(request: Request) -> Actor:
    """The Litestar dependency every protected handler takes as ``actor``. Resolved once per
    request (a plugin route's guard resolves it first; the handler gets the same)."""
    cached = request.scope.get(ACTOR_SCOPE_KEY)
    if cached is not None:
        return cached
    actor = await _resolve_actor(request)
    request.scope[ACTOR_SCOPE_KEY] = actor  # type: ignore[typeddict-unknown-key]
    return actor


async def _resolve_actor(request: Request) -> Actor:
    ctx = app_context(request)
    token = bearer_token(request)
    if token:
        info = await run_sync(auth_service.resolve_token, ctx, token)
        if info is None or info.kind != "api":
            raise Unauthorized(UNKNOWN_TOKEN)
        return info.actor
    session = await run_sync(current_session, request)
    if session is None:
        raise Unauthorized(SIGN_IN_FIRST)
    if request.method not in SAFE_METHODS:
        sent = await _csrf_from_request(request)
        if not sent or not hmac.compare_digest(sent, session.csrf_token):
            raise Forbidden(WRONG_CSRF)
    return session.actor


def plugin_route_guard(plugin: str, *, essential: bool):
    """The guard the core puts on every route a plugin serves (``kaoping_routes``): access by
    default. The caller must be signed in (a bearer token, or the admin session with its CSRF
    token on writes) and may only reach a locality it may see that enabled the plugin (see
    ``core.services.plugins.check_route_access``); 401 or 404 otherwise. A handler marked
    ``opt={"public": True}`` (the ballot pages and API) needs no sign-in, but still answers 404
    for a locality that has not enabled the plugin."""
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

    from core.plugins import LOCALITY_PATH_PARAMS
    from core.services.plugins import check_route_access

    async def plugin_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        params = {key: connection.path_params[key] for key in LOCALITY_PATH_PARAMS if key in connection.path_params}
        public = bool(handler.opt.get("public"))
        if public and not params:
            return
        actor = None if public else await provide_actor(connection)  # type: ignore[arg-type]
        method = connection.scope.get("method", "GET")
        await run_sync(
            lambda: check_route_access(
                app_context(connection),
                plugin,
                essential=essential,  # type: ignore[arg-type]
                actor=actor,
                params=params,
                read_only=method in SAFE_METHODS,
            )
        )

    return plugin_access
