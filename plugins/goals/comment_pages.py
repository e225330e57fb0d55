"""The goals' comments pages, in the console's shell (``/admin/localities/{code}/goals...``):

* ``/goals/comments?year=&unit_id=&kind=``: the goals the reader may read or follow with their
  comments by kind (点评, 建议, 举报 ...) and, for the goals it answers for, how many wait for an
  answer (the unit's "new comments"); with a unit, every such goal of that unit.
* ``/goals/{id}/comments?kind=``: a goal as its readers and followers see it (progress, reports
  with their files) and its comments: comment with a kind, like, filter by kind; the unit answers
  publicly or privately; the office removes a duplicate (after a confirmation; audited).
  ``POST .../comments`` (``body``, ``kind``), ``.../comments/{id}/answer`` (``body``,
  ``public``), ``.../comments/{id}/delete``, ``.../like``.
* Comments on a progress report (``plugins.goals.report_comment_pages``), under each report:
  ``POST /goals/{id}/progress/{report_id}/comments``, ``.../comments/{id}/answer``, ``.../delete``.
* Files of a progress report: ``POST /goals/{id}/progress/{report_id}/attachments`` (multipart,
  field ``file``), ``GET .../attachments/{attachment_id}``, ``POST .../attachments/{attachment_id}/delete``.

Every form carries the session's CSRF token. 404 for a goal the user may neither read nor follow;
a refused comment, answer or file shows the page again with the translated reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.services import attachments
from core.services import discussion as core_discussion
from core.services.errors import Invalid, ServiceError
from core.web.admin.shell import Shell, open_shell
from core.web.attachments import send_file
from plugins.goals import discussion, files, report_discussion
from plugins.goals.access import today
from plugins.goals.following import followed_goal
from plugins.goals.pages import CONSOLE_CHECKS, _common, _int
from plugins.goals.schemas import AnswerIn, CommentIn

ONE_FILE = "file: send exactly one file as a multipart/form-data file part"


def _kind(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:20] or None


def _year(shell: Shell, value: str | None) -> int:
    day = today(shell.ctx)
    chosen = _int(value) or day.year
    return chosen if 1900 <= chosen <= 2199 else day.year


# --- the overview ---------------------------------------------------------------------------------


@get("/localities/{code:str}/goals/comments", include_in_schema=False, opt=CONSOLE_CHECKS)
async def overview_page(
    request: Request,
    code: FromPath[str],
    year: FromQuery[str | None] = None,
    unit_id: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
) -> Response:
    shell = await open_shell(request, code)

    def load() -> Response:
        chosen, unit, wanted = _year(shell, year), _int(unit_id), _kind(kind)
        unit = unit if unit is not None and 0 < unit < 2**31 else None
        found = discussion.overview(shell.ctx, shell.actor, code, chosen, unit, wanted)
        units = found.units  # the units whose goals the reader may read or follow, no more
        return shell.render(
            "goals/comments.html",
            title=shell._("Comments on goals"),
            crumbs=[],
            overview=found,
            units=units,
            year=chosen,
            **_common(shell, code),
        )

    return await run_sync(load)


# --- a goal's page --------------------------------------------------------------------------------


def goal_page(
    shell: Shell, code: str, goal_id: int, kind: str | None = None, status_code: int = 200, **context: Any
) -> Response:
    goal = followed_goal(shell.ctx, shell.actor, code, goal_id)
    talk = discussion.read(shell.ctx, shell.actor, code, goal_id, kind)
    report_talks = report_discussion.of_reports(shell.ctx, shell.actor, code, goal_id, [r.id for r in goal.reports])
    base = f"/admin/localities/{code}/goals/{goal_id}"
    crumbs = [(shell._("Comments on goals"), f"/admin/localities/{code}/goals/comments?year={goal.year}")]
    return shell.render(
        "goals/goal_comments.html",
        title=goal.name,
        crumbs=[*crumbs, (goal.name, None)],
        goal=goal,
        talk=talk,
        report_talks=report_talks,
        report_of=context.pop("report_of", None),
        report_comment_body=context.pop("report_comment_body", ""),
        report_comment_error=context.pop("report_comment_error", ""),
        page=base + "/comments",
        goal_base=base,
        max_mb=shell.ctx.settings.attachment_max_mb,
        comment_body=context.pop("comment_body", ""),
        comment_kind=context.pop("comment_kind", ""),
        comment_error=context.pop("comment_error", ""),
        answer_error=context.pop("answer_error", ""),
        answer_of=context.pop("answer_of", None),
        file_error=context.pop("file_error", ""),
        file_report=context.pop("file_report", None),
        status_code=status_code,
        **_common(shell, code),
    )


@get("/localities/{code:str}/goals/{goal_id:int}/comments", include_in_schema=False, opt=CONSOLE_CHECKS)
async def comments_page(
    request: Request, code: FromPath[str], goal_id: FromPath[int], kind: FromQuery[str | None] = None
) -> Response:
    shell = await open_shell(request, code)
    return await run_sync(lambda: goal_page(shell, code, goal_id, _kind(kind)))


async def _refused(shell: Shell, code: str, goal_id: int, exc: ServiceError, context) -> Response:
    """The page again with the reason (``context(message)``: what the form shows); 403 and 404
    stay errors."""
    if exc.status_code in (403, 404):
        raise exc
    message = shell.tr.error(exc)
    return await run_sync(lambda: goal_page(shell, code, goal_id, status_code=exc.status_code, **context(message)))


def _back(code: str, goal_id: int, anchor: str = "discussion") -> Redirect:
    return Redirect(f"/admin/localities/{code}/goals/{goal_id}/comments#{anchor}", status_code=303)


async def _act(
    request: Request,
    code: str,
    goal_id: int,
    data: dict[str, str],
    work: Callable[[Shell], object],
    *,
    anchor: str = "discussion",
    refused: Callable[[str], dict[str, Any]] | None = None,
) -> Response:
    """A form of the goal's page: the shell, its CSRF check, ``work(shell)`` (the service) in a
    worker thread, then back to the goal's page at ``anchor``. A refusal shows the page again
    with the reason where ``refused(message)`` puts it; without ``refused`` it is the error page."""
    shell = await open_shell(request, code)
    shell.check_csrf(data)
    try:
        await run_sync(work, shell)
    except ServiceError as exc:
        if refused is None:
            raise
        return await _refused(shell, code, goal_id, exc, refused)
    return _back(code, goal_id, anchor)


def _text(field: str, body: str) -> None:
    if not body.strip() or len(body) > core_discussion.MAX_COMMENT:
        raise Invalid(field + ": 1 to {max} characters", params={"max": core_discussion.MAX_COMMENT})


async def comment_form(
    request: Request,
    code: str,
    goal_id: int,
    data: dict[str, str],
    save: Callable[[Shell, CommentIn], object],
    refused: Callable[[str, str, str], dict[str, Any]],
    *,
    anchor: str = "discussion",
) -> Response:
    """A comment form of the goal's page (on the goal, or under one of its reports): ``body`` and
    ``kind`` checked and given to ``save(shell, comment)``; a refusal shows the page again with
    ``refused(body, kind, message)`` (where the form shows them)."""
    body, kind = str(data.get("body", "")), _kind(data.get("kind"))

    def work(shell: Shell) -> None:
        _text("comment", body)
        save(shell, CommentIn(body=body, kind=kind))

    return await _act(request, code, goal_id, data, work, anchor=anchor, refused=lambda m: refused(body, kind or "", m))


async def answer_form(
    request: Request,
    code: str,
    goal_id: int,
    comment_id: int,
    data: dict[str, str],
    save: Callable[[Shell, AnswerIn], object],
) -> Response:
    """The unit's answer form under a comment (on the goal or one of its reports): ``body`` and
    ``public`` given to ``save(shell, answer)``, then back at the comment; a refusal under it."""
    body = str(data.get("body", ""))

    def work(shell: Shell) -> None:
        _text("answer", body)
        save(shell, AnswerIn(body=body, public=data.get("public") == "1"))

    return await _act(
        request,
        code,
        goal_id,
        data,
        work,
        anchor=f"comment-{comment_id}",
        refused=lambda m: {"answer_error": m, "answer_of": comment_id},
    )


@post("/localities/{code:str}/goals/{goal_id:int}/comments", include_in_schema=False, opt=CONSOLE_CHECKS)
async def comment(
    request: Request, code: FromPath[str], goal_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    return await comment_form(
        request,
        code,
        goal_id,
        data,
        lambda shell, given: discussion.comment(shell.ctx, shell.actor, code, goal_id, given),
        lambda body, kind, m: {"comment_body": body, "comment_kind": kind, "comment_error": m},
    )


@post(
    "/localities/{code:str}/goals/{goal_id:int}/comments/{comment_id:int}/answer",
    include_in_schema=False,
    opt=CONSOLE_CHECKS,
)
async def answer(
    request: Request,
    code: FromPath[str],
    goal_id: FromPath[int],
    comment_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    return await answer_form(
        request,
        code,
        goal_id,
        comment_id,
        data,
        lambda shell, given: discussion.answer(shell.ctx, shell.actor, code, goal_id, comment_id, given),
    )


@post(
    "/localities/{code:str}/goals/{goal_id:int}/comments/{comment_id:int}/delete",
    include_in_schema=False,
    opt=CONSOLE_CHECKS,
)
async def delete_comment(
    request: Request,
    code: FromPath[str],
    goal_id: FromPath[int],
    comment_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    return await _act(
        request,
        code,
        goal_id,
        data,
        lambda shell: discussion.delete_comment(shell.ctx, shell.actor, code, goal_id, comment_id),
    )


@post("/localities/{code:str}/goals/{goal_id:int}/like", include_in_schema=False, opt=CONSOLE_CHECKS)
async def like(
    request: Request, code: FromPath[str], goal_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    resolve = discussion.resolver(code, goal_id)
    return await _act(
        request,
        code,
        goal_id,
        data,
        lambda shell: core_discussion.toggle_like(shell.ctx, shell.actor, discussion.TARGET, goal_id, resolve),
    )


# --- files of a progress report -------------------------------------------------------------------

FILES = "/localities/{code:str}/goals/{goal_id:int}/progress/{report_id:int}/attachments"


@post(FILES, include_in_schema=False, opt=CONSOLE_CHECKS)
async def upload(request: Request, code: FromPath[str], goal_id: FromPath[int], report_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code)
    form = await request.form()
    shell.check_csrf(dict(form))
    sent = form.get("file")
    try:
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise Invalid(ONE_FILE)
        content = await attachments.read_bounded(sent, attachments.max_bytes(shell.ctx))
        await run_sync(
            attachments.add_file,
            shell.ctx,
            shell.actor,
            files.TARGET,
            report_id,
            files.resolver(code, goal_id, report_id),
            sent.filename,
            content,
        )
    except ServiceError as exc:
        return await _refused(shell, code, goal_id, exc, lambda m: {"file_error": m, "file_report": report_id})
    return _back(code, goal_id, f"report-{report_id}")


@get(FILES + "/{attachment_id:int}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def download(
    request: Request,
    code: FromPath[str],
    goal_id: FromPath[int],
    report_id: FromPath[int],
    attachment_id: FromPath[int],
) -> Response:
    shell = await open_shell(request, code)
    found = await run_sync(
        attachments.open_file,
        shell.ctx,
        shell.actor,
        files.TARGET,
        report_id,
        files.resolver(code, goal_id, report_id),
        attachment_id,
    )
    return send_file(found)


@post(FILES + "/{attachment_id:int}/delete", include_in_schema=False, opt=CONSOLE_CHECKS)
async def delete_file(
    request: Request,
    code: FromPath[str],
    goal_id: FromPath[int],
    report_id: FromPath[int],
    attachment_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    resolve = files.resolver(code, goal_id, report_id)
    return await _act(
        request,
        code,
        goal_id,
        data,
        lambda shell: attachments.delete_file(shell.ctx, shell.actor, files.TARGET, report_id, resolve, attachment_id),
        anchor=f"report-{report_id}",
    )


ROUTES = [overview_page, comments_page, comment, answer, delete_comment, like, upload, download, delete_file]
