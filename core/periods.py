"""Periods: the one type for the time an indicator value or a campaign is about.

A ``Period`` is a day, an ISO week, a month, a quarter, a half-year or a year, written in one
canonical form each::

    2026-11-30   day        2026-Q4   quarter
    2026-W48     ISO week   2026-H2   half-year
    2026-11      month      2026      year

Stored periods (``indicator_values.period``, ``campaigns.period``) are always canonical, so two
periods are the same exactly when their text is. ``Period.parse`` reads what offices type and
what business systems and spreadsheets hold; anything else raises ``PeriodError``, whose
message (an English catalogue message id, translated by ``core.i18n``) names what was typed
and the accepted forms:

- text, after Unicode NFKC (full-width digits, letters, ``／`` and ``．``) and with spaces
  around words dropped: the canonical forms; ``2026/11/30``, ``2026.11.30``, ``20261130``,
  ``2026年11月30日`` (or 号); ``2026/11``, ``2026.11``, ``202611``, ``2026年11月`` (or 月份);
  ``2026Q4``, ``2026年Q4``, ``2026-4季度``, ``2026年四季度``, ``2026年第四季度``, ``2026年第4季``;
  ``2026H2``, ``2026年下半年``; ``2026W48``, ``2026年第48周``, ``2026 年 第 48 周``; ``2026年``,
  ``2026年度``; an ISO date-time (``2026-11-30T08:00:00Z``) is its written day.
  ``2026.1`` is refused as ambiguous (a spreadsheet shows October, 2026.10, as 2026.1).
- an ``int`` (or a whole ``float``/``Decimal``) is read as its digits: 2026 is a year, 202611 a
  month, 20261130 a day.
- a ``date``/``datetime`` is a day, unless ``number_format`` (the Excel number format of the
  cell it came from) shows no day: ``yyyy-mm`` or ``yyyy"年"m"月"`` make it a month, ``yyyy``
  a year (see ``excel_format_kind``).

Years run from 1900 to 2199 (the ISO year, for weeks).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import total_ordering
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

MIN_YEAR = 1900
MAX_YEAR = 2199


class PeriodKind(StrEnum):
    """The kinds of period, by the names the API and ``IndicatorTemplate.period_kind`` use."""

    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    half_year = "half_year"
    year = "year"


# Months in a period of each kind longer than a week.
_MONTHS = {PeriodKind.month: 1, PeriodKind.quarter: 3, PeriodKind.half_year: 6, PeriodKind.year: 12}

KIND_EXAMPLES: dict[PeriodKind, str] = {
    PeriodKind.day: "2026-11-30",
    PeriodKind.week: "2026-W48",
    PeriodKind.month: "2026-11",
    PeriodKind.quarter: "2026-Q4",
    PeriodKind.half_year: "2026-H2",
    PeriodKind.year: "2026",
}

# Message ids (core/locales/*/messages.po); ``value`` is what was given, quoted.
NOT_A_PERIOD = (
    "{value} is not a period; write a day 2026-11-30, a week 2026-W48, a month 2026-11, a quarter "
    "2026-Q4, a half-year 2026-H2 or a year 2026 (also 2026/11/30, 2026年11月, 2026年第四季度, "
    "2026年下半年, 2026年第48周)"
)
NO_SUCH_PERIOD = "{value} is not a period: no such day, week, month, quarter or half-year exists"
AMBIGUOUS_PERIOD = "{value} is ambiguous (January or October?); write {year}-01 or {year}-10"
YEAR_OUT_OF_RANGE = "{value} is not a period: the year must be between 1900 and 2199"
EMPTY_PERIOD = "no period given; write one such as 2026, 2026-Q4 or 2026-11"


class PeriodError(ValueError):
    """A value that is not a period. ``message`` is the English text (a catalogue message id
    with its placeholders filled in); ``value`` what was given."""

    def __init__(self, template: str, value: Any, **extra: Any):
        self.value = value
        self.message = template.format(value=_shown(value), **extra)
        super().__init__(self.message)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return repr(text[:50] + ("…" if len(text) > 50 else ""))


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """One period: its ``kind`` and its first day ``start``.

    Build one with ``Period.parse``, ``Period.from_date`` or ``Period.of``, not the constructor.
    ``str(period)`` is the canonical form. Periods are ordered by start day, then end day (so
    the day 2026-01-01 comes before the month 2026-01, which comes before the year 2026); equal
    periods have the same kind and start. Hashable, immutable.
    """

    kind: PeriodKind
    start: date

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def of(cls, kind: PeriodKind | str, year: int, number: int = 1) -> Period:
        """The ``number``-th period of ``kind`` in ``year`` (a day: the day of the year; a
        week: the ISO week; a month: 1-12; a quarter: 1-4; a half-year: 1-2; a year: 1).

        ``Period.of("quarter", 2026, 4)`` → 2026-Q4. Raises ``PeriodError`` if there is none
        (``Period.of("week", 2025, 53)``) or the year is outside 1900-2199; ``ValueError`` for
        an unknown kind."""
        kind = PeriodKind(kind)
        shown = f"{kind.value} {number} of {year}"
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise PeriodError(YEAR_OUT_OF_RANGE, shown)
        try:
            if kind is PeriodKind.day:
                if number < 1:
                    raise ValueError
                start = date(year, 1, 1) + timedelta(days=number - 1)
                if start.year != year:
                    raise ValueError
            elif kind is PeriodKind.week:
                start = date.fromisocalendar(year, number, 1)
            else:
                months = _MONTHS[kind]
                if not 1 <= number <= 12 // months:
                    raise ValueError
                start = date(year, (number - 1) * months + 1, 1)
        except ValueError:
            raise PeriodError(NO_SUCH_PERIOD, shown) from None
        return cls(kind, start)

    @classmethod
    def from_date(cls, kind: PeriodKind | str, day: date) -> Period:
        """The period of ``kind`` that contains ``day`` (a ``datetime`` counts as its date, as
        written: convert it to the right time zone first).

        ``Period.from_date("week", date(2026, 11, 30))`` → 2026-W49. Raises ``PeriodError`` when
        the (ISO) year is outside 1900-2199, ``ValueError`` for an unknown kind."""
        kind = PeriodKind(kind)
        if isinstance(day, datetime):
            day = day.date()
        if kind is PeriodKind.week:
            iso_year, week, _weekday = day.isocalendar()
            return cls.of(kind, iso_year, week)
        if kind is PeriodKind.day:
            return cls.of(kind, day.year, day.timetuple().tm_yday)
        months = _MONTHS[kind]
        return cls.of(kind, day.year, (day.month - 1) // months + 1)

    @classmethod
    def parse(cls, value: Any, *, number_format: str | None = None) -> Period:
        """A period from what was typed or stored (see the module docstring for every form).

        ``Period.parse("2026年第四季度")`` → 2026-Q4; ``Period.parse(datetime(2026, 11, 1),
        number_format="yyyy-mm")`` → 2026-11; ``Period.parse(2026)`` → 2026. A ``Period`` is
        returned as is. Raises ``PeriodError`` (a ``ValueError``) for anything else, naming the
        value and the accepted forms."""
        if isinstance(value, Period):
            return value
        if isinstance(value, (date, datetime)):
            kind = excel_format_kind(number_format) if number_format else PeriodKind.day
            return cls.from_date(kind, value)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise PeriodError(EMPTY_PERIOD, "")
        if isinstance(value, bool):
            raise PeriodError(NOT_A_PERIOD, value)
        if isinstance(value, (float, Decimal)):
            if value != value or value in (float("inf"), float("-inf")) or value != int(value):
                raise PeriodError(NOT_A_PERIOD, value)
            value = int(value)
        if isinstance(value, int):
            if value < 0:
                raise PeriodError(NOT_A_PERIOD, value)
            return _parse_text(str(value), value)
        if isinstance(value, str):
            return _parse_text(value, value)
        raise PeriodError(NOT_A_PERIOD, value)

    # --- what it is ---------------------------------------------------------------------------

    @property
    def year(self) -> int:
        """The year it belongs to (the ISO year, for a week)."""
        return self.start.isocalendar()[0] if self.kind is PeriodKind.week else self.start.year

    @property
    def end(self) -> date:
        """Its last day (inclusive)."""
        if self.kind is PeriodKind.day:
            return self.start
        if self.kind is PeriodKind.week:
            return self.start + timedelta(days=6)
        months = _MONTHS[self.kind]
        month = self.start.month + months
        year = self.start.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        """Whether ``day`` (a ``datetime``: its date as written) falls in this period."""
        if isinstance(day, datetime):
            day = day.date()
        return self.start <= day <= self.end

    def __str__(self) -> str:
        start = self.start
        if self.kind is PeriodKind.day:
            return start.isoformat()
        if self.kind is PeriodKind.week:
            iso_year, week, _weekday = start.isocalendar()
            return f"{iso_year}-W{week:02d}"
        if self.kind is PeriodKind.month:
            return f"{start.year}-{start.month:02d}"
        if self.kind is PeriodKind.quarter:
            return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.half_year:
            return f"{start.year}-H{(start.month - 1) // 6 + 1}"
        return f"{start.year}"

    def __repr__(self) -> str:
        return f"Period({str(self)!r})"

    def _key(self) -> tuple[date, date]:
        return self.start, self.end

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()


# --- reading text ------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_SEP = r"(?:[-/.]|年)?"
_PATTERNS: list[tuple[PeriodKind, re.Pattern[str]]] = [
    (PeriodKind.year, re.compile(r"(?P<y>\d{4})(?:年(?:度|全年)?)?")),
    (PeriodKind.day, re.compile(r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<n>\d{1,2})")),
    (PeriodKind.day, re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<n>\d{2})")),
    (PeriodKind.day, re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<n>\d{1,2})[日号]?")),
    (
        PeriodKind.day,
        re.compile(
            r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<n>\d{2})"
            r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
        ),
    ),
    (PeriodKind.month, re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})")),
    (PeriodKind.month, re.compile(r"(?P<y>\d{4})(?P<m>\d{2})")),
    (PeriodKind.month, re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月份?")),
    (PeriodKind.quarter, re.compile(_SEP.join([r"(?P<y>\d{4})", r"(?:Q(?P<n>\d)|第?(?P<c>\d|[一二三四])季度?)"]))),
    (PeriodKind.half_year, re.compile(_SEP.join([r"(?P<y>\d{4})", r"(?:H(?P<n>\d)|(?P<c>[上下])半年度?)"]))),
    (PeriodKind.week, re.compile(_SEP.join([r"(?P<y>\d{4})", r"(?:W(?P<n>\d{1,2})|第?(?P<c>\d{1,2})周)"]))),
]


_CN_NUMERAL = re.compile(r"[〇零一二两三四五六七八九十]+")
_CN_VALUES = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _arabic(match: re.Match[str]) -> str:
    """Chinese numerals as digits: "十三" 13, "二十" 20, "四十八" 48 (tens with 十); "二〇二六" 2026
    (digit by digit, as years are written). Anything else (e.g. "十十") is left as it is, and fails."""
    text = match.group(0)
    if "十" not in text:
        return "".join(str(_CN_VALUES[c]) for c in text)
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones or tens in ("〇", "零") or ones in ("〇", "零"):
        return text
    return str((_CN_VALUES[tens] if tens else 1) * 10 + (_CN_VALUES[ones] if ones else 0))


def _normalized(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).strip().upper()
    text = _CN_NUMERAL.sub(_arabic, text)  # "2026年第十三周", "二〇二六年十一月"
    # Spaces next to anything but a digit go ("2026 年 第 48 周"); between digits they stay, and
    # fail, except the one of an ISO date-time ("2026-11-30 08:00").
    text = re.sub(r"\s*([^\d\s])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text)


def _parse_text(text: str, given: Any) -> Period:
    normalized = _normalized(text)
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(normalized)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["y"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise PeriodError(YEAR_OUT_OF_RANGE, given)
        if kind is PeriodKind.month and re.fullmatch(r"\d{4}\.1", normalized):
            raise PeriodError(AMBIGUOUS_PERIOD, given, year=year)
        try:
            if kind is PeriodKind.day:
                if ":" in normalized:  # a date-time: its time must exist too
                    datetime.fromisoformat(normalized.replace(" ", "T"))
                return Period(kind, date(year, int(parts["m"]), int(parts["n"])))
            if kind is PeriodKind.month:
                return Period.of(kind, year, int(parts["m"]))
            if kind is PeriodKind.year:
                return Period.of(kind, year)
            number = parts.get("n") or parts.get("c")
            number = {"上": 1, "下": 2, **_CN_DIGITS}.get(number) or int(number)
            return Period.of(kind, year, number)
        except (ValueError, PeriodError):
            raise PeriodError(NO_SUCH_PERIOD, given) from None
    raise PeriodError(NOT_A_PERIOD, given)


# --- Excel -------------------------------------------------------------------------------------

_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')


def excel_format_kind(number_format: str | None) -> PeriodKind:
    """The kind of period a date cell shows under an Excel number format: ``day`` when it
    shows a day or a time (``yyyy-mm-dd``, ``m/d/yy``, ``yyyy"年"m"月"d"日"``, ``aaaa``), ``month``
    when it shows a month but no day (``yyyy-mm``, ``mmm-yy``, ``yyyy"年"m"月"``, ``m"月"``),
    ``year`` when only the year (``yyyy``, ``yyyy"年"``). Quoted text, escaped characters,
    ``[...]`` sections (locale, colour) and any section after the first ``;`` are ignored; no
    format at all (or ``General``) is ``day``."""
    if not number_format:
        return PeriodKind.day
    tokens = _FORMAT_NOISE.sub("", number_format.split(";")[0]).lower()
    if tokens.strip() in ("", "general", "@"):
        return PeriodKind.day
    if any(token in tokens for token in ("d", "h", "s", "a")):
        return PeriodKind.day
    if "m" in tokens:
        return PeriodKind.month
    if "y" in tokens or "e" in tokens:
        return PeriodKind.year
    return PeriodKind.day


def excel_cell_value(value: Any, number_format: str | None) -> Any:
    """A spreadsheet cell's value with a date that its format shows as a month or a year made
    into that period's canonical text (``2026-11``, ``2026``); everything else unchanged."""
    if isinstance(value, (date, datetime)) and number_format:
        kind = excel_format_kind(number_format)
        if kind is not PeriodKind.day:
            try:
                return str(Period.from_date(kind, value))
            except PeriodError:
                return value
    return value


