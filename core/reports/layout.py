"""The report's content, independent of its format: the cover, then sections of blocks (headings,
text, lists, tables, radar charts) in the reader's language. ``pdf`` and ``word`` lay the same
``Content`` out, so the two reports say the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.i18n import Translator
from core.reports.data import ReportData
from core.reports.words import flags_text, rules_in_words


@dataclass
class Section:
    """``blocks``: dicts with ``kind`` heading/text/note (``text``), list (``lines``), table
    (``header``, ``rows``, optional ``widths`` as shares of the page width, ``total_row``) or
    radar (``indicators`` as ``charts.radar`` takes them, ``caption``, ``too_few``)."""

    heading: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    page_break: bool = True


@dataclass
class Content:
    title: str
    cover_lines: list[str]
    no_font_note: str
    no_chart_note: str
    page_text: str  # "第 {page} 页 共 {pages} 页"
    sections: list[Section]


def _when(tr: Translator, value: str | datetime | None) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return tr.datetime(value) if value else ""


def _cover(data: ReportData, tr: Translator) -> list[str]:
    campaign = data.campaign
    status = (
        tr.gettext("published") if campaign.get("status") == "published" else tr.gettext("tallied, not yet published")
    )
    lines = [tr.gettext("Locality: {name}", name=campaign.get("locality_name") or "")]
    if campaign.get("period"):
        lines.append(tr.gettext("Period: {period}", period=campaign["period"]))
    lines += [
        tr.gettext("Results: {status}", status=status),
        tr.gettext("Tallied: {when}", when=_when(tr, campaign.get("tallied_at"))),
        tr.gettext("Report made: {when}", when=_when(tr, data.generated_at)),
    ]
    return lines


def _turnout(data: ReportData, tr: Translator) -> Section:
    rows = [[t.category, t.issued, t.submitted, t.valid, t.invalid, f"{t.percent:.1f}"] for t in data.turnout]
    total = data.total
    rows.append(
        [tr.gettext("Total"), total.issued, total.submitted, total.valid, total.invalid, f"{total.percent:.1f}"]
    )
    return Section(
        tr.gettext("Turnout"),
        [
            {
                "kind": "table",
                "header": [
                    tr.gettext("Evaluator category"),
                    tr.gettext("Accounts issued"),
                    tr.gettext("Submitted"),
                    tr.gettext("Valid ballots"),
                    tr.gettext("Invalid ballots"),
                    tr.gettext("Turnout (%)"),
                ],
                "rows": rows,
                "widths": [0.25, 0.15, 0.15, 0.15, 0.15, 0.15],
                "total_row": True,
            },
            {"kind": "note", "text": tr.gettext("Turnout = submitted / accounts issued and not revoked.")},
        ],
        page_break=False,
    )


def _rules(data: ReportData, tr: Translator) -> Section:
    blocks: list[dict[str, Any]] = []
    for heading, lines in rules_in_words(tr, data):
        blocks.append({"kind": "heading", "text": heading})
        if lines:
            blocks.append({"kind": "list", "lines": lines})
    return Section(tr.gettext("Scoring rule and distribution policies"), blocks)


def _ranking(data: ReportData, tr: Translator) -> Section:
    blocks: list[dict[str, Any]] = []
    header = [
        tr.gettext("Place"),
        tr.gettext("Subject"),
        tr.gettext("Score"),
        tr.gettext("Proposed grade"),
        tr.gettext("Final grade"),
        tr.gettext("Flags"),
        tr.gettext("Reason of the adjustment"),
    ]
    for group in data.groups:
        blocks.append(
            {
                "kind": "heading",
                "text": tr.gettext(
                    "{category} ({count} subjects)", category=group["category"], count=len(group["subjects"])
                ),
            }
        )
        rows = [
            [
                row["rank"] if row["rank"] is not None else "",
                row["name"],
                row["shown"],
                row["proposed_grade"] or "",
                row["grade"] or "",
                flags_text(tr, row["flags"]),
                (row.get("adjustment") or {}).get("reason") or "",
            ]
            for row in group["subjects"]
        ]
        blocks.append(
            {"kind": "table", "header": header, "rows": rows, "widths": [0.08, 0.2, 0.11, 0.12, 0.12, 0.14, 0.23]}
        )
    blocks.append(
        {
            "kind": "note",
            "text": tr.gettext(
                "Scores are rounded half up to {decimals} decimal places; the results workbook (.xlsx) keeps the "
                "unrounded values.",
                decimals=data.decimals,
            ),
        }
    )
    return Section(tr.gettext("Ranking"), blocks)


def _subject(data: ReportData, tr: Translator, row: dict[str, Any]) -> Section:
    details = data.subjects[row["subject_id"]]
    summary = tr.gettext(
        "Subject category: {category}; rank {rank} of {size}; score {score}; proposed grade {proposed}; "
        "final grade {grade}.",
        category=row["category"],
        rank=row["rank"] if row["rank"] is not None else "-",
        size=details.get("group_size", ""),
        score=row["shown"] or "-",
        proposed=row["proposed_grade"] or "-",
        grade=row["grade"] or "-",
    )
    blocks: list[dict[str, Any]] = [{"kind": "text", "text": summary}]
    if row["flags"]:
        blocks.append({"kind": "text", "text": tr.gettext("Flags: {flags}", flags=flags_text(tr, row["flags"]))})
    blocks += [
        {"kind": "heading", "text": tr.gettext("Score per evaluator category")},
        {
            "kind": "table",
            "header": [
                tr.gettext("Evaluator category"),
                tr.gettext("Weight"),
                tr.gettext("Score"),
                tr.gettext("Ballots"),
            ],
            "rows": [[c["name"], f"{c['weight']:g}", c["shown"] or "-", c["ballots"]] for c in details["by_category"]],
            "widths": [0.4, 0.2, 0.2, 0.2],
        },
        {"kind": "heading", "text": tr.gettext("Score per indicator")},
        {
            "kind": "table",
            "header": [
                tr.gettext("Indicator"),
                tr.gettext("Part of"),
                tr.gettext("Mean score"),
                tr.gettext("Full score"),
                tr.gettext("Answers"),
            ],
            "rows": [
                [
                    i["name"],
                    i["parent"],
                    i["shown"] or "-",
                    f"{i['max']:g}" if i.get("max") is not None else "",
                    i["answers"],
                ]
                for i in details["indicators"]
            ],
            "widths": [0.3, 0.25, 0.15, 0.15, 0.15],
        },
        {
            "kind": "radar",
            "indicators": details["indicators"],
            "caption": tr.gettext(
                "Radar chart of the mean score per indicator (the table above), on a scale from 0 to the full score."
            ),
            "too_few": tr.gettext("No radar chart: it needs at least three scored indicators."),
        },
    ]
    if details.get("values"):
        blocks += [
            {"kind": "heading", "text": tr.gettext("Other indicators counted")},
            {
                "kind": "table",
                "header": [tr.gettext("Indicator"), tr.gettext("Value")],
                "rows": [[v["name"], v["shown"]] for v in details["values"]],
                "widths": [0.5, 0.5],
            },
        ]
    distribution = details.get("distribution") or {}
    if distribution.get("counts"):
        total = distribution.get("total") or 0
        blocks += [
            {
                "kind": "heading",
                "text": tr.gettext("Grades given")
                if distribution.get("basis") == "items"
                else tr.gettext("Grades given (overall evaluation)"),
            },
            {
                "kind": "table",
                "header": [tr.gettext("Grade"), tr.gettext("Count"), tr.gettext("Share (%)")],
                "rows": [
                    [c["grade"], c["count"], f"{c['count'] * 100 / total:.1f}" if total else "0.0"]
                    for c in distribution["counts"]
                ],
                "widths": [0.4, 0.3, 0.3],
            },
        ]
    for adjustment in details.get("adjustments") or []:
        blocks.append(
            {
                "kind": "text",
                "text": tr.gettext(
                    "Grade adjusted from {before} to {after} by {actor} on {when}. Reason: {reason}",
                    before=adjustment["from_grade"] or "-",
                    after=adjustment["grade"],
                    actor=adjustment["actor"],
                    when=_when(tr, adjustment["created_at"]),
                    reason=adjustment["reason"],
                ),
            }
        )
    return Section(row["name"], blocks)


def report_content(data: ReportData, tr: Translator) -> Content:
    """The report of ``data`` for the reader of ``tr``."""
    campaign = data.campaign
    sections = [_turnout(data, tr), _rules(data, tr), _ranking(data, tr)]
    sections += [_subject(data, tr, row) for row in data.rows()]
    if sections:
        sections[-1].page_break = False
    return Content(
        title=tr.gettext("{campaign}: results report", campaign=campaign.get("name") or ""),
        cover_lines=_cover(data, tr),
        no_font_note=tr.gettext(
            "This server has no Chinese font file: the PDF viewer supplies the Chinese "
            "characters (install fonts-wqy-microhei to embed one)."
        ),
        no_chart_note=tr.gettext(
            "The radar chart could not be drawn on this server (install kaoping[charts]); "
            "its numbers are in the table above."
        ),
        page_text=tr.gettext("Page {page} of {pages}"),
        sections=sections,
    )
