"""A result file ready to send: the bytes, their media type and a file name, for the console's
downloads and the API.

``export(ctx, actor, campaign_id, kind, locale)``, ``kind`` one of ``KINDS``: ``"xlsx"`` (the
results workbook), ``"pdf"`` or ``"docx"`` (the report). Errors as ``data.report_data``: 404 a
campaign (or ``locality_code``) the actor may not read, 403 a role that may not read results,
409 a campaign not tallied yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.context import Actor, AppContext
from core.reports.data import ReportData, report_data

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KINDS = ("xlsx", "pdf", "docx")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


@dataclass(frozen=True)
class ResultFile:
    """``content``: the file; ``media_type``; ``filename``: ASCII ("campaign-7-report.pdf");
    ``title``: the name an office sees ("2026年度民主测评 结果报告.pdf"); the console sends both
    (``core.web.downloads.content_disposition``)."""

    content: bytes
    media_type: str
    filename: str
    title: str


def _render(kind: str) -> Callable[..., bytes]:
    if kind == "xlsx":
        from core.reports.xlsx import results_workbook

        return lambda data, locale, _font: results_workbook(data, locale)
    if kind == "pdf":
        from core.reports.pdf import report_pdf

        return report_pdf
    from core.reports.word import report_docx

    return report_docx


def render(data: ReportData, kind: str, locale: str, font_path=None) -> ResultFile:
    """``data`` as a file of ``kind`` in ``locale``; ``font_path``: ``KAOPING_PDF_FONT`` if set."""
    from core.reports.words import translator

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    content = _render(kind)(data, locale, font_path)
    tr = translator(locale)
    what = tr.gettext("results") if kind == "xlsx" else tr.gettext("results report")
    name = _UNSAFE.sub("_", data.campaign.get("name") or "").strip() or str(data.campaign["id"])
    basename = "results" if kind == "xlsx" else "report"
    media = {"xlsx": XLSX, "pdf": PDF, "docx": DOCX}[kind]
    return ResultFile(content, media, f"campaign-{data.campaign['id']}-{basename}.{kind}", f"{name} {what}.{kind}")


def export(
    ctx: AppContext, actor: Actor, campaign_id: int, kind: str, locale: str, *, locality_code: str | None = None
) -> ResultFile:
    """The ``kind`` file of a tallied campaign in ``locale`` (``zh_CN`` or ``en``)."""
    data = report_data(ctx, actor, campaign_id, locality_code=locality_code)
    return render(data, kind, locale, ctx.settings.pdf_font)
