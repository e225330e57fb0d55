"""Every string the admin pages show has a Chinese translation: users read Chinese first."""

from __future__ import annotations

import re
from pathlib import Path

from core.i18n import _catalog

TEMPLATES = Path(__file__).resolve().parents[2] / "core" / "web" / "templates"
PAGES = Path(__file__).resolve().parents[2] / "core" / "web" / "pages.py"
MESSAGE = re.compile(r"""(?:\b_|tr\.gettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]""")


def test_every_admin_page_string_is_translated_to_chinese():
    catalog = _catalog("zh_CN")
    texts = [path.read_text(encoding="utf-8") for path in sorted(TEMPLATES.rglob("*.html"))]
    texts.append(PAGES.read_text(encoding="utf-8"))
    messages = {m for text in texts for m in MESSAGE.findall(text)}
    assert len(messages) > 20  # the pattern finds the page strings at all
    missing = sorted(m for m in messages if m not in catalog)
    assert missing == []


def test_run_statuses_shown_on_pages_are_translated():
    catalog = _catalog("zh_CN")
    assert [catalog.get(s) for s in ("running", "succeeded", "failed")] == ["运行中", "成功", "失败"]
