"""The cadre cloud's team pages (organisation department only, 404 for everyone else):

* ``cadres/teams``: the locality's leadership teams, and ``cadres/teams/scan`` the relations
  found among the members of every team;
* ``cadres/teams/{id}?add=..&remove=..``: a team with candidates placed into it (``add``,
  person ids; ``remove``, members taken out for a swap): every relation of the candidates with
  its evidence, the relations already among the members, and the structure before and after;
* ``cadres/place?team_id=..&person_id=..``: where the search's "place into a team" leads.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from anyio.to_thread import run_sync
from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.web.admin.shell import Shell, open_shell
from plugins.cadres import teams
from plugins.cadres.access import READERS

CONSOLE_CHECKS = {"public": True}
KIND_LABELS = {
    "classmate": "Classmates",
    "fellow_townsman": "Same hometown",
    "colleague": "Former colleagues",
    "comrade": "Comrades-in-arms",
    "relative": "Relatives",
}
STRENGTH_LABELS = {"strong": "Strong", "weak": "Weak"}
DIMENSION_LABELS = {
    "age": "Age",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "party": "Party",
    "education": "Education",
    "expertise": "Expertise",
    "experience": "Experience",
    "retirement": "Retirement",
}
STATUS_LABELS = {"green": "Green", "yellow": "Yellow", "red": "Red"}


def _ids(values: list[str] | None, limit: int = teams.MAX_CANDIDATES) -> list[int]:
    found = []
    for value in values or []:
        for part in str(value).replace("，", ",").split(","):
            part = part.strip()
            if part.isdigit() and len(part) < 10 and int(part) > 0:
                found.append(int(part))
    return found[: limit + 1]


def _helpers(shell: Shell, names: dict[str, str] | None = None) -> dict[str, Any]:
    names = names or {}
    return {
        "kind_label": lambda k: shell._(KIND_LABELS.get(k, k)),
        "strength_label": lambda s: shell._(STRENGTH_LABELS.get(s, s)),
        "dimension_label": lambda d: shell._(DIMENSION_LABELS.get(d, d)),
        "status_label": lambda s: shell._(STATUS_LABELS.get(s, s)),
        "message": lambda m: shell.tr.gettext(m["msgid"], **m["params"]),
        "person_names": lambda ids: "、".join(names.get(str(i), str(i)) for i in ids),
    }


@get("/localities/{code:str}/cadres/teams", include_in_schema=False, opt=CONSOLE_CHECKS)
async def teams_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    listed = await run_sync(teams.list_teams, shell.ctx, shell.actor, code)
    return shell.render("cadres/teams.html", title=shell._("Teams and relations"), teams=listed, code=code)


@get("/localities/{code:str}/cadres/teams/scan", include_in_schema=False, opt=CONSOLE_CHECKS)
async def scan_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    found = await run_sync(lambda: teams.scan_teams(shell.ctx, shell.actor, code))
    return shell.render(
        "cadres/scan.html",
        title=shell._("Relations within every team"),
        crumbs=[(shell._("Teams and relations"), f"/admin/localities/{code}/cadres/teams")],
        found=found,
        code=code,
        **_helpers(shell),
    )


@get("/localities/{code:str}/cadres/place", include_in_schema=False, opt=CONSOLE_CHECKS)
async def place(
    request: Request, code: FromPath[str], team_id: FromQuery[int] = 0, person_id: FromQuery[int] = 0
) -> Redirect:
    """From a search result: the team page with the person placed into it."""
    await open_shell(request, code, roles=READERS)
    return Redirect(f"/admin/localities/{code}/cadres/teams/{team_id}?{urlencode({'add': person_id})}", status_code=303)


@get("/localities/{code:str}/cadres/teams/{team_id:int}", include_in_schema=False, opt=CONSOLE_CHECKS)
async def team_page(request: Request, code: FromPath[str], team_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=READERS)
    add = _ids(request.query_params.getall("add", []))
    remove = _ids(request.query_params.getall("remove", []), 200)
    check = await run_sync(lambda: teams.check_team(shell.ctx, shell.actor, code, team_id, add, remove))
    return shell.render(
        "cadres/team.html",
        title=check["team"]["name"],
        crumbs=[(shell._("Teams and relations"), f"/admin/localities/{code}/cadres/teams")],
        check=check,
        add=add,
        remove=remove,
        code=code,
        term_years=teams.TERM_YEARS,
        **_helpers(shell, check["names"]),
    )


def team_routes() -> list:
    return [teams_page, scan_page, place, team_page]
