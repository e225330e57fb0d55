"""一人一表 on both databases, through the API: a unit's indicators of a template split to its
people with roles and responsibility shares summing to 100 % per indicator; a person outside the
unit, a role not in the list, shares off 100 % refused with the indicator and the gap named; a
person reads their own table; other units' admins and other localities see nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import never_5xx
from tests.plugins.goals.setup import make_world, token


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)
    clients = []

    def client(name: str) -> httpx.Client:
        made = httpx.Client(
            base_url=f"{live_server.url}/api/localities/ga",
            timeout=30,
            event_hooks={"response": [never_5xx]},
            headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}", "Accept-Language": "zh-CN"},
        )
        clients.append(made)
        return made

    office = client("office")
    template = office.post(
        "/templates",
        json={
            "name": "机关一表",
            "grade_scale": [{"label": "好", "score": 95}, {"label": "一般", "score": 70}],
            "indicators": [{"code": "A", "name": "财政收入"}, {"code": "B", "name": "预算执行"}],
        },
    )
    assert template.status_code == 201, template.text
    yield world, client, template.json()
    for made in clients:
        made.close()


def test_a_unit_admin_splits_indicators_to_the_units_people(site):
    world, client, template = site
    admin = client("admin_a")
    a, b = (i["id"] for i in template["indicators"])
    base = f"/goals/person-tables/unit/{world.unit_a}/indicators"
    people = [
        {"person_id": world.people["李明"], "role": "主办", "share": 60},
        {"person_id": world.people["周五"], "role": "协办", "share": 40},  # of unit A (not of its team): fine
    ]
    answer = admin.put(f"{base}/{a}", json={"people": people})
    assert answer.status_code == 200, answer.text
    assert [(p["person_name"], p["role"], p["share"]) for p in answer.json()["people"]] == [
        ("李明", "主办", 60.0),
        ("周五", "协办", 40.0),
    ]
    table = admin.get("/goals/person-tables/unit", params={"unit_id": world.unit_a, "template_id": template["id"]})
    assert [(i["code"], i["difference"], len(i["people"])) for i in table.json()["indicators"]] == [
        ("A", 0.0, 2),
        ("B", 100.0, 0),
    ]

    short = admin.put(f"{base}/{b}", json={"people": [{**people[0], "share": 70}]})
    assert short.status_code == 422 and "预算执行" in short.text and "30" in short.text
    outsider = [{"person_id": world.people["钱七"], "role": "主办", "share": 100}]  # unit B's
    assert admin.put(f"{base}/{b}", json={"people": outsider}).status_code == 422
    role = admin.put(f"{base}/{b}", json={"people": [{**people[0], "role": "组长", "share": 100}]})
    assert role.status_code == 422 and "组长" in role.text
    assert admin.put(f"{base}/{b}", json={"people": [{**people[0], "share": 100}]}).status_code == 200

    mine = client("member").get("/goals/person-tables/person", params={"template_id": template["id"]})
    assert [(i["code"], i["role"], i["share"]) for i in mine.json()] == [("A", "主办", 60.0), ("B", "主办", 100.0)]
    assert admin.put(f"{base}/{a}", json={"people": []}).status_code == 200  # unassigned again
    mine = client("member").get("/goals/person-tables/person", params={"template_id": template["id"]})
    assert [i["code"] for i in mine.json()] == ["B"]


def test_other_units_and_localities_see_nothing(site):
    world, client, template = site
    a = template["indicators"][0]["id"]
    split = {"people": [{"person_id": world.people["李明"], "role": "主办", "share": 100}]}
    other_admin = client("admin_b")
    assert other_admin.put(f"/goals/person-tables/unit/{world.unit_a}/indicators/{a}", json=split).status_code in (
        403,
        404,
    )
    assert (
        client("member").put(f"/goals/person-tables/unit/{world.unit_a}/indicators/{a}", json=split).status_code == 403
    )  # a member reads the unit's table but does not split it
    assert (
        other_admin.get(
            "/goals/person-tables/person", params={"template_id": template["id"], "person_id": world.people["李明"]}
        ).status_code
        == 404
    )
    assert (
        client("other_office")
        .get("/goals/person-tables/unit", params={"unit_id": world.unit_a, "template_id": template["id"]})
        .status_code
        == 404
    )


def test_several_indicators_at_once_all_or_nothing(site):
    world, client, template = site
    admin = client("admin_a")
    a, b = (i["id"] for i in template["indicators"])
    url = f"/goals/person-tables/unit/{world.unit_a}/templates/{template['id']}"
    lead = {"person_id": world.people["李明"], "role": "主办", "share": 100}
    refused = admin.put(
        url,
        json={
            "indicators": [
                {"indicator_id": a, "people": [lead]},
                {"indicator_id": b, "people": [{**lead, "share": 80}]},
            ]
        },
    )
    assert refused.status_code == 422, refused.text
    assert [(e["indicator_id"], "预算执行" in e["message"]) for e in refused.json()["errors"]] == [(b, True)]
    table = admin.get("/goals/person-tables/unit", params={"unit_id": world.unit_a, "template_id": template["id"]})
    assert [len(i["people"]) for i in table.json()["indicators"]] == [0, 0]  # nothing written
    done = admin.put(url, json={"indicators": [{"indicator_id": a, "people": [lead]}]})
    assert done.status_code == 200, done.text
    assert [len(i["people"]) for i in done.json()["indicators"]] == [1, 0]  # b not listed: kept as it was
    assert client("admin_b").put(url, json={"indicators": []}).status_code == 404
