"""Every string of the worklog's pages (its templates, including an entry's comments and files,
and its page modules) has a Chinese translation, in its catalogue or the core's."""

from __future__ import annotations

import re
from pathlib import Path

from core.i18n import LOCALES_DIR, _merged

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "worklog"
MESSAGE = re.compile(r"""(?:\b_|tr\.gettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]""")


def test_every_page_string_is_translated_to_chinese():
    catalog = _merged("zh_CN", (PLUGIN / "locales", LOCALES_DIR))
    sources = [*PLUGIN.rglob("*.html"), *PLUGIN.glob("*pages.py"), PLUGIN / "records.py"]  # records: its files
    messages = {m for path in sources for m in MESSAGE.findall(path.read_text(encoding="utf-8"))}
    assert {
        "Comments",
        "Attach a file",
        "Comments: {comments}, likes: {likes}",
        "Work records of {name}, {period}",
    } <= messages
    assert sorted(m for m in messages if m not in catalog) == []
