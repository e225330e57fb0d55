"""A county whose 24 units are subjects, with a unit template of numeric indicators, and an
``http_json`` source pulling the sample business platform (tests/adapters/fake_platform.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import select

from core.context import Actor, AppContext
from core.models import IndicatorValue, Unit
from core.schemas.adapters import AdapterSourceIn
from core.schemas.indicators import TemplateIn
from core.schemas.localities import LocalityIn
from core.schemas.org import SubjectIn
from core.services import adapters, imports, localities, templates
from core.services import subjects as subject_service
from core.services.plugins import PluginSettingIn, set_plugin

DATA = Path(__file__).resolve().parents[1] / "core" / "demo_data"  # the bundled copies of ../shared/data
SYSTEM = Actor.system("test")
TEMPLATE = {
    "name": "单位绩效（业务平台）",
    "grade_scale": [{"label": "好", "score": 90}, {"label": "差", "score": 60}],
    "indicators": [
        {"code": "ALL", "name": "总体评价", "overall": True},
        {"code": "CASES", "name": "办结件数", "kind": "numeric"},
        {"code": "ONTIME", "name": "按时办结率", "kind": "numeric"},
        {"code": "COMPLAINTS", "name": "投诉件数", "kind": "numeric"},
    ],
}
FIELDS = {"cases_closed": "CASES", "on_time_rate": "ONTIME", "complaints": "COMPLAINTS"}


@dataclass
class County:
    ctx: AppContext
    code: str
    template_id: int
    subject_by_unit: dict[str, int]

    def mapping(self, **changes: Any) -> dict[str, Any]:
        mapping = {
            "subject": {"field": "dept_code", "by": "code"},
            "period": {"field": "month"},
            "values": [{"field": f, "template_id": self.template_id, "indicator_code": c} for f, c in FIELDS.items()],
        }
        mapping.update(changes)
        return mapping

    def http_source(self, url: str, name: str = "平台", **changes: Any):
        data = {
            "name": name,
            "adapter": "http_json",
            "options": {
                "url": url,
                "records_path": "data",
                "pagination": {"kind": "next_link", "path": "next"},
                "timeout_seconds": 1,
            },
            "mapping": self.mapping(),
            "retry": {"attempts": 4, "max_seconds": 20, "initial_seconds": 0.05, "max_backoff_seconds": 0.2},
        }
        data.update(changes)
        return adapters.create_source(self.ctx, SYSTEM, self.code, AdapterSourceIn.model_validate(data))

    def file_source(self, name: str = "月报"):
        """A ``tabular_file`` source reading 单位编码, 月份 and 办结件数 (→ CASES) from its inbox."""
        return adapters.create_source(
            self.ctx,
            SYSTEM,
            self.code,
            AdapterSourceIn.model_validate(
                {
                    "name": name,
                    "adapter": "tabular_file",
                    "options": {"folder": "inbox"},
                    "mapping": self.mapping(
                        subject={"field": "单位编码"},
                        period={"field": "月份"},
                        values=[{"field": "办结件数", "template_id": self.template_id, "indicator_code": "CASES"}],
                    ),
                }
            ),
        )

    def values(self) -> dict[tuple[int, str, str], float]:
        with self.ctx.db.read() as session:
            rows = session.exec(select(IndicatorValue).where(IndicatorValue.template_id == self.template_id)).all()
            return {(r.subject_id, r.indicator_code, r.period): r.value for r in rows}


def make_county(ctx: AppContext, code: str = "county", adapters_enabled: tuple[str, ...] = ("http_json",)) -> County:
    localities.create(ctx, SYSTEM, LocalityIn(code=code, name=code))
    units_csv = DATA / "county-units.csv"
    imports.import_file(ctx, SYSTEM, code, "units", units_csv.name, units_csv.read_bytes())
    with ctx.db.read() as session:
        units = session.exec(select(Unit).where(Unit.locality_id == _locality_id(ctx, code))).all()
    subject_by_unit = {}
    for unit in units:
        subject = subject_service.create_subject(
            ctx, SYSTEM, code, SubjectIn(name=unit.name, kind="unit", ref_id=unit.id, category="部门")
        )
        subject_by_unit[unit.code] = subject.id
    template = templates.create(ctx, SYSTEM, code, TemplateIn.model_validate(TEMPLATE))
    for name in adapters_enabled:
        set_plugin(ctx, SYSTEM, code, name, PluginSettingIn(enabled=True))
    return County(ctx=ctx, code=code, template_id=template.id, subject_by_unit=subject_by_unit)


def _locality_id(ctx: AppContext, code: str) -> int:
    from core.models import Locality

    with ctx.db.read() as session:
        return session.exec(select(Locality.id).where(Locality.code == code)).one()


def sample_records() -> list[dict[str, Any]]:
    import json

    return (
        json.loads((DATA / "business-platform-page1.json").read_text(encoding="utf-8"))["data"]
        + json.loads((DATA / "business-platform-page2.json").read_text(encoding="utf-8"))["data"]
    )
