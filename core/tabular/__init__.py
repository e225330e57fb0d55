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

The package: ``limits`` (``Limits``, message ids, cell values), ``text`` (CSV), ``workbook`` (the
.xlsx parts as bounded streams), ``xlsx`` (sheet rows), ``writer`` (``append_row``, ``one_sheet_workbook``); every public
name is importable from ``core.tabular``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.services.errors import Invalid
from core.tabular.limits import (
    CELL_ERROR,
    CELL_FORMULA,
    CELL_TOO_LONG,
    CSV_ROW_TOO_LONG,
    CSV_TOO_MANY_COLUMNS,
    CSV_TOO_MANY_LINES,
    CSV_TOO_MANY_ROWS,
    DTD,
    ERROR_VALUES,
    FORMULAS,
    LIMITS,
    LINES_PER_ROW,
    MAX_NAMED,
    MAX_UNCOMPRESSED_BYTES,
    MB,
    MORE_CHARACTERS,
    MORE_COLUMNS,
    NEITHER,
    NOT_LIKE_THE_REST,
    OVER_A_LIMIT,
    PART_TOO_LARGE,
    ROW_NEITHER,
    ROW_NOT_LIKE_THE_REST,
    SHEET_TOO_LARGE,
    SHOWN,
    STRING_TOO_LONG,
    STRINGS_PART_TOO_LARGE,
    STRINGS_TOO_LONG,
    TOKEN_TOO_LONG,
    TOO_DEEP,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_PARTS,
    TOO_MANY_ROWS,
    TOO_MANY_STRINGS,
    TOO_MANY_STYLES,
    Limits,
    cell_text,
    cell_value,
)
from core.tabular.text import (
    EncodingProblem,
    csv_rows,
    decode_text,
)
from core.tabular.workbook import (
    MAX_TOKEN_BYTES,
    MAX_ZIP_DIRECTORY_BYTES,
    MAX_ZIP_ENTRIES,
)
from core.tabular.writer import (
    FORMULA_STARTS,
    append_row,
    one_sheet_workbook,
)
from core.tabular.xlsx import (
    unusable_cells,
    xlsx_rows,
)

__all__ = [
    "CELL_ERROR",
    "CELL_FORMULA",
    "CELL_TOO_LONG",
    "CSV_ROW_TOO_LONG",
    "CSV_TOO_MANY_COLUMNS",
    "CSV_TOO_MANY_LINES",
    "CSV_TOO_MANY_ROWS",
    "DTD",
    "ERROR_VALUES",
    "EncodingProblem",
    "FORMULAS",
    "FORMULA_STARTS",
    "LIMITS",
    "LINES_PER_ROW",
    "Limits",
    "MAX_NAMED",
    "MAX_TOKEN_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_DIRECTORY_BYTES",
    "MAX_ZIP_ENTRIES",
    "MB",
    "MORE_CHARACTERS",
    "MORE_COLUMNS",
    "NEITHER",
    "NOT_LIKE_THE_REST",
    "OVER_A_LIMIT",
    "PART_TOO_LARGE",
    "ROW_NEITHER",
    "ROW_NOT_LIKE_THE_REST",
    "SHEET_TOO_LARGE",
    "SHOWN",
    "STRINGS_PART_TOO_LARGE",
    "STRINGS_TOO_LONG",
    "STRING_TOO_LONG",
    "TOKEN_TOO_LONG",
    "TOO_DEEP",
    "TOO_MANY_CELLS",
    "TOO_MANY_COLUMNS",
    "TOO_MANY_PARTS",
    "TOO_MANY_ROWS",
    "TOO_MANY_STRINGS",
    "TOO_MANY_STYLES",
    "append_row",
    "one_sheet_workbook",
    "cell_text",
    "cell_value",
    "csv_rows",
    "decode_text",
    "read_rows",
    "unusable_cells",
    "xlsx_rows",
]


# --- either ----------------------------------------------------------------------------------


def read_rows(
    filename: str, content: bytes, *, sheet: str | None = None, keep_types: bool = False, limits: Limits | None = None
) -> Iterator[list[Any]]:
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
        raise Invalid(
            "file: old .xls workbooks are not read; save the sheet as .xlsx or .csv",
            errors=[{"row": 0, "column": "", "message": "unsupported file type"}],
        )
    yield from csv_rows(content, limits)
