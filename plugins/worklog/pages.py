"""The worklog's pages."""

from __future__ import annotations


def page_routes() -> list:
    return []
