"""Dates as cadre files write them, and ID numbers checked against the record."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.cadres import dates
from plugins.cadres.dates import DateError, ParsedDate, check_id_number, id_check_character, parse_date


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("1984.09", date(1984, 9, 1), "month"),
        ("1984.9", date(1984, 9, 1), "month"),
        ("198409", date(1984, 9, 1), "month"),
        ("1984-09", date(1984, 9, 1), "month"),
        ("1984/09", date(1984, 9, 1), "month"),
        ("1984年9月", date(1984, 9, 1), "month"),
        ("1984年09月", date(1984, 9, 1), "month"),
        ("1984年9月3日", date(1984, 9, 3), "day"),
        ("1984.09.03", date(1984, 9, 3), "day"),
        ("1984-09-03", date(1984, 9, 3), "day"),
        ("19840903", date(1984, 9, 3), "day"),
        (" １９８４．０９ ", date(1984, 9, 1), "month"),
        ("2000.02.29", date(2000, 2, 29), "day"),
    ],
)
def test_the_forms_of_cadre_files_are_read(text, value, precision):
    assert parse_date(text) == ParsedDate(value, precision)


@pytest.mark.parametrize(
    ("text", "msgid", "params"),
    [
        ("1984.13", dates.BAD_MONTH, {"value": "1984.13", "month": 13}),
        ("1984.00", dates.BAD_MONTH, {"value": "1984.00", "month": 0}),
        ("198413", dates.BAD_MONTH, {"value": "198413", "month": 13}),
        ("1984年13月", dates.BAD_MONTH, {"value": "1984年13月", "month": 13}),
        ("1984.02.30", dates.BAD_DAY, {"value": "1984.02.30", "year_month": "1984-02", "day": 30}),
        ("1900.02.29", dates.BAD_DAY, {"value": "1900.02.29", "year_month": "1900-02", "day": 29}),
        ("19840931", dates.BAD_DAY, {"value": "19840931", "year_month": "1984-09", "day": 31}),
        ("1899.12", dates.BAD_YEAR, {"value": "1899.12", "year": 1899}),
        ("1984.09-03", dates.NOT_A_DATE, {"value": "1984.09-03"}),
        ("84.09", dates.NOT_A_DATE, {"value": "84.09"}),
        ("九月", dates.NOT_A_DATE, {"value": "九月"}),
        ("", dates.EMPTY, {}),
    ],
)
def test_impossible_dates_are_refused_with_the_reason(text, msgid, params):
    with pytest.raises(DateError) as refused:
        parse_date(text)
    assert (refused.value.message.msgid, refused.value.message.params) == (msgid, params)
    assert "{" not in refused.value.message.text


DAY_FORMS = [
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
]
MONTH_FORMS = [
    lambda d: f"{d.year}.{d.month:02d}",
    lambda d: f"{d.year}.{d.month}",
    lambda d: f"{d.year}{d.month:02d}",
    lambda d: f"{d.year}-{d.month:02d}",
    lambda d: f"{d.year}年{d.month}月",
]


def _number(prefix17: str) -> str:
    return prefix17 + id_check_character(prefix17)


def test_a_good_id_number_agrees_with_its_record():
    woman = "11010519491231002X"  # the GB 11643 example
    assert check_id_number(woman, birth_date=date(1949, 12, 31), gender="女") == []
    assert check_id_number(woman.lower(), birth_date=parse_date("1949.12"), gender="女") == []


def test_a_wrong_check_character_names_the_expected_one():
    problems = check_id_number("110105194912310021")
    assert [(p.msgid, p.params) for p in problems] == [
        (dates.ID_CHECK, {"value": "110105194912310021", "expected": "X", "found": "1"})
    ]


def test_birth_date_and_gender_digit_are_compared_with_the_record():
    number = _number("52052119840903003")  # 17th digit 3: a man
    assert check_id_number(number, birth_date=parse_date("1984.09"), gender="男") == []
    problems = check_id_number(number, birth_date=parse_date("1984.10"), gender="女")
    assert [(p.msgid, p.params) for p in problems] == [
        (dates.ID_BIRTH_DIFFERS, {"value": number, "in_number": "1984.09", "in_record": "1984.10"}),
        (dates.ID_SAYS_MAN, {"value": number, "digit": "3"}),
    ]
    # a record with the day is compared to the day
    day = check_id_number(number, birth_date=date(1984, 9, 4))
    assert [p.params["in_number"] for p in day] == ["1984.09.03"]
    woman = check_id_number(_number("52052119840903004"), gender="男")
    assert [p.msgid for p in woman] == [dates.ID_SAYS_WOMAN]


def test_malformed_numbers_say_what_is_wrong():
    assert [p.msgid for p in check_id_number("5205211984090300")] == [dates.ID_FORM]
    assert [p.msgid for p in check_id_number("52052119840903003A")] == [dates.ID_FORM]
    assert [p.msgid for p in check_id_number(_number("99052119840903003"))] == [dates.ID_PROVINCE]
    bad_day = _number("52052119840931003")
    assert [(p.msgid, p.params.get("digits")) for p in check_id_number(bad_day)] == [(dates.ID_BIRTH, "19840931")]


def test_an_old_15_digit_number_is_flagged_but_still_compared():
    old = "520521840903003"
    assert [p.msgid for p in check_id_number(old, allow_old_form=True, birth_date=parse_date("1984.09"))] == []
    assert [p.msgid for p in check_id_number(old, gender="女")] == [dates.ID_OLD_FORM, dates.ID_SAYS_MAN]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(DAY_FORMS))
def test_any_real_day_written_in_any_form_reads_back(day, form):
    assert parse_date(form(day)) == ParsedDate(day, "day")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(MONTH_FORMS))
def test_any_real_month_written_in_any_form_reads_back(day, form):
    assert parse_date(form(day)) == ParsedDate(day.replace(day=1), "month")


@given(
    st.integers(1900, 2100),
    st.integers(13, 99) | st.just(0),
    st.sampled_from(["{y}.{m:02d}", "{y}{m:02d}", "{y}年{m}月"]),
)
def test_no_month_outside_1_to_12_reads(year, month, form):
    with pytest.raises(DateError) as refused:
        parse_date(form.format(y=year, m=month))
    assert refused.value.message.msgid == dates.BAD_MONTH


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)),
    st.integers(0, 999),
    st.sampled_from("0123456789X"),
)
def test_only_the_right_check_character_passes(born, serial, last):
    first = f"520521{born:%Y%m%d}{serial:03d}"
    problems = check_id_number(first + last, birth_date=born)
    if last == id_check_character(first):
        assert problems == []
    else:
        assert [p.msgid for p in problems] == [dates.ID_CHECK]
