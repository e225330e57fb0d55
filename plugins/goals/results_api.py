"""The year-end results of goals under ``/api/localities/{code}/goals/results``: the office
finishes a set's scoring (its results stored per team or unit and per person) or reopens it; the
stored results of a period are read by the sets' readers (``plugins.goals.results``)."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.params import QueryParameter

from core.web.params import Ctx, CurrentActor, LocalityCode
from plugins.goals import results
from plugins.goals.api import GoalsApi, PeriodQuery, TeamQuery, UnitQuery, YearQuery
from plugins.goals.schemas import ScoreSheet, StoredResult


class ResultsController(GoalsApi):
    path = "/api/localities/{code:str}/goals/results"

    @get(
        "",
        sync_to_thread=True,
        summary="The stored year-end results of a period: each set's total and its people's results",
        description="Only sets whose goals the caller reads; with unit_id (and team_id) one set.",
    )
    def stored(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        period: Annotated[str, QueryParameter(min_length=1, max_length=50, description="A year (2026) or period")],
        unit_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        team_id: TeamQuery = None,
    ) -> list[StoredResult]:
        return results.stored(ctx, actor, code, period, unit_id, team_id)

    @post(
        "/finish",
        sync_to_thread=True,
        status_code=200,
        summary="The office finishes scoring a set for a period: its results are stored (audited)",
        description="422 when a top-level goal that counts for the assessment is not scored; finishing "
        "again replaces the results; the set's scores of the period are then kept (409) until reopened.",
    )
    def finish(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitQuery,
        year: YearQuery,
        team_id: TeamQuery = None,
        period: PeriodQuery = None,
    ) -> ScoreSheet:
        return results.finish(ctx, actor, code, unit_id, team_id, year, period)

    @post(
        "/reopen",
        sync_to_thread=True,
        status_code=204,
        summary="The office reopens a set's scoring: the stored results are removed (audited)",
    )
    def reopen(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: UnitQuery,
        year: YearQuery,
        team_id: TeamQuery = None,
        period: PeriodQuery = None,
    ) -> None:
        results.reopen(ctx, actor, code, unit_id, team_id, year, period)
