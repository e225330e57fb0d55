"""Periods: what offices type and spreadsheets hold becomes one canonical period, anything else
is refused naming what was typed and the accepted forms."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from core.i18n import Translator
from core.periods import (
    KIND_EXAMPLES,
    MAX_YEAR,
    MIN_YEAR,
    OptionalPeriodField,
    Period,
    PeriodError,
    PeriodField,
    PeriodKind,
    canonical,
    excel_cell_value,
    excel_format_kind,
)

TYPED = {
    # canonical
    "2026-11-30": "2026-11-30",
    "2026-W48": "2026-W48",
    "2026-11": "2026-11",
    "2026-Q4": "2026-Q4",
    "2026-H2": "2026-H2",
    "2026": "2026",
    # days
    "2026/11/30": "2026-11-30",
    "2026.11.30": "2026-11-30",
    "20261130": "2026-11-30",
    "2026-1-5": "2026-01-05",
    "2026年11月30日": "2026-11-30",
    "2026年11月30号": "2026-11-30",
    "2026-11-30T08:15:00+08:00": "2026-11-30",
    "2026-11-30 08:15": "2026-11-30",
    "2026-11-30T23:59:59Z": "2026-11-30",
    # months
    "2026年11月": "2026-11",
    "2026/11": "2026-11",
    "2026.11": "2026-11",
    "2026-3": "2026-03",
    "202611": "2026-11",
    "2026年3月份": "2026-03",
    "2026.2": "2026-02",
    # quarters
    "2026年第四季度": "2026-Q4",
    "2026年四季度": "2026-Q4",
    "2026-4季度": "2026-Q4",
    "2026Q4": "2026-Q4",
    "2026q4": "2026-Q4",
    "2026年Q1": "2026-Q1",
    "2026年第1季度": "2026-Q1",
    "2026年一季度": "2026-Q1",
    "2026年第二季": "2026-Q2",
    "2026 Q3": "2026-Q3",
    # Chinese numerals, as offices write them out
    "2026年第十三周": "2026-W13",
    "2026年第四十八周": "2026-W48",
    "2026年第二十周": "2026-W20",
    "2026年十一月": "2026-11",
    "2026年十二月份": "2026-12",
    "2026年十一月三十日": "2026-11-30",
    "二〇二六年十一月": "2026-11",
    "二〇二六年": "2026",
    "2026年第五周": "2026-W05",
    # half-years
    "2026年下半年": "2026-H2",
    "2026年上半年": "2026-H1",
    "2026H1": "2026-H1",
    "2026-h2": "2026-H2",
    "2026下半年": "2026-H2",
    # weeks
    "2026 年 第 48 周": "2026-W48",
    "2026年第48周": "2026-W48",
    "2026W48": "2026-W48",
    "2026-w5": "2026-W05",
    "2026年48周": "2026-W48",
    "2020-W53": "2020-W53",
    # years
    "2026年": "2026",
    "2026年度": "2026",
    "2026年全年": "2026",
    # full-width (a Chinese input method in 全角 mode), other dashes, spaces around
    "２０２６年１１月": "2026-11",
    "２０２６－Ｑ４": "2026-Q4",
    "２０２６／１１／３０": "2026-11-30",
    "2026–11": "2026-11",
    "2026—W48": "2026-W48",
    " 2026 - 11 ": "2026-11",
    "\u30002026年\u3000第四季度\u3000": "2026-Q4",
}


@pytest.mark.parametrize("typed, expected", sorted(TYPED.items()))
def test_what_offices_type_becomes_the_canonical_period(typed, expected):
    period = Period.parse(typed)
    assert str(period) == expected
    assert canonical(typed) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (2026, "2026"),
        (202611, "2026-11"),
        (20261130, "2026-11-30"),
        (2026.0, "2026"),
        (Decimal("2026"), "2026"),
        (date(2026, 11, 30), "2026-11-30"),
        (datetime(2026, 11, 30, 23, 59), "2026-11-30"),
    ],
)
def test_numbers_and_dates_from_business_systems(value, expected):
    assert str(Period.parse(value)) == expected


REFUSED = {
    "2026-13": "no such",
    "2026-00": "no such",
    "2026-02-30": "no such",
    "2025-W53": "no such",
    "2026-W00": "no such",
    "2026-Q5": "no such",
    "2026-Q0": "no such",
    "2026-H3": "no such",
    "2026-11-30 25:00": "no such",
    "2026年第五季度": "no such",
    "2026年十十月": "not a period;",
    "1899": "between 1900 and 2199",
    "2200-01": "between 1900 and 2199",
    "x": "not a period;",
    "2026 11": "not a period;",
    "26-11": "not a period;",
    "11/30/2026": "not a period;",
    "2026-11-30-1": "not a period;",
    "Q4 2026": "not a period;",
    "2026.1": "ambiguous",
    "2026年11月30日下午": "not a period;",
    "2026年第五十四周": "no such",
    "": "no period given",
    "   ": "no period given",
}


@pytest.mark.parametrize("typed, reason", sorted(REFUSED.items()))
def test_anything_else_is_refused_naming_what_was_typed(typed, reason):
    with pytest.raises(PeriodError) as raised:
        Period.parse(typed)
    message = raised.value.message
    assert reason in message
    if typed.strip():
        assert repr(typed) in message
    if reason == "not a period;":  # the accepted forms are listed
        for example in KIND_EXAMPLES.values():
            assert example in message
        assert "2026年第四季度" in message and "2026年下半年" in message


@pytest.mark.parametrize(
    "value", [None, True, False, 2026.5, float("nan"), float("inf"), -2026, 12, [2026], {"year": 2026}, b"2026"]
)
def test_values_of_other_types_are_refused(value):
    with pytest.raises(PeriodError):
        Period.parse(value)


def test_the_ambiguous_dot_form_says_what_to_write():
    with pytest.raises(PeriodError, match=r"write 2026-01 or 2026-10"):
        Period.parse("2026.1")


def test_a_very_long_value_is_shortened_in_the_message():
    with pytest.raises(PeriodError) as raised:
        Period.parse("2026" * 100)
    assert len(raised.value.message) < 400


def test_messages_are_translated():
    zh = Translator("zh_CN")
    with pytest.raises(PeriodError) as raised:
        Period.parse("2026年13月")
    assert zh.translate(raised.value.message) == "'2026年13月' 不是有效的期间：没有这样的日、周、月、季度或半年"
    with pytest.raises(PeriodError) as raised:
        Period.parse("下个月")
    assert zh.translate(raised.value.message).startswith("'下个月' 不是有效的期间；请写成日 2026-11-30")
    with pytest.raises(PeriodError) as raised:
        Period.parse("2026.1")
    assert zh.translate(raised.value.message) == "'2026.1' 有歧义（1 月还是 10 月？）；请写成 2026-01 或 2026-10"
    assert Translator("en").translate(raised.value.message) == raised.value.message


# --- Excel -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number_format, kind",
    [
        ("yyyy-mm", "month"),
        ('yyyy"年"m"月"', "month"),
        ("mmm-yy", "month"),
        ("yyyy/mm", "month"),
        ('[$-804]yyyy"年"m"月";@', "month"),
        ("m月", "month"),
        (r"yyyy\-mm", "month"),
        ('m"月"', "month"),
        ("yyyy", "year"),
        ('yyyy"年"', "year"),
        ("e", "year"),
        ("yyyy-mm-dd", "day"),
        ("m/d/yy", "day"),
        ('yyyy"年"m"月"d"日"', "day"),
        ("yyyy-mm-dd hh:mm:ss", "day"),
        ("h:mm AM/PM", "day"),
        ("d-mmm", "day"),
        ("aaaa", "day"),
        ("General", "day"),
        ("", "day"),
        (None, "day"),
        ('[Red]"day "yyyy-mm', "month"),
    ],
)
def test_the_excel_number_format_says_what_a_date_cell_means(number_format, kind):
    assert excel_format_kind(number_format) == kind


def test_a_month_formatted_date_cell_is_a_month_not_a_day():
    """What openpyxl gives for a real workbook: a datetime, and the cell's number format."""
    from openpyxl import Workbook, load_workbook

    workbook = Workbook()
    sheet = workbook.active
    formats = ["yyyy-mm", 'yyyy"年"m"月"', "yyyy-mm-dd", "yyyy", "mmm-yy"]
    for column, number_format in enumerate(formats, start=1):
        cell = sheet.cell(row=1, column=column, value=datetime(2026, 11, 1))
        cell.number_format = number_format
    sheet.cell(row=1, column=len(formats) + 1, value=2026)
    out = io.BytesIO()
    workbook.save(out)
    read = load_workbook(io.BytesIO(out.getvalue()), read_only=True, data_only=True)
    cells = next(read.active.iter_rows())
    periods = [str(Period.parse(cell.value, number_format=cell.number_format)) for cell in cells]
    assert periods == ["2026-11", "2026-11", "2026-11-01", "2026", "2026-11", "2026"]
    assert [excel_cell_value(cell.value, cell.number_format) for cell in cells[:4]] == [
        "2026-11",
        "2026-11",
        datetime(2026, 11, 1),
        "2026",
    ]
    read.close()


