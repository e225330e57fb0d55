"""Writing spreadsheets: text kept as text in openpyxl worksheets. See ``core.tabular``."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

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


def one_sheet_workbook(title: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """An .xlsx of one sheet named ``title``: ``header``, then ``rows`` (lists of cell values;
    None is an empty cell), streamed row by row (openpyxl's write-only mode: 100,000 people in
    constant memory), text kept text as ``append_row`` keeps it: a string cell, never a formula
    or an error value, and Excel's quote prefix on text that starts like a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)

    def cells(values: list[Any]) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                if value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
