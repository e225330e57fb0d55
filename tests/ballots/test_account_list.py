"""A campaign's accounts through the API, a page at a time like every other list
(``{items, total, limit, offset}``, ``limit`` 1..1000, 100 by default), filtered by category
and status in SQL, never with a code; the OpenAPI document says so."""

from __future__ import annotations

from core.services.paging import MAX_PAGE


def _url(setup) -> str:
    return f"/api/campaigns/{setup.campaign_id}/accounts"


def test_accounts_are_answered_a_page_at_a_time(world, setup):
    leaders = setup.issue("县领导", 130)
    grassroots = setup.issue("基层代表", 90)
    ids = sorted(a["id"] for a in leaders + grassroots)

    first = setup.api.get(_url(setup)).json()
    assert (first["total"], first["limit"], first["offset"]) == (220, 100, 0)
    assert [a["id"] for a in first["items"]] == ids[:100]
    assert set(first["items"][0]) == {"id", "category", "status", "batch", "code"}
    assert all(a["code"] is None for a in first["items"])  # the codes were in the issuing answer only

    pages = [setup.api.get(_url(setup), params={"limit": 75, "offset": o}).json()["items"] for o in (0, 75, 150, 225)]
    assert [a["id"] for page in pages for a in page] == ids and pages[-1] == []

    only = setup.api.get(_url(setup), params={"category": "基层代表", "limit": 50, "offset": 50}).json()
    assert only["total"] == 90 and len(only["items"]) == 40
    assert {a["category"] for a in only["items"]} == {"基层代表"}
    revoked = setup.api.post(f"{_url(setup)}/{leaders[0]['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    gone = setup.api.get(_url(setup), params={"status": "revoked"}).json()
    assert gone["total"] == 1 and gone["items"][0]["id"] == leaders[0]["id"]


def test_a_page_too_large_or_a_negative_offset_is_refused(world, setup):
    setup.issue("县领导", 1)
    for params in ({"limit": MAX_PAGE + 1}, {"limit": 0}, {"offset": -1}):
        answer = setup.api.get(_url(setup), params=params)
        assert answer.status_code == 400, (params, answer.text)
    assert setup.api.get(_url(setup), params={"limit": MAX_PAGE}).json()["total"] == 1


def test_the_openapi_document_describes_the_page(world):
    document = world.client().get("/schema/openapi.json").json()
    operation = document["paths"]["/api/campaigns/{campaign_id}/accounts"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["limit"]["schema"]["maximum"] == MAX_PAGE and params["limit"]["schema"]["default"] == 100
    assert params["offset"]["schema"]["minimum"] == 0
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert set(schema["required"]) >= {"items", "total", "limit", "offset"}
    item = schema["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert set(document["components"]["schemas"][item]["properties"]) == {"id", "category", "status", "batch", "code"}
