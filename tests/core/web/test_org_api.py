"""The organisation API over HTTP: localities, units, bad input, paging and roles.

Every client made here fails the test on any 5xx answer, so each request also checks that the
server never breaks on the input. Teams, people and subjects: test_org_people_api.py.
"""

from __future__ import annotations

import pytest

from tests.core.web.org_setup import (
    A,
    B,
    as_user,
    assert_error,
    guarded,
    make_person,
    make_unit,
    total,
)
from tests.helpers import created, office, ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

# --- localities -------------------------------------------------------------------------------


def test_platform_admin_creates_localities_with_a_parent(world):
    admin = as_user(world, "root", "platform_admin")
    city = created(admin.post("/api/localities", json={"code": "city-x", "name": "某市"}))
    assert city["code"] == "city-x" and city["name"] == "某市" and city["parent_code"] is None
    county = created(admin.post("/api/localities", json={"code": "county-x", "name": "某县", "parent_code": "city-x"}))
    assert county["parent_code"] == "city-x"
    assert ok(admin.get("/api/localities/county-x")) == county
    codes = [loc["code"] for loc in ok(admin.get("/api/localities"))]
    assert {"city-x", "county-x"} <= set(codes)


def test_locality_creation_errors_create_nothing(world):
    admin = as_user(world, "root", "platform_admin")
    created(admin.post("/api/localities", json={"code": "city-x", "name": "某市"}))

    assert_error(admin.post("/api/localities", json={"code": "city-x", "name": "again"}), 409)
    assert_error(
        admin.post("/api/localities", json={"code": "c2", "name": "n", "parent_code": "nowhere"}), 422, "parent_code"
    )
    assert_error(admin.post("/api/localities", json={"code": "has space", "name": "n"}), 400, "code")
    assert_error(admin.post("/api/localities", json={"code": "c/3", "name": "n"}), 400, "code")
    assert_error(admin.post("/api/localities", json={"code": "c4", "name": "n", "extra": 1}), 400, "extra")
    assert_error(admin.post("/api/localities", json={"code": "c5"}), 400, "name")

    with office(world, "county-a") as api:
        assert_error(api.post("/api/localities", json={"code": "c6", "name": "n"}), 403)
    codes = sorted(loc["code"] for loc in ok(admin.get("/api/localities")))
    assert codes == ["city-x", "county-a"]
    assert ok(admin.get("/api/localities/city-x"))["name"] == "某市"


def test_get_locality_only_the_callers_own(world):
    with office(world, "county-a") as api:
        world.locality("county-b")
        assert ok(api.get("/api/localities/county-a"))["code"] == "county-a"
        assert_error(api.get("/api/localities/county-b"), 404)
        assert_error(api.get("/api/localities/nowhere"), 404)
        assert [loc["code"] for loc in ok(api.get("/api/localities"))] == ["county-a"]
    with guarded(world.client()) as anonymous:
        assert_error(anonymous.get("/api/localities/county-a"), 401)
        assert_error(anonymous.get(f"{A}/units"), 401)
        assert_error(anonymous.post(f"{A}/units", json={"code": "U1", "name": "n"}), 401)


# --- units ------------------------------------------------------------------------------------


def test_unit_create_read_update_delete(world):
    with office(world, "county-a") as api:
        unit = make_unit(api, type="综合部门", duties="统筹协调", contact_name="李四", contact_phone="0851-1234567")
        assert unit == {
            "id": unit["id"],
            "code": "U1",
            "name": "县委办",
            "type": "综合部门",
            "parent_id": None,
            "duties": "统筹协调",
            "contact_name": "李四",
            "contact_phone": "0851-1234567",
        }
        assert ok(api.get(f"{A}/units/{unit['id']}")) == unit
        assert ok(api.get(f"{A}/units"))["items"] == [unit]

        changed = ok(api.patch(f"{A}/units/{unit['id']}", json={"name": "县委办公室", "contact_phone": ""}))
        assert changed == {**unit, "name": "县委办公室", "contact_phone": ""}
        assert ok(api.get(f"{A}/units/{unit['id']}")) == changed

        assert api.delete(f"{A}/units/{unit['id']}").status_code == 204
        assert_error(api.get(f"{A}/units/{unit['id']}"), 404)
        assert ok(api.get(f"{A}/units")) == {"items": [], "total": 0, "limit": 100, "offset": 0}


