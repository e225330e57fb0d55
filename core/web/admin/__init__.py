"""The office console under ``/admin``: one module per area, each page in the shell
(``core.web.admin.shell``). Sign-in and sign-out live in ``core.web.pages``."""

from __future__ import annotations


def admin_router():
    from litestar import Router

    from core.web.admin import audit, dashboard, imports, org, plugins, results, sources, users
    from core.web.admin.shell import exception_handlers

    handlers = [
        *dashboard.ROUTES,
        *org.ROUTES,
        *imports.ROUTES,
        *plugins.ROUTES,
        *sources.ROUTES,
        *audit.ROUTES,
        *users.ROUTES,
        *results.ROUTES,
    ]
    from core.web.admin import campaign_scoring, campaign_steps, campaigns

    handlers += [*campaigns.ROUTES, *campaign_steps.ROUTES, *campaign_scoring.ROUTES]
    from core.web.admin import result_exports

    handlers += result_exports.ROUTES
    from core.web.admin import notifications, people_accounts

    handlers += [*people_accounts.ROUTES, *notifications.ROUTES]
    from core.web.admin import teams, units

    handlers += [*teams.ROUTES, *units.ROUTES]
    from core.web.admin import indicator_templates

    handlers += indicator_templates.ROUTES
    from core.web.admin import values

    handlers += values.ROUTES
    from core.web.admin import subjects

    handlers += subjects.ROUTES
    from core.web.admin import assessment, signins

    handlers += [*signins.ROUTES, *assessment.ROUTES]
    return Router(
        path="/admin", route_handlers=handlers, exception_handlers=exception_handlers, include_in_schema=False
    )