# --- operations ----------------------------------------------------------------------------------


def test_kind_start_end_and_contains():
    cases = {
        "2026-11-30": (PeriodKind.day, date(2026, 11, 30), date(2026, 11, 30)),
        "2026-W48": (PeriodKind.week, date(2026, 11, 23), date(2026, 11, 29)),
        "2025-W53": None,
        "2026-W53": (PeriodKind.week, date(2026, 12, 28), date(2027, 1, 3)),
        "2020-W53": (PeriodKind.week, date(2020, 12, 28), date(2021, 1, 3)),
        "2027-W01": (PeriodKind.week, date(2027, 1, 4), date(2027, 1, 10)),
        "2026-02": (PeriodKind.month, date(2026, 2, 1), date(2026, 2, 28)),
        "2028-02": (PeriodKind.month, date(2028, 2, 1), date(2028, 2, 29)),
        "2026-12": (PeriodKind.month, date(2026, 12, 1), date(2026, 12, 31)),
        "2026-Q4": (PeriodKind.quarter, date(2026, 10, 1), date(2026, 12, 31)),
        "2026-Q1": (PeriodKind.quarter, date(2026, 1, 1), date(2026, 3, 31)),
        "2026-H1": (PeriodKind.half_year, date(2026, 1, 1), date(2026, 6, 30)),
        "2026-H2": (PeriodKind.half_year, date(2026, 7, 1), date(2026, 12, 31)),
        "2026": (PeriodKind.year, date(2026, 1, 1), date(2026, 12, 31)),
    }
    for text, expected in cases.items():
        if expected is None:
            with pytest.raises(PeriodError):
                Period.parse(text)
            continue
        period = Period.parse(text)
        assert (period.kind, period.start, period.end) == expected, text
        assert period.contains(period.start) and period.contains(period.end)
        assert not period.contains(period.start - timedelta(days=1))
        assert not period.contains(period.end + timedelta(days=1))
        assert period.contains(datetime.combine(period.end, datetime.max.time()))


