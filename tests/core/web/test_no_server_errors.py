"""No 5xx from a client's input, and the OpenAPI document says what the server does (issue 12.1).

- every integer in a path is bounded in one place (core/web/params.py): beyond the database's
  ids, 404 on any route, the API's, a plugin's or a page's;
- deleting a subject that campaigns, values, results or ballots refer to is a 409 naming them;
- whatever constraint the database itself refuses is a 409 (a value it cannot hold a 422),
  with a message, never a 500 (core/web/errors.py);
- bodies are read as their JSON says (no 0 for false, no "40" for 40): exactly what the
  document says is accepted;
- the document: closed input schemas, enums, bounds, binary files, the error answers.

schemathesis holds the whole document to the server in tests/core/web/test_openapi_fuzz.py.
"""

from __future__ import annotations

import pytest

from tests.campaign_setup import full_items
from tests.helpers import created, office, ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

A = "/api/localities/county-a"
ZH = {"Accept-Language": "zh-CN"}
BEYOND = (0, -1, 2**31, 2**63, 10**30)


def test_an_id_beyond_the_databases_range_is_404_on_every_kind_of_route(world, setup):
    api = setup.api
    for value in BEYOND:
        for path in (
            f"/api/campaigns/{value}",
            f"/api/campaigns/{value}/accounts",
            f"/api/templates/{value}",
            f"{A}/units/{value}",
            f"/api/adapter-sources/{value}/runs",
            f"/api/campaigns/{setup.campaign_id}/accounts/{value}/revoke",
            f"/api/campaigns/{value}/example",  # a plugin's route: its guard reads the campaign
            f"/admin/localities/county-a/sources/{value}",  # a page
            f"/admin/adapter-sources/{value}",
        ):  # an old page's address, kept for bookmarks
            method = "POST" if path.endswith("/revoke") else "GET"
            response = api.request(method, path, headers={"Accept": "application/json"})
            assert response.status_code == 404, (path, response.status_code, response.text)
    answer = api.get(f"/api/campaigns/{2**63}", headers=ZH).json()
    assert answer["detail"] == f"没有 item_id 为 {2**63} 的对象：编号是 1 到 2147483647 之间的整数"


def test_a_subject_still_referred_to_cannot_be_deleted_and_the_answer_names_what_refers_to_it(world, setup):
    api = setup.api
    subject = setup.subject_ids[0]
    ok(
        api.put(
            f"{A}/indicator-values",
            json=[
                {
                    "subject_id": subject,
                    "indicator_code": "BONUS",
                    "template_id": setup.template_id,
                    "period": "2026",
                    "value": 1,
                }
            ],
        )
    )
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    with world.client() as client:
        token = ok(client.post("/api/ballot/login", json={"code": account["code"]}))["token"]
    with world.client(token) as voter:
        ok(voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}))
    setup.close()
    ok(api.post(f"/api/campaigns/{setup.campaign_id}/tally"))

    response = api.delete(f"{A}/subjects/{subject}", headers=ZH)
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["detail"] == "评价对象 单位0 不能删除：仍有测评、指标值、结果或测评票引用它"
    assert body["errors"] == [
        {"field": "campaigns", "message": "1 个测评包含它"},
        {"field": "indicator_values", "message": "1 个指标值属于它"},
        {"field": "results", "message": "1 个测评结果属于它"},
        {"field": "ballots", "message": "1 张测评票评价了它"},
    ]
    english = api.delete(f"{A}/subjects/{subject}").json()
    assert english["errors"][0]["message"] == "1 campaign(s) assess it"
    assert ok(api.get(f"{A}/subjects/{subject}"))["id"] == subject
    # a subject nothing refers to goes
    unit = created(api.post(f"{A}/units", json={"code": "U9", "name": "单位9"}))
    free = created(
        api.post(f"{A}/subjects", json={"name": "单位9", "kind": "unit", "ref_id": unit["id"], "category": "c"})
    )
    assert api.delete(f"{A}/subjects/{free['id']}").status_code == 204


def test_what_the_database_refuses_is_a_409_or_a_422_with_a_message(ctx):
    from litestar import Litestar, get
    from litestar.testing import TestClient
    from sqlalchemy.exc import DataError, IntegrityError

    from core.web.errors import exception_handlers

    @get("/constraint", sync_to_thread=False)
    def constraint() -> None:
        raise IntegrityError("INSERT ...", {}, Exception("FOREIGN KEY constraint failed"))

    @get("/range", sync_to_thread=False)
    def out_of_range() -> None:
        raise DataError("SELECT ...", {}, Exception("integer out of range"))

    @get("/overflow", sync_to_thread=False)
    def overflow() -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    app = Litestar([constraint, out_of_range, overflow], exception_handlers=exception_handlers)
    with TestClient(app) as client:
        answer = client.get("/constraint", headers=ZH)
        assert answer.status_code == 409
        assert answer.json() == {
            "status_code": 409,
            "errors": [],
            "detail": "此项修改与引用它的数据或必须唯一的值冲突；未作任何修改",
        }
        assert "FOREIGN KEY" not in client.get("/constraint").text  # the database's words stay in the log
        for path in ("/range", "/overflow"):
            answer = client.get(path)
            assert answer.status_code == 422
            assert answer.json()["detail"] == "a value is too large or too long for the database; nothing was changed"


