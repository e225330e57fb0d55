"""The radar chart of a subject's per-indicator scores, drawn with reportlab's graphics from the
same numbers as its table: embedded as vector graphics in the PDF, rendered to PNG for the
.docx when this server can (reportlab's renderPM with the ``rlPyCairo`` backend, and a font
file to draw Chinese with)."""

from __future__ import annotations

import io
import sys
from typing import Any

from reportlab.graphics.charts.spider import SpiderChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from core.pdf_fonts import CJKFont

MIN_AXES = 3  # a radar needs three axes; fewer indicators get their table only
SERIES_COLOURS = (
    colors.HexColor("#c0392b"),
    colors.HexColor("#2e86c1"),
    colors.HexColor("#27ae60"),
    colors.HexColor("#8e44ad"),
    colors.HexColor("#d68910"),
)


def radar(
    indicators: list[dict[str, Any]], font: CJKFont, *, width: float = 360, height: float = 260, series_name: str = ""
) -> Drawing | None:
    """A radar of ``indicators`` (``[{"name", "score" (float|None), "max" (float|None)}]``: one axis
    each, scale 0 to the highest ``max``), or None with fewer than ``MIN_AXES`` scored indicators.
    ``width``/``height`` in points."""
    scored = [i for i in indicators if i.get("score") is not None]
    if len(scored) < MIN_AXES:
        return None
    top = max([float(i["max"]) for i in scored if i.get("max")] + [float(i["score"]) for i in scored]) or 1.0
    drawing = Drawing(width, height)
    chart = SpiderChart()
    chart.x, chart.y = 80, 30
    chart.width, chart.height = width - 160, height - 60
    chart.data = [[float(i["score"]) / top for i in scored]]
    chart.labels = [i["name"] for i in scored]
    chart.strands[0].strokeColor = SERIES_COLOURS[0]
    chart.strands[0].fillColor = colors.HexColor("#f5d5d0")  # no transparency: PNG has none
    chart.strands[0].strokeWidth = 1.5
    chart.spokeLabels.fontName = font.name
    chart.spokeLabels.fontSize = 9
    chart.spokes.labelRadius = 1.22
    chart.spokes.strokeDashArray = (2, 2)
    chart.spokes.strokeColor = colors.grey
    drawing.add(chart)
    if series_name:
        drawing.add(String(width / 2, 8, series_name, fontName=font.name, fontSize=9, textAnchor="middle"))
    return drawing


def png_available(font: CJKFont) -> bool:
    """Whether a chart can be rendered to PNG here: renderPM's rlPyCairo backend is installed
    (``pip install kaoping[charts]``, needs Debian's libcairo2-dev to build) and the font is a
    file (the built-in CID font cannot be rasterised)."""
    if not font.embedded:
        return False
    try:
        import rlPyCairo  # noqa: F401
    except ImportError:
        return False
    return True


def png(drawing: Drawing, dpi: int = 110) -> bytes:
    """``drawing`` as PNG bytes at ``dpi``; call only when ``png_available``. The pixels are taken
    from cairo's surface and written by Pillow with light compression: renderPM's own PNG path
    converts them in Python (1 s a chart; this takes a few milliseconds)."""
    from PIL import Image
    from reportlab.graphics import renderPM

    canvas = renderPM.drawToPMCanvas(drawing, dpi=dpi)
    surface = getattr(getattr(canvas, "_gs", None), "surface", None)
    if surface is None or sys.byteorder != "little":
        return renderPM.drawToString(drawing, fmt="PNG", dpi=dpi)
    surface.flush()
    image = Image.frombuffer(
        "RGBA",
        (surface.get_width(), surface.get_height()),
        bytes(surface.get_data()),
        "raw",
        "BGRA",
        surface.get_stride(),
        1,
    )
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()
