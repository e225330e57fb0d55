"""Native places and birthplaces of appointment forms as GB/T 2260 codes: the names as forms
write them are coded as far as the table goes; what it does not hold is reported, never
guessed (``plugins.cadres.divisions``), and an import stores the codes (both databases)."""

from __future__ import annotations

import pytest

from plugins.cadres import service
from plugins.cadres.divisions import code_of, name_of
from plugins.cadres.imports import PLACE_IN_PART, PLACE_UNKNOWN, import_lrmx
from tests.plugins.cadres.conftest import FIELDS, form
from tests.plugins.cadres.setup import make_world


@pytest.mark.parametrize(
    ("name", "code", "rest"),
    [
        ("贵州毕节", "520500", ""),
        ("贵州省毕节市", "520500", ""),
        ("贵州大方", "520521", ""),  # a county named without its city
        ("贵州省毕节市大方县", "520521", ""),
        ("毕节市大方县", "520521", ""),  # no province written
        ("贵州威宁", "520526", ""),  # 威宁彝族回族苗族自治县 by its short name
        (" 贵州 贵阳 ", "520100", ""),
        ("四川", "510000", ""),
        ("山东济南", "370000", "济南"),  # the province only: the city is not in the table
        ("贵州省毕节市某某县", "520500", "某某县"),
    ],
)
def test_place_names_are_coded_as_far_as_the_table_goes(name, code, rest):
    coded = code_of(name)
    assert (coded.code, coded.rest) == (code, rest)


def test_unknown_names_are_not_coded():
    assert code_of("火星") is None and code_of("") is None and code_of("北") is None


def test_names_of_codes():
    assert name_of("520521") == "贵州省毕节市大方县" and name_of("520500") == "贵州省毕节市"
    assert name_of("370000") == "山东省" and name_of("990000") == ""


def test_an_import_stores_the_codes_and_reports_what_it_could_not_code(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form())  # 贵州大方, 贵州大方
    assert report.status == "imported"
    assert not [p for p in report.problems if p["field"] in ("JiGuan", "ChuShengDi")]
    profile = service.read_profile(ctx, dept, "ca", report.person_id)
    assert (profile.native_code, profile.birthplace_code) == ("520521", "520521")

    [again] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form({**FIELDS, "JiGuan": "火星", "ChuShengDi": "山东济南"}))
    assert again.status == "imported"
    places = {p["field"]: p for p in again.problems if p["field"] in ("JiGuan", "ChuShengDi")}
    assert places["JiGuan"]["msgid"] == PLACE_UNKNOWN and places["JiGuan"]["params"] == {"value": "火星"}
    assert places["ChuShengDi"]["msgid"] == PLACE_IN_PART
    assert places["ChuShengDi"]["params"] == {"value": "山东济南", "rest": "济南", "matched": "山东", "code": "370000"}
    profile = service.read_profile(ctx, dept, "ca", report.person_id)
    assert (profile.native_name, profile.native_code) == ("火星", "")  # not guessed, nor left as it was
    assert profile.birthplace_code == "370000"
