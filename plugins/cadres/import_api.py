"""The cadre cloud's import API under ``/api/localities/{code}/cadres/imports/``, the pages'
imports (``import_pages``) for programs: one section of many profiles from a spreadsheet
(``sheets/{section}``: the template to fill, and the import) and appointment forms
(``lrmx``: one ``.lrmx`` or a zip of them). The organisation department only, as on the pages
(404 for everyone else); every write is audited by the services (``cadres.profile.sheet``,
``cadres.profile.import``, ``person.create``/``person.update``). All or nothing: a bad row or a
refused form answers 422 with every row (``row``, ``column``) or file (``file``, ``field``,
``line``) and why, in the language of ``Accept-Language``, and nothing is written."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from anyio.to_thread import run_sync
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from pydantic import BaseModel

from core.i18n import LOCALES_DIR
from core.services.errors import Invalid
from core.web.attachments import one_file
from core.web.downloads import content_disposition
from core.web.errors import api_translator
from core.web.params import Ctx, CurrentActor, LocalityCode
from plugins.cadres import HERE
from plugins.cadres.access import cadre_locality
from plugins.cadres.imports import import_lrmx
from plugins.cadres.sheets import SECTIONS, import_section, template_name, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Section = Annotated[
    Literal[tuple(SECTIONS)],  # type: ignore[valid-type]
    PathParameter(description="The profile section the sheet holds: " + ", ".join(SECTIONS)),
]
NOT_IMPORTED = "Not imported: another file was refused"
REFUSED = "{refused} of {files} files were refused; nothing was imported"


class SheetImported(BaseModel):
    rows: int
    people: int


class FileProblem(BaseModel):
    field: str
    line: int | None = None
    message: str


class FileImported(BaseModel):
    """One form of the upload, imported: the person written (``created`` when new) and the
    fields that could not be mapped."""

    file: str
    name: str
    person_id: int | None
    created: bool
    problems: list[FileProblem]


def _file_part(description: str) -> Any:
    return Body(media_type=RequestEncodingType.MULTI_PART, description=description)


class CadreImportController(Controller):
    path = "/api/localities/{code:str}/cadres/imports"
    tags = ["cadres"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get(
        "/sheets/{section:str}",
        sync_to_thread=True,
        summary="Download the spreadsheet to fill for one profile section (.xlsx; Chinese headers)",
        opt={"produces": (XLSX,)},
    )
    def template(
        self, request: Request, ctx: Ctx, actor: CurrentActor, code: LocalityCode, section: Section
    ) -> Response:
        with ctx.db.read() as session:
            cadre_locality(session, actor, code)
        locale = api_translator(request).locale
        name = template_name(section, locale)
        return Response(
            template_workbook(section, locale),
            media_type=XLSX,
            headers={"Content-Disposition": content_disposition(name, f"cadres-{section}-template.xlsx")},
        )

    @post(
        "/sheets/{section:str}",
        status_code=200,
        summary="Import one section of many profiles from an .xlsx or .csv file (all rows or none; audited)",
        description="A row names its person by 身份证号 (or 姓名 when one person has it); the section of every "
        "person named is replaced by the rows given. A bad row answers 422 with every bad row's `row`, "
        "`column` and reason, and nothing is written; a file over a limit of reading answers 413.",
        opt={"upload_field": "file", "upload_description": "The .xlsx or .csv file"},
    )
    async def import_sheet(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        section: Section,
        data: Annotated[dict[str, Any], _file_part("one .xlsx or .csv file part (any field name, e.g. file)")],
    ) -> SheetImported:
        upload = one_file(data)
        content = await upload.read()
        done = await run_sync(import_section, ctx, actor, code, section, upload.filename or "", content)
        return SheetImported(**done)

    @post(
        "/lrmx",
        status_code=200,
        summary="Import appointment forms (任免审批表): one .lrmx or a .zip of them (all or none; audited)",
        description="A person is found by ID number (else by name and birth month) or created; the sections the "
        "form carries replace the profile's. When any file is refused, 422 lists every problem by `file`, "
        "`field` and `line` (and the files not imported because of it), and nothing is written. A zip or "
        "form over a limit answers 413.",
        opt={"upload_field": "file", "upload_description": "The .lrmx (or .xml) file, or a .zip of them"},
    )
    async def import_forms(
        self,
        request: Request,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        data: Annotated[dict[str, Any], _file_part("one .lrmx or .zip file part (any field name, e.g. file)")],
    ) -> list[FileImported]:
        upload = one_file(data)
        content = await upload.read()
        reports = await run_sync(import_lrmx, ctx, actor, code, upload.filename or "", content)
        tr = api_translator(request)

        def problems(report) -> list[dict[str, Any]]:
            return [
                {
                    "field": p["field"],
                    **({"line": p["line"]} if p["line"] is not None else {}),
                    "message": tr.gettext(p["msgid"], **p["params"]),
                }
                for p in report.problems
            ]

        refused = [r for r in reports if r.status == "refused"]
        if refused or not reports:
            errors = []
            for report in reports:
                if report.status == "refused":
                    errors += [{"file": report.file, **p} for p in problems(report)]
                else:
                    errors.append({"file": report.file, "field": "", "message": tr.gettext(NOT_IMPORTED)})
            raise Invalid(REFUSED, params={"refused": len(refused), "files": len(reports)}, errors=errors)
        return [
            FileImported(
                file=r.file,
                name=r.name,
                person_id=r.person_id,
                created=r.created,
                problems=[FileProblem(**p) for p in problems(r)],
            )
            for r in reports
        ]


def import_api_routes() -> list:
    return [CadreImportController]
