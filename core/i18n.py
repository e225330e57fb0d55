"""Message catalogues (Babel ``.po`` files under ``core/locales``), zh-CN first.

Message ids are English; ``zh_CN`` translates them, ``en`` shows the id itself. Catalogues
are read with Babel at start-up, so no compile step is needed. Extract new strings with
``pybabel extract -F babel.cfg -o core/locales/messages.pot .`` and update with
``pybabel update -i core/locales/messages.pot -d core/locales``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED_LOCALES = ("zh_CN", "en")


@lru_cache(maxsize=None)
def _catalog(locale: str, locales_dir: Path = LOCALES_DIR) -> dict[str, str]:
    path = locales_dir / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def normalize_locale(value: str | None) -> str:
    if not value:
        return DEFAULT_LOCALE
    value = value.replace("-", "_")
    if value.lower().startswith("en"):
        return "en"
    if value.lower().startswith("zh"):
        return "zh_CN"
    return DEFAULT_LOCALE


class Translator:
    def __init__(self, locale: str, locales_dir: Path = LOCALES_DIR):
        """``locales_dir``: a plugin keeps its own catalogues (e.g. ``ballots/locales``)."""
        self.locale = normalize_locale(locale)
        self._messages = _catalog(self.locale, locales_dir)

    def gettext(self, message: str, **values) -> str:
        text = self._messages.get(message, message)
        return text.format(**values) if values else text

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.locale == "zh_CN" else "en"
