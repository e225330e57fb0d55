"""A one-sheet .xlsx written as it goes: the sheet's XML is produced row by row straight into a
zip stream and handed out in chunks, so a download of 100,000 rows starts at once, takes a few
seconds rather than half a minute (openpyxl builds an object per cell), and holds one chunk in
memory.

Cells as ``core.tabular.append_row`` writes them: text is always text (an inline string, never a
formula or an error value, and Excel's quote prefix on text that starts like a formula), numbers
are numbers, None is an empty cell. Characters XML cannot carry (control characters) are
dropped, as no spreadsheet can show them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from core.tabular.writer import FORMULA_STARTS

CHUNK_ROWS = 2000  # rows written between two chunks handed out
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAX_TEXT = 32_767  # Excel's limit of characters in a cell

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_SHEET_OVERRIDE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
# Two cell formats: 0 the default, 1 text with Excel's quote prefix (shown as typed, never run).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def _workbook_xml(title: str) -> str:
    name = escape(_ILLEGAL.sub("", title)[:31] or "Sheet1", {'"': "&quot;"})
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _text_cell(ref: str, text: str) -> str:
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if not text:
        return ""
    text = text[:_MAX_TEXT]
    style = ' s="1"' if text.startswith(FORMULA_STARTS) else ""
    space = ' xml:space="preserve"' if text[0] in " \t\n\r" or text[-1] in " \t\n\r" else ""
    return f'<c r="{ref}" t="inlineStr"{style}><is><t{space}>{text.translate(_ESCAPES)}</t></is></c>'


def _cell(ref: str, value: Any) -> str:
    kind = type(value)
    if kind is str:  # the common case first
        return _text_cell(ref, value) if value else ""
    if value is None:
        return ""
    if kind is bool:
        return _text_cell(ref, "是" if value else "否")
    if kind is int or (kind is float and value == value and value not in (float("inf"), float("-inf"))):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime | date):
        return _text_cell(ref, value.isoformat())
    return _text_cell(ref, str(value))


class _Sink(io.RawIOBase):
    """Where the zip is written: it keeps what was written until ``take`` hands it out."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def xlsx_chunks(title: str, header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """The .xlsx of one sheet named ``title`` (``header``, then ``rows``) in chunks of bytes, each
    handed out as soon as ``CHUNK_ROWS`` rows are written; joined they are the whole file."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook_xml(title))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.encode())
            letters: list[str] = []
            lines: list[str] = []
            for number, values in enumerate(_with_header(header, rows), start=1):
                while len(letters) < len(values):
                    letters.append(column_letter(len(letters)))
                cells = "".join(_cell(f"{letters[i]}{number}", v) for i, v in enumerate(values))
                lines.append(f'<row r="{number}">{cells}</row>')
                if len(lines) >= CHUNK_ROWS:
                    sheet.write("".join(lines).encode())
                    lines.clear()
                    chunk = sink.take()
                    if chunk:
                        yield chunk
            sheet.write(("".join(lines) + _SHEET_END).encode())
    yield sink.take()


def sheets_bytes(sheets: list[tuple[str, list[str], Iterable[list[Any]]]]) -> bytes:
    """An .xlsx of several sheets, each ``(title, header, rows)`` written as ``xlsx_chunks``
    writes its one sheet (titles distinct), in that order; the whole file at once."""
    count = len(sheets)
    overrides = "".join(_SHEET_OVERRIDE.format(n=n) for n in range(1, count + 1))
    content_types = _CONTENT_TYPES.replace(_SHEET_OVERRIDE.format(n=1), overrides)
    relations = "".join(
        f'<Relationship Id="rId{n}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{relations}"
        f'<Relationship Id="rId{count + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    names = "".join(
        f'<sheet name="{escape(_ILLEGAL.sub("", title)[:31] or f"Sheet{n}", {chr(34): "&quot;"})}" '
        f'sheetId="{n}" r:id="rId{n}"/>'
        for n, (title, _header, _rows) in enumerate(sheets, start=1)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{names}</sheets></workbook>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/styles.xml", _STYLES)
        for n, (_title, header, rows) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as sheet:
                sheet.write(_SHEET_START.encode())
                letters: list[str] = []
                lines: list[str] = []
                for number, values in enumerate(_with_header(header, rows), start=1):
                    while len(letters) < len(values):
                        letters.append(column_letter(len(letters)))
                    cells = "".join(_cell(f"{letters[i]}{number}", v) for i, v in enumerate(values))
                    lines.append(f'<row r="{number}">{cells}</row>')
                    if len(lines) >= CHUNK_ROWS:
                        sheet.write("".join(lines).encode())
                        lines.clear()
                sheet.write(("".join(lines) + _SHEET_END).encode())
    return out.getvalue()


def _with_header(header: list[str], rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    yield list(header)
    yield from rows


def xlsx_bytes(title: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """``xlsx_chunks`` joined: the whole file."""
    return b"".join(xlsx_chunks(title, header, rows))
