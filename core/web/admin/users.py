"""Users and roles (platform admins): list, create, edit role and unit, reset a password,
deactivate, and grant a parent locality's user read access to the localities below it."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from core.models import Role
from core.services import assessment
from core.services import auth as auth_service
from core.services import signins as signin_service
from core.services import users as user_service
from core.services.errors import ServiceError
from core.web.admin.menu import PLATFORM
from core.web.admin.shell import MAX_PAGE, PAGE_SIZE, Shell, field_errors, open_shell, paging

ROLES = [r.value for r in Role]


def _role_options(shell: Shell) -> list[tuple[str, str]]:
    return [(role, shell._(role)) for role in ROLES]


def _locality_options(shell: Shell) -> list[tuple[str, str]]:
    return [(loc["code"], f"{loc['name']} ({loc['code']})") for loc in shell.localities]


@get("/users", include_in_schema=False)
async def users_page(
    request: Request, q: FromQuery[str] = "", locality: FromQuery[str] = "", page: FromQuery[int] = 1
) -> Response:
    shell = await open_shell(request, roles=PLATFORM)

    def read(offset: int):
        return user_service.list_users(
            shell.ctx, shell.actor, search=q, locality_code=locality, limit=PAGE_SIZE, offset=offset
        )

    page = min(max(page, 1), MAX_PAGE)  # a page number past any list: the last page, never an overflow
    asked = (page - 1) * PAGE_SIZE
    rows, total = await run_sync(read, asked)  # counted once; read again only past the last page
    p = paging(total, page)
    if p["offset"] != asked:
        rows, total = await run_sync(read, p["offset"])
        p = paging(total, page)
    from urllib.parse import urlencode

    kept = {k: v for k, v in {"q": q, "locality": locality}.items() if v}
    return shell.render(
        "admin/users/list.html",
        title=shell._("Users"),
        users=rows,
        p=p,
        q=q,
        locality_filter=locality,
        locality_options=_locality_options(shell),
        base="?" + urlencode(kept) + ("&" if kept else ""),
    )


def _new_form(
    shell: Shell, values: dict[str, str], errors: dict[str, str], message: str = "", status_code: int = 200
) -> Response:
    return shell.render(
        "admin/users/new.html",
        title=shell._("New user"),
        crumbs=[(shell._("Users"), "/admin/users")],
        values=values,
        errors=errors,
        message=message,
        role_options=_role_options(shell),
        locality_options=_locality_options(shell),
        status_code=status_code,
    )


@get("/users/new", include_in_schema=False)
async def user_new_page(request: Request) -> Response:
    shell = await open_shell(request, roles=PLATFORM)
    return _new_form(shell, {"role": "office", "locality": shell.code or ""}, {})


@post("/users/new", include_in_schema=False)
async def user_create(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, roles=PLATFORM)
    shell.check_csrf(data)
    values = {k: data.get(k, "") for k in ("username", "role", "locality", "unit_code")}
    try:
        user = await run_sync(
            lambda: auth_service.create_user(
                shell.ctx,
                shell.actor,
                username=values["username"],
                password=data.get("password", ""),
                role=values["role"],
                locality_code=values["locality"] or None,
                unit_code=values["unit_code"] or None,
            )
        )
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        errors = {("unit_code" if k == "unit" else k): v for k, v in errors.items()}
        return _new_form(shell, values, errors, message="" if errors else general, status_code=exc.status_code)
    return Redirect(f"/admin/users/{user.id}?created=1")


async def _edit_form(
    shell: Shell,
    user: user_service.UserOut,
    values: dict[str, Any],
    errors: dict[str, str],
    message: str = "",
    status_code: int = 200,
) -> Response:
    from core.web.admin.signins import attempt_rows

    attempts = await run_sync(signin_service.last_attempts, shell.ctx, shell.actor, user.id)
    campaigns = await run_sync(assessment.assignable, shell.ctx, shell.actor, user.id)
    return shell.render(
        "admin/users/edit.html",
        title=user.username,
        crumbs=[(shell._("Users"), "/admin/users")],
        target=user,
        values=values,
        errors=errors,
        message=message,
        role_options=_role_options(shell),
        attempts=attempt_rows(shell, attempts),
        campaigns=campaigns,
        status_code=status_code,
    )


@get("/users/{user_id:int}", include_in_schema=False)
async def user_page(request: Request, user_id: FromPath[int], created: FromQuery[str] = "") -> Response:
    shell = await open_shell(request, roles=PLATFORM)
    user = await run_sync(user_service.get_user, shell.ctx, shell.actor, user_id)
    return await _edit_form(
        shell,
        user,
        {"role": user.role, "unit_code": user.unit_code or ""},
        {},
        message=shell._("User {name} created.", name=user.username) if created else "",
    )


@post("/users/{user_id:int}", include_in_schema=False)
async def user_update(request: Request, user_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    """One form per change: ``action`` is ``save`` (role and unit), ``password``, ``deactivate``,
    ``activate``, ``grant``, ``revoke`` or ``assign`` (an assessment group's campaigns:
    ``campaign_<id>`` fields)."""
    shell = await open_shell(request, roles=PLATFORM)
    shell.check_csrf(data)
    user = await run_sync(user_service.get_user, shell.ctx, shell.actor, user_id)
    action = data.get("action", "save")
    values = {"role": data.get("role", user.role), "unit_code": data.get("unit_code", user.unit_code or "")}
    try:
        if action == "save":
            patch = user_service.UserPatch(role=values["role"], unit_code=values["unit_code"])
            await run_sync(user_service.update_user, shell.ctx, shell.actor, user_id, patch)
            message = shell._("Saved.")
        elif action == "password":
            await run_sync(auth_service.set_password, shell.ctx, shell.actor, user.username, data.get("password", ""))
            message = shell._("The password of {name} was reset.", name=user.username)
        elif action in ("deactivate", "activate"):
            patch = user_service.UserPatch(is_active=action == "activate")
            await run_sync(user_service.update_user, shell.ctx, shell.actor, user_id, patch)
            message = (
                shell._("{name} may sign in again.", name=user.username)
                if action == "activate"
                else shell._("{name} can no longer sign in.", name=user.username)
            )
        elif action == "assign":
            chosen = [
                int(k.removeprefix("campaign_"))
                for k, v in data.items()
                if k.startswith("campaign_") and k.removeprefix("campaign_").isdigit() and v and len(k) < 30
            ]
            await run_sync(assessment.set_assignments, shell.ctx, shell.actor, user_id, chosen)
            message = shell._("Saved.")
        elif action in ("grant", "revoke"):
            await run_sync(
                auth_service.grant_child_localities, shell.ctx, shell.actor, user.username, action == "grant"
            )
            message = shell._("Saved.")
        else:
            message = ""
    except ServiceError as exc:
        errors, general = field_errors(shell.tr, exc)
        if action == "password":
            errors = {"password": errors.get("password") or general}
        fresh = await run_sync(user_service.get_user, shell.ctx, shell.actor, user_id)
        return await _edit_form(
            shell, fresh, values, errors, message="" if errors else general, status_code=exc.status_code
        )
    fresh = await run_sync(user_service.get_user, shell.ctx, shell.actor, user_id)
    return await _edit_form(shell, fresh, {"role": fresh.role, "unit_code": fresh.unit_code or ""}, {}, message=message)


ROUTES = [users_page, user_new_page, user_create, user_page, user_update]
