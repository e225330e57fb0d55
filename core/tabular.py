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

Both are read as streams with hard limits (``Limits``: rows, columns, cells, shared strings,
characters, XML depth, inflated bytes), checked while reading: any file within the upload limit
is read within about 200 MB of memory, or refused naming the limit and the sheet. The .xlsx
parts are parsed here with expat, not by openpyxl, which loads the whole shared-string table
(and a sheet's declared dimension) before the first row.

Errors are ``Invalid`` (or ``TooLarge``) with ``errors=[{row, column, message}]``; the English
messages are message ids, translated in ``core/locales``.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import itertools
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from core.periods import excel_cell_value
from core.services.errors import Invalid, TooLarge

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # an .xlsx whose parts inflate beyond this is refused (zip bomb)
MAX_NAMED = 20  # at most this many rows or cells are listed in an error
SHOWN = 5  # ... and this many named in its one-line message
MB = 1024 * 1024
LINES_PER_ROW = 4  # a CSV file may have this many lines for each row allowed (cells with line breaks)


@dataclass(frozen=True)
class Limits:
    """Hard limits of one read, checked while reading, so that any file within the upload limit
    (``KAOPING_MAX_UPLOAD_MB``) is read within about 200 MB of memory, or refused naming the
    limit (and the sheet). A limit on sizes is a ``TooLarge`` (413)."""

    rows: int = 250_000  # the last row of a sheet or a CSV file, empty rows included
    columns: int = 1_000  # the last column of a row (ALL)
    cells: int = 2_000_000  # cells handed out: each row counts up to its last cell with a value
    shared_strings: int = 1_000_000  # entries of an .xlsx's shared-string table
    shared_string_chars: int = 20_000_000  # characters of all shared strings together
    cell_chars: int = 32_767  # characters of one cell or shared string (Excel's own limit)
    row_chars: int = 1_000_000  # characters of one CSV row
    depth: int = 64  # nesting of XML elements (Excel's parts nest about 10 deep)
    styles: int = 100_000  # cell formats and number formats of a workbook (Excel allows 64,000)
    sheet_bytes: int = 160 * MB  # a sheet's XML, inflated
    shared_string_bytes: int = 100 * MB  # the shared-string table's XML, inflated
    part_bytes: int = 10 * MB  # any other part read: workbook, relationships, styles


LIMITS = Limits()

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
# limits (``Limits``)
CSV_TOO_MANY_ROWS = "file: more than {limit} rows; split it into several files"
CSV_TOO_MANY_LINES = "file: more than {limit} lines; split it into several files"
CSV_TOO_MANY_COLUMNS = "file: row {row} has more than {limit} columns; delete the columns that are not needed"
CSV_ROW_TOO_LONG = "file: row {row} is longer than {limit} characters"
TOO_MANY_ROWS = "file: sheet {sheet} has more than {limit} rows; split it into several files"
TOO_MANY_COLUMNS = "file: sheet {sheet}, cell {cell}: more than {limit} columns; delete the columns that are not needed"
TOO_MANY_CELLS = "file: sheet {sheet} has more than {limit} cells; split it into several files"
CELL_TOO_LONG = "file: sheet {sheet}, cell {cell}: more than {limit} characters"
SHEET_TOO_LARGE = ("file: sheet {sheet} inflates to {size} MB; the limit is {limit} MB. "
                   "Split it into several files.")
STRINGS_PART_TOO_LARGE = ("file: the shared-string table of the workbook inflates to {size} MB; the limit is "
                          "{limit} MB. Split it into several files.")
PART_TOO_LARGE = "file: the part {part} of the workbook inflates to {size} MB; the limit is {limit} MB"
TOO_MANY_STRINGS = ("file: the shared-string table of the workbook has more than {limit} entries; "
                    "split it into several files")
STRINGS_TOO_LONG = ("file: the shared strings of the workbook hold more than {limit} characters; "
                    "split it into several files")
STRING_TOO_LONG = "file: shared string {index} of the workbook has more than {limit} characters"
TOO_MANY_STYLES = "file: the workbook has more than {limit} cell formats (damaged or not a spreadsheet)"
TOO_MANY_PARTS = "file: the workbook has more than {limit} parts (damaged or not a spreadsheet)"
TOO_DEEP = ("file: the part {part} of the workbook nests its XML more than {limit} levels deep "
            "(damaged or not a spreadsheet)")
DTD = ("file: the part {part} of the workbook declares a document type (DTD), which spreadsheets never do "
       "(damaged or not a spreadsheet)")
TOKEN_TOO_LONG = ("file: the part {part} of the workbook has a tag or comment of more than {limit} MB "
                  "(damaged or not a spreadsheet)")
OVER_A_LIMIT = "over a limit"
MORE_COLUMNS = "more than {limit} columns"
MORE_CHARACTERS = "more than {limit} characters"


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
    # never part of a UTF-8 or GB18030 character), then the file must be one encoding. Only the
    # counts and the first lines of each kind are kept (memory stays flat whatever the file).
    counts: dict[str | None, int] = {"UTF-8": 0, "GBK": 0, None: 0}
    lines: dict[str | None, list[int]] = {"UTF-8": [], "GBK": [], None: []}
    for number, line in _non_ascii_lines(content):
        encoding = _line_encoding(line)
        counts[encoding] += 1
        if len(lines[encoding]) < MAX_NAMED:
            lines[encoding].append(number)
    if counts["UTF-8"] and counts["UTF-8"] >= counts["GBK"]:
        raise _not_like_the_rest("UTF-8", sorted(lines["GBK"] + lines[None])[:MAX_NAMED], _lenient(content, "utf-8"))
    if counts["UTF-8"]:
        raise _not_like_the_rest("GBK", sorted(lines["UTF-8"] + lines[None])[:MAX_NAMED],
                                 _lenient(content, "gb18030"))
    if counts[None]:
        raise EncodingProblem(NEITHER, ROW_NEITHER, lines[None], _lenient(content, "gb18030"))
    return content.decode("gb18030")  # GBK files from Excel and WPS on Chinese Windows


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _non_ascii_lines(content: bytes) -> Iterator[tuple[int, bytes]]:
    """The lines (split at "\\n", numbered from 1) that are not ASCII, found at C speed."""
    position, number = 0, 1
    while (found := _HIGH_BYTE.search(content, position)) is not None:
        start = content.rfind(b"\n", 0, found.start()) + 1
        number += content.count(b"\n", position, start)
        end = content.find(b"\n", found.start())
        end = len(content) if end < 0 else end
        yield number, content[start:end]
        position = end


_LEADING_BLANKS = re.compile("[\ufeff\r\n]*")


def _delimiter(text: str, utf16: bool = False) -> str:
    # Only the delimiter is guessed: the quoting is always Excel's ("" inside "..."), which the
    # sniffer often gets wrong, and then silently changes the text of the cells.
    start = _LEADING_BLANKS.match(text).end()
    end = text.find("\n", start)
    first = text[start:end if end >= 0 else len(text)]
    if utf16 and "\t" in first:
        return "\t"  # Excel's "Unicode text"
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


class _Lines:
    """The lines of ``text`` for ``csv.reader``, without copying the text (as ``io.StringIO``
    would, four bytes a character); refuses a row of more than ``limit`` characters before
    the reader splits it into cells."""

    def __init__(self, text: str, limit: int | None = None):
        self.text, self.limit, self.position, self.row_chars = text, limit, 0, 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        start = self.position
        if start >= len(self.text):
            raise StopIteration
        end = self.text.find("\n", start)
        end = len(self.text) if end < 0 else end + 1
        self.row_chars += end - start
        if self.limit is not None and self.row_chars > self.limit:
            raise _RowTooLong
        self.position = end
        return self.text[start:end]


class _RowTooLong(Exception):
    pass


def _rows_of_lines(text: str, delimiter: str, lines: list[int]) -> list[int]:
    """The CSV row numbers of file lines (a quoted cell may span several lines)."""
    ends: list[int] = []  # the last line of each row
    reader = csv.reader(_Lines(text), delimiter=delimiter)
    last = max(lines, default=0)
    try:
        for _row in reader:
            ends.append(reader.line_num)
            if reader.line_num >= last:
                break
    except csv.Error:
        pass
    rows: list[int] = []
    for line in lines:
        index = bisect.bisect_left(ends, line)
        row = index + 1 if index < len(ends) else len(ends) + (line - (ends[-1] if ends else 0))
        if row not in rows:
            rows.append(row)
    return rows


def csv_rows(content: bytes, limits: Limits | None = None) -> Iterator[list[str]]:
    """The rows of CSV (or tab-separated) text, cells as stripped text, numbered from 1;
    refused (``TooLarge``) beyond ``limits``: rows, columns and characters of a row."""
    limits = limits or LIMITS
    # Lines are judged one by one for their encoding: a file of millions of short lines (more
    # than a few lines for each row allowed) is refused before that, at C speed.
    if content.count(b"\n") > limits.rows * LINES_PER_ROW:
        raise TooLarge(CSV_TOO_MANY_LINES.format(limit=f"{limits.rows * LINES_PER_ROW:,}"),
                       errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}])
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
    lines = _Lines(text, limits.row_chars)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    number = 0
    while True:
        line = reader.line_num + 1  # where the next row starts in the file
        lines.row_chars = 0
        try:
            row = next(reader)
        except StopIteration:
            return
        except _RowTooLong:
            raise TooLarge(CSV_ROW_TOO_LONG.format(row=number + 1, limit=f"{limits.row_chars:,}"),
                           errors=[{"row": number + 1, "column": "",
                                    "message": MORE_CHARACTERS.format(limit=f"{limits.row_chars:,}")}]) from None
        except csv.Error as exc:  # an unclosed or stray quote, a cell beyond the field size limit
            reason = str(exc)
            if "unexpected end of data" in reason or "EOF" in reason:
                reason = f'a quote (") opened on line {line} is never closed'
            elif "expected after" in reason:
                reason = f'a quote (") on line {line} is followed by more text in the same cell'
            raise Invalid(f"file: row {number + 1} cannot be read as CSV: {reason}",
                          errors=[{"row": number + 1, "column": "", "message": reason}]) from None
        number += 1
        if number > limits.rows:
            raise TooLarge(CSV_TOO_MANY_ROWS.format(limit=f"{limits.rows:,}"),
                           errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}])
        if len(row) > limits.columns:
            raise TooLarge(CSV_TOO_MANY_COLUMNS.format(row=number, limit=f"{limits.columns:,}"),
                           errors=[{"row": number, "column": "",
                                    "message": MORE_COLUMNS.format(limit=f"{limits.columns:,}")}])
        yield [cell.strip() for cell in row]


