"""Message catalogues (Babel ``.po`` files under ``core/locales``), zh-CN first.

Message ids are English; ``zh_CN`` translates them, ``en`` shows the id itself. Catalogues
are read with Babel at start-up, so no compile step is needed. A translator may read several
catalogues (a plugin's own, e.g. ``ballots/locales``, then the core's); the first that has a
message wins.

Catalogues never leak between plugins: a text reads the core's catalogue and, if it belongs to
a plugin, that plugin's only (``catalogues``); another plugin's translation of the same msgid
(goals' "Note" 说明) never shows on it. ``translator`` hands out one shared, cached translator a
(locale, catalogues, time zone), and ``Translator.of(plugin)`` the one for a plugin's messages
shown on someone else's page (a plugin's options on the core's form, a notification).

Values put into messages are formatted for the language: a datetime in the locality's time
zone (``KAOPING_TIMEZONE``), "2026年12月1日 09:00" in Chinese, "December 1, 2026, 09:00" in
English; a date as a day, "12月1日", "Dec 1" (with its year when not this year's). A service error carries its message id and values apart (``ServiceError.params``),
so ``Translator.error`` translates the id and formats the values. Extract new strings with
``pybabel extract -F babel.cfg -o core/locales/messages.pot .`` and update with
``pybabel update -i core/locales/messages.pot -d core/locales``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, get_datetime_format
from babel.lists import format_list
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED_LOCALES = ("zh_CN", "en")
DEFAULT_TIMEZONE = "Asia/Shanghai"  # as core.settings.Settings.timezone
# A message with values is read back out of a service's English text only when its fixed text
# is at least this long; shorter ones are translated only where a page asks for them by id.
MIN_PATTERN_TEXT = 10


@cache
def _catalog(locale: str, locales_dir: Path = LOCALES_DIR) -> dict[str, str]:
    """Every catalogue (Babel domain) of a locale in one directory: ``messages.po`` first, then
    the others (e.g. ``campaigns.po``, one per console area) in name order; the first wins."""
    folder = locales_dir / locale / "LC_MESSAGES"
    paths = sorted(folder.glob("*.po"), key=lambda path: (path.name != "messages.po", path.name))
    found: dict[str, str] = {}
    for path in reversed(paths):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        found.update({str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy})
    return found


def normalize_locale(value: str | None) -> str:
    if not value:
        return DEFAULT_LOCALE
    value = value.replace("-", "_")
    if value.lower().startswith("en"):
        return "en"
    if value.lower().startswith("zh"):
        return "zh_CN"
    return DEFAULT_LOCALE


def locale_from_accept_language(header: str | None) -> str | None:
    """The supported locale an ``Accept-Language`` header prefers most, or None (no header, or
    only languages this platform does not speak)."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        for parameter in rest.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip().lower()
        if quality > 0 and (
            tag == "en" or tag.startswith(("en-", "en_")) or tag == "zh" or tag.startswith(("zh-", "zh_"))
        ):
            ranked.append((-quality, position, normalize_locale(tag)))
    return min(ranked)[2] if ranked else None


@cache
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
        if (
            not names
            or any(not n.isidentifier() for n in names)
            or any(spec or conversion for _l, name, spec, conversion in parts if name is not None)
        ):
            continue
        regex, seen, fixed = "", set(), 0
        for literal, name, _spec, _conversion in parts:
            regex, fixed = regex + re.escape(literal), fixed + len(literal)
            if name is not None:
                regex += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
                seen.add(name)
        if fixed < MIN_PATTERN_TEXT:  # "{rank} of {n}" would read any text with " of " in it
            continue
        found.append((fixed, re.compile(regex, re.DOTALL), msgstr))
    found.sort(key=lambda item: -item[0])
    return tuple((pattern, msgstr) for _fixed, pattern, msgstr in found)


