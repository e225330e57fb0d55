"""The console's data-source pages in a real browser at phone size: an office sees its sources,
runs one, and sees the values arrive; which records a run rejected and why; Chinese first,
English on request. The addresses of the pages they replaced lead to them."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.adapter_setup import make_county
from tests.conftest import TEST_PASSWORD
from tests.e2e.phone import fits_the_screen, sign_in_admin


def _row(page, name: str):
    return page.locator("#sources tbody tr", has_text=name)


def test_an_office_runs_a_source_from_the_page_and_sees_the_outcome(world, page, fake_platform):
    county = make_county(world.ctx)
    make_county(world.ctx, "other").http_source(f"{fake_platform.url}/records", name="别处的平台")
    county.http_source(f"{fake_platform.url}/records", name="业务平台", schedule={"interval_minutes": 60})
    world.user("office-e2e", "office", county.code)

    page.goto(world.url + "/admin/login")
    sign_in_admin(page, "office-e2e", TEST_PASSWORD)
    page.wait_for_url("**/admin/")
    page.locator("main").get_by_role("link", name="数据源", exact=True).click()  # the overview's link
    page.wait_for_url(f"**/admin/localities/{county.code}/sources")
    expect(page.get_by_role("heading", name="数据源")).to_be_visible()  # the menu's word, as the breadcrumb's
    source = _row(page, "业务平台")
    expect(source.get_by_role("cell", name="每 60 分钟", exact=True)).to_be_visible()
    expect(source.get_by_role("cell", name="尚未运行", exact=True)).to_be_visible()
    expect(page.get_by_text("别处的平台")).to_have_count(0)  # another locality's source stays hidden
    assert fits_the_screen(page)

    source.get_by_role("button", name="立即运行").click()
    expect(page.get_by_role("status")).to_have_text("第 1 次运行成功：写入 864 个指标值。")
    expect(_row(page, "业务平台").locator("td.last-run")).to_contain_text("成功")
    expect(_row(page, "业务平台").locator("td.last-run")).to_contain_text("读取 288 条记录，写入 864 个指标值")
    assert len(county.values()) == 864
    assert fits_the_screen(page)

    fake_platform.missing("/page2")
    _row(page, "业务平台").get_by_role("button", name="立即运行").click()
    expect(page.get_by_role("alert")).to_contain_text("第 2 次运行失败：page 2")
    assert len(county.values()) == 864  # the failed run changed nothing

    page.goto(world.url + f"/admin/localities/{county.code}/sources?lang=en")
    expect(page.get_by_role("heading", name="Data sources")).to_be_visible()
    expect(_row(page, "业务平台").get_by_role("cell", name="Every 60 minutes", exact=True)).to_be_visible()
    expect(_row(page, "业务平台").get_by_role("button", name="Run now")).to_be_visible()
    assert fits_the_screen(page)


def test_a_run_form_without_its_csrf_token_is_refused(world, fake_platform):
    county = make_county(world.ctx)
    source = county.http_source(f"{fake_platform.url}/records")
    world.user("office-e2e", "office", county.code)
    client = world.client()
    login = client.get("/admin/login")
    csrf = login.text.split('name="_csrf" value="')[1].split('"')[0]
    signed_in = client.post("/admin/login", data={"_csrf": csrf, "username": "office-e2e", "password": TEST_PASSWORD})
    assert signed_in.status_code in (302, 303), signed_in.text
    base = f"/admin/localities/{county.code}/sources/{source.id}"
    forged = client.post(f"{base}/run", data={"_csrf": "forged"})
    assert forged.status_code == 403
    forged = client.post(base, data={"_csrf": "forged", "action": "run"})
    assert forged.status_code == 403
    assert fake_platform.requests["/records"] == 0 and county.values() == {}


def test_the_office_sees_which_rows_a_run_rejected_and_why(world, page):
    from core.context import Actor
    from core.services import adapters

    county = make_county(world.ctx, adapters_enabled=("tabular_file",))
    source = county.file_source("月报文件")
    adapters.upload_file(
        world.ctx,
        Actor.system("test"),
        source.id,
        "五月.csv",
        "单位编码,月份,办结件数\nU001,2026-05,7\nU002,2026-05,七\n".encode(),
    )
    world.user("office-e2e", "office", county.code)

    page.goto(world.url + "/admin/login")
    sign_in_admin(page, "office-e2e", TEST_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto(world.url + "/admin/adapters")  # a bookmark of the old page
    page.wait_for_url(f"**/admin/localities/{county.code}/sources")
    _row(page, "月报文件").get_by_role("button", name="立即运行").click()
    expect(page.get_by_role("alert")).to_contain_text("2 条记录中有 1 条无法使用，没有写入任何数据")

    page.get_by_role("link", name="月报文件").click()
    page.wait_for_url(f"**/admin/localities/{county.code}/sources/{source.id}")
    expect(page.get_by_role("heading", name="运行记录")).to_be_visible()
    expect(page.locator("#runs").get_by_role("cell", name="失败")).to_be_visible()
    expect(page.get_by_role("heading", name="最近一次运行未通过的记录")).to_be_visible()
    rejected = page.locator("#rejected")
    expect(rejected.get_by_role("cell", name="file 五月.csv, row 3")).to_be_visible()
    expect(rejected.get_by_role("cell", name="'七' 不是数字")).to_be_visible()
    assert fits_the_screen(page)

    page.goto(page.url + "?lang=en")
    expect(page.get_by_role("heading", name="Rejected records of the last run")).to_be_visible()
    expect(page.locator("#runs").get_by_role("cell", name="failed")).to_be_visible()
    expect(page.locator("#rejected").get_by_role("cell", name="'七' is not a number")).to_be_visible()
    assert fits_the_screen(page)


def test_another_localitys_source_page_is_not_found(world, page):
    other = make_county(world.ctx, "other", adapters_enabled=("tabular_file",))
    source = other.file_source()
    make_county(world.ctx)
    world.user("office-e2e", "office", "county")
    page.goto(world.url + "/admin/login")
    sign_in_admin(page, "office-e2e", TEST_PASSWORD)
    page.wait_for_url("**/admin/")
    for address in (f"/admin/adapter-sources/{source.id}", f"/admin/localities/county/sources/{source.id}"):
        response = page.goto(world.url + address)
        assert response.status == 404, address
        expect(page.get_by_role("alert")).to_contain_text(f"没有编号为 {source.id} 的数据源")
    response = page.goto(world.url + f"/admin/localities/other/sources/{source.id}")
    assert response.status == 404
    expect(page.get_by_text("月报")).to_have_count(0)
