"""Reading spreadsheet files: the one reader of the unit/people imports and the ``tabular_file``
adapter.

CSV text is decoded strictly, as a whole: UTF-8 (with or without a byte-order mark), UTF-16
with a byte-order mark (Excel's "Unicode text", usually tab-separated) or GBK/GB18030. A file
that is none of these, or that mixes them (e.g. a UTF-8 file with a few rows pasted in from a
GBK file), is refused naming the rows that do not fit; it is never decoded as something else,
because a GBK decode of UTF-8 text "succeeds" and gives mojibake.

XLSX cells are read with the values Excel saved. A formula without a saved value (a file
written by a script, e.g. openpyxl, and never opened in Excel) and an error value (#N/A,
#REF!) are refused naming the cell: they are never read as empty text or as data.

Errors are ``Invalid`` (or ``TooLarge``) with ``errors=[{row, column, message}]``; the English
messages are message ids, translated in ``core/locales``.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from core.periods import excel_cell_value
from core.services.errors import Invalid, TooLarge

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # an .xlsx that inflates beyond this is refused (zip bomb)
MAX_NAMED = 20  # at most this many rows or cells are listed in an error
SHOWN = 5  # ... and this many named in its one-line message

# --- messages (ids of core/locales; keep the placeholders) ---------------------------------------

NOT_LIKE_THE_REST = ("file: the text on row(s) {rows} is not {encoding} like the rest of the file; save the whole "
                     "file in one encoding (UTF-8 is best) and import it again")
ROW_NOT_LIKE_THE_REST = "not {encoding} text like the rest of the file"
NEITHER = "file: the text on row(s) {rows} is neither UTF-8 nor GBK; save the file as UTF-8 and import it again"
ROW_NEITHER = "neither UTF-8 nor GBK text"
FORMULAS = ("file: sheet {sheet}, cell(s) {cells}: formulas without a saved value (the file was written by a "
            "program and never opened in Excel); open it in Excel or WPS, save it and import it again")
CELL_FORMULA = "sheet {sheet}, cell {cell}: a formula without a saved value"
ERROR_VALUES = ("file: sheet {sheet}, cell(s) {cells}: error values (such as #N/A or #REF!) instead of data; "
                "correct them and import the file again")
CELL_ERROR = "sheet {sheet}, cell {cell}: the error value {value} instead of data"


def _listed(items: list[Any]) -> str:
    shown = ", ".join(str(item) for item in items[:SHOWN])
    return shown + (", …" if len(items) > SHOWN else "")


# --- cells -----------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_value(value: Any) -> Any:
    """An .xlsx cell with its type: numbers stay numbers, dates become ISO text, empty is ""."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):  # bool too
        return value
    return cell_text(value)


# --- the encoding of CSV text ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _common_characters() -> frozenset[str]:
    """Every character of GB 2312: the 6,763 common hanzi, CJK punctuation, full-width forms,
    pinyin, Greek, Cyrillic, kana and the like; what Chinese office text is made of."""
    found = set()
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                found.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(found)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=1)
def _uncommon() -> re.Pattern[str]:
    return re.compile("[^\x00-\x7f" + "".join(re.escape(ch) for ch in sorted(_common_characters())) + "]")


def _commonness(text: str) -> float:
    """The share of the non-ASCII characters of ``text`` that are common Chinese office text."""
    total = sum(1 for _ in _NON_ASCII.finditer(text))
    return 1 - sum(1 for _ in _uncommon().finditer(text)) / total if total else 1.0


def _line_encoding(line: bytes) -> str | None:
    """Which encoding a line of a file without byte-order mark is in: "UTF-8", "GBK" or None.

    A line can decode both ways (UTF-8 text read as GBK gives mojibake; short GBK text can be
    valid UTF-8): then the decode made of the more common characters wins."""
    try:
        utf8: str | None = line.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    try:
        gbk: str | None = line.decode("gb18030")
    except UnicodeDecodeError:
        gbk = None
    if gbk is not None and _CONTROL.search(gbk):
        gbk = None  # control characters are not text: GB18030 maps odd byte sequences to them
    if utf8 is not None and gbk is not None:
        return "UTF-8" if _commonness(utf8) >= _commonness(gbk) else "GBK"
    return "UTF-8" if utf8 is not None else "GBK" if gbk is not None else None


