"""Forced-distribution policies: ballot_cap, result_quota, unit_quota (optional)."""

from __future__ import annotations

from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(label_zh="强制分布", label_en="Forced distribution",
                            description="ballot_cap, result_quota, unit_quota")
