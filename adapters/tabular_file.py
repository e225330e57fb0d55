"""Adapter type `tabular_file` (being written)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(label_zh="表格文件（CSV/XLSX）", label_en="Tabular files (CSV/XLSX)")


@hookimpl
def kaoping_adapters() -> list:
    return []