class EncodingProblem(Exception):
    """Rows of a file that do not decode like the rest; ``text`` is the file decoded leniently
    (to count rows that span several lines)."""

    def __init__(self, message: str, row_message: str, lines: list[int], text: str):
        super().__init__(message)
        self.message, self.row_message, self.lines, self.text = message, row_message, lines, text


def _not_like_the_rest(encoding: str, lines: list[int], text: str) -> EncodingProblem:
    return EncodingProblem(NOT_LIKE_THE_REST.replace("{encoding}", encoding),
                           ROW_NOT_LIKE_THE_REST.format(encoding=encoding), lines, text)


def _lenient(content: bytes, codec: str) -> str:
    return content.decode(codec, errors="replace")


def _bad_lines(content: bytes, codec: str) -> list[int]:
    """The line numbers (from 1) of a file with a byte-order mark that do not decode as ``codec``."""
    text = content.decode(codec, errors="kaoping.mark")
    lines, position, line = [], 0, 1
    while (found := text.find(_MARK, position)) >= 0:
        line += text.count("\n", position, found)
        lines.append(line)
        end = text.find("\n", found)
        if end < 0:
            break
        line, position = line + 1, end + 1
    return lines


_MARK = "\udcff"  # a lone surrogate: a strict decode never gives one
codecs.register_error("kaoping.mark", lambda exc: (_MARK, exc.end))


