"""The cadre cloud's JSON API under ``/api/localities/{code}/cadres/``, in the OpenAPI document.

The core's guard answers 401 without sign-in and 404 for a locality that has not enabled the
plugin; the service answers 404 to every role but the organisation department's (and the view
log to all but its head). Errors are translated by ``Accept-Language``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, get, post, put
from litestar.params import FromQuery, JSONBody, QueryParameter

from core.i18n import LOCALES_DIR
from core.schemas.base import MAX_ID
from core.services.errors import ServiceError
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.cadres import HERE, queries, search, service, teams
from plugins.cadres.schemas import (
    PeopleIn,
    PlacementIn,
    ProfileIn,
    ProfileOut,
    SavedQueryIn,
    SavedQueryOut,
    SearchIn,
    ViewLogPage,
)

Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_ID)]


class CadresController(Controller):
    path = "/api/localities/{code:str}/cadres"
    tags = ["cadres"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get("/people/{person_id:int}", sync_to_thread=True, summary="A cadre's profile with derived figures (logged)")
    def profile(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, person_id: ItemId, on: FromQuery[date | None] = None
    ) -> ProfileOut:
        return service.read_profile(ctx, actor, code, person_id, on)

    @put("/people/{person_id:int}", sync_to_thread=True, status_code=204, summary="Write a cadre's profile")
    def write(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, person_id: ItemId, data: JSONBody[ProfileIn]
    ) -> None:
        service.write_profile(ctx, actor, code, person_id, data)

    @post("/search", sync_to_thread=True, status_code=200, summary="Condition search with the matching evidence")
    def search(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[SearchIn]) -> dict[str, Any]:
        from plugins.cadres.pages import readable_search_error

        try:
            return search.run_search(ctx, actor, code, data.query, limit=data.limit, offset=data.offset, today=data.on)
        except ServiceError as exc:  # named by the condition's label, not its path
            raise readable_search_error(exc, data.query) from exc

    @get("/queries", sync_to_thread=True, summary="Saved searches")
    def saved(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode) -> list[SavedQueryOut]:
        return queries.list_queries(ctx, actor, code)

    @post(
        "/queries",
        sync_to_thread=True,
        status_code=201,
        summary="Save a search under a name (replaces one of that name)",
    )
    def save(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[SavedQueryIn]) -> SavedQueryOut:
        return queries.save_query(ctx, actor, code, data)

    @post(
        "/teams/{team_id:int}/check",
        sync_to_thread=True,
        status_code=200,
        summary="Place candidates into a team: their relations with evidence, the structure before and after",
    )
    def check_team(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, team_id: ItemId, data: JSONBody[PlacementIn]
    ) -> dict[str, Any]:
        return teams.check_team(ctx, actor, code, team_id, data.add, data.remove, on=data.on)

    @post("/relations", sync_to_thread=True, status_code=200, summary="Every relation among a set of people")
    def relations(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[PeopleIn]) -> list[dict]:
        return teams.check_people(ctx, actor, code, data.person_ids, on=data.on)

    @get("/teams/scan", sync_to_thread=True, summary="Relations among the members of every team (teams with any)")
    def scan(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode) -> list[dict[str, Any]]:
        return teams.scan_teams(ctx, actor, code)

    @get("/view-log", sync_to_thread=True, summary="Who looked at which cadres, newest first (the head only)")
    def view_log(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, limit: Limit = 100, offset: Offset = 0
    ) -> ViewLogPage:
        return service.view_log(ctx, actor, code, limit=limit, offset=offset)


def api_routes() -> list:
    from plugins.cadres.file_api import file_api_routes
    from plugins.cadres.import_api import import_api_routes
    from plugins.cadres.warning_pages import warning_api_routes

    return [CadresController, *file_api_routes(), *import_api_routes(), *warning_api_routes()]
