"""The evaluator's pages under ``/b/``: mobile first, plain HTML forms that work without
JavaScript (a few lines of script only take the code from the QR link's fragment).

They call the same service as the JSON API. The ballot token travels in an HttpOnly,
SameSite=Strict cookie scoped to ``/b``; every form carries a CSRF token derived from it.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from anyio.to_thread import run_sync
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from ballots import service
from core.i18n import Translator, normalize_locale
from core.services.errors import Invalid, ServiceError
from core.web.auth import app_context, client_address

BALLOT_COOKIE = "kaoping_ballot"
LANG_COOKIE = "kaoping_lang"
LOCALES_DIR = Path(__file__).parent / "locales"
_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())


def _translator(request: Request) -> Translator:
    return Translator(normalize_locale(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)),
                      LOCALES_DIR)


def _page(request: Request, name: str, status_code: int = 200, headers: dict[str, str] | None = None,
          **context: Any) -> Response:
    tr = _translator(request)
    # The language links GET the page again: the login form is at /b/ whatever URL showed it
    # (a failed POST /b/login, an expired session on /b/ballot).
    path = "/b/" if name == "login.html" else request.url.path
    html = _env.get_template(name).render(_=tr.gettext, lang=tr.html_lang, locale=tr.locale, path=path, **context)
    response = Response(html, media_type=MediaType.HTML, status_code=status_code,
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", **(headers or {})})
    if "lang" in request.query_params:
        response.cookies.append(Cookie(key=LANG_COOKIE, value=tr.locale, path="/", samesite="lax",
                                       max_age=365 * 86400))
    return response


def _csrf(request: Request) -> str:
    token = request.cookies.get(BALLOT_COOKIE, "")
    return app_context(request).keys.sign("ballot-csrf:" + token)[:32] if token else ""


def _message(tr: Translator, exc: ServiceError) -> str:
    return tr.translate(exc.message)


@get("/b/", include_in_schema=False)
async def login_page(request: Request) -> Response:
    return _page(request, "login.html", error=None)


@get("/b/login", include_in_schema=False)
async def login_get(request: Request) -> Redirect:
    """The address a failed sign-in leaves in the address bar: opened again, it is the login form."""
    query = request.url.query
    return Redirect("/b/" + (f"?{query}" if query else ""))


@post("/b/login", include_in_schema=False)
async def login_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    ctx = app_context(request)
    try:
        out = await run_sync(service.login, ctx, data.get("code", ""), client_address(request))
    except ServiceError as exc:
        return _page(request, "login.html", status_code=exc.status_code, headers=exc.headers,
                     error=_message(_translator(request), exc), code=data.get("code", ""))
    response = Redirect("/b/ballot")
    response.cookies.append(Cookie(key=BALLOT_COOKIE, value=out.token, path="/b", httponly=True, samesite="strict",
                                   secure=ctx.settings.resolved_base_url.startswith("https://"),
                                   expires=int(out.expires_at.timestamp())))
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


def _render_ballot(request: Request, ballot: dict[str, Any], chosen: dict[tuple[int, str], str], comment: str,
                   *, status_code: int = 200, notice: str | None = None, error: str | None = None,
                   missing: set[tuple[int, str]] | None = None) -> Response:
    leaves = _leaf_rows(ballot["indicators"])
    caps = [{**cap, "count": sum(1 for s in cap["subject_ids"] if chosen.get((s, cap["indicator"])) == cap["grade"])}
            for cap in ballot.get("caps") or []]
    return _page(request, "ballot.html", status_code=status_code, ballot=ballot, leaves=leaves, chosen=chosen,
                 comment=comment, csrf=_csrf(request), notice=notice, error=error, missing=missing or set(),
                 caps=caps)


def _leaf_rows(nodes: list[dict[str, Any]], trail: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for node in nodes:
        if node["children"]:
            rows.extend(_leaf_rows(node["children"], (*trail, node["name"])))
        else:
            rows.append({"code": node["code"], "name": node["name"], "path": " · ".join(trail),
                         "standard": node["standard"]})
    return rows


@get("/b/ballot", include_in_schema=False)
async def ballot_page(request: Request) -> Response:
    ctx = app_context(request)
    try:
        session = service.read_token(ctx, request.cookies.get(BALLOT_COOKIE))
        ballot = await run_sync(service.view, ctx, session)
    except ServiceError as exc:
        return _page(request, "login.html", status_code=exc.status_code, error=_message(_translator(request), exc))
    draft = ballot["draft"] or {"items": [], "comment": ""}
    chosen = {(i["subject_id"], i["indicator"]): i["grade"] for i in draft["items"]}
    return _render_ballot(request, ballot, chosen, draft["comment"])


@post("/b/ballot", include_in_schema=False)
async def ballot_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    ctx = app_context(request)
    tr = _translator(request)
    try:
        session = service.read_token(ctx, request.cookies.get(BALLOT_COOKIE))
    except ServiceError as exc:
        return _page(request, "login.html", status_code=exc.status_code, error=_message(tr, exc))
    if not hmac.compare_digest(data.get("_csrf", ""), _csrf(request)):
        return _page(request, "login.html", status_code=403, error=tr.gettext("The form has expired. Please sign in again."))
    items, comment = _form_items(data)
    chosen = {(i.subject_id, i.indicator): i.grade for i in items}
    body = service.BallotIn(items=items, comment=comment)
    try:
        if data.get("action") == "submit":
            result = await service.submit(ctx, session, body)
            response = Redirect(f"/b/done?valid={int(result.valid)}")
            response.cookies.append(Cookie(key=BALLOT_COOKIE, value="", path="/b", max_age=0, httponly=True))
            return response
        await run_sync(service.save_draft, ctx, session, body)
        ballot = await run_sync(service.view, ctx, session)
        return _render_ballot(request, ballot, chosen, comment, notice=tr.gettext("Draft saved. You can come back "
                                                                                   "with your code and finish later."))
    except Invalid as exc:
        ballot = await run_sync(service.view, ctx, session)
        missing = {(int(e["field"].split()[1]), e["field"].rsplit(" ", 1)[1]) for e in exc.errors
                   if e.get("message") == "missing"}
        return _render_ballot(request, ballot, chosen, comment, status_code=422, missing=missing,
                              error=tr.gettext("Please rate every subject on every indicator before submitting "
                                               "({count} missing).", count=len(missing)) if missing
                              else _message(tr, exc))
    except ServiceError as exc:
        return _page(request, "login.html", status_code=exc.status_code, error=_message(tr, exc))


@get("/b/done", include_in_schema=False)
async def done_page(request: Request) -> Response:
    return _page(request, "done.html")


def page_routes() -> list:
    return [login_page, login_get, login_submit, ballot_page, ballot_submit, done_page]
