"""Every hook a Kaoping plugin can implement. Each one is documented here; a test fails for
an undocumented hook (see tests/core/test_hookspecs.py).

A plugin is a module or object with functions marked ``@hookimpl``, registered through the
``kaoping`` entry-point group in its package's ``pyproject.toml``::

    [project.entry-points.kaoping]
    my_plugin = "my_package.plugin"

Hooks are synchronous (pluggy has no async hooks).
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("kaoping")
hookimpl = pluggy.HookimplMarker("kaoping")


@hookspec
def kaoping_routes() -> list:
    """Return Litestar route handlers (functions or controllers) this plugin serves.

    They are mounted on the app at start-up, next to the core's ``/api`` and ``/admin``.
    """
