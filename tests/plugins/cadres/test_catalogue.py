"""Every string of the cadre cloud's pages (templates, page modules and their label tables)
and of its search errors has a Chinese translation, in its catalogues or the core's."""

from __future__ import annotations

import re
from pathlib import Path

from core.i18n import LOCALES_DIR, _merged

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "cadres"
MESSAGE = re.compile(r"""(?:\b_|tr\.gettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]""")
LABELS = re.compile(r"_LABELS = \{(.*?)\n\}", re.DOTALL)
ERROR = re.compile(r"""_bad\([^,]+,\s*"((?:[^"\\]|\\.)+)\"""")


def test_every_page_string_and_search_error_is_translated_to_chinese():
    catalog = _merged("zh_CN", (PLUGIN / "locales", LOCALES_DIR))
    pages = [*PLUGIN.rglob("*.html"), *PLUGIN.glob("*pages.py")]
    messages = {m for path in pages for m in MESSAGE.findall(path.read_text(encoding="utf-8"))}
    for path in PLUGIN.glob("*pages.py"):
        for block in LABELS.findall(path.read_text(encoding="utf-8")):
            messages |= set(re.findall(r':\s*"([^"]+)"', block))
    errors = set(ERROR.findall((PLUGIN / "search.py").read_text(encoding="utf-8")))
    messages |= errors | {"{path}: " + e for e in errors}
    assert {"Cadre search", "Relations of the candidates", "Same hometown", "{path}: one of {kinds}"} <= messages
    assert sorted(m for m in messages if m not in catalog) == []
