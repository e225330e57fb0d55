"""Activation-code slips (``core.services.people_slips.slips_pdf``, written by ``core.slips_pdf``):
read back with poppler and zbar as the office prints and a person scans them.

Debian tools (installed by ``.ci/run``): ``pdftoppm``, ``pdftotext`` (poppler-utils) and
``zbarimg`` (zbar-tools); a CJK TrueType font for the embedded case (fonts-wqy-microhei).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4

from core.services import people_slips
from core.services.people_slips import BatchSlips, SlipRow

CJK_TTF = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei
URL = "https://kaoping.example.gov.cn/activate"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install poppler-utils and zbar-tools")
    return path


def _batch(count: int) -> BatchSlips:
    rows = [
        SlipRow(name=f"王{n}芳", unit=f"县财政局第{n % 3}科", username=f"p{n:04d}", code=f"ABCD-EFGH-{n:04d}")
        for n in range(count)
    ]
    return BatchSlips(locality_name="示范县", sign_in_url=URL, rows=rows)


def _gettext(message: str, **values) -> str:
    return message.format(**values)


@pytest.mark.parametrize("font", [None, CJK_TTF], ids=["builtin-font", "embedded-font"])
def test_every_slip_shows_its_person_and_code_and_its_qr_opens_the_activation_page(tmp_path, font):
    if font is not None and not font.exists():
        pytest.fail(f"{font} is missing: apt-get install -y fonts-wqy-microhei")
    pdf = people_slips.slips_pdf(_batch(13), _gettext, font_path=str(font) if font else None)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for n in range(13):  # 2 pages: 10 slips, then 3
        assert f"ABCD-EFGH-{n:04d}" in text and f"User name: p{n:04d}" in text
    assert "王12芳" in text and "示范县 · Account activation" in text

    subprocess.run([_tool("pdftoppm"), "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2
    width, height = A4
    margin, scale = 28.0, 150 / 72
    slip_w, slip_h = (width - 2 * margin) / 2, (height - 2 * margin) / 5
    crops = []
    for page, slips_on_page in zip(pages, (10, 3), strict=True):
        with Image.open(page) as image:
            for position in range(slips_on_page):
                left = margin + (position % 2) * slip_w + 3
                top = margin + (position // 2) * slip_h + 3
                box = [round(v * scale) for v in (left, top, left + slip_w - 6, top + slip_h - 6)]
                crops.append(tmp_path / f"{page.stem}-{position}.png")
                image.crop(box).save(crops[-1])
    decoded = subprocess.run(
        [_tool("zbarimg"), "--raw", "-q", *map(str, crops)], check=False, capture_output=True, text=True
    ).stdout.split()
    assert decoded == [URL] * 13  # every cut-out slip scans


def test_no_codes_prints_one_page_saying_so(tmp_path):
    pdf = people_slips.slips_pdf(_batch(0), _gettext)
    path = tmp_path / "empty.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "No codes in this issue." in text
    info = subprocess.run([_tool("pdfinfo"), str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and re.search(r"^Title:\s+Activation codes$", info, re.M)
