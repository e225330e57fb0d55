"""The quarterly evaluation (季度评价): leaders grade the people they supervise every quarter by
choosing qualitative descriptions; the scores behind them stay hidden.

**The template.** The office opens a quarter (``2026-Q4``) with one of the locality's indicator
templates: its graded leaves are the dimensions (e.g. 德 能 勤 绩 廉), its grade scale the
descriptions with their hidden scores (``[{"label": "好", "score": 95}, ...]``, best first),
exactly as the ballots use them. Opening freezes the template (as opening a campaign does), so
the scores cannot change under grades already given.

**Grading.** A leader (``supervision.supervised_units``: their unit and the units they are in
charge of) picks, for each person of those units but themself, one label per dimension. They
see the labels and each dimension's standard, never a score. Every dimension must be graded;
the person's score is the mean of the labels' scores weighted by the dimensions' weights
(dimensions of weight 0 are shown and graded but not weighted), and their overall grade is the
label of the template's overall indicator if it has one, else the label whose score is nearest
the weighted score (the better on a tie). A grade can be changed until the office locks the
quarter; each grading is audited (labels only).

**The office** (``office``, ``platform_admin``) sees every score and grade, a summary per unit
(people, graded, mean score), locks the quarter (no more grading) and publishes it: then each
person sees their own grade (the label, not the score) and the leader who graded; they are
notified. Opening, locking and publishing are audited.

Errors: a period that is not a quarter, a template of another locality or without graded
dimensions, a grade not in the scale, a missing dimension: 422; a quarter opened twice, grading
a locked quarter, publishing one not locked: 409; a person the leader does not supervise, a
quarter not opened, another locality: 404; other roles: 403.

The package, by what it holds: ``rules`` (a quarter from its text, the template's dimensions,
the score of grades), ``office`` (opening, listing, locking, publishing), ``summary`` (the
office's figures), ``grading`` (the leader's sheet and grading) and ``results`` (the person's
own grades). Callers import everything from here.
"""

from __future__ import annotations

from plugins.worklog.evaluation.grading import grade, sheet
from plugins.worklog.evaluation.office import (
    PUBLISHED_MESSAGE,
    list_quarters,
    lock_quarter,
    open_quarter,
    publish_quarter,
)
from plugins.worklog.evaluation.results import my_results
from plugins.worklog.evaluation.rules import NO_PERSON, NO_QUARTER, find_quarter, parse_quarter, score_of
from plugins.worklog.evaluation.summary import summary
from plugins.worklog.evaluation_schemas import (  # the shapes, callers read them from here too
    Dimension,
    GradesIn,
    MyResult,
    QuarterIn,
    QuarterOut,
    ResultRow,
    Sheet,
    SheetRow,
    Summary,
    UnitSummary,
)

__all__ = [
    "NO_PERSON",
    "NO_QUARTER",
    "PUBLISHED_MESSAGE",
    "Dimension",
    "GradesIn",
    "MyResult",
    "QuarterIn",
    "QuarterOut",
    "ResultRow",
    "Sheet",
    "SheetRow",
    "Summary",
    "UnitSummary",
    "find_quarter",
    "grade",
    "list_quarters",
    "lock_quarter",
    "my_results",
    "open_quarter",
    "parse_quarter",
    "publish_quarter",
    "score_of",
    "sheet",
    "summary",
]
