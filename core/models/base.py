from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def tz_datetime() -> DateTime:
    """Timezone-aware timestamps on both SQLite and PostgreSQL."""
    return DateTime(timezone=True)
