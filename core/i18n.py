"""Message catalogues (Babel ``.po`` files under ``core/locales``), zh-CN first.

Message ids are English; ``zh_CN`` translates them, ``en`` shows the id itself. Catalogues
are read with Babel at start-up, so no compile step is needed. Extract new strings with
``pybabel extract -F babel.cfg -o core/locales/messages.pot .`` and update with
``pybabel update -i core/locales/messages.pot -d core/locales``.
"""

from __future__ import annotations

import re
import string
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


@lru_cache(maxsize=None)
def _patterns(locale: str, locales_dir: Path = LOCALES_DIR) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The catalogue's messages with ``{placeholders}`` as patterns that read the values back out
    of the English text, the most specific (longest fixed text) first."""
    found = []
    for msgid, msgstr in _catalog(locale, locales_dir).items():
        try:
            parts = list(string.Formatter().parse(msgid))
        except ValueError:
            continue
        names = [name for _literal, name, _spec, _conversion in parts if name is not None]
        if not names or any(not n.isidentifier() for n in names) or any(spec or conversion for _l, name, spec,
                                                                           conversion in parts if name is not None):
            continue
        regex, seen, fixed = "", set(), 0
        for literal, name, _spec, _conversion in parts:
            regex, fixed = regex + re.escape(literal), fixed + len(literal)
            if name is not None:
                regex += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
                seen.add(name)
        found.append((fixed, re.compile(regex, re.DOTALL), msgstr))
    found.sort(key=lambda item: -item[0])
    return tuple((pattern, msgstr) for _fixed, pattern, msgstr in found)


class Translator:
    def __init__(self, locale: str, locales_dir: Path = LOCALES_DIR):
        """``locales_dir``: a plugin keeps its own catalogues (e.g. ``ballots/locales``)."""
        self.locale = normalize_locale(locale)
        self._messages = _catalog(self.locale, locales_dir)
        self._locales_dir = locales_dir

    def gettext(self, message: str, **values) -> str:
        text = self._messages.get(message, message)
        return text.format(**values) if values else text

    def translate(self, text: str) -> str:
        """A message as a service raised it: a message id, or the English text of an id with
        ``{placeholders}`` filled in (e.g. "at most 1 of 3 subjects may be rated 优秀 (...)"), whose
        values are read back out and put into the translation. Anything else is returned as is."""
        if text in self._messages:
            return self._messages[text]
        for pattern, translation in _patterns(self.locale, self._locales_dir):
            match = pattern.fullmatch(text)
            if match:
                try:
                    return translation.format(**match.groupdict())
                except (KeyError, IndexError, ValueError):
                    continue
        return text

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.locale == "zh_CN" else "en"