# --- XLSX ------------------------------------------------------------------------------------
#
# An .xlsx is a zip of XML parts. openpyxl loads the whole shared-string table and the styles
# into memory before the first row, even in read-only mode, and pads every row to the sheet's
# declared dimension: a 500 KB file can hold millions of shared strings, a sheet that claims
# 16,384 columns or a million empty rows. So the parts are read here, streamed through expat
# (no tree is built), with the limits of ``Limits`` checked while reading: the sizes the zip
# declares before anything is inflated (Python's zipfile never inflates an entry past its
# declared size), then rows, columns, cells, shared strings, characters and nesting depth as the
# XML goes by. A document type declaration (the way to an entity bomb) is refused outright.

_MAIN_RELATIONSHIP = "/officeDocument"
_XML_CHUNK = 256 * 1024
MAX_ZIP_ENTRIES = 10_000  # parts of one workbook (Excel writes a few dozen)
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024  # the zip's central directory, read before anything else
MAX_TOKEN_BYTES = 1024 * 1024  # expat holds a whole tag (or comment) before reporting it: at most this


class _Stop(Exception):
    """Ends the parse of a part early (enough was seen)."""


def _damaged_workbook() -> Invalid:
    return Invalid("file: not a valid .xlsx workbook (damaged or not a spreadsheet)",
                   errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}])


