"""The results workbook: a ranking sheet, a turnout sheet and a per-indicator sheet, with
headers in the reader's language and scores rounded to the locality's decimals.

Sheets (names and headers in Chinese, or English):

* 测评结果 / Results: one row per subject, category after category in rank order: subject id,
  name, subject category, rank, score (rounded), proposed grade, final grade, adjustment
  reason, flags, ballots, each evaluator category's score and ballots, and last the unrounded
  score in a hidden column (shown again with "Unhide");
* 参评情况 / Turnout: per evaluator category and in total: issued, submitted, valid and invalid
  ballots, turnout in percent;
* 分项得分 / Indicators: one row per subject, one column per graded indicator: its mean score.

Text is written with ``core.tabular.append_row`` (kept exactly, never run as a formula).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from core.reports.data import ReportData, TurnoutRow
from core.reports.words import flags_text, translator
from core.services.result_details import round_score
from core.tabular import append_row


def _number_format(decimals: int) -> str:
    return "0." + "0" * decimals if decimals else "0"


def _format(sheet: Any, columns: list[int], number_format: str) -> None:
    """Give ``columns`` (1-based) of every data row ``number_format``."""
    for row in sheet.iter_rows(min_row=2):
        for column in columns:
            row[column - 1].number_format = number_format


def _results_sheet(sheet: Any, data: ReportData, tr) -> None:
    categories = [c["name"] for c in data.evaluator_categories]
    header = [
        tr.gettext("Subject ID"),
        tr.gettext("Subject"),
        tr.gettext("Subject category"),
        tr.gettext("Place"),
        tr.gettext("Score"),
        tr.gettext("Proposed grade"),
        tr.gettext("Final grade"),
        tr.gettext("Reason of the adjustment"),
        tr.gettext("Flags"),
        tr.gettext("Ballots"),
    ]
    for name in categories:
        header += [tr.gettext("{category} score", category=name), tr.gettext("{category} ballots", category=name)]
    header.append(tr.gettext("Score (unrounded)"))
    append_row(sheet, header)
    for row in data.rows():
        adjustment = row.get("adjustment") or {}
        values = [
            row["subject_id"],
            row["name"],
            row["category"],
            row["rank"],
            round_score(row["score"], data.decimals),
            row["proposed_grade"],
            row["grade"],
            adjustment.get("reason"),
            flags_text(tr, row["flags"]),
            row["ballots"],
        ]
        for name in categories:
            entry = row["by_category"].get(name) or {}
            values += [round_score(entry.get("score"), data.decimals), entry.get("ballots")]
        values.append(row["score"])
        append_row(sheet, values)
    scores = [5] + [11 + 2 * i for i in range(len(categories))]
    _format(sheet, scores, _number_format(data.decimals))
    hidden = get_column_letter(len(header))
    sheet.column_dimensions[hidden].hidden = True
    for column, width in ((2, 24), (3, 16), (8, 30), (9, 16)):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _turnout_sheet(sheet: Any, data: ReportData, tr) -> None:
    append_row(
        sheet,
        [
            tr.gettext("Evaluator category"),
            tr.gettext("Accounts issued"),
            tr.gettext("Submitted"),
            tr.gettext("Valid ballots"),
            tr.gettext("Invalid ballots"),
            tr.gettext("Turnout (%)"),
        ],
    )

    def line(row: TurnoutRow) -> list[Any]:
        return [
            row.category if row.category is not None else tr.gettext("Total"),
            row.issued,
            row.submitted,
            row.valid,
            row.invalid,
            row.percent,
        ]

    for row in [*data.turnout, data.total]:
        append_row(sheet, line(row))
    _format(sheet, [6], "0.0")
    sheet.column_dimensions["A"].width = 18


def _indicator_sheet(sheet: Any, data: ReportData, tr) -> None:
    names = [i["name"] for i in data.indicators]
    header = [tr.gettext("Subject ID"), tr.gettext("Subject"), tr.gettext("Subject category")]
    header += [f"{i['name']} ({i['code']})" if names.count(i["name"]) > 1 else i["name"] for i in data.indicators]
    append_row(sheet, header)
    for row in data.rows():
        scores = {i["code"]: i["score"] for i in data.subjects[row["subject_id"]]["indicators"]}
        append_row(
            sheet,
            [row["subject_id"], row["name"], row["category"]]
            + [round_score(scores.get(i["code"]), data.decimals) for i in data.indicators],
        )
    _format(sheet, list(range(4, len(header) + 1)), _number_format(data.decimals))
    sheet.column_dimensions["B"].width = 24


def results_workbook(data: ReportData, locale: str = "zh_CN") -> bytes:
    """The .xlsx file of ``data`` in ``locale`` (``zh_CN`` or ``en``), as bytes."""
    tr = translator(locale)
    book = Workbook()
    results = book.active
    results.title = tr.gettext("Results")
    _results_sheet(results, data, tr)
    _turnout_sheet(book.create_sheet(tr.gettext("Turnout")), data, tr)
    _indicator_sheet(book.create_sheet(tr.gettext("Indicators")), data, tr)
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
