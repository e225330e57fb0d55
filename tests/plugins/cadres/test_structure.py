"""Team structure: each dimension scored against the locality's rules with the people behind
it, retirement before the term ends (with the 2025 rise of the statutory age), and a simulated
placement or swap."""

from __future__ import annotations

from datetime import date

import pytest

from plugins.cadres import structure as s
from plugins.cadres.facts import Education, Message, PersonFacts, PostSpan
from plugins.cadres.structure import StructureOptions, analyse, retirement_date, simulate

ON = date(2026, 11, 30)
TERM_END = date(2031, 11, 30)


def member(pid, born, gender="男", **facts) -> PersonFacts:
    facts.setdefault("party", "中共党员")
    facts.setdefault("ethnicity", "汉族")
    facts.setdefault("education", (Education("贵州大学", level="大学本科"),))
    return PersonFacts(id=pid, name=f"P{pid}", gender=gender, birth_date=born, **facts)


def team():
    township = (PostSpan("羊场镇", "党委书记", unit_level="township"),)
    return [
        member(1, date(1972, 3, 1), posts=township),
        member(2, date(1975, 6, 1), expertise=("经济",)),
        member(3, date(1988, 1, 1), "女", ethnicity="彝族"),
        member(4, date(1980, 8, 1), party="民盟盟员", education=(Education("毕节学院", level="大专"),)),
    ]


def test_a_balanced_county_team_is_green_with_the_people_behind_each_count():
    report = analyse(team(), on=ON, term_end=date(2027, 6, 30), team_level="county")
    assert {name: dim.status for name, dim in report.dimensions.items()} == {
        "age": "green",
        "gender": "green",
        "ethnicity": "green",
        "party": "green",
        "education": "yellow",  # 3 of 4 hold 本科, below the 80% target
        "expertise": "green",
        "experience": "green",
        "retirement": "green",
    }
    age = report.dimensions["age"]
    assert age.counts["50–54"] == (1, 2)
    assert age.counts["<40"] == (3,)
    assert age.counts["45–49"] == (4,)
    assert age.figures["average_age"] == round((54 + 51 + 38 + 46) / 4, 1)
    assert report.dimensions["gender"].counts == {"男": (1, 2, 4), "女": (3,)}
    assert report.dimensions["party"].counts == {"中共党员": (1, 2, 3), "民盟盟员": (4,)}
    assert report.dimensions["education"].counts == {"本科": (1, 2, 3), "大专": (4,)}
    assert report.dimensions["education"].why == (
        Message(s.EDUCATION_SHARE, {"share": 75, "level": "本科", "target": 80}),
    )
    assert report.dimensions["experience"].counts == {"township": (1,)}
    assert report.status == "yellow"


def test_a_team_without_a_woman_or_anyone_young_is_red_and_says_which_rule():
    men = [m for m in team() if m.id != 3]
    report = analyse(men, on=ON, team_level="county")
    assert report.dimensions["gender"].status == "red"
    assert report.dimensions["gender"].why == (Message(s.TOO_FEW_WOMEN, {"count": 0, "minimum": 1}),)
    assert report.dimensions["age"].status == "red"
    assert report.dimensions["age"].why[0].msgid == s.TOO_FEW_YOUNG
    # the young-member rule is for county teams only
    assert analyse(men, on=ON, team_level="township").dimensions["age"].status == "green"


def test_age_bands_read_youngest_first_and_experience_is_named_in_the_localitys_words():
    report = analyse(team(), on=ON, team_level="county")
    age = report.dimensions["age"]
    # members listed oldest first (54, 51, 38, 46): the bands still read youngest first
    assert list(age.counts) == ["35–39", "45–49", "50–54", "<40"]
    assert report.dimensions["experience"].figures["labels"] == {"township": "乡镇"}
    words = StructureOptions(experience_labels={"township": "乡镇（街道）"})
    assert analyse(team(), words, on=ON).dimensions["experience"].figures["labels"] == {"township": "乡镇（街道）"}


def test_a_rule_met_now_but_not_at_the_end_of_the_term_is_yellow():
    members = team()
    members[2] = member(3, date(1988, 1, 1), "女")  # 38 now, 43 at the end of the term
    report = analyse(members, on=ON, term_end=TERM_END, team_level="county")
    assert report.dimensions["age"].status == "yellow"
    assert report.dimensions["age"].why == (
        Message(s.YOUNG_AGE_OUT, {"count": 1, "age": 40, "later": 0, "end": "2031-11-30"}),
    )


