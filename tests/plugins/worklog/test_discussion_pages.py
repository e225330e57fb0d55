"""An entry's comments, likes and files on its pages over HTTP, on both databases: the leader
comments and likes on the console's entry page, the author reads them on /me and attaches a file
there, a refused file or comment shows the reason in Chinese and keeps the text, every form
needs the CSRF token, and whoever may not read the entry gets 404."""

from __future__ import annotations

import pytest

from core.periods import Period
from plugins.worklog import service
from plugins.worklog.schemas import EntryIn
from tests.core.services.test_attachments import EXE, pdf
from tests.plugins.worklog.test_pages import site  # noqa: F401 - the fixture


@pytest.fixture
def entry(ctx, site):  # noqa: F811
    world, _session = site
    week = str(Period.from_date("week", service.today(ctx)))
    return service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", week, EntryIn(body="本周：预算初审", submit=True)
    ).id


def test_the_leader_comments_and_likes_and_the_author_reads_and_attaches(ctx, site, entry):  # noqa: F811
    _world, session = site
    admin = f"/admin/localities/wa/worklog/entries/{entry}"
    mine = f"/me/worklog/entries/{entry}"
    with session("leader") as leader, session("author") as author:
        page = leader.get(admin)
        assert page.status_code == 200 and "还没有评论" in page.text and "写评论" in page.text
        assert "上传附件" not in page.text  # only the author attaches
        said = leader.post(
            f"{admin}/comments", data={"_csrf": leader.csrf, "body": "数据翔实，继续保持"}, follow_redirects=True
        )
        assert said.status_code == 200 and "数据翔实，继续保持" in said.text
        liked = leader.post(f"{admin}/like", data={"_csrf": leader.csrf}, follow_redirects=True)
        assert "已赞 · 1" in liked.text and "张局长赞了" in liked.text

        assert "评论 1 · 赞 1" in leader.get("/admin/localities/wa/worklog/board").text
        assert "评论 1 · 赞 1" in author.get("/me/worklog/history").text
        own = author.get(mine)
        assert "数据翔实，继续保持" in own.text and "张局长赞了" in own.text and "上传附件" in own.text
        notices = author.get("/admin/notifications").text
        assert "张局长评论了你的工作纪实：数据翔实，继续保持" in notices and "张局长赞了你的工作纪实" in notices

        sent = author.post(
            f"{mine}/attachments",
            data={"_csrf": author.csrf},
            files={"file": ("第48周 报告.pdf", pdf(), "application/pdf")},
            follow_redirects=True,
        )
        assert sent.status_code == 200 and "第48周 报告.pdf" in sent.text
        link = f"{admin}/attachments/"
        file_id = int(leader.get(admin).text.split(link, 1)[1].split('"', 1)[0])
        got = leader.get(f"{link}{file_id}")
        assert got.status_code == 200 and got.content.startswith(b"%PDF-")
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "filename*=UTF-8''%E7%AC%AC48%E5%91%A8%20%E6%8A%A5%E5%91%8A.pdf" in got.headers["content-disposition"]


def test_refusals_are_shown_in_chinese_and_lose_nothing(ctx, site, entry):  # noqa: F811
    _world, session = site
    mine = f"/me/worklog/entries/{entry}"
    admin = f"/admin/localities/wa/worklog/entries/{entry}"
    with session("author") as author, session("leader") as leader:
        renamed = author.post(
            f"{mine}/attachments", data={"_csrf": author.csrf}, files={"file": ("报告.pdf", EXE, "application/pdf")}
        )
        assert renamed.status_code == 422 and "报告.pdf：文件内容不是pdf格式" in renamed.text
        assert "没有附件" in renamed.text
        long = "长" * 2001
        refused = leader.post(f"{admin}/comments", data={"_csrf": leader.csrf, "body": long})
        assert refused.status_code == 422 and "评论须为1至2000个字" in refused.text and long in refused.text


def test_every_form_needs_the_csrf_token(ctx, site, entry):  # noqa: F811
    _world, session = site
    admin = f"/admin/localities/wa/worklog/entries/{entry}"
    with session("leader") as leader, session("author") as author:
        assert leader.post(f"{admin}/comments", data={"body": "无令牌"}).status_code == 403
        assert leader.post(f"{admin}/like", data={"_csrf": "wrong"}).status_code == 403
        assert (
            author.post(f"/me/worklog/entries/{entry}/attachments", files={"file": ("a.txt", b"hello")}).status_code
            == 403
        )
        assert "无令牌" not in leader.get(admin).text and "没有附件" in leader.get(admin).text


def test_whoever_may_not_read_the_entry_gets_404(ctx, site, entry):  # noqa: F811
    _world, session = site
    with session("author") as author:
        author.post(
            f"/me/worklog/entries/{entry}/attachments", data={"_csrf": author.csrf}, files={"file": ("a.txt", b"hello")}
        )
    for name in ("colleague", "leader_b"):
        with session(name) as someone:
            base = f"/admin/localities/wa/worklog/entries/{entry}"
            assert someone.get(base).status_code == 404
            assert someone.post(f"{base}/comments", data={"_csrf": someone.csrf, "body": "x"}).status_code == 404
            assert someone.post(f"{base}/like", data={"_csrf": someone.csrf}).status_code == 404
            assert someone.get(f"{base}/attachments/1").status_code == 404
    with session("other_office") as other:
        for base in (f"/admin/localities/wa/worklog/entries/{entry}", f"/admin/localities/wb/worklog/entries/{entry}"):
            assert other.get(base).status_code == 404
            assert other.post(f"{base}/comments", data={"_csrf": other.csrf, "body": "x"}).status_code == 404
            assert other.get(f"{base}/attachments/1").status_code == 404


def test_the_entry_page_in_english(ctx, site, entry):  # noqa: F811
    _world, session = site
    with session("leader") as leader:
        leader.post(
            f"/admin/localities/wa/worklog/entries/{entry}/comments", data={"_csrf": leader.csrf, "body": "Good work"}
        )
        english = leader.get(f"/admin/localities/wa/worklog/entries/{entry}?lang=en").text
        assert "Comments" in english and "Write a comment" in english and "Good work" in english
        assert "No attachments." in english and "评论" not in english
