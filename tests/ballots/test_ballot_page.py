"""The evaluator's ballot page (/b/ballot) as served: at most 60 KB of HTML for 20 subjects x 5
indicators with their scoring standards, a progress count and a "next unanswered" link computed
by the server (so they work without JavaScript), each standard on demand in a <details>, and
Chinese labels with the full-width colon."""

from __future__ import annotations

import re

import httpx

SUBJECTS = 20
LEAVES = ("A1", "A2", "B1", "B2", "C1")
GRADES = ("优秀", "称职", "基本称职", "不称职")
# As long as the demo template's (core/demo_data): 9 to 25 characters.
STANDARD = "坚定理想信念，严守政治纪律和政治规矩"
MAX_BYTES = 60 * 1024
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def _campaign(world) -> tuple[httpx.Client, int, list[int], str]:
    api = world.office("county-a")
    subject_ids = []
    for index in range(SUBJECTS):
        unit = api.post("/api/localities/county-a/units", json={"code": f"U{index}", "name": f"县直单位{index}"}).json()
        subject = api.post(
            "/api/localities/county-a/subjects",
            json={"name": unit["name"], "kind": "unit", "ref_id": unit["id"], "category": "综合管理部门"},
        )
        subject_ids.append(subject.json()["id"])
    template = api.post(
        "/api/localities/county-a/templates",
        json={
            "name": "民主测评表",
            "grade_scale": [{"label": g, "score": s} for g, s in zip(GRADES, (95, 80, 65, 50))],
            "indicators": [
                {
                    "code": "A",
                    "name": "德",
                    "weight": 40,
                    "children": [
                        {"code": "A1", "name": "政治品德", "weight": 50, "standard": STANDARD},
                        {"code": "A2", "name": "职业道德", "weight": 50, "standard": STANDARD},
                    ],
                },
                {
                    "code": "B",
                    "name": "能",
                    "weight": 30,
                    "children": [
                        {"code": "B1", "name": "业务能力", "weight": 50, "standard": STANDARD},
                        {"code": "B2", "name": "组织协调", "weight": 50, "standard": STANDARD},
                    ],
                },
                {"code": "C1", "name": "工作实绩", "weight": 30, "standard": STANDARD},
            ],
        },
    )
    assert template.status_code == 201, template.text
    campaign = api.post(
        "/api/localities/county-a/campaigns",
        json={
            "name": "2026年度民主测评",
            "kind": "democratic",
            "subject_ids": subject_ids,
            "categories": [{"name": "县领导", "weight": 100, "template_id": template.json()["id"]}],
        },
    )
    assert campaign.status_code == 201, campaign.text
    campaign_id = campaign.json()["id"]
    [account] = api.post(f"/api/campaigns/{campaign_id}/accounts", json={"category": "县领导", "count": 1}).json()[
        "accounts"
    ]
    assert api.post(f"/api/campaigns/{campaign_id}/open").status_code == 200
    return api, campaign_id, subject_ids, account["code"]


def test_a_20_by_5_ballot_is_at_most_60_kb_with_progress_next_and_standards(world):
    _api, _campaign_id, subject_ids, code = _campaign(world)
    with world.client() as browser:
        assert browser.post("/b/login", data={"code": code}).status_code == 303
        page = browser.get("/b/ballot")
        assert page.status_code == 200
        html = page.text
        assert len(page.content) <= MAX_BYTES, f"{len(page.content)} bytes"
        assert html.count('type="radio"') == SUBJECTS * len(LEAVES) * len(GRADES)
        # Each indicator's standard, on demand, under every subject.
        assert html.count(f"<details><summary>评分标准</summary>{STANDARD}</details>") == SUBJECTS * len(LEAVES)
        # Chinese labels: a full-width colon.
        assert "测评类别：县领导" in html
        # Nothing rated yet: 0 of 100, and the next unanswered is the first subject.
        assert "已评 0/100" in html
        assert f'<a id="next" href="#s{subject_ids[0]}">下一个未评项</a>' in html
        assert f'id="s{subject_ids[0]}"' in html

        # A draft with the first 7 subjects rated: the count and the link as the server sees them.
        form = {"_csrf": CSRF.search(html).group(1), "action": "draft", "comment": ""}
        form.update({f"g:{s}:{leaf}": "称职" for s in subject_ids[:7] for leaf in LEAVES})
        saved = browser.post("/b/ballot", data=form)
        assert saved.status_code == 200
        assert "已评 35/100" in saved.text
        assert f'<a id="next" href="#s{subject_ids[7]}">' in saved.text
        assert "已评 35/100" in browser.get("/b/ballot").text  # the draft, loaded again

        # All rated: no link, a sentence instead.
        form.update({f"g:{s}:{leaf}": "优秀" for s in subject_ids for leaf in LEAVES})
        done = browser.post("/b/ballot", data=form).text
        assert "已评 100/100" in done and '<a id="next" href="#" hidden>' in done and "已全部评价，可以提交。" in done

        english = browser.get("/b/ballot?lang=en").text
        assert "Rated 100/100" in english and "Evaluator category: 县领导" in english
        assert "<summary>Scoring standard</summary>" in english


def test_the_ballot_page_is_small_on_the_wire(world):
    _api, _campaign_id, _subject_ids, code = _campaign(world)
    with world.client() as browser:
        assert browser.post("/b/login", data={"code": code}).status_code == 303
        with browser.stream("GET", "/b/ballot", headers={"Accept-Encoding": "gzip"}) as response:
            wire = b"".join(response.iter_raw())
            assert response.headers["content-encoding"] == "gzip"
    assert len(wire) < 8 * 1024, len(wire)
