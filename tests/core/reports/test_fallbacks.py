"""What a report does on a server without a Chinese font file or without PNG rendering, and for
a subject with too few indicators for a radar chart."""

from __future__ import annotations

import io
import re
import subprocess

import docx
from reportlab.graphics.shapes import Drawing

from core import pdf_fonts
from core.context import Actor
from core.reports import charts, report_data
from core.reports.pdf import report_pdf
from core.reports.word import report_docx


def test_without_a_font_file_the_report_uses_the_builtin_font_and_says_so(world, scenario, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_fonts, "system_fonts", lambda: [])
    data = report_data(world.ctx, Actor.system("test"), scenario.campaign_id)
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf(data, "zh_CN"))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert "STSong-Light" in fonts and "WenQuanYi" not in fonts
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "本服务器没有中文字体文件" in flat and "2026年度民主测评结果报告" in flat and "第2页共7页" in flat
    # no font file to draw Chinese into a PNG: the .docx keeps the tables and says why
    document = docx.Document(io.BytesIO(report_docx(data, "zh_CN")))
    assert not document.inline_shapes
    assert sum("本服务器无法绘制雷达图" in p.text for p in document.paragraphs) == 4


def test_a_radar_needs_three_scored_indicators():
    font = pdf_fonts.cjk_font()
    two = [
        {"name": "德", "score": 90.0, "max": 95},
        {"name": "能", "score": 80.0, "max": 95},
        {"name": "勤", "score": None, "max": 95},
    ]
    assert charts.radar(two, font) is None
    three = [*two[:2], {"name": "绩", "score": 85.0, "max": 95}]
    drawing = charts.radar(three, font)
    assert isinstance(drawing, Drawing)
    chart = drawing.contents[0]
    assert chart.labels == ["德", "能", "绩"] and chart.data == [[90 / 95, 80 / 95, 85 / 95]]
    if charts.png_available(font):
        assert charts.png(drawing).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_font_file_that_cannot_be_embedded_is_skipped(tmp_path, caplog):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    font = pdf_fonts.cjk_font(broken)
    assert font.path != broken and (font.path in pdf_fonts.system_fonts() or not font.embedded)
    assert "cannot be embedded" in caplog.text
