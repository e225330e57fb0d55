"""The relationship check: each kind with planted pairs and near-misses, the strength rules of a
locality, a plugin's own kind, placement into a team and the scan of every team."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from plugins.cadres import relations as r
from plugins.cadres.facts import DeclaredRelation, Education, Message, MilitarySpan, PersonFacts, PostSpan
from plugins.cadres.relations import Relation, RelationChecker, RelationOptions, Team

TODAY = date(2026, 11, 30)


def d(text: str) -> date:
    year, month = text.split(".")
    return date(int(year), int(month), 1)


def person(pid, name="", **facts) -> PersonFacts:
    return PersonFacts(id=pid, name=name or f"P{pid}", **facts)


def study(school, start, end, department="", class_name="", full_time=True) -> Education:
    return Education(school, department, class_name=class_name, full_time=full_time, start=d(start), end=d(end))


def check(a, b, options=None, **kwargs) -> dict[str, Relation]:
    return {rel.kind: rel for rel in RelationChecker(options, today=TODAY, **kwargs).pair(a, b)}


# --- 同学 -----------------------------------------------------------------------------------------


def test_same_department_with_overlapping_years_is_a_strong_classmate():
    a = person(1, "王一", education=(study("贵州大学", "1994.09", "1998.07", "经济学院"),))
    b = person(2, "李二", education=(study("贵州 大学", "1996.09", "2000.07", "经济学院"),))
    found = check(a, b)["classmate"]
    assert (found.strength, found.a, found.b) == ("strong", 1, 2)
    assert found.evidence == (
        Message(
            r.SAME_DEPARTMENT,
            {
                "school": "贵州大学",
                "department": "经济学院",
                "a": "王一",
                "a_years": "1994.09–1998.07",
                "b": "李二",
                "b_years": "1996.09–2000.07",
            },
        ),
    )
    assert found.details[0]["overlap"] == (d("1996.09"), d("1998.07"))


def test_same_class_is_strong_and_same_school_only_is_weak():
    a = person(1, education=(study("中央党校", "2003.09", "2006.07", "函授学院", "经管3班", full_time=False),))
    b = person(2, education=(study("中央党校", "2004.09", "2006.07", "研究生院", "经管3班", full_time=False),))
    c = person(3, education=(study("中央党校", "2004.09", "2006.07", "研究生院", "法学1班", full_time=False),))
    assert check(a, b)["classmate"].evidence[0].msgid == r.SAME_CLASS
    assert check(a, c)["classmate"].strength == "weak"
    assert check(a, c)["classmate"].evidence[0].msgid == r.SAME_SCHOOL
    # a locality that counts full-time study only sees none of it
    assert check(a, b, RelationOptions(classmate_in_service=False)) == {}


def test_near_miss_same_school_and_department_a_decade_apart_is_no_classmate():
    a = person(1, education=(study("贵州大学", "1994.09", "1998.07", "经济学院"),))
    b = person(2, education=(study("贵州大学", "2004.09", "2008.07", "经济学院"),))
    assert check(a, b) == {}
    # one entering the month the other graduated is not an overlap of a month
    c = person(3, education=(study("贵州大学", "1998.07", "2002.07", "经济学院"),))
    assert check(a, c) == {}


def test_years_not_known_is_weak_unless_the_locality_turns_it_off():
    a = person(1, education=(Education("贵州大学"),))
    b = person(2, education=(study("贵州大学", "1994.09", "1998.07"),))
    assert check(a, b)["classmate"].evidence[0].msgid == r.SAME_SCHOOL_YEARS_UNKNOWN
    assert check(a, b, RelationOptions(classmate_years_unknown=None)) == {}


# --- 同乡 -----------------------------------------------------------------------------------------


def test_same_native_county_is_strong_and_the_place_is_named():
    a, b = person(1, native_place="520521"), person(2, native_place="520521")
    names = {"520521": "大方县", "520502": "七星关区"}
    found = check(a, b, place_name=names.get)["fellow_townsman"]
    assert (found.strength, found.evidence) == ("strong", (Message(r.SAME_COUNTY, {"place": "大方县"}),))


def test_near_miss_same_city_other_county_is_weak_and_other_city_is_nothing():
    a = person(1, native_place="520521")  # 毕节市大方县
    b = person(2, native_place="520502")  # 毕节市七星关区
    c = person(3, native_place="520102")  # 贵阳市南明区
    found = check(a, b)["fellow_townsman"]
    assert (found.strength, found.evidence[0].msgid) == ("weak", r.SAME_CITY)
    assert check(a, c) == {}
    # province-wide, when a locality asks for it
    assert (
        check(a, c, RelationOptions(hometown_province="weak"))["fellow_townsman"].evidence[0].msgid == r.SAME_PROVINCE
    )
    # a locality that counts counties only
    assert check(a, b, RelationOptions(hometown_city=None)) == {}


def test_a_code_known_only_to_the_city_is_not_a_same_county():
    a, b = person(1, native_place="520500"), person(2, native_place="520500")
    assert check(a, b)["fellow_townsman"].strength == "weak"
    assert check(person(1, native_place="52"), person(2, native_place="52")) == {}


def test_birthplaces_count_when_the_locality_says_so():
    a, b = person(1, birthplace="520521"), person(2, birthplace="520521")
    assert check(a, b) == {}
    found = check(a, b, RelationOptions(hometown_birthplace=True))["fellow_townsman"]
    assert found.evidence[0].msgid == r.SAME_BIRTH_COUNTY


# --- 同事 -----------------------------------------------------------------------------------------


def test_overlapping_service_in_one_unit_names_the_overlap():
    a = person(1, "王一", posts=(PostSpan("大方县羊场镇党委", "党委副书记", start=d("2002.07"), end=d("2005.03")),))
    b = person(2, "李二", posts=(PostSpan("大方县羊场镇人民政府", "镇长", start=d("2004.01"), end=d("2008.01")),))
    found = check(a, b)["colleague"]
    assert found.strength == "strong"
    assert found.evidence[0].params == {
        "unit": "大方县羊场镇党委",
        "start": "2004.01",
        "end": "2005.03",
        "months": 14,
        "a": "王一",
        "a_post": "党委副书记",
        "b": "李二",
        "b_post": "镇长",
    }
    # shorter than the locality's strong overlap: weak
    assert check(a, b, RelationOptions(colleague_strong_months=24))["colleague"].strength == "weak"


def test_near_miss_one_unit_one_after_the_other_is_no_colleague():
    a = person(1, posts=(PostSpan("x", unit_id=7, start=d("2002.07"), end=d("2005.03")),))
    b = person(2, posts=(PostSpan("y", unit_id=7, start=d("2005.03"), end=None),))
    c = person(3, posts=(PostSpan("x", unit_id=8, start=d("2002.07"), end=None),))
    assert check(a, b) == {}
    assert check(a, c) == {}  # same name, other unit (the id decides)


def test_an_open_post_runs_until_today():
    a = person(1, posts=(PostSpan("县委办", unit_id=3, start=d("2026.01")),))
    b = person(2, posts=(PostSpan("县委办", unit_id=3, start=d("2020.01")),))
    found = check(a, b)["colleague"]
    assert (found.strength, found.evidence[0].params["months"]) == ("weak", 10)


# --- 战友 -----------------------------------------------------------------------------------------


def test_same_military_unit_with_overlap_is_a_comrade_and_a_later_soldier_is_not():
    a = person(1, military=(MilitarySpan("78091部队", d("1990.12"), d("1994.12")),))
    b = person(2, military=(MilitarySpan("７８０９１部队", d("1993.12"), d("1997.12")),))
    c = person(3, military=(MilitarySpan("78091部队", d("2000.12"), d("2004.12")),))
    found = check(a, b)["comrade"]
    assert (found.strength, found.evidence[0].params["months"]) == ("strong", 12)
    assert check(a, c) == {}
    assert check(a, b, RelationOptions(comrade="weak"))["comrade"].strength == "weak"


# --- 亲戚 -----------------------------------------------------------------------------------------

UNCLE_ID = "520521196001010017"


def test_a_declared_relative_is_matched_by_id_number_in_either_declaration():
    uncle = person(1, "张大", id_number=UNCLE_ID)
    nephew = person(2, "张小", relations=(DeclaredRelation("舅舅", "张 大", None, UNCLE_ID.lower()),))
    found = check(uncle, nephew)["relative"]
    assert found.strength == "strong"
    assert found.evidence == (Message(r.DECLARED_BY_ID, {"a": "张小", "b": "张大", "kind": "舅舅"}),)
    assert check(nephew, uncle)["relative"].evidence == found.evidence


def test_a_declared_relative_is_matched_by_name_and_birth_month():
    a = person(1, "刘芳", birth_date=date(1980, 5, 17))
    b = person(2, "王强", relations=(DeclaredRelation("妻子", "刘芳", d("1980.05")),))
    assert check(a, b)["relative"].evidence[0].msgid == r.DECLARED_BY_NAME
    # near-miss: same name, other birth month
    c = person(3, "刘芳", birth_date=date(1981, 5, 17))
    assert check(c, b) == {}


def test_two_people_declaring_one_relative_are_related_weakly():
    father = DeclaredRelation("父亲", "陈父", d("1950.01"), "520521195001010013")
    a = person(1, relations=(father,))
    b = person(2, relations=(DeclaredRelation("岳父", "陈父", d("1950.01")),))
    found = check(a, b)["relative"]
    assert (found.strength, found.evidence[0].msgid) == ("weak", r.SHARED_RELATIVE)
    assert check(a, b, RelationOptions(relative_shared=None)) == {}


# --- several kinds, options and a plugin's kind ---------------------------------------------------


def test_only_the_kinds_a_locality_turns_on_are_checked():
    a = person(1, native_place="520521", military=(MilitarySpan("78091部队", d("1990.12")),))
    b = person(2, native_place="520521", military=(MilitarySpan("78091部队", d("1990.12")),))
    assert set(check(a, b)) == {"fellow_townsman", "comrade"}
    assert set(check(a, b, RelationOptions(kinds=["comrade"]))) == {"comrade"}
    with pytest.raises(ValueError, match="unknown relation kinds: neighbour"):
        RelationChecker(RelationOptions(kinds=["neighbour"]), today=TODAY)
    with pytest.raises(ValidationError):
        RelationOptions(hometown_city="medium")


class SameExpertise:
    """A locality's own kind, as a plugin would add it through kaoping_cadre_relation_kinds."""

    name = "same_expertise"
    label = "same expertise"

    def keys(self, person, context):
        return set(person.expertise)

    def relate(self, a, b, context):
        common = sorted(set(a.expertise) & set(b.expertise))
        minimum = context.options.kind_options.get(self.name, {}).get("minimum", 1)
        if len(common) < minimum:
            return None
        return Relation(self.name, a.id, b.id, "weak", (Message("both know {tags}", {"tags": common}),))


