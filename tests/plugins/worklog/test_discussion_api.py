"""An entry's comments, likes and files through the API over a real HTTP server, on both
databases: roles (the leader comments, only the author uploads), tenant isolation (404), the
download's headers (the Chinese name in RFC 5987 form, nosniff), translated refusals."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from core.models import Notification
from core.periods import Period
from plugins.worklog import service
from plugins.worklog.schemas import EntryIn
from tests.core.services.test_attachments import EXE, pdf
from tests.helpers import never_5xx
from tests.plugins.worklog.setup import make_world, token


@pytest.fixture
def api(ctx, live_server):
    world = make_world(ctx)
    week = str(Period.from_date("week", service.today(ctx)))
    entry = service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", week, EntryIn(body="本周：预算初审", submit=True)
    ).id

    def client(name: str, **headers) -> httpx.Client:
        return httpx.Client(
            base_url=live_server.url,
            timeout=30,
            event_hooks={"response": [never_5xx]},
            headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}", **headers},
        )

    return world, client, f"/api/localities/wa/worklog/entries/{entry}"


def test_a_leader_comments_and_likes_and_the_author_reads_and_is_told(ctx, api):
    world, client, base = api
    with client("leader") as leader, client("author") as author:
        said = leader.post(f"{base}/comments", json={"body": "数据翔实，继续保持"})
        assert said.status_code == 201, said.text
        assert leader.post(f"{base}/likes").json()["likes"] == 1
        seen = author.get(f"{base}/comments").json()
        assert [c["body"] for c in seen["comments"]] == ["数据翔实，继续保持"] and seen["liked_by"] == ["张局长"]
        assert not seen["comments"][0]["may_delete"]
        assert author.delete(f"{base}/comments/{said.json()['id']}").status_code == 403
        with ctx.db.read() as session:
            kinds = set(
                session.exec(select(Notification.kind).where(Notification.user_id == world.actors["author"].user_id))
            )
        assert {"discussion.comment", "discussion.like"} <= kinds
        assert leader.post(f"{base}/likes").json()["likes"] == 0  # taken back
        assert leader.delete(f"{base}/comments/{said.json()['id']}").status_code == 204
        assert author.get(f"{base}/comments").json()["comments"] == []
        assert leader.post(f"{base}/comments", json={"body": ""}).status_code == 400


def test_files_upload_download_and_refusals(ctx, api, monkeypatch):
    _world, client, base = api
    content = pdf()
    with client("author", **{"Accept-Language": "zh-CN"}) as author, client("leader") as leader:
        up = author.post(
            f"{base}/attachments", files={"file": ("2026年第48周 工作报告.pdf", content, "application/pdf")}
        )
        assert up.status_code == 201, up.text
        file_id = up.json()["id"]
        got = leader.get(f"{base}/attachments/{file_id}")
        assert got.status_code == 200 and got.content == content
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["x-content-type-options"] == "nosniff"
        disposition = got.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert (
            "filename*=UTF-8''2026%E5%B9%B4%E7%AC%AC48%E5%91%A8%20%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A.pdf"
            in disposition
        )
        assert [f["file_name"] for f in leader.get(f"{base}/attachments").json()] == ["2026年第48周 工作报告.pdf"]

        renamed = author.post(f"{base}/attachments", files={"file": ("报告.pdf", EXE, "application/pdf")})
        assert renamed.status_code == 422 and "报告.pdf" in renamed.json()["detail"]
        assert "not a" not in renamed.json()["detail"]  # translated
        assert author.post(f"{base}/attachments", files={"file": ("a.exe", EXE)}).status_code == 422
        assert author.post(f"{base}/attachments", data={"x": "no file"}).status_code in (400, 422)
        assert leader.post(f"{base}/attachments", files={"file": ("b.pdf", content)}).status_code == 403
        monkeypatch.setattr(ctx.settings, "attachment_max_mb", 1)
        big = author.post(f"{base}/attachments", files={"file": ("big.txt", b"a" * (1024 * 1024 + 1))})
        assert big.status_code == 413
        assert len(author.get(f"{base}/attachments").json()) == 1  # nothing half-written
        assert leader.delete(f"{base}/attachments/{file_id}").status_code == 403
        assert author.delete(f"{base}/attachments/{file_id}").status_code == 204
        assert leader.get(f"{base}/attachments/{file_id}").status_code == 404


def test_who_may_not_read_the_entry_gets_404(ctx, api):
    world, client, base = api
    with client("author") as author:
        file_id = author.post(f"{base}/attachments", files={"file": ("a.txt", b"hello")}).json()["id"]
    other_base = base.replace("/wa/", "/wb/")
    for name in ("colleague", "leader_b", "other", "other_office"):
        with client(name) as someone:
            for path in (base, other_base):
                assert someone.get(f"{path}/comments").status_code == 404, (name, path)
                assert someone.post(f"{path}/comments", json={"body": "x"}).status_code == 404
                assert someone.post(f"{path}/likes").status_code == 404
                assert someone.get(f"{path}/attachments").status_code == 404
                assert someone.get(f"{path}/attachments/{file_id}").status_code == 404
                assert someone.delete(f"{path}/attachments/{file_id}").status_code == 404


def test_the_operations_are_in_the_openapi_document(live_server):
    paths = httpx.get(f"{live_server.url}/schema/openapi.json", timeout=30).json()["paths"]
    base = "/api/localities/{code}/worklog/entries/{entry_id}"
    assert {
        f"{base}/comments",
        f"{base}/comments/{{comment_id}}",
        f"{base}/likes",
        f"{base}/attachments",
        f"{base}/attachments/{{attachment_id}}",
    } <= set(paths)
    assert "application/pdf" in paths[f"{base}/attachments/{{attachment_id}}"]["get"]["responses"]["200"]["content"]
