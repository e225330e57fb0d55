"""Printed slips: the PDF through the live server, read back with poppler and zbar.

Debian tools (installed by ``.ci/run``): ``pdftoppm``, ``pdftotext``, ``pdffonts``
(poppler-utils, with poppler-data for the Chinese of the non-embedded CID font),
``zbarimg`` (zbar-tools) and a CJK TrueType font for the embedded-font case
(fonts-wqy-microhei).
"""

from __future__ import annotations

import io
import math
import random
import shutil
import string
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from sqlalchemy import update

from ballots import slips
from ballots.codes import display
from ballots.service import Slip
from core import pdf_fonts
from core.models.base import utcnow
from core.models.campaigns import SlipBatch

CJK_TTF = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei
TOOLS = {
    "pdftoppm": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pdffonts": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "zbarimg": "zbar-tools",
}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install it with `apt-get install -y {TOOLS[name]}`")
    return path


def _run(*args: str) -> str:
    return subprocess.run([_tool(args[0]), *args[1:]], check=True, capture_output=True, text=True).stdout


def _slips_url(setup, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/campaigns/{setup.campaign_id}/slips.pdf" + (f"?{query}" if query else "")


def _fetch(setup, **params) -> bytes:
    response = setup.api.get(_slips_url(setup, **params))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")
    return response.content


def _scan(pdf: bytes, folder: Path) -> tuple[int, list[str]]:
    """Render every page at 150 dpi and decode the QR code of every slip: (pages, decoded texts).

    Each slip is decoded on its own (cropped just inside its cut lines), as it is scanned
    once cut out: zbar run on whole pages misses about 1% of the codes, whose finder patterns
    line up with the neighbours' and the dashed cut lines, while every cut-out slip decodes.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "slips.pdf"
    path.write_bytes(pdf)
    _run("pdftoppm", "-r", "150", "-png", str(path), str(folder / "page"))
    pages = sorted(folder.glob("page-*.png"))
    width, height = A4
    slip_width = (width - 2 * slips.MARGIN) / slips.COLUMNS
    slip_height = (height - 2 * slips.MARGIN - slips.HEADER) / slips.ROWS
    scale, inset = 150 / 72, 3
    decoded = []
    for page in pages:
        crops = []
        with Image.open(page) as image:
            for position in range(slips.COLUMNS * slips.ROWS):
                left = slips.MARGIN + (position % slips.COLUMNS) * slip_width + inset
                top = slips.MARGIN + slips.HEADER + (position // slips.COLUMNS) * slip_height + inset
                box = [
                    round(v * scale) for v in (left, top, left + slip_width - 2 * inset, top + slip_height - 2 * inset)
                ]
                crops.append(folder / f"{page.stem}-slip{position}.png")
                image.crop(box).save(crops[-1])
        result = subprocess.run(
            [_tool("zbarimg"), "--raw", "-q", *map(str, crops)], check=False, capture_output=True, text=True
        )
        assert result.returncode in (0, 4), result.stderr  # 4: no code found (an empty page)
        decoded += result.stdout.split()
    return len(pages), decoded


def _text(pdf: bytes, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "slips.pdf"
    path.write_bytes(pdf)
    return _run("pdftotext", "-enc", "UTF-8", str(path), "-")


def _fonts(pdf: bytes, folder: Path) -> list[list[str]]:
    """pdffonts' rows, split in columns (the name has no spaces here)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "slips.pdf"
    path.write_bytes(pdf)
    return [line.split() for line in _run("pdffonts", str(path)).splitlines()[2:]]


def _urls(world, accounts: list[dict]) -> list[str]:
    base = world.ctx.settings.resolved_base_url
    return sorted(f"{base}/b/#{a['code']}" for a in accounts)


# --- through the live server ---------------------------------------------------------------------


def test_every_issued_code_prints_once_and_scans(world, setup, tmp_path):
    leaders = setup.issue("县领导", 8)
    grassroots = setup.issue("基层代表", 5)
    pages, decoded = _scan(_fetch(setup), tmp_path)
    assert pages == math.ceil(13 / 10)
    assert sorted(decoded) == _urls(world, leaders + grassroots)  # each exactly once, nothing else
    assert all(url.startswith(f"{world.ctx.settings.resolved_base_url}/b/#") for url in decoded)


def test_category_filter(world, setup, tmp_path):
    setup.issue("县领导", 3)
    grassroots = setup.issue("基层代表", 2)
    pages, decoded = _scan(_fetch(setup, category="基层代表"), tmp_path)
    assert pages == 1 and sorted(decoded) == _urls(world, grassroots)
    unknown = setup.api.get(_slips_url(setup, category="nobody"))
    assert unknown.status_code == 422, unknown.text


def test_one_batch(world, setup, tmp_path):
    setup.issue("县领导", 3)
    second = setup.issue("县领导", 2)
    setup.issue("基层代表", 1)
    batch = second[0]["batch"]
    assert {a["batch"] for a in second} == {batch}
    pages, decoded = _scan(_fetch(setup, batch=batch), tmp_path)
    assert pages == 1 and sorted(decoded) == _urls(world, second)


def test_revoked_and_logged_in_accounts_are_not_printed(world, setup, tmp_path):
    leaders = setup.issue("县领导", 4)
    grassroots = setup.issue("基层代表", 1)
    setup.open()
    revoked = setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{leaders[0]['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    with world.client() as client:
        login = client.post("/api/ballot/login", json={"code": leaders[1]["code"]})
        assert login.status_code == 200, login.text
    _, decoded = _scan(_fetch(setup), tmp_path)
    assert sorted(decoded) == _urls(world, leaders[2:] + grassroots)


def test_nothing_left_to_print_answers_410_not_a_blank_page(world, setup):
    [leader] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    revoked = setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{leader['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    gone = setup.api.get(_slips_url(setup, category="县领导"))
    assert gone.status_code == 410 and "nothing to print" in gone.json()["detail"]


def test_expired_batch_answers_410_and_replacing_prints_again(world, setup, tmp_path):
    first = setup.issue("县领导", 2)
    second = setup.issue("基层代表", 2)
    with world.ctx.db.write() as session:
        session.execute(
            update(SlipBatch)
            .where(SlipBatch.campaign_id == setup.campaign_id, SlipBatch.number == first[0]["batch"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    gone = setup.api.get(_slips_url(setup, batch=first[0]["batch"]))
    assert gone.status_code == 410, gone.text
    assert "replace" in gone.json()["detail"]
    _, decoded = _scan(_fetch(setup), tmp_path / "rest")  # the batches still held print
    assert sorted(decoded) == _urls(world, second)
    replaced = setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{first[0]['id']}/replace")
    assert replaced.status_code == 201, replaced.text
    _, decoded = _scan(_fetch(setup, batch=replaced.json()["batch"]), tmp_path / "new")
    assert decoded == _urls(world, [replaced.json()])


def test_all_held_codes_expired_answers_410(world, setup):
    setup.issue("县领导", 1)
    with world.ctx.db.write() as session:
        session.execute(
            update(SlipBatch)
            .where(SlipBatch.campaign_id == setup.campaign_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    gone = setup.api.get(_slips_url(setup))
    assert gone.status_code == 410 and "replace" in gone.json()["detail"]


def test_unknown_batch_and_other_locality_answer_404(world, setup):
    setup.issue("县领导", 1)
    assert setup.api.get(_slips_url(setup, batch=99)).status_code == 404
    with world.office("county-b") as other:
        assert other.get(_slips_url(setup)).status_code == 404
    with world.client() as anonymous:
        assert anonymous.get(_slips_url(setup)).status_code == 401


def test_campaign_name_and_chinese_instructions_with_the_builtin_font(world, setup, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_fonts, "SYSTEM_FONTS", ())  # a machine without a CJK font
    setup.issue("县领导", 2)
    pdf = _fetch(setup)
    text = _text(pdf, tmp_path)
    assert "2026年度民主测评" in text
    assert "测评类别：县领导" in text
    assert "用手机扫描右侧二维码，或在浏览器打开" in text
    assert "每个测评码只能提交一次，请勿转借他人。" in text
    assert f"{world.ctx.settings.resolved_base_url}/b/" in text
    fonts = {row[0]: row for row in _fonts(pdf, tmp_path)}
    assert slips.BUILTIN_CJK_FONT in fonts
    assert fonts[slips.BUILTIN_CJK_FONT][-5] == "no"  # emb: the viewer's own Song font
    assert b"/STSong-Light" in pdf


def test_configured_ttf_font_is_embedded(world, setup, tmp_path, monkeypatch):
    if not CJK_TTF.is_file():
        pytest.fail(f"{CJK_TTF} is missing: install it with `apt-get install -y fonts-wqy-microhei`")
    monkeypatch.setattr(world.ctx.settings, "pdf_font", CJK_TTF)
    accounts = setup.issue("县领导", 3)
    pdf = _fetch(setup)
    rows = _fonts(pdf, tmp_path)
    cjk = [row for row in rows if "WenQuanYi" in row[0]]
    assert cjk, rows
    name, emb, sub, uni = cjk[0][0], *cjk[0][-5:-2]
    assert (emb, sub, uni) == ("yes", "yes", "yes") and name.startswith("KPSUBS+")
    assert b"STSong-Light" not in pdf
    text = _text(pdf, tmp_path)  # the ToUnicode map makes the embedded subset searchable
    assert "2026年度民主测评" in text and "请勿转借他人" in text
    _, decoded = _scan(pdf, tmp_path / "scan")
    assert sorted(decoded) == _urls(world, accounts)


def test_english_slips(world, setup, tmp_path):
    accounts = setup.issue("基层代表", 2)
    pdf = _fetch(setup, lang="en")
    text = _text(pdf, tmp_path)
    assert "Scan the QR code with a phone, or open" in text
    assert "Each code submits one ballot only." in text
    assert "Category: 基层代表" in text and "2026年度民主测评" in text
    assert "请勿转借他人" not in text
    for account in accounts:
        assert account["code"] in text
    _, decoded = _scan(pdf, tmp_path / "scan")
    assert sorted(decoded) == _urls(world, accounts)


# --- the writer itself -----------------------------------------------------------------------------


def _random_url(rnd: random.Random) -> str:
    kind = rnd.randrange(5)
    if kind == 0:  # the usual: a ballot URL with a code
        code = "".join(rnd.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(12))
        host = "".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(1, 60)))
        return f"https://{host}.gov.cn/b/#{display(code)}"
    if kind == 1:  # long upper-case and digit runs: qrcode splits into numeric/alphanumeric segments
        return "HTTPS://" + "".join(
            rnd.choice(string.ascii_uppercase + string.digits + "/.-") for _ in range(rnd.randint(1, 250))
        )
    if kind == 2:
        return "".join(rnd.choice(string.digits) for _ in range(rnd.randint(1, 400)))
    if kind == 3:  # non-ASCII (UTF-8 bytes)
        return "https://例子.测试/b/#" + "".join(rnd.choice("测评码ABC123") for _ in range(rnd.randint(1, 80)))
    return "".join(rnd.choice(string.printable) for _ in range(rnd.randint(1, 300)))


def _reference(data: str) -> qrcode.QRCode:
    reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=slips.FIXED_MASK)
    reference.add_data(data)
    reference.make(fit=True)
    return reference


def test_fast_encoder_matches_qrcode_exactly():
    """The table-driven encoder gives qrcode's own matrix, version for version."""
    rnd = random.Random(20260101)
    cases = sorted(
        (
            (reference.version, data, reference.get_matrix())
            for data in (_random_url(rnd) for _ in range(200))
            for reference in [_reference(data)]
        ),
        key=lambda case: case[0],
    )  # by version: each layout is built once
    for version, data, matrix in cases:
        assert slips.qr_matrix(data) == matrix, (version, data)
    versions = {version for version, _, _ in cases}
    assert len(versions) >= 8  # single- and multi-block Reed-Solomon
    assert {
        slips._layout(max(versions), ERROR_CORRECT_M, slips.FIXED_MASK).chunk,
        slips._layout(min(versions), ERROR_CORRECT_M, slips.FIXED_MASK).chunk,
    } == {4, 8}  # both table sizes


@pytest.mark.parametrize("length", [700, 2300])
def test_large_versions_flip_bit_by_bit_and_still_match(length):
    """Versions whose XOR tables would be too big (here 21 and 40) take the slow, exact path."""
    data = "".join(random.Random(length).choice(string.ascii_lowercase) for _ in range(length))
    reference = _reference(data)
    assert slips._layout(reference.version, ERROR_CORRECT_M, slips.FIXED_MASK).chunk == 1
    assert slips.qr_matrix(data) == reference.get_matrix()
    assert _matrix_of_path(*slips.qr_path(data)) == reference.get_matrix()


def _matrix_of_path(size: int, ops: str) -> list[list[bool]]:
    matrix = [[False] * size for _ in range(size)]
    for line in ops.splitlines():
        column, row, width, height, op = line.split()
        assert op == "re" and height == "1"
        for c in range(int(column), int(column) + int(width)):
            assert not matrix[int(row)][c]  # rectangles do not overlap
            matrix[int(row)][c] = True
    return matrix


@pytest.mark.parametrize(
    "data", ["http://127.0.0.1:8000/b/#ABCD-EFGH-JKMN", "https://kaoping.example.gov.cn/b/#0123-4567-89AB", "x" * 300]
)
def test_path_draws_exactly_the_dark_modules(data):
    assert _matrix_of_path(*slips.qr_path(data)) == _reference(data).get_matrix()


class _Sink:
    """A write-only, non-seekable output that records how the document arrives."""

    def __init__(self):
        self.chunks: list[int] = []
        self.data = io.BytesIO()

    def write(self, data: bytes) -> int:
        self.chunks.append(len(data))
        return self.data.write(data)


def test_writer_streams_page_by_page(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_fonts, "SYSTEM_FONTS", ())  # an embedded font is one chunk at the end
    items = [Slip(account_id=i, code=f"{i:012d}".replace("1", "A"), category="县领导") for i in range(95)]
    sink = _Sink()
    pages = slips.write_slips(sink, "测评", iter(items), base_url="http://example.org")
    pdf = sink.data.getvalue()
    assert pages == 10
    assert max(sink.chunks) < len(pdf) / 5  # pages are written as they are done, not all at the end
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    assert "Pages:           10" in _run("pdfinfo", str(path))
    text = _text(pdf, tmp_path)
    assert all(display(item.code) in text for item in items)


def test_no_slips_is_one_blank_page(tmp_path):
    sink = _Sink()
    assert slips.write_slips(sink, "测评", [], base_url="http://example.org") == 1
    assert _scan(sink.data.getvalue(), tmp_path) == (1, [])


def test_the_scheduler_purges_expired_plaintext_even_when_nobody_prints_again(world, setup):
    from sqlmodel import select

    from core.scheduler import AdapterScheduler, periodic_tasks

    first = setup.issue("县领导", 2)
    setup.issue("基层代表", 2)
    with world.ctx.db.write() as session:
        session.execute(
            update(SlipBatch)
            .where(SlipBatch.campaign_id == setup.campaign_id, SlipBatch.number == first[0]["batch"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    [task] = [t for t in periodic_tasks() if t.name == "purge-expired-slips"]
    scheduler = AdapterScheduler(world.ctx, tick_seconds=3600)
    scheduler.start()
    try:  # the scheduler runs the ballots plugin's task at its interval
        job = scheduler.scheduler.get_job("kaoping-task-purge-expired-slips")
        assert job is not None and job.trigger.interval.total_seconds() == task.every_seconds
    finally:
        scheduler.shutdown()
    assert task.run(world.ctx) == 1  # what the job does: only the expired batch goes
    with world.ctx.db.read() as session:
        left = session.exec(select(SlipBatch.number).where(SlipBatch.campaign_id == setup.campaign_id)).all()
    assert left == [first[0]["batch"] + 1]
    assert task.run(world.ctx) == 0
