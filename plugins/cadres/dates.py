"""Dates as cadre files write them, and resident ID numbers (GB 11643) checked against a record.

``parse_date`` reads ``1984.09``, ``1984.9``, ``198409``, ``1984-09``, ``1984/09``,
``1984年9月``, ``1984年9月3日``, ``1984.09.03``, ``1984-09-03`` and ``19840903`` (full-width
digits and spaces allowed) into a ``ParsedDate``: the date (the first of the month when only
the month is known) and its precision. Anything else raises ``DateError`` whose ``message``
says why: ``1984.13`` (no month 13), ``1984.00``, ``1984.02.30`` (February 1984 has no day 30),
a year before 1900 or after 2100, or text that is not a date.

``check_id_number`` checks an ID number's form, province, birth date and check character
(and, when the record's are given, that its birth date and gender digit agree with the
record), and returns every problem found as a ``Message`` (empty when all is well).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from plugins.cadres.facts import FEMALE, MALE, Message

MIN_YEAR = 1900
MAX_YEAR = 2100

# --- messages (ids of plugins/cadres/locales; keep the placeholders) ----------------------------
EMPTY = "no date given"
NOT_A_DATE = "{value} is not a date such as 1984.09, 1984年9月 or 1984.09.03"
BAD_MONTH = "{value}: there is no month {month} (months are 1 to 12)"
BAD_DAY = "{value}: {year_month} has no day {day}"
BAD_YEAR = "{value}: the year {year} is not between 1900 and 2100"
ID_FORM = "{value} is not an ID number: it must be 18 characters, 17 digits and a digit or X"
ID_CHECK = "ID number {value}: the last character should be {expected}, not {found} (a digit mistyped?)"
ID_PROVINCE = "ID number {value}: its first two digits, {code}, name no province"
ID_BIRTH = "ID number {value}: the birth date it holds, {digits}, is not a date"
ID_BIRTH_DIFFERS = "ID number {value} says born {in_number}, the record says {in_record}"
ID_SAYS_MAN = "ID number {value}: its 17th digit, {digit}, is odd (a man), the record says a woman"
ID_SAYS_WOMAN = "ID number {value}: its 17th digit, {digit}, is even (a woman), the record says a man"
ID_OLD_FORM = "ID number {value} is a 15-digit number from before 1999; ask for the 18-digit one"

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－／Ｘｘ", "0123456789.-/XX")
_FORMS = (
    re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?"),
    re.compile(r"(\d{4})([.\-/])(\d{1,2})(?:\2(\d{1,2}))?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})?"),
)

# the first two digits of GB/T 2260 codes that name a province (71 Taiwan, 81/82 Hong Kong, Macao)
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class DateError(ValueError):
    """A date that could not be read; ``message`` says why (a ``Message``)."""

    def __init__(self, message: Message):
        super().__init__(message.text)
        self.message = message


@dataclass(frozen=True)
class ParsedDate:
    value: date
    precision: Literal["month", "day"]

    def __str__(self) -> str:
        return self.value.strftime("%Y.%m") if self.precision == "month" else self.value.strftime("%Y.%m.%d")


def _fail(msgid: str, **params) -> DateError:
    return DateError(Message(msgid, params))


def parse_date(text: str) -> ParsedDate:
    """Read a date as cadre files write it (see the module). Raises ``DateError``."""
    value = re.sub(r"\s+", "", (text or "").translate(_FULL_WIDTH))
    if not value:
        raise _fail(EMPTY)
    for number, form in enumerate(_FORMS):
        match = form.fullmatch(value)
        if match:
            if number == 1:
                year, month, day = match.group(1), match.group(3), match.group(4)
            else:
                year, month, day = match.group(1), match.group(2), match.group(3)
            return _checked(text.strip(), int(year), int(month), int(day) if day else None)
    raise _fail(NOT_A_DATE, value=text.strip())


def _checked(shown: str, year: int, month: int, day: int | None) -> ParsedDate:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _fail(BAD_YEAR, value=shown, year=year)
    if not 1 <= month <= 12:
        raise _fail(BAD_MONTH, value=shown, month=month)
    if day is None:
        return ParsedDate(date(year, month, 1), "month")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise _fail(BAD_DAY, value=shown, year_month=f"{year}-{month:02d}", day=day)
    return ParsedDate(date(year, month, day), "day")


def try_parse_date(text: str) -> tuple[ParsedDate | None, Message | None]:
    """``parse_date`` without raising: (date, None) or (None, why); empty text is (None, None)."""
    if not (text or "").strip():
        return None, None
    try:
        return parse_date(text), None
    except DateError as error:
        return None, error.message


def format_year_month(value: date | None) -> str:
    """``1984.09`` (how the appointment form writes a month); "" for None."""
    return value.strftime("%Y.%m") if value else ""


# --- ID numbers ----------------------------------------------------------------------------------


def id_check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s+", "", (value or "").translate(_FULL_WIDTH)).upper()


def id_birth_date(number: str) -> date | None:
    """The birth date an 18- (or 15-) digit ID number holds, or None when it holds none."""
    number = normalize_id_number(number)
    digits = number[6:14] if len(number) == 18 else "19" + number[6:12] if len(number) == 15 else ""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def id_gender(number: str) -> str | None:
    """``男`` (odd sequence digit) or ``女`` (even), or None when the number is malformed."""
    number = normalize_id_number(number)
    digit = number[16:17] if len(number) == 18 else number[14:15] if len(number) == 15 else ""
    if not digit.isdigit():
        return None
    return MALE if int(digit) % 2 else FEMALE


def check_id_number(
    value: str,
    *,
    birth_date: ParsedDate | date | None = None,
    gender: str | None = None,
    allow_old_form: bool = False,
) -> list[Message]:
    """Every problem of an ID number, as messages (empty when there is none): its form, its
    province digits, the birth date it holds, its check character, and, when the record's
    ``birth_date`` (compared to the month when the record knows only the month) and
    ``gender`` (``男``/``女``) are given, whether the number agrees with them. A 15-digit
    number (issued before 1999) is a problem unless ``allow_old_form``; it has no check
    character, its birth date and gender are still compared."""
    number = normalize_id_number(value)
    problems: list[Message] = []
    if re.fullmatch(r"\d{15}", number):
        if not allow_old_form:
            problems.append(Message(ID_OLD_FORM, {"value": number}))
        digits = "19" + number[6:12]
    elif re.fullmatch(r"\d{17}[\dX]", number):
        digits = number[6:14]
        expected = id_check_character(number[:17])
        if expected != number[17]:
            problems.append(Message(ID_CHECK, {"value": number, "expected": expected, "found": number[17]}))
    else:
        return [Message(ID_FORM, {"value": value.strip()})]
    if number[:2] not in PROVINCES:
        problems.append(Message(ID_PROVINCE, {"value": number, "code": number[:2]}))
    in_number = id_birth_date(number)
    if in_number is None:
        problems.append(Message(ID_BIRTH, {"value": number, "digits": digits}))
    elif birth_date is not None:
        precision = birth_date.precision if isinstance(birth_date, ParsedDate) else "day"
        record = birth_date.value if isinstance(birth_date, ParsedDate) else birth_date
        if precision == "month":
            if (in_number.year, in_number.month) != (record.year, record.month):
                problems.append(
                    Message(
                        ID_BIRTH_DIFFERS,
                        {
                            "value": number,
                            "in_number": in_number.strftime("%Y.%m"),
                            "in_record": record.strftime("%Y.%m"),
                        },
                    )
                )
        elif in_number != record:
            problems.append(
                Message(
                    ID_BIRTH_DIFFERS,
                    {
                        "value": number,
                        "in_number": in_number.strftime("%Y.%m.%d"),
                        "in_record": record.strftime("%Y.%m.%d"),
                    },
                )
            )
    if gender in (MALE, FEMALE):
        in_gender = id_gender(number)
        if in_gender != gender:
            digit = number[16] if len(number) == 18 else number[14]
            problems.append(
                Message(ID_SAYS_MAN if in_gender == MALE else ID_SAYS_WOMAN, {"value": number, "digit": digit})
            )
    return problems
