"""What the quarterly evaluation's tests share: a quarter, a grade scale, a template of three
weighted dimensions (德 能 勤) and a world with that quarter open."""

from __future__ import annotations

from core.schemas.indicators import GradeIn, IndicatorIn, TemplateIn
from core.services import templates
from plugins.worklog import evaluation
from plugins.worklog.evaluation import QuarterIn
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


def open_world(ctx):
    """(world, template id, {dimension name: id}) with ``QUARTER`` open in ``wa``."""
    world = make_world(ctx)
    template_id = make_template(ctx)
    evaluation.open_quarter(ctx, world.actors["office"], "wa", QuarterIn(period=QUARTER, template_id=template_id))
    dims = {d.name: d.id for d in evaluation.sheet(ctx, world.actors["leader"], "wa", QUARTER).dimensions}
    return world, template_id, dims
