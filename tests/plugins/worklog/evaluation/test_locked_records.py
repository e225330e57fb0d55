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
from tests.helpers import browser_session, never_5xx
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


def test_the_pages_of_a_locked_quarter_show_no_form_and_say_it_is_locked(ctx, quarter, live_server):
    world, _template, _dims = quarter
    author = world.actors["author"]
    service.write_entry(ctx, author, "wa", "weekly_record", "2026-W36", EntryIn(body="九月草稿"))
    with browser_session(ctx, live_server.url, author.user_id) as browser:
        before = browser.get("/me/worklog/write/weekly_record/2026-W36?lang=zh-CN")
        assert before.status_code == 200 and 'name="body"' in before.text and "已锁定" not in before.text
        evaluation.lock_quarter(ctx, world.actors["office"], "wa", "2026-Q3")

        page = browser.get("/me/worklog/write/weekly_record/2026-W36")
        assert page.status_code == 200 and 'id="closed"' in page.text
        assert "2026-Q3的工作纪实已锁定" in page.text and "九月草稿" in page.text  # still readable
        assert "<form" not in page.text.split("<main")[1] and 'name="body"' not in page.text
        assert ">提交<" not in page.text and "保存草稿" not in page.text
        empty = browser.get("/me/worklog/write/monthly_plan/2026-08")  # nothing written: nothing to show
        assert empty.status_code == 200 and 'id="closed"' in empty.text and "<textarea" not in empty.text

        week = browser.get("/me/worklog?day=2026-09-02")  # W36, September, Q3: all locked
        assert week.status_code == 200 and week.text.count("考核办已锁定") == 6  # two kinds each
        assert "/me/worklog/write/" not in week.text and "/me/worklog/summary/" not in week.text
        assert "/me/worklog/write/weekly_record/" in browser.get("/me/worklog?day=2026-10-07").text  # Q4 is open

        english = browser.get("/me/worklog/write/weekly_record/2026-W36?lang=en")
        assert "The work records of 2026-Q3 are locked" in english.text and 'name="body"' not in english.text
        assert "Locked by the office" in browser.get("/me/worklog?day=2026-09-02").text
        refused = browser.post(  # a form left open in another tab: refused, the text kept to copy
            "/me/worklog/write/weekly_record/2026-W36",
            data={"_csrf": browser.csrf, "body": "迟到的修改", "action": "save"},
        )
        assert refused.status_code == 409 and "are locked" in refused.text and "迟到的修改" in refused.text
    assert service.own_entry(ctx, author, "wa", "weekly_record", "2026-W36").body == "九月草稿"
