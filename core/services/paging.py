"""One page of a list query: ``{items, total, limit, offset}``, shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core.schemas.base import Page
from core.services.errors import field_error

MAX_PAGE = 1000


def check_page(limit: int, offset: int) -> None:
    """422 for a ``limit`` out of 1..``MAX_PAGE`` or a negative ``offset``."""
    if not 1 <= limit <= MAX_PAGE:
        raise field_error("limit", f"must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise field_error("offset", "must not be negative")


def paginate(session: Session, query, limit: int, offset: int, convert: Callable[[Session, Any], Any]) -> Page:
    """Count the query, then convert one page of its rows with ``convert(session, row)``."""
    check_page(limit, offset)
    # counted without the ORDER BY: SQLite would sort every row first (0.5 s for 100,000 people)
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    rows = session.exec(query.limit(limit).offset(offset)).all()
    return Page(items=[convert(session, row) for row in rows], total=total, limit=limit, offset=offset)
