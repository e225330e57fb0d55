"""The department's warnings page (``/admin/localities/{code}/cadres/warnings``) and the API of
warnings and negative-information records (``/api/localities/{code}/cadres/warnings``,
``.../people/{id}/negative``): the organisation department only, 404 for everyone else."""

from __future__ import annotations

from typing import Annotated

from anyio.to_thread import run_sync
from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from core.i18n import LOCALES_DIR
from core.schemas.base import MAX_ID
from core.web.admin.shell import open_shell
from core.web.params import Ctx, CurrentActor, ItemId, LocalityCode
from plugins.cadres import HERE
from plugins.cadres.access import READERS
from plugins.cadres.warnings import NegativeOut, WarningPage, list_warnings, negative_records

CONSOLE_CHECKS = {"public": True}  # open_shell checks the session (as the other pages)
KIND_LABELS = {
    "scores": "Score dropped",
    "goals": "Goals behind",
    "negative": "Negative information",
}
NEGATIVE_LABELS = {
    "discipline": "Discipline",
    "audit": "Audit",
    "complaint": "Complaint",
    "other": "Other",
}
Kind = Annotated[str, QueryParameter(pattern="^(|scores|goals|negative)$")]
Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_ID)]
PersonFilter = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="only this person's warnings")]


@get("/localities/{code:str}/cadres/warnings", include_in_schema=False, opt=CONSOLE_CHECKS)
async def warnings_page(
    request: Request,
    code: FromPath[str],
    kind: FromQuery[str] = "",
    page: FromQuery[int] = 1,
    person: FromQuery[str] = "",
) -> Response:
    """The warnings, newest first; ``person``: one person's (where a department's notice links)."""
    shell = await open_shell(request, code, roles=READERS)
    kind = kind if kind in KIND_LABELS else ""
    person_id = int(person) if person.isdigit() and 0 < int(person) <= MAX_ID else None
    size, page = 100, max(1, min(page, 100_000))
    found = await run_sync(
        lambda: list_warnings(
            shell.ctx, shell.actor, code, kind=kind, person_id=person_id, limit=size, offset=(page - 1) * size
        )
    )
    name = found.person_name
    return shell.render(
        "cadres/warnings.html",
        title=shell._("Warnings about {name}", name=name) if person_id else shell._("Cadre warnings"),
        found=found.model_dump(),
        person_id=person_id,
        person_name=name,
        kind=kind,
        kinds=[(k, shell._(label)) for k, label in KIND_LABELS.items()],
        kind_label=lambda k: shell._(KIND_LABELS.get(k, k)),
        message=lambda w: shell.tr.of(w["catalogue"]).gettext(w["message_id"], **w["params"]),
        page=page,
        pages=max(1, -(-found.total // size)),
        when=shell.tr.datetime,
        code=code,
    )


class CadreWarningsController(Controller):
    path = "/api/localities/{code:str}/cadres"
    tags = ["cadres"]
    opt = {"locales_dirs": (HERE / "locales", LOCALES_DIR)}

    @get("/warnings", sync_to_thread=True, summary="Warnings about cadres, newest first (scores, goals, negative)")
    def warnings(
        self,
        ctx: Ctx,
        actor: CurrentActor,
        code: LocalityCode,
        kind: Kind = "",
        person_id: PersonFilter = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> WarningPage:
        return list_warnings(ctx, actor, code, kind=kind, person_id=person_id, limit=limit, offset=offset)

    @get(
        "/people/{person_id:int}/negative",
        sync_to_thread=True,
        summary="A cadre's negative-information records pulled in by adapters, newest first",
    )
    def negative(self, ctx: Ctx, actor: CurrentActor, code: LocalityCode, person_id: ItemId) -> list[NegativeOut]:
        return negative_records(ctx, actor, code, person_id)


def warning_routes() -> list:
    return [warnings_page]


def warning_api_routes() -> list:
    return [CadreWarningsController]
