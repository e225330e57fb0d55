"""The Chinese font of the PDFs Kaoping prints (reports, slips), shared by every PDF writer.

``cjk_font(configured)`` chooses, in this order:

1. ``configured`` (the ``KAOPING_PDF_FONT`` setting), a TrueType CJK font file (.ttf, .ttc);
2. the first TrueType CJK font of ``SYSTEM_FONTS`` present on the machine (Debian's
   ``fonts-wqy-microhei``, ``fonts-wqy-zenhei``, ``fonts-arphic-uming``,
   ``fonts-droid-fallback``); Noto CJK is left out because its outlines are PostScript (CFF),
   which reportlab cannot embed;
3. reportlab's built-in CID font ``STSong-Light``: no file needed, but nothing is embedded, so
   the PDF viewer supplies a Song face (and a chart cannot be rendered to PNG with it).

An embedded font is registered with reportlab as a ``TTFont`` (subset embedded when a PDF is
written); the answer says which one was chosen so a page or report can warn when nothing is
embedded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger("kaoping.pdf")

BUILTIN_CJK_FONT = "STSong-Light"
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # fonts-wqy-microhei
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),  # fonts-wqy-zenhei
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),  # fonts-arphic-uming
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),  # fonts-droid-fallback
)


@dataclass(frozen=True)
class CJKFont:
    """``name``: the reportlab font name to draw with; ``path``: the embedded font's file, None
    for the built-in CID font; ``embedded``: whether the PDF carries the glyphs."""

    name: str
    path: Path | None

    @property
    def embedded(self) -> bool:
        return self.path is not None


def system_fonts() -> list[Path]:
    """The fonts of ``SYSTEM_FONTS`` that exist on this machine, in that order."""
    return [path for path in SYSTEM_FONTS if path.is_file()]


def system_font() -> Path | None:
    """The first of ``SYSTEM_FONTS`` that exists on this machine, or None."""
    found = system_fonts()
    return found[0] if found else None


@lru_cache(maxsize=8)
def _register(path: Path | None) -> CJKFont:
    if path is not None:
        name = "KaopingCJK-" + path.stem
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
        return CJKFont(name, path)
    pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_CJK_FONT))
    return CJKFont(BUILTIN_CJK_FONT, None)


def cjk_font(configured: Path | str | None = None) -> CJKFont:
    """Register and return the CJK font to print with: ``configured`` if given, else a system
    font, else the built-in CID font. A file reportlab cannot read or embed (not a TrueType
    font, PostScript outlines, damaged) is logged and skipped for the next, so a PDF is always
    written."""
    for path in ([Path(configured)] if configured else []) + system_fonts():
        try:
            return _register(path)
        except Exception as exc:  # noqa: BLE001 - TTFError, OSError, struct errors of a damaged file
            log.warning("the font %s cannot be embedded in PDFs (%s); trying the next", path, exc)
    return _register(None)
