"""Every message of the cadre checks (dates, ID numbers, .lrmx forms, résumés, relations,
structure) has a Chinese translation naming the same values, read as core.i18n reads it."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from core.i18n import Translator, _catalog
from plugins.cadres.dates import try_parse_date

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "cadres"
MODULES = ("dates", "resume", "lrmx_read", "lrmx_zip", "relations", "structure")


def message_ids() -> list[str]:
    """The module-level message constants (upper-case names, text with spaces)."""
    found = []
    for module in MODULES:
        for node in ast.parse((PLUGIN / f"{module}.py").read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = node.value
                if node.targets[0].id.isupper() and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    if " " in value.value:
                        found.append(value.value)
    return found


def names(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name}


def test_there_are_messages_to_check():
    assert len(message_ids()) > 60


@pytest.mark.parametrize("msgid", message_ids())
def test_each_message_is_translated_with_the_same_values(msgid):
    catalog = _catalog("zh_CN", PLUGIN / "locales")
    assert msgid in catalog
    assert names(catalog[msgid]) == names(msgid)


def test_a_refused_date_reads_in_chinese_and_in_english():
    _value, why = try_parse_date("1984.13")
    zh = Translator("zh_CN", PLUGIN / "locales")
    assert zh.gettext(why.msgid, **why.params) == "1984.13：没有 13 月（月份为 1 至 12）"
    assert Translator("en", PLUGIN / "locales").gettext(why.msgid, **why.params) == why.text
