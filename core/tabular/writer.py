"""Writing spreadsheets: text kept as text in openpyxl worksheets. See ``core.tabular``."""

from __future__ import annotations

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
