"""HTTP for the ballot side: the office's account and turnout API, and the evaluator's API."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import msgspec
from anyio.to_thread import run_sync
from litestar import Controller, Request, get, post, put
from litestar.exceptions import ClientException, ValidationException
from litestar.openapi.spec import OpenAPIMediaType, Operation, Reference, RequestBody
from litestar.params import FromQuery, JSONBody
from litestar.response import Stream

from ballots import service
from ballots.pages import CATALOGUES
from ballots.slips import write_slips
from core.context import AppContext
from core.i18n import Translator, locale_from_accept_language, normalize_locale, translator
from core.schemas.base import Page
from core.web.api.org import Limit, Offset
from core.web.auth import app_context, client_address
from core.web.downloads import attachment
from core.web.errors import api_translator
from core.web.params import Ctx, CurrentActor, ItemId, QueryNumber

BALLOT_HEADER_PREFIX = "bearer "


class CampaignAccountsController(Controller):
    # campaign_id: the core's guard on plugin routes finds the campaign's locality by this name
    path = "/api/campaigns/{campaign_id:int}"
    tags = ["campaigns"]

    @post("/accounts", sync_to_thread=True, summary="Issue one-time accounts; the codes are in this answer only")
    def issue(
        self, ctx: Ctx, actor: CurrentActor, campaign_id: ItemId, data: JSONBody[service.AccountsIn]
    ) -> service.IssuedAccounts:
        return service.issue_accounts(ctx, actor, campaign_id, data)

    @get("/accounts", sync_to_thread=True, summary="Accounts and their status, a page at a time (never the codes)")
    def accounts(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        campaign_id: ItemId,
        category: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> Page[service.AccountOut]:
        return service.list_accounts(
            ctx, actor, campaign_id, category=category, status=status, limit=limit, offset=offset
        )

    @post("/accounts/{account_id:int}/revoke", sync_to_thread=True, status_code=200)
    def revoke(self, ctx: Ctx, actor: CurrentActor, campaign_id: ItemId, account_id: ItemId) -> service.AccountOut:
        return service.revoke_account(ctx, actor, campaign_id, account_id)

    @post(
        "/accounts/{account_id:int}/replace",
        sync_to_thread=True,
        status_code=201,
        summary="Revoke a lost account and issue a new one in its category (with its code)",
    )
    def replace(self, ctx: Ctx, actor: CurrentActor, campaign_id: ItemId, account_id: ItemId) -> service.AccountOut:
        return service.replace_account(ctx, actor, campaign_id, account_id)

    @get("/progress", sync_to_thread=True, summary="Turnout per category and in total")
    def progress(self, ctx: Ctx, actor: CurrentActor, campaign_id: ItemId) -> service.ProgressOut:
        return service.progress(ctx, actor, campaign_id)

    @get("/slips.pdf", summary="Print the held slips (A4, cut lines, QR codes)")
    async def slips(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        campaign_id: ItemId,
        category: FromQuery[str | None] = None,
        batch: QueryNumber = None,
        lang: FromQuery[str | None] = None,
    ) -> Stream:
        job = await run_sync(lambda: service.slips_to_print(ctx, actor, campaign_id, category=category, batch=batch))
        locale = normalize_locale(lang)
        path = await run_sync(_render_to_file, ctx, job, locale)
        name = slips_disposition(translator(locale, CATALOGUES), campaign_id, category, category, batch)
        return Stream(_stream_and_delete(path), media_type="application/pdf", headers={"Content-Disposition": name})


def slips_disposition(
    tr: Translator,
    campaign_id: int,
    category: object = None,
    category_name: str | None = None,
    batch: int | None = None,
) -> str:
    """The slips PDF, shown in the browser, named in ``tr``'s language: the campaign, and the
    category (``category`` in the ASCII name, ``category_name`` in the translated one) or batch."""
    stem = "campaign-{campaign}-slips"
    if category is not None:
        stem += "-category-{category}"
    if batch is not None:
        stem += "-batch-{batch}"
    values = {"campaign": campaign_id, "category": category, "category_name": category_name, "batch": batch}
    return attachment(tr, stem, ".pdf", disposition="inline", **{k: v for k, v in values.items() if v is not None})


def _render_to_file(ctx: AppContext, job: service.SlipJob, locale: str) -> str:
    """Write the PDF page by page to a private temporary file (memory stays flat); its path."""
    descriptor, path = tempfile.mkstemp(prefix="kaoping-slips-", suffix=".pdf")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write_slips(
                handle,
                job.campaign_name,
                job.slips,
                base_url=ctx.settings.resolved_base_url,
                locale=locale,
                font_path=str(ctx.settings.pdf_font) if ctx.settings.pdf_font else None,
            )
    except BaseException:
        os.unlink(path)
        raise
    return path


def _stream_and_delete(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(256 * 1024):
                yield chunk
    finally:
        os.unlink(path)


def ballot_session(request: Request) -> service.BallotSession:
    """The evaluator's ballot token, from ``Authorization: Bearer`` (API) or the ballot cookie (pages)."""
    from ballots.pages import BALLOT_COOKIE

    header = request.headers.get("authorization", "")
    token = header[len(BALLOT_HEADER_PREFIX) :].strip() if header.lower().startswith(BALLOT_HEADER_PREFIX) else None
    return service.read_token(app_context(request), token or request.cookies.get(BALLOT_COOKIE))