def _damaged_row(row: int) -> Invalid:
    return Invalid(f"file: row {row} of the workbook cannot be read (damaged file?)",
                   errors=[{"row": row, "column": "", "message": "damaged row"}])


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 1024 * 1024 else f"{size / (1024 * 1024):.1f}"


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _zip_directory_size(content: bytes) -> int | None:
    """The size of the zip's central directory as its end records declare it (None if none is
    found: zipfile then says the file is damaged)."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 22 > len(content):
        return None
    size = int.from_bytes(content[end + 12:end + 16], "little")
    locator = end - 20
    if locator >= 56 and content[locator:locator + 4] == b"PK\x06\x07":  # zip64: the real sizes are there
        record = locator - 56
        if content[record:record + 4] == b"PK\x06\x06":
            size = max(size, int.from_bytes(content[record + 40:record + 48], "little"))
    return size


class _Part:
    """One XML part of the workbook, streamed through expat with a depth limit and no DTD.

    ``too_large`` is the message (with ``{size}`` and ``{limit}``, in MB) of a part that inflates
    beyond ``limit`` bytes: refused before anything of it is inflated."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits, path: str, limit: int, too_large: str):
        self.archive, self.limits, self.path, self.limit, self.too_large = archive, limits, path, limit, too_large
        try:
            self.info = archive.getinfo(path)
        except KeyError:
            raise _damaged_workbook() from None
        if self.info.file_size > limit:
            raise self._too_large(self.info.file_size)

    def _too_large(self, size: int) -> TooLarge:
        return TooLarge(self.too_large.format(part=self.path, size=_mb(size), limit=_mb(self.limit)),
                        errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}])

    def events(self, start, end, text=None) -> Iterator[None]:
        """Feed the part to expat calling ``start(name, attributes)``, ``end(name)`` and
        ``text(data)`` (local names); yields after each chunk so a caller can stream."""
        from xml.parsers import expat

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = 64 * 1024
        depth = 0
        max_depth = self.limits.depth
        reported = 0  # where the last event was: expat holds what follows until it is complete

        def on_start(name: str, attributes: dict[str, str]) -> None:
            nonlocal depth, reported
            depth += 1
            reported = parser.CurrentByteIndex
            if depth > max_depth:
                raise Invalid(TOO_DEEP.format(part=self.path, limit=max_depth),
                              errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}])
            start(_local(name), attributes)

        def on_end(name: str) -> None:
            nonlocal depth, reported
            depth -= 1
            reported = parser.CurrentByteIndex
            end(_local(name))

        def on_text(data: str) -> None:
            nonlocal reported
            reported = parser.CurrentByteIndex
            if text is not None:
                text(data)

        def on_other(*_args: Any) -> None:
            nonlocal reported
            reported = parser.CurrentByteIndex

        def no_dtd(*_args: Any) -> None:
            raise Invalid(DTD.format(part=self.path),
                          errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}])

        parser.StartElementHandler = on_start
        parser.EndElementHandler = on_end
        parser.CharacterDataHandler = on_text
        parser.CommentHandler = parser.ProcessingInstructionHandler = on_other
        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        read = 0
        try:
            with self.archive.open(self.info) as source:
                while chunk := source.read(_XML_CHUNK):
                    read += len(chunk)
                    if read > self.limit:  # zipfile never inflates past the declared size; cheap to be sure
                        raise self._too_large(read)
                    parser.Parse(chunk, False)
                    if read - reported > MAX_TOKEN_BYTES:  # a tag or comment that does not end
                        raise Invalid(TOKEN_TOO_LONG.format(part=self.path, limit=MAX_TOKEN_BYTES // MB),
                                      errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}])
                    yield
                parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise _Broken(str(exc)) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise _Broken(str(exc)) from None
        yield

    def parse(self, start, end, text=None) -> None:
        try:
            for _ in self.events(start, end, text):
                pass
        except _Stop:
            pass


