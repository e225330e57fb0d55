"""The leaders' side of the quarterly evaluation (``plugins.worklog.evaluation.grading``) on
both databases: grading again replaces the grades, an overall indicator gives the grade and a
dimension of weight 0 is not scored; a leader grades only the people they supervise (404
otherwise), every dimension with a label of the scale (422 with where and why), and nothing is
half-written."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.schemas.indicators import IndicatorIn, TemplateIn
from core.services import templates
from core.services.errors import Forbidden, Invalid, NotFound
from plugins.worklog import evaluation
from plugins.worklog.evaluation import GradesIn, QuarterIn
from plugins.worklog.models import Evaluation
from tests.plugins.worklog.evaluation.setup import QUARTER, SCALE
from tests.plugins.worklog.setup import SYSTEM, make_world


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
    world, _template_id, dims = quarter
    leader = world.actors["leader"]
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
