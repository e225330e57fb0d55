"""People's accounts and notifications on the web, outside the console router:

* ``/activate`` (page, public): a person sets their password with their activation code, and is
  signed in;
* ``/api/activate`` (public): the same for a client, answering a bearer token;
* ``/api/localities/{code}/people-accounts``: counts, people, issuing, re-issuing, revoking and
  the downloads of an issue's codes (office roles);
* ``/api/me/notifications``: the signed-in user's notifications, marking them read.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from anyio.to_thread import run_sync
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect
from pydantic import BaseModel, Field

from core.i18n import LOCALES_DIR, Translator, locale_from_accept_language, translator
from core.schemas.base import Id, In
from core.services import auth as auth_service
from core.services import notifications as notes
from core.services import people_accounts as pa
from core.services import people_slips
from core.services.errors import Invalid, RateLimited, Unauthorized
from core.web.auth import SESSION_COOKIE, app_context, client_address
from core.web.downloads import attachment
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode

ACTIVATE_CSRF_COOKIE = "kaoping_activate_csrf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ID = 2**31 - 1
API_TOKEN_TTL = timedelta(days=30)


# --- the activation page ---------------------------------------------------------------------


def _after_activation(request: Request) -> str:
    """Where a freshly activated person lands: their notifications (the first says the account is
    activated), in the console's shell, whatever plugins their locality has enabled."""
    return "/admin/notifications"


def _render(
    request: Request,
    csrf: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    from core.web.pages import render

    return render(
        request,
        "people/activate.html",
        status_code=status_code,
        csrf=csrf,
        values=values or {},
        errors=errors or {},
        error=error,
    )


@get("/activate", include_in_schema=False)
async def activate_page(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    page = _render(request, token)
    page.cookies.append(
        Cookie(key=ACTIVATE_CSRF_COOKIE, value=token, path="/activate", httponly=True, samesite="strict")
    )
    return page


@post("/activate", include_in_schema=False)
async def activate_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    from core.web.admin.shell import field_errors
    from core.web.pages import _secure, translator_for

    tr = translator_for(request)
    expected = request.cookies.get(ACTIVATE_CSRF_COOKIE, "")
    values = {"login": data.get("login", "")[:100], "code": data.get("code", "")[:100]}
    if not expected or not hmac.compare_digest(expected, data.get("_csrf", "")):
        return _render(
            request,
            expected,
            values=values,
            status_code=403,
            error=tr.gettext("The form has expired. Please try again."),
        )
    ctx = app_context(request)
    try:
        user = await run_sync(
            pa.activate,
            ctx,
            data.get("login", ""),
            data.get("code", ""),
            data.get("password", ""),
            data.get("password_again", ""),
            client_address(request),
        )
    except Invalid as exc:
        errors, general = field_errors(tr, exc)
        return _render(
            request, expected, values=values, errors=errors, error="" if errors else general, status_code=422
        )
    except (Unauthorized, RateLimited) as exc:
        return _render(request, expected, values=values, error=tr.error(exc), status_code=exc.status_code)
    issued = await run_sync(
        lambda: auth_service.issue_token(ctx, user, kind="session", name="activation", ttl=auth_service.SESSION_TTL)
    )
    response = Redirect(_after_activation(request))
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
    response.cookies.append(Cookie(key=ACTIVATE_CSRF_COOKIE, value="", path="/activate", max_age=0, httponly=True))
    return response


# --- API ---------------------------------------------------------------------------------------


class ActivateIn(In):
    login: str = Field(min_length=1, max_length=100, description="The user name or the ID-card number")
    code: str = Field(min_length=1, max_length=2048, description="The activation code, as printed")
    password: str = Field(min_length=1, max_length=1000)
    password_again: str = Field(min_length=1, max_length=1000)


class TokenOut(BaseModel):
    token: str
    expires_at: str | None
    username: str


class IssueIn(In):
    unit_id: Id | None = Field(default=None, description="A unit of the locality; none: the whole locality")
    with_sub_units: bool = True


class IssuedOut(BaseModel):
    """``batch_id``: download its codes at ``batches/{batch_id}/slips.pdf`` or ``codes.xlsx``
    within 24 hours (null when no code was issued)."""

    batch_id: int | None
    created: int
    codes: int
    skipped: int


class PeopleAccountsPage(BaseModel):
    items: list[pa.PersonAccountOut]
    total: int
    limit: int
    offset: int


class MarkedOut(BaseModel):
    marked: int


@post(
    "/api/activate",
    sync_to_thread=True,
    status_code=200,
    tags=["people accounts"],
    summary="Set a person's password with their activation code; answers a bearer token",
)
def activate_api(ctx: Ctx, request: Request, data: JSONBody[ActivateIn]) -> TokenOut:
    user = pa.activate(ctx, data.login, data.code, data.password, data.password_again, client_address(request))
    issued = auth_service.issue_token(ctx, user, kind="api", name="activation", ttl=API_TOKEN_TTL)
    return TokenOut(
        token=issued.token,
        expires_at=issued.expires_at.isoformat() if issued.expires_at else None,
        username=user.username,
    )


UnitFilter = Annotated[int | None, QueryParameter(name="unit_id", ge=1, le=MAX_ID)]
Limit = Annotated[int, QueryParameter(ge=1, le=1000)]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_ID)]


