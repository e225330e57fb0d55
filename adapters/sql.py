"""Adapter type `sql` (being written)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(label_zh="SQL 数据库", label_en="SQL database")


@hookimpl
def kaoping_adapters() -> list:
    return []
