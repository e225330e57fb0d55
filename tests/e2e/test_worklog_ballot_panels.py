"""On a phone, an evaluator of a campaign that allows subject information opens "查看：近期工作纪实"
under a person subject and reads their recent records; the page still fits the screen (SQLite
and PostgreSQL)."""

from __future__ import annotations

from tests.e2e.phone import fits_the_screen
from tests.plugins.worklog.test_panels import ballot  # noqa: F401 - the fixture: a campaign with panels


def test_an_evaluator_opens_a_persons_recent_records_on_the_ballot(ballot, page, live_server):  # noqa: F811
    _world, _api, _campaign_id, subjects, code = ballot
    page.goto(f"{live_server.url}/b/")
    page.locator("input[name=code]").fill(code)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/b/ballot")
    panel = page.locator(f"#p{subjects['李明']}-worklog\\.records")
    record = panel.get_by_text("节前安全检查")
    assert not record.is_visible()  # closed until asked for
    panel.get_by_text("查看：近期工作纪实").click()
    assert record.is_visible() and panel.get_by_text("2025-W40 周记实").is_visible()
    assert page.locator("details.panel").count() == 1  # 钱七 wrote nothing; a unit has no records
    assert fits_the_screen(page)