@cache
def _merged(locale: str, locales_dirs: tuple[Path, ...]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for directory in reversed(locales_dirs):  # the first catalogue wins
        merged.update(_catalog(locale, directory))
    return merged


def catalogues(plugin: str | None) -> tuple[Path, ...]:
    """The catalogues a text of ``plugin`` reads: the plugin's own (if it has any), then the
    core's; the core's alone for the core (``None``) or a plugin without a catalogue."""
    if not plugin:
        return (LOCALES_DIR,)
    from core.plugins import plugin_locales_dirs

    own = plugin_locales_dirs().get(plugin)
    return (own, LOCALES_DIR) if own is not None else (LOCALES_DIR,)


@lru_cache(maxsize=1024)
def translator(
    locale: str | None, locales_dirs: tuple[Path, ...] = (LOCALES_DIR,), timezone: str = DEFAULT_TIMEZONE
) -> Translator:
    """The shared translator of a (locale, catalogues, time zone): built once, then a dict
    look-up. Do not change what it hands out (``timezone`` is part of the key)."""
    return Translator(normalize_locale(locale), locales_dirs, timezone=timezone)


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class Translator:
    def __init__(
        self, locale: str, locales_dir: Path | Sequence[Path] = LOCALES_DIR, *, timezone: str = DEFAULT_TIMEZONE
    ):
        """``locales_dir``: a plugin keeps its own catalogues (e.g. ``ballots/locales``); several
        are read in order. ``timezone``: where the reader is (``settings.timezone``)."""
        self.locale = normalize_locale(locale)
        self._locales_dirs = (locales_dir,) if isinstance(locales_dir, Path) else tuple(locales_dir)
        self._messages = _merged(self.locale, self._locales_dirs)
        self._timezone = timezone

    @property
    def timezone(self) -> str:
        """Where the reader is. Read-only: translators are shared (``translator``); ask for the
        one of another zone instead of changing this one."""
        return self._timezone

    def gettext(self, message: str, **values) -> str:
        text = self._messages.get(message, message)
        if not values:
            return text
        formatted = {name: self.value(value) for name, value in values.items()}
        try:
            return text.format(**formatted)
        except (KeyError, IndexError, ValueError):  # a translation naming other values: the id
            return message.format(**formatted)

    def of(self, plugin: str | None) -> Translator:
        """This reader's translator for the messages of ``plugin`` (its catalogue, then the
        core's; the core's alone for ``None`` or a plugin without one): for a plugin's texts
        shown on a page that is not the plugin's own."""
        return translator(self.locale, catalogues(plugin), self.timezone)

    def value(self, value: Any) -> Any:
        """A value as it is put into a message: datetimes and dates localised, ``Choices``
        translated and joined ("A, B, or C"), anything else as it is."""
        from core.services.errors import Choices

        if isinstance(value, Choices):
            babel_locale = "zh_Hans_CN" if self.locale == "zh_CN" else self.locale
            return format_list([self.gettext(choice) for choice in value], style="or", locale=babel_locale)
        if isinstance(value, datetime):
            return self.datetime(value)
        return self.date(value) if isinstance(value, date) else value

    def date(self, value: date | None) -> str:
        """A calendar day in the reader's language, Babel's skeleton ``MMMd`` ("12月1日", "Dec 1"),
        or ``yMMMd`` for a day of another year than the current one in the reader's time zone
        ("2025年12月1日", "Dec 1, 2025")."""
        if value is None:
            return ""
        babel_locale = "zh_Hans_CN" if self.locale == "zh_CN" else self.locale
        this_year = datetime.now(_zone(self.timezone)).year
        return format_skeleton("MMMd" if value.year == this_year else "yMMMd", value, locale=babel_locale)

    def datetime(self, value: datetime | None) -> str:
        """Date and time (to the minute) in the reader's time zone and language:
        "2026年12月1日 09:00", "December 1, 2026, 09:00". Naive values are UTC (as SQLite returns them)."""
        if value is None:
            return ""
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        local = value.astimezone(_zone(self.timezone))
        babel_locale = "zh_Hans_CN" if self.locale == "zh_CN" else self.locale
        date = format_skeleton("yMMMMd", local, locale=babel_locale)
        time = format_skeleton("Hm", local, locale=babel_locale)
        return get_datetime_format("medium", locale=babel_locale).replace("{1}", date).replace("{0}", time)

    def error(self, exc: Any) -> str:
        """A service error's message for this reader: its id translated and its values
        (``exc.params``) formatted; an error without values as ``translate`` reads it."""
        params = getattr(exc, "params", None)
        if params:
            return self.gettext(getattr(exc, "msgid", exc.message), **params)
        return self.translate(exc.message)

    def translate(self, text: str) -> str:
        """A message as a service raised it: a message id, or the English text of an id with
        ``{placeholders}`` filled in (e.g. "at most 1 of 3 subjects may be rated 优秀 (...)"), whose
        values are read back out and put into the translation. Anything else is returned as is."""
        if text in self._messages:
            return self._messages[text]
        for directory in self._locales_dirs:
            for pattern, translation in _patterns(self.locale, directory):
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
