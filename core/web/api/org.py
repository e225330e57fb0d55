"""Units, teams, people and subjects of a locality: ``/api/localities/{code}/...``."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromQuery, JSONBody, QueryParameter

from core.schemas.base import Page
from core.schemas.org import (
    PersonIn,
    PersonOut,
    PersonPatch,
    SubjectIn,
    SubjectOut,
    SubjectPatch,
    TeamIn,
    TeamOut,
    TeamPatch,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from core.services import org
from core.services import subjects as subject_service
from core.services.paging import MAX_PAGE
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode

Limit = QueryParameter(name="limit", ge=1, le=MAX_PAGE, default=100)
Offset = QueryParameter(name="offset", ge=0, le=org.MAX_ID, default=0)
UnitFilter = QueryParameter(name="unit_id", ge=1, le=org.MAX_ID, default=None)


class UnitController(Controller):
    path = "/api/localities/{code:str}/units"
    tags = ["units"]

    @get("/", sync_to_thread=True)
    def list(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, limit: int = Limit, offset: int = Offset
    ) -> Page[UnitOut]:
        return org.list_units(ctx, actor, code, limit=limit, offset=offset)

    @post("/", sync_to_thread=True)
    def create(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[UnitIn]) -> UnitOut:
        return org.create_unit(ctx, actor, code, data)

    @get("/{item_id:int}", sync_to_thread=True)
    def get(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> UnitOut:
        return org.get_unit(ctx, actor, code, item_id)

    @patch("/{item_id:int}", sync_to_thread=True)
    def update(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId, data: JSONBody[UnitPatch]
    ) -> UnitOut:
        return org.update_unit(ctx, actor, code, item_id, data)

    @delete("/{item_id:int}", sync_to_thread=True)
    def delete(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> None:
        org.delete_unit(ctx, actor, code, item_id)


class TeamController(Controller):
    path = "/api/localities/{code:str}/teams"
    tags = ["teams"]

    @get("/", sync_to_thread=True)
    def list(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, limit: int = Limit, offset: int = Offset
    ) -> Page[TeamOut]:
        return org.list_teams(ctx, actor, code, limit=limit, offset=offset)

    @post("/", sync_to_thread=True)
    def create(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[TeamIn]) -> TeamOut:
        return org.create_team(ctx, actor, code, data)

    @get("/{item_id:int}", sync_to_thread=True)
    def get(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> TeamOut:
        return org.get_team(ctx, actor, code, item_id)

    @patch("/{item_id:int}", sync_to_thread=True)
    def update(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId, data: JSONBody[TeamPatch]
    ) -> TeamOut:
        return org.update_team(ctx, actor, code, item_id, data)

    @delete("/{item_id:int}", sync_to_thread=True)
    def delete(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> None:
        org.delete_team(ctx, actor, code, item_id)


class PersonController(Controller):
    path = "/api/localities/{code:str}/people"
    tags = ["people"]

    @get("/", sync_to_thread=True)
    def list(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: int | None = UnitFilter,
        limit: int = Limit,
        offset: int = Offset,
    ) -> Page[PersonOut]:
        return org.list_people(ctx, actor, code, unit_id=unit_id, limit=limit, offset=offset)

    @post("/", sync_to_thread=True)
    def create(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[PersonIn]) -> PersonOut:
        return org.create_person(ctx, actor, code, data)

    @get("/{item_id:int}", sync_to_thread=True)
    def get(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> PersonOut:
        return org.get_person(ctx, actor, code, item_id)

    @patch("/{item_id:int}", sync_to_thread=True)
    def update(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId, data: JSONBody[PersonPatch]
    ) -> PersonOut:
        return org.update_person(ctx, actor, code, item_id, data)

    @delete("/{item_id:int}", sync_to_thread=True)
    def delete(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> None:
        org.delete_person(ctx, actor, code, item_id)


class SubjectController(Controller):
    path = "/api/localities/{code:str}/subjects"
    tags = ["subjects"]

    @get("/", sync_to_thread=True)
    def list(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        category: FromQuery[str | None] = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> Page[SubjectOut]:
        return subject_service.list_subjects(ctx, actor, code, category=category, limit=limit, offset=offset)

    @post("/", sync_to_thread=True)
    def create(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[SubjectIn]) -> SubjectOut:
        return subject_service.create_subject(ctx, actor, code, data)

    @get("/{item_id:int}", sync_to_thread=True)
    def get(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> SubjectOut:
        return subject_service.get_subject(ctx, actor, code, item_id)

    @patch("/{item_id:int}", sync_to_thread=True)
    def update(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId, data: JSONBody[SubjectPatch]
    ) -> SubjectOut:
        return subject_service.update_subject(ctx, actor, code, item_id, data)

    @delete("/{item_id:int}", sync_to_thread=True)
    def delete(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, item_id: ItemId) -> None:
        subject_service.delete_subject(ctx, actor, code, item_id)


class AuditController(Controller):
    path = "/api/localities/{code:str}/audit"
    tags = ["audit"]

    @get("/", sync_to_thread=True, summary="The locality's audit log, newest first")
    def list(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, limit: int = Limit, offset: int = Offset
    ) -> Page[dict]:
        return org.audit_entries(ctx, actor, code, limit=limit, offset=offset)
