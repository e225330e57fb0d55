"""A tallied campaign to export (tests/results_setup.py), made a little harder:

* 王五's bonus is 1.23456, so his score (0.4 x 80 + 0.6 x 95 + 1.23456 = 90.23456) has more
  decimals than a report shows (90.23);
* the 县领导 ballot that rated 赵六 基本称职 is made invalid before the tally, so 县领导 has one
  valid and one invalid ballot, and 赵六 scores 0.4 x 80 + 0.6 x 50 = 62 (基本称职);
* 赵六's grade is then adjusted to 称职 with a reason.
"""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, text

from tests.helpers import created, ok
from tests.results_setup import build
from tests.tally_reference import stored_items

BONUS = 1.23456
REASON = "经党组研究，考虑其下半年工作改进明显，调整为称职"


@pytest.fixture
def scenario(world):
    scenario = build(world)
    api = scenario.api
    templates = ok(api.get(f"/api/localities/{scenario.code}/templates"))
    template_id = (templates["items"] if isinstance(templates, dict) else templates)[0]["id"]
    ok(
        api.put(
            f"/api/localities/{scenario.code}/indicator-values",
            json=[
                {
                    "subject_id": scenario.subjects["王五"],
                    "template_id": template_id,
                    "indicator_code": "BONUS",
                    "period": "2026",
                    "value": BONUS,
                }
            ],
        )
    )
    with world.ctx.db.engine.begin() as connection:
        rated = stored_items(connection, scenario.campaign_id)
        invalid = sorted({b for b, _c, _cat, s, _i, g in rated if s == scenario.subjects["赵六"] and g == 2})
        connection.execute(
            text("UPDATE ballots SET valid = :invalid WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"invalid": False, "ids": invalid},
        )
    ok(api.post(f"/api/campaigns/{scenario.campaign_id}/tally"))
    created(
        api.post(
            f"/api/campaigns/{scenario.campaign_id}/adjustments",
            json={"subject_id": scenario.subjects["赵六"], "grade": "称职", "reason": REASON},
        )
    )
    return scenario
