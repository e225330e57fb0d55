"""Downloaded files are named in the page's language (``core.web.downloads``): a Chinese page
saves 人员导入模板.xlsx, an English one people-template.xlsx; a non-ASCII name travels as RFC
5987 ``filename*`` with an ASCII ``filename`` beside it for old clients (RFC 6266)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from core.context import Actor
from core.i18n import translator
from core.schemas.org import UnitIn
from core.services import org
from core.web.downloads import attachment, content_disposition
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def saved_as(header: str) -> tuple[str, str]:
    """(the name a modern browser saves under, the plain fallback) of a Content-Disposition."""
    plain = re.search(r'filename="([^"]*)"', header).group(1)
    encoded = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
    return (unquote(encoded.group(1)) if encoded else plain), plain


def test_a_name_is_translated_and_keeps_an_ascii_fallback():
    zh, en = translator("zh_CN"), translator("en")
    header = attachment(zh, "people-template", ".xlsx")
    assert header.startswith("attachment; ")
    assert saved_as(header) == ("人员导入模板.xlsx", "people-template.xlsx")
    assert attachment(en, "people-template", ".xlsx") == 'attachment; filename="people-template.xlsx"'
    assert saved_as(attachment(zh, "units-{code}", ".xlsx", code="county-a")) == (
        "单位-county-a.xlsx",
        "units-county-a.xlsx",
    )
    assert attachment(en, "activation-codes-{batch}", ".pdf", disposition="inline", batch=3).startswith("inline; ")


def test_names_are_never_paths_nor_break_the_header():
    assert content_disposition("工作 报告.pdf") == (
        "attachment; filename=\"__ __.pdf\"; filename*=UTF-8''%E5%B7%A5%E4%BD%9C%20%E6%8A%A5%E5%91%8A.pdf"
    )
    header = content_disposition('a/b\\c"d;e\r\nf%.txt')
    assert "\r" not in header and "\n" not in header
    name, plain = saved_as(header)
    assert "/" not in name and "\\" not in name and '"' not in plain and ";" not in plain
    assert saved_as(content_disposition("结果报告.pdf", "campaign-7-report.pdf")) == (
        "结果报告.pdf",
        "campaign-7-report.pdf",
    )


@pytest.fixture
def county(world):
    world.locality("county-d", "示范县")
    org.create_unit(world.ctx, Actor.system("test"), "county-d", UnitIn(code="D1", name="县财政局"))
    world.user("office-d", "office", "county-d")
    return world


def test_console_downloads_are_named_in_the_page_language(county):
    base = "/admin/localities/county-d"
    with _session(county, "office-d") as browser:
        cases = {
            f"{base}/import/people/template": ("人员导入模板.xlsx", "people-template.xlsx"),
            f"{base}/import/units/template?fmt=csv": ("单位导入模板.csv", "units-template.csv"),
            f"{base}/units/export": ("单位-county-d.xlsx", "units-county-d.xlsx"),
            f"{base}/people/export": ("人员-county-d.xlsx", "people-county-d.xlsx"),
        }
        for url, (chinese, english) in cases.items():
            response = browser.get(url)
            assert response.status_code == 200, url
            assert saved_as(response.headers["content-disposition"]) == (chinese, english), url
        browser.get(f"{base}/import?lang=en")  # switches the console to English (a cookie)
        for url, (_chinese, english) in cases.items():
            response = browser.get(url)
            assert response.status_code == 200, url
            assert response.headers["content-disposition"] == f'attachment; filename="{english}"', url


def test_api_template_names_follow_accept_language(county):
    token = county.user("office-d2", "office", "county-d")
    with county.client(token) as api:
        url = "/api/localities/county-d/imports/teams"
        english = api.get(url)
        assert english.headers["content-disposition"] == 'attachment; filename="teams-template.xlsx"'
        chinese = api.get(url, params={"format": "csv"}, headers={"Accept-Language": "zh-CN"})
        assert saved_as(chinese.headers["content-disposition"]) == ("领导班子导入模板.csv", "teams-template.csv")
