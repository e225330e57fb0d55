"""Which catalogues a request's texts read, and its translator in one cached look-up.

A page or an API answer of a plugin (a handler defined in the plugin's package, or a route
naming its catalogues with ``opt={"locales_dirs": (...)}``) reads that plugin's catalogue, then
the core's; every other route the core's alone. No route reads another plugin's catalogue: a
msgid the core lacks is not translated by whichever plugin happens to have it
(``core.i18n.catalogues``). A core page showing a plugin's texts (the plugin's options form, a
notification a plugin wrote) translates them with ``Translator.of(plugin)``.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from litestar import Request

from core.i18n import Translator, catalogues, translator


def request_translator(request: Request, locale: str) -> Translator:
    """The translator of ``request``'s route in ``locale``, in the locality's time zone: one
    cached look-up a request (the route's catalogues are resolved once a handler module)."""
    state = request.app.state
    timezone = state.ctx.settings.timezone if hasattr(state, "ctx") else None
    handler = request.scope.get("route_handler")
    named = (getattr(handler, "opt", None) or {}).get("locales_dirs")
    if named:
        return _translator(tuple(named), locale, timezone)
    return _module_translator(handler_module(request), locale, timezone)


def _translator(dirs: tuple[Path, ...], locale: str, timezone: str | None) -> Translator:
    return translator(locale, dirs, timezone) if timezone else translator(locale, dirs)


@lru_cache(maxsize=2048)
def _module_translator(module_name: str | None, locale: str, timezone: str | None) -> Translator:
    return _translator(catalogues(module_plugin(module_name)), locale, timezone)


def handler_module(request: Request) -> str | None:
    """The module that defines the request's route handler (a plugin's, or the core's)."""
    handler = request.scope.get("route_handler")
    fn = getattr(handler, "fn", None)
    fn = getattr(fn, "value", fn)  # older Litestar wraps it
    return getattr(fn, "__module__", None)


@lru_cache(maxsize=512)
def module_plugin(module_name: str | None) -> str | None:
    """The plugin with a catalogue whose folder holds module ``module_name`` (its
    ``locales_dir`` sits in the plugin's package), or None (the core, or a plugin without one)."""
    from core.plugins import plugin_locales_dirs

    module = sys.modules.get(module_name or "")
    source = getattr(module, "__file__", None)
    if source is None:
        return None
    path = Path(source).resolve()
    for name, directory in plugin_locales_dirs().items():
        if path.is_relative_to(directory.resolve().parent):
            return name
    return None
