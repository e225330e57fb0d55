"""A small campaign, ready to open: 3 subjects, 2 evaluator categories, a 2-level template.

The ``setup`` fixture (in tests/conftest.py) builds it through the API."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

TEMPLATE = {
    "name": "民主测评表",
    "grade_scale": [
        {"label": "优秀", "score": 95},
        {"label": "称职", "score": 80},
        {"label": "基本称职", "score": 65},
        {"label": "不称职", "score": 50},
    ],
    "indicators": [
        {
            "code": "DE",
            "name": "德",
            "weight": 40,
            "children": [
                {"code": "DE1", "name": "政治品德", "weight": 50},
                {"code": "DE2", "name": "职业道德", "weight": 50},
            ],
        },
        {
            "code": "JI",
            "name": "绩",
            "weight": 60,
            "children": [
                {"code": "JI1", "name": "工作实绩", "weight": 100},
            ],
        },
        {"code": "ALL", "name": "总体评价", "weight": 1, "overall": True},
        {"code": "BONUS", "name": "加分项", "kind": "bonus", "max_score": 5},
    ],
}


@dataclass
class CampaignSetup:
    api: httpx.Client
    campaign_id: int
    subject_ids: list[int]
    template_id: int

    def issue(self, category: str, count: int) -> list[dict]:
        response = self.api.post(
            f"/api/campaigns/{self.campaign_id}/accounts", json={"category": category, "count": count}
        )
        assert response.status_code == 201, response.text
        return response.json()["accounts"]

    def open(self) -> None:
        response = self.api.post(f"/api/campaigns/{self.campaign_id}/open")
        assert response.status_code == 200, response.text

    def close(self) -> None:
        response = self.api.post(f"/api/campaigns/{self.campaign_id}/close")
        assert response.status_code == 200, response.text


def full_items(subject_ids: list[int], grade: str = "称职") -> list[dict]:
    return [
        {"subject_id": s, "indicator": code, "grade": grade}
        for s in subject_ids
        for code in ("DE1", "DE2", "JI1", "ALL")
    ]


def make_campaign(world) -> CampaignSetup:
    api = world.office("county-a")
    subject_ids = []
    for index in range(3):
        unit = api.post("/api/localities/county-a/units", json={"code": f"U{index}", "name": f"单位{index}"}).json()
        subject = api.post(
            "/api/localities/county-a/subjects",
            json={"name": unit["name"], "kind": "unit", "ref_id": unit["id"], "category": "综合管理部门"},
        )
        subject_ids.append(subject.json()["id"])
    template = api.post("/api/localities/county-a/templates", json=TEMPLATE)
    assert template.status_code == 201, template.text
    template_id = template.json()["id"]
    campaign = api.post(
        "/api/localities/county-a/campaigns",
        json={
            "name": "2026年度民主测评",
            "kind": "democratic",
            "subject_ids": subject_ids,
            "categories": [
                {"name": "县领导", "weight": 40, "template_id": template_id},
                {"name": "基层代表", "weight": 60, "template_id": template_id, "subject_categories": ["综合管理部门"]},
            ],
        },
    )
    assert campaign.status_code == 201, campaign.text
    return CampaignSetup(api=api, campaign_id=campaign.json()["id"], subject_ids=subject_ids, template_id=template_id)
