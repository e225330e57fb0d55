"""Indicator values of a locality: ``/api/localities/{code}/indicator-values``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, put
from litestar.params import JSONBody, QueryParameter

from core.schemas.base import Page
from core.schemas.values import IndicatorValueOut, ValuesWritten
from core.services import values
from core.web.api.org import Limit, Offset
from core.web.params import Ctx, CurrentActor, LocalityCode

TemplateFilter = QueryParameter(name="template_id", ge=1, le=values.MAX_ID, default=None)
SubjectFilter = QueryParameter(name="subject_id", ge=1, le=values.MAX_ID, default=None)
PeriodFilter = QueryParameter(
    name="period",
    default=None,
    max_length=100,
    description="A period in any accepted form (2026-11, 2026年11月, 2026年第四季度, ...); "
    "matched in its canonical form",
)


class IndicatorValueController(Controller):
    path = "/api/localities/{code:str}/indicator-values"
    tags = ["indicator values"]

    @put(
        "/",
        sync_to_thread=True,
        status_code=200,
        summary="Upsert values [{subject_id, indicator_code, template_id, period, value, source}] (all or nothing)",
        description="`period` in any accepted form (2026-11, 2026年11月, 2026年第四季度, 2026-W48, ...), stored "
        "canonically; it must be of the kind of period the template takes (its `period_kind`, else "
        "that of the campaigns using it). Every bad row is listed as `[index].field`.",
    )
    def put(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[list[Any]]) -> ValuesWritten:
        return values.put_values(ctx, actor, code, data)

    @get("/", sync_to_thread=True)
    def list(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        template_id: int | None = TemplateFilter,
        period: str | None = PeriodFilter,
        subject_id: int | None = SubjectFilter,
        limit: int = Limit,
        offset: int = Offset,
    ) -> Page[IndicatorValueOut]:
        return values.list_values(
            ctx, actor, code, template_id=template_id, period=period, subject_id=subject_id, limit=limit, offset=offset
        )
