"""The one plugin manager: built-in plugins and third-party ones, all found through the
``kaoping`` entry-point group, the way datasette loads its default plugins.

A plugin module may describe itself with ``KAOPING_PLUGIN = PluginInfo(...)``: its labels,
whether it is essential (cannot be disabled, like pytest's essential plugins), and the
pydantic model of its per-locality options.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pluggy
from pydantic import BaseModel

from core import hookspecs

ENTRY_POINT_GROUP = "kaoping"


@dataclass(frozen=True)
class PluginInfo:
    label_zh: str
    label_en: str
    essential: bool = False
    options_model: type[BaseModel] | None = None
    description: str = ""


def make_plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("kaoping")
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.check_pending()  # a misspelt hook name fails at start-up, not at first call
    return pm


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    return make_plugin_manager()


def plugin_info(pm: pluggy.PluginManager, plugin: object) -> PluginInfo:
    info = getattr(plugin, "KAOPING_PLUGIN", None)
    if isinstance(info, PluginInfo):
        return info
    name = pm.get_name(plugin) or "?"
    return PluginInfo(label_zh=name, label_en=name)


def plugins_by_name(pm: pluggy.PluginManager | None = None) -> dict[str, object]:
    pm = pm or get_plugin_manager()
    return {pm.get_name(plugin): plugin for plugin in pm.get_plugins() if pm.get_name(plugin)}


# Path parameters by which a plugin's route names a locality: its code, or one of its campaigns.
LOCALITY_PATH_PARAMS = ("code", "campaign_id")


def plugin_routes(pm: pluggy.PluginManager | None = None) -> list:
    """Every plugin's route handlers (``kaoping_routes``). An essential plugin's are mounted as
    they are; a non-essential plugin's go into a ``Router`` whose guard answers 404 when the
    route names a locality (path parameter ``code``, or ``campaign_id`` of a campaign) that has
    not enabled the plugin. Routes that name no locality serve the whole platform."""
    from litestar import Router

    pm = pm or get_plugin_manager()
    routes: list = []
    for impl in reversed(pm.hook.kaoping_routes.get_hookimpls()):  # the order of a hook call
        handlers = list(impl.function() or [])
        if not handlers:
            continue
        if plugin_info(pm, impl.plugin).essential:
            routes.extend(handlers)
        else:
            routes.append(Router(path="/", route_handlers=handlers, guards=[_enabled_guard(impl.plugin_name)]))
    return routes


def _enabled_guard(name: str):
    from anyio.to_thread import run_sync
    from litestar.connection import ASGIConnection
    from litestar.exceptions import NotFoundException
    from litestar.handlers.base import BaseRouteHandler

    async def plugin_enabled(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        from core.services.plugins import route_enabled

        params = {key: connection.path_params[key] for key in LOCALITY_PATH_PARAMS if key in connection.path_params}
        if params and not await run_sync(route_enabled, connection.app.state.ctx, name, params):
            raise NotFoundException(f"plugin {name} is not enabled for this locality")

    return plugin_enabled
