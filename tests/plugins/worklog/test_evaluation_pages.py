"""The quarterly evaluation over HTTP, on both databases: the office opens a quarter on its page,
the leader grades on the sheet (labels, no scores, also through the API), a bad grade is shown
in Chinese, the office sees the scores, locks and publishes, and the person reads their grade."""

from __future__ import annotations

import re

import httpx
import pytest

from core.schemas.indicators import GradeIn, IndicatorIn, TemplateIn
from core.services import templates
from plugins.worklog import evaluation
from tests.helpers import browser_session, never_5xx
from tests.plugins.worklog.setup import SYSTEM, make_world, token

SCALE = [GradeIn(label="好", score=95), GradeIn(label="较好", score=85), GradeIn(label="一般", score=70)]


def seed_self_assessment(ctx, world) -> int:
    """李明's submitted self-assessment of 2026-Q3 (its entry id)."""
    from core.periods import Period
    from plugins.worklog import service
    from plugins.worklog.models import EntryKind

    quarter = Period.parse("2026-Q3")
    service.seed_entry(
        ctx, "wa", world.people["李明"], EntryKind.quarterly_self_assessment, quarter, "本季度自评", written_by="t"
    )
    return service.history(ctx, world.actors["author"], "wa", kind="quarterly_self_assessment").items[0].id


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)
    dims = [IndicatorIn(code="de", name="德", standard="政治品德"), IndicatorIn(code="ji", name="绩")]
    template_id = templates.create(
        ctx, SYSTEM, "wa", TemplateIn(name="季度评价模板", grade_scale=SCALE, indicators=dims)
    ).id

    def browser(name: str) -> httpx.Client:
        return browser_session(ctx, live_server.url, world.actors[name].user_id)

    def api(name: str) -> httpx.Client:
        return httpx.Client(
            base_url=live_server.url,
            timeout=30,
            event_hooks={"response": [never_5xx]},
            headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}", "Accept-Language": "zh-CN"},
        )

    return world, template_id, browser, api


def test_open_grade_lock_publish_and_read_over_http(ctx, site):
    world, template_id, browser, api = site
    base = "/admin/localities/wa/worklog/quarters"
    with browser("office") as office, browser("leader") as leader, browser("author") as author:
        page = office.get(base)
        assert page.status_code == 200 and "开启季度评价" in page.text and "季度评价模板" in page.text
        bad = office.post(base, data={"_csrf": office.csrf, "period": "2026-09", "template_id": str(template_id)})
        assert bad.status_code == 422 and "季度评价按季度进行" in bad.text
        opened = office.post(
            base,
            data={"_csrf": office.csrf, "period": "2026-Q3", "template_id": str(template_id)},
            follow_redirects=False,
        )
        assert opened.status_code == 303 and opened.headers["location"] == f"{base}/2026-Q3"
        assert office.post(base, data={"_csrf": "x", "period": "2026-Q4", "template_id": "1"}).status_code == 403

        own_words = seed_self_assessment(ctx, world)
        sheet = leader.get(f"{base}/2026-Q3")
        assert f'<a href="/admin/localities/wa/worklog/entries/{own_words}">查看本人季度自评</a>' in sheet.text
        assert "尚未提交季度自评" in sheet.text  # 王芳 wrote none
        assert sheet.status_code == 200 and "李明" in sheet.text and "政治品德" in sheet.text and "较好" in sheet.text
        words = re.sub(r"[A-Za-z0-9_-]{20,}", "", sheet.text)  # without the session's random tokens
        assert "95" not in words and "85" not in words  # no score on the leader's page
        dims = {d.name: d.id for d in evaluation.sheet(ctx, world.actors["leader"], "wa", "2026-Q3").dimensions}
        person = world.people["李明"]
        missing = leader.post(f"{base}/2026-Q3/people/{person}", data={"_csrf": leader.csrf, f"g{dims['德']}": "好"})
        assert missing.status_code == 422 and "绩：请选择等次" in missing.text
        saved = leader.post(
            f"{base}/2026-Q3/people/{person}",
            data={"_csrf": leader.csrf, f"g{dims['德']}": "好", f"g{dims['绩']}": "一般"},
            follow_redirects=True,
        )
        assert saved.status_code == 200 and "已评价" in saved.text
        assert (
            leader.post(
                f"{base}/2026-Q3/people/{world.people['钱七']}", data={"_csrf": leader.csrf, f"g{dims['德']}": "好"}
            ).status_code
            == 404
        )  # not theirs
        assert leader.post(f"{base}/2026-Q3/lock", data={"_csrf": leader.csrf}).status_code == 403

        summary = office.get(f"{base}/2026-Q3")
        assert summary.status_code == 200 and "82.5" in summary.text and "较好" in summary.text  # (95 + 70) / 2
        assert "县财政局" in summary.text and "未评价" in summary.text
        assert author.get("/me/worklog/quarters").text.count("quarter-result") == 0
        office.post(f"{base}/2026-Q3/lock", data={"_csrf": office.csrf})
        published = office.post(f"{base}/2026-Q3/publish", data={"_csrf": office.csrf}, follow_redirects=True)
        assert "已公布" in published.text
        mine = author.get("/me/worklog/quarters")
        assert mine.status_code == 200 and "2026-Q3" in mine.text and "较好" in mine.text and "82.5" not in mine.text
        assert "My quarterly evaluations" in author.get("/me/worklog/quarters?lang=en").text
        assert author.get(base).status_code == 404  # a cadre has no such page

    with api("leader") as leader_api, api("office") as office_api, api("other_office") as stranger:
        prefix = "/api/localities/wa/worklog/quarters/2026-Q3"
        sheet = leader_api.get(f"{prefix}/sheet")
        assert (
            sheet.status_code == 200 and "score" not in sheet.text and sheet.json()["labels"] == ["好", "较好", "一般"]
        )
        assert [r["self_assessment_id"] is not None for r in sheet.json()["rows"]] == [True, False]
        locked = leader_api.put(f"{prefix}/people/{world.people['王芳']}", json={"grades": {str(dims["德"]): "好"}})
        assert locked.status_code == 409 and "已锁定" in locked.json()["detail"]
        assert leader_api.get(f"{prefix}/summary").status_code == 403
        assert office_api.get(f"{prefix}/summary").json()["rows"] == []  # the units only
        rows = office_api.get(f"{prefix}/summary", params={"unit_id": world.unit_a}).json()["rows"]
        assert next(r for r in rows if r["person_name"] == "李明")["score"] == 82.5
        assert stranger.get(f"{prefix}/summary").status_code == 404
    with api("author") as author_api:
        assert [r["grade"] for r in author_api.get("/api/localities/wa/worklog/me/quarters").json()] == ["较好"]