def test_from_date_and_of():
    day = date(2026, 11, 30)
    assert [str(Period.from_date(kind, day)) for kind in PeriodKind] == [
        "2026-11-30",
        "2026-W49",
        "2026-11",
        "2026-Q4",
        "2026-H2",
        "2026",
    ]
    assert str(Period.from_date("week", date(2027, 1, 1))) == "2026-W53"  # an ISO week of the year before
    assert str(Period.from_date("month", datetime(2026, 1, 31, 23, 0))) == "2026-01"
    assert str(Period.of("quarter", 2026, 4)) == "2026-Q4"
    assert str(Period.of("day", 2026, 365)) == "2026-12-31"
    assert Period.from_date("week", date(2027, 1, 1)).year == 2026
    for kind, year, number in [
        ("day", 2026, 366),
        ("day", 2026, 0),
        ("week", 2026, 54),
        ("month", 2026, 13),
        ("quarter", 2026, 0),
        ("half_year", 2026, 3),
        ("year", 2026, 2),
    ]:
        with pytest.raises(PeriodError):
            Period.of(kind, year, number)
    with pytest.raises(PeriodError, match="between 1900 and 2199"):
        Period.from_date("year", date(1800, 1, 1))
    with pytest.raises(ValueError):
        Period.of("decade", 2026)


def test_ordering_equality_and_hashing():
    texts = ["2026", "2026-01", "2026-01-01", "2026-W01", "2025-12-31", "2026-Q1", "2026-H1", "2025"]
    ordered = [str(p) for p in sorted(Period.parse(t) for t in texts)]
    # 2026-W01 starts on 2025-12-29
    assert ordered == ["2025", "2026-W01", "2025-12-31", "2026-01-01", "2026-01", "2026-Q1", "2026-H1", "2026"]
    assert Period.parse("2026年第四季度") == Period.parse("2026-Q4")
    assert len({Period.parse("2026年11月"), Period.parse("2026/11"), Period.parse("2026-11")}) == 1
    assert Period.parse("2026-11") != Period.parse("2026-11-01")
    assert Period.parse("2026-Q4") < Period.parse("2027-Q1") <= Period.parse("2027-Q1")
    assert repr(Period.parse("2026-Q4")) == "Period('2026-Q4')"
    assert Period.parse(Period.parse("2026")) == Period.parse("2026")