def test_the_locality_s_rules_are_options():
    options = StructureOptions(
        min_non_party=2,
        min_minority=2,
        required_expertise=["经济", "法律"],
        min_experience={"township": 1, "county": 1},
        max_average_age=45,
        education_yellow_share=0.8,
    )
    report = analyse(team(), options, on=ON)
    dims = report.dimensions
    assert dims["party"].why == (Message(s.TOO_FEW_NON_PARTY, {"count": 1, "minimum": 2}),)
    assert dims["ethnicity"].why == (Message(s.TOO_FEW_MINORITY, {"count": 1, "minimum": 2}),)
    assert dims["expertise"].why == (Message(s.EXPERTISE_MISSING, {"tags": "法律"}),)
    assert dims["experience"].why == (Message(s.TOO_FEW_EXPERIENCED, {"count": 0, "experience": "县级", "minimum": 1}),)
    assert dims["age"].why == (Message(s.AVERAGE_AGE_HIGH, {"average": 47.2, "target": 45}),)
    assert dims["education"].status == "red"
    with pytest.raises(ValueError):
        StructureOptions(unknown_rule=1)


@pytest.mark.parametrize(
    ("born", "gender", "base", "retires"),
    [
        (date(1964, 12, 10), "男", None, date(2024, 12, 10)),  # before the reform
        (date(1965, 1, 10), "男", None, date(2025, 2, 10)),  # 60 and 1 month
        (date(1965, 5, 10), "男", None, date(2025, 7, 10)),  # 60 and 2 months
        (date(1976, 9, 10), "男", None, date(2039, 9, 10)),  # 63, the cap
        (date(1970, 1, 10), "女", None, date(2025, 2, 10)),  # a woman cadre: 55 and 1 month
        (date(1975, 3, 10), "女", 50, date(2025, 5, 10)),  # a woman worker: 1 month every 2 months
        (date(1990, 1, 10), "女", 50, date(2045, 1, 10)),  # 55, that scheme's cap
    ],
)
def test_retirement_age_follows_the_2025_rise(born, gender, base, retires):
    person = PersonFacts(id=1, name="x", gender=gender, birth_date=born, retirement_base_age=base)
    assert retirement_date(person, StructureOptions()) == retires


def test_members_reaching_retirement_before_the_term_ends_are_flagged():
    members = team() + [member(5, date(1968, 2, 1))]  # 60 and 10 months: 2028-12
    report = analyse(members, on=ON, term_end=TERM_END)
    assert [(r.person, r.retires_on) for r in report.retiring] == [(5, date(2028, 12, 1))]
    assert report.dimensions["retirement"].status == "yellow"
    assert report.dimensions["retirement"].why[0].msgid == s.RETIRING
    # a person kept on has their own age
    kept = team() + [member(5, date(1968, 2, 1), retirement_age=65)]
    assert analyse(kept, on=ON, term_end=TERM_END).retiring == ()
    # the only woman retiring before the term ends makes gender yellow
    old_woman = [m for m in team() if m.id != 3] + [member(6, date(1973, 1, 1), "女")]
    assert analyse(old_woman, on=ON, term_end=TERM_END).dimensions["gender"].status == "yellow"


def test_a_member_without_birth_date_is_named():
    members = team() + [PersonFacts(id=7, name="无生日", gender="男")]
    age = analyse(members, on=ON).dimensions["age"]
    assert age.counts["?"] == (7,)
    assert age.status == "yellow"
    assert age.why[-1] == Message(s.AGE_UNKNOWN, {"names": "无生日"})


def test_simulated_placement_and_swap_show_before_and_after():
    men = [m for m in team() if m.id != 3]
    candidate = member(9, date(1990, 4, 1), "女")
    before, after, changes = simulate(men, add=[candidate], on=ON, team_level="county")
    assert (before.dimensions["gender"].status, after.dimensions["gender"].status) == ("red", "green")
    by_name = {c.dimension: c for c in changes}
    assert (by_name["gender"].before, by_name["gender"].after) == ("red", "green")
    assert by_name["gender"].counts == {"女": ((), (9,))}
    assert by_name["age"].after == "green"
    assert (by_name["party"].before, by_name["party"].after) == ("green", "green")
    assert by_name["party"].counts == {"中共党员": ((1, 2), (1, 2, 9))}
    assert "expertise" not in by_name  # the candidate has none: nothing changes there
    # a swap: the non-party member out, the candidate in
    _, after, changes = simulate(men, add=[candidate], remove=[4], on=ON, team_level="county")
    assert after.members == (1, 2, 9)
    assert {c.dimension: (c.before, c.after) for c in changes}["education"] == ("yellow", "green")
