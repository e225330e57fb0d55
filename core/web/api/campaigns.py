"""Indicator templates and ballot campaigns (admin side)."""

from __future__ import annotations

from litestar import Controller, get, patch, post, put
from litestar.params import JSONBody

from core.schemas.base import Page
from core.schemas.campaigns import CampaignIn, CampaignOut, CampaignPatch
from core.schemas.indicators import TemplateIn, TemplateOut, TemplateSummary
from core.services import campaigns, templates
from core.web.api.org import Limit, Offset
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode


class LocalityTemplateController(Controller):
    path = "/api/localities/{code:str}/templates"
    tags = ["templates"]

    @post("/", sync_to_thread=True, summary="Create an indicator template")
    def create(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[TemplateIn]) -> TemplateOut:
        return templates.create(ctx, actor, code, data)

    @get("/", sync_to_thread=True)
    def list(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, limit: int = Limit, offset: int = Offset
    ) -> Page[TemplateSummary]:
        return templates.list_templates(ctx, actor, code, limit=limit, offset=offset)


class TemplateController(Controller):
    path = "/api/templates"
    tags = ["templates"]

    @get("/{item_id:int}", sync_to_thread=True)
    def get(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> TemplateOut:
        return templates.get(ctx, actor, item_id)

    @put("/{item_id:int}", sync_to_thread=True, summary="Replace a draft template (409 when frozen)")
    def replace(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId, data: JSONBody[TemplateIn]) -> TemplateOut:
        return templates.replace(ctx, actor, item_id, data)

    @post("/{item_id:int}/copy", sync_to_thread=True, summary="Copy to a new draft version")
    def copy(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> TemplateOut:
        return templates.copy(ctx, actor, item_id)


class LocalityCampaignController(Controller):
    path = "/api/localities/{code:str}/campaigns"
    tags = ["campaigns"]

    @post("/", sync_to_thread=True, summary="Create a campaign (draft)")
    def create(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[CampaignIn]) -> CampaignOut:
        return campaigns.create(ctx, actor, code, data)

    @get("/", sync_to_thread=True)
    def list(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, limit: int = Limit, offset: int = Offset
    ) -> Page[CampaignOut]:
        return campaigns.list_campaigns(ctx, actor, code, limit=limit, offset=offset)


class CampaignController(Controller):
    path = "/api/campaigns"
    tags = ["campaigns"]

    @get("/{item_id:int}", sync_to_thread=True)
    def get(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> CampaignOut:
        return campaigns.get(ctx, actor, item_id)

    @patch("/{item_id:int}", sync_to_thread=True)
    def update(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId, data: JSONBody[CampaignPatch]) -> CampaignOut:
        return campaigns.update_campaign(ctx, actor, item_id, data)

    @post("/{item_id:int}/open", sync_to_thread=True, status_code=200, summary="Open (after a completeness check)")
    def open(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> CampaignOut:
        return campaigns.open_campaign(ctx, actor, item_id)

    @post("/{item_id:int}/close", sync_to_thread=True, status_code=200)
    def close(self, ctx: Ctx, actor: CurrentActor, item_id: ItemId) -> CampaignOut:
        return campaigns.close_campaign(ctx, actor, item_id)
