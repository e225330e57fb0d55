"""Record targets (hook ``kaoping_adapter_targets``): a source whose mapping names a plugin's
target hands it every record, in the run's one transaction; a rejected record fails the run and
nothing the target wrote stays; a preview is a dry run; the mapping is checked when saved (a
target of a plugin the locality has not enabled, bad options, a mix of target and values)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import select

from core.adapters import TargetResult
from core.adapters import field_value as record_field
from core.hookspecs import hookimpl
from core.models import AuditEntry, Locality
from core.plugins import get_plugin_manager
from core.schemas.adapters import AdapterSourceIn, Mapping
from core.services import adapters, audit
from core.services.errors import Invalid
from core.services.plugins import PluginSettingIn, set_plugin
from tests.adapter_setup import SYSTEM, make_county


class NoteOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code_field: str
    refuse: str = ""  # a unit code whose record is refused


class NoteTarget:
    """Writes an audit entry per record (a real row in the run's transaction)."""

    name = "test.notes"
    label_zh = "测试"
    label_en = "Test"
    options_model = NoteOptions

    def __init__(self) -> None:
        self.runs = []

    def write(self, ctx, session, options, records, run):
        self.runs.append(run)
        result = TargetResult()
        for record in records:
            code = record_field(record.fields, options.code_field)
            if code == options.refuse:
                result.rejected.append({"where": record.where, "field": options.code_field, "message": "refused"})
                result.rejected_records += 1
            elif not run.dry_run:
                audit.record(
                    session, SYSTEM, locality_id=run.locality_id, action="test.note", target_type="unit", target_id=code
                )
                result.written += 1
        return result


class NotesPlugin:
    def __init__(self) -> None:
        self.target = NoteTarget()

    @hookimpl
    def kaoping_adapter_targets(self) -> list:
        return [self.target]


@pytest.fixture
def plugin(ctx):
    found = NotesPlugin()
    pm = get_plugin_manager()
    pm.register(found, name="test_notes")
    try:
        yield found
    finally:
        pm.unregister(found)


def _notes(ctx) -> int:
    with ctx.db.read() as session:
        return len(session.exec(select(AuditEntry).where(AuditEntry.action == "test.note")).all())


def _source(county, url: str, options: dict):
    return county.http_source(url, mapping={"target": "test.notes", "options": options})


def test_a_target_gets_every_record_in_the_run_s_transaction(ctx, plugin, fake_platform):
    county = make_county(ctx, "tgt")
    set_plugin(ctx, SYSTEM, county.code, "test_notes", PluginSettingIn(enabled=True))
    source = _source(county, f"{fake_platform.url}/records", {"code_field": "dept_code"})
    preview = adapters.preview_source(ctx, SYSTEM, source.id)
    assert (preview.rows_read, preview.rows, preview.rows_rejected) == (288, [], 0) and _notes(ctx) == 0
    assert plugin.target.runs[-1].dry_run and plugin.target.runs[-1].run_id is None
    run = adapters.run_now(ctx, SYSTEM, source.id)
    assert (run.status, run.rows_read, run.rows_written) == ("succeeded", 288, 288) and _notes(ctx) == 288
    told = plugin.target.runs[-1]
    with ctx.db.read() as session:
        locality_id = session.exec(select(Locality.id).where(Locality.code == county.code)).one()
    assert (told.run_id, told.source_name, told.locality_id, told.dry_run) == (run.id, "平台", locality_id, False)


def test_a_rejected_record_fails_the_run_and_nothing_written_stays(ctx, plugin, fake_platform):
    county = make_county(ctx, "tgt")
    set_plugin(ctx, SYSTEM, county.code, "test_notes", PluginSettingIn(enabled=True))
    source = _source(county, f"{fake_platform.url}/records", {"code_field": "dept_code", "refuse": "U002"})
    run = adapters.run_now(ctx, SYSTEM, source.id)
    assert run.status == "failed" and run.rows_written == 0 and run.rows_rejected > 0
    assert {(r.field, r.message) for r in run.rejected} == {("dept_code", "refused")}
    assert _notes(ctx) == 0  # the rows written before the refusal were rolled back


def test_a_target_mapping_is_checked_when_saved(ctx, plugin, fake_platform):
    county = make_county(ctx, "tgt")
    url = f"{fake_platform.url}/records"
    with pytest.raises(Invalid) as off:
        _source(county, url, {"code_field": "dept_code"})  # the plugin is not enabled here
    assert off.value.errors[0]["field"] == "mapping.target"
    set_plugin(ctx, SYSTEM, county.code, "test_notes", PluginSettingIn(enabled=True))
    with pytest.raises(Invalid) as bad:
        _source(county, url, {"code_field": "dept_code", "typo": 1})
    assert bad.value.errors[0]["field"] == "mapping.options.typo"
    with pytest.raises(ValidationError):
        Mapping.model_validate({"target": "test.notes", "subject": {"field": "x"}})
    with pytest.raises(ValidationError):
        Mapping.model_validate({"subject": {"field": "x"}, "period": {"field": "m"}})  # no values, no target
    with pytest.raises(ValidationError):
        AdapterSourceIn.model_validate(
            {"name": "x", "adapter": "http_json", "mapping": {"options": {"a": 1}, "subject": {"field": "x"}}}
        )
