"""The goals' JSON API under ``/api/localities/{code}/goals``, in the OpenAPI document.

The core's guard on plugin routes answers 401 without sign-in and 404 for a locality the caller
may not see or that has not enabled goals; the services check the rest (``plugins.goals.access``:
404 for what the caller may not read, 403 for what they may read but not change). Errors are
translated by ``Accept-Language`` with the goals' catalogue.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.params import JSONBody, QueryParameter

from core.i18n import LOCALES_DIR
from core.schemas.base import MAX_ID
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.goals import HERE, progress, service, shares
from plugins.goals.schemas import (
    AssignIn,
    AssignManyIn,
    CopyIn,
    GoalDetail,
    GoalIn,
    GoalOut,
    GoalPatch,
    GoalTree,
    IndicatorIn,
    IndicatorOut,
    MoveIn,
    ProgressIn,
    ProgressOut,
    PublishOut,
    ReorderIn,
    StatusView,
)

UnitQuery = Annotated[int, QueryParameter(ge=1, le=MAX_ID, description="The unit owning the goals")]
TeamQuery = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="A leadership team of the unit (none: the unit's goals)")
]
YearQuery = Annotated[int, QueryParameter(ge=1900, le=2199, description="The year of the goals")]
AsOfQuery = Annotated[date | None, QueryParameter(description="Roll progress up to this day (default: today)")]


class GoalsController(Controller):
    path = "/api/localities/{code:str}/goals"
    tags = ["goals"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get("/indicators", sync_to_thread=True, summary="The locality's indicator dictionary")
    def indicators(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode) -> list[IndicatorOut]:
        return service.list_indicators(ctx, actor, code)

    @post("/indicators", sync_to_thread=True, status_code=201, summary="Add to the indicator dictionary (office)")
    def add_indicator(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[IndicatorIn]
    ) -> IndicatorOut:
        return service.create_indicator(ctx, actor, code, data)

    @get("/tree", sync_to_thread=True, summary="A unit's or team's goals of a year, rolled up, with statuses")
    def tree(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitQuery,
        year: YearQuery,
        team_id: TeamQuery = None,
        as_of: AsOfQuery = None,
    ) -> GoalTree:
        return progress.goal_tree(ctx, actor, code, unit_id, team_id, year, as_of)

    @get("/status", sync_to_thread=True, summary="Every unit's goals of a year by status (office)")
    def status(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, year: YearQuery, as_of: AsOfQuery = None
    ) -> StatusView:
        return progress.status_view(ctx, actor, code, year, as_of)

    @post("/", sync_to_thread=True, status_code=201, summary="Add a draft goal (or sub-goal)")
    def create(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[GoalIn]) -> GoalOut:
        return service.create_goal(ctx, actor, code, data)

    @get("/{goal_id:int}", sync_to_thread=True, summary="A goal with its people, reports and versions")
    def read(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, as_of: AsOfQuery = None
    ) -> GoalDetail:
        return progress.goal_detail(ctx, actor, code, goal_id, as_of)

    @patch("/{goal_id:int}", sync_to_thread=True, summary="Change a goal (published: a new version)")
    def update(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, data: JSONBody[GoalPatch]
    ) -> GoalOut:
        return service.update_goal(ctx, actor, code, goal_id, data)

    @delete("/{goal_id:int}", sync_to_thread=True, status_code=204, summary="Delete a draft goal and its branch")
    def remove(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId) -> None:
        service.delete_goal(ctx, actor, code, goal_id)

    @post("/{goal_id:int}/move", sync_to_thread=True, status_code=200, summary="Move a goal with its branch")
    def move(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, data: JSONBody[MoveIn]
    ) -> GoalOut:
        return service.move_goal(ctx, actor, code, goal_id, data)

    @put(
        "/{goal_id:int}/people",
        sync_to_thread=True,
        status_code=200,
        summary="Decompose a goal to people with roles and shares summing to 100 %",
    )
    def assign(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, data: JSONBody[AssignIn]
    ) -> GoalOut:
        return shares.assign(ctx, actor, code, goal_id, data)

    @post(
        "/assign",
        sync_to_thread=True,
        status_code=200,
        summary="Give many goals the same people, roles and shares (all or nothing)",
    )
    def assign_many(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[AssignManyIn]
    ) -> list[GoalOut]:
        return shares.assign_many(ctx, actor, code, data)

    @put(
        "/{goal_id:int}/progress",
        sync_to_thread=True,
        status_code=200,
        summary="Report a goal's progress for a month or quarter",
    )
    def report(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, data: JSONBody[ProgressIn]
    ) -> ProgressOut:
        return progress.report(ctx, actor, code, goal_id, data)

    @post("/reorder", sync_to_thread=True, status_code=200, summary="Put the sub-goals of a parent in a new order")
    def reorder(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitQuery,
        year: YearQuery,
        data: JSONBody[ReorderIn],
        team_id: TeamQuery = None,
    ) -> list[GoalOut]:
        return service.reorder(ctx, actor, code, unit_id, team_id, year, data)

    @post("/copy", sync_to_thread=True, status_code=200, summary="Copy goals (or branches) to a later year")
    def copy(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[CopyIn]) -> list[GoalOut]:
        return service.copy_goals(ctx, actor, code, data)

    @post("/publish", sync_to_thread=True, status_code=200, summary="Publish a unit's or team's draft goals")
    def publish(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitQuery,
        year: YearQuery,
        team_id: TeamQuery = None,
    ) -> PublishOut:
        return service.publish(ctx, actor, code, unit_id, team_id, year)


def api_routes() -> list:
    return [GoalsController]
