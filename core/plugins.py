"""The one plugin manager: built-in plugins and third-party ones, all found through the
``kaoping`` entry-point group, the way datasette loads its default plugins.

A plugin module may describe itself with ``KAOPING_PLUGIN = PluginInfo(...)``: its labels,
whether it is essential (cannot be disabled, like pytest's essential plugins), and the
pydantic model of its per-locality options.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
    # A plugin with console pages: its Jinja templates (named under a folder of the plugin's name,
    # e.g. ``ballots/admin/turnout.html``, extending ``admin/base.html``) and its message catalogues
    # (``<locales_dir>/zh_CN/LC_MESSAGES/*.po``): the templates read after the core's; the
    # catalogues only for the plugin's own pages and texts, before the core's (never another's).
    templates_dir: Path | None = None
    locales_dir: Path | None = None
    # A plugin with tables of its own: the folder of its Alembic revision files, one branch
    # labelled with the plugin's name (``branch_labels``), whose first revision ``depends_on`` the
    # core revision it needs. ``kaoping db upgrade`` applies it with the core's (core/migrate.py).
    migrations_dir: Path | None = None


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


def console_template_dirs(pm: pluggy.PluginManager | None = None) -> list[Path]:
    """The template directories plugins add to the console, in registration order."""
    pm = pm or get_plugin_manager()
    return [
        info.templates_dir for info in (plugin_info(pm, p) for _n, p in pm.list_name_plugin()) if info.templates_dir
    ]


def console_locales_dirs(pm: pluggy.PluginManager | None = None) -> tuple[Path, ...]:
    """The message catalogues plugins add to the console; each is read only on its own plugin's
    pages and texts, after the core's (``plugin_locales_dirs``)."""
    pm = pm or get_plugin_manager()
    return tuple(
        info.locales_dir for info in (plugin_info(pm, p) for _n, p in pm.list_name_plugin()) if info.locales_dir
    )


def plugin_locales_dirs(pm: pluggy.PluginManager | None = None) -> dict[str, Path]:
    """Each installed plugin's own message catalogues (``PluginInfo.locales_dir``) by its name:
    a plugin's texts read these and the core's, never another plugin's (``core.i18n.catalogues``).
    Read once a plugin manager."""
    return _plugin_locales_dirs(pm or get_plugin_manager())


@lru_cache(maxsize=8)
def _plugin_locales_dirs(pm: pluggy.PluginManager) -> dict[str, Path]:
    found = {}
    for name, plugin in pm.list_name_plugin():
        info = plugin_info(pm, plugin)
        if info.locales_dir is not None:
            found[name] = info.locales_dir
    return found


def migration_dirs(pm: pluggy.PluginManager | None = None) -> list[Path]:
    """The Alembic branches of installed plugins (``PluginInfo.migrations_dir``), in registration
    order. Every installed plugin's tables exist, whether or not a locality enabled it."""
    pm = pm or get_plugin_manager()
    return [
        info.migrations_dir for info in (plugin_info(pm, p) for _n, p in pm.list_name_plugin()) if info.migrations_dir
    ]


# Path parameters by which a plugin's route names a locality: its code, or one of its campaigns.
LOCALITY_PATH_PARAMS = ("code", "campaign_id")
