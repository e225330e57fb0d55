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


def plugin_routes(pm: pluggy.PluginManager | None = None) -> list:
    pm = pm or get_plugin_manager()
    return [handler for handlers in pm.hook.kaoping_routes() for handler in handlers]