# --- schemas -------------------------------------------------------------------------------------


class Row(BaseModel):
    period: PeriodField
    maybe: OptionalPeriodField = None


def test_a_schema_field_parses_and_answers_canonically():
    row = Row.model_validate({"period": "2026年第四季度", "maybe": "２０２６年１１月"})
    assert row.period == Period.parse("2026-Q4")
    assert row.model_dump() == {"period": "2026-Q4", "maybe": "2026-11"}
    assert Row.model_validate({"period": 2026, "maybe": ""}).model_dump_json() == '{"period":"2026","maybe":""}'
    assert Row.model_validate({"period": "2026", "maybe": None}).maybe is None
    schema = Row.model_json_schema()["properties"]["period"]
    assert schema["type"] == ["string", "integer"] and "2026-Q4" in schema["examples"]  # 2026, 202611 are read too


def test_a_schema_field_refuses_with_the_field_path_and_the_message():
    with pytest.raises(ValidationError) as raised:
        Row.model_validate({"period": "2026-13"})
    [error] = raised.value.errors()
    assert error["loc"] == ("period",) and error["type"] == "period"
    assert error["msg"] == "'2026-13' is not a period: no such day, week, month, quarter or half-year exists"
    with pytest.raises(ValidationError) as raised:
        Row.model_validate({"period": "2026", "maybe": "{x}"})
    assert raised.value.errors()[0]["loc"] == ("maybe",)
    assert "'{x}' is not a period" in raised.value.errors()[0]["msg"]


# --- properties ----------------------------------------------------------------------------------

days = st.dates(min_value=date(MIN_YEAR, 1, 8), max_value=date(MAX_YEAR, 12, 24))
# with room for the period before and after
inner_days = st.dates(min_value=date(MIN_YEAR + 1, 1, 1), max_value=date(MAX_YEAR - 1, 12, 31))
kinds = st.sampled_from(list(PeriodKind))
periods = st.builds(Period.from_date, kinds, days)
CN = {1: "一", 2: "二", 3: "三", 4: "四"}


@given(periods)
def test_canonical_text_parses_back_to_the_same_period(period):
    text = str(period)
    again = Period.parse(text)
    assert again == period and str(again) == text and again.kind is period.kind


@given(kinds, inner_days)
def test_the_period_of_a_date_contains_it_and_starts_and_ends_its_kind(kind, day):
    period = Period.from_date(kind, day)
    assert period.contains(day)
    assert Period.from_date(kind, period.start) == period == Period.from_date(kind, period.end)
    assert Period.from_date(kind, period.end + timedelta(days=1)) > period
    assert Period.from_date(kind, period.start - timedelta(days=1)) < period


@given(periods, st.sampled_from(["full-width", "slashes", "chinese", "compact", "spaced"]))
def test_typed_forms_parse_to_the_same_period(period, style):
    start, year = period.start, period.year
    number = {
        PeriodKind.week: start.isocalendar()[1],
        PeriodKind.quarter: (start.month - 1) // 3 + 1,
        PeriodKind.half_year: (start.month - 1) // 6 + 1,
    }.get(period.kind)
    if style == "full-width":
        typed = str(period).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-QWH"})
    elif style == "slashes":
        typed = str(period).replace("-", "/") if period.kind in (PeriodKind.day, PeriodKind.month) else str(period)
    elif style == "chinese":
        typed = {
            PeriodKind.day: f"{year}年{start.month}月{start.day}日",
            PeriodKind.week: f"{year}年第{number}周",
            PeriodKind.month: f"{year}年{start.month}月",
            PeriodKind.quarter: f"{year}年第{CN.get(number)}季度",
            PeriodKind.half_year: f"{year}年{'上' if number == 1 else '下'}半年",
            PeriodKind.year: f"{year}年度",
        }[period.kind]
    elif style == "compact":
        typed = str(period).replace("-", "")
    else:
        typed = " " + " - ".join(str(period).split("-")) + " "
    assert Period.parse(typed) == period, typed


@given(st.text(max_size=30))
def test_any_text_is_a_period_or_a_period_error(text):
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        assert exc.message
    else:
        assert Period.parse(str(period)) == period