# --- schemas -----------------------------------------------------------------------------------


def _validate(value: Any) -> Period:
    try:
        return Period.parse(value)
    except PeriodError as exc:
        # A custom error keeps the message as is (a ValueError would get "Value error, " before it).
        raise PydanticCustomError("period", "{message}", {"message": exc.message}) from None


def _validate_optional(value: Any) -> Period | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _validate(value)


_SCHEMA = {
    "type": ["string", "integer"],
    "examples": list(KIND_EXAMPLES.values()),
    "description": "A period: a day 2026-11-30, an ISO week 2026-W48, a month 2026-11, a quarter 2026-Q4, "
    "a half-year 2026-H2 or a year 2026 (also typed forms such as 2026年第四季度, and "
    "numbers: 2026 a year, 202611 a month); answered in the canonical form",
}

PeriodField = Annotated[
    Period, PlainValidator(_validate), PlainSerializer(str, return_type=str), WithJsonSchema(_SCHEMA)
]
"""A schema field holding a ``Period``: parses any accepted form, serialises canonically;
a bad value fails validation with type ``period`` and the ``PeriodError`` message."""

OptionalPeriodField = Annotated[
    Period | None,
    PlainValidator(_validate_optional),
    PlainSerializer(lambda p: str(p) if p is not None else "", return_type=str),
    WithJsonSchema(
        {
            **_SCHEMA,
            "type": ["string", "integer", "null"],
            "description": _SCHEMA["description"] + "; empty or null for none",
        }
    ),
]
"""Like ``PeriodField``, but ``""``/``null`` (or spaces) are no period (``None``), serialised as ``""``."""


def canonical(value: Any) -> str:
    """``str(Period.parse(value))``: the canonical text of any accepted form; ``PeriodError`` otherwise."""
    return str(Period.parse(value))