def decode_text(content: bytes) -> str:
    """The text of a CSV file, decoded strictly as a whole (see the module docstring).

    Raises ``EncodingProblem`` naming the lines that do not decode like the rest, ``Invalid``
    for binary content."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[3:].decode("utf-8")
        except UnicodeDecodeError:
            body = content[3:]
            raise _not_like_the_rest("UTF-8", _bad_lines(body, "utf-8"), _lenient(body, "utf-8")) from None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_like_the_rest("UTF-16", _bad_lines(content, "utf-16"), _lenient(content, "utf-16")) from None
    if b"\x00" in content:
        raise Invalid("file: not an .xlsx or .csv file", errors=[{"row": 0, "column": "", "message": "binary content"}])
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Short GBK text can be valid UTF-8 ("女" is "Ů"): then the decode of common characters wins.
        if not content.isascii():
            try:
                gbk = content.decode("gb18030")
            except UnicodeDecodeError:
                return text
            if not _CONTROL.search(gbk) and _commonness(gbk) > _commonness(text):
                return gbk
        return text
    # Not UTF-8 as a whole: GBK, or a mixture. Each line is judged on its own (a line break is
    # never part of a UTF-8 or GB18030 character), then the file must be one encoding.
    lines: dict[str | None, list[int]] = {"UTF-8": [], "GBK": [], None: []}
    for number, line in enumerate(content.split(b"\n"), start=1):
        if not line.isascii():
            lines[_line_encoding(line)].append(number)
    if lines["UTF-8"] and len(lines["UTF-8"]) >= len(lines["GBK"]):
        raise _not_like_the_rest("UTF-8", sorted(lines["GBK"] + lines[None]), _lenient(content, "utf-8"))
    if lines["UTF-8"]:
        raise _not_like_the_rest("GBK", sorted(lines["UTF-8"] + lines[None]), _lenient(content, "gb18030"))
    if lines[None]:
        raise EncodingProblem(NEITHER, ROW_NEITHER, lines[None], _lenient(content, "gb18030"))
    return content.decode("gb18030")  # GBK files from Excel and WPS on Chinese Windows


def _delimiter(text: str, utf16: bool = False) -> str:
    # Only the delimiter is guessed: the quoting is always Excel's ("" inside "..."), which the
    # sniffer often gets wrong, and then silently changes the text of the cells.
    first = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    if utf16 and "\t" in first:
        return "\t"  # Excel's "Unicode text"
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _rows_of_lines(text: str, delimiter: str, lines: list[int]) -> list[int]:
    """The CSV row numbers of file lines (a quoted cell may span several lines)."""
    ends: list[int] = []  # the last line of each row
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for _row in reader:
            ends.append(reader.line_num)
    except csv.Error:
        pass
    rows: list[int] = []
    for line in lines:
        index = bisect.bisect_left(ends, line)
        row = index + 1 if index < len(ends) else len(ends) + (line - (ends[-1] if ends else 0))
        if row not in rows:
            rows.append(row)
    return rows


def csv_rows(content: bytes) -> Iterator[list[str]]:
    """The rows of CSV (or tab-separated) text, cells as stripped text, numbered from 1."""
    try:
        text = decode_text(content)
    except EncodingProblem as problem:
        rows = _rows_of_lines(problem.text, _delimiter(problem.text), problem.lines)
        raise Invalid(problem.message.format(rows=_listed(rows)),
                      errors=[{"row": row, "column": "", "message": problem.row_message}
                              for row in rows[:MAX_NAMED]]) from None
    if "\x00" in text:
        raise Invalid("file: not an .xlsx or .csv file", errors=[{"row": 0, "column": "", "message": "binary content"}])
    delimiter = _delimiter(text, utf16=content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))
    # strict: a quote that is never closed is an error, not the rest of the file read as one cell
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    number = 0
    while True:
        line = reader.line_num + 1  # where the next row starts in the file
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # an unclosed or stray quote, a cell beyond the field size limit
            reason = str(exc)
            if "unexpected end of data" in reason or "EOF" in reason:
                reason = f'a quote (") opened on line {line} is never closed'
            elif "expected after" in reason:
                reason = f'a quote (") on line {line} is followed by more text in the same cell'
            raise Invalid(f"file: row {number + 1} cannot be read as CSV: {reason}",
                          errors=[{"row": number + 1, "column": "", "message": reason}]) from None
        number += 1
        yield [cell.strip() for cell in row]


# --- XLSX ------------------------------------------------------------------------------------

# a formula element (<f>, or <x:f> with a namespace prefix) or an error cell (t="e")
_MAYBE_UNUSABLE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]|\bt\s*=\s*[\"']e[\"']")


def _may_have_unusable_cells(archive: zipfile.ZipFile, path: str) -> bool:
    """A quick look through the sheet's XML: does it have formulas or error cells at all?"""
    with archive.open(path) as source:
        tail = b""
        while chunk := source.read(1 << 20):
            block = tail + chunk
            if _MAYBE_UNUSABLE.search(block):
                return True
            tail = block[-64:]
    return False


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def unusable_cells(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, str, str]]:
    """The first cells of the sheet at ``path`` that hold a formula without a saved value, or an
    error value: (row, column, "formula" or "error", the error value), in sheet order.

    Streamed, so memory stays flat however large the sheet. openpyxl cannot tell: with
    ``data_only`` both an unsaved formula and one that gives "" read as None; the XML can (Excel
    saves ``<v></v>`` with ``t="str"`` for "", openpyxl ``<v/>`` without a type for "not computed")."""
    if not _may_have_unusable_cells(archive, path):
        return []
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.xml.functions import iterparse  # defusedxml's when installed, as openpyxl reads

    found: list[tuple[int, int, str, str]] = []
    row_number = column = 0
    sheet_data = None
    with archive.open(path) as source:
        for event, element in iterparse(source, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "sheetData":
                    sheet_data = element
                elif name == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    column = 0
                continue
            if name == "c":
                reference = element.get("r")
                row, column = coordinate_to_tuple(reference) if reference else (row_number, column + 1)
                kind = element.get("t", "n")
                formula = value = None
                for child in element:
                    if _local(child.tag) == "f":
                        formula = child
                    elif _local(child.tag) == "v":
                        value = child
                if kind == "e":
                    found.append((row, column, "error", (value.text or "") if value is not None else ""))
                elif formula is not None and (value is None or (not value.text and kind != "str")):
                    found.append((row, column, "formula", ""))
                element.clear()
                if len(found) >= MAX_NAMED:
                    break
            elif name == "row" and sheet_data is not None:
                sheet_data.clear()  # the rows read so far: keep memory flat
    return found


def _refuse_unusable(sheet: str, found: list[tuple[int, int, str, str]]) -> None:
    from openpyxl.utils import get_column_letter

    errors, formulas, error_cells = [], [], []
    for row, column, kind, value in found:
        cell = f"{get_column_letter(column)}{row}"
        if kind == "formula":
            formulas.append(cell)
            message = CELL_FORMULA.format(sheet=sheet, cell=cell)
        else:
            error_cells.append(cell)
            message = CELL_ERROR.format(sheet=sheet, cell=cell, value=value or "#VALUE!")
        errors.append({"row": row, "column": get_column_letter(column), "message": message})
    if formulas:
        raise Invalid(FORMULAS.format(sheet=sheet, cells=_listed(formulas)), errors=errors)
    raise Invalid(ERROR_VALUES.format(sheet=sheet, cells=_listed(error_cells)), errors=errors)


def xlsx_rows(content: bytes, *, sheet: str | None = None, keep_types: bool = False) -> Iterator[list[Any]]:
    """The rows of the first sheet (or of ``sheet``), as text; with ``keep_types`` numbers stay
    numbers (dates become ISO text, but a date whose number format shows only a month or a year
    becomes that period, ``2026-11`` or ``2026``: ``core.periods.excel_cell_value``; empty
    cells "")."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise Invalid("file: not a valid .xlsx workbook (damaged or not a spreadsheet)",
                      errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}]) from None
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise TooLarge(f"file: the workbook inflates to {inflated // (1024 * 1024)} MB; the limit is "
                       f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB. Split it into several files.")
    try:
        from openpyxl import load_workbook  # imported when needed: it costs ~10 MB in every process

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise Invalid("file: not a valid .xlsx workbook (damaged or not a spreadsheet)",
                      errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}]) from None
    if sheet is not None and sheet not in workbook.sheetnames:
        names = ", ".join(workbook.sheetnames)
        workbook.close()
        raise Invalid(f"file: the workbook has no sheet named {sheet!r} (sheets: {names})",
                      errors=[{"row": 0, "column": "", "message": "no such sheet"}])
    cell = cell_value if keep_types else cell_text
    number = 0
    try:
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        try:
            found = unusable_cells(archive, worksheet._worksheet_path)  # the part openpyxl reads the sheet from
        except Exception:  # noqa: BLE001 - damaged XML: reading the rows below says where
            found = []
        if found:
            _refuse_unusable(worksheet.title, found)
        for number, row in enumerate(worksheet.iter_rows(values_only=not keep_types), start=1):
            if keep_types:  # a date cell formatted to show a month (or a year) is that period, not a day
                yield [cell(excel_cell_value(c.value, c.number_format)) for c in row]
            else:
                yield [cell(value) for value in row]
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet fails only when its rows are read
        raise Invalid(f"file: row {number + 1} of the workbook cannot be read (damaged file?)",
                      errors=[{"row": number + 1, "column": "", "message": "damaged row"}]) from None
    finally:
        workbook.close()


# --- either ----------------------------------------------------------------------------------


def read_rows(filename: str, content: bytes, *, sheet: str | None = None,
              keep_types: bool = False) -> Iterator[list[Any]]:
    """The rows of a .csv (cells as text) or .xlsx file (see ``xlsx_rows``), numbered from 1."""
    if not content:
        raise Invalid("file: the file is empty", errors=[{"row": 0, "column": "", "message": "empty file"}])
    is_zip = content[:4] == b"PK\x03\x04"
    name = filename.lower()
    if is_zip or name.endswith((".xlsx", ".xlsm")):
        yield from xlsx_rows(content, sheet=sheet, keep_types=keep_types)
        return
    if name.endswith((".xls", ".ods")) or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Invalid("file: old .xls workbooks are not read; save the sheet as .xlsx or .csv",
                      errors=[{"row": 0, "column": "", "message": "unsupported file type"}])
    yield from csv_rows(content)


# --- writing ---------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@")


def append_row(sheet: Any, values: list[Any]) -> None:
    """Append ``values`` to an openpyxl worksheet, text kept exactly as text.

    openpyxl would write text starting with "=" as a formula and "#N/A" as an error value; such
    text is written as a string cell instead (never a formula, nothing prefixed). Text a
    spreadsheet would take for a formula when typed (= + - @) also gets Excel's "quote prefix"
    style, so editing the cell in Excel keeps it text."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        value = cell.value
        if isinstance(value, str):
            cell.data_type = "s"
            if value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
