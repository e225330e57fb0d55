"""Comments on one progress report, in the goal's page (``/admin/localities/{code}/goals/{id}/comments``),
under each report: ``POST /goals/{id}/progress/{report_id}/comments`` (``body``, ``kind``),
``.../comments/{comment_id}/answer`` (``body``, ``public``), ``.../comments/{comment_id}/delete``.

Every form carries the session's CSRF token; back to the report on the goal's page. A refused
comment or answer shows the page again with the translated reason under that report; 403 and 404
stay errors (``plugins.goals.report_discussion`` decides who may)."""

from __future__ import annotations

from litestar import Request, Response, post
from litestar.params import FromPath, URLEncodedBody

from plugins.goals import report_discussion
from plugins.goals.comment_pages import _act, answer_form, comment_form
from plugins.goals.pages import CONSOLE_CHECKS

COMMENTS = "/localities/{code:str}/goals/{goal_id:int}/progress/{report_id:int}/comments"


@post(COMMENTS, include_in_schema=False, opt=CONSOLE_CHECKS)
async def comment(
    request: Request,
    code: FromPath[str],
    goal_id: FromPath[int],
    report_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    return await comment_form(
        request,
        code,
        goal_id,
        data,
        lambda shell, given: report_discussion.comment(shell.ctx, shell.actor, code, goal_id, report_id, given),
        lambda body, _kind, m: {"report_of": report_id, "report_comment_body": body, "report_comment_error": m},
        anchor=f"report-{report_id}",
    )


@post(COMMENTS + "/{comment_id:int}/answer", include_in_schema=False, opt=CONSOLE_CHECKS)
async def answer(
    request: Request,
    code: FromPath[str],
    goal_id: FromPath[int],
    report_id: FromPath[int],
    comment_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    return await answer_form(
        request,
        code,
        goal_id,
        comment_id,
        data,
        lambda shell, given: report_discussion.answer(
            shell.ctx, shell.actor, code, goal_id, report_id, comment_id, given
        ),
    )


@post(COMMENTS + "/{comment_id:int}/delete", include_in_schema=False, opt=CONSOLE_CHECKS)
async def delete_comment(
    request: Request,
    code: FromPath[str],
    goal_id: FromPath[int],
    report_id: FromPath[int],
    comment_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    return await _act(
        request,
        code,
        goal_id,
        data,
        lambda shell: report_discussion.delete_comment(shell.ctx, shell.actor, code, goal_id, report_id, comment_id),
        anchor=f"report-{report_id}",
    )


ROUTES = [comment, answer, delete_comment]
