"""Reading the rows of an .xlsx sheet with the values Excel saved, within ``Limits``; cells
without a usable value (formulas never calculated, error values) refused by name. See
``core.tabular``."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any

from core.periods import excel_cell_value
from core.services.errors import Invalid, TooLarge
from core.tabular.limits import (
    CELL_ERROR,
    CELL_FORMULA,
    CELL_TOO_LONG,
    ERROR_VALUES,
    FORMULAS,
    LIMITS,
    MAX_NAMED,
    MORE_CHARACTERS,
    MORE_COLUMNS,
    OVER_A_LIMIT,
    SHEET_TOO_LARGE,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROWS,
    Limits,
    _listed,
    cell_text,
    cell_value,
)
from core.tabular.workbook import (
    _DIGITS,
    _Broken,
    _cast_number,
    _damaged_row,
    _damaged_workbook,
    _Part,
    _Stop,
    _Workbook,
)


class _SheetReader:
    """The rows of one worksheet, streamed; or, with ``scan``, only its unusable cells."""

    def __init__(
        self,
        book: _Workbook | None,
        archive: zipfile.ZipFile,
        path: str,
        title: str,
        *,
        keep_types: bool = False,
        scan: bool = False,
        limits: Limits | None = None,
    ):
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

    def _too_many(
        self, message: str, limit: int, row: int = 0, column: str = "", short: str = OVER_A_LIMIT, **params: Any
    ) -> TooLarge:
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
                raise self._too_many(
                    TOO_MANY_COLUMNS,
                    self.limits.columns,
                    self.row_number,
                    _column_letter(column),
                    MORE_COLUMNS,
                    cell=cell,
                )
            self.column = column
            self.cell = {"t": attributes.get("t", "n"), "s": attributes.get("s"), "f": False, "v": None, "inline": None}
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
                raise self._too_many(
                    CELL_TOO_LONG,
                    self.limits.cell_chars,
                    self.row_number,
                    _column_letter(self.column),
                    MORE_CHARACTERS,
                    cell=cell,
                )
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
                        value = from_excel(
                            number, CALENDAR_MAC_1904 if self.book.date1904 else WINDOWS_EPOCH, timedelta=is_duration
                        )
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


def xlsx_rows(
    content: bytes, *, sheet: str | None = None, keep_types: bool = False, limits: Limits | None = None
) -> Iterator[list[Any]]:
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
            raise Invalid(
                f"file: the workbook has no sheet named {sheet!r} (sheets: {names})",
                errors=[{"row": 0, "column": "", "message": "no such sheet"}],
            )
        title, path = sheet, found
    elif book.worksheets:
        title, path = book.worksheets[0]
    else:
        raise _damaged_workbook()
    yield from _SheetReader(book, book.archive, path, title, keep_types=keep_types).rows()
