"""The comments, likes and files of an entry on its pages: ``/me/worklog/entries/{id}`` (the
person's) and ``/admin/localities/{code}/worklog/entries/{id}`` (a leader's or the office's).

Under each entry page: ``POST .../comments`` (field ``body``), ``POST .../comments/{id}/delete``,
``POST .../like`` (toggle), ``POST .../attachments`` (multipart, field ``file``),
``GET .../attachments/{id}`` (the download), ``POST .../attachments/{id}/delete``. Every form
carries the session's CSRF token. The worklog's check (``plugins.worklog.discussion``) decides:
404 for an entry the user may not read, 403 for what they may read but not do. A refused
comment or file shows the entry page again with the translated reason (the comment's text kept).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from core.services import attachments, discussion
from core.services.errors import ServiceError
from core.web.admin.shell import Shell, exception_handlers, open_shell
from plugins.worklog import service
from plugins.worklog.discussion import TARGET, resolver
from plugins.worklog.discussion_api import send_file

CONSOLE_CHECKS = {"public": True}  # open_shell checks the session (see plugins/worklog/pages.py)


def entry_page(
    shell: Shell,
    code: str,
    entry_id: int,
    base: str,
    *,
    crumbs_of,
    edit_of,
    comment_body: str = "",
    comment_error: str = "",
    file_error: str = "",
    status_code: int = 200,
) -> Response:
    """Render the entry page (``worklog/entry.html``) with its discussion and files. ``base``:
    the page's own path; ``crumbs_of(entry)``/``edit_of(entry)``: the page's trail and its
    author's edit link."""
    from plugins.worklog.pages import KIND_LABELS, _common

    def load() -> tuple[Any, Any, Any]:
        entry = service.read_entry(shell.ctx, shell.actor, code, entry_id)
        talk = discussion.read(shell.ctx, shell.actor, TARGET, entry_id, resolver(code, entry_id))
        files = attachments.list_files(shell.ctx, shell.actor, TARGET, entry_id, resolver(code, entry_id, files=True))
        return entry, talk, files

    entry, talk, files = load()
    label = shell._(KIND_LABELS[entry.kind])
    title = f"{label} · {entry.period}" if entry.mine else f"{entry.person_name} · {label} · {entry.period}"
    return shell.render(
        "worklog/entry.html",
        title=title,
        crumbs=crumbs_of(entry),
        entry=entry,
        edit_href=edit_of(entry),
        talk=talk,
        files=files,
        base=base,
        may_attach=entry.mine,
        max_mb=shell.ctx.settings.attachment_max_mb,
        comment_body=comment_body,
        comment_error=comment_error,
        file_error=file_error,
        status_code=status_code,
        **_common(shell),
    )


async def _me(request: Request) -> tuple[Shell, str]:
    from plugins.worklog.pages import _me as me

    return await me(request)


def _me_page(shell: Shell, code: str, entry_id: int, **extra: Any) -> Response:
    from plugins.worklog.pages import _crumbs

    def crumbs_of(entry):
        from plugins.worklog.pages import KIND_LABELS

        return _crumbs(shell, (f"{shell._(KIND_LABELS[entry.kind])} · {entry.period}", None))

    return entry_page(
        shell,
        code,
        entry_id,
        f"/me/worklog/entries/{entry_id}",
        crumbs_of=crumbs_of,
        edit_of=lambda e: f"/me/worklog/write/{e.kind.value}/{e.period}" if e.mine else "",
        **extra,
    )


def _admin_page(shell: Shell, code: str, entry_id: int, **extra: Any) -> Response:
    from plugins.worklog.pages import KIND_LABELS

    def crumbs_of(entry):
        back = f"/admin/localities/{code}/worklog/board?" + urlencode({"period": entry.period})
        return [
            (shell._("Work records of my people"), back),
            (f"{entry.person_name} · {shell._(KIND_LABELS[entry.kind])}", None),
        ]

    return entry_page(
        shell,
        code,
        entry_id,
        f"/admin/localities/{code}/worklog/entries/{entry_id}",
        crumbs_of=crumbs_of,
        edit_of=lambda e: "",
        **extra,
    )


