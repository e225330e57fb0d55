"""The files an office takes away from a tallied campaign: the results workbook (.xlsx), the
report for the party committee (PDF) and the same report as a Word document (.docx).

``data.report_data`` gathers the numbers once (on ``core.services.result_details`` and
``core.services.turnout``); ``xlsx``, ``pdf`` and ``word`` only lay them out, in the reader's
language (``zh_CN`` or ``en``), with scores rounded to the locality's ``result_decimals``.
``charts`` draws the radar chart that the PDF embeds as vector graphics and the .docx as PNG.
"""

from core.reports.data import ReportData, report_data

__all__ = ["ReportData", "report_data"]
