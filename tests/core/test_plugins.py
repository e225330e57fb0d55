"""What plugins add to the console: template folders and message catalogues, after the core's."""

from __future__ import annotations

import types
from pathlib import Path

from core.plugins import PluginInfo, console_locales_dirs, console_template_dirs, make_plugin_manager


def _plugin(name: str, **info) -> types.ModuleType:
    module = types.ModuleType(name)
    module.KAOPING_PLUGIN = PluginInfo(label_zh=name, label_en=name, **info)
    return module


def test_console_folders_are_those_plugins_declare_in_registration_order(tmp_path):
    pm = make_plugin_manager(load_entry_points=False)
    pm.register(_plugin("plain"), name="plain")
    pm.register(_plugin("pages", templates_dir=tmp_path / "t1", locales_dir=tmp_path / "l1"), name="pages")
    pm.register(_plugin("more", templates_dir=tmp_path / "t2"), name="more")
    assert console_template_dirs(pm) == [tmp_path / "t1", tmp_path / "t2"]
    assert console_locales_dirs(pm) == (tmp_path / "l1",)


def test_the_installed_plugins_folders_exist():
    for folder in [*console_template_dirs(), *console_locales_dirs()]:
        assert isinstance(folder, Path) and folder.is_dir(), folder
