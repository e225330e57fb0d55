"""In-app notifications: written by any service or plugin, read by their user.

``notify`` adds one inside the caller's transaction; once that transaction commits, the hook
``kaoping_notification_created(notification)`` is called (plugins enabled for the locality, or
every plugin for a user without a locality), so a plugin can forward it to SMS or e-mail. A
transaction that rolls back notifies nobody.

A notification holds an English message id and its values, not a text: each reader sees it in
their own language (``render``), read with the core's catalogue and that of the plugin the
message belongs to, never another plugin's: the plugin its ``kind`` names (``worklog.viewed``:
worklog's), or the one ``notify`` was given as ``catalogue`` (the cadre cloud relaying the
goals plugin's warning; the core's discussions telling of a worklog comment); a kind that names
no plugin (``people.activated``) reads the core's alone. The unread count is one indexed count
(``ix_notifications_user_read``).

A value may be a ``date`` or a ``datetime``: it is kept as ISO text (what the API answers in
``params``) with its type in ``param_types``, and read back as that type to be formatted in the
reader's language (``core.i18n.Translator.value``): "于12月1日查看", "on Dec 1". ``params`` holds
the message's values only (the catalogue and the types have columns of their own), as the hook
and the API give them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event, func, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Notification
from core.models.base import utcnow
from core.services.errors import Invalid, NotFound

log = logging.getLogger("kaoping.notifications")

MAX_PAGE = 100
_PENDING = "kaoping_notifications"
MAX_ID = 2**31 - 1


class NotificationOut(BaseModel):
    """One notification as the API answers it: ``text`` is ``message_id`` with ``params`` in
    the reader's language; ``read_at`` is null while unread."""

    id: int
    kind: str
    message_id: str
    params: dict[str, Any]
    text: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    unread: int
    limit: int
    offset: int


def _safe_link(link: str) -> str:
    """Only a path of this site: ``/me/...``; anything else (``//host``, ``javascript:``) is dropped."""
    link = (link or "").strip()
    return link if link.startswith("/") and not link.startswith("//") and len(link) <= 500 else ""


def notify(
    session: Session,
    locality_id: int | None,
    user_id: int,
    kind: str,
    message_id: str,
    params: dict[str, Any] | None = None,
    link: str = "",
    *,
    catalogue: str | None = None,
) -> Notification:
    """Add a notification for ``user_id`` in the caller's open write transaction ``session``.

    ``kind``: a short name a plugin chooses (``worklog.viewed``), at most 50 characters;
    ``message_id``: an English message id with ``{name}`` fields (at most 500 characters),
    translated by the catalogue of whoever reads it; ``params``: JSON values for its fields;
    ``link``: a path of this site (anything else is dropped); ``catalogue``: the plugin whose
    catalogue holds ``message_id`` when it is not the one ``kind`` names (before its first dot).
    Raises ``Invalid`` for an empty or too long kind or message. The hook
    ``kaoping_notification_created`` runs after COMMIT.
    """
    _check(kind, message_id, catalogue)
    values, types = _stored(params)
    row = Notification(
        locality_id=locality_id,
        user_id=user_id,
        kind=kind,
        message_id=message_id,
        params=values,
        link=_safe_link(link),
        catalogue=catalogue,
        param_types=types,
    )
    session.add(row)
    session.flush()
    caller = _hook_caller(session, locality_id)
    session.info.setdefault(_PENDING, []).append((caller, Notification.model_validate(row.model_dump())))
    return row


@dataclass(frozen=True)
class Notice:
    """One message for ``notify_each``: who gets it, what it says and where it links;
    ``catalogue``, if given, replaces ``notify_each``'s for this message (a pass relaying
    several plugins' messages)."""

    user_ids: list[int]
    message_id: str
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    catalogue: str | None = None


def notify_each(
    session: Session, locality_id: int | None, kind: str, notices: Iterable[Notice], *, catalogue: str | None = None
) -> list[int]:
    """``notify`` for many users and messages at once (a reminder pass tells thousands the same
    thing, a warnings pass raises thousands of messages each with its own text and link): one
    look-up of the locality's hooks and one INSERT of every row, sent as multi-row INSERTs of up
    to ``insertmanyvalues_page_size`` (1,000) rows each (SQLAlchemy's "insertmanyvalues"), never
    one statement a row. Returns how many users each notice reached, in order; the hook runs
    after COMMIT once per notification, as for ``notify``. ``Invalid`` (nothing written) for an
    empty or too long kind, message or catalogue, as ``notify``."""
    from sqlalchemy import insert

    now, rows, counts = utcnow(), [], []
    for notice in notices:
        named = notice.catalogue if notice.catalogue is not None else catalogue
        _check(kind, notice.message_id, named)
        (values, types), link = _stored(notice.params), _safe_link(notice.link)
        counts.append(len(notice.user_ids))
        rows += [
            {"locality_id": locality_id, "user_id": u, "kind": kind, "message_id": notice.message_id}
            | {"params": values, "link": link, "created_at": now, "read_at": None}
            | {"catalogue": named, "param_types": types}
            for u in notice.user_ids
        ]
    if not rows:
        return counts
    table = Notification.__table__
    caller = _hook_caller(session, locality_id)
    if not caller.get_hookimpls():  # nobody listens: no objects (8 s for 10,000: bench.worklog)
        statement = insert(table)
        if session.get_bind().dialect.name != "sqlite":
            # RETURNING makes psycopg's executemany (a statement a row, pipelined) multi-row
            # INSERTs; SQLite runs an executemany in-process, one prepared statement, faster.
            statement = statement.returning(table.c.id)
        session.execute(statement, rows)
        return counts
    made = session.execute(insert(table).returning(*table.c), rows).mappings().all()
    session.info.setdefault(_PENDING, []).extend((caller, Notification(**m)) for m in made)
    return counts