_BALLOT_DECODER = msgspec.json.Decoder(service.BallotIn)
EMPTY_BODY = "Expected `object`, got an empty body"


def decode_ballot(body: bytes) -> service.BallotIn:
    """The submitted ballot, decoded from the request's raw bytes straight into ``BallotIn`` and
    checked in the same pass of msgspec's C code (no JSON -> dicts -> struct).

    Errors are answered as Litestar answers a ``JSONBody`` that does not fit: malformed JSON
    400 with msgspec's words as ``detail``; a value that does not fit 400 with
    ``errors: [{field, message}]``, ``field`` the path in the body (``items[0].subject_id``,
    ``data`` for the body as a whole)."""
    if not body.strip():
        raise ValidationException(extra=[{"message": EMPTY_BODY, "key": "data", "source": "body"}])
    try:
        return _BALLOT_DECODER.decode(body)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$")
        key = where.removeprefix(".").removesuffix("`") or "data"
        raise ValidationException(extra=[{"message": message, "key": key, "source": "body"}]) from None
    except msgspec.DecodeError as exc:
        raise ClientException(str(exc)) from None


@dataclass
class _BallotBodyOperation(Operation):
    """The OpenAPI operation of a route that decodes a ``BallotIn`` body itself (``decode_ballot``)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={"application/json": OpenAPIMediaType(schema=Reference("#/components/schemas/BallotIn"))},
            required=True,
        )


class BallotController(Controller):
    """Errors, and the reason of a ballot recorded as invalid, are in the language of
    ``Accept-Language`` (English without it), times in the locality's time zone."""

    path = "/api/ballot"
    tags = ["ballot"]
    # the ballot pages' catalogues, then the core's; public: evaluators have a ballot token, not
    # an admin sign-in (each handler checks the token; the core's plugin guard lets them through)
    opt = {"locales_dirs": CATALOGUES, "public": True}

    @post("/login", sync_to_thread=True, status_code=200, summary="Exchange the code on a slip for a ballot token")
    def login(self, ctx: Ctx, request: Request, data: JSONBody[service.LoginIn]) -> service.LoginOut:
        return service.login(ctx, data.code, client_address(request))

    @get("/", sync_to_thread=True, summary="The ballot: subjects, indicators, grade labels, saved draft")
    def view(self, ctx: Ctx, request: Request) -> dict:
        return service.view(ctx, ballot_session(request))

    @put("/draft", sync_to_thread=True, summary="Save a draft (may be partial)")
    def draft(self, ctx: Ctx, request: Request, data: JSONBody[service.BallotIn]) -> dict:
        return service.save_draft(ctx, ballot_session(request), data)

    @post("/submit", status_code=200, summary="Submit once", operation_class=_BallotBodyOperation)
    async def submit(self, request: Request) -> service.SubmitOut:
        # On the event loop: a whole meeting submits at once, and the hot path is short and
        # never waits there (see service.submit). The body (a BallotIn) is decoded once, from
        # its bytes (decode_ballot), before the token is read, as Litestar would.
        data = decode_ballot(await request.body())
        result = await service.submit(app_context(request), ballot_session(request), data)
        if result.reason and locale_from_accept_language(request.headers.get("accept-language")):
            tr = api_translator(request)
            result = msgspec.structs.replace(
                result, reason="; ".join(tr.translate(r) for r in result.reason.split("; "))
            )
        return result


def api_routes() -> list:
    return [CampaignAccountsController, BallotController]
