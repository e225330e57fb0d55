"""The report's numbers are the results pages' numbers: per subject, what ``report_data`` gathers
for all subjects at once equals what ``result_subject.subject_details`` gives for one (SQLite and
PostgreSQL)."""

from __future__ import annotations

from core.context import Actor
from core.reports import report_data
from core.services import result_subject

SYSTEM = Actor.system("test")


def test_report_numbers_equal_the_results_pages(world, scenario):
    data = report_data(world.ctx, SYSTEM, scenario.campaign_id)
    assert list(data.subjects) == [r["subject_id"] for r in data.rows()]
    for subject_id, gathered in data.subjects.items():
        page = result_subject.subject_details(world.ctx, SYSTEM, scenario.campaign_id, subject_id)
        for key in ("group_size", "by_category", "indicators", "values", "distribution", "adjustments"):
            assert gathered[key] == page[key], (subject_id, key)
        assert gathered["subject"] == page["subject"]
    assert [(t.category, t.issued, t.submitted, t.valid, t.invalid) for t in data.turnout] == [
        ("县领导", 2, 2, 1, 1),
        ("基层代表", 1, 1, 1, 0),
    ]
    assert data.plugins["weighted_mean"] == ("加权平均", "Weighted mean")