def test_duplicate_unit_code_is_a_conflict(world):
    with office(world, "county-a") as api:
        first = make_unit(api, code="U1")
        second = make_unit(api, code="U2", name="组织部")
        assert_error(api.post(f"{A}/units", json={"code": "U1", "name": "again"}), 409)
        assert_error(api.patch(f"{A}/units/{second['id']}", json={"code": "U1"}), 409)
        assert ok(api.get(f"{A}/units/{second['id']}"))["code"] == "U2"
        assert ok(api.get(f"{A}/units/{first['id']}"))["name"] == "县委办"
        assert total(api, f"{A}/units") == 2
        # the same code in another locality is fine
        with office(world, "county-b") as other:
            make_unit(other, base=B, code="U1")


def test_unit_tree_refuses_cycles(world):
    with office(world, "county-a") as api:
        top = make_unit(api, code="TOP")
        mid = make_unit(api, code="MID", parent_id=top["id"])
        low = make_unit(api, code="LOW", parent_id=mid["id"])

        for parent in (low["id"], mid["id"], top["id"]):
            body = assert_error(api.patch(f"{A}/units/{top['id']}", json={"parent_id": parent}), 422, "parent_id")
            assert "parent_id" in body["detail"]
        assert ok(api.get(f"{A}/units/{top['id']}"))["parent_id"] is None

        # a legal move and back to the root
        assert ok(api.patch(f"{A}/units/{low['id']}", json={"parent_id": top["id"]}))["parent_id"] == top["id"]
        assert ok(api.patch(f"{A}/units/{low['id']}", json={"parent_id": None}))["parent_id"] is None
        assert_error(api.post(f"{A}/units", json={"code": "X", "name": "n", "parent_id": 999999}), 422, "parent_id")


def test_unit_parent_must_be_in_the_same_locality(world):
    with office(world, "county-b") as other:
        foreign = make_unit(other, base=B, code="BU")
    with office(world, "county-a") as api:
        unit = make_unit(api)
        assert_error(
            api.post(f"{A}/units", json={"code": "U2", "name": "n", "parent_id": foreign["id"]}), 422, "parent_id"
        )
        assert_error(api.patch(f"{A}/units/{unit['id']}", json={"parent_id": foreign["id"]}), 422, "parent_id")
        assert ok(api.get(f"{A}/units/{unit['id']}"))["parent_id"] is None
        assert total(api, f"{A}/units") == 1


def test_deleting_a_unit_in_use_is_a_conflict_and_deletes_nothing(world):
    with office(world, "county-a") as api:
        parent = make_unit(api, code="P")
        child = make_unit(api, code="C", parent_id=parent["id"])
        staffed = make_unit(api, code="S")
        person = make_person(api, unit_id=staffed["id"])

        assert_error(api.delete(f"{A}/units/{parent['id']}"), 409)
        assert_error(api.delete(f"{A}/units/{staffed['id']}"), 409)
        assert ok(api.get(f"{A}/units/{parent['id']}"))["code"] == "P"
        assert ok(api.get(f"{A}/units/{child['id']}"))["parent_id"] == parent["id"]
        assert ok(api.get(f"{A}/people/{person['id']}"))["unit_id"] == staffed["id"]
        assert total(api, f"{A}/units") == 3

        # once the blockers are gone the delete goes through
        assert api.delete(f"{A}/units/{child['id']}").status_code == 204
        assert api.delete(f"{A}/units/{parent['id']}").status_code == 204
        ok(api.patch(f"{A}/people/{person['id']}", json={"unit_id": None}))
        assert api.delete(f"{A}/units/{staffed['id']}").status_code == 204
        assert total(api, f"{A}/units") == 0


def test_unit_used_by_a_team_or_subject_cannot_be_deleted(world):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        team = created(api.post(f"{A}/teams", json={"unit_id": unit["id"], "name": "班子"}))
        assert_error(api.delete(f"{A}/units/{unit['id']}"), 409)
        assert api.delete(f"{A}/teams/{team['id']}").status_code == 204
        subject = created(
            api.post(f"{A}/subjects", json={"name": "县委办", "kind": "unit", "ref_id": unit["id"], "category": "综合"})
        )
        assert_error(api.delete(f"{A}/units/{unit['id']}"), 409)
        assert ok(api.get(f"{A}/units/{unit['id']}"))["id"] == unit["id"]
        assert api.delete(f"{A}/subjects/{subject['id']}").status_code == 204
        assert api.delete(f"{A}/units/{unit['id']}").status_code == 204


# --- bad input --------------------------------------------------------------------------------


