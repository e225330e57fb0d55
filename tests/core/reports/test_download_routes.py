"""Who may download a campaign's result files, in the console and through the API: the office
and platform admins of its locality; other roles and other localities get 404 (403 for a role
through the API); a campaign not tallied yet gets a page that says to tally it first."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import httpx
from openpyxl import load_workbook

from core.services import auth
from core.web.auth import SESSION_COOKIE
from tests.helpers import created, ok

FILES = {
    "results.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "report.pdf": "application/pdf",
    "report.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _session(world, username: str) -> httpx.Client:
    user = auth.find_user(world.ctx, username)
    issued = auth.issue_token(world.ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    return httpx.Client(base_url=world.url, timeout=60, cookies={SESSION_COOKIE: issued.token})


def test_the_office_downloads_every_file_in_its_language(world, scenario, cheap_password_hashes):
    base = f"/admin/localities/{scenario.code}/campaigns/{scenario.campaign_id}"
    with _session(world, f"office-{scenario.code}") as browser:
        page = browser.get(f"{base}/results")
        assert page.status_code == 200
        for name in FILES:
            assert f'href="{base}/{name}"' in page.text, name
        for name, media in FILES.items():
            response = browser.get(f"{base}/{name}")
            assert response.status_code == 200, (name, response.text[:300])
            assert response.headers["content-type"].startswith(media)
            assert "attachment" in response.headers["content-disposition"]
        chinese = load_workbook(io.BytesIO(browser.get(f"{base}/results.xlsx").content))
        assert chinese.sheetnames == ["结果", "参评率", "指标得分"]  # the console's default language
        english = load_workbook(io.BytesIO(browser.get(f"{base}/results.xlsx?lang=en").content))
        assert english.sheetnames == ["Results", "Turnout", "Indicators"]
        report = docx.Document(io.BytesIO(browser.get(f"{base}/report.docx?lang=en").content))
        assert report.core_properties.title == "2026年度民主测评: results report"
        # published results are still downloaded, and the report says they are final
        ok(scenario.api.post(f"/api/campaigns/{scenario.campaign_id}/publish"))
        published = docx.Document(io.BytesIO(browser.get(f"{base}/report.docx?lang=zh").content))
        assert "结果状态：已公布" in [p.text for p in published.paragraphs]


def test_other_roles_and_localities_get_nothing(world, scenario, cheap_password_hashes):
    world.locality("county-x")
    world.user("office-x", "office", "county-x")
    world.user("unit-r", "unit_admin", scenario.code, unit="CZJ")
    world.user("leader-r", "leader", scenario.code, unit="CZJ")
    mine = f"/admin/localities/{scenario.code}/campaigns/{scenario.campaign_id}"
    theirs = f"/admin/localities/county-x/campaigns/{scenario.campaign_id}"
    with _session(world, "office-x") as browser:
        for name in FILES:
            assert browser.get(f"{mine}/{name}").status_code == 404, name
            assert browser.get(f"{theirs}/{name}").status_code == 404, name  # the id of another locality
    for username in ("unit-r", "leader-r"):
        with _session(world, username) as browser:
            for name in FILES:
                response = browser.get(f"{mine}/{name}")
                assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    with world.client(world.user("api-x", "office", "county-x")) as api:
        for name in FILES:
            assert api.get(f"/api/campaigns/{scenario.campaign_id}/{name}").status_code == 404, name
    with world.client(world.user("api-unit-r", "unit_admin", scenario.code, unit="CZJ")) as api:
        for name in FILES:
            assert api.get(f"/api/campaigns/{scenario.campaign_id}/{name}").status_code == 403, name
    with world.client() as anonymous:
        assert anonymous.get(f"/api/campaigns/{scenario.campaign_id}/report.pdf").status_code == 401
    with httpx.Client(base_url=world.url, follow_redirects=False) as anonymous:
        assert anonymous.get(f"{mine}/report.pdf").status_code in (302, 303)  # to the sign-in page


def test_a_campaign_not_tallied_says_to_tally_it_first(world, scenario, cheap_password_hashes):
    draft = created(scenario.api.post(f"/api/localities/{scenario.code}/campaigns", json={"name": "2027年度民主测评"}))
    base = f"/admin/localities/{scenario.code}/campaigns/{draft['id']}"
    with _session(world, f"office-{scenario.code}") as browser:
        for name in FILES:
            response = browser.get(f"{base}/{name}")
            assert response.status_code == 409 and response.headers["content-type"].startswith("text/html")
            assert "该测评还没有结果：请先结束测评并计票，再下载结果。" in response.text
        english = browser.get(f"{base}/report.pdf?lang=en")
        assert "This campaign has no results yet: close and tally it first" in english.text


def test_openapi_declares_the_files_as_binary_answers(world):
    with world.client() as client:
        paths = client.get("/schema/openapi.json").json()["paths"]
    for name, media in FILES.items():
        operation = paths[f"/api/campaigns/{{item_id}}/{name}"]["get"]
        assert operation["responses"]["200"]["content"] == {media: {"schema": {"type": "string", "format": "binary"}}}
        assert "409" in operation["responses"] and "404" in operation["responses"]
