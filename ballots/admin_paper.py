"""The console page where the office enters paper ballots (纸质票录入), a campaign tab:
``/admin/localities/{code}/campaigns/{campaign_id}/paper?category=<id>``.

One form per evaluator category, shaped like the phone ballot: the code printed on the slip,
a grade for every subject on every indicator, the comment. The service is ``ballots.paper``.

The routes are marked public for the plugin guard only so that the console's own rules apply
(``open_shell``): no session is a redirect to the sign-in page (not a bare 401), a role other
than office or platform admin or another locality is 404, every form carries the session's
CSRF token.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from ballots import paper, service
from ballots.pages import _form_items, _leaf_rows
from core.services.errors import NotFound, ServiceError
from core.web.admin.campaigns import campaign_tabs
from core.web.admin.campaigns import crumbs as campaign_crumbs
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, exception_handlers, open_shell

PAGE = "/localities/{code:str}/campaigns/{campaign_id:int}/paper"
CONSOLE_CHECKS = {"public": True}  # see the module's docstring: open_shell checks the session


async def _form(shell: Shell, code: str, campaign_id: int) -> dict[str, Any]:
    form = await run_sync(paper.paper_form, shell.ctx, shell.actor, campaign_id)
    if form["campaign"]["locality_id"] != shell.locality_id:
        raise NotFound(f"no campaign with id {campaign_id}")
    return form


def _places(shell: Shell, exc: paper.Mismatch) -> list[str]:
    places = []
    for d in exc.differences:
        if d.subject_position == paper.COMMENT_POSITION:
            places.append(shell._("the comment"))
        else:
            places.append(
                shell._(
                    "subject {subject} ({name}), indicator {indicator} ({indicator_name})",
                    subject=d.subject_position,
                    name=d.subject,
                    indicator=d.indicator_position,
                    indicator_name=d.indicator_name,
                )
            )
    return places


async def _render(
    shell: Shell,
    code: str,
    campaign_id: int,
    form: dict[str, Any],
    category: dict[str, Any],
    *,
    chosen: dict[tuple[int, str], str] | None = None,
    comment: str = "",
    slip: str = "",
    message: str = "",
    error: str = "",
    places: list[str] | None = None,
    flagged: set[tuple[int, str]] | None = None,
    code_error: str = "",
    status_code: int = 200,
) -> Response:
    campaign = SimpleNamespace(id=campaign_id, name=form["campaign"]["name"])
    tabs = await run_sync(campaign_tabs, shell, campaign)
    base = f"/admin/localities/{code}/campaigns/{campaign_id}"
    return shell.render(
        "ballots/admin/paper.html",
        title=shell._("Paper ballots"),
        crumbs=[*campaign_crumbs(shell, campaign), (shell._("Paper ballots"), None)],
        form=form,
        category=category,
        leaves=_leaf_rows(category["indicators"]),
        chosen=chosen or {},
        comment=comment,
        slip=slip,
        message=message,
        error=error,
        places=places or [],
        flagged=flagged or set(),
        code_error=code_error,
        tabs=tabs,
        current="ballots.paper",
        action=f"{base}/paper?{urlencode({'category': category['id']})}",
        status_code=status_code,
    )


def _pick(form: dict[str, Any], category: int | None) -> dict[str, Any]:
    if not form["categories"]:
        raise NotFound("this campaign has no evaluator categories")
    return paper.category_of(form, category) if category else form["categories"][0]


@get(PAGE, include_in_schema=False, opt=CONSOLE_CHECKS)
async def paper_page(
    request: Request,
    code: FromPath[str],
    campaign_id: FromPath[int],
    category: FromQuery[int | None] = None,
    done: FromQuery[str] = "",
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    form = await _form(shell, code, campaign_id)
    chosen = _pick(form, category)
    message = {
        "submitted": shell._("The paper ballot was counted."),
        "invalid": shell._("The paper ballot was counted as invalid (it breaks the campaign's rules)."),
        "waiting": shell._(
            "First entry saved. A second clerk now enters the same slip; the ballot counts once both entries match."
        ),
    }.get(done, "")
    return await _render(shell, code, campaign_id, form, chosen, message=message)


@post(PAGE, include_in_schema=False, opt=CONSOLE_CHECKS)
async def paper_submit(
    request: Request,
    code: FromPath[str],
    campaign_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
    category: FromQuery[int | None] = None,
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    form = await _form(shell, code, campaign_id)
    chosen_category = _pick(form, category)
    items, comment = _form_items(data)
    chosen = {(i.subject_id, i.indicator): i.grade for i in items}
    slip = str(data.get("code", ""))[:64]
    try:
        out = await paper.enter(
            shell.ctx,
            shell.actor,
            campaign_id,
            slip,
            service.BallotIn(items=items, comment=comment),
            category_id=chosen_category["id"],
            locality_id=shell.locality_id,
        )
    except paper.Mismatch as exc:
        form = await _form(shell, code, campaign_id)  # the first entry was dropped: the count changed
        return await _render(
            shell,
            code,
            campaign_id,
            form,
            chosen_category,
            chosen=chosen,
            comment=comment,
            slip=slip,
            status_code=409,
            places=_places(shell, exc),
            flagged={(d.subject_id, d.indicator) for d in exc.differences},
            error=shell._(
                "The second entry differs from the first. Nothing was counted: check "
                "the paper ballot, then both clerks enter it again."
            ),
        )
    except ServiceError as exc:
        missing = {
            (int(e["field"].split()[1]), e["field"].rsplit(" ", 1)[1])
            for e in exc.errors
            if e.get("message") == "missing"
        }
        error = (
            shell._(
                "Rate every subject on every indicator, as on the paper ballot ({count} missing).", count=len(missing)
            )
            if missing
            else shell.tr.error(exc)
        )
        code_error = error if any(e.get("field") == "code" for e in exc.errors) else ""
        return await _render(
            shell,
            code,
            campaign_id,
            form,
            chosen_category,
            chosen=chosen,
            comment=comment,
            slip=slip,
            status_code=exc.status_code,
            error=error,
            flagged=missing,
            code_error=code_error,
        )
    done = "waiting" if out.status == "waiting" else ("submitted" if out.valid else "invalid")
    return Redirect(
        f"/admin{PAGE.replace('{code:str}', code).replace('{campaign_id:int}', str(campaign_id))}"
        f"?{urlencode({'category': chosen_category['id'], 'done': done})}",
        status_code=303,
    )


def paper_routes() -> list:
    """The paper-ballot pages, under ``/admin`` with the console's error pages."""
    return [Router(path="/admin", route_handlers=[paper_page, paper_submit], exception_handlers=exception_handlers)]
