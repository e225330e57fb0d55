"""The goals feature plugin (工作目标): goals of units and leadership teams by year, refined into
sub-goals, split among people (lead or assist, with responsibility shares), published, and
followed by progress reports per month or quarter.

It follows the feature-plugin pattern of ``plugins.worklog`` (docs/plugins.md): its tables
(``models``), use-cases (``service``, ``progress``), API (``api``), pages (``pages``), templates,
catalogue and Alembic branch (``migrations/versions``, labelled ``goals``). ``core`` never imports
it. Until a locality enables it, its menu entries are not shown and its routes answer 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from core.hookspecs import hookimpl
from core.plugins import PluginInfo
from plugins.goals import models  # noqa: F401 - registers the tables wherever the plugin is loaded

HERE = Path(__file__).parent

DEFAULT_SOURCES = ["上级交办", "县委县政府", "自定"]
DEFAULT_ROLES = ["主办", "协办"]
DEFAULT_COMMENT_KINDS = ["点评", "建议", "举报"]


class GoalsOptions(BaseModel):
    """A locality's options for goals: the lists a goal's source and an assignee's role come from."""

    model_config = ConfigDict(extra="forbid")
    sources: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SOURCES),
        title="Sources of goals",
        description="Where a goal comes from (上级交办, 县委县政府, 自定, ...).",
        max_length=50,
    )
    roles: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ROLES),
        title="Roles of the people a goal is assigned to",
        description="主办 (lead), 协办 (assist), ...",
        max_length=20,
    )
    comment_kinds: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        default_factory=lambda: list(DEFAULT_COMMENT_KINDS),
        title="Kinds of comment",
        description="What a comment on a goal may be: 点评 (comment), 建议 (suggestion), 举报 (report), ...",
        min_length=1,
        max_length=10,
    )
    public_comments: bool = Field(
        default=False,
        title="The public may follow and comment",
        description="Accounts of the role public may read published goals and their progress and comment on them.",
    )


KAOPING_PLUGIN = PluginInfo(
    label_zh="工作目标",
    label_en="Goals",
    options_model=GoalsOptions,
    description="Yearly goals of units and teams, split among people with shares, with progress by period.",
    templates_dir=HERE / "templates",
    locales_dir=HERE / "locales",
    migrations_dir=HERE / "migrations" / "versions",
)


@hookimpl
def kaoping_routes() -> list:
    from plugins.goals.api import api_routes
    from plugins.goals.pages import page_routes

    return [*api_routes(), *page_routes()]


@hookimpl
def kaoping_admin_menu(locality_code: str) -> list:
    from core.models import Role
    from core.web.admin.menu import MenuEntry

    admins = frozenset({Role.platform_admin.value, Role.office.value, Role.unit_admin.value})
    people = frozenset({Role.leader.value, Role.cadre.value})
    return [
        MenuEntry(
            "goals.mine",
            "我的工作目标",
            "My goals",
            f"/admin/localities/{locality_code}/goals/mine",
            roles=people,
            order=46,
        ),
        MenuEntry(
            "goals.tree",
            "工作目标",
            "Goals",
            f"/admin/localities/{locality_code}/goals",
            roles=admins,
            order=55,
        ),
        MenuEntry(
            "goals.person_tables",
            "一人一表",
            "Person indicator tables",
            f"/admin/localities/{locality_code}/goals/person-tables",
            roles=admins,
            order=56,
        ),
        MenuEntry(
            "goals.comments",
            "目标点评",
            "Comments on goals",
            f"/admin/localities/{locality_code}/goals/comments",
            roles=admins | people | {Role.public.value},
            order=56,
        ),
        MenuEntry(
            "goals.search",
            "目标查询",
            "Find goals",
            f"/admin/localities/{locality_code}/goals/search",
            roles=admins | people | {Role.public.value},
            order=56,
        ),
        MenuEntry(
            "goals.status",
            "目标总览",
            "Goals across the county",
            f"/admin/localities/{locality_code}/goals/status",
            roles=frozenset({Role.platform_admin.value, Role.office.value}),
            order=57,
        ),
        MenuEntry(
            "goals.scoring",
            "目标评分",
            "Scoring goals",
            f"/admin/localities/{locality_code}/goals/scoring",
            roles=frozenset({Role.platform_admin.value, Role.office.value}),
            order=57,
        ),
    ]


@hookimpl
def kaoping_subject_panels(ctx, locality_id: int, subjects: list) -> list:
    from plugins.goals.panels import goal_panels

    return goal_panels(ctx, locality_id, subjects)


@hookimpl
def kaoping_load_demo(ctx, actor, locality_code: str) -> list[str] | None:
    from plugins.goals.demo import load_demo

    return load_demo(ctx, actor, locality_code)


@hookimpl
def kaoping_person_warnings(ctx, locality_id: int, on) -> list:
    from plugins.goals.warnings import person_warnings

    return person_warnings(ctx, locality_id, on)
