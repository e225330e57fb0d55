"""The audit log of a locality: filtered by user, action, target and date in SQL, a page at a
time (newest first, on the ``(locality_id, id)`` index); an entry's before and after; and
verifying the whole chain (``core.services.audit.verify``)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from sqlalchemy import func
from sqlmodel import col, select

from core.models import AuditEntry
from core.services import audit as audit_service
from core.services.errors import NotFound
from core.web.admin.audit_labels import action_label, field_label, target_label
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, open_shell, paging

FILTERS = ("user", "action", "target", "date_from", "date_to")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _query(shell: Shell, filters: dict[str, str]):
    query = select(AuditEntry).where(AuditEntry.locality_id == shell.locality_id)
    errors: dict[str, str] = {}
    if filters["user"].strip():
        query = query.where(AuditEntry.actor == filters["user"].strip())
    if filters["action"].strip():
        action = filters["action"].strip()
        query = query.where(
            col(AuditEntry.action).startswith(action) if action.endswith(".") else AuditEntry.action == action
        )
    if filters["target"].strip():
        kind, _, ident = filters["target"].strip().partition(":")
        query = query.where(AuditEntry.target_type == kind.strip())
        if ident.strip():
            query = query.where(AuditEntry.target_id == ident.strip())
    zone = ZoneInfo(shell.ctx.settings.timezone)
    for name, shift in (("date_from", 0), ("date_to", 1)):
        raw = filters[name]
        day = _day(raw)
        if raw.strip() and day is None:
            errors[name] = shell._("Type a date as 2026-11-30.")
        elif day is not None:
            edge = datetime.combine(day + timedelta(days=shift), time(), tzinfo=zone).astimezone(UTC)
            query = query.where(AuditEntry.at >= edge if shift == 0 else AuditEntry.at < edge)
    return query, errors


def _list(shell: Shell, filters: dict[str, str], page: int) -> dict[str, Any]:
    query, errors = _query(shell, filters)
    with shell.ctx.db.read() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one() if not errors else 0
        p = paging(total, page)
        rows = (
            []
            if errors
            else session.exec(query.order_by(col(AuditEntry.id).desc()).limit(p["size"]).offset(p["offset"])).all()
        )
        actions = session.exec(
            select(AuditEntry.action)
            .where(AuditEntry.locality_id == shell.locality_id)
            .group_by(AuditEntry.action)
            .order_by(AuditEntry.action)
        ).all()
        users = session.exec(
            select(AuditEntry.actor)
            .where(AuditEntry.locality_id == shell.locality_id)
            .group_by(AuditEntry.actor)
            .order_by(AuditEntry.actor)
            .limit(500)
        ).all()
    entries = [
        {
            "id": e.id,
            "at": shell.tr.datetime(e.at),
            "actor": e.actor,
            "action": action_label(shell.tr, e.action),
            "target": target_label(shell.tr, e.target_type, e.target_id),
            "changes": [
                field_label(shell.tr, name)
                for name in sorted(
                    set((e.summary or {}).get("after") or {}) | set((e.summary or {}).get("before") or {})
                )
            ],
        }
        for e in rows
    ]
    choices = [(action, action_label(shell.tr, action)) for action in actions]
    return {"entries": entries, "p": p, "errors": errors, "actions": choices, "users": users}


def _query_string(filters: dict[str, str]) -> str:
    from urllib.parse import urlencode

    kept = {k: v for k, v in filters.items() if v}
    return urlencode(kept) + ("&" if kept else "")


@get("/localities/{code:str}/audit", include_in_schema=False)
async def audit_page(
    request: Request,
    code: FromPath[str],
    page: FromQuery[int] = 1,
    user: FromQuery[str] = "",
    action: FromQuery[str] = "",
    target: FromQuery[str] = "",
    date_from: FromQuery[str] = "",
    date_to: FromQuery[str] = "",
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    filters = {"user": user, "action": action, "target": target, "date_from": date_from, "date_to": date_to}
    view = await run_sync(_list, shell, filters, page)
    return shell.render(
        "admin/audit/list.html",
        title=shell._("Audit log"),
        crumbs=[(shell.locality["name"], None)],
        filters=filters,
        base=f"?{_query_string(filters)}",
        verify=None,
        **view,
        status_code=422 if view["errors"] else 200,
    )


def _entry(shell: Shell, entry_id: int) -> dict[str, Any]:
    with shell.ctx.db.read() as session:
        entry = session.get(AuditEntry, entry_id) if 0 < entry_id < 2**31 else None
        if entry is None or entry.locality_id != shell.locality_id:
            raise NotFound("no audit entry {id} in this locality", params={"id": entry_id})
    summary = entry.summary or {}
    before, after = summary.get("before") or {}, summary.get("after") or {}
    keys = sorted(set(before) | set(after))

    def show(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    return {
        "entry": {
            "id": entry.id,
            "at": shell.tr.datetime(entry.at),
            "actor": entry.actor,
            "action": action_label(shell.tr, entry.action),
            "action_id": entry.action,
            "target": target_label(shell.tr, entry.target_type, entry.target_id),
            "hash": entry.hash,
        },
        "changes": [
            {
                "field": field_label(shell.tr, k),
                "name": k,
                "before": show(before[k]) if k in before else "",
                "after": show(after[k]) if k in after else "",
                "changed": before.get(k) != after.get(k),
            }
            for k in keys
        ],
    }


@get("/localities/{code:str}/audit/{entry_id:int}", include_in_schema=False)
async def audit_entry_page(request: Request, code: FromPath[str], entry_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    view = await run_sync(_entry, shell, entry_id)
    return shell.render(
        "admin/audit/entry.html",
        title=shell._("Audit entry {id}", id=entry_id),
        crumbs=[(shell.locality["name"], None), (shell._("Audit log"), f"/admin/localities/{code}/audit")],
        **view,
    )


def _verify(shell: Shell) -> dict[str, Any]:
    report = audit_service.verify(shell.ctx)
    result = {"ok": report.ok, "entries": report.entries, "message": "", "broken": None}
    if not report.ok:
        result["message"] = shell.tr.gettext(report.problem, **report.params)
        if report.first_broken_id is not None:
            result["broken"] = report.first_broken_id
    return result


@post("/localities/{code:str}/audit/verify", include_in_schema=False)
async def audit_verify(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    """Check the whole chain now (every locality's entries form one chain): intact, or the first
    broken entry. Any office user may ask; the answer names an entry id, never another locality's data."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    verify = await run_sync(_verify, shell)
    filters = dict.fromkeys(FILTERS, "")
    view = await run_sync(_list, shell, filters, 1)
    return shell.render(
        "admin/audit/list.html",
        title=shell._("Audit log"),
        crumbs=[(shell.locality["name"], None)],
        filters=filters,
        base="?",
        verify=verify,
        **view,
    )


ROUTES = [audit_page, audit_entry_page, audit_verify]
