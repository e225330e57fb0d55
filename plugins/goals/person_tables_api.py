"""一人一表 in the goals' API (``plugins.goals.person_tables``): a unit's indicators of a template
split to its people with responsibility shares, and a person's own table."""

from __future__ import annotations

from typing import Annotated

from litestar import get, put
from litestar.params import JSONBody, QueryParameter

from core.schemas.base import MAX_ID
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.goals import person_tables
from plugins.goals.api import GoalsApi
from plugins.goals.person_tables import IndicatorPeople, PersonIndicator, UnitSplitIn, UnitTable
from plugins.goals.schemas import AssignIn

TemplateQuery = Annotated[int, QueryParameter(ge=1, le=MAX_ID, description="The indicator template")]
UnitQuery = Annotated[int, QueryParameter(ge=1, le=MAX_ID, description="The unit whose indicators are split")]
PersonQuery = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="The person (none: the signed-in person)")
]


class PersonTablesController(GoalsApi):
    path = "/api/localities/{code:str}/goals/person-tables"

    @get("/unit", sync_to_thread=True, summary="A unit's indicators of a template with their people (机关一表 split)")
    def unit(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, unit_id: UnitQuery, template_id: TemplateQuery
    ) -> UnitTable:
        return person_tables.unit_table(ctx, actor, code, unit_id, template_id)

    @put(
        "/unit/{unit_id:int}/indicators/{indicator_id:int}",
        sync_to_thread=True,
        summary="Split a unit's indicator to its people (shares sum to 100 %)",
    )
    def split(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: ItemId,
        indicator_id: ItemId,
        data: JSONBody[AssignIn],
    ) -> IndicatorPeople:
        return person_tables.split_indicator(ctx, actor, code, unit_id, indicator_id, data)

    @put(
        "/unit/{unit_id:int}/templates/{template_id:int}",
        sync_to_thread=True,
        summary="Split several of a unit's indicators of a template at once (all or nothing)",
        description="Indicators not listed keep their people; a 422 lists every refused indicator "
        "(errors[].indicator_id) and nothing is written.",
    )
    def split_many(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        unit_id: ItemId,
        template_id: ItemId,
        data: JSONBody[UnitSplitIn],
    ) -> UnitTable:
        return person_tables.split_unit(ctx, actor, code, unit_id, template_id, data)

    @get("/person", sync_to_thread=True, summary="A person's indicators of a template with their shares (一人一表)")
    def person(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        template_id: TemplateQuery,
        person_id: PersonQuery = None,
    ) -> list[PersonIndicator]:
        return person_tables.person_table(ctx, actor, code, template_id, person_id)
