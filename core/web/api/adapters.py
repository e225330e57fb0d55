"""Adapter types, a locality's adapter sources, their runs, tests, previews and uploads."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody

from core.schemas.adapters import (
    AdapterRunOut,
    AdapterSourceIn,
    AdapterSourceOut,
    AdapterSourcePatch,
    ConnectionTest,
    Preview,
)
from core.schemas.base import Page
from core.services import adapters
from core.services.errors import Invalid
from core.web.api.org import Limit, Offset
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode


class AdapterController(Controller):
    tags = ["adapters"]

    @get("/api/adapters", sync_to_thread=False, summary="Installed adapter types and their options schemas")
    def types(self, actor: CurrentActor) -> list[dict[str, Any]]:
        return adapters.installed_adapters()

    @get("/api/localities/{code:str}/adapter-sources", sync_to_thread=True, summary="The locality's adapter sources")
    def list_sources(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, limit: int = Limit, offset: int = Offset
    ) -> Page[AdapterSourceOut]:
        return adapters.list_sources(ctx, actor, code, limit, offset)

    @post(
        "/api/localities/{code:str}/adapter-sources",
        sync_to_thread=True,
        status_code=201,
        summary="Add an adapter source {name, adapter, options, mapping, schedule?, retry?, enabled}",
    )
    def create(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, data: JSONBody[AdapterSourceIn]
    ) -> AdapterSourceOut:
        return adapters.create_source(ctx, actor, code, data)

    @get("/api/adapter-sources/{source_id:int}", sync_to_thread=True, summary="An adapter source (secrets never shown)")
    def read(self, ctx: Ctx, actor: CurrentActor, source_id: ItemId) -> AdapterSourceOut:
        return adapters.get_source(ctx, actor, source_id)

    @patch(
        "/api/adapter-sources/{source_id:int}",
        sync_to_thread=True,
        summary="Change an adapter source; secret options left out are kept",
    )
    def update(
        self, ctx: Ctx, actor: CurrentActor, source_id: ItemId, data: JSONBody[AdapterSourcePatch]
    ) -> AdapterSourceOut:
        return adapters.update_source(ctx, actor, source_id, data)

    @delete(
        "/api/adapter-sources/{source_id:int}",
        sync_to_thread=True,
        status_code=204,
        summary="Delete an adapter source and its runs (values already written stay)",
    )
    def remove(self, ctx: Ctx, actor: CurrentActor, source_id: ItemId) -> None:
        adapters.delete_source(ctx, actor, source_id)

    @post(
        "/api/adapter-sources/{source_id:int}/test",
        sync_to_thread=True,
        status_code=200,
        summary="Reach the source once: {ok, message}",
    )
    def test(self, ctx: Ctx, actor: CurrentActor, source_id: ItemId) -> ConnectionTest:
        return adapters.test_source(ctx, actor, source_id)

    @post(
        "/api/adapter-sources/{source_id:int}/preview",
        sync_to_thread=True,
        status_code=200,
        summary="Read and map the first rows; nothing is written",
    )
    def preview(self, ctx: Ctx, actor: CurrentActor, source_id: ItemId) -> Preview:
        return adapters.preview_source(ctx, actor, source_id)

    @post(
        "/api/adapter-sources/{source_id:int}/run",
        sync_to_thread=True,
        status_code=200,
        summary="Run the source now and return the run (409 while it is already running)",
    )
    def run(self, ctx: Ctx, actor: CurrentActor, source_id: ItemId) -> AdapterRunOut:
        return adapters.run_now(ctx, actor, source_id)

    @get("/api/adapter-sources/{source_id:int}/runs", sync_to_thread=True, summary="The source's runs, newest first")
    def runs(
        self, ctx: Ctx, actor: CurrentActor, source_id: ItemId, limit: int = Limit, offset: int = Offset
    ) -> Page[AdapterRunOut]:
        return adapters.list_runs(ctx, actor, source_id, limit, offset)

    @post(
        "/api/adapter-sources/{source_id:int}/files",
        status_code=201,
        opt={"upload_field": "file"},
        summary="Upload a .csv or .xlsx file into a tabular_file source's folder; the next run reads it",
    )
    async def upload(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        source_id: ItemId,
        data: Annotated[
            dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART, description="one .xlsx or .csv file part")
        ],
    ) -> dict[str, Any]:
        from anyio.to_thread import run_sync

        parts = [part for value in data.values() for part in (value if isinstance(value, list) else [value])]
        files = [part for part in parts if isinstance(part, UploadFile)]
        if len(files) != 1:
            raise Invalid(
                f"file: send exactly one .xlsx or .csv file part (got {len(files)})",
                errors=[{"field": "file", "message": "one file expected"}],
            )
        content = await files[0].read()
        return await run_sync(adapters.upload_file, ctx, actor, source_id, files[0].filename or "", content)
