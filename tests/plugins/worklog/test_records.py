"""A person's work records of a period as .xlsx and PDF (``plugins.worklog.records``), on both
databases: the entries whose period starts within it, oldest first; the author sees their drafts,
their leader and the office the submitted entries only; a leader of another unit, a colleague
without the setting and another locality get 404; a bad period 422; the files read back in
Chinese and English, and the office's completion page links to them."""

from __future__ import annotations

import io
import re
import subprocess

import httpx
import pytest
from openpyxl import load_workbook

from core.periods import Period
from core.services.errors import Invalid, NotFound
from plugins.worklog import records
from plugins.worklog.models import EntryKind
from plugins.worklog.service import seed_entry
from tests.core.web.test_downloads import saved_as
from tests.helpers import browser_session, never_5xx
from tests.plugins.worklog.setup import make_world, token


@pytest.fixture
def world(ctx):
    world = make_world(ctx)
    author = world.people["李明"]
    seed_entry(
        ctx, "wa", author, EntryKind.weekly_record, Period.parse("2025-W36"), "九月第一周：起草方案", written_by="t"
    )
    seed_entry(
        ctx, "wa", author, EntryKind.weekly_record, Period.parse("2025-W37"), "走访企业\n整理<档案>", written_by="t"
    )
    seed_entry(
        ctx, "wa", author, EntryKind.monthly_summary, Period.parse("2025-09"), "九月草稿", written_by="t", submit=False
    )
    seed_entry(ctx, "wa", author, EntryKind.weekly_record, Period.parse("2025-W41"), "十月的一周", written_by="t")
    return world


def test_who_reads_which_entries_of_a_period(ctx, world):
    author, leader = world.actors["author"], world.actors["leader"]
    person = world.people["李明"]
    mine = records.person_records(ctx, author, "wa", person, "2025-09")
    assert (mine.person_name, mine.unit_name, mine.period) == ("李明", "县财政局", "2025-09")
    assert [(e.period, e.kind.value, e.status.value) for e in mine.entries] == [
        ("2025-09", "monthly_summary", "draft"),  # the month and W36 both start on Monday 1 September
        ("2025-W36", "weekly_record", "submitted"),
        ("2025-W37", "weekly_record", "submitted"),
    ]
    theirs = records.person_records(ctx, leader, "wa", person, "2025年9月")
    assert [e.period for e in theirs.entries] == ["2025-W36", "2025-W37"]  # no draft for a reader
    office = records.person_records(ctx, world.actors["office"], "wa", person, "2025-Q4")
    assert [e.body for e in office.entries] == ["十月的一周"]
    for other in (world.actors["leader_b"], world.actors["colleague"], world.actors["other_office"]):
        with pytest.raises(NotFound):
            records.person_records(ctx, other, "wa", person, "2025-09")
    with pytest.raises(NotFound):
        records.person_records(ctx, world.actors["office"], "wa", world.other_person, "2025-09")
    with pytest.raises(Invalid) as bad:
        records.person_records(ctx, author, "wa", person, "someday")
    assert bad.value.errors[0]["field"] == "period"


def test_the_files_over_the_api_and_the_completion_pages_links(ctx, world, live_server, tmp_path):
    person = world.people["李明"]
    path = f"/api/localities/wa/worklog/people/{person}/records"
    with httpx.Client(
        base_url=live_server.url,
        timeout=60,
        event_hooks={"response": [never_5xx]},
        headers={"Authorization": f"Bearer {token(ctx, world.actors['leader'])}"},
    ) as leader:
        sheet = leader.get(f"{path}.xlsx", params={"period": "2025-09"})
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
        rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
        assert rows[0][0] == "李明的工作纪实（2025-09）" and rows[1][:2] == ("单位", "县财政局")
        assert rows[2] == ("期间", "类型", "状态", "提交时间", "内容")
        assert [r[:3] for r in rows[3:]] == [("2025-W36", "周记实", "已提交"), ("2025-W37", "周记实", "已提交")]
        assert rows[4][4] == "走访企业\n整理<档案>"
        english = leader.get(f"{path}.xlsx", params={"period": "2025-09", "lang": "en"})
        english_rows = list(load_workbook(io.BytesIO(english.content)).active.iter_rows(values_only=True))
        assert english_rows[0][0] == "Work records of 李明, 2025-09" and english_rows[3][1] == "Weekly record"
        plain = f"worklog-{person}-2025-09.xlsx"
        assert saved_as(sheet.headers["content-disposition"]) == ("工作纪实-李明-2025-09.xlsx", plain)
        assert english.headers["content-disposition"] == f'attachment; filename="{plain}"'

        printed = leader.get(f"{path}.pdf", params={"period": "2025-09"})
        assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
        (tmp_path / "records.pdf").write_bytes(printed.content)
        text = re.sub(
            r"\s+",
            "",
            subprocess.run(
                ["pdftotext", str(tmp_path / "records.pdf"), "-"], check=True, capture_output=True, text=True
            ).stdout,
        )
        assert "李明的工作纪实（2025-09）" in text and "走访企业整理<档案>" in text and "九月草稿" not in text

        assert leader.get(f"{path}.pdf", params={"period": "someday"}).status_code == 422
        assert (
            leader.get(
                f"/api/localities/wa/worklog/people/{world.people['钱七']}/records.xlsx", params={"period": "2025-09"}
            ).status_code
            == 404
        )
    with httpx.Client(
        base_url=live_server.url,
        timeout=30,
        event_hooks={"response": [never_5xx]},
        headers={"Authorization": f"Bearer {token(ctx, world.actors['other_office'])}"},
    ) as other:
        assert other.get(f"{path}.xlsx", params={"period": "2025-09"}).status_code == 404

    with browser_session(ctx, live_server.url, world.actors["office"].user_id, timeout=60) as office:
        page = office.get(
            "/admin/localities/wa/worklog/completion", params={"period": "2025-W37", "unit_id": world.unit_a}
        )
        link = re.search(rf'href="({re.escape(path)}\.xlsx\?[^"]+)"', page.text)
        assert link is not None and "period=2025-W37" in link.group(1)
        answer = office.get(link.group(1).replace("&amp;", "&"))
        assert answer.status_code == 200
        rows = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
        assert [r[4] for r in rows[3:]] == ["走访企业\n整理<档案>"]
