"""The runs page of a data source shows why a file was refused in the reader's language, with
its rows (the reasons are stored as English message ids)."""

from __future__ import annotations

from core.context import Actor
from core.services import adapters
from tests.adapter_setup import make_county
from tests.conftest import TEST_PASSWORD

MIXED = ("单位编码,单位名称,月份,办结件数\r\nU001,县财政局,2026-01,1\r\n".encode()
         + "U003,县公安局,2026-01,3\r\n".encode("gbk") + "U004,县审计局,2026-01,4\r\n".encode())


def test_a_refused_file_is_explained_in_the_readers_language(world):
    county = make_county(world.ctx, adapters_enabled=("tabular_file",))
    source = county.file_source("月报文件")
    adapters.upload_file(world.ctx, Actor.system("test"), source.id, "一月.csv", MIXED)
    assert adapters.run_now(world.ctx, Actor.system("test"), source.id).status == "failed"
    world.user("office-page", "office", county.code)
    with world.client() as client:
        csrf = client.get("/admin/login").text.split('name="_csrf" value="')[1].split('"')[0]
        signed_in = client.post("/admin/login", data={"_csrf": csrf, "username": "office-page",
                                                      "password": TEST_PASSWORD})
        assert signed_in.status_code in (302, 303), signed_in.text
        chinese = client.get(f"/admin/adapter-sources/{source.id}")
        assert chinese.status_code == 200, chinese.text
        assert "文件 一月.csv：第 3 行的文字不是与文件其余部分相同的 UTF-8 编码" in chinese.text
        assert "file 一月.csv, row 3" in chinese.text and "不是与文件其余部分相同的 UTF-8 编码" in chinese.text
        english = client.get(f"/admin/adapter-sources/{source.id}", params={"lang": "en"})
        assert "file 一月.csv: the text on row(s) 3 is not UTF-8 like the rest of the file" in english.text
        assert "not UTF-8 text like the rest of the file" in english.text
