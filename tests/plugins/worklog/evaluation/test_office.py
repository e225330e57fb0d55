"""The office's side of the quarterly evaluation (``plugins.worklog.evaluation.office``) on both
databases: it opens a quarter with an indicator template (frozen from then on); a leader grades
by labels and never sees a score; the office sees weighted scores, grades and a summary per unit,
locks and publishes; the person then sees their grade and is notified; every step is audited;
opening twice, a period that is not a quarter, another locality's template and other roles are
refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import AuditEntry, IndicatorTemplate, Notification
from core.models.indicators import TemplateStatus
from core.services.errors import Conflict, Forbidden, Invalid
from plugins.worklog import evaluation
from plugins.worklog.evaluation import GradesIn, QuarterIn
from tests.plugins.worklog.evaluation.setup import QUARTER, make_template


def test_a_leader_grades_by_labels_the_office_sees_scores_and_the_person_sees_the_published_grade(ctx, quarter):
    world, template_id, dims = quarter
    leader, office = world.actors["leader"], world.actors["office"]
    with ctx.db.read() as session:
        assert session.get(IndicatorTemplate, template_id).status == TemplateStatus.frozen
    sheet = evaluation.sheet(ctx, leader, "wa", QUARTER)
    assert sheet.labels == ["好", "较好", "一般", "较差"]
    assert [d.name for d in sheet.dimensions] == ["德", "能", "勤"] and sheet.dimensions[0].standard == "德的评价标准"
    assert [r.person_name for r in sheet.rows] == ["李明", "王芳"]  # the unit's people but the leader
    assert "score" not in sheet.model_dump_json() and "95" not in sheet.model_dump_json()  # no score anywhere

    row = evaluation.grade(
        ctx,
        leader,
        "wa",
        QUARTER,
        world.people["李明"],
        GradesIn(grades={dims["德"]: "好", dims["能"]: "一般", dims["勤"]: "较好"}),
    )
    assert row.grades == {dims["德"]: "好", dims["能"]: "一般", dims["勤"]: "较好"} and "score" not in row.model_dump()
    evaluation.grade(
        ctx, leader, "wa", QUARTER, world.people["王芳"], GradesIn(grades=dict.fromkeys(dims.values(), "较差"))
    )

    assert evaluation.summary(ctx, office, "wa", QUARTER).rows == []  # no unit chosen: the units only
    result = evaluation.summary(ctx, office, "wa", QUARTER, world.unit_a)
    by_name = {r.person_name: r for r in result.rows}
    assert by_name["李明"].score == round((2 * 95 + 70 + 85) / 4, 2) == 86.25  # weighted by the dimensions
    assert by_name["李明"].grade == "较好" and by_name["李明"].graded_by == "zhang"  # nearest label: 85
    assert by_name["王芳"].score == 50 and by_name["王芳"].grade == "较差"
    assert evaluation.summary(ctx, office, "wa", QUARTER, world.unit_b).rows[1].score is None  # 钱七: not graded
    unit_a = next(u for u in result.units if u.unit_id == world.unit_a)
    assert (unit_a.people, unit_a.graded, unit_a.mean_score, unit_a.grades) == (
        3,
        2,
        round((86.25 + 50) / 2, 2),
        {"较好": 1, "较差": 1},
    )
    assert result.scale[0] == {"label": "好", "score": 95}

    assert evaluation.my_results(ctx, world.actors["author"], "wa") == []  # not published yet
    with pytest.raises(Conflict):
        evaluation.publish_quarter(ctx, office, "wa", QUARTER)  # lock first
    evaluation.lock_quarter(ctx, office, "wa", QUARTER)
    with pytest.raises(Conflict):  # no grading once locked
        evaluation.grade(
            ctx, leader, "wa", QUARTER, world.people["李明"], GradesIn(grades=dict.fromkeys(dims.values(), "好"))
        )
    evaluation.publish_quarter(ctx, office, "wa", QUARTER)
    mine = evaluation.my_results(ctx, world.actors["author"], "wa")
    assert [(m.period, m.grade) for m in mine] == [(QUARTER, "较好")]
    assert mine[0].grades[dims["能"]] == "一般" and "score" not in mine[0].model_dump()
    with ctx.db.read() as session:
        notices = session.exec(select(Notification).where(Notification.kind == "worklog.evaluation")).all()
        actions = [
            a.action
            for a in session.exec(select(AuditEntry).where(AuditEntry.action.like("worklog.%")).order_by(AuditEntry.id))
        ]
    assert sorted((n.user_id, n.params["grade"]) for n in notices) == sorted(
        [(world.actors["author"].user_id, "较好"), (world.actors["colleague"].user_id, "较差")]
    )
    assert actions == [
        "worklog.quarter.open",
        "worklog.evaluation.grade",
        "worklog.evaluation.grade",
        "worklog.quarter.lock",
        "worklog.quarter.publish",
    ]


def test_opening_is_refused_twice_for_a_month_for_another_localitys_template_and_to_a_leader(ctx, quarter):
    world, template_id, _dims = quarter
    leader, office = world.actors["leader"], world.actors["office"]
    with pytest.raises(Conflict):
        evaluation.open_quarter(ctx, office, "wa", QuarterIn(period=QUARTER, template_id=template_id))
    with pytest.raises(Invalid) as not_quarter:
        evaluation.open_quarter(ctx, office, "wa", QuarterIn(period="2026-09", template_id=template_id))
    assert not_quarter.value.errors[0]["field"] == "period"
    foreign = make_template(ctx, "wb")
    with pytest.raises(Invalid) as other:
        evaluation.open_quarter(ctx, office, "wa", QuarterIn(period="2026-Q4", template_id=foreign))
    assert other.value.errors[0]["field"] == "template_id"
    with pytest.raises(Forbidden):
        evaluation.open_quarter(ctx, leader, "wa", QuarterIn(period="2026-Q4", template_id=template_id))
