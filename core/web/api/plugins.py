from __future__ import annotations

from typing import Any

from litestar import Controller, get, put
from litestar.params import JSONBody

from core.plugins import get_plugin_manager
from core.services import plugins
from core.web.params import Ctx, CurrentActor, LocalityCode, PathStr


class PluginController(Controller):
    tags = ["plugins"]

    @get("/api/plugins", sync_to_thread=False, summary="Installed plugins: labels, contributions, options schema")
    def installed(self, actor: CurrentActor) -> list[dict[str, Any]]:
        return plugins.installed(get_plugin_manager())

    @get("/api/localities/{code:str}/plugins", sync_to_thread=True, summary="The locality's plugin settings")
    def for_locality(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode) -> list[dict[str, Any]]:
        return plugins.locality_plugins(ctx, actor, code)

    @put(
        "/api/localities/{code:str}/plugins/{name:str}",
        sync_to_thread=True,
        summary="Enable or disable a plugin for the locality, with its options",
    )
    def set(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, name: PathStr, data: JSONBody[plugins.PluginSettingIn]
    ) -> dict[str, Any]:
        return plugins.set_plugin(ctx, actor, code, name, data)