class PeopleAccountsController(Controller):
    path = "/api/localities/{code:str}/people-accounts"
    tags = ["people accounts"]

    @get("/", sync_to_thread=True, summary="How many people are in scope, with accounts, activated, waiting, revoked")
    def counts(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitFilter = None,
        with_sub_units: Annotated[bool, QueryParameter()] = True,
    ) -> pa.AccountCounts:
        return pa.counts(ctx, actor, code, unit_id=unit_id, with_sub_units=with_sub_units)

    @get("/people", sync_to_thread=True, summary="People (of a unit and below it) with their account's state")
    def people(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitFilter = None,
        q: Annotated[str, QueryParameter(max_length=100)] = "",
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> PeopleAccountsPage:
        items, total = pa.list_people(ctx, actor, code, q=q, unit_id=unit_id, limit=limit, offset=offset)
        return PeopleAccountsPage(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/issue",
        sync_to_thread=True,
        status_code=201,
        summary="Issue activation codes for a unit (with or without its sub-units) or the whole locality",
    )
    def issue(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[IssueIn]) -> IssuedOut:
        issued = pa.issue(ctx, actor, code, unit_id=data.unit_id, with_sub_units=data.with_sub_units)
        return IssuedOut(**issued.__dict__)

    @post(
        "/people/{item_id:int}/reissue",
        sync_to_thread=True,
        status_code=201,
        summary="A new activation code for one person (their account is reset)",
    )
    def reissue(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> IssuedOut:
        return IssuedOut(**pa.reissue(ctx, actor, code, item_id).__dict__)

    @post(
        "/people/{item_id:int}/revoke",
        sync_to_thread=True,
        status_code=204,
        summary="Revoke one person's account: no sign-in, no code, sessions ended",
    )
    def revoke(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> None:
        pa.revoke(ctx, actor, code, item_id)

    @get("/batches/{item_id:int}/slips.pdf", sync_to_thread=True, summary="One issue's codes as cut-out slips (PDF)")
    def slips(self, ctx: Ctx, actor: CurrentActor, request: Request, code: LocalityCode, item_id: ItemId) -> Response:
        slips = people_slips.batch_slips(ctx, actor, code, item_id)
        tr = _translator(request)
        return Response(
            people_slips.slips_pdf(slips, tr.gettext),
            media_type="application/pdf",
            headers={
                "Content-Disposition": attachment(tr, "activation-codes-{batch}", ".pdf", batch=item_id),
                "Cache-Control": "no-store",
            },
        )

    @get("/batches/{item_id:int}/codes.xlsx", sync_to_thread=True, summary="One issue's codes as a list (.xlsx)")
    def codes_xlsx(
        self, ctx: Ctx, actor: CurrentActor, request: Request, code: LocalityCode, item_id: ItemId
    ) -> Response:
        slips = people_slips.batch_slips(ctx, actor, code, item_id)
        tr = _translator(request)
        return Response(
            people_slips.codes_xlsx(slips, tr.gettext),
            media_type=XLSX,
            headers={
                "Content-Disposition": attachment(tr, "activation-codes-{batch}", ".xlsx", batch=item_id),
                "Cache-Control": "no-store",
            },
        )


def _translator(request: Request) -> Translator:
    """The reader's language (``Accept-Language``, else Chinese) with the core's catalogues: the
    slips are the core's, and a notification is read with its own plugin's
    (``notifications.render``), never every plugin's."""
    locale = locale_from_accept_language(request.headers.get("accept-language")) or "zh_CN"
    return translator(locale, (LOCALES_DIR,), app_context(request).settings.timezone)


class MyNotificationsController(Controller):
    path = "/api/me/notifications"
    tags = ["notifications"]

    @get("/", sync_to_thread=True, summary="The signed-in user's notifications, newest first, with the unread count")
    def list(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        request: Request,
        limit: Annotated[int, QueryParameter(ge=1, le=notes.MAX_PAGE)] = 20,
        offset: Offset = 0,
        unread: Annotated[bool, QueryParameter(description="only the unread ones")] = False,
    ) -> notes.NotificationPage:
        return notes.list_notifications(
            ctx, actor, _translator(request), limit=limit, offset=offset, unread_only=unread
        )

    @post("/{item_id:int}/read", sync_to_thread=True, status_code=204, summary="Mark one notification read")
    def read(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> None:
        notes.mark_read(ctx, actor, item_id)

    @post("/read-all", sync_to_thread=True, status_code=200, summary="Mark every notification read")
    def read_all(self, ctx: Ctx, actor: CurrentActor) -> MarkedOut:
        return MarkedOut(marked=notes.mark_all_read(ctx, actor))


def people_routes() -> list:
    return [activate_page, activate_submit, activate_api, PeopleAccountsController, MyNotificationsController]
