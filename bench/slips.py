"""Printing ballot slips: 10,000 slips (1,000 A4 pages) to a temporary file.

Prints seconds, slips/s, pages, file size and peak memory of the render, which runs in a
child process (peak RSS from ``getrusage(RUSAGE_CHILDREN)``; the child also reports its RSS
after the imports). In the same run, reportlab's own QR widget
(``reportlab.graphics.barcode.qr``) renders a sample of the same slips on a reportlab canvas,
extrapolated to the full count, and the QR encoders alone are timed: ``qrcode`` with a fixed
version and mask against the table-driven encoder of ``ballots.slips``.

    .venv/bin/python -m bench.slips [--slips 10000] [--sample 200]

Target: 10,000 slips in <= 5 s with a peak of <= 200 MB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench._figures import figure

TARGET_SECONDS = 5.0
TARGET_MB = 200.0
CAMPAIGN = "2026年度民主测评"
CATEGORIES = ["县领导", "基层代表", "服务对象"]
BASE_URL = "https://kaoping.example.gov.cn"


@dataclass(frozen=True)
class Slip:  # the fields of ballots.service.Slip, without importing the service layer
    account_id: int
    code: str
    category: str


def _slips(count: int) -> list[Slip]:
    from ballots.codes import new_code

    return [Slip(account_id=i + 1, code=new_code(), category=CATEGORIES[i % len(CATEGORIES)]) for i in range(count)]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- children ------------------------------------------------------------------------------------


def _child_kaoping(count: int, path: str) -> dict:
    from ballots.slips import write_slips

    slips = _slips(count)
    base = _rss_mb()
    started = time.perf_counter()
    with open(path, "wb") as handle:
        pages = write_slips(handle, CAMPAIGN, slips, base_url=BASE_URL)
    return {"seconds": time.perf_counter() - started, "pages": pages, "rss_base_mb": base}


def _child_reportlab(count: int, path: str) -> dict:
    """The same slips on a reportlab canvas, each QR code drawn by reportlab's QR widget."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from ballots.codes import display
    from ballots.slips import (
        COLUMNS,
        INSTRUCTIONS,
        LABELS,
        MARGIN,
        QR_SIZE,
        ROWS,
        font_name,
    )

    slips = _slips(count)
    base = _rss_mb()
    started = time.perf_counter()
    font = font_name(None)
    page_width, page_height = A4
    slip_width, slip_height = (page_width - 2 * MARGIN) / COLUMNS, (page_height - 2 * MARGIN) / ROWS
    canvas = Canvas(path, pagesize=A4, pageCompression=1)
    pages = 0
    for index, slip in enumerate(slips):
        position = index % (COLUMNS * ROWS)
        if position == 0:
            if index:
                canvas.showPage()
            pages += 1
        x = MARGIN + (position % COLUMNS) * slip_width
        y = page_height - MARGIN - (position // COLUMNS + 1) * slip_height
        top = y + slip_height - 12
        canvas.setFont(font, 11)
        canvas.drawString(x + 12, top - 11, CAMPAIGN)
        canvas.setFont(font, 9)
        canvas.drawString(x + 12, top - 27, LABELS["zh_CN"]["category"] + slip.category)
        canvas.setFont("Courier-Bold", 15)
        canvas.drawString(x + 12, top - 64, display(slip.code))
        canvas.setFont(font, 7)
        for number, line in enumerate(INSTRUCTIONS["zh_CN"]):
            canvas.drawString(x + 12, y + 32 - number * 10, line.format(url=f"{BASE_URL}/b/"))
        # Sized by barWidth/barHeight: the usual getBounds() + scaling transform would encode twice.
        widget = QrCodeWidget(f"{BASE_URL}/b/#{display(slip.code)}", barLevel="M", barWidth=QR_SIZE, barHeight=QR_SIZE)
        drawing = Drawing(QR_SIZE, QR_SIZE)
        drawing.add(widget)
        renderPDF.draw(drawing, canvas, x + slip_width - QR_SIZE - 12, y + (slip_height - QR_SIZE) / 2)
    canvas.showPage()
    canvas.save()
    return {"seconds": time.perf_counter() - started, "pages": pages, "rss_base_mb": base}


def _child_encoders(count: int, _path: str) -> dict:
    """The QR encoders alone: qrcode itself (version and mask fixed) and ballots.slips."""
    import qrcode

    from ballots import slips as fast
    from ballots.codes import display

    urls = [f"{BASE_URL}/b/#{display(slip.code)}" for slip in _slips(count)]
    reference = qrcode.QRCode(error_correction=fast.ERROR_CORRECTION, border=0, mask_pattern=fast.FIXED_MASK)
    reference.add_data(urls[0])
    reference.make(fit=True)
    version = reference.version
    started = time.perf_counter()
    for url in urls:
        qr = qrcode.QRCode(
            version=version, error_correction=fast.ERROR_CORRECTION, border=0, mask_pattern=fast.FIXED_MASK
        )
        qr.add_data(url)
        qr.make(fit=False)
        qr.get_matrix()
    qrcode_seconds = time.perf_counter() - started
    fast.qr_matrix(urls[0])  # the layout of this version, built once
    started = time.perf_counter()
    for url in urls:
        fast.qr_path(url)
    fast_seconds = time.perf_counter() - started
    return {"qrcode_us": qrcode_seconds / count * 1e6, "fast_us": fast_seconds / count * 1e6, "version": version}


CHILDREN = {"kaoping": _child_kaoping, "reportlab": _child_reportlab, "encoders": _child_encoders}


# --- the parent ----------------------------------------------------------------------------------


def _run_child(kind: str, count: int, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.slips", "--child", kind, str(count), str(path)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"the {kind} child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slips", description=__doc__.splitlines()[0])
    parser.add_argument("--slips", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200, help="slips rendered with reportlab's QR widget")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "COUNT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, count, path = args.child
        print(json.dumps(CHILDREN[kind](int(count), path)))
        return 0

    with tempfile.TemporaryDirectory(prefix="kaoping-bench-") as folder:
        ours_path = Path(folder) / "slips.pdf"
        ours = _run_child("kaoping", args.slips, ours_path)
        ours["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the only child so far
        ours["size"] = ours_path.stat().st_size
        widget_path = Path(folder) / "widget.pdf"
        widget = _run_child("reportlab", args.sample, widget_path)
        widget["size"] = widget_path.stat().st_size
        encoders = _run_child("encoders", args.sample, Path(folder) / "unused")

    scale = args.slips / args.sample
    widget_seconds = widget["seconds"] * scale
    print(f"{args.slips:,} slips, {os.cpu_count()} CPUs, base URL {BASE_URL} (QR version {encoders['version']})")
    print()
    print(f"{'renderer':<44} {'seconds':>8} {'slips/s':>9} {'pages':>6} {'size MB':>8} {'peak MB':>8}")
    print(
        f"{'ballots.slips.write_slips':<44} {ours['seconds']:>8.2f} {args.slips / ours['seconds']:>9,.0f} "
        f"{ours['pages']:>6} {ours['size'] / 1e6:>8.1f} {ours['peak_mb']:>8.0f}"
    )
    print(
        f"{f'reportlab QR widget ({args.sample} slips, x{scale:g})':<44} {widget_seconds:>8.2f} "
        f"{args.slips / widget_seconds:>9,.0f} {widget['pages'] * scale:>6.0f} {widget['size'] * scale / 1e6:>8.1f} "
        f"{'-':>8}"
    )
    print()
    print(f"write_slips is {widget_seconds / ours['seconds']:.0f} times faster than reportlab's QR widget")
    print(
        f"render child: {ours['rss_base_mb']:.0f} MB after imports and building the slips, "
        f"{ours['peak_mb']:.0f} MB at peak (+{ours['peak_mb'] - ours['rss_base_mb']:.0f} MB to render)"
    )
    print(
        f"QR encoding alone, per code: qrcode (fixed version and mask) {encoders['qrcode_us']:,.0f} us, "
        f"ballots.slips {encoders['fast_us']:,.0f} us with its PDF path "
        f"({encoders['qrcode_us'] / encoders['fast_us']:.0f}x)"
    )
    met = ours["seconds"] <= TARGET_SECONDS and ours["peak_mb"] <= TARGET_MB
    full = args.slips >= 10_000
    figure("slips", f"{args.slips:,} slips to PDF", ours["seconds"], "s", target=TARGET_SECONDS, full_scale=full)
    figure(
        "slips", f"{args.slips:,} slips to PDF: peak memory", ours["peak_mb"], "MB", target=TARGET_MB, full_scale=full
    )
    figure("slips", "reportlab QR widget/ours", widget_seconds / ours["seconds"], "x")
    print(
        f"target <= {TARGET_SECONDS:g} s and <= {TARGET_MB:g} MB for {args.slips:,} slips: "
        f"{'met' if met else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
