"""The limits of one read (``Limits``), the error message ids of the reader, and cell values
as text or typed. See ``core.tabular``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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

NOT_LIKE_THE_REST = (
    "file: the text on row(s) {rows} is not {encoding} like the rest of the file; save the whole "
    "file in one encoding (UTF-8 is best) and import it again"
)
ROW_NOT_LIKE_THE_REST = "not {encoding} text like the rest of the file"
NEITHER = "file: the text on row(s) {rows} is neither UTF-8 nor GBK; save the file as UTF-8 and import it again"
ROW_NEITHER = "neither UTF-8 nor GBK text"
FORMULAS = (
    "file: sheet {sheet}, cell(s) {cells}: formulas without a saved value (the file was written by a "
    "program and never opened in Excel); open it in Excel or WPS, save it and import it again"
)
CELL_FORMULA = "sheet {sheet}, cell {cell}: a formula without a saved value"
ERROR_VALUES = (
    "file: sheet {sheet}, cell(s) {cells}: error values (such as #N/A or #REF!) instead of data; "
    "correct them and import the file again"
)
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
SHEET_TOO_LARGE = "file: sheet {sheet} inflates to {size} MB; the limit is {limit} MB. Split it into several files."
STRINGS_PART_TOO_LARGE = (
    "file: the shared-string table of the workbook inflates to {size} MB; the limit is "
    "{limit} MB. Split it into several files."
)
PART_TOO_LARGE = "file: the part {part} of the workbook inflates to {size} MB; the limit is {limit} MB"
TOO_MANY_STRINGS = (
    "file: the shared-string table of the workbook has more than {limit} entries; split it into several files"
)
STRINGS_TOO_LONG = (
    "file: the shared strings of the workbook hold more than {limit} characters; split it into several files"
)
STRING_TOO_LONG = "file: shared string {index} of the workbook has more than {limit} characters"
TOO_MANY_STYLES = "file: the workbook has more than {limit} cell formats (damaged or not a spreadsheet)"
TOO_MANY_PARTS = "file: the workbook has more than {limit} parts (damaged or not a spreadsheet)"
TOO_DEEP = (
    "file: the part {part} of the workbook nests its XML more than {limit} levels deep (damaged or not a spreadsheet)"
)
DTD = (
    "file: the part {part} of the workbook declares a document type (DTD), which spreadsheets never do "
    "(damaged or not a spreadsheet)"
)
TOKEN_TOO_LONG = (
    "file: the part {part} of the workbook has a tag or comment of more than {limit} MB (damaged or not a spreadsheet)"
)
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