class _Broken(Exception):
    """A part that is not well-formed XML, or a damaged zip entry."""


def _too_large(message: str, **params: Any) -> TooLarge:
    return TooLarge(message.format(**params), errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}])


class _Workbook:
    """The structure of a workbook: its sheets, shared strings and number formats."""

    def __init__(self, content: bytes, limits: Limits):
        self.limits = limits
        directory = _zip_directory_size(content)
        if directory is not None and directory > MAX_ZIP_DIRECTORY_BYTES:
            raise _too_large(TOO_MANY_PARTS, limit=MAX_ZIP_ENTRIES)
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(content))
            entries = self.archive.infolist()
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
            raise _damaged_workbook() from None
        if len(entries) > MAX_ZIP_ENTRIES:
            raise _too_large(TOO_MANY_PARTS, limit=MAX_ZIP_ENTRIES)
        inflated = sum(info.file_size for info in entries)  # as declared: zipfile never inflates more
        if inflated > MAX_UNCOMPRESSED_BYTES:
            raise TooLarge(f"file: the workbook inflates to {inflated // (1024 * 1024)} MB; the limit is "
                           f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB. Split it into several files.",
                           errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}])
        try:
            self._read_structure()
        except _Broken:
            raise _damaged_workbook() from None
        self.shared: _StringTable | None = None
        self.formats: list[int] | None = None
        self.custom_formats: dict[int, str] = {}
        self._kinds: dict[int, tuple[str, bool, bool]] = {}

    def part(self, path: str, limit: int | None = None, too_large: str = PART_TOO_LARGE) -> _Part:
        return _Part(self.archive, self.limits, path, self.limits.part_bytes if limit is None else limit, too_large)

    # -- structure -----------------------------------------------------------------------------

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """The relationships of ``part``: id -> (type, target path inside the zip)."""
        folder, _, name = part.rpartition("/")
        rels_path = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        if rels_path not in self.archive.NameToInfo:
            return {}
        found: dict[str, tuple[str, str]] = {}

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "Relationship" and attributes.get("TargetMode") != "External":
                target = attributes.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                found[attributes.get("Id", "")] = (attributes.get("Type", ""), posixpath.normpath(path))
                if len(found) > MAX_ZIP_ENTRIES:
                    raise _too_large(TOO_MANY_PARTS, limit=MAX_ZIP_ENTRIES)

        self.part(rels_path).parse(start, lambda tag: None)
        return found

    def _read_structure(self) -> None:
        main = next((target for kind, target in self._relationships("").values()
                     if kind.endswith(_MAIN_RELATIONSHIP)), "xl/workbook.xml")
        relationships = self._relationships(main)
        sheets: list[tuple[str, str, str]] = []  # name, relationship id, part
        self.date1904 = False

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "sheet":
                rid = next((value for key, value in attributes.items() if _local(key) == "id"), "")
                sheets.append((attributes.get("name", ""), rid, ""))
                if len(sheets) > MAX_ZIP_ENTRIES:
                    raise _too_large(TOO_MANY_PARTS, limit=MAX_ZIP_ENTRIES)
            elif tag == "workbookPr":
                self.date1904 = attributes.get("date1904", "").lower() in ("1", "true")

        self.part(main).parse(start, lambda tag: None)
        self.sheet_names = [name for name, _rid, _ in sheets]
        # (name, part) of the worksheets; chart sheets and dialog sheets have no cells
        self.worksheets = [(name, relationships[rid][1]) for name, rid, _ in sheets
                           if rid in relationships and relationships[rid][0].endswith("/worksheet")]
        by_type = {kind.rpartition("/")[2]: target for kind, target in relationships.values()}
        self.shared_path = by_type.get("sharedStrings")
        self.styles_path = by_type.get("styles")

    # -- shared strings ------------------------------------------------------------------------

    def shared_strings(self) -> _StringTable:
        if self.shared is None:
            self.shared = self._read_shared_strings() if self.shared_path else _StringTable()
        return self.shared

    def _count_entries(self, part: _Part) -> None:
        """Count the entries of the shared-string table at C speed before parsing it, so a table
        of millions of (empty) strings is refused in a fraction of a second."""
        limit = self.limits.shared_strings
        count, tail = 0, b""
        with self.archive.open(part.info) as source:
            while chunk := source.read(_XML_CHUNK):
                block = tail + chunk
                cut = block.rfind(b"<")
                cut = len(block) if cut < 0 else cut
                count += len(_SHARED_ENTRY.findall(block, 0, cut))
                tail = block[cut:]
                if len(tail) > 4096:
                    tail = tail[-4096:]
                if count > limit:
                    raise _too_large(TOO_MANY_STRINGS, limit=f"{limit:,}")

    def _read_shared_strings(self) -> _StringTable:
        part = self.part(self.shared_path, self.limits.shared_string_bytes, STRINGS_PART_TOO_LARGE)
        try:
            self._count_entries(part)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
            raise _damaged_workbook() from None
        limits = self.limits
        strings = _StringTable()
        pieces: list[str] = []
        state = {"in_si": False, "in_t": False, "phonetic": 0, "length": 0, "total": 0}

        def start(tag: str, _attributes: dict[str, str]) -> None:
            if tag == "si":
                state["in_si"], state["length"] = True, 0
                pieces.clear()
            elif tag == "t" and state["in_si"] and not state["phonetic"]:
                state["in_t"] = True
            elif tag == "rPh":
                state["phonetic"] += 1

        def end(tag: str) -> None:
            if tag == "t":
                state["in_t"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "si" and state["in_si"]:
                state["in_si"] = False
                strings.append("".join(pieces).replace("x005F_", ""))  # as openpyxl reads them
                pieces.clear()
                if len(strings) > limits.shared_strings:
                    raise _too_large(TOO_MANY_STRINGS, limit=f"{limits.shared_strings:,}")

        def text(data: str) -> None:
            if state["in_t"]:
                state["length"] += len(data)
                state["total"] += len(data)
                if state["length"] > limits.cell_chars:
                    raise _too_large(STRING_TOO_LONG, index=len(strings) + 1, limit=f"{limits.cell_chars:,}")
                if state["total"] > limits.shared_string_chars:
                    raise _too_large(STRINGS_TOO_LONG, limit=f"{limits.shared_string_chars:,}")
                pieces.append(data)

        try:
            part.parse(start, end, text)
        except _Broken:
            raise _damaged_workbook() from None
        strings.close()
        return strings

    # -- number formats ------------------------------------------------------------------------

    def _read_styles(self) -> None:
        self.formats = []
        if not self.styles_path:
            return
        formats = self.formats
        custom = self.custom_formats
        state = {"cell_xfs": False}
        limit = self.limits.styles

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "numFmt":
                try:
                    custom[int(attributes.get("numFmtId", ""))] = attributes.get("formatCode", "")
                except ValueError:
                    pass
                if len(custom) > limit:
                    raise _too_large(TOO_MANY_STYLES, limit=f"{limit:,}")
            elif tag == "cellXfs":
                state["cell_xfs"] = True
            elif tag == "xf" and state["cell_xfs"]:
                try:
                    formats.append(int(attributes.get("numFmtId") or 0))
                except ValueError:
                    formats.append(0)
                if len(formats) > limit:
                    raise _too_large(TOO_MANY_STYLES, limit=f"{limit:,}")

        def end(tag: str) -> None:
            if tag == "cellXfs":
                state["cell_xfs"] = False

        try:
            self.part(self.styles_path).parse(start, end)
        except _Broken:
            raise _damaged_workbook() from None

    def style(self, index: int) -> tuple[str, bool, bool]:
        """The number format of cell style ``index``: (format code, is a date, is a duration)."""
        found = self._kinds.get(index)
        if found is None:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

            if self.formats is None:
                self._read_styles()
            assert self.formats is not None
            number_format_id = self.formats[index] if 0 <= index < len(self.formats) else 0
            code = self.custom_formats.get(number_format_id) or BUILTIN_FORMATS.get(number_format_id, "General")
            found = self._kinds[index] = (code, is_date_format(code), is_timedelta_format(code))
        return found


class _StringTable:
    """The shared strings, packed: each block of 4,096 joined into one text, with where each
    string ends in an array. A list of a million short strings would take over 100 MB; packed,
    they take their characters and 4 bytes each. Strings read more than once are kept (up to
    ``CACHED``), so that a column of the same few values holds those few objects."""

    BLOCK = 4096
    CACHED = 50_000

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.ends = array("I")  # where each string ends in its block
        self.pending: list[str] = []
        self.count = 0
        self.cache: dict[int, str] = {}
        self.seen: set[int] = set()

    def append(self, text: str) -> None:
        self.pending.append(text)
        self.count += 1
        if len(self.pending) == self.BLOCK:
            self._pack()

    def _pack(self) -> None:
        self.ends.extend(itertools.accumulate(map(len, self.pending)))
        self.blocks.append("".join(self.pending))
        self.pending = []

    def close(self) -> None:
        if self.pending:
            self._pack()

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> str:
        found = self.cache.get(index)
        if found is not None:
            return found
        block, within = divmod(index, self.BLOCK)
        start = self.ends[index - 1] if within else 0
        text = self.blocks[block][start:self.ends[index]]
        if index in self.seen:  # read a second time: keep it
            if len(self.cache) >= self.CACHED:
                self.cache.clear()
            self.cache[index] = text
        elif len(self.seen) < 4 * self.CACHED:
            self.seen.add(index)
        return text


_SHARED_ENTRY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_DIGITS = re.compile(r"\d{1,9}")


def _cast_number(text: str) -> int | float:
    """A number as Excel saved it (openpyxl's reading: an integer unless it has . or E)."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _SheetReader:
    """The rows of one worksheet, streamed; or, with ``scan``, only its unusable cells."""

    def __init__(self, book: _Workbook | None, archive: zipfile.ZipFile, path: str, title: str, *,
                 keep_types: bool = False, scan: bool = False, limits: Limits | None = None):
        self.book, self.title, self.keep_types, self.scan = book, title, keep_types, scan
        self.limits = limits or (book.limits if book is not None else LIMITS)
        self.path, self.archive = path, archive
        self.ready: list[tuple[int, list[Any]]] = []
        self.unusable: list[tuple[int, int, str, str]] = []
        self.row_number = 0  # of the row being read (or the last one)
        self.slots = 0  # cells of the rows handed out
        self.width = 0  # rows with a value are as wide as the widest so far (or the sheet's dimension)
        self.in_data = False
        self.values: dict[int, Any] = {}
        self.column = 0
        self.cell: dict[str, Any] | None = None
        self.pieces: list[str] = []
        self.length = 0
        self.collecting = False
        self.inline_depth = 0
        self.phonetic = 0
        self.epoch = None

    # -- limits --------------------------------------------------------------------------------

    def _too_many(self, message: str, limit: int, row: int = 0, column: str = "", short: str = OVER_A_LIMIT,
                  **params: Any) -> TooLarge:
        text = message.format(sheet=self.title, limit=f"{limit:,}", **params)
        return TooLarge(text, errors=[{"row": row, "column": column, "message": short.format(limit=f"{limit:,}")}])

    # -- expat callbacks -----------------------------------------------------------------------

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "c" and self.in_data:
            reference = attributes.get("r")
            if reference:
                column = _column_number(reference, self.limits.columns)
                if not column:
                    raise _damaged_row(self.row_number)
            else:
                column = self.column + 1
            if column > self.limits.columns:
                cell = (reference or f"{_column_letter(column)}{self.row_number}")[:20]
                raise self._too_many(TOO_MANY_COLUMNS, self.limits.columns, self.row_number,
                                     _column_letter(column), MORE_COLUMNS, cell=cell)
            self.column = column
            self.cell = {"t": attributes.get("t", "n"), "s": attributes.get("s"), "f": False, "v": None,
                         "inline": None}
        elif self.cell is not None:
            if tag == "v" and not self.inline_depth:
                self._collect()
            elif tag == "f":
                self.cell["f"] = True
            elif tag == "is":
                self.inline_depth += 1
                self.cell["inline"] = ""
                self.pieces, self.length = [], 0
            elif tag == "rPh":
                self.phonetic += 1
            elif tag == "t" and self.inline_depth and not self.phonetic:
                self.collecting = True
        elif tag == "row" and self.in_data:
            number = attributes.get("r")
            if number is None:
                row = self.row_number + 1
            elif _DIGITS.fullmatch(number):
                row = int(number)
            else:
                row = self.limits.rows + 1 if number.isdigit() else 0
            if row <= self.row_number:
                raise _damaged_row(self.row_number + 1)
            if row > self.limits.rows:
                raise self._too_many(TOO_MANY_ROWS, self.limits.rows)
            self.row_number = row
            self.values = {}
            self.column = 0
        elif tag == "sheetData":
            self.in_data = True
        elif tag == "dimension":  # rows are as wide as the sheet says, when that is within the limit
            last = (attributes.get("ref") or "").rpartition(":")[2]
            width = _column_number(last)
            if width <= self.limits.columns:
                self.width = width

    def _collect(self) -> None:
        self.collecting = True
        self.pieces, self.length = [], 0

    def text(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > self.limits.cell_chars:
                cell = f"{_column_letter(self.column)}{self.row_number}"
                raise self._too_many(CELL_TOO_LONG, self.limits.cell_chars, self.row_number,
                                     _column_letter(self.column), MORE_CHARACTERS, cell=cell)
            self.pieces.append(data)

    def end(self, tag: str) -> None:
        cell = self.cell
        if cell is not None:
            if tag == "v" and not self.inline_depth:
                cell["v"] = "".join(self.pieces)
                self.collecting = False
            elif tag == "t" and self.inline_depth:
                if self.collecting:
                    cell["inline"] += "".join(self.pieces)
                    self.pieces, self.length = [], len(cell["inline"])
                self.collecting = False
            elif tag == "rPh":
                self.phonetic -= 1
            elif tag == "is":
                self.inline_depth -= 1
            elif tag == "c":
                self.cell = None
                self._finish_cell(cell)
        elif tag == "row" and self.in_data:
            self._finish_row()
        elif tag == "sheetData":
            self.in_data = False

    # -- values --------------------------------------------------------------------------------

    def _unusable(self, kind: str, value: str) -> None:
        self.unusable.append((self.row_number, self.column, kind, value))
        self.ready.clear()
        if len(self.unusable) >= MAX_NAMED:
            raise _Stop

    def _finish_cell(self, cell: dict[str, Any]) -> None:
        kind, text = cell["t"], cell["v"]
        if kind == "e":
            self._unusable("error", text or "")
            return
        if cell["f"] and (text is None or (not text and kind != "str")):
            self._unusable("formula", "")
            return
        if self.scan or self.unusable:
            return
        if kind == "inlineStr":
            value: Any = cell["inline"]
        elif not text:
            value = None
        else:
            value = self._convert(kind, text, cell["s"])
            if value is _ERROR:
                self._unusable("error", "#VALUE!")
                return
        if value is not None and value != "":
            self.values[self.column] = value

    def _convert(self, kind: str, text: str, style: str | None) -> Any:
        assert self.book is not None
        try:
            if kind == "n":
                number = _cast_number(text)
                code, is_date, is_duration = self.book.style(int(style)) if style else ("General", False, False)
                if is_date:
                    from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel

                    try:
                        value = from_excel(number, CALENDAR_MAC_1904 if self.book.date1904 else WINDOWS_EPOCH,
                                           timedelta=is_duration)
                    except (OverflowError, ValueError):
                        return _ERROR  # a date beyond the calendar: Excel shows #VALUE!
                    return excel_cell_value(value, code) if self.keep_types else value
                return number
            if kind == "s":
                strings = self.book.shared_strings()
                index = int(text)
                if not 0 <= index < len(strings):
                    raise ValueError(index)
                return strings[index]
            if kind == "b":
                return bool(int(text))
            if kind == "str":
                return text
            if kind == "d":
                from openpyxl.utils.datetime import from_ISO8601

                value = from_ISO8601(text)
                code = self.book.style(int(style))[0] if style else "General"
                return excel_cell_value(value, code) if self.keep_types else value
            return text
        except (ValueError, TypeError, OverflowError):
            raise _damaged_row(self.row_number) from None

    def _finish_row(self) -> None:
        if self.scan or self.unusable:
            return
        values = self.values
        if not values:
            self.ready.append((self.row_number, []))
            return
        width = self.width = max(self.width, max(values))
        self.slots += width
        if self.slots > self.limits.cells:
            raise self._too_many(TOO_MANY_CELLS, self.limits.cells, self.row_number)
        convert = cell_value if self.keep_types else cell_text
        row = [""] * width
        for column, value in values.items():
            row[column - 1] = convert(value)
        self.ready.append((self.row_number, row))
        self.values = {}

    # -- reading -------------------------------------------------------------------------------

    def _part(self) -> _Part:
        too_large = SHEET_TOO_LARGE.replace("{sheet}", self.title.replace("{", "{{").replace("}", "}}"))
        return _Part(self.archive, self.limits, self.path, self.limits.sheet_bytes, too_large)

    def rows(self) -> Iterator[list[Any]]:
        """The rows, numbered from 1 (missing rows are empty lists)."""
        part = self._part()
        handed = 0
        try:
            for _ in part.events(self.start, self.end, self.text):
                if self.unusable:
                    continue
                for number, row in self.ready:
                    while handed < number - 1:
                        handed += 1
                        yield []
                    handed = number
                    yield row
                self.ready.clear()
        except _Stop:
            pass
        except _Broken:
            raise _damaged_row(self.row_number + 1) from None
        if self.unusable:
            _refuse_unusable(self.title, self.unusable)

    def collect_unusable(self) -> list[tuple[int, int, str, str]]:
        try:
            self._part().parse(self.start, self.end, self.text)
        except _Broken:
            pass  # reading the rows says where it is damaged
        return self.unusable


_ERROR = object()


def _column_number(reference: str, limit: int = 16_384) -> int:
    """The column of a cell reference (``AB12`` -> 28); past ``limit`` it stops counting (a
    reference of a thousand letters costs nothing); 0 when there are no letters."""
    column = 0
    for character in reference:
        code = ord(character) | 0x20  # lower case
        if not 97 <= code <= 122:
            break
        column = column * 26 + code - 96
        if column > limit:
            break
    return column


def _column_letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(max(1, min(column, 18_278)))


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


def unusable_cells(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, str, str]]:
    """The first cells of the sheet at ``path`` that hold a formula without a saved value, or an
    error value: (row, column, "formula" or "error", the error value), in sheet order.

    Streamed, so memory stays flat however large the sheet. openpyxl cannot tell: with
    ``data_only`` both an unsaved formula and one that gives "" read as None; the XML can (Excel
    saves ``<v></v>`` with ``t="str"`` for "", openpyxl ``<v/>`` without a type for "not computed")."""
    if not _may_have_unusable_cells(archive, path):
        return []
    return _SheetReader(None, archive, path, path, scan=True).collect_unusable()


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


def xlsx_rows(content: bytes, *, sheet: str | None = None, keep_types: bool = False,
              limits: Limits | None = None) -> Iterator[list[Any]]:
    """The rows of the first sheet (or of ``sheet``), as text; with ``keep_types`` numbers stay
    numbers (dates become ISO text, but a date whose number format shows only a month or a year
    becomes that period, ``2026-11`` or ``2026``: ``core.periods.excel_cell_value``; empty
    cells ""). Rows are numbered from 1; a row is as long as its last cell with a value.

    Refused, while reading, beyond ``limits`` (``TooLarge``, naming the limit and the sheet)."""
    book = _Workbook(content, limits or LIMITS)
    if sheet is not None:
        found = next((path for name, path in book.worksheets if name == sheet), None)
        if found is None:
            names = ", ".join(book.sheet_names)
            raise Invalid(f"file: the workbook has no sheet named {sheet!r} (sheets: {names})",
                          errors=[{"row": 0, "column": "", "message": "no such sheet"}])
        title, path = sheet, found
    elif book.worksheets:
        title, path = book.worksheets[0]
    else:
        raise _damaged_workbook()
    yield from _SheetReader(book, book.archive, path, title, keep_types=keep_types).rows()


# --- either ----------------------------------------------------------------------------------


def read_rows(filename: str, content: bytes, *, sheet: str | None = None, keep_types: bool = False,
              limits: Limits | None = None) -> Iterator[list[Any]]:
    """The rows of a .csv (cells as text) or .xlsx file (see ``xlsx_rows``), numbered from 1,
    read within ``limits`` (default ``LIMITS``)."""
    if not content:
        raise Invalid("file: the file is empty", errors=[{"row": 0, "column": "", "message": "empty file"}])
    is_zip = content[:4] == b"PK\x03\x04"
    name = filename.lower()
    if is_zip or name.endswith((".xlsx", ".xlsm")):
        yield from xlsx_rows(content, sheet=sheet, keep_types=keep_types, limits=limits)
        return
    if name.endswith((".xls", ".ods")) or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Invalid("file: old .xls workbooks are not read; save the sheet as .xlsx or .csv",
                      errors=[{"row": 0, "column": "", "message": "unsupported file type"}])
    yield from csv_rows(content, limits)


# --- writing ---------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@")


def append_row(sheet: Any, values: list[Any]) -> None:
    """Append ``values`` to an openpyxl worksheet, text kept exactly as text.

    openpyxl would write text starting with "=" as a formula and "#N/A" as an error value; such
    text is written as a string cell instead (never a formula, nothing prefixed). Text a
    spreadsheet would take for a formula when typed (= + - @) also gets Excel's "quote prefix"
    style, so editing the cell in Excel keeps it text."""
    sheet.append(values)
    row = sheet._current_row  # the row just appended (sheet.max_row scans every cell: quadratic)
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=row, column=column)
            cell.data_type = "s"
            if value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