def test_malformed_json_is_a_400(world):
    with office(world, "county-a") as api:
        for path in ("units", "teams", "people", "subjects"):
            response = api.post(
                f"{A}/{path}", content=b'{"code": "U1", "name": ', headers={"content-type": "application/json"}
            )
            assert_error(response, 400)
            assert_error(api.post(f"{A}/{path}", json=[1, 2]), 400)
        unit = make_unit(api)
        response = api.patch(
            f"{A}/units/{unit['id']}", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert_error(response, 400)
        assert ok(api.get(f"{A}/units"))["items"] == [unit]


BAD_FIELDS = [  # (collection, body, the field the 400 must name)
    ("units", {"code": 5, "name": "n"}, "code"),
    ("units", {"code": "U9", "name": "n", "parent_id": "abc"}, "parent_id"),
    ("units", {"code": "U9", "name": "n", "parent_id": 1.5}, "parent_id"),
    ("units", {"code": "U9", "name": ["n"]}, "name"),
    ("units", {"code": "U9", "name": "   "}, "name"),
    ("units", {"code": "U 9", "name": "n"}, "code"),
    ("units", {"code": "U9", "name": "n", "type": "t" * 51}, "type"),
    ("units", {"code": "U9", "name": "n", "contact_phone": "1" * 51}, "contact_phone"),
    ("units", {"code": "U9", "name": "n", "parent_id": 2**31}, "parent_id"),
    ("units", {"code": "U9", "name": "n", "parent_id": 10**30}, "parent_id"),
    ("units", {"code": "U9", "name": "n", "colour": "red"}, "colour"),
    ("teams", {"unit_id": "one", "name": "n"}, "unit_id"),
    ("teams", {"unit_id": True, "name": "n"}, "unit_id"),  # ids are JSON integers: true is not 1
    ("teams", {"unit_id": "1", "name": "n"}, "unit_id"),
    ("units", {"code": "U9", "name": "n", "parent_id": True}, "parent_id"),
    ("teams", {"unit_id": 1, "name": "n", "members": {"person_id": 1}}, "members"),
    ("teams", {"unit_id": 1, "name": "n", "members": [{"person_id": 1, "role": "x"}]}, "members.0.role"),
    ("teams", {"unit_id": 1, "name": "n", "members": [{"person_id": 1, "post": "p" * 51}]}, "members.0.post"),
    ("teams", {"unit_id": 1, "name": "n", "leader": 1}, "leader"),
    ("people", {"name": 7}, "name"),
    ("people", {"name": "n" * 101}, "name"),
    ("people", {"name": "n", "gender": "g" * 11}, "gender"),
    ("people", {"name": "n", "native_place": "x" * 101}, "native_place"),
    ("people", {"name": "n", "birth_date": "1970/01"}, "birth_date"),
    ("people", {"name": "n", "post_history": [{"post": "p", "start": "soon"}]}, "post_history.0.start"),
    ("people", {"name": "n", "unit_id": 2**40}, "unit_id"),
    ("people", {"name": "n", "id_card": 123}, "id_card"),
    ("people", {"name": "n", "id_card_cipher": "x"}, "id_card_cipher"),
    ("subjects", {"name": "n", "kind": "building", "category": "c"}, "kind"),
    ("subjects", {"name": "n", "kind": "unit", "category": "c" * 101}, "category"),
    ("subjects", {"name": "n", "kind": "unit", "ref_id": "x", "category": "c"}, "ref_id"),
    ("subjects", {"name": "n", "kind": "unit", "ref_id": 2**31, "category": "c"}, "ref_id"),
    ("subjects", {"name": "n", "kind": "unit"}, "category"),
]


def test_bad_fields_are_a_400_naming_the_field(world):
    with office(world, "county-a") as api:
        for path, body, field in BAD_FIELDS:
            response = api.post(f"{A}/{path}", json=body)
            assert response.status_code == 400, (path, body, response.text)
            assert_error(response, 400, field)
        for path in ("units", "teams", "people", "subjects"):
            assert total(api, f"{A}/{path}") == 0


def test_bad_fields_in_a_patch_are_refused(world):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        person = make_person(api)
        url = f"{A}/units/{unit['id']}"
        assert_error(api.patch(url, json={"name": 5}), 400, "name")
        assert_error(api.patch(url, json={"type": "t" * 51}), 400, "type")
        assert_error(api.patch(url, json={"parent_id": 2**31}), 400, "parent_id")
        assert_error(api.patch(url, json={"bogus": 1}), 400, "bogus")
        assert_error(api.patch(url, json={"code": None}), 422, "code")
        assert_error(api.patch(url, json={"name": None}), 422, "name")
        assert ok(api.get(url)) == unit
        url = f"{A}/people/{person['id']}"
        assert_error(api.patch(url, json={"name": "n" * 101}), 400, "name")
        assert_error(api.patch(url, json={"rank": "r" * 51}), 400, "rank")
        assert_error(api.patch(url, json={"name": None}), 422, "name")
        assert ok(api.get(url)) == person


def test_unknown_locality_is_a_404_everywhere(world):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        for path in ("units", "teams", "people", "subjects", "audit"):
            assert_error(api.get(f"/api/localities/nowhere/{path}"), 404)
        bodies = {
            "units": {"code": "U2", "name": "n"},
            "teams": {"unit_id": unit["id"], "name": "n"},
            "people": {"name": "n"},
            "subjects": {"name": "n", "kind": "unit", "category": "c"},
        }
        for path, body in bodies.items():
            assert_error(api.post(f"/api/localities/nowhere/{path}", json=body), 404)
            assert_error(api.get(f"/api/localities/nowhere/{path}/{unit['id']}"), 404)
            assert_error(api.patch(f"/api/localities/nowhere/{path}/{unit['id']}", json={"name": "x"}), 404)
            assert_error(api.delete(f"/api/localities/nowhere/{path}/{unit['id']}"), 404)
        assert ok(api.get(f"{A}/units/{unit['id']}")) == unit


def test_unknown_item_ids_are_a_404(world):
    with office(world, "county-a") as api:
        make_unit(api)
        for item_id in (999999, 0, -1, 2**31, 2**63, 10**20):
            for path in ("units", "teams", "people", "subjects"):
                assert_error(api.get(f"{A}/{path}/{item_id}"), 404)
                assert_error(api.patch(f"{A}/{path}/{item_id}", json={"name": "x"}), 404)
                assert_error(api.delete(f"{A}/{path}/{item_id}"), 404)
        assert total(api, f"{A}/units") == 1


def test_pagination(world):
    with office(world, "county-a") as api:
        codes = [f"U{i}" for i in range(5)]
        for code in reversed(codes):
            make_unit(api, code=code, name=f"unit {code}")
        page1 = ok(api.get(f"{A}/units", params={"limit": 2}))
        page2 = ok(api.get(f"{A}/units", params={"limit": 2, "offset": 2}))
        page3 = ok(api.get(f"{A}/units", params={"limit": 2, "offset": 4}))
        beyond = ok(api.get(f"{A}/units", params={"limit": 2, "offset": 10}))
        assert (page1["total"], page1["limit"], page1["offset"]) == (5, 2, 0)
        assert (page2["total"], page2["offset"]) == (5, 2)
        assert [u["code"] for p in (page1, page2, page3) for u in p["items"]] == codes
        assert beyond == {"items": [], "total": 5, "limit": 2, "offset": 10}

        assert_error(api.get(f"{A}/units", params={"limit": 0}), 400, "limit")
        assert_error(api.get(f"{A}/units", params={"limit": 1001}), 400, "limit")
        assert_error(api.get(f"{A}/units", params={"limit": "ten"}), 400, "limit")
        assert_error(api.get(f"{A}/units", params={"offset": -1}), 400, "offset")
        assert_error(api.get(f"{A}/units", params={"offset": 10**20}), 400, "offset")
        assert_error(api.get(f"{A}/people", params={"unit_id": 10**10}), 400, "unit_id")
        for path in ("teams", "people", "subjects", "audit"):
            assert_error(api.get(f"{A}/{path}", params={"limit": 0}), 400, "limit")


def test_pagination_of_people_teams_and_subjects(world):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        people = [make_person(api, name=f"p{i}", unit_id=unit["id"]) for i in range(3)]
        for i, person in enumerate(people):
            created(api.post(f"{A}/teams", json={"unit_id": unit["id"], "name": f"t{i}"}))
            created(
                api.post(
                    f"{A}/subjects",
                    json={"name": person["name"], "kind": "person", "ref_id": person["id"], "category": "干部"},
                )
            )
        for path in ("people", "teams", "subjects"):
            first = ok(api.get(f"{A}/{path}", params={"limit": 2}))
            rest = ok(api.get(f"{A}/{path}", params={"limit": 2, "offset": 2}))
            assert first["total"] == rest["total"] == 3
            ids = [item["id"] for item in first["items"] + rest["items"]]
            assert len(ids) == len(set(ids)) == 3


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["cadre", "leader"])
def test_roles_without_write_access_get_403(world, role):
    with office(world, "county-a") as api:
        unit = make_unit(api)
        person = make_person(api, unit_id=unit["id"])
        team = created(api.post(f"{A}/teams", json={"unit_id": unit["id"], "name": "班子"}))
        subject = created(
            api.post(f"{A}/subjects", json={"name": "s", "kind": "unit", "ref_id": unit["id"], "category": "c"})
        )
        items = {"units": unit, "people": person, "teams": team, "subjects": subject}
        bodies = {
            "units": {"code": "U2", "name": "n"},
            "people": {"name": "n", "unit_id": unit["id"]},
            "teams": {"unit_id": unit["id"], "name": "t2"},
            "subjects": {"name": "s2", "kind": "person", "ref_id": person["id"], "category": "c"},
        }
        with as_user(world, f"{role}-1", role, "county-a", "U1") as user:
            for path, item in items.items():
                assert_error(user.post(f"{A}/{path}", json=bodies[path]), 403)
                assert_error(user.patch(f"{A}/{path}/{item['id']}", json={"name": "changed"}), 403)
                assert_error(user.delete(f"{A}/{path}/{item['id']}"), 403)
            assert_error(user.get(f"{A}/people"), 403)
            assert_error(user.get(f"{A}/audit"), 403)
        for path, item in items.items():
            assert ok(api.get(f"{A}/{path}/{item['id']}")) == item
            assert total(api, f"{A}/{path}") == 1