def test_a_plugin_adds_its_own_kind_with_its_own_options():
    a = person(1, expertise=("经济", "法律"))
    b = person(2, expertise=("法律", "经济"))
    options = RelationOptions(kinds=["same_expertise"], kind_options={"same_expertise": {"minimum": 2}})
    found = check(a, b, options, extra_kinds=[SameExpertise()])
    assert found["same_expertise"].evidence[0].text == "both know 法律, 经济"
    options = RelationOptions(kinds=["same_expertise"], kind_options={"same_expertise": {"minimum": 3}})
    assert check(a, b, options, extra_kinds=[SameExpertise()]) == {}


# --- placement and scan ---------------------------------------------------------------------------


def _team():
    return [
        person(10, "书记", native_place="520521", posts=(PostSpan("大方县", unit_id=1, start=d("2020.01")),)),
        person(11, "县长", native_place="520102", posts=(PostSpan("大方县", unit_id=1, start=d("2021.01")),)),
        person(12, "副县长", education=(study("贵州大学", "1994.09", "1998.07", "经济学院"),)),
    ]


def test_a_candidate_placed_into_a_team_is_checked_against_every_member():
    candidate = person(
        99, "候选人", native_place="520521", education=(study("贵州大学", "1995.09", "1999.07", "经济学院"),)
    )
    found = RelationChecker(today=TODAY).placement([candidate], _team(), team_unit="id:1")
    assert sorted((rel.kind, rel.a, rel.b) for rel in found) == [
        ("classmate", 99, 12),
        ("fellow_townsman", 99, 10),
    ]


