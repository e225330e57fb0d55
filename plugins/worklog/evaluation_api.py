"""The quarterly evaluation's API under ``/api/localities/{code}/worklog/quarters`` and
``.../worklog/me/quarters`` (see ``plugins.worklog.evaluation`` for the rules and errors).

A leader's sheet and grades carry labels only; scores are in the office's summary alone."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from core.i18n import LOCALES_DIR
from core.schemas.base import MAX_ID
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.worklog import HERE, evaluation, graders
from plugins.worklog.evaluation import GradesIn, MyResult, QuarterIn, QuarterOut, Sheet, SheetRow, Summary
from plugins.worklog.graders import Assigned, AssignIn, GraderList

QuarterText = Annotated[
    str, PathParameter(min_length=1, max_length=50, description="A quarter: 2026-Q4 (or 2026年第4季度)")
]
UnitQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="A unit of the locality")]
RequiredUnit = Annotated[int, QueryParameter(ge=1, le=MAX_ID, description="A unit of the locality")]


class EvaluationController(Controller):
    path = "/api/localities/{code:str}/worklog"
    tags = ["worklog"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get("/quarters", sync_to_thread=True, summary="The quarters opened for evaluation, newest first (office, leaders)")
    def quarters(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode) -> list[QuarterOut]:
        return evaluation.list_quarters(ctx, actor, code)

    @post(
        "/quarters",
        sync_to_thread=True,
        status_code=201,
        summary="Open a quarter's evaluation with a template (office)",
    )
    def open(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[QuarterIn]) -> QuarterOut:
        return evaluation.open_quarter(ctx, actor, code, data)

    @post("/quarters/{period:str}/lock", sync_to_thread=True, status_code=200, summary="Close grading (office)")
    def lock(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, period: QuarterText) -> QuarterOut:
        return evaluation.lock_quarter(ctx, actor, code, period)

    @post(
        "/quarters/{period:str}/publish",
        sync_to_thread=True,
        status_code=200,
        summary="Show each person their grade and notify them (office; the quarter must be locked)",
    )
    def publish(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, period: QuarterText) -> QuarterOut:
        return evaluation.publish_quarter(ctx, actor, code, period)

    @get(
        "/quarters/{period:str}/summary",
        sync_to_thread=True,
        summary="Scores and grades of every person and a summary per unit (office)",
    )
    def summary(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, period: QuarterText, unit_id: UnitQuery = None
    ) -> Summary:
        return evaluation.summary(ctx, actor, code, period, unit_id)

    @get(
        "/quarters/{period:str}/sheet",
        sync_to_thread=True,
        summary="A leader's grading sheet for a unit they supervise: labels, dimensions, people (no scores)",
    )
    def sheet(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, period: QuarterText, unit_id: UnitQuery = None
    ) -> Sheet:
        return evaluation.sheet(ctx, actor, code, period, unit_id)

    @put(
        "/quarters/{period:str}/people/{person_id:int}",
        sync_to_thread=True,
        status_code=200,
        summary="Grade a person I supervise: a label per dimension (leader)",
    )
    def grade(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        period: QuarterText,
        person_id: ItemId,
        data: JSONBody[GradesIn],
    ) -> SheetRow:
        return evaluation.grade(ctx, actor, code, period, person_id, data)

    @get(
        "/quarters/{period:str}/graders",
        sync_to_thread=True,
        summary="Who grades each person of a unit: assigned to them, to their unit, or the supervising leaders (office)",
    )
    def grader_list(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, period: QuarterText, unit_id: RequiredUnit
    ) -> GraderList:
        return graders.list_graders(ctx, actor, code, period, unit_id)

    @put(
        "/quarters/{period:str}/graders",
        sync_to_thread=True,
        status_code=200,
        summary="Set who grades people or whole units (grader_id null: back to the supervising leaders) (office)",
    )
    def assign_graders(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, period: QuarterText, data: JSONBody[AssignIn]
    ) -> Assigned:
        return graders.assign(ctx, actor, code, period, data)

    @get("/me/quarters", sync_to_thread=True, summary="My published quarterly grades (labels only)")
    def mine(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode) -> list[MyResult]:
        return evaluation.my_results(ctx, actor, code)
