from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody, QueryParameter

from core.services import imports
from core.services.access import ADMIN_READ_ROLES, locality_for, require_role
from core.web.params import Ctx, CurrentActor, LocalityCode, PathStr

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportController(Controller):
    path = "/api/localities/{code:str}/imports"
    tags = ["imports"]

    @post("/{kind:str}", status_code=200, summary="Import units or people from an .xlsx or .csv file (all rows or none)")
    async def upload(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, kind: PathStr,
        data: MultipartBody[UploadFile],
    ) -> imports.ImportResult:
        from anyio.to_thread import run_sync

        content = await data.read()
        return await run_sync(imports.import_file, ctx, actor, code, kind, data.filename or "", content)

    @get("/{kind:str}", sync_to_thread=True, summary="Download the template sheet (xlsx, or csv with ?format=csv)")
    def template(
        self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, kind: PathStr,
        file_format: Annotated[str, QueryParameter(name="format", pattern="^(xlsx|csv)$")] = "xlsx",
    ) -> Response:
        require_role(actor, ADMIN_READ_ROLES, "download templates")
        with ctx.db.read() as session:
            locality_for(session, actor, code)
        if file_format == "csv":
            return Response(imports.template_csv(kind), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{kind}-template.csv"'})
        return Response(imports.template_workbook(kind), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{kind}-template.xlsx"'})