def test_bodies_are_read_as_their_json_says(world):
    with office(world, "county-a") as api:
        unit = created(api.post(f"{A}/units", json={"code": "U1", "name": "县委办"}))
        for body in (
            {"code": "U2", "name": "x", "parent_id": str(unit["id"])},  # "1" is no id
            {"code": "U2", "name": "x", "parent_id": True},
            {"code": 2, "name": "x"},
            {"code": "U2", "name": "x", "extra": 1},
        ):
            response = api.post(f"{A}/units", json=body)
            assert response.status_code == 400, (body, response.text)
        assert created(api.post(f"{A}/units", json={"code": "U2", "name": "x", "parent_id": unit["id"]}))
        template = {
            "name": "t",
            "grade_scale": [{"label": "好", "score": 90}, {"label": "差", "score": 60}],
            "indicators": [{"code": "A", "name": "甲", "weight": "40"}],
        }
        assert api.post(f"{A}/templates", json=template).status_code == 400  # "40" is text
        template["indicators"][0]["weight"] = 40
        assert api.post(f"{A}/templates", json=template).status_code == 201
        campaign = {"name": "c", "kind": "democratic", "opens_at": 1_800_000_000}  # seconds are no date
        assert api.post(f"{A}/campaigns", json=campaign).status_code == 400
        campaign["opens_at"] = "2027-01-01T09:00:00+08:00"
        assert created(api.post(f"{A}/campaigns", json=campaign))["opens_at"].startswith("2027-01-01T01:00:00")
        # any model that refuses unknown fields, not only In's
        assert api.put(f"{A}/plugins/tabular_file", json={"enabled": 1}).status_code == 400
        assert ok(api.put(f"{A}/plugins/tabular_file", json={"enabled": True}))["enabled"] is True


def test_the_openapi_document_says_what_the_server_does(world):
    document = ok(world.client().get("/schema/openapi.json"))
    schemas = document["components"]["schemas"]
    paths = document["paths"]
    # closed inputs, with their bounds, also where a field is optional
    assert schemas["UnitIn"]["additionalProperties"] is False
    assert schemas["BallotIn"]["additionalProperties"] is False  # a msgspec struct
    assert "additionalProperties" not in schemas["UnitOut"]
    parent = schemas["UnitIn"]["properties"]["parent_id"]["anyOf"][0]
    assert (parent["minimum"], parent["maximum"]) == (1, 2**31 - 1)
    item_id = paths["/api/localities/{code}/units/{item_id}"]["get"]["parameters"][1]
    assert (item_id["schema"]["minimum"], item_id["schema"]["maximum"]) == (1, 2**31 - 1)
    # enums
    imports = paths["/api/localities/{code}/imports/{kind}"]
    kind = next(p for p in imports["post"]["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == ["units", "people", "teams"]
    upload = imports["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["required"] == ["data"] and upload["properties"]["data"]["format"] == "binary"
    # files are files
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert list(paths["/api/campaigns/{item_id}/results.xlsx"]["get"]["responses"]["200"]["content"]) == [xlsx]
    slips = next(path for path in paths if path.startswith("/api/campaigns/") and path.endswith("/slips.pdf"))
    assert list(paths[slips]["get"]["responses"]["200"]["content"]) == ["application/pdf"]
    assert sorted(imports["get"]["responses"]["200"]["content"]) == sorted([xlsx, "text/csv"])
    # the errors each operation answers, in one shape
    delete = paths["/api/localities/{code}/subjects/{item_id}"]["delete"]["responses"]
    assert {"204", "400", "401", "403", "404", "409", "422"} <= set(delete)
    assert delete["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert set(schemas["Error"]["required"]) == {"status_code", "detail", "errors"}
    assert "413" in imports["post"]["responses"] and "410" in paths[slips]["get"]["responses"]
    assert "429" in paths["/api/auth/token"]["post"]["responses"]
    assert paths["/api/auth/token"]["post"]["security"] == [] and "401" not in paths["/health"]["get"]["responses"]


def test_texts_are_bounded_by_the_columns_they_are_stored_in(world, setup):
    """Found by schemathesis on PostgreSQL: these were longer in the schema than in the database."""
    api = setup.api
    long = "长" * 101
    campaign = {
        "name": "c",
        "kind": "democratic",
        "categories": [{"name": long, "weight": 1, "template_id": setup.template_id}],
    }
    response = api.post(f"{A}/campaigns", json=campaign)
    assert response.status_code == 400 and "categories.0.name" in response.text, response.text
    template = ok(api.get(f"/api/templates/{setup.template_id}"))
    body = {
        "name": "t",
        "grade_scale": [{"label": "好", "score": 90}, {"label": "差", "score": 60}],
        "indicators": [{"code": "A", "name": "甲", "unit_of_measure": "件" * 51}],
    }
    response = api.post(f"{A}/templates", json=body)
    assert response.status_code == 400 and "unit_of_measure" in response.text, response.text
    assert template["id"] == setup.template_id