def test_two_candidates_are_checked_against_each_other_too_but_members_among_themselves_not():
    team = _team() + [person(13, native_place="520521")]  # 13 and 10: same county, not reported
    one = person(98, military=(MilitarySpan("78091部队", d("1990.12"), d("1994.12")),))
    two = person(99, military=(MilitarySpan("78091部队", d("1991.12"), d("1994.12")),))
    found = RelationChecker(today=TODAY).placement([one, two], team)
    assert [(rel.kind, rel.a, rel.b) for rel in found] == [("comrade", 98, 99)]


def test_the_scan_lists_existing_conflicts_per_team_leaving_out_the_team_s_own_unit():
    quiet = Team("quiet", [person(20, native_place="520521"), person(21, native_place="520102")], "id:2")
    team = Team("dafang", _team() + [person(13, native_place="520521")], "id:1")
    result = RelationChecker(today=TODAY).scan([quiet, team])
    assert list(result) == ["dafang"]
    assert [(rel.kind, rel.a, rel.b) for rel in result["dafang"]] == [("fellow_townsman", 10, 13)]
    # without leaving out the team's unit, its two leaders are colleagues there
    found = RelationChecker(today=TODAY).scan([Team("dafang", team.members)])
    assert ("colleague", 10, 11) in [(rel.kind, rel.a, rel.b) for rel in found["dafang"]]
