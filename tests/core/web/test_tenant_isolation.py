"""One locality never sees nor changes another's data, whatever ids or paths it tries."""

from __future__ import annotations

import pytest

from tests.helpers import created, office, ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

A = "/api/localities/county-a"
B = "/api/localities/county-b"
COLLECTIONS = ("units", "teams", "people", "subjects")
ID_CARD = "11010519491231002X"


def assert_404(response) -> None:
    assert response.status_code == 404, f"{response.request.method} {response.request.url}: {response.text}"
    assert response.json()["status_code"] == 404


def populate(api, base: str, prefix: str) -> dict[str, list[dict]]:
    """A unit tree, people (one with an ID card), a team with members, and a subject of each kind."""
    top = created(api.post(f"{base}/units", json={"code": f"{prefix}-TOP", "name": f"{prefix} 县委"}))
    sub = created(
        api.post(f"{base}/units", json={"code": f"{prefix}-SUB", "name": f"{prefix} 县委办", "parent_id": top["id"]})
    )
    lead = created(
        api.post(f"{base}/people", json={"name": f"{prefix} 王五", "unit_id": sub["id"], "id_card": ID_CARD})
    )
    deputy = created(api.post(f"{base}/people", json={"name": f"{prefix} 赵六", "unit_id": sub["id"]}))
    team = created(
        api.post(
            f"{base}/teams",
            json={
                "unit_id": sub["id"],
                "name": f"{prefix} 班子",
                "members": [
                    {"person_id": lead["id"], "post": "主要领导"},
                    {"person_id": deputy["id"], "post": "分管领导"},
                ],
            },
        )
    )
    subjects = [
        created(
            api.post(
                f"{base}/subjects",
                json={"name": f"{prefix} {kind}", "kind": kind, "ref_id": ref["id"], "category": "c"},
            )
        )
        for kind, ref in (("unit", sub), ("team", team), ("person", lead))
    ]
    return {"units": [top, sub], "people": [lead, deputy], "teams": [team], "subjects": subjects}


def snapshot(api, base: str) -> dict:
    return {path: ok(api.get(f"{base}/{path}", params={"limit": 1000}))["items"] for path in (*COLLECTIONS, "audit")}


PATCHES = {
    "units": {"name": "taken over"},
    "teams": {"name": "taken over"},
    "people": {"name": "taken over"},
    "subjects": {"name": "taken over"},
}


@pytest.fixture
def two_localities(world):
    """Locality A populated first, then B: every id of A is different from every id of B."""
    a_api = office(world, "county-a")
    b_api = office(world, "county-b")
    a_data = populate(a_api, A, "A")
    b_data = populate(b_api, B, "B")
    for path in COLLECTIONS:
        assert {item["id"] for item in a_data[path]}.isdisjoint(item["id"] for item in b_data[path])
    yield a_api, b_api, a_data, b_data
    a_api.close()
    b_api.close()


def test_ids_of_another_locality_are_not_found_through_either_path(two_localities):
    a_api, b_api, a_data, _ = two_localities
    before = snapshot(a_api, A)
    for path in COLLECTIONS:
        for item in a_data[path]:
            for base in (B, A):
                url = f"{base}/{path}/{item['id']}"
                assert_404(b_api.get(url))
                assert_404(b_api.patch(url, json=PATCHES[path]))
                assert_404(b_api.delete(url))
    for path in (*COLLECTIONS, "audit"):
        assert_404(b_api.get(f"{A}/{path}"))
    assert_404(b_api.post(f"{A}/units", json={"code": "X", "name": "n"}))
    assert_404(b_api.post(f"{A}/people", json={"name": "n"}))
    assert_404(b_api.get("/api/localities/county-a"))
    assert snapshot(a_api, A) == before


def test_a_404_for_another_localitys_id_reveals_nothing(two_localities):
    _, b_api, a_data, _ = two_localities
    missing = 999999
    for path in COLLECTIONS:
        foreign = a_data[path][0]["id"]
        answer = b_api.get(f"{B}/{path}/{foreign}").json()
        nothing = b_api.get(f"{B}/{path}/{missing}").json()
        assert answer["detail"].replace(str(foreign), "N") == nothing["detail"].replace(str(missing), "N")
    assert b_api.get(f"{A}/units").json()["detail"] == b_api.get("/api/localities/nowhere/units").json()[
        "detail"
    ].replace("nowhere", "county-a")


