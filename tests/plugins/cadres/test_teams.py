"""The relationship check and team structure over a synthetic locality, on both databases:
every planted relation is found with its kind, strength and evidence, when a candidate is
placed into a team and by the scan of all teams; the near misses are not taken for the real
thing; the structure before and after; access and the view log."""

from __future__ import annotations

from datetime import date

import pytest

from core.services.errors import Invalid, NotFound
from plugins.cadres import service, teams
from plugins.cadres.divisions import name_of
from plugins.cadres.synth import PLANTED_KINDS, synthesize
from tests.plugins.cadres.setup import account, enable

ON = date(2026, 11, 30)


@pytest.fixture
def synth(ctx):
    from core.context import Actor
    from core.schemas.localities import LocalityIn
    from core.services import localities

    localities.create(ctx, Actor.system("test"), LocalityIn(code="sy", name="合成县"))
    enable(ctx, "sy")
    made = synthesize(ctx, "sy", 60, seed=7, today=ON)
    return made, account(ctx, "sy", "org-sy", "org_dept"), account(ctx, "sy", "head-sy", "org_dept_head")


def _pairs(relations, kind):
    return {frozenset((r["a"], r["b"])): r for r in relations if r["kind"] == kind}


def test_every_planted_relation_is_found_when_the_candidate_is_placed(ctx, synth):
    made, dept, _head = synth
    placed = [p for p in made.planted if p.candidate]
    assert {p.kind for p in placed} == set(PLANTED_KINDS)
    for p in placed:
        check = teams.check_team(ctx, dept, "sy", p.team_id, add=[p.b], on=ON)
        found = _pairs(check["relations"], p.kind)
        assert frozenset((p.a, p.b)) in found, p
        relation = found[frozenset((p.a, p.b))]
        assert relation["strength"] == "strong" and relation["evidence"], p
        assert {c["id"] for c in check["candidates"]} == {p.b}
        assert all(p.b in (r["a"], r["b"]) for r in check["relations"])  # only the candidate's relations
        if p.kind == "fellow_townsman":  # the county by its name and code, as the profile names it
            native = service.read_profile(ctx, dept, "sy", p.a, ON).native_code
            assert relation["evidence"][0]["params"]["place"] == f"{name_of(native)} {native}" and name_of(native)


def test_the_scan_finds_every_planted_pair_within_a_team(ctx, synth):
    made, dept, _head = synth
    scanned = {item["team_id"]: item["relations"] for item in teams.scan_teams(ctx, dept, "sy", on=ON)}
    for p in (p for p in made.planted if not p.candidate):
        found = _pairs(scanned.get(p.team_id, []), p.kind)
        assert frozenset((p.a, p.b)) in found and found[frozenset((p.a, p.b))]["strength"] == "strong", p


def test_near_misses_are_not_strong(ctx, synth):
    made, dept, _head = synth
    kinds = {"school_other_decade": "classmate", "city_other_county": "fellow_townsman"}
    for p in made.near_misses:
        check = teams.check_team(ctx, dept, "sy", p.team_id, add=[p.b] if p.candidate else [], on=ON)
        relations = check["relations"] if p.candidate else check["existing"]
        found = _pairs(relations, kinds[p.kind]).get(frozenset((p.a, p.b)))
        assert found is None or found["strength"] == "weak", p
        if p.kind == "city_other_county":
            assert found is not None and found["strength"] == "weak"  # one city, another county


