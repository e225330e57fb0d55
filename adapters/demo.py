"""The demo adapter source: the demo county's business platform drops a monthly CSV of cases
closed, on-time rate and complaints per unit; a ``tabular_file`` source reads it hourly into
the numeric indicators of a unit performance template. ``kaoping demo`` runs it once, so the
values are there at once; the scheduler reads any file dropped into the folder afterwards."""

from __future__ import annotations

import os
import shutil

from sqlmodel import select

from core.context import Actor, AppContext
from core.demo import DATA_DIR
from core.models import AdapterSource, Locality
from core.schemas.adapters import AdapterSourceIn
from core.schemas.indicators import TemplateIn
from core.services import adapters, templates
from core.services.plugins import PluginSettingIn, set_plugin

SAMPLE_FILE = DATA_DIR / "business-platform-2026.csv"
SOURCE_NAME = "业务平台月报"

TEMPLATE = {
    "name": "2026年度单位绩效考核（业务平台数据）",
    "period_kind": "month",  # the platform reports each month: a value of another kind is refused
    "grade_scale": [
        {"label": "优秀", "score": 95},
        {"label": "良好", "score": 85},
        {"label": "一般", "score": 70},
        {"label": "较差", "score": 55},
    ],
    "indicators": [
        {
            "code": "WORK",
            "name": "工作实绩",
            "weight": 100,
            "children": [
                {
                    "code": "CASES",
                    "name": "办结件数",
                    "kind": "numeric",
                    "weight": 0,
                    "unit_of_measure": "件",
                    "data_source": "业务平台",
                },
                {
                    "code": "ONTIME",
                    "name": "按时办结率",
                    "kind": "numeric",
                    "weight": 0,
                    "unit_of_measure": "%",
                    "data_source": "业务平台",
                },
                {
                    "code": "COMPLAINTS",
                    "name": "投诉件数",
                    "kind": "numeric",
                    "weight": 0,
                    "unit_of_measure": "件",
                    "data_source": "业务平台",
                },
                {"code": "OVERALL", "name": "总体评价", "weight": 1, "overall": True},
            ],
        },
    ],
}


def load_demo_source(ctx: AppContext, actor: Actor, locality_code: str) -> list[str]:
    set_plugin(ctx, actor, locality_code, "tabular_file", PluginSettingIn(enabled=True))
    set_plugin(ctx, actor, locality_code, "http_json", PluginSettingIn(enabled=True))
    template = templates.create(ctx, actor, locality_code, TemplateIn.model_validate(TEMPLATE))
    source = adapters.create_source(
        ctx,
        actor,
        locality_code,
        AdapterSourceIn.model_validate(
            {
                "name": SOURCE_NAME,
                "adapter": "tabular_file",
                "options": {"folder": "inbox"},
                "mapping": {
                    "subject": {"field": "单位编码", "by": "code"},
                    "period": {"field": "月份"},
                    "values": [
                        {"field": "办结件数", "template_id": template.id, "indicator_code": "CASES"},
                        {"field": "按时办结率", "template_id": template.id, "indicator_code": "ONTIME"},
                        {"field": "投诉件数", "template_id": template.id, "indicator_code": "COMPLAINTS"},
                    ],
                },
                "schedule": {"interval_minutes": 60},
            }
        ),
    )
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == locality_code)).one()
        context = adapters.adapter_context(ctx, session.get(AdapterSource, source.id), locality.code)
    inbox = context.work_dir / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE_FILE, inbox / SAMPLE_FILE.name)
    # Old enough to be read at once (files younger than a moment may still be being written).
    old = (inbox / SAMPLE_FILE.name).stat().st_mtime - 60
    os.utime(inbox / SAMPLE_FILE.name, (old, old))
    run = adapters.run_now(ctx, actor, source.id, trigger="cli")
    return [
        f"Adapter source {SOURCE_NAME!r} (id {source.id}) read {run.rows_read} records of {SAMPLE_FILE.name} "
        f"into {run.rows_written} indicator values ({run.status}); it reads new files dropped into",
        f"  {inbox} every hour (see GET /api/adapter-sources/{source.id}/runs).",
    ]