def notify_many(
    session: Session,
    locality_id: int | None,
    user_ids: list[int],
    kind: str,
    message_id: str,
    params: dict[str, Any] | None = None,
    link: str = "",
    *,
    catalogue: str | None = None,
) -> int:
    """``notify`` for many users with the same message: ``notify_each`` with one ``Notice``.
    Returns how many users were notified."""
    notice = Notice(list(user_ids), message_id, dict(params or {}), link)
    return notify_each(session, locality_id, kind, [notice], catalogue=catalogue)[0]


def _check(kind: str, message_id: str, catalogue: str | None) -> None:
    if not kind or len(kind) > 50:
        raise Invalid("kind: must be 1 to 50 characters")
    if not message_id or len(message_id) > 500:
        raise Invalid("message: must be 1 to 500 characters")
    if catalogue is not None and not 0 < len(catalogue) <= 50:
        raise Invalid("catalogue: must be 1 to 50 characters")


def _stored(params: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The values as the row keeps them (JSON), dates and datetimes as ISO text, and the types of
    those (``param_types``: name -> "date" or "datetime"; None when there is none)."""
    values, types = {}, {}
    for name, value in (params or {}).items():
        if isinstance(value, date):  # a datetime too
            types[name] = "datetime" if isinstance(value, datetime) else "date"
            value = value.isoformat()
        values[name] = value
    return values, types or None


def catalogue_of(notification: Notification) -> str | None:
    """The plugin whose catalogue holds the notification's message: the one ``notify`` was
    given, else the one its kind names (a name no plugin has reads the core's alone)."""
    if notification.catalogue:
        return notification.catalogue
    return notification.kind.partition(".")[0] or None


def _typed(notification: Notification) -> dict[str, Any]:
    """The message's values with dates and datetimes read back as such (``_stored``); a value
    that does not read as its type stays as stored."""
    values = dict(notification.params or {})
    types = notification.param_types
    for name, kind in types.items() if isinstance(types, dict) else ():
        reader = {"date": date.fromisoformat, "datetime": datetime.fromisoformat}.get(kind)
        if reader is not None and isinstance(values.get(name), str):
            try:
                values[name] = reader(values[name])
            except ValueError:
                pass
    return values


def _hook_caller(session: Session, locality_id: int | None):
    from core.plugins import get_plugin_manager
    from core.services.plugins import hooks_for

    if locality_id is None:
        return get_plugin_manager().hook.kaoping_notification_created
    return hooks_for(session, locality_id).kaoping_notification_created


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    for caller, notification in session.info.pop(_PENDING, []):
        try:
            caller(notification=notification)
        except Exception:  # a plugin's failure never undoes what was committed
            log.exception("a kaoping_notification_created hook failed for notification %s", notification.id)


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)


def unread_count(session: Session, user_id: int) -> int:
    """The user's unread notifications: one count on ``ix_notifications_user_read``."""
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
    ).one()


def render(notification: Notification, translator) -> str:
    """The notification's text in ``translator``'s language (``core.i18n.Translator``), read
    with the core's catalogue and its own plugin's (``catalogue_of``), whichever page shows it."""
    params = _typed(notification)
    tr = translator.of(catalogue_of(notification))
    try:
        return tr.gettext(notification.message_id, **params) if params else tr.gettext(notification.message_id)
    except Exception:  # a message naming values it was not given: its id, as is
        return notification.message_id


def _user(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("no notifications for this user")
    return actor.user_id


def list_notifications(
    ctx: AppContext, actor: Actor, translator, *, limit: int = 20, offset: int = 0, unread_only: bool = False
) -> NotificationPage:
    """The signed-in user's notifications, newest first, with the total and the unread count.
    ``limit`` 1..100, ``offset`` ≥ 0 (``Invalid`` otherwise)."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(
            f"limit: must be between 1 and {MAX_PAGE}",
            errors=[{"field": "limit", "message": f"must be between 1 and {MAX_PAGE}"}],
        )
    if not 0 <= offset <= MAX_ID:
        raise Invalid("offset: must not be negative", errors=[{"field": "offset", "message": "must not be negative"}])
    user_id = _user(actor)
    with ctx.db.read() as session:
        query = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            query = query.where(col(Notification.read_at).is_(None))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(col(Notification.id).desc()).limit(limit).offset(offset)).all()
        unread = unread_count(session, user_id)
    items = [
        NotificationOut(
            id=row.id,
            kind=row.kind,
            message_id=row.message_id,
            params=dict(row.params or {}),
            text=render(row, translator),
            link=row.link,
            created_at=row.created_at,
            read_at=row.read_at,
        )
        for row in rows
    ]
    return NotificationPage(items=items, total=total, unread=unread, limit=limit, offset=offset)


def mark_read(ctx: AppContext, actor: Actor, notification_id: int) -> str:
    """Mark one of the user's own notifications read; returns its link. Someone else's (or an
    unknown id) is ``NotFound``. Marking a read one again changes nothing."""
    user_id = _user(actor)
    with ctx.db.write() as session:
        row = session.get(Notification, notification_id) if 0 < notification_id <= MAX_ID else None
        if row is None or row.user_id != user_id:
            raise NotFound("no notification with id {id}", params={"id": notification_id})
        if row.read_at is None:
            row.read_at = utcnow()
            session.add(row)
        return row.link


def mark_all_read(ctx: AppContext, actor: Actor) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    user_id = _user(actor)
    with ctx.db.write() as session:
        result = session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
            .values(read_at=utcnow())
        )
        return result.rowcount or 0
