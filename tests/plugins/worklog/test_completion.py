"""The office's completion of work records, on both databases: per unit and period, who
submitted on time, late or not at all (a draft counts as missing), the people of a unit, the
page, the API, and the .xlsx and PDF read back; other roles 403, other localities 404."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col

from core.periods import Period
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.worklog import completion
from plugins.worklog.models import EntryKind, WorkEntry
from plugins.worklog.service import seed_entry
from tests.core.web.test_downloads import saved_as
from tests.helpers import browser_session, never_5xx
from tests.plugins.worklog.setup import make_world, token

WEEK = Period.parse("2025-W40")  # due Tuesday 30 September 2025 18:00 Beijing time (National Day)


@pytest.fixture
def world(ctx):
    world = make_world(ctx)
    seed_entry(ctx, "wa", world.people["李明"], EntryKind.weekly_record, WEEK, "节前工作", written_by="t")
    seed_entry(ctx, "wa", world.people["李明"], EntryKind.weekly_plan, WEEK, "本周计划", written_by="t")  # late: now
    seed_entry(ctx, "wa", world.people["王芳"], EntryKind.weekly_record, WEEK, "草稿", written_by="t", submit=False)
    seed_entry(ctx, "wa", world.people["钱七"], EntryKind.weekly_record, WEEK, "教育局", written_by="t")
    on_time = datetime(2025, 9, 30, 9, 59, tzinfo=UTC)  # 17:59 in Beijing
    with ctx.db.write() as session:
        session.execute(
            update(WorkEntry)
            .where(col(WorkEntry.kind) == EntryKind.weekly_record.value, col(WorkEntry.body) != "草稿")
            .values(submitted_at=on_time)
        )
    with ctx.db.write() as session:  # 钱七's a minute after the deadline
        session.execute(
            update(WorkEntry).where(col(WorkEntry.body) == "教育局").values(submitted_at=on_time + timedelta(minutes=2))
        )
    return world


def test_counts_per_unit_and_the_people_of_a_unit(ctx, world):
    office = world.actors["office"]
    found = completion.completion(ctx, office, "wa", "2025年第40周", world.unit_a)
    assert found.period == "2025-W40" and [k.value for k in found.kinds] == ["weekly_plan", "weekly_record"]
    assert found.deadlines["weekly_record"] == datetime(2025, 9, 30, 10, tzinfo=UTC)
    counts = {
        u.unit_name: (u.people, {k: tuple(c.model_dump().values()) for k, c in u.kinds.items()}) for u in found.units
    }
    assert counts == {
        "县财政局": (3, {"weekly_plan": (0, 1, 2), "weekly_record": (1, 0, 2)}),  # on time, late, missing
        "县教育局": (2, {"weekly_plan": (0, 0, 2), "weekly_record": (0, 1, 1)}),
    }
    assert {r.person_name: r.status for r in found.rows} == {
        "李明": {"weekly_plan": "late", "weekly_record": "submitted"},
        "王芳": {"weekly_plan": "missing", "weekly_record": "missing"},  # a draft is missing
        "张局长": {"weekly_plan": "missing", "weekly_record": "missing"},
    }
    assert completion.completion(ctx, office, "wa", "2025-W40").rows == []  # no unit chosen: the summary only
    with pytest.raises(Forbidden):
        completion.completion(ctx, world.actors["leader"], "wa", "2025-W40")
    with pytest.raises(NotFound):
        completion.completion(ctx, world.actors["other_office"], "wa", "2025-W40")
    with pytest.raises(NotFound):
        completion.completion(ctx, office, "wa", "2025-W40", 999_999)
    with pytest.raises(Invalid) as bad:
        completion.completion(ctx, office, "wa", "2025-10-01")
    assert bad.value.errors[0]["field"] == "period"


def test_each_locality_counts_its_own_people_only(ctx, world):
    """Another locality's people and entries of the same week count nowhere in this one's
    completion, and every statement that reads people is bounded to the locality (an index
    range of ``ix_people_locality_*``, not a walk over every locality's people)."""
    from sqlalchemy import event

    seed_entry(ctx, "wb", world.other_person, EntryKind.weekly_record, WEEK, "市财政局", written_by="t")
    statements: list[str] = []

    def keep(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", keep)
    try:
        found = completion.completion(ctx, world.actors["office"], "wa", WEEK, world.unit_a)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", keep)
    assert {u.unit_name: (u.people, u.kinds["weekly_record"].missing) for u in found.units} == {
        "县财政局": (3, 2),
        "县教育局": (2, 1),
    }
    reading_people = [s for s in statements if re.search(r"\bJOIN people\b|\bFROM people\b", s)]
    assert len(reading_people) >= 3  # the counts, the entries per unit, the people of the unit
    for statement in reading_people:
        assert "people.locality_id =" in statement, statement
    other = completion.completion(ctx, world.actors["other_office"], "wb", WEEK)
    assert [(u.unit_name, u.people, u.kinds["weekly_record"].model_dump()) for u in other.units] == [
        ("市财政局", 1, {"submitted": 0, "late": 1, "missing": 0})
    ]


def test_the_page_the_api_and_the_files(ctx, world, live_server, tmp_path):
    base = "/admin/localities/wa/worklog/completion"
    query = {"period": "2025-W40", "unit_id": world.unit_a}
    with browser_session(ctx, live_server.url, world.actors["office"].user_id, timeout=60) as office:
        page = office.get(base, params=query)
        assert page.status_code == 200 and "纪实完成情况" in page.text and "逾期提交" in page.text
        assert "按时提交" in page.text and "李明" in page.text and "2025年9月30日 18:00" in page.text
        bad = office.get(base, params={"period": "someday"})
        assert bad.status_code == 200 and 'role="alert"' in bad.text

        sheet = office.get(f"{base}.xlsx", params=query)
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(sheet.content))
        assert book.sheetnames == ["单位", "人员"]
        units = list(book["单位"].iter_rows(values_only=True))
        assert units[0] == ("期间", "2025-W40") + (None,) * (len(units[0]) - 2)
        assert units[1][:5] == ("单位", "人数", "周计划 · 按时提交", "周计划 · 逾期提交", "周计划 · 未提交")
        assert units[2][:8] == ("县财政局", 3, 0, 1, 2, 1, 0, 2)
        people = list(book["人员"].iter_rows(values_only=True))
        assert people[0] == ("姓名", "周计划", "周记实") and people[2][1:] == ("未提交", "未提交")

        printed = office.get(f"{base}.pdf", params=query)
        assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
        path = tmp_path / "completion.pdf"
        path.write_bytes(printed.content)
        text = re.sub(
            r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
        )
        assert "工作纪实完成情况（2025-W40）" in text and "县财政局" in text and "逾期提交" in text and "王芳" in text

        english = office.get(f"{base}.xlsx", params={**query, "lang": "en"})
        assert load_workbook(io.BytesIO(english.content)).sheetnames == ["Units", "People"]
        plain = f"worklog-completion-2025-W40-unit-{world.unit_a}"
        assert saved_as(sheet.headers["content-disposition"]) == (
            f"纪实完成情况-2025-W40-单位{world.unit_a}.xlsx",
            f"{plain}.xlsx",
        )
        assert saved_as(printed.headers["content-disposition"])[0] == f"纪实完成情况-2025-W40-单位{world.unit_a}.pdf"
        assert english.headers["content-disposition"] == f'attachment; filename="{plain}.xlsx"'

    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        event_hooks={"response": [never_5xx]},
        headers={"Authorization": f"Bearer {token(ctx, world.actors['leader'])}"},
    ) as leader:
        assert leader.get("/api/localities/wa/worklog/completion", params={"period": "2025-W40"}).status_code == 403
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        event_hooks={"response": [never_5xx]},
        headers={"Authorization": f"Bearer {token(ctx, world.actors['office'])}"},
    ) as api:
        answer = api.get("/api/localities/wa/worklog/completion", params={"period": "2025-W40"})
        assert answer.status_code == 200 and answer.json()["units"][0]["kinds"]["weekly_record"]["submitted"] == 1


def test_the_page_says_when_a_year_s_holiday_calendar_is_not_known_yet(ctx, world, live_server):
    from plugins.worklog import reminders

    base = "/admin/localities/wa/worklog/completion"
    with browser_session(ctx, live_server.url, world.actors["office"].user_id, timeout=60) as office:
        known = office.get(base, params={"period": "2025-W40"})
        assert known.status_code == 200 and 'id="calendar-unknown"' not in known.text
        if reminders.calendar_covers(2027):
            pytest.skip("the installed chinesecalendar covers 2027")
        across = office.get(base, params={"period": "2026-W53"})  # 28 December 2026 to 3 January 2027
        assert across.status_code == 200 and 'id="calendar-unknown"' in across.text
        assert "2027 年的法定节假日安排尚未公布" in across.text and "2026年12月31日 18:00" in across.text
        english = office.get(base, params={"period": "2027-Q1", "lang": "en"})
        assert "The official holiday calendar for 2027 is not known yet" in english.text
