"""The evaluator's pages under ``/b/``: mobile first, plain HTML forms that work without
JavaScript (a few lines of script only take the code from the QR link's fragment, count a
capped grade as it is picked, and stop a second click on submit).

They call the same service as the JSON API. The ballot token travels in an HttpOnly,
SameSite=Strict cookie scoped to ``/b``; every form carries a CSRF token derived from it.

Submitting is repeat-safe. The ballot cookie is kept after a submission (until it expires),
so a second POST of the same ballot (a double-click without JavaScript, a browser re-sending
the form) reaches the service, which answers it with the same receipt; a different ballot is
refused. The receipt (valid or not, and why) travels to ``/b/done`` in a short-lived signed
cookie, never in the URL, so reloading the done page shows it again, in either language.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from pathlib import Path
from typing import Any

from anyio.to_thread import run_sync
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from ballots import service
from core.i18n import LOCALES_DIR as CORE_LOCALES_DIR
from core.i18n import Translator, normalize_locale, translator
from core.services import subject_panels
from core.services.errors import Invalid, ServiceError
from core.web.auth import app_context, client_address

BALLOT_COOKIE = "kaoping_ballot"
RECEIPT_COOKIE = "kaoping_receipt"
RECEIPT_TTL_SECONDS = 3600  # long enough to reload the done page; a later sign-in drops it
LANG_COOKIE = "kaoping_lang"
LOCALES_DIR = Path(__file__).parent / "locales"
CATALOGUES = (LOCALES_DIR, CORE_LOCALES_DIR)  # the ballot pages' messages, then the core's
USED = "this code has already been used to submit a ballot"
_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())


def _translator(request: Request) -> Translator:
    # The evaluator's choice (?lang=, then its cookie), else the phone's language, else zh-CN.
    chosen = (
        request.query_params.get("lang")
        or request.cookies.get(LANG_COOKIE)
        or request.headers.get("accept-language", "").split(",")[0].strip()
    )
    return translator(normalize_locale(chosen), CATALOGUES, app_context(request).settings.timezone)


def _page(
    request: Request, name: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Response:
    tr = _translator(request)
    # The language links GET the page again: the login form is at /b/ whatever URL showed it
    # (a failed POST /b/login, an expired session on /b/ballot).
    path = "/b/" if name == "login.html" else request.url.path
    html = _env.get_template(name).render(_=tr.gettext, lang=tr.html_lang, locale=tr.locale, path=path, **context)
    response = Response(
        html,
        media_type=MediaType.HTML,
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", **(headers or {})},
    )
    if "lang" in request.query_params:
        response.cookies.append(Cookie(key=LANG_COOKIE, value=tr.locale, path="/", samesite="lax", max_age=365 * 86400))
    return response


def _csrf(request: Request) -> str:
    token = request.cookies.get(BALLOT_COOKIE, "")
    return app_context(request).keys.sign("ballot-csrf:" + token)[:32] if token else ""


def _message(tr: Translator, exc: ServiceError) -> str:
    return tr.error(exc)


def _secure(request: Request) -> bool:
    return app_context(request).settings.resolved_base_url.startswith("https://")


# --- the receipt of a submitted ballot -------------------------------------------------------


def _receipt_cookie(request: Request, result: service.SubmitOut) -> Cookie:
    """valid and reason, signed (a forged "valid" receipt is not shown), with an expiry."""
    payload = json.dumps(
        {
            "valid": bool(result.valid),
            "reason": (result.reason or "")[:1500],
            "expires": int(time.time()) + RECEIPT_TTL_SECONDS,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    value = f"{body}.{app_context(request).keys.sign('ballot-receipt:' + body)}"
    return Cookie(
        key=RECEIPT_COOKIE,
        value=value,
        path="/b",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        max_age=RECEIPT_TTL_SECONDS,
    )


def _receipt(request: Request) -> dict[str, Any] | None:
    """The receipt this browser holds, if it is genuine and not expired."""
    body, _, mac = (request.cookies.get(RECEIPT_COOKIE) or "").partition(".")
    if not body or not hmac.compare_digest(mac, app_context(request).keys.sign("ballot-receipt:" + body)):
        return None
    try:
        receipt = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if not isinstance(receipt, dict) or int(receipt.get("expires", 0)) < time.time():
        return None
    return receipt


# The evaluator has a code or a ballot token, never an admin sign-in: the core's guard on plugin
# routes lets these through (each handler checks the ballot token itself).
PUBLIC = {"public": True}


@get("/b/", include_in_schema=False, opt=PUBLIC)
async def login_page(request: Request) -> Response:
    return _page(request, "login.html", error=None)


@get("/b/login", include_in_schema=False, opt=PUBLIC)
async def login_get(request: Request) -> Redirect:
    """The address a failed sign-in leaves in the address bar: opened again, it is the login form."""
    query = request.url.query
    return Redirect("/b/" + (f"?{query}" if query else ""))


@post("/b/login", include_in_schema=False, opt=PUBLIC)
async def login_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    ctx = app_context(request)
    try:
        out = await run_sync(service.login, ctx, data.get("code", ""), client_address(request))
    except ServiceError as exc:
        return _page(
            request,
            "login.html",
            status_code=exc.status_code,
            headers=exc.headers,
            error=_message(_translator(request), exc),
            code=data.get("code", ""),
        )
    response = Redirect("/b/ballot", status_code=303)
    response.cookies.append(
        Cookie(
            key=BALLOT_COOKIE,
            value=out.token,
            path="/b",
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            expires=int(out.expires_at.timestamp()),
        )
    )
    # A new evaluator on this browser: the previous one's receipt is not theirs.
    response.cookies.append(
        Cookie(
            key=RECEIPT_COOKIE,
            value="",
            path="/b",
            max_age=0,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
        )
    )
    return response


def _form_items(data: dict[str, Any]) -> tuple[list[service.ItemIn], str]:
    """Radio fields are named ``g:<subject_id>:<indicator code>``."""
    items = []
    for key, value in data.items():
        if key.startswith("g:") and value:
            _, subject_id, indicator = key.split(":", 2)
            if subject_id.isdigit():
                items.append(service.ItemIn(subject_id=int(subject_id), indicator=indicator, grade=str(value)))
    return items, str(data.get("comment", ""))[: service.MAX_COMMENT]


def _counted_caps(ballot: dict[str, Any], chosen: dict[tuple[int, str], str]) -> list[dict[str, Any]]:
    """The ballot's caps, each with how many subjects the evaluator gave its grade."""
    return [
        {**cap, "count": sum(1 for s in cap["subject_ids"] if chosen.get((s, cap["indicator"])) == cap["grade"])}
        for cap in ballot.get("caps") or []
    ]


