"""The routes plugins serve (``kaoping_routes``), each plugin's behind the core's access guard.

In the web layer, not in ``core.plugins``: the guard lives in ``core.web.auth``, which reads the
plugin registry and ``core.services.plugins``; the registry must not import the web layer back.
"""

from __future__ import annotations

import pluggy
from litestar import Router

from core.plugins import get_plugin_manager, plugin_info
from core.web.auth import plugin_route_guard


def plugin_routes(pm: pluggy.PluginManager | None = None) -> list[Router]:
    """Every plugin's route handlers (``kaoping_routes``), each plugin's in a ``Router`` whose
    guard (``core.web.auth.plugin_route_guard``) gives access by default: only to a signed-in
    user, only for a locality that user may see and that enabled the plugin (the path parameter
    ``code``, or ``campaign_id`` of a campaign; a route naming neither serves users of localities
    that enabled it). A handler marked ``opt={"public": True}`` is served without sign-in (the
    ballot pages); it still answers 404 for a locality that has not enabled the plugin."""
    pm = pm or get_plugin_manager()
    routes: list[Router] = []
    for impl in reversed(pm.hook.kaoping_routes.get_hookimpls()):  # the order of a hook call
        handlers = list(impl.function() or [])
        if handlers:
            essential = plugin_info(pm, impl.plugin).essential
            routes.append(
                Router(
                    path="/",
                    route_handlers=handlers,
                    guards=[plugin_route_guard(impl.plugin_name, essential=essential)],
                )
            )
    return routes
