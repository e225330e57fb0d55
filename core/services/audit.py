"""The audit log: who, when, locality, action, target, before/after summary.

Entries are chained by hash. Writers are serialised (BEGIN IMMEDIATE on SQLite, an
advisory transaction lock on PostgreSQL) so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from core.context import Actor
from core.models import AuditEntry

_PG_AUDIT_LOCK = 0x6B616F70  # "kaop"


def _utc_iso(at: datetime) -> str:
    # SQLite hands stored UTC values back naive; PostgreSQL in the session's time zone.
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat()


def _entry_hash(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            entry.prev_hash,
            entry.locality_id,
            _utc_iso(entry.at),
            entry.user_id,
            entry.actor,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.summary,
        ],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(
    session: Session,
    actor: Actor,
    *,
    locality_id: int | None,
    action: str,
    target_type: str,
    target_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add one entry to the audit log inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    last_hash = session.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1)).first() or ""
    summary: dict[str, Any] = {}
    if before is not None:
        summary["before"] = before
    if after is not None:
        summary["after"] = after
    entry = AuditEntry(
        locality_id=locality_id,
        user_id=actor.user_id,
        actor=actor.username,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        summary=json.loads(json.dumps(summary, ensure_ascii=False, default=str)),
        prev_hash=last_hash,
        hash="",
    )
    entry.at = entry.at.replace(microsecond=(entry.at.microsecond // 1000) * 1000)
    entry.hash = _entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only what a change touched, for a short before/after summary."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def verify_chain(session: Session) -> int | None:
    """Return the id of the first entry whose hash does not match, or None when the chain is intact."""
    prev = ""
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))):
        if entry.prev_hash != prev or _entry_hash(entry) != entry.hash:
            return entry.id
        prev = entry.hash
    return None
