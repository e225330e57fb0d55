"""The worklog's JSON API under ``/api/localities/{code}/worklog/``."""

from __future__ import annotations


def api_routes() -> list:
    return []
