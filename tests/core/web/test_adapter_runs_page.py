"""A data source's page shows why a file was refused in the reader's language, with its rows
(the reasons are stored as English message ids); the old address of the runs page leads there,
and a unit admin reads the runs without the forms that change the source."""

from __future__ import annotations

from core.context import Actor
from core.services import adapters
from tests.adapter_setup import make_county
from tests.conftest import TEST_PASSWORD

MIXED = (
    "单位编码,单位名称,月份,办结件数\r\nU001,县财政局,2026-01,1\r\n".encode()
    + "U003,县公安局,2026-01,3\r\n".encode("gbk")
    + "U004,县审计局,2026-01,4\r\n".encode()
)


def _signed_in(world, username: str):
    client = world.client()
    csrf = client.get("/admin/login").text.split('name="_csrf" value="')[1].split('"')[0]
    signed_in = client.post("/admin/login", data={"_csrf": csrf, "username": username, "password": TEST_PASSWORD})
    assert signed_in.status_code in (302, 303), signed_in.text
    return client


def _refused_file(world):
    county = make_county(world.ctx, adapters_enabled=("tabular_file",))
    source = county.file_source("月报文件")
    adapters.upload_file(world.ctx, Actor.system("test"), source.id, "一月.csv", MIXED)
    assert adapters.run_now(world.ctx, Actor.system("test"), source.id).status == "failed"
    return county, source


def test_a_refused_file_is_explained_in_the_readers_language(world):
    county, source = _refused_file(world)
    world.user("office-page", "office", county.code)
    client = _signed_in(world, "office-page")
    old = client.get(f"/admin/adapter-sources/{source.id}", follow_redirects=False)
    assert old.status_code in (301, 302), old.text
    page = f"/admin/localities/{county.code}/sources/{source.id}"
    assert old.headers["location"] == page
    chinese = client.get(f"/admin/adapter-sources/{source.id}", follow_redirects=True)
    assert chinese.status_code == 200, chinese.text
    assert str(chinese.url).endswith(page)
    assert "文件 一月.csv：第 3 行的文字不是与文件其余部分相同的 UTF-8 编码" in chinese.text
    assert "file 一月.csv, row 3" in chinese.text and "不是与文件其余部分相同的 UTF-8 编码" in chinese.text
    assert "最近一次运行未通过的记录" in chinese.text
    english = client.get(page, params={"lang": "en"})
    assert "file 一月.csv: the text on row(s) 3 is not UTF-8 like the rest of the file" in english.text
    assert "not UTF-8 text like the rest of the file" in english.text
    listed = client.get(f"/admin/localities/{county.code}/sources", params={"lang": "en"})
    assert "file 一月.csv: the text on row(s) 3 is not UTF-8 like the rest of the file" in listed.text


def test_a_unit_admin_reads_the_runs_but_gets_no_forms(world):
    county, source = _refused_file(world)
    world.user("unit-page", "unit_admin", county.code, unit="U001")
    client = _signed_in(world, "unit-page")
    assert client.get("/admin/adapters", follow_redirects=False).headers["location"] == (
        f"/admin/localities/{county.code}/sources"
    )
    listed = client.get(f"/admin/localities/{county.code}/sources")
    assert listed.status_code == 200 and "月报文件" in listed.text and "立即运行" not in listed.text
    page = client.get(f"/admin/localities/{county.code}/sources/{source.id}")
    assert page.status_code == 200, page.text
    assert "不是与文件其余部分相同的 UTF-8 编码" in page.text
    assert 'name="action"' not in page.text and "立即运行" not in page.text
    csrf = page.text.split('name="_csrf" value="')[1].split('"')[0]  # the header's sign-out form
    refused = client.post(f"/admin/localities/{county.code}/sources/{source.id}/run", data={"_csrf": csrf})
    assert refused.status_code == 404
    assert len(adapters.list_runs(world.ctx, Actor.system("test"), source.id).items) == 1


def test_another_localitys_office_can_neither_run_nor_open_the_source(world):
    county, source = _refused_file(world)
    make_county(world.ctx, "other", adapters_enabled=("tabular_file",))
    world.user("office-other", "office", "other")
    client = _signed_in(world, "office-other")
    csrf = client.get("/admin/localities/other/sources").text.split('name="_csrf" value="')[1].split('"')[0]
    for code in (county.code, "other"):  # their locality, or its own with a foreign id
        base = f"/admin/localities/{code}/sources/{source.id}"
        assert client.post(f"{base}/run", data={"_csrf": csrf}).status_code == 404, code
        assert client.post(base, data={"_csrf": csrf, "action": "run"}).status_code == 404, code
        assert client.get(base).status_code == 404, code
    assert client.get(f"/admin/adapter-sources/{source.id}", follow_redirects=False).status_code == 404
    assert (
        client.get("/admin/adapters", follow_redirects=False).headers["location"] == "/admin/localities/other/sources"
    )
    assert len(adapters.list_runs(world.ctx, Actor.system("test"), source.id).items) == 1
