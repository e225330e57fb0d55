from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter

from core.services import imports
from core.services.access import ADMIN_READ_ROLES, locality_for, require_role
from core.services.errors import Invalid
from core.web.downloads import TEMPLATE_NAMES, attachment
from core.web.errors import api_translator
from core.web.params import Ctx, CurrentActor, LocalityCode

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Kind = Annotated[Literal["units", "people", "teams"], PathParameter(description="What the file holds")]


class ImportController(Controller):
    path = "/api/localities/{code:str}/imports"
    tags = ["imports"]

    @post(
        "/{kind:str}",
        status_code=200,
        summary="Import units, people or leadership teams from an .xlsx or .csv file (all rows or none)",
        description="A file over a limit of reading (rows, columns, cells, shared strings, inflated size, "
        "...) is refused with 413 naming the limit and the sheet.",
        opt={"upload_field": "data"},
    )
    async def upload(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        kind: Kind,
        data: Annotated[
            dict[str, Any],
            Body(
                media_type=RequestEncodingType.MULTI_PART,
                description="one .xlsx or .csv file part (any field name, e.g. data)",
            ),
        ],
    ) -> imports.ImportResult:
        from anyio.to_thread import run_sync

        # the form is taken whole: with MultipartBody[UploadFile] a form without a file part was a 500
        parts = [part for value in data.values() for part in (value if isinstance(value, list) else [value])]
        files = [part for part in parts if isinstance(part, UploadFile)]
        if len(files) != 1:
            raise Invalid(
                f"file: send exactly one .xlsx or .csv file as a multipart/form-data file part (got {len(files)})",
                errors=[{"field": "data", "message": "one file expected"}],
            )
        content = await files[0].read()
        return await run_sync(imports.import_file, ctx, actor, code, kind, files[0].filename or "", content)

    @get(
        "/{kind:str}",
        sync_to_thread=True,
        summary="Download the template sheet (xlsx, or csv with ?format=csv)",
        opt={"produces": (XLSX, "text/csv")},
    )
    def template(
        self,
        request: Request,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        kind: Kind,
        file_format: Annotated[str, QueryParameter(name="format", pattern="^(xlsx|csv)$")] = "xlsx",
    ) -> Response:
        require_role(actor, ADMIN_READ_ROLES, "download templates")
        with ctx.db.read() as session:
            locality_for(session, actor, code)
        tr = api_translator(request)  # Accept-Language, English by default
        if file_format == "csv":
            # Litestar adds "; charset=utf-8" to a text/* media type itself
            return Response(
                imports.template_csv(kind),
                media_type="text/csv",
                headers={"Content-Disposition": attachment(tr, TEMPLATE_NAMES[kind], ".csv")},
            )
        return Response(
            imports.template_workbook(kind),
            media_type=XLSX,
            headers={"Content-Disposition": attachment(tr, TEMPLATE_NAMES[kind], ".xlsx")},
        )