def test_structure_before_and_after_a_placement(ctx, synth):
    made, dept, _head = synth
    p = next(p for p in made.planted if p.candidate)
    check = teams.check_team(ctx, dept, "sy", p.team_id, add=[p.b], on=ON)
    before, after = check["before"], check["after"]
    assert set(before["dimensions"]) >= {"age", "gender", "education", "party"}
    people_before = {i for ids in before["dimensions"]["gender"]["counts"].values() for i in ids}
    people_after = {i for ids in after["dimensions"]["gender"]["counts"].values() for i in ids}
    assert people_after == people_before | {p.b} and p.b not in people_before
    swap = teams.check_team(ctx, dept, "sy", p.team_id, add=[p.b], remove=[p.a], on=ON)
    people_swapped = {i for ids in swap["after"]["dimensions"]["gender"]["counts"].values() for i in ids}
    assert people_swapped == people_before - {p.a} | {p.b}
    # the average age beside the bands, and the unit levels in the locality's words
    for report in (before, after):
        age = report["dimensions"]["age"]
        ages = [service.age_at(date.fromisoformat(str(b)), ON) for b in _births(ctx, _people(report)) if b]
        assert age["average_age"] == round(sum(ages) / len(ages), 1)
        experience = report["dimensions"]["experience"]
        assert experience["labels"] and set(experience["labels"]) == set(experience["counts"])
        assert set(experience["labels"].values()) <= {"乡镇", "县级", "村级", "市级"}


def _people(report) -> set[int]:
    return {i for ids in report["dimensions"]["gender"]["counts"].values() for i in ids}


def _births(ctx, ids) -> list:
    from sqlmodel import col, select

    from core.models import Person

    with ctx.db.read() as session:
        return list(session.exec(select(Person.birth_date).where(col(Person.id).in_(ids))).all())


def test_checks_are_logged_and_refused_to_others(ctx, synth):
    made, dept, head = synth
    p = made.planted[0]
    teams.check_team(ctx, dept, "sy", p.team_id, add=[p.b], on=ON)
    assert len(teams.check_people(ctx, dept, "sy", [p.a, p.b], on=ON)) >= 1
    log = service.view_log(ctx, head, "sy")
    assert [r.action for r in log.items] == ["relations", "relations"]
    assert p.b in log.items[1].person_ids and p.a in log.items[1].person_ids
    office = account(ctx, "sy", "office-sy", "office")
    with pytest.raises(NotFound):
        teams.check_team(ctx, office, "sy", p.team_id, add=[p.b])
    with pytest.raises(NotFound):
        teams.scan_teams(ctx, office, "sy")
    with pytest.raises(NotFound):
        teams.check_team(ctx, dept, "sy", p.team_id, add=[2**31 - 1])
    with pytest.raises(Invalid):
        teams.check_people(ctx, dept, "sy", [p.a])


def test_a_check_on_29_february_counts_the_term_to_28_february(ctx, synth):
    made, dept, _head = synth
    p = next(p for p in made.planted if p.candidate)
    leap = date(2028, 2, 29)
    assert teams.term_end(leap) == date(2033, 2, 28) and teams.term_end(ON) == date(2031, 11, 30)
    check = teams.check_team(ctx, dept, "sy", p.team_id, add=[p.b], on=leap)  # was a ValueError (a 500)
    assert check["before"]["dimensions"]["age"]["status"] in ("green", "yellow", "red")


def test_a_team_s_own_end_of_term_decides_who_retires_before_it(ctx, synth):
    from core.schemas.org import TeamPatch
    from core.services import org

    made, dept, _head = synth
    p = next(p for p in made.planted if p.candidate)
    office = account(ctx, "sy", "office-sy", "office")
    assumed = teams.check_team(ctx, dept, "sy", p.team_id, on=ON)
    assert assumed["term_end"] == {"date": date(2031, 11, 30), "assumed": True}  # five years from the check
    members = {m["id"] for m in assumed["members"]}

    org.update_team(ctx, office, "sy", p.team_id, TeamPatch(term_end=date(2070, 1, 1)))
    late = teams.check_team(ctx, dept, "sy", p.team_id, on=ON)
    assert late["term_end"] == {"date": date(2070, 1, 1), "assumed": False}
    assert {r["person"] for r in late["before"]["retiring"]} == members  # all retire by 2070
    assert all(r["retires_on"] < "2070-01-01" for r in late["before"]["retiring"])

    org.update_team(ctx, office, "sy", p.team_id, TeamPatch(term_end=date(2026, 12, 1)))
    soon = teams.check_team(ctx, dept, "sy", p.team_id, on=ON)
    assert soon["term_end"] == {"date": date(2026, 12, 1), "assumed": False}
    assert [r for r in soon["before"]["retiring"] if r["retires_on"] > "2026-12-01"] == []
    assert len(soon["before"]["retiring"]) < len(members)

    org.update_team(ctx, office, "sy", p.team_id, TeamPatch(term_end=None))  # cleared: assumed again
    assert teams.check_team(ctx, dept, "sy", p.team_id, on=ON)["term_end"]["assumed"] is True


