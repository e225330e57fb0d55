"""More scoring rules: trimmed mean, good-rating rate, score rate (optional)."""

from __future__ import annotations

from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(label_zh="更多计分规则", label_en="More scoring rules",
                            description="trimmed_mean, good_rate, score_rate")
