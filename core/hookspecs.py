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


@hookspec
def kaoping_load_demo(ctx, actor, locality_code: str) -> list[str] | None:
    """Add this plugin's demo data to the freshly created demo locality ``locality_code``.

    Called once by ``kaoping demo`` (``make run``) right after the locality, its units,
    people, team and subjects are loaded. ``ctx`` is the ``core.context.AppContext`` and
    ``actor`` the system actor to write as. Return lines to print for the newcomer (e.g.
    where the printed ballot slips are), or None.
    """
