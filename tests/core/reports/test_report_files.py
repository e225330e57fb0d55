"""The PDF report read back with poppler (pdftotext, pdffonts, pdfinfo) and the .docx report read
back with python-docx, both downloaded through the API from a real tallied campaign (SQLite and
PostgreSQL)."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx

from core.pdf_fonts import cjk_font
from core.reports import charts
from tests.core.reports.conftest import REASON

PEOPLE = ("张三", "李四", "王五", "赵六")


def _download(scenario, name: str, language: str) -> bytes:
    response = scenario.api.get(f"/api/campaigns/{scenario.campaign_id}/{name}", headers={"Accept-Language": language})
    assert response.status_code == 200, response.text
    return response.content


def _poppler(tool: str, path: Path, *args: str) -> str:
    return subprocess.run(
        [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], check=True, capture_output=True, text=True
    ).stdout


def _pdf(scenario, tmp_path: Path, language: str) -> tuple[str, str, int, str]:
    path = tmp_path / f"report-{language}.pdf"
    path.write_bytes(_download(scenario, "report.pdf", language))
    pages = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", path)).group(1))
    layout = _poppler("pdftotext", path, "-layout")
    return layout, re.sub(r"\s+", "", layout), pages, _poppler("pdffonts", path)


def test_pdf_report_in_chinese(scenario, tmp_path):
    layout, compact, pages, fonts = _pdf(scenario, tmp_path, "zh-CN")
    # cover, turnout + rule, ranking, one page per subject
    assert pages == 3 + len(PEOPLE)
    cover, *rest = layout.split("\f")[:pages]
    assert "2026年度民主测评结果报告" in re.sub(r"\s+", "", cover) and "考核期间：2026" in re.sub(r"\s+", "", cover)
    assert "页" not in cover  # the cover is not numbered
    for number, page in enumerate(rest, start=2):
        assert f"第{number}页共{pages}页" in re.sub(r"\s+", "", page), number
    # turnout: 县领导 2 issued, 2 submitted, 1 valid, 1 invalid
    assert re.search(r"县领导\s+2\s+2\s+1\s+1\s+100\.0", layout)
    assert re.search(r"合计\s+3\s+3\s+2\s+1\s+100\.0", layout)
    # the rule and the policy in words
    for words in (
        "计分规则：加权平均",
        "按得分建议等次：优秀90分及以上；称职75分及以上",
        "等次分布规则：结果等次比例",
        "最多占：25%",
        "县领导：权重40（占总分40.0%）",
    ):
        assert words in compact, words
    # the ranking: rank, name, rounded score, proposed and final grade, flags, reason
    assert re.search(r"1\s+张三\s+95\.00\s+称职\s+称职\s+名额临界并列", layout)
    assert re.search(r"3\s+王五\s+90\.23\s+称职\s+称职", layout)
    assert re.search(r"4\s+赵六\s+62\.00\s+基本称职\s+称职", layout)
    assert REASON in compact
    assert "得分按四舍五入保留2位小数" in compact
    # a page per subject with its indicators (the radar's axis labels are the same names)
    for name, page in zip(PEOPLE, rest[2:], strict=True):
        flat = re.sub(r"\s+", "", page)
        assert flat.startswith(name), name
        assert "各项指标得分" in flat and flat.count("政治品德") >= 2 and "雷达图" in flat, name
    assert "等次由“基本称职”调整为“称职”" in re.sub(r"\s+", "", rest[-1])
    # a CJK font is embedded (fonts-wqy-microhei on Debian)
    assert re.search(r"WenQuanYi\S*\s+(CID )?TrueType\S*\s+\S+\s+yes", fonts), fonts


def test_pdf_report_in_english(scenario, tmp_path):
    layout, compact, pages, _fonts = _pdf(scenario, tmp_path, "en")
    assert "2026年度民主测评:resultsreport" in compact
    assert f"Page2of{pages}" in compact and f"Page{pages}of{pages}" in compact
    assert "Scoringrule:Weightedmean" in compact and "Distributionpolicy:Quotaofagradeintheresults" in compact
    assert re.search(r"1\s+张三\s+95\.00\s+称职\s+称职", layout) and "Flags: tie at the quota" in layout


def test_docx_report_reads_back_with_the_same_content(scenario):
    content = _download(scenario, "report.docx", "zh-CN")
    document = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.core_properties.title == "2026年度民主测评结果报告"
    assert "2026年度民主测评结果报告" in text and "计分规则：加权平均" in text and "等次分布规则：结果等次比例" in text
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    turnout = next(t for t in tables if t[0][0] == "测评主体" and t[0][1] == "已发放账号")
    assert turnout[1:] == [
        ["县领导", "2", "2", "1", "1", "100.0"],
        ["基层代表", "1", "1", "1", "0", "100.0"],
        ["合计", "3", "3", "2", "1", "100.0"],
    ]
    ranking = next(t for t in tables if t[0][0] == "名次")
    assert ranking[1:] == [
        ["1", "张三", "95.00", "称职", "称职", "名额临界并列", ""],
        ["1", "李四", "95.00", "称职", "称职", "名额临界并列", ""],
        ["3", "王五", "90.23", "称职", "称职", "", ""],
        ["4", "赵六", "62.00", "基本称职", "称职", "", REASON],
    ]
    indicator_tables = [t for t in tables if t[0][:3] == ["指标", "所属指标", "平均分"]]
    assert len(indicator_tables) == len(PEOPLE)
    assert [row[2] for row in indicator_tables[2][1:]] == ["87.50"] * 4  # 王五
    # one heading per subject page, the same order as the ranking
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-len(PEOPLE) :] == list(PEOPLE)
    # page numbers as Word fields in the footer, "第 N 页 共 M 页"; none on the cover
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "第 " in footer and " PAGE " in footer and " NUMPAGES " in footer
    assert document.sections[0].different_first_page_header_footer
    # the radar charts as PNG where this server can draw them, else a note under the table
    media = [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("word/media/")]
    if charts.png_available(cjk_font()):
        assert len(document.inline_shapes) == len(PEOPLE) and all(n.endswith(".png") for n in media)
    else:
        assert not media and text.count("本服务器无法绘制雷达图") == len(PEOPLE)


def test_docx_without_png_rendering_keeps_the_numbers_and_says_why(world, scenario, monkeypatch):
    from core.context import Actor
    from core.reports import report_data
    from core.reports.word import report_docx

    monkeypatch.setattr(charts, "png_available", lambda font: False)
    data = report_data(world.ctx, Actor.system("test"), scenario.campaign_id)
    document = docx.Document(io.BytesIO(report_docx(data, "en")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert not document.inline_shapes
    assert text.count("The radar chart could not be drawn on this server") == len(PEOPLE)
    assert sum(1 for t in document.tables if t.rows[0].cells[1].text == "Part of") == len(PEOPLE)