def _over_caps(
    tr: Translator, caps: list[dict[str, Any]], chosen: dict[tuple[int, str], str]
) -> tuple[str | None, set[tuple[int, str]]]:
    """What to change when a cap refused the ballot: one sentence per broken cap (which grade,
    which indicator, how many chosen, how many allowed), and the items to highlight."""
    sentences, flagged = [], set()
    for cap in caps:
        if cap["count"] <= cap["allowed"]:
            continue
        where = cap["indicator_name"] + (f" · {cap['category']}" if cap.get("category") else "")
        sentences.append(
            tr.gettext(
                "{where}: you rated {count} subjects {grade}, but at most {allowed} of "
                "{total} may be. Change at least {excess} of them to another grade, then submit.",
                where=where,
                count=cap["count"],
                grade=cap["grade"],
                allowed=cap["allowed"],
                total=cap["total"],
                excess=cap["count"] - cap["allowed"],
            )
        )
        flagged.update(
            (s, cap["indicator"]) for s in cap["subject_ids"] if chosen.get((s, cap["indicator"])) == cap["grade"]
        )
    return (" ".join(sentences) or None), flagged


async def _render_ballot(
    request: Request,
    ballot: dict[str, Any],
    chosen: dict[tuple[int, str], str],
    comment: str,
    *,
    status_code: int = 200,
    notice: str | None = None,
    error: str | None = None,
    missing: set[tuple[int, str]] | None = None,
    over: set[tuple[int, str]] | None = None,
) -> Response:
    leaves = _leaf_rows(ballot["indicators"])
    # What feature plugins tell about each subject, where the campaign allows it (subject_panels)
    panels = await run_sync(
        subject_panels.for_campaign,
        app_context(request),
        ballot["campaign"]["id"],
        [s["id"] for s in ballot["subjects"]],
    )
    return _page(
        request,
        "ballot.html",
        status_code=status_code,
        ballot=ballot,
        leaves=leaves,
        chosen=chosen,
        comment=comment,
        csrf=_csrf(request),
        notice=notice,
        error=error,
        missing=missing or set(),
        over=over or set(),
        caps=_counted_caps(ballot, chosen),
        progress=_progress(ballot, leaves, chosen),
        panels=panels,
    )


