"""The goals' console pages (filled in by the pages step)."""

from __future__ import annotations


def page_routes() -> list:
    return []