def test_the_facts_of_a_few_people_are_read_by_person_and_equal_the_locality_s(ctx, synth):
    from sqlalchemy import event
    from sqlmodel import select

    from core.models import Locality, Person
    from plugins.cadres.loader import load_facts

    made, _dept, _head = synth
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == "sy")).one()
        ids = sorted({p.a for p in made.planted} | {p.b for p in made.planted})[:12]
        elsewhere = session.exec(select(Person.id).where(Person.locality_id != locality.id)).first()
        whole = load_facts(session, None, locality.id)
        sent: list[tuple] = []

        def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
            sent.append((statement, parameters))

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", keep)
        some = load_facts(session, None, locality.id, [*ids, *([elsewhere] if elsewhere else []), 2**31 - 1])
        event.remove(connection, "before_cursor_execute", keep)
        assert some == {pid: whole[pid] for pid in ids}  # the same facts; another locality's left out
        assert any(facts.posts for facts in some.values()) and any(facts.education for facts in some.values())
        sections = {"cadre_posts", "cadre_education", "cadre_military", "cadre_relations", "cadre_tags"}
        read = set()
        if connection.dialect.name == "sqlite":  # each section by its person index, not the locality's rows
            for statement, parameters in sent:
                table = " ".join(statement.split()).partition(" FROM ")[2].split(" ")[0]
                plan = " ".join(
                    r[-1] for r in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                )
                if table in sections:
                    read.add(table)
                    assert "person_id=?" in plan and "(locality_id=?)" not in plan, (table, plan)
                elif table == "people":  # the profiles' places in the same statement, by person
                    read.add(table)
                    assert "SEARCH cadre_profiles USING INDEX" in plan and "(person_id=?)" in plan, plan
            assert read == sections | {"people"}
        # the people with their places, one statement a section, the units' types with the posts
        assert len(sent) == 1 + len(sections)


def test_a_placement_finds_in_one_pass_what_the_two_checks_found(ctx, synth):
    """The candidates' relations and the members' among themselves, found together, are those
    ``placement`` and ``within`` find apart, in the same order; a placement reads the team and
    its unit, the facts and the rules once (twelve SELECTs on either database, sixteen before)."""
    from sqlalchemy import event
    from sqlmodel import select

    from core.models import Locality, Team, TeamMember
    from plugins.cadres.facts import PostSpan
    from plugins.cadres.loader import load_facts
    from plugins.cadres.rules import relation_checker

    made, dept, _head = synth
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == "sy")).one()
        checker = relation_checker(session, locality.id, ON)
        for p in made.planted:
            team = session.get(Team, p.team_id)
            members = list(session.exec(select(TeamMember.person_id).where(TeamMember.team_id == team.id)))
            outsider = next(q.b for q in made.planted if q.team_id != team.id and q.b not in members)
            facts = load_facts(session, None, locality.id, [*members, outsider, p.a])
            team_unit = PostSpan(unit_name="", unit_id=team.unit_id).unit_key
            in_team = [facts[m] for m in members]
            for candidates in ([facts[outsider]], [facts[outsider], facts[p.a]]):  # the second: a member too
                found, existing = teams._placed(checker, candidates, in_team, team_unit)
                assert found == checker.placement(candidates, in_team, team_unit=team_unit)
                assert existing == checker.within(in_team, exclude_units=(team_unit,))
    sent: list[str] = []

    def keep(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    p = next(p for p in made.planted if p.candidate)
    teams.check_team(ctx, dept, "sy", p.team_id, add=[p.b], on=ON)  # the locality's hooks are cached from here
    event.listen(ctx.db.engine, "before_cursor_execute", keep)
    try:
        teams.check_team(ctx, dept, "sy", p.team_id, add=[p.b], on=ON)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", keep)
    assert len([s for s in sent if s.lstrip().upper().startswith("SELECT")]) == 12, sent
