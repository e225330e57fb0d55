"""Every string of the goals' pages (templates and page modules) and every message of its
services has a Chinese translation, in its catalogue or the core's."""

from __future__ import annotations

import re
from pathlib import Path

from core.i18n import LOCALES_DIR, _merged
from plugins.goals.choices import COMMENT_KIND_LABELS
from plugins.goals.models import Direction, GoalKind
from plugins.goals.pages import FIELD_LABELS, STATUS_LABELS

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "goals"
MESSAGE = re.compile(r"""(?:\b_|tr\.gettext)\(\s*(?:"((?:[^"\\]|\\.)+)"|'((?:[^'\\]|\\.)+)')\s*[,)]""")
# The first string argument of the services' errors: invalid("field", "message"), Invalid("message"), ...
SERVICE = re.compile(
    r"""(?:\binvalid\(\s*f?"[^"]*",\s*|\b(?:Invalid|NotFound|Forbidden|Conflict)\(\s*)"((?:[^"\\]|\\.)+)"\s*[,)]"""
)
CONSTANT = re.compile(r"""^[A-Z_]+ = "((?:[^"\\]|\\.)+)"$""", re.MULTILINE)


def test_every_page_string_is_translated_to_chinese():
    catalog = _merged("zh_CN", (PLUGIN / "locales", LOCALES_DIR))
    sources = [*PLUGIN.rglob("*.html"), *PLUGIN.glob("*pages.py")]
    messages = {a or b for path in sources for a, b in MESSAGE.findall(path.read_text(encoding="utf-8"))}
    messages |= (
        {k.value for k in GoalKind}
        | {f"{d.value} is better" for d in Direction}
        | set(STATUS_LABELS.values())
        | set(FIELD_LABELS.values())
        | set(COMMENT_KIND_LABELS.values())
    )
    assert {"Add a goal", "Publish", "Sum: {total} %"} <= messages
    assert sorted(m for m in messages if m not in catalog) == []


def test_every_service_message_is_translated_to_chinese():
    catalog = _merged("zh_CN", (PLUGIN / "locales", LOCALES_DIR))
    messages = set()
    for path in PLUGIN.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        messages |= set(SERVICE.findall(text)) | set(CONSTANT.findall(text))
    messages = {m for m in messages if " " in m}  # sentences, not names
    assert "{goal}: the shares sum to {total} %, {difference} % short of 100 %" in messages
    assert sorted(m for m in messages if m not in catalog) == []
