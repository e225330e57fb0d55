"""The quarterly evaluation (季度评价) on both databases: the office opens a quarter with an
indicator template (frozen from then on); a leader grades the people they supervise by labels
and never sees a score; the office sees weighted scores, grades and a summary per unit, locks
and publishes; the person then sees their grade and is notified; every step is audited; bad
input is refused with where and why, and nothing is half-written."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import AuditEntry, IndicatorTemplate, Notification
from core.models.indicators import TemplateStatus
from core.schemas.indicators import GradeIn, IndicatorIn, TemplateIn
from core.services import templates
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from plugins.worklog import evaluation
from plugins.worklog.evaluation import GradesIn, QuarterIn
from plugins.worklog.models import Evaluation
from tests.plugins.worklog.setup import SYSTEM, make_world

QUARTER = "2026-Q3"
SCALE = [
    GradeIn(label="好", score=95),
    GradeIn(label="较好", score=85),
    GradeIn(label="一般", score=70),
    GradeIn(label="较差", score=50),
]


def make_template(ctx, code="wa", *, weights=(2, 1, 1)) -> int:
    dims = [
        IndicatorIn(code=c, name=n, weight=w, standard=f"{n}的评价标准")
        for (c, n), w in zip([("de", "德"), ("neng", "能"), ("qin", "勤")], weights, strict=True)
    ]
    return templates.create(
        ctx, SYSTEM, code, TemplateIn(name="平时考核季度评价", grade_scale=SCALE, indicators=dims)
    ).id


@pytest.fixture
def quarter(ctx):
    world = make_world(ctx)
    template_id = make_template(ctx)
    evaluation.open_quarter(ctx, world.actors["office"], "wa", QuarterIn(period=QUARTER, template_id=template_id))
    dims = {d.name: d.id for d in evaluation.sheet(ctx, world.actors["leader"], "wa", QUARTER).dimensions}
    return world, template_id, dims


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


def test_grading_again_replaces_and_an_overall_indicator_gives_the_grade(ctx):
    world = make_world(ctx)
    dims = [
        IndicatorIn(code="de", name="德"),
        IndicatorIn(code="all", name="总体评价", weight=0, overall=True),
    ]
    template_id = templates.create(
        ctx, SYSTEM, "wa", TemplateIn(name="含总体评价", grade_scale=SCALE, indicators=dims)
    ).id
    evaluation.open_quarter(
        ctx, world.actors["office"], "wa", QuarterIn(period="2026年第3季度", template_id=template_id)
    )
    ids = {d.name: d.id for d in evaluation.sheet(ctx, world.actors["leader"], "wa", QUARTER).dimensions}
    person = world.people["李明"]
    evaluation.grade(
        ctx, world.actors["leader"], "wa", QUARTER, person, GradesIn(grades={ids["德"]: "一般", ids["总体评价"]: "好"})
    )
    evaluation.grade(
        ctx, world.actors["leader"], "wa", QUARTER, person, GradesIn(grades={ids["德"]: "较差", ids["总体评价"]: "好"})
    )
    row = next(
        r
        for r in evaluation.summary(ctx, world.actors["office"], "wa", QUARTER, world.unit_a).rows
        if r.person_id == person
    )
    assert (row.score, row.grade) == (50, "好")  # weight 0 is not scored; the overall indicator gives the grade
    with ctx.db.read() as session:
        assert len(session.exec(select(Evaluation)).all()) == 1


def test_who_may_grade_whom_and_bad_input(ctx, quarter):
    world, template_id, dims = quarter
    leader, office = world.actors["leader"], world.actors["office"]
    full = dict.fromkeys(dims.values(), "好")
    with pytest.raises(NotFound):  # a leader of another unit
        evaluation.grade(ctx, world.actors["leader_b"], "wa", QUARTER, world.people["李明"], GradesIn(grades=full))
    with pytest.raises(NotFound):  # themself
        evaluation.grade(ctx, leader, "wa", QUARTER, world.people["张局长"], GradesIn(grades=full))
    with pytest.raises(NotFound):  # a person of another locality
        evaluation.grade(ctx, leader, "wa", QUARTER, world.other_person, GradesIn(grades=full))
    with pytest.raises(NotFound):
        evaluation.sheet(ctx, leader, "wa", QUARTER, world.unit_b)
    with pytest.raises(NotFound):  # a quarter not opened
        evaluation.sheet(ctx, leader, "wa", "2026-Q2")
    with pytest.raises(Forbidden):
        evaluation.grade(ctx, world.actors["colleague"], "wa", QUARTER, world.people["李明"], GradesIn(grades=full))
    with pytest.raises(Forbidden):
        evaluation.summary(ctx, leader, "wa", QUARTER)  # scores are the office's
    with pytest.raises(NotFound):
        evaluation.summary(ctx, world.actors["other_office"], "wa", QUARTER)

    with pytest.raises(Invalid) as bad:
        evaluation.grade(
            ctx, leader, "wa", QUARTER, world.people["李明"], GradesIn(grades={dims["德"]: "优秀", dims["能"]: "好"})
        )
    assert {e["field"] for e in bad.value.errors} == {f"grades.{dims['德']}", f"grades.{dims['勤']}"}
    assert bad.value.message == "德: 优秀 is not one of the grades 好、较好、一般、较差"
    assert "勤: choose a grade" in [e["message"] for e in bad.value.errors]
    with pytest.raises(Invalid):
        evaluation.grade(ctx, leader, "wa", QUARTER, world.people["李明"], GradesIn(grades={**full, 999999: "好"}))
    with ctx.db.read() as session:
        assert session.exec(select(Evaluation)).all() == []  # nothing half-written

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
