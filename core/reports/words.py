"""What a report says in words: its labels in the reader's language, the flags of a result,
and the campaign's scoring rule and distribution policies with their options."""

from __future__ import annotations

from typing import Any

from core.i18n import LOCALES_DIR, Translator
from core.reports.data import ReportData

FLAG_WORDS = {
    "tie_at_quota": "tie at the quota",
    "veto": "vetoed",
    "over_quota": "over the quota",
}
# Option names of the built-in rules and policies; a plugin's other options show their own name.
OPTION_WORDS = {
    "thresholds": "grades proposed by score",
    "trim_ratio": "highest and lowest scores left out, each",
    "grades": "grades counted as good",
    "grade": "grade",
    "indicator": "indicator",
    "max_ratio": "at most",
    "rounding": "rounding of the allowed number",
    "scope": "counted per",
    "action": "a ballot over the cap",
    "accept_zero": "a group allowed none of the grade is intended",
    "unit_campaign_id": "campaign ranking the units",
    "top_n": "units at the top",
    "top_ratio": "share of the top units' people",
    "default_ratio": "share of the other units' people",
    "split": "share of the last unit's people given the second ratio",
}
VALUE_WORDS = {
    "floor": "rounded down",
    "ceil": "rounded up",
    "round": "rounded to the nearest",
    "subject_category": "subject category",
    "ballot": "ballot",
    "invalid": "is counted as invalid",
    "reject": "is refused at submission",
}
RATIO_OPTIONS = {"trim_ratio", "max_ratio", "top_ratio", "default_ratio", "split"}


def translator(locale: str) -> Translator:
    """The reports' translator: ``zh_CN`` (default) or ``en``; the core's catalogues, reports.po among them."""
    return Translator(locale, LOCALES_DIR)


def flags_text(tr: Translator, flags: list[str]) -> str:
    """The flags of a result in words, separated by the language's list separator."""
    return ("、" if tr.locale == "zh_CN" else ", ").join(tr.gettext(FLAG_WORDS.get(f, f)) for f in flags)


def plugin_label(tr: Translator, data: ReportData, name: str | None) -> str:
    zh, en = data.plugins.get(name or "", (name or "", name or ""))
    return zh if tr.locale == "zh_CN" else en


def _value(tr: Translator, key: str, value: Any) -> str:
    if isinstance(value, bool):
        return tr.gettext("yes") if value else tr.gettext("no")
    if value is None:
        return tr.gettext("the default")
    if key == "thresholds" and isinstance(value, list):
        if not value:
            return tr.gettext("none")
        parts = [
            tr.gettext("{grade} from {score} points", grade=t.get("grade"), score=f"{float(t.get('min_score', 0)):g}")
            for t in value
            if isinstance(t, dict)
        ]
        return ("；" if tr.locale == "zh_CN" else "; ").join(parts)
    if key in RATIO_OPTIONS and isinstance(value, int | float):
        return f"{value * 100:g} %"
    if isinstance(value, list):
        return ("、" if tr.locale == "zh_CN" else ", ").join(str(v) for v in value) or tr.gettext("none")
    if isinstance(value, str) and value in VALUE_WORDS:
        return tr.gettext(VALUE_WORDS[value])
    return str(value)


def _options(tr: Translator, options: dict[str, Any]) -> list[str]:
    separator = "：" if tr.locale == "zh_CN" else ": "
    return [
        tr.gettext(OPTION_WORDS.get(key, key)) + separator + _value(tr, key, value)
        for key, value in (options or {}).items()
    ]


def rules_in_words(tr: Translator, data: ReportData) -> list[tuple[str, list[str]]]:
    """``[(heading, [line])]``: the evaluator categories and their weights, the grade scale,
    the scoring rule with its options, then each distribution policy with its options."""
    campaign = data.campaign
    separator = "：" if tr.locale == "zh_CN" else ": "
    total = sum(c["weight"] for c in data.evaluator_categories) or 1.0
    out = [
        (
            tr.gettext("Evaluator categories and their weights"),
            [
                tr.gettext(
                    "{name}: weight {weight} ({share} % of the score)",
                    name=c["name"],
                    weight=f"{c['weight']:g}",
                    share=f"{c['weight'] * 100 / total:.1f}",
                )
                for c in data.evaluator_categories
            ],
        ),
        (tr.gettext("Grades of the ballots"), [("、" if tr.locale == "zh_CN" else ", ").join(data.grade_labels)]),
        (
            tr.gettext("Scoring rule") + separator + plugin_label(tr, data, campaign.get("rule")),
            _options(tr, campaign.get("options") or {}),
        ),
    ]
    policies = campaign.get("policies") or []
    if not policies:
        out.append((tr.gettext("No distribution policy"), []))
    for policy in policies:
        out.append(
            (
                tr.gettext("Distribution policy") + separator + plugin_label(tr, data, policy.get("policy")),
                _options(tr, policy.get("options") or {}),
            )
        )
    return out
