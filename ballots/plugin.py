"""The ballots plugin: essential (the platform cannot run ballots without it)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(label_zh="测评帐号与测评表", label_en="Ballots and one-time accounts", essential=True,
                            description="One-time accounts, printed slips, the evaluator's pages and API.")


@hookimpl
def kaoping_routes() -> list:
    from ballots.pages import page_routes
    from ballots.web import api_routes

    return [*api_routes(), *page_routes()]


@hookimpl
def kaoping_load_demo(ctx, actor, locality_code: str) -> list[str]:
    from ballots.demo import load_demo_campaign

    return load_demo_campaign(ctx, actor, locality_code)


@hookimpl
def kaoping_periodic_tasks() -> list:
    from ballots.service import purge_expired_slips
    from core.scheduler import PeriodicTask

    return [PeriodicTask(name="purge-expired-slips", every_seconds=600, run=purge_expired_slips)]
