"""What a unit admin (单位系统管理员, SPEC 11: manages its own unit's data) may reach, checked
route by route over HTTP: its own unit's people (read and change), the locality's units, teams,
import page and data sources read only, and none of the office's results, whatever the door (the
console, the JSON API, the result files)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.core.web.test_assessment_group import _session, _tallied
from tests.helpers import created

A = "/api/localities/county-a"


def test_a_unit_admin_reads_no_results_and_changes_only_its_own_units_people(world, setup, cheap_password_hashes):
    office = setup.api
    _tallied(world, setup)
    units = {u["code"]: u["id"] for u in office.get(f"{A}/units").json()["items"]}
    mine = created(office.post(f"{A}/people", json={"name": "本单位的人", "unit_id": units["U0"]}))["id"]
    theirs = created(office.post(f"{A}/people", json={"name": "别单位的人", "unit_id": units["U1"]}))["id"]
    api = world.client(world.user("unit-a", "unit_admin", "county-a", "U0"))
    campaign = setup.campaign_id

    # results: not through the API, the files nor the console (before this change the API answered)
    assert api.get(f"/api/campaigns/{campaign}/results").status_code == 403
    assert api.get(f"/api/campaigns/{campaign}/results.xlsx").status_code == 403
    assert office.get(f"/api/campaigns/{campaign}/results").status_code == 200
    browser = _session(world, "unit-a")
    assert browser.get(f"/admin/localities/county-a/campaigns/{campaign}/results").status_code == 404

    # people: its own unit's only
    names = {p["name"] for p in api.get(f"{A}/people").json()["items"]}
    assert "本单位的人" in names and "别单位的人" not in names
    assert api.patch(f"{A}/people/{mine}", json={"name": "改过的名字"}).status_code == 200
    assert api.patch(f"{A}/people/{theirs}", json={"name": "taken"}).status_code in (403, 404)
    assert api.post(f"{A}/people", json={"name": "taken", "unit_id": units["U1"]}).status_code in (403, 404, 422)

    # the locality's units, teams, subjects, templates, values, sources: read only
    for method, path, body in (
        ("POST", f"{A}/units", {"code": "X9", "name": "taken"}),
        ("PATCH", f"{A}/units/{units['U0']}", {"name": "taken"}),
        ("POST", f"{A}/teams", {"unit_id": units["U0"], "name": "taken"}),
        ("POST", f"{A}/subjects", {"name": "taken", "kind": "unit", "ref_id": units["U0"], "category": "c"}),
        ("PUT", f"{A}/indicator-values", []),
        (
            "POST",
            f"{A}/adapter-sources",
            {
                "name": "taken",
                "adapter": "http_json",
                "options": {"url": "https://platform.example/records"},
                "mapping": {
                    "subject": {"field": "code", "by": "code"},
                    "period": {"field": "month"},
                    "values": [{"field": "bonus", "template_id": setup.template_id, "indicator_code": "BONUS"}],
                },
            },
        ),
        ("POST", f"/api/campaigns/{campaign}/publish", None),
        ("GET", "/api/users", None),
        ("GET", "/api/sign-ins", None),
        ("GET", f"{A}/audit", None),
    ):
        answer = api.request(method, path, json=body)
        assert answer.status_code in (403, 404), (method, path, answer.status_code, answer.text[:200])
    for path in (
        "/admin/users",
        "/admin/sign-ins",
        "/admin/localities/county-a/audit",
        "/admin/localities/county-a/values",
        "/admin/localities/county-a/campaigns",
        "/admin/localities/county-a/templates",
        "/admin/localities/county-a/subjects",
    ):
        assert browser.get(path).status_code == 404, path
    # leadership teams: its own unit's only (their members are people, with phone numbers)
    own_team = created(
        office.post(
            f"{A}/teams",
            json={"unit_id": units["U0"], "name": "本单位班子", "members": [{"person_id": mine, "post": "主要领导"}]},
        )
    )["id"]
    other_team = created(
        office.post(
            f"{A}/teams",
            json={"unit_id": units["U1"], "name": "别单位班子", "members": [{"person_id": theirs, "post": "主要领导"}]},
        )
    )["id"]
    assert [t["name"] for t in api.get(f"{A}/teams").json()["items"]] == ["本单位班子"]
    assert api.get(f"{A}/teams/{own_team}").status_code == 200
    assert api.get(f"{A}/teams/{other_team}").status_code == 404
    teams_page = browser.get("/admin/localities/county-a/teams")
    assert "本单位班子" in teams_page.text and "别单位班子" not in teams_page.text
    assert browser.get(f"/admin/localities/county-a/teams/{other_team}").status_code == 404
    export = browser.get("/admin/localities/county-a/teams/export")
    assert export.status_code == 200
    cells = " ".join(str(c.value) for row in load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row)
    assert "本单位班子" in cells and "别单位班子" not in cells and "别单位的人" not in cells
    assert [t["name"] for t in office.get(f"{A}/teams").json()["items"]] == ["本单位班子", "别单位班子"]

    sources = browser.get("/admin/localities/county-a/sources")
    assert sources.status_code == 200
    assert browser.post(
        "/admin/localities/county-a/sources/new?adapter=http_json", data={"_csrf": browser.csrf, "name": "taken"}
    ).status_code in (403, 404)
    browser.close()
    api.close()