def test_unit_admin_sees_and_edits_only_people_of_its_unit(world):
    with office(world, "county-a") as api:
        own = make_unit(api, code="OWN")
        elsewhere = make_unit(api, code="ELSE", name="组织部")
        mine = make_person(api, name="本单位", unit_id=own["id"])
        theirs = make_person(api, name="外单位", unit_id=elsewhere["id"])
        floating = make_person(api, name="无单位")

        with as_user(world, "unit-admin", "unit_admin", "county-a", "OWN") as admin:
            assert [p["id"] for p in ok(admin.get(f"{A}/people"))["items"]] == [mine["id"]]
            assert ok(admin.get(f"{A}/people", params={"unit_id": elsewhere["id"]}))["items"] == []
            assert ok(admin.get(f"{A}/people/{mine['id']}")) == mine
            for person in (theirs, floating):
                assert_error(admin.get(f"{A}/people/{person['id']}"), 404)
                assert_error(admin.patch(f"{A}/people/{person['id']}", json={"name": "changed"}), 404)
                assert_error(admin.delete(f"{A}/people/{person['id']}"), 404)

            assert ok(admin.patch(f"{A}/people/{mine['id']}", json={"post": "科长"}))["post"] == "科长"
            assert_error(admin.patch(f"{A}/people/{mine['id']}", json={"unit_id": elsewhere["id"]}), 422, "unit_id")
            assert_error(admin.patch(f"{A}/people/{mine['id']}", json={"unit_id": None}), 422, "unit_id")
            assert_error(admin.post(f"{A}/people", json={"name": "n", "unit_id": elsewhere["id"]}), 422, "unit_id")
            assert_error(admin.post(f"{A}/people", json={"name": "n"}), 422, "unit_id")
            new = created(admin.post(f"{A}/people", json={"name": "新人", "unit_id": own["id"]}))
            assert admin.delete(f"{A}/people/{new['id']}").status_code == 204

            # units, teams and subjects are the office's to change
            assert_error(admin.post(f"{A}/units", json={"code": "X", "name": "n"}), 403)
            assert_error(admin.patch(f"{A}/units/{own['id']}", json={"name": "n"}), 403)
            assert_error(admin.post(f"{A}/teams", json={"unit_id": own["id"], "name": "t"}), 403)
            assert_error(
                admin.post(f"{A}/subjects", json={"name": "s", "kind": "unit", "ref_id": own["id"], "category": "c"}),
                403,
            )

        assert ok(api.get(f"{A}/people/{theirs['id']}")) == theirs
        assert ok(api.get(f"{A}/people/{floating['id']}")) == floating
        assert ok(api.get(f"{A}/people/{mine['id']}"))["post"] == "科长"
        assert total(api, f"{A}/people") == 3
        assert ok(api.get(f"{A}/units/{own['id']}")) == own