def test_references_to_another_localitys_ids_are_refused(two_localities):
    a_api, b_api, a_data, b_data = two_localities
    before = snapshot(a_api, A)
    b_before = {path: ok(b_api.get(f"{B}/{path}"))["total"] for path in COLLECTIONS}
    a_unit, a_person, a_team = a_data["units"][1], a_data["people"][0], a_data["teams"][0]
    b_unit, b_person, b_team = b_data["units"][1], b_data["people"][1], b_data["teams"][0]

    refused = [
        (b_api.post(f"{B}/units", json={"code": "X", "name": "n", "parent_id": a_unit["id"]}), "parent_id"),
        (b_api.patch(f"{B}/units/{b_unit['id']}", json={"parent_id": a_unit["id"]}), "parent_id"),
        (b_api.post(f"{B}/people", json={"name": "n", "unit_id": a_unit["id"]}), "unit_id"),
        (b_api.patch(f"{B}/people/{b_person['id']}", json={"unit_id": a_unit["id"]}), "unit_id"),
        (b_api.post(f"{B}/teams", json={"unit_id": a_unit["id"], "name": "t"}), "unit_id"),
        (b_api.patch(f"{B}/teams/{b_team['id']}", json={"unit_id": a_unit["id"]}), "unit_id"),
        (
            b_api.post(
                f"{B}/teams", json={"unit_id": b_unit["id"], "name": "t", "members": [{"person_id": a_person["id"]}]}
            ),
            "members[0].person_id",
        ),
        (
            b_api.patch(f"{B}/teams/{b_team['id']}", json={"members": [{"person_id": a_person["id"]}]}),
            "members[0].person_id",
        ),
    ]
    for kind, ref in (("unit", a_unit), ("team", a_team), ("person", a_person)):
        refused.append(
            (
                b_api.post(f"{B}/subjects", json={"name": "s", "kind": kind, "ref_id": ref["id"], "category": "c"}),
                "ref_id",
            )
        )
    for response, field in refused:
        assert response.status_code == 422, (response.request.url, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]

    assert snapshot(a_api, A) == before
    assert {path: ok(b_api.get(f"{B}/{path}"))["total"] for path in COLLECTIONS} == b_before
    assert ok(b_api.get(f"{B}/teams/{b_team['id']}")) == b_team


def test_lists_of_one_locality_never_contain_anothers_items(two_localities):
    a_api, b_api, a_data, b_data = two_localities
    for path in COLLECTIONS:
        b_items = ok(b_api.get(f"{B}/{path}", params={"limit": 1000}))["items"]
        assert sorted(i["id"] for i in b_items) == sorted(i["id"] for i in b_data[path])
        assert not any(str(i.get("name", "")).startswith("A ") for i in b_items)
        a_items = ok(a_api.get(f"{A}/{path}", params={"limit": 1000}))["items"]
        assert sorted(i["id"] for i in a_items) == sorted(i["id"] for i in a_data[path])
    # a filter by another locality's unit finds nothing
    assert ok(b_api.get(f"{B}/people", params={"unit_id": a_data["units"][1]["id"]}))["items"] == []
    assert [loc["code"] for loc in ok(b_api.get("/api/localities"))] == ["county-b"]


def test_the_same_id_card_number_in_two_localities_does_not_collide(two_localities):
    _, b_api, a_data, b_data = two_localities
    # both localities already hold a person with ID_CARD: neither learns of the other's
    assert a_data["people"][0]["id_card_masked"] == b_data["people"][0]["id_card_masked"]
    b_other = b_data["people"][1]
    assert b_api.patch(f"{B}/people/{b_other['id']}", json={"id_card": ID_CARD}).status_code == 409  # B's own duplicate


def test_audit_log_of_one_locality_never_shows_anothers_entries(two_localities):
    a_api, b_api, a_data, _ = two_localities
    # B probes A, which must leave no trace in either log
    for path in COLLECTIONS:
        b_api.delete(f"{B}/{path}/{a_data[path][0]['id']}")
        b_api.patch(f"{A}/{path}/{a_data[path][0]['id']}", json=PATCHES[path])
    a_log = ok(a_api.get(f"{A}/audit", params={"limit": 1000}))
    b_log = ok(b_api.get(f"{B}/audit", params={"limit": 1000}))
    assert a_log["total"] == len(a_log["items"]) > 0 and b_log["total"] == len(b_log["items"]) > 0
    assert {e["id"] for e in a_log["items"]}.isdisjoint(e["id"] for e in b_log["items"])
    assert {e["actor"] for e in b_log["items"]} <= {"office-county-b", "test"}
    assert {e["actor"] for e in a_log["items"]} <= {"office-county-a", "test"}
    b_text = b_api.get(f"{B}/audit", params={"limit": 1000}).text
    for path in COLLECTIONS:
        for item in a_data[path]:
            assert item["name"] not in b_text
    # B's log holds B's own writes (its token, 2 units, 2 people, 1 team, 3 subjects) and nothing of the probes
    writes = [e["action"] for e in b_log["items"] if e["actor"] == "office-county-b"]
    assert sorted(writes) == sorted(
        ["api.create"] + ["unit.create"] * 2 + ["person.create"] * 2 + ["team.create"] + ["subject.create"] * 3
    )
