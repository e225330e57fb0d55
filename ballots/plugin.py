"""The ballots plugin: essential (the platform cannot run ballots without it)."""

from __future__ import annotations

from core.hookspecs import hookimpl

ESSENTIAL = True


@hookimpl
def kaoping_routes() -> list:
    from ballots.pages import page_routes
    from ballots.web import api_routes

    return [*api_routes(), *page_routes()]
