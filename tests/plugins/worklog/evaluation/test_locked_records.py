"""A quarter the office locked closes its work records (issue #13, bad input: 'a record for a
period that is locked'), on both databases: writing, submitting a draft and starting a monthly
summary of a period counted in that quarter are 409 with a translated message and change
nothing; a week counts in the quarter of its Thursday; other quarters stay open; the API too."""

from __future__ import annotations

import httpx
import pytest

from core.services.errors import Conflict
from plugins.worklog import evaluation, service
from plugins.worklog.service import EntryIn
from tests.helpers import never_5xx
from tests.plugins.worklog.setup import token


def test_a_locked_quarter_closes_its_records_and_nothing_changes(ctx, quarter, live_server):
    world, _template, _dims = quarter
    author = world.actors["author"]
    draft = service.write_entry(ctx, author, "wa", "weekly_record", "2026-W36", EntryIn(body="九月草稿"))
    plan = service.write_entry(ctx, author, "wa", "weekly_plan", "2026-W36", EntryIn(body="九月计划", submit=True))
    evaluation.lock_quarter(ctx, world.actors["office"], "wa", "2026-Q3")

    attempts = [
        lambda: service.write_entry(ctx, author, "wa", "weekly_record", "2026-W36", EntryIn(body="改了")),
        lambda: service.write_entry(ctx, author, "wa", "weekly_plan", "2026-W36", EntryIn(body="改了", submit=True)),
        lambda: service.submit_entry(ctx, author, "wa", draft.id),
        lambda: service.start_monthly_summary(ctx, author, "wa", "2026-08"),
        lambda: service.write_entry(ctx, author, "wa", "monthly_plan", "2026-07", EntryIn(body="x")),
        lambda: service.write_entry(ctx, author, "wa", "quarterly_self_assessment", "2026-Q3", EntryIn(body="x")),
        lambda: service.write_entry(ctx, author, "wa", "weekly_plan", "2026-W27", EntryIn(body="x")),  # Thu 2 July
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as closed:
            attempt()
        assert closed.value.params == {"quarter": "2026-Q3"} and closed.value.errors[0]["field"] == "period"
    kept = service.own_entry(ctx, author, "wa", "weekly_record", "2026-W36")
    assert (kept.body, kept.status) == ("九月草稿", "draft")
    kept = service.own_entry(ctx, author, "wa", "weekly_plan", "2026-W36")
    assert (kept.body, kept.versions) == ("九月计划", plan.versions)
    assert service.own_entry(ctx, author, "wa", "monthly_summary", "2026-08") is None
    assert service.own_entry(ctx, author, "wa", "quarterly_self_assessment", "2026-Q3") is None

    # a week whose Thursday is in October counts in Q4, which is open; Q2 was never opened
    assert service.write_entry(ctx, author, "wa", "weekly_record", "2026-W40", EntryIn(body="国庆周")).body == "国庆周"
    assert service.write_entry(ctx, author, "wa", "weekly_record", "2026-W26", EntryIn(body="六月")).body == "六月"

    headers = {"Authorization": f"Bearer {token(ctx, author)}"}
    with httpx.Client(base_url=live_server.url, timeout=30, event_hooks={"response": [never_5xx]}) as client:
        path = "/api/localities/wa/worklog/me/entries/weekly_record/2026-W36"
        refused = client.put(path, json={"body": "改了"}, headers=headers | {"Accept-Language": "zh-CN"})
        assert refused.status_code == 409 and "2026-Q3的工作纪实已关闭" in refused.json()["detail"]
        english = client.put(path, json={"body": "改了"}, headers=headers)
        assert english.status_code == 409 and "closed" in english.json()["detail"]
    assert service.own_entry(ctx, author, "wa", "weekly_record", "2026-W36").body == "九月草稿"
