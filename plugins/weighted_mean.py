"""The default scoring rule, ``weighted_mean`` (essential: every locality has it)."""

from __future__ import annotations

from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(label_zh="加权平均计分", label_en="Weighted grade mean", essential=True,
                            description="Grade -> hidden score, weighted by indicator, then by evaluator category.")
