"""Every hook is documented (datasette's test_plugin_hooks_are_documented is the model)."""

import inspect

import pluggy

from core import hookspecs
from core.plugins import make_plugin_manager


def _hook_names() -> list[str]:
    return [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("kaoping_")]


def test_there_are_hooks():
    assert "kaoping_routes" in _hook_names()


def test_every_hook_has_a_docstring():
    undocumented = [name for name in _hook_names() if len((getattr(hookspecs, name).__doc__ or "").strip()) < 20]
    assert undocumented == []


def test_a_misspelt_hook_fails_at_start():
    class Plugin:
        @hookspecs.hookimpl
        def kaoping_rutes(self):  # misspelt on purpose
            return []

    pm = make_plugin_manager(load_entry_points=False)
    pm.register(Plugin())
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        assert "kaoping_rutes" in str(exc)
    else:  # pragma: no cover - the assertion below explains the failure
        raise AssertionError("check_pending accepted an unknown hook")
