"""The worklog feature plugin (平时考核, first slice): people's plans and work records by
period, read by their supervising leaders and the office.

The pattern every feature plugin follows (docs/plugins.md, "Feature plugins"): this package
holds its tables (``models``), its use-cases (``service``), its API (``api``) and pages
(``pages``), its templates and catalogue, and its Alembic branch (``migrations/versions``,
labelled ``worklog``). It imports ``core``; ``core`` never imports it. A locality enables it
like any plugin; until then its menu entries are not shown and its routes answer 404.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.hookspecs import hookimpl
from core.plugins import PluginInfo
from plugins.worklog import models  # noqa: F401 - registers the tables wherever the plugin is loaded

HERE = Path(__file__).parent


class WorklogOptions(BaseModel):
    """A locality's options for the worklog."""

    model_config = ConfigDict(extra="forbid")
    colleagues_can_read: bool = Field(
        default=False,
        title="Colleagues may read each other's work records",
        description="People of the same unit may read each other's submitted entries (always: themselves, "
        "their unit's leader and the office).",
    )
    reminders: bool = Field(
        default=True,
        title="Remind people whose weekly record or monthly summary is overdue",
        description="An in-app notice after the deadline: the last working day of the week or month "
        "(statutory holidays and make-up working days counted), plus the grace below.",
    )
    reminder_grace_workdays: int = Field(
        default=0,
        ge=0,
        le=10,
        title="Working days of grace after the period's last working day",
        description="0: due on the last working day itself.",
    )
    reminder_hour: int = Field(
        default=18, ge=0, le=23, title="Hour of the deadline", description="On the due day, local time (0 to 23)."
    )
    daily_records: bool = Field(
        default=False,
        title="People may also write a daily record",
        description="Optional entries of a day (日记实), besides the weekly and monthly ones; nobody is reminded of them.",
    )


KAOPING_PLUGIN = PluginInfo(
    label_zh="平时考核·工作纪实",
    label_en="Work records",
    options_model=WorklogOptions,
    description="Weekly and monthly plans and records of every person, read by their leaders and the office.",
    templates_dir=HERE / "templates",
    locales_dir=HERE / "locales",
    migrations_dir=HERE / "migrations" / "versions",
)


@hookimpl
def kaoping_routes() -> list:
    from plugins.worklog.api import api_routes
    from plugins.worklog.pages import page_routes

    return [*api_routes(), *page_routes()]


@hookimpl
def kaoping_admin_menu(locality_code: str) -> list:
    from core.models import Role
    from core.web.admin.menu import MenuEntry

    readers = frozenset({Role.platform_admin.value, Role.office.value, Role.leader.value})
    people = frozenset({Role.leader.value, Role.cadre.value})
    return [
        MenuEntry("worklog.mine", "我的工作纪实", "My work records", "/me/worklog", roles=people, order=45),
        MenuEntry(
            "worklog.board",
            "工作纪实看板",
            "Work records board",
            f"/admin/localities/{locality_code}/worklog/board",
            roles=readers,
            order=50,
        ),
        MenuEntry(
            "worklog.quarters",
            "季度评价",
            "Quarterly evaluation",
            f"/admin/localities/{locality_code}/worklog/quarters",
            roles=readers,
            order=51,
        ),
        MenuEntry(
            "worklog.completion",
            "纪实完成情况",
            "Completion of work records",
            f"/admin/localities/{locality_code}/worklog/completion",
            roles=frozenset({Role.platform_admin.value, Role.office.value}),
            order=52,
        ),
    ]


@hookimpl
def kaoping_periodic_tasks() -> list:
    from core.scheduler import PeriodicTask
    from plugins.worklog.discussion import prune_orphans
    from plugins.worklog.reminders import send_reminders

    return [
        PeriodicTask(name="worklog-prune-discussion", every_seconds=3600, run=prune_orphans),
        PeriodicTask(name="worklog-reminders", every_seconds=900, run=send_reminders),
    ]


@hookimpl
def kaoping_subject_panels(ctx, locality_id: int, subjects: list) -> list:
    from plugins.worklog.panels import recent_records

    return recent_records(ctx, locality_id, subjects)


@hookimpl
def kaoping_load_demo(ctx, actor, locality_code: str) -> list[str] | None:
    from plugins.worklog.demo import load_demo

    return load_demo(ctx, actor, locality_code)
