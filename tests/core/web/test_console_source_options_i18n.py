"""The options of a data source's form in the reader's language: each adapter's option titles and
help from its plugin's catalogue (adapters/locales), and a connection test's result."""

from __future__ import annotations

import re

import pytest

from tests.adapter_setup import make_county
from tests.core.web.test_console_permissions import _session

ADAPTERS = ("http_json", "tabular_file", "sql")
ENGLISH = {
    "http_json": ["Url", "Method", "Secret Headers", "Bearer Token", "Records Path", "Timeout Seconds", "Verify Tls"],
    "tabular_file": ["Folder", "Patterns", "Sheet", "Header Row"],
    "sql": ["Url", "Query", "Params", "Timeout Seconds"],
}
CHINESE = {
    "http_json": [
        "地址（URL）",
        "请求方法",
        "保密请求头",
        "访问令牌（Bearer）",
        "记录路径",
        "超时（秒）",
        "校验 TLS 证书",
    ],
    "tabular_file": ["文件夹", "文件名模式", "工作表", "表头行"],
    "sql": ["地址（URL）", "查询语句", "参数", "超时（秒）"],
}
OPTION_LABEL = re.compile(r'<label for="f-opt_[^"]+">([^<*]+?)(?: \*)?</label>|name="opt_[^"]+"[^>]*> ([^<]+)</label>')


def _labels(html: str) -> list[str]:
    return [(a or b).strip() for a, b in OPTION_LABEL.findall(html)]


@pytest.fixture
def office(world):
    county = make_county(world.ctx, "county-o", adapters_enabled=ADAPTERS)
    world.user("office-o", "office", "county-o")
    with _session(world, "office-o") as client:
        client.template_id = county.template_id
        yield client


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_the_new_source_form_shows_the_options_in_the_page_language(office, adapter):
    path = f"/admin/localities/county-o/sources/new?adapter={adapter}"
    chinese, english = office.get(path), office.get(path + "&lang=en")
    assert chinese.status_code == english.status_code == 200
    shown_zh, shown_en = _labels(chinese.text), _labels(english.text)
    assert set(CHINESE[adapter]) <= set(shown_zh), shown_zh
    assert not set(shown_zh) & {title for titles in ENGLISH.values() for title in titles}, shown_zh
    assert all(re.search("[\u4e00-\u9fff]", label) for label in shown_zh), shown_zh
    assert set(ENGLISH[adapter]) <= set(shown_en), shown_en
    assert not any(re.search("[\u4e00-\u9fff]", label) for label in shown_en), shown_en
    help_zh = (
        "每一页请求使用的 HTTP 方法。"
        if adapter == "http_json"
        else "加密保存"
        if adapter == "sql"
        else "表头所在的行号"
    )
    assert help_zh in chinese.text and help_zh not in english.text


def test_a_file_source_connection_test_reads_in_the_page_language(office):
    form = {
        "_csrf": office.csrf,
        "action": "save",
        "name": "月报文件",
        "enabled": "",
        "opt_folder": "inbox",
        "subject_field": "单位编码",
        "subject_by": "code",
        "period_field": "月份",
        "values": f"办结件数, {office.template_id}, CASES",
        "retry_attempts": "3",
    }
    created = office.post("/admin/localities/county-o/sources/new?adapter=tabular_file", data=form)
    assert created.status_code == 302, created.text
    path = created.headers["location"].split("?")[0]
    chinese = office.post(path, data={"_csrf": office.csrf, "action": "test"})
    english = office.post(path + "?lang=en", data={"_csrf": office.csrf, "action": "test"})
    result = re.compile(r'id="test-result">(.*?)</p>', re.DOTALL)
    assert "没有待读取的文件" in result.search(chinese.text).group(1)
    assert "no files waiting" not in chinese.text
    assert "no files waiting" in result.search(english.text).group(1)

    # a file waiting: its name and its number of records, and no English word on the Chinese page
    csv = "单位编码,月份,办结件数\nU1,2026-11,3\nU2,2026-11,4\n".encode()
    uploaded = office.post(
        path + "/files", data={"_csrf": office.csrf}, files={"file": ("monthly.csv", csv, "text/csv")}
    )
    assert uploaded.status_code in (200, 302, 303), uploaded.text
    chinese = result.search(office.post(path + "?lang=zh", data={"_csrf": office.csrf, "action": "test"}).text).group(1)
    english = result.search(office.post(path + "?lang=en", data={"_csrf": office.csrf, "action": "test"}).text).group(1)
    assert "1 个文件待读取（括号内为记录数）：monthly.csv (2)；列：" in chinese, chinese
    assert not re.search(r"\b(file|files|rows|waiting|columns|more)\b", chinese.split("inbox", 1)[1]), chinese
    assert "1 file waiting (records in each): monthly.csv (2); columns" in english, english


def test_one_word_for_data_sources_on_the_menu_the_breadcrumb_the_list_and_the_overview(office):
    listed = office.get("/admin/localities/county-o/sources").text
    new = office.get("/admin/localities/county-o/sources/new?adapter=tabular_file").text
    overview = office.get("/admin/").text
    for page in (listed, new, overview):
        assert "数据对接" not in page
    assert re.search(r'<a href="/admin/localities/county-o/sources"[^>]*>数据源</a>', overview)
    assert "<h1>数据源</h1>" in listed and "尚无数据源。" in listed
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', new, re.DOTALL).group(0)
    assert ">数据源</" in crumbs
