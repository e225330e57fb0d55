"""An office downloads a tallied campaign's result files from its results page in the browser
(zh-CN): the .xlsx, the PDF report and the Word .docx, each saved and read back."""

from __future__ import annotations

import re
import subprocess

import docx
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.results_setup import build


def test_an_office_downloads_the_result_files(world, browser, tmp_path):
    s = build(world)
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        sign_in(page, world.url, "office-county-r")
        page.wait_for_url("**/admin/")
        page.goto(world.url + s.results_url)
        downloads = page.locator("#downloads")
        expect(downloads).to_contain_text("下载结果：")
        screenshot(page, "results-downloads")
        saved = {}
        for kind, label in (
            ("xlsx", "测评结果表（.xlsx）"),
            ("pdf", "呈报党委的结果报告（PDF）"),
            ("docx", "可在 Word 或 WPS 中编辑的报告（.docx）"),
        ):
            with page.expect_download() as info:
                downloads.get_by_role("link", name=label).click()
            download = info.value
            assert (
                download.suggested_filename == f"2026年度民主测评 {'测评结果' if kind == 'xlsx' else '结果报告'}.{kind}"
            )
            saved[kind] = tmp_path / f"file.{kind}"
            download.save_as(saved[kind])
    finally:
        context.close()

    book = load_workbook(saved["xlsx"])
    assert book.sheetnames == ["结果", "参评率", "指标得分"]
    assert [row[1] for row in book["结果"].iter_rows(min_row=2, values_only=True)] == ["张三", "李四", "王五", "赵六"]
    text = subprocess.run(["pdftotext", str(saved["pdf"]), "-"], check=True, capture_output=True, text=True).stdout
    assert "2026年度民主测评结果报告" in re.sub(r"\s+", "", text)
    report = docx.Document(str(saved["docx"]))
    assert report.core_properties.title == "2026年度民主测评结果报告"
