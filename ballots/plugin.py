"""The ballots plugin: essential (the platform cannot run ballots without it)."""

from __future__ import annotations

from pathlib import Path

from ballots.options import BallotsOptions
from core.hookspecs import hookimpl
from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(
    label_zh="测评账号与测评表",
    label_en="Ballots and one-time accounts",
    essential=True,
    description="One-time accounts, printed slips, the evaluator's pages and API.",
    templates_dir=Path(__file__).parent / "templates",
    locales_dir=Path(__file__).parent / "locales",
    options_model=BallotsOptions,
)


@hookimpl
def kaoping_routes() -> list:
    from ballots.admin_accounts import accounts_routes
    from ballots.admin_paper import paper_routes
    from ballots.admin_turnout import turnout_routes
    from ballots.pages import page_routes
    from ballots.web import api_routes

    return [*api_routes(), *page_routes(), *paper_routes(), *accounts_routes(), *turnout_routes()]


@hookimpl
def kaoping_campaign_pages(locality_code: str, campaign_id: int) -> list:
    from core.web.admin.menu import OFFICE, MenuEntry

    base = f"/admin/localities/{locality_code}/campaigns/{campaign_id}"
    return [
        MenuEntry("ballots.accounts", "账号与票条", "Accounts and slips", f"{base}/accounts", OFFICE, 110),
        MenuEntry("ballots.turnout", "参评情况", "Turnout", f"{base}/turnout", OFFICE, 120),
        MenuEntry("ballots.paper", "纸质票录入", "Paper ballots", f"{base}/paper", OFFICE, 130),
    ]


@hookimpl
def kaoping_load_demo(ctx, actor, locality_code: str) -> list[str]:
    from ballots.demo import load_demo_campaign

    return load_demo_campaign(ctx, actor, locality_code)


@hookimpl
def kaoping_periodic_tasks() -> list:
    from ballots.paper import discard_stale
    from ballots.service import purge_expired_slips
    from core.scheduler import PeriodicTask

    return [
        PeriodicTask(name="purge-expired-slips", every_seconds=600, run=purge_expired_slips),
        PeriodicTask(name="discard-stale-paper-entries", every_seconds=600, run=discard_stale),
    ]
