"""The one plugin manager: built-in plugins and third-party ones, all found through the
``kaoping`` entry-point group, the way datasette loads its default plugins."""

from __future__ import annotations

from functools import lru_cache

import pluggy

from core import hookspecs

ENTRY_POINT_GROUP = "kaoping"


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


def plugin_routes(pm: pluggy.PluginManager | None = None) -> list:
    pm = pm or get_plugin_manager()
    return [handler for handlers in pm.hook.kaoping_routes() for handler in handlers]