# --- the actions, for both pages -------------------------------------------------------------------


async def _comment(shell: Shell, code: str, entry_id: int, base: str, data: dict, page) -> Response:
    shell.check_csrf(data)
    body = str(data.get("body", ""))
    try:
        await run_sync(discussion.add_comment, shell.ctx, shell.actor, TARGET, entry_id, resolver(code, entry_id), body)
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        message, status = shell.tr.error(exc), exc.status_code
        return await run_sync(
            lambda: page(shell, code, entry_id, comment_body=body, comment_error=message, status_code=status)
        )
    return Redirect(f"{base}#discussion", status_code=303)


async def _delete_comment(shell: Shell, code: str, entry_id: int, base: str, comment_id: int, data: dict) -> Response:
    shell.check_csrf(data)
    await run_sync(
        discussion.delete_comment, shell.ctx, shell.actor, TARGET, entry_id, resolver(code, entry_id), comment_id
    )
    return Redirect(f"{base}#discussion", status_code=303)


async def _like(shell: Shell, code: str, entry_id: int, base: str, data: dict) -> Response:
    shell.check_csrf(data)
    await run_sync(discussion.toggle_like, shell.ctx, shell.actor, TARGET, entry_id, resolver(code, entry_id))
    return Redirect(f"{base}#discussion", status_code=303)


async def _upload(request: Request, shell: Shell, code: str, entry_id: int, base: str, page) -> Response:
    form = await request.form()
    shell.check_csrf(dict(form))
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            from core.services.errors import Invalid

            raise Invalid("file: send exactly one file as a multipart/form-data file part")
        content = await attachments.read_bounded(upload, attachments.max_bytes(shell.ctx))
        await run_sync(
            attachments.add_file,
            shell.ctx,
            shell.actor,
            TARGET,
            entry_id,
            resolver(code, entry_id, files=True),
            upload.filename,
            content,
        )
    except ServiceError as exc:
        if exc.status_code in (403, 404):
            raise
        message, status = shell.tr.error(exc), exc.status_code
        return await run_sync(lambda: page(shell, code, entry_id, file_error=message, status_code=status))
    return Redirect(f"{base}#files", status_code=303)


def _download(shell: Shell, code: str, entry_id: int, attachment_id: int) -> Response:
    return send_file(
        attachments.open_file(
            shell.ctx, shell.actor, TARGET, entry_id, resolver(code, entry_id, files=True), attachment_id
        )
    )


async def _delete_file(shell: Shell, code: str, entry_id: int, base: str, attachment_id: int, data: dict) -> Response:
    shell.check_csrf(data)
    await run_sync(
        attachments.delete_file,
        shell.ctx,
        shell.actor,
        TARGET,
        entry_id,
        resolver(code, entry_id, files=True),
        attachment_id,
    )
    return Redirect(f"{base}#files", status_code=303)


# --- /me/worklog/entries/{id}/... -------------------------------------------------------------------

ME = "/worklog/entries/{entry_id:int}"


def _me_base(entry_id: int) -> str:
    return f"/me/worklog/entries/{entry_id}"


