"""The goals' JSON API under ``/api/localities/{code}/goals``, in the OpenAPI document.

The core's guard on plugin routes answers 401 without sign-in and 404 for a locality the caller
may not see or that has not enabled goals; the services check the rest (``plugins.goals.access``:
404 for what the caller may not read, 403 for what they may read but not change). Errors are
translated by ``Accept-Language`` with the goals' catalogue.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody, QueryParameter

from core.i18n import LOCALES_DIR
from core.schemas.base import MAX_ID
from core.services.errors import Invalid
from core.web.downloads import attachment
from core.web.errors import api_translator
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.goals import HERE, copying, history, indicators, progress, scoring, search, service, shares, sheets
from plugins.goals.models import GoalKind, GoalStatus
from plugins.goals.schemas import (
    AssignIn,
    AssignManyIn,
    CopyIn,
    GoalDetail,
    GoalIn,
    GoalOut,
    GoalPatch,
    GoalTree,
    HistoryOut,
    ImportOut,
    IndicatorIn,
    IndicatorOut,
    MoveIn,
    ProgressIn,
    ProgressOut,
    PublishOut,
    ReorderIn,
    ScoreIn,
    ScoreOut,
    ScoreSheet,
    StatusView,
)

UnitQuery = Annotated[int, QueryParameter(ge=1, le=MAX_ID, description="The unit owning the goals")]
TeamQuery = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="A leadership team of the unit (none: the unit's goals)")
]
YearQuery = Annotated[int, QueryParameter(ge=1900, le=2199, description="The year of the goals")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YearsQuery = Annotated[
    list[int] | None,
    QueryParameter(description="The years to give (repeat the parameter; none: every year with reports)"),
]
AsOfQuery = Annotated[date | None, QueryParameter(description="Roll progress up to this day (default: today)")]
PeriodQuery = Annotated[str | None, QueryParameter(max_length=50, description="Default: the year")]


class GoalsApi(Controller):
    """What every controller of the goals' API shares: its tag in the OpenAPI document and the
    goals' catalogue (then the core's) for its errors. Each sets its ``path``."""

    tags = ["goals"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}


class GoalsController(GoalsApi):
    path = "/api/localities/{code:str}/goals"

    @get("/indicators", sync_to_thread=True, summary="The locality's indicator dictionary")
    def indicators(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode) -> list[IndicatorOut]:
        return indicators.list_indicators(ctx, actor, code)

    @post("/indicators", sync_to_thread=True, status_code=201, summary="Add to the indicator dictionary (office)")
    def add_indicator(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[IndicatorIn]
    ) -> IndicatorOut:
        return indicators.create_indicator(ctx, actor, code, data)

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

    @get("/mine", sync_to_thread=True, summary="The goals of a year given to me (my own account's person)")
    def mine(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, year: YearQuery, as_of: AsOfQuery = None
    ) -> list[GoalOut]:
        return progress.my_goals(ctx, actor, code, year, as_of)

    @get("/status", sync_to_thread=True, summary="Every unit's goals of a year by status (office)")
    def status(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, year: YearQuery, as_of: AsOfQuery = None
    ) -> StatusView:
        return progress.status_view(ctx, actor, code, year, as_of)

    @get("/search", sync_to_thread=True, summary="Find a year's goals by unit, supervising unit, type and status")
    def search(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        year: YearQuery,
        unit_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="The unit owning the goals")] = None,
        supervising_unit_id: Annotated[
            int | None, QueryParameter(ge=1, le=MAX_ID, description="The unit supervising the goals")
        ] = None,
        kind: Annotated[GoalKind | None, QueryParameter(description="quantitative or qualitative")] = None,
        status: Annotated[
            GoalStatus | None, QueryParameter(description="on_track, behind, overdue or done (as of as_of)")
        ] = None,
        as_of: AsOfQuery = None,
    ) -> search.SearchOut:
        """The goals the caller may read (every goal of those sets) or follow (published goals),
        with their roll-up as of ``as_of``; ``counts`` by status of the goals found, ``rows`` the
        first 500. Nobody learns of goals they may not read."""
        return search.search(
            ctx,
            actor,
            code,
            year,
            unit_id=unit_id,
            supervising_unit_id=supervising_unit_id,
            kind=kind,
            status=status,
            as_of=as_of,
        )

    @post("/", sync_to_thread=True, status_code=201, summary="Add a draft goal (or sub-goal)")
    def create(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[GoalIn]) -> GoalOut:
        return service.create_goal(ctx, actor, code, data)

    @get("/{goal_id:int}", sync_to_thread=True, summary="A goal with its people, reports and versions")
    def read(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, as_of: AsOfQuery = None
    ) -> GoalDetail:
        return progress.goal_detail(ctx, actor, code, goal_id, as_of)

    @get(
        "/{goal_id:int}/history",
        sync_to_thread=True,
        summary="A goal's plan against its actual progress by period, a series a year (with its copies in other years)",
    )
    def history(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, years: YearsQuery = None
    ) -> HistoryOut:
        found = history.across_years(ctx, actor, code, goal_id, years)
        return HistoryOut.model_validate(found, from_attributes=True)

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
        return copying.copy_goals(ctx, actor, code, data)

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

    @get(
        "/workbook",
        sync_to_thread=True,
        summary="A unit's or team's goals of a year as .xlsx, with an empty progress sheet to fill",
        opt={"produces": (XLSX,)},
    )
    def workbook(
        self,
        request: Request,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitQuery,
        year: YearQuery,
        team_id: TeamQuery = None,
    ) -> Response:
        content = sheets.export_workbook(ctx, actor, code, unit_id, team_id, year)
        name = attachment(api_translator(request), "goals-{unit}-{year}", ".xlsx", unit=unit_id, year=year)
        return Response(content, media_type=XLSX, headers={"Content-Disposition": name})

    @post(
        "/progress-sheet",
        status_code=200,
        summary="Import the progress sheet of the goals' workbook (.xlsx or .csv; all rows or none)",
        opt={"upload_field": "data"},
    )
    async def import_progress(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitQuery,
        year: YearQuery,
        data: Annotated[
            dict[str, Any],
            Body(media_type=RequestEncodingType.MULTI_PART, description="one .xlsx or .csv file part"),
        ],
        team_id: TeamQuery = None,
    ) -> ImportOut:
        from anyio.to_thread import run_sync

        parts = [part for value in data.values() for part in (value if isinstance(value, list) else [value])]
        files = [part for part in parts if isinstance(part, UploadFile)]
        if len(files) != 1:
            raise Invalid(
                "file: send exactly one .xlsx or .csv file as a multipart/form-data file part",
                errors=[{"field": "data", "message": "one file expected"}],
            )
        content = await files[0].read()
        reports = await run_sync(
            sheets.import_progress, ctx, actor, code, unit_id, team_id, year, files[0].filename or "", content
        )
        return ImportOut(reports=reports)

    @put(
        "/{goal_id:int}/score",
        sync_to_thread=True,
        status_code=200,
        summary="Score a top-level goal for a period (the office; direct, or the standard less a deduction)",
    )
    def score(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, goal_id: ItemId, data: JSONBody[ScoreIn]
    ) -> ScoreOut:
        return scoring.score_goal(ctx, actor, code, goal_id, data)

    @get("/scores", sync_to_thread=True, summary="A unit's or team's goal scores of a period, with results per person")
    def scores(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitQuery,
        year: YearQuery,
        team_id: TeamQuery = None,
        period: PeriodQuery = None,
    ) -> ScoreSheet:
        return scoring.score_sheet(ctx, actor, code, unit_id, team_id, year, period)


def api_routes() -> list:
    from plugins.goals.discussion_api import CommentsOverviewController, GoalDiscussionController
    from plugins.goals.person_tables_api import PersonTablesController
    from plugins.goals.results_api import ResultsController

    return [
        GoalsController,
        GoalDiscussionController,
        CommentsOverviewController,
        PersonTablesController,
        ResultsController,
    ]
