"""A tallied campaign with something to show on every results page, built through the API with
real votes (see ``build``).

Four people of one unit are the subjects (category 班子成员); three of them form the unit's
leadership team. A 2025 campaign of the same kind was tallied and published before (everyone 称职,
80). The 2026 campaign has two evaluator categories (县领导 weight 40, 基层代表 weight 60), the
weighted mean with thresholds 优秀 >= 90, 称职 >= 75, 基本称职 >= 60, and a result quota of 25 % 优秀
(1 of 4). Ballots (every indicator of a subject gets the same grade):

    县领导 1:   张三 优秀, 李四 优秀, 王五 称职, 赵六 基本称职   comment "工作扎实"
    县领导 2:   张三 优秀, 李四 优秀, 王五 称职, 赵六 称职       comment "希望加强学习"
    基层代表 1: 张三 优秀, 李四 优秀, 王五 优秀, 赵六 不称职     (no comment)

王五 has a bonus of 2 for 2026. Scores: 张三 95 and 李四 95 (rank 1, tied at the quota: both
demoted to 称职 and flagged tie_at_quota), 王五 0.4 x 80 + 0.6 x 95 + 2 = 91 (rank 3, demoted to
称职 by the quota), 赵六 0.4 x 72.5 + 0.6 x 50 = 59 (rank 4, 不称职).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tests.campaign_setup import TEMPLATE
from tests.helpers import created, ok

LEAVES = ("DE1", "DE2", "JI1", "ALL")
PEOPLE = ("张三", "李四", "王五", "赵六")
THRESHOLDS = [
    {"grade": "优秀", "min_score": 90},
    {"grade": "称职", "min_score": 75},
    {"grade": "基本称职", "min_score": 60},
    {"grade": "不称职", "min_score": 0},
]
BALLOTS = [
    ("县领导", ("优秀", "优秀", "称职", "基本称职"), "工作扎实"),
    ("县领导", ("优秀", "优秀", "称职", "称职"), "希望加强学习"),
    ("基层代表", ("优秀", "优秀", "优秀", "不称职"), ""),
]


@dataclass
class Scenario:
    api: httpx.Client
    code: str
    campaign_id: int
    previous_id: int
    subjects: dict[str, int]  # name -> subject id
    team_id: int
    unit_id: int

    @property
    def results_url(self) -> str:
        return f"/admin/localities/{self.code}/campaigns/{self.campaign_id}/results"


def _vote(world, code: str, grades: dict[int, str], comment: str = "") -> None:
    with world.client() as client:
        token = ok(client.post("/api/ballot/login", json={"code": code}))["token"]
    with world.client(token) as voter:
        items = [{"subject_id": s, "indicator": leaf, "grade": g} for s, g in grades.items() for leaf in LEAVES]
        response = voter.post("/api/ballot/submit", json={"items": items, "comment": comment})
        assert response.status_code == 200, response.text


def _issue(api: httpx.Client, campaign_id: int, category: str, count: int) -> list[str]:
    body = created(api.post(f"/api/campaigns/{campaign_id}/accounts", json={"category": category, "count": count}))
    return [a["code"] for a in body["accounts"]]


def build(world, code: str = "county-r", *, publish_previous: bool = True, parent_code: str | None = None) -> Scenario:
    """The scenario above in a new locality ``code`` (under ``parent_code``, an existing one,
    when given) with an office user ``office-<code>``."""
    if parent_code is None:
        api = world.office(code)
    else:
        world.locality(code, parent_code=parent_code)
        api = world.client(world.user(f"office-{code}", "office", code))
    base = f"/api/localities/{code}"
    ok(api.put(f"{base}/plugins/distribution", json={"enabled": True}))
    template_id = created(api.post(f"{base}/templates", json=TEMPLATE))["id"]
    unit = created(api.post(f"{base}/units", json={"code": "CZJ", "name": "县财政局"}))
    people, subjects = {}, {}
    for name in PEOPLE:
        people[name] = created(api.post(f"{base}/people", json={"name": name, "unit_id": unit["id"]}))["id"]
        subjects[name] = created(
            api.post(
                f"{base}/subjects",
                json={"name": name, "kind": "person", "ref_id": people[name], "category": "班子成员"},
            )
        )["id"]
    team = created(
        api.post(
            f"{base}/teams",
            json={
                "unit_id": unit["id"],
                "name": "县财政局领导班子",
                "members": [{"person_id": people[n]} for n in PEOPLE[:3]],
            },
        )
    )
    ids = [subjects[n] for n in PEOPLE]

    previous = created(
        api.post(
            f"{base}/campaigns",
            json={
                "name": "2025年度民主测评",
                "kind": "annual",
                "period": "2025",
                "subject_ids": ids,
                "categories": [{"name": "代表", "template_id": template_id}],
                "scoring": {"rule": "weighted_mean", "options": {"thresholds": THRESHOLDS}},
            },
        )
    )["id"]
    [account] = _issue(api, previous, "代表", 1)
    ok(api.post(f"/api/campaigns/{previous}/open"))
    _vote(world, account, dict.fromkeys(ids, "称职"))
    ok(api.post(f"/api/campaigns/{previous}/close"))
    ok(api.post(f"/api/campaigns/{previous}/tally"))
    if publish_previous:
        ok(api.post(f"/api/campaigns/{previous}/publish"))

    campaign = created(
        api.post(
            f"{base}/campaigns",
            json={
                "name": "2026年度民主测评",
                "kind": "annual",
                "period": "2026",
                "subject_ids": ids,
                "categories": [
                    {"name": "县领导", "weight": 40, "template_id": template_id},
                    {"name": "基层代表", "weight": 60, "template_id": template_id},
                ],
                "scoring": {"rule": "weighted_mean", "options": {"thresholds": THRESHOLDS}},
                "distribution": [{"policy": "result_quota", "options": {"grade": "优秀", "max_ratio": 0.25}}],
            },
        )
    )["id"]
    codes = {"县领导": _issue(api, campaign, "县领导", 2), "基层代表": _issue(api, campaign, "基层代表", 1)}
    ok(api.post(f"/api/campaigns/{campaign}/open"))
    for category, grades, comment in BALLOTS:
        _vote(world, codes[category].pop(), dict(zip(ids, grades, strict=True)), comment)
    ok(api.post(f"/api/campaigns/{campaign}/close"))
    ok(
        api.put(
            f"{base}/indicator-values",
            json=[
                {
                    "subject_id": subjects["王五"],
                    "template_id": template_id,
                    "indicator_code": "BONUS",
                    "period": "2026",
                    "value": 2,
                }
            ],
        )
    )
    ok(api.post(f"/api/campaigns/{campaign}/tally"))
    return Scenario(
        api=api,
        code=code,
        campaign_id=campaign,
        previous_id=previous,
        subjects=subjects,
        team_id=team["id"],
        unit_id=unit["id"],
    )
