"""The Nanchang rule end to end: a unit campaign is tallied, then people's top-grade quota
follows their unit's rank in it (people's units come from the people table)."""

from __future__ import annotations

import pytest

from tests.helpers import created, ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

GRADES = ["优秀", "称职", "基本称职", "不称职"]
TEMPLATE = {
    "name": "简表",
    "grade_scale": [{"label": g, "score": s} for g, s in zip(GRADES, (95, 80, 65, 50))],
    "indicators": [{"code": "Q", "name": "总体评价"}],
}


def _vote(world, api, campaign_id: int, grades: dict[int, str]) -> None:
    [account] = created(api.post(f"/api/campaigns/{campaign_id}/accounts", json={"category": "代表", "count": 1}))[
        "accounts"
    ]
    ok(api.post(f"/api/campaigns/{campaign_id}/open"))
    with world.client() as voter:
        token = ok(voter.post("/api/ballot/login", json={"code": account["code"]}))["token"]
        items = [{"subject_id": s, "indicator": "Q", "grade": g} for s, g in grades.items()]
        ok(voter.post("/api/ballot/submit", json={"items": items}, headers={"Authorization": f"Bearer {token}"}))
    ok(api.post(f"/api/campaigns/{campaign_id}/close"))
    ok(api.post(f"/api/campaigns/{campaign_id}/tally"))


def test_people_quota_follows_their_units_rank(world):
    api = world.office("county-a")
    base = "/api/localities/county-a"
    ok(api.put(f"{base}/plugins/distribution", json={"enabled": True}))
    template_id = created(api.post(f"{base}/templates", json=TEMPLATE))["id"]
    units, unit_subjects, people = [], {}, {}
    for index in range(3):
        unit = created(api.post(f"{base}/units", json={"code": f"U{index}", "name": f"单位{index}"}))
        units.append(unit["id"])
        unit_subjects[unit["id"]] = created(
            api.post(
                f"{base}/subjects",
                json={"name": unit["name"], "kind": "unit", "ref_id": unit["id"], "category": "单位"},
            )
        )["id"]
        for number in range(4):
            person = created(api.post(f"{base}/people", json={"name": f"干部{index}{number}", "unit_id": unit["id"]}))
            people[(index, number)] = created(
                api.post(
                    f"{base}/subjects",
                    json={"name": person["name"], "kind": "person", "ref_id": person["id"], "category": "干部"},
                )
            )["id"]

    unit_campaign = created(
        api.post(
            f"{base}/campaigns",
            json={
                "name": "单位考核",
                "subject_ids": list(unit_subjects.values()),
                "categories": [{"name": "代表", "template_id": template_id}],
            },
        )
    )["id"]
    # Unit 0 best, unit 1 second, unit 2 last.
    _vote(world, api, unit_campaign, {unit_subjects[units[i]]: GRADES[i] for i in range(3)})

    people_campaign = created(
        api.post(
            f"{base}/campaigns",
            json={
                "name": "干部考核",
                "subject_ids": list(people.values()),
                "categories": [{"name": "代表", "template_id": template_id}],
                "scoring": {"rule": "weighted_mean", "options": {"thresholds": [{"grade": "优秀", "min_score": 0}]}},
                "distribution": [
                    {
                        "policy": "unit_quota",
                        "options": {
                            "unit_campaign_id": unit_campaign,
                            "top_n": 1,
                            "top_ratio": 0.5,
                            "default_ratio": 0.25,
                            "split": 0.75,
                        },
                    }
                ],
            },
        )
    )["id"]
    # Within each unit, person 0 best ... person 3 worst: every one is proposed 优秀 by the threshold.
    _vote(world, api, people_campaign, {people[(u, n)]: GRADES[n] for u in range(3) for n in range(4)})

    results = {r["subject_id"]: r for r in ok(api.get(f"/api/campaigns/{people_campaign}/results"))["subjects"]}
    grades = {key: results[subject]["proposed_grade"] for key, subject in people.items()}
    # The best unit: 50% of 4 = 2 keep 优秀; the second: 25% of 4 = 1; the last: none, split 75% / 25%.
    assert [grades[(0, n)] for n in range(4)] == ["优秀", "优秀", "称职", "称职"]
    assert [grades[(1, n)] for n in range(4)] == ["优秀", "称职", "称职", "称职"]
    assert [grades[(2, n)] for n in range(4)] == ["称职", "称职", "称职", "基本称职"]
    api.close()
