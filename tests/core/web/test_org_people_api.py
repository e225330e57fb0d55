"""The organisation API over HTTP: leadership teams, people and subjects of a locality.

Every client made here fails the test on any 5xx answer, so each request also checks that the
server never breaks on the input.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from tests.core.web.org_setup import (
    ID_CARD,
    ID_CARD_MASKED,
    A,
    B,
    assert_error,
    id_card,
    make_person,
    make_unit,
    total,
)
from tests.helpers import created, office, ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

# --- teams ------------------------------------------------------------------------------------


def test_team_with_members(world):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        other_unit = make_unit(api, code="U2", name="组织部")
        wang = make_person(api, name="王五", unit_id=unit["id"])
        zhao = make_person(api, name="赵六", unit_id=unit["id"])

        team = created(
            api.post(
                f"{A}/teams",
                json={
                    "unit_id": unit["id"],
                    "name": "县委办领导班子",
                    "type": "department",
                    "members": [
                        {"person_id": wang["id"], "post": "主要领导"},
                        {
                            "person_id": zhao["id"],
                            "post": "分管领导",
                            "admin_post": "副主任",
                            "in_charge_of": "财务",
                            "supervised_unit_ids": [other_unit["id"], unit["id"], other_unit["id"]],
                            "phone": "0571-8888 6666",
                        },
                    ],
                },
            )
        )
        assert (team["unit_id"], team["name"], team["type"]) == (unit["id"], "县委办领导班子", "department")
        blank = {"admin_post": "", "in_charge_of": "", "supervised_unit_ids": [], "phone": ""}
        assert team["members"] == [
            {**blank, "person_id": wang["id"], "name": "王五", "post": "主要领导"},
            {
                "person_id": zhao["id"],
                "name": "赵六",
                "post": "分管领导",
                "admin_post": "副主任",
                "in_charge_of": "财务",
                "supervised_unit_ids": [other_unit["id"], unit["id"]],
                "phone": "0571-8888 6666",
            },
        ]
        assert ok(api.get(f"{A}/teams/{team['id']}")) == team
        assert ok(api.get(f"{A}/teams"))["items"] == [team]

        # a name change keeps the members; a members list replaces them
        renamed = ok(api.patch(f"{A}/teams/{team['id']}", json={"name": "新班子"}))
        assert renamed == {**team, "name": "新班子"}
        replaced = ok(
            api.patch(
                f"{A}/teams/{team['id']}",
                json={"unit_id": other_unit["id"], "members": [{"person_id": zhao["id"], "post": "主要领导"}]},
            )
        )
        assert replaced["unit_id"] == other_unit["id"]
        assert replaced["members"] == [{**blank, "person_id": zhao["id"], "name": "赵六", "post": "主要领导"}]
        assert ok(api.get(f"{A}/teams/{team['id']}")) == replaced

        # a deleted member leaves the team
        assert api.delete(f"{A}/people/{zhao['id']}").status_code == 204
        assert ok(api.get(f"{A}/teams/{team['id']}"))["members"] == []

        assert api.delete(f"{A}/teams/{team['id']}").status_code == 204
        assert_error(api.get(f"{A}/teams/{team['id']}"), 404)
        assert ok(api.get(f"{A}/people/{wang['id']}"))["name"] == "王五"


def test_team_errors(world):
    with office(world, "county-b") as other:
        foreign_unit = make_unit(other, base=B, code="BU")
        foreign_person = make_person(other, base=B)
    with office(world, "county-a") as api:
        unit = make_unit(api)
        person = make_person(api)
        assert_error(api.post(f"{A}/teams", json={"unit_id": foreign_unit["id"], "name": "t"}), 422, "unit_id")
        assert_error(api.post(f"{A}/teams", json={"unit_id": 999999, "name": "t"}), 422, "unit_id")
        assert_error(
            api.post(
                f"{A}/teams",
                json={"unit_id": unit["id"], "name": "t", "members": [{"person_id": foreign_person["id"]}]},
            ),
            422,
            "members[0].person_id",
        )
        assert_error(
            api.post(
                f"{A}/teams",
                json={
                    "unit_id": unit["id"],
                    "name": "t",
                    "members": [{"person_id": person["id"]}, {"person_id": person["id"]}],
                },
            ),
            422,
            "members[1].person_id",
        )
        assert total(api, f"{A}/teams") == 0

        team = created(
            api.post(f"{A}/teams", json={"unit_id": unit["id"], "name": "t", "members": [{"person_id": person["id"]}]})
        )
        assert_error(api.post(f"{A}/teams", json={"unit_id": unit["id"], "name": "t"}), 409)
        assert_error(api.patch(f"{A}/teams/{team['id']}", json={"unit_id": foreign_unit["id"]}), 422, "unit_id")
        assert_error(
            api.patch(f"{A}/teams/{team['id']}", json={"members": [{"person_id": foreign_person["id"]}]}),
            422,
            "members[0].person_id",
        )
        assert_error(api.patch(f"{A}/teams/{team['id']}", json={"name": None}), 422, "name")
        assert_error(api.patch(f"{A}/teams/{team['id']}", json={"type": "club"}), 400, "type")
        assert_error(
            api.patch(
                f"{A}/teams/{team['id']}",
                json={
                    "members": [{"person_id": person["id"], "supervised_unit_ids": [unit["id"], foreign_unit["id"]]}]
                },
            ),
            422,
            "members[0].supervised_unit_ids[1]",
        )
        assert ok(api.get(f"{A}/teams/{team['id']}")) == team

        subject = created(
            api.post(f"{A}/subjects", json={"name": "t", "kind": "team", "ref_id": team["id"], "category": "班子"})
        )
        assert_error(api.delete(f"{A}/teams/{team['id']}"), 409)
        assert ok(api.get(f"{A}/teams/{team['id']}")) == team
        assert ok(api.get(f"{A}/subjects/{subject['id']}"))["ref_id"] == team["id"]


# --- people -----------------------------------------------------------------------------------


def test_person_id_card_is_only_returned_masked(world):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        response = api.post(
            f"{A}/people",
            json={
                "name": "张三",
                "unit_id": unit["id"],
                "id_card": ID_CARD.lower(),
                "gender": "男",
                "birth_date": "1949-12",
                "post": "主任",
                "post_history": [{"post": "科员", "unit": "县委办", "start": "1970-01", "end": "1980-12"}],
            },
        )
        person = created(response)
        assert ID_CARD not in response.text and ID_CARD.lower() not in response.text
        assert "id_card" not in person
        assert person["id_card_masked"] == ID_CARD_MASKED
        assert person["post_history"] == [{"post": "科员", "unit": "县委办", "start": "1970-01", "end": "1980-12"}]
        assert ok(api.get(f"{A}/people/{person['id']}")) == person
        listed = api.get(f"{A}/people")
        assert ok(listed)["items"] == [person] and ID_CARD not in listed.text

        other = id_card("44030419800101123")
        changed = api.patch(f"{A}/people/{person['id']}", json={"id_card": other, "post": "副主任"})
        assert other not in changed.text
        assert ok(changed) == {**person, "post": "副主任", "id_card_masked": other[:4] + "*" * 10 + other[-4:]}

        assert ok(api.patch(f"{A}/people/{person['id']}", json={"id_card": None}))["id_card_masked"] is None
        assert ok(api.get(f"{A}/people/{person['id']}"))["id_card_masked"] is None
        assert ok(api.get(f"{A}/people", params={"unit_id": unit["id"]}))["total"] == 1

        assert api.delete(f"{A}/people/{person['id']}").status_code == 204
        assert_error(api.get(f"{A}/people/{person['id']}"), 404)


def test_invalid_and_duplicate_id_cards_are_refused(world):
    with office(world, "county-a") as api:
        wrong_check = ID_CARD[:17] + "1"
        for bad in (wrong_check, ID_CARD[:17], ID_CARD + "1", "1101051949123100AX", "not a number"):
            assert_error(api.post(f"{A}/people", json={"name": "n", "id_card": bad}), 400, "id_card")
        assert total(api, f"{A}/people") == 0

        first = make_person(api, id_card=ID_CARD)
        second = make_person(api, name="李四", id_card=id_card("44030419800101123"))
        assert_error(api.post(f"{A}/people", json={"name": "n", "id_card": ID_CARD}), 409)
        assert_error(api.post(f"{A}/people", json={"name": "n", "id_card": ID_CARD.lower()}), 409)
        assert_error(api.patch(f"{A}/people/{second['id']}", json={"id_card": ID_CARD}), 409)
        assert_error(api.patch(f"{A}/people/{second['id']}", json={"id_card": wrong_check}), 400, "id_card")
        assert ok(api.get(f"{A}/people/{second['id']}")) == second
        assert total(api, f"{A}/people") == 2
        # setting a person's own number again is not a duplicate
        assert ok(api.patch(f"{A}/people/{first['id']}", json={"id_card": ID_CARD}))["id_card_masked"] == ID_CARD_MASKED


def test_id_card_number_is_not_stored_in_plaintext(world):
    other = id_card("44030419800101123")
    with office(world, "county-a") as api:
        person = make_person(api, id_card=ID_CARD)
        ok(api.patch(f"{A}/people/{person['id']}", json={"id_card": other}))
        make_person(api, name="李四", id_card=ID_CARD)
        with world.ctx.db.engine.connect() as connection:
            people = connection.execute(text("SELECT * FROM people")).all()
            audit_rows = connection.execute(text("SELECT * FROM audit_log")).all()
            everything = {
                table.name: connection.execute(text(f'SELECT * FROM "{table.name}"')).all()
                for table in SQLModel.metadata.sorted_tables
            }
    assert len(people) == 2
    assert any("person" in " ".join(map(str, row)) for row in audit_rows)
    for rows in (people, audit_rows, *everything.values()):
        for row in rows:
            for value in row:
                stored = str(value).upper()
                assert ID_CARD not in stored and other not in stored, row
                assert ID_CARD[:17] not in stored and other[:17] not in stored, row


def test_person_unit_must_be_in_the_same_locality(world):
    with office(world, "county-b") as other:
        foreign_unit = make_unit(other, base=B, code="BU")
    with office(world, "county-a") as api:
        unit = make_unit(api)
        assert_error(api.post(f"{A}/people", json={"name": "n", "unit_id": foreign_unit["id"]}), 422, "unit_id")
        assert_error(api.post(f"{A}/people", json={"name": "n", "unit_id": 999999}), 422, "unit_id")
        person = make_person(api, unit_id=unit["id"])
        assert_error(api.patch(f"{A}/people/{person['id']}", json={"unit_id": foreign_unit["id"]}), 422, "unit_id")
        assert ok(api.get(f"{A}/people/{person['id']}"))["unit_id"] == unit["id"]
        assert total(api, f"{A}/people") == 1


def test_person_who_is_a_subject_cannot_be_deleted(world):
    with office(world, "county-a") as api:
        person = make_person(api)
        created(
            api.post(
                f"{A}/subjects", json={"name": "张三", "kind": "person", "ref_id": person["id"], "category": "干部"}
            )
        )
        assert_error(api.delete(f"{A}/people/{person['id']}"), 409)
        assert ok(api.get(f"{A}/people/{person['id']}")) == person


# --- subjects ---------------------------------------------------------------------------------


def test_subjects_of_each_kind(world):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        person = make_person(api, unit_id=unit["id"])
        team = created(api.post(f"{A}/teams", json={"unit_id": unit["id"], "name": "班子"}))
        subjects = {}
        for kind, ref, category in (("unit", unit, "综合部门"), ("team", team, "领导班子"), ("person", person, "干部")):
            subject = created(
                api.post(
                    f"{A}/subjects",
                    json={"name": f"{kind} subject", "kind": kind, "ref_id": ref["id"], "category": category},
                )
            )
            assert subject == {
                "id": subject["id"],
                "name": f"{kind} subject",
                "kind": kind,
                "ref_id": ref["id"],
                "category": category,
            }
            assert ok(api.get(f"{A}/subjects/{subject['id']}")) == subject
            subjects[kind] = subject
        assert total(api, f"{A}/subjects") == 3
        assert ok(api.get(f"{A}/subjects", params={"category": "干部"}))["items"] == [subjects["person"]]

        changed = ok(api.patch(f"{A}/subjects/{subjects['unit']['id']}", json={"name": "县委办", "category": "干部"}))
        assert changed == {**subjects["unit"], "name": "县委办", "category": "干部"}
        assert total(api, f"{A}/subjects?category=干部") == 2

        assert api.delete(f"{A}/subjects/{subjects['unit']['id']}").status_code == 204
        assert_error(api.get(f"{A}/subjects/{subjects['unit']['id']}"), 404)
        assert total(api, f"{A}/subjects") == 2


def test_subject_errors(world):
    with office(world, "county-b") as other:
        b_unit = make_unit(other, base=B, code="BU")
        b_person = make_person(other, base=B)
        b_team = created(other.post(f"{B}/teams", json={"unit_id": b_unit["id"], "name": "班子"}))
    with office(world, "county-a") as api:
        unit = make_unit(api)
        for kind, ref in (("unit", b_unit), ("team", b_team), ("person", b_person)):
            body = {"name": "n", "kind": kind, "ref_id": ref["id"], "category": "c"}
            assert_error(api.post(f"{A}/subjects", json=body), 422, "ref_id")
        # a ref_id is looked up among the things of its kind
        assert_error(
            api.post(f"{A}/subjects", json={"name": "n", "kind": "person", "ref_id": unit["id"], "category": "c"}),
            422,
            "ref_id",
        )
        assert total(api, f"{A}/subjects") == 0

        subject = created(
            api.post(f"{A}/subjects", json={"name": "n", "kind": "unit", "ref_id": unit["id"], "category": "c"})
        )
        assert_error(
            api.post(f"{A}/subjects", json={"name": "again", "kind": "unit", "ref_id": unit["id"], "category": "c"}),
            409,
        )
        url = f"{A}/subjects/{subject['id']}"
        assert_error(api.patch(url, json={"kind": "person"}), 400, "kind")
        assert_error(api.patch(url, json={"category": None}), 422, "category")
        assert_error(api.patch(url, json={"name": ""}), 400, "name")
        assert ok(api.get(url)) == subject
        assert total(api, f"{A}/subjects") == 1


def test_a_team_s_end_of_term_is_written_read_and_cleared(world):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        team = created(api.post(f"{A}/teams", json={"unit_id": unit["id"], "name": "t", "term_end": "2031-11-30"}))
        assert team["term_end"] == "2031-11-30"
        assert api.get(f"{A}/teams/{team['id']}").json()["term_end"] == "2031-11-30"
        patched = api.patch(f"{A}/teams/{team['id']}", json={"name": "t2"})
        assert patched.json()["term_end"] == "2031-11-30"  # left out: kept
        assert api.patch(f"{A}/teams/{team['id']}", json={"term_end": "2036-06-30"}).json()["term_end"] == "2036-06-30"
        assert api.patch(f"{A}/teams/{team['id']}", json={"term_end": None}).json()["term_end"] is None
        assert api.patch(f"{A}/teams/{team['id']}", json={"term_end": "1900-01-01"}).status_code in (400, 422)
        assert api.patch(f"{A}/teams/{team['id']}", json={"term_end": "2031-02-30"}).status_code in (400, 422)
        assert api.get(f"{A}/teams/{team['id']}").json()["term_end"] is None