@get(ME, include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_entry(request: Request, entry_id: FromPath[int]) -> Response:
    shell, code = await _me(request)
    return await run_sync(_me_page, shell, code, entry_id)


@post(ME + "/comments", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_comment(request: Request, entry_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell, code = await _me(request)
    return await _comment(shell, code, entry_id, _me_base(entry_id), data, _me_page)


@post(ME + "/comments/{comment_id:int}/delete", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_delete_comment(
    request: Request, entry_id: FromPath[int], comment_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell, code = await _me(request)
    return await _delete_comment(shell, code, entry_id, _me_base(entry_id), comment_id, data)


@post(ME + "/like", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_like(request: Request, entry_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell, code = await _me(request)
    return await _like(shell, code, entry_id, _me_base(entry_id), data)


@post(ME + "/attachments", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_upload(request: Request, entry_id: FromPath[int]) -> Response:
    shell, code = await _me(request)
    return await _upload(request, shell, code, entry_id, _me_base(entry_id), _me_page)


@get(ME + "/attachments/{attachment_id:int}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_download(request: Request, entry_id: FromPath[int], attachment_id: FromPath[int]) -> Response:
    shell, code = await _me(request)
    return await run_sync(_download, shell, code, entry_id, attachment_id)


@post(ME + "/attachments/{attachment_id:int}/delete", include_in_schema=False, opt=CONSOLE_CHECKS)
async def me_delete_file(
    request: Request, entry_id: FromPath[int], attachment_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell, code = await _me(request)
    return await _delete_file(shell, code, entry_id, _me_base(entry_id), attachment_id, data)


# --- /admin/localities/{code}/worklog/entries/{id}/... -----------------------------------------------

ADMIN = "/localities/{code:str}/worklog/entries/{entry_id:int}"


def _admin_base(code: str, entry_id: int) -> str:
    return f"/admin/localities/{code}/worklog/entries/{entry_id}"


@get(ADMIN, include_in_schema=False, opt=CONSOLE_CHECKS)
async def admin_entry(request: Request, code: FromPath[str], entry_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code)
    return await run_sync(_admin_page, shell, code, entry_id)


@post(ADMIN + "/comments", include_in_schema=False, opt=CONSOLE_CHECKS)
async def admin_comment(
    request: Request, code: FromPath[str], entry_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code)
    return await _comment(shell, code, entry_id, _admin_base(code, entry_id), data, _admin_page)


@post(ADMIN + "/comments/{comment_id:int}/delete", include_in_schema=False, opt=CONSOLE_CHECKS)
async def admin_delete_comment(
    request: Request,
    code: FromPath[str],
    entry_id: FromPath[int],
    comment_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    shell = await open_shell(request, code)
    return await _delete_comment(shell, code, entry_id, _admin_base(code, entry_id), comment_id, data)


@post(ADMIN + "/like", include_in_schema=False, opt=CONSOLE_CHECKS)
async def admin_like(
    request: Request, code: FromPath[str], entry_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code)
    return await _like(shell, code, entry_id, _admin_base(code, entry_id), data)


@post(ADMIN + "/attachments", include_in_schema=False, opt=CONSOLE_CHECKS)
async def admin_upload(request: Request, code: FromPath[str], entry_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code)
    return await _upload(request, shell, code, entry_id, _admin_base(code, entry_id), _admin_page)


@get(ADMIN + "/attachments/{attachment_id:int}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def admin_download(
    request: Request, code: FromPath[str], entry_id: FromPath[int], attachment_id: FromPath[int]
) -> Response:
    shell = await open_shell(request, code)
    return await run_sync(_download, shell, code, entry_id, attachment_id)


@post(ADMIN + "/attachments/{attachment_id:int}/delete", include_in_schema=False, opt=CONSOLE_CHECKS)
async def admin_delete_file(
    request: Request,
    code: FromPath[str],
    entry_id: FromPath[int],
    attachment_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
) -> Response:
    shell = await open_shell(request, code)
    return await _delete_file(shell, code, entry_id, _admin_base(code, entry_id), attachment_id, data)


def page_routes() -> list:
    """The entry pages and their actions (they replace the plain entry pages of ``pages``)."""
    return [
        Router(
            path="/me",
            route_handlers=[me_entry, me_comment, me_delete_comment, me_like, me_upload, me_download, me_delete_file],
            exception_handlers=exception_handlers,
        ),
        Router(
            path="/admin",
            route_handlers=[
                admin_entry,
                admin_comment,
                admin_delete_comment,
                admin_like,
                admin_upload,
                admin_download,
                admin_delete_file,
            ],
            exception_handlers=exception_handlers,
        ),
    ]
