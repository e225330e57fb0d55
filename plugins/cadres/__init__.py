"""The cadre cloud (干部云, SPEC 10): cadre profiles extending the core's people, condition
search, relationship check and team structure, read by the organisation department only.

A feature plugin on the worklog's pattern (docs/plugins.md, "Feature plugins"): its tables
(``models``), use-cases (``service``, ``search``, ``synth``), API (``api``), pages (``pages``),
templates and catalogue, and its Alembic branch (label ``cadres``). Only users of role
``org_dept`` or ``org_dept_head`` read anything here (everyone else gets 404, as for a locality
that has not enabled the plugin); every profile read, search and relationship check is written
to the view log, which the head reads.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.hookspecs import hookimpl
from core.plugins import PluginInfo
from plugins.cadres import models, search_table  # noqa: F401 - registers the tables (and the search table's upkeep)
from plugins.cadres.options import RelationOptions, StructureOptions

HERE = Path(__file__).parent


class CadresOptions(BaseModel):
    """A locality's options for the cadre cloud."""

    model_config = ConfigDict(extra="forbid")
    retirement_age: int = Field(
        default=60, ge=50, le=70, title="Retirement age", description="Age (years) at which a cadre retires."
    )
    relations: RelationOptions = Field(
        default_factory=RelationOptions,
        title="Relationship check",
        description="The relation kinds checked and how strong each case is.",
    )
    structure: StructureOptions = Field(
        default_factory=StructureOptions,
        title="Team structure rules",
        description="What a team's mix of age, gender, education and experience should be.",
    )
    warn_score_drop: float = Field(
        default=5.0,
        gt=0,
        le=100,
        title="Score drop that warns",
        description="A cadre whose latest published score is this many points below the one before is flagged.",
    )


KAOPING_PLUGIN = PluginInfo(
    label_zh="干部云",
    label_en="Cadre cloud",
    options_model=CadresOptions,
    description="Cadre profiles, condition search, relationship check and team structure for the organisation "
    "department.",
    templates_dir=HERE / "templates",
    locales_dir=HERE / "locales",
    migrations_dir=HERE / "migrations" / "versions",
)


@hookimpl
def kaoping_routes() -> list:
    from plugins.cadres.api import api_routes
    from plugins.cadres.pages import page_routes

    return [*api_routes(), *page_routes()]


@hookimpl
def kaoping_admin_menu(locality_code: str) -> list:
    from core.web.admin.menu import MenuEntry
    from plugins.cadres.access import HEAD, READERS

    base = f"/admin/localities/{locality_code}/cadres"
    return [
        MenuEntry("cadres.search", "干部查询", "Cadre search", f"{base}/search", roles=READERS, order=55),
        MenuEntry("cadres.teams", "班子关系与结构", "Teams and relations", f"{base}/teams", roles=READERS, order=56),
        MenuEntry(
            "cadres.import", "导入任免审批表", "Import appointment forms", f"{base}/import", roles=READERS, order=56
        ),
        MenuEntry("cadres.warnings", "干部预警", "Cadre warnings", f"{base}/warnings", roles=READERS, order=57),
        MenuEntry("cadres.view-log", "干部查阅记录", "Cadre view log", f"{base}/view-log", roles=HEAD, order=57),
    ]


@hookimpl
def kaoping_cli_commands() -> list:
    from plugins.cadres.cli import commands

    return commands()


@hookimpl
def kaoping_load_demo(ctx, actor, locality_code: str) -> list[str] | None:
    from plugins.cadres.demo import load_demo

    return load_demo(ctx, actor, locality_code)


@hookimpl
def kaoping_adapter_targets() -> list:
    from plugins.cadres.negative import NegativeTarget

    return [NegativeTarget()]


@hookimpl
def kaoping_periodic_tasks() -> list:
    from core.scheduler import PeriodicTask
    from plugins.cadres.watch import EVERY_SECONDS, run_watch

    return [PeriodicTask(name="cadres-watch", every_seconds=EVERY_SECONDS, run=run_watch)]