def _progress(
    ballot: dict[str, Any], leaves: list[dict[str, Any]], chosen: dict[tuple[int, str], str]
) -> dict[str, Any]:
    """How many items are rated of how many (已评 40/57), and the anchor of the first subject
    with an item left (``s<id>``, its heading), or None when all are rated. The page's script
    keeps both up to date as grades are picked; this is what a page without script shows."""
    grades = set(ballot["grades"])
    keys = [(s["id"], leaf["code"]) for s in ballot["subjects"] for leaf in leaves]
    left = [key for key in keys if chosen.get(key) not in grades]
    return {"done": len(keys) - len(left), "total": len(keys), "next": f"s{left[0][0]}" if left else None}


def _leaf_rows(nodes: list[dict[str, Any]], trail: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for node in nodes:
        if node["children"]:
            rows.extend(_leaf_rows(node["children"], (*trail, node["name"])))
        else:
            rows.append(
                {"code": node["code"], "name": node["name"], "path": " · ".join(trail), "standard": node["standard"]}
            )
    return rows


@get("/b/ballot", include_in_schema=False, opt=PUBLIC)
async def ballot_page(request: Request) -> Response:
    ctx = app_context(request)
    try:
        session = service.read_token(ctx, request.cookies.get(BALLOT_COOKIE))
        ballot = await run_sync(service.view, ctx, session)
    except ServiceError as exc:
        if exc.message == USED and _receipt(request) is not None:
            return Redirect("/b/done", status_code=303)  # back to the ballot after submitting: its receipt
        return _page(request, "login.html", status_code=exc.status_code, error=_message(_translator(request), exc))
    draft = ballot["draft"] or {"items": [], "comment": ""}
    chosen = {(i["subject_id"], i["indicator"]): i["grade"] for i in draft["items"]}
    return await _render_ballot(request, ballot, chosen, draft["comment"])


@post("/b/ballot", include_in_schema=False, opt=PUBLIC)
async def ballot_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    ctx = app_context(request)
    tr = _translator(request)
    try:
        session = service.read_token(ctx, request.cookies.get(BALLOT_COOKIE))
    except ServiceError as exc:
        return _page(request, "login.html", status_code=exc.status_code, error=_message(tr, exc))
    if not hmac.compare_digest(data.get("_csrf", ""), _csrf(request)):
        return _page(
            request, "login.html", status_code=403, error=tr.gettext("The form has expired. Please sign in again.")
        )
    items, comment = _form_items(data)
    chosen = {(i.subject_id, i.indicator): i.grade for i in items}
    body = service.BallotIn(items=items, comment=comment)
    try:
        if data.get("action") == "submit":
            result = await service.submit(ctx, session, body)
            # The ballot cookie stays: a repeated POST of this ballot gets this receipt again.
            response = Redirect("/b/done", status_code=303)
            response.cookies.append(_receipt_cookie(request, result))
            return response
        await run_sync(service.save_draft, ctx, session, body)
        ballot = await run_sync(service.view, ctx, session)
        return await _render_ballot(
            request,
            ballot,
            chosen,
            comment,
            notice=tr.gettext("Draft saved. You can come back with your code and finish later."),
        )
    except Invalid as exc:
        ballot = await run_sync(service.view, ctx, session)
        missing = {
            (int(e["field"].split()[1]), e["field"].rsplit(" ", 1)[1])
            for e in exc.errors
            if e.get("message") == "missing"
        }
        if missing:
            error, over = (
                tr.gettext(
                    "Please rate every subject on every indicator before submitting ({count} missing).",
                    count=len(missing),
                ),
                set(),
            )
        else:
            error, over = _over_caps(tr, _counted_caps(ballot, chosen), chosen)
        return await _render_ballot(
            request,
            ballot,
            chosen,
            comment,
            status_code=422,
            missing=missing,
            over=over,
            error=error or _message(tr, exc),
        )
    except ServiceError as exc:
        return _page(request, "login.html", status_code=exc.status_code, error=_message(tr, exc))


@get("/b/done", include_in_schema=False, opt=PUBLIC)
async def done_page(request: Request) -> Response:
    """The receipt of the ballot this browser submitted: valid, or recorded as invalid and why."""
    receipt = _receipt(request)
    if receipt is None:
        return Redirect("/b/", status_code=303)
    tr = _translator(request)
    reason = receipt.get("reason") or ""
    return _page(
        request,
        "done.html",
        valid=bool(receipt.get("valid")),
        reason="; ".join(tr.translate(part) for part in reason.split("; ")) if reason else "",
    )


def page_routes() -> list:
    return [login_page, login_get, login_submit, ballot_page, ballot_submit, done_page]
