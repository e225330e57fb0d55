"""Adapter type `http_json` (being written)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(label_zh="JSON 接口", label_en="JSON API (http_json)")


@hookimpl
def kaoping_adapters() -> list:
    return []
