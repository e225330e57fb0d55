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
CampaignScope = QueryParameter(
    name="campaign_id",
    ge=1,
    le=values.MAX_ID,
    default=None,
    description="Only the values this campaign counts: its subjects, the templates of its evaluator categories "
    "and its period. An assessment group (考核小组) must name one of its assigned campaigns; until the campaign "
    "is tallied it may write these values and no others (404 another campaign, 409 once tallied).",
)
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
        "that of the campaigns using it). Every bad row is listed as `[index].field`. With `campaign_id`, "
        "every row must be of that campaign's subjects, templates and period.",
    )
    def put(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        data: JSONBody[list[Any]],
        campaign_id: int | None = CampaignScope,
    ) -> ValuesWritten:
        return values.put_values(ctx, actor, code, data, campaign_id)

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
        campaign_id: int | None = CampaignScope,
    ) -> Page[IndicatorValueOut]:
        return values.list_values(
            ctx,
            actor,
            code,
            template_id=template_id,
            period=period,
            subject_id=subject_id,
            limit=limit,
            offset=offset,
            campaign_id=campaign_id,
        )
