"""Adapter sources of a locality and their runs.

A run goes: claim (a conditional UPDATE sets ``running_since``, so a source never runs twice
at once, whatever instance asks) → fetch, retrying transient faults with tenacity → map every
record to indicator values (every bad record is reported, by where it came from) → write all
values in one transaction together with the run's outcome, or none → release the claim →
``kaoping_adapter_run_finished``. A scheduled firing also moves ``next_run_at`` forward with a
conditional UPDATE first, so several app instances fire a due source once (see core/scheduler.py).
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pluggy
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from core.adapters import (
    MAX_RECORDS,
    AdapterContext,
    AdapterFault,
    Fetched,
    OptionsFault,
    PermanentFault,
    Record,
    TransientFault,
)
from core.adapters import field_value as record_field
from core.context import Actor, AppContext
from core.models import (
    AdapterRun,
    AdapterSource,
    Indicator,
    IndicatorTemplate,
    Locality,
    RunStatus,
    Subject,
    SubjectKind,
    Unit,
)
from core.models.base import utcnow
from core.periods import Period, PeriodError, PeriodKind
from core.plugins import get_plugin_manager, plugin_info, plugins_by_name
from core.schemas.adapters import (
    AdapterRunOut,
    AdapterSourceIn,
    AdapterSourceOut,
    AdapterSourcePatch,
    ConnectionTest,
    Mapping,
    Preview,
    PreviewRow,
    RejectedRow,
    Retry,
    Schedule,
)
from core.schemas.base import Page
from core.schemas.values import VALUE_KINDS
from core.services import audit
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, can_see_locality, locality_for, require_role
from core.services.campaigns import as_utc
from core.services.errors import Conflict, Invalid, NotFound
from core.services.paging import paginate
from core.services.plugins import hooks_for, validation_errors
from core.services.values import period_rules, upsert_values

log = logging.getLogger("kaoping.adapters")

RUNNER = f"{socket.gethostname()}:{os.getpid()}"[:100]
# A claim older than this belongs to a process that died mid-run: it may be taken over.
STALE_AFTER = timedelta(hours=2)
# Rejected rows kept on a run (the count is always complete).
MAX_REJECTED_KEPT = 1000
PREVIEW_ROWS = 20


# --- adapter types ---------------------------------------------------------------------------

def adapter_types(pm: pluggy.PluginManager | None = None) -> dict[str, tuple[str, Any]]:
    """Every installed adapter type by name, with the plugin that provides it."""
    pm = pm or get_plugin_manager()
    out: dict[str, tuple[str, Any]] = {}
    for plugin_name, plugin in plugins_by_name(pm).items():
        impl = getattr(plugin, "kaoping_adapters", None)
        if impl is not None:
            for adapter in impl():
                out[adapter.name] = (plugin_name, adapter)
    return out


def installed_adapters() -> list[dict[str, Any]]:
    """``GET /api/adapters``: name, labels, providing plugin, options schema, secret options."""
    pm = get_plugin_manager()
    rows = []
    for name, (plugin_name, adapter) in sorted(adapter_types(pm).items()):
        info = plugin_info(pm, plugins_by_name(pm)[plugin_name])
        rows.append({"name": name, "label_zh": adapter.label_zh, "label_en": adapter.label_en,
                     "plugin": plugin_name, "plugin_essential": info.essential,
                     "secret_options": list(adapter.secret_options),
                     "options_schema": adapter.options_model.model_json_schema()})
    return rows


def adapters_for(session: Session, locality_id: int) -> dict[str, Any]:
    """The adapter types the locality has enabled, by name."""
    return {a.name: a for adapters in hooks_for(session, locality_id).kaoping_adapters() for a in adapters}


def _enabled_adapter(session: Session, locality_id: int, name: str, field: str = "adapter") -> Any:
    adapters = adapters_for(session, locality_id)
    if name not in adapters:
        installed = adapter_types()
        reason = ("is not enabled for this locality (enable its plugin "
                  f"{installed[name][0]!r})" if name in installed else "is not an installed adapter type")
        raise Invalid(f"{field}: {name!r} {reason}; enabled: {', '.join(sorted(adapters)) or 'none'}",
                      errors=[{"field": field, "message": reason}])
    return adapters[name]


# --- options and secrets ---------------------------------------------------------------------

def _secrets_of(ctx: AppContext, source: AdapterSource) -> dict[str, Any]:
    if not source.secret_options:
        return {}
    try:
        return json.loads(ctx.keys.decrypt(source.secret_options))
    except ValueError:  # encrypted under another secret key
        raise PermanentFault("the secret options cannot be decrypted with this server's secret key "
                             "(was KAOPING_SECRET_KEY changed?); enter them again") from None


def _split_options(ctx: AppContext, adapter: Any, options: dict[str, Any], kept_secrets: dict[str, Any],
                   context: AdapterContext) -> tuple[dict[str, Any], str]:
    """Validate options (secret ones left out keep ``kept_secrets``; ``""`` clears one), let the
    adapter refuse what no run could use (``check``: a folder outside the allowed places, a URL
    the server may not reach), and split them into the public part and the encrypted secret part."""
    merged = {**{k: v for k, v in kept_secrets.items() if k not in options}, **options}
    merged = {k: v for k, v in merged.items() if not (k in adapter.secret_options and v == "")}
    try:
        model = adapter.options_model.model_validate(merged)
    except ValidationError as exc:
        errors = validation_errors(exc)
        raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors) from None
    check = getattr(adapter, "check", None)
    if check is not None:
        try:
            check(model, context)
        except OptionsFault as fault:
            raise Invalid(str(fault), errors=[{"field": f"options.{fault.option}", "message": str(fault)}]) from None
        except AdapterFault as fault:  # an adapter's fault without a field: the options as a whole
            raise Invalid(f"options: {fault}", errors=[{"field": "options", "message": str(fault)}]) from None
    checked = model.model_dump(mode="json")
    secret = {k: checked[k] for k in adapter.secret_options if checked.get(k) not in (None, "", {}, [])}
    public = {k: v for k, v in checked.items() if k not in adapter.secret_options}
    return public, (ctx.keys.encrypt(json.dumps(secret, ensure_ascii=False)) if secret else "")


def _options(ctx: AppContext, adapter: Any, source: AdapterSource) -> BaseModel:
    try:
        return adapter.options_model.model_validate({**source.options, **_secrets_of(ctx, source)})
    except ValidationError as exc:
        raise PermanentFault("the stored options are no longer valid for this adapter: "
                             + "; ".join(f"{e['field']}: {e['message']}" for e in validation_errors(exc))) from None


# --- schedule --------------------------------------------------------------------------------

def next_fire(schedule: dict[str, Any] | None, timezone: str, after: datetime) -> datetime | None:
    """When ``schedule`` fires next after ``after`` (UTC), or None for a source run by hand."""
    if not schedule:
        return None
    if schedule.get("interval_minutes"):
        return after + timedelta(minutes=schedule["interval_minutes"])
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(schedule["cron"], timezone=ZoneInfo(timezone))
    fire = trigger.get_next_fire_time(None, after.astimezone(ZoneInfo(timezone)) + timedelta(microseconds=1))
    return fire.astimezone(after.tzinfo) if fire else None


def _check_schedule(schedule: Schedule | None, timezone: str) -> dict[str, Any] | None:
    if schedule is None:
        return None
    data = schedule.model_dump(exclude_none=True)
    if schedule.cron is not None:
        try:
            next_fire(data, timezone, utcnow())
        except ValueError as exc:
            raise Invalid(f"schedule.cron: {exc}", errors=[{"field": "schedule.cron", "message": str(exc)}]) from None
    return data


# --- mapping ---------------------------------------------------------------------------------

def _check_mapping(session: Session, locality_id: int, mapping: Mapping) -> None:
    template_ids = {v.template_id for v in mapping.values}
    templates = set(session.exec(select(IndicatorTemplate.id).where(
        IndicatorTemplate.locality_id == locality_id, col(IndicatorTemplate.id).in_(template_ids))).all())
    kinds = {(t, c): k for t, c, k in session.exec(select(Indicator.template_id, Indicator.code, Indicator.kind).where(
        col(Indicator.template_id).in_(templates or {0}))).all()}
    errors = []
    for index, value in enumerate(mapping.values):
        field = f"mapping.values[{index}]"
        if value.template_id not in templates:
            errors.append({"field": f"{field}.template_id",
                           "message": f"no template with id {value.template_id} in this locality"})
            continue
        kind = kinds.get((value.template_id, value.indicator_code))
        if kind is None:
            errors.append({"field": f"{field}.indicator_code",
                           "message": f"template {value.template_id} has no indicator {value.indicator_code!r}"})
        elif kind not in VALUE_KINDS:
            errors.append({"field": f"{field}.indicator_code",
                           "message": f"indicator {value.indicator_code!r} is {kind}; adapters fill only "
                                      f"{', '.join(sorted(VALUE_KINDS))} indicators"})
    if mapping.period.from_run_date is not None:
        # The run date's period must be of the kind each template takes (PeriodRule).
        today = Period.from_date(mapping.period.from_run_date, utcnow().date())
        for template_id, rule in sorted(period_rules(session, locality_id, templates).items()):
            problem = rule.problem(today)
            if problem:
                errors.append({"field": "mapping.period.from_run_date", "message": problem})
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)


def run_period(kind: PeriodKind | str, day: date) -> Period:
    """The period of ``kind`` holding the run date ``day`` (a date in KAOPING_TIMEZONE)."""
    return Period.from_date(kind, day)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(value: Any) -> float:
    """A finite number from a record's cell: numbers, Decimals and numeric text ("1,234.5");
    raises ValueError with the reason otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a number")
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise ValueError("empty")
        if not _NUMBER.match(text):
            raise ValueError(f"{value.strip()[:50]!r} is not a number")
        number = float(text)
    elif value is None:
        raise ValueError("empty")
    else:
        raise ValueError(f"{type(value).__name__} is not a number")
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return number


class SubjectIndex:
    """Finds the locality's subjects by unit code, name or id, as a mapping says."""

    def __init__(self, session: Session, locality_id: int, by: str, kind: SubjectKind | None):
        self.by = by
        self.names: dict[int, str] = {}
        self.keys: dict[str, list[int]] = {}
        query = select(Subject).where(Subject.locality_id == locality_id)
        if kind is not None:
            query = query.where(Subject.kind == kind)
        subjects = list(session.exec(query))
        self.names = {s.id: s.name for s in subjects}
        if by == "code":
            units = dict(session.exec(select(Unit.id, Unit.code).where(Unit.locality_id == locality_id)).all())
            for s in subjects:
                if s.kind == SubjectKind.unit and s.ref_id in units:
                    self.keys.setdefault(units[s.ref_id].strip().upper(), []).append(s.id)
        elif by == "name":
            for s in subjects:
                self.keys.setdefault(s.name.strip(), []).append(s.id)
        else:
            self.keys = {str(s.id): [s.id] for s in subjects}

    def find(self, value: Any) -> int:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("empty")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        key = str(value).strip()
        key = key.upper() if self.by == "code" else key
        found = self.keys.get(key, [])
        what = {"code": "unit code", "name": "name", "id": "id"}[self.by]
        if not found:
            raise ValueError(f"no subject with {what} {key[:100]!r} in this locality")
        if len(found) > 1:
            raise ValueError(f"{len(found)} subjects are named {key[:100]!r}; map by unit code or id instead")
        return found[0]


@dataclass
class Mapped:
    rows: list[dict[str, Any]]
    wheres: list[str]  # where each row came from
    rejected: list[dict[str, str]]
    rejected_records: int
    rejected_origins: set[str] = field(default_factory=set)
    subject_names: dict[int, str] = field(default_factory=dict)


def map_records(session: Session, locality_id: int, mapping: dict[str, Any], records: list[Record],
                run_date: date) -> Mapped:
    """Turn records into indicator-value rows; every bad record is reported with where it came
    from, which field, and why."""
    spec = Mapping.model_validate(mapping)
    subjects = SubjectIndex(session, locality_id, spec.subject.by, spec.subject.kind)
    fixed_period = run_period(spec.period.from_run_date, run_date) if spec.period.from_run_date else None
    period_field = spec.period.field or "mapping.period.from_run_date"
    rules = period_rules(session, locality_id, {v.template_id for v in spec.values})
    rows: list[dict[str, Any]] = []
    wheres: list[str] = []
    rejected: list[dict[str, str]] = []
    origins: set[str] = set()
    bad_records = 0
    for record in records:
        problems: list[dict[str, str]] = []

        def problem(field: str, message: str) -> None:
            problems.append({"where": record.where, "field": field, "message": message})

        subject_id = None
        try:
            subject_id = subjects.find(record_field(record.fields, spec.subject.field))
        except KeyError:
            problem(spec.subject.field, "missing")
        except ValueError as exc:
            problem(spec.subject.field, str(exc))
        period = fixed_period
        if period is None:
            try:
                period = Period.parse(record_field(record.fields, spec.period.field))
            except KeyError:
                problem(spec.period.field, "missing")
            except PeriodError as exc:
                problem(spec.period.field, exc.message)
        if period is not None:
            # A value of a kind its template cannot take would never count: the record is rejected.
            for message in dict.fromkeys(rules[v.template_id].problem(period) for v in spec.values
                                         if v.template_id in rules):
                if message:
                    problem(period_field, message)
        values = []
        for value_spec in spec.values:
            try:
                values.append((value_spec, parse_number(record_field(record.fields, value_spec.field))))
            except KeyError:
                problem(value_spec.field, "missing")
            except ValueError as exc:
                problem(value_spec.field, str(exc))
        if problems:
            bad_records += 1
            rejected.extend(problems)
            origins.add(record.origin)
            continue
        for value_spec, number in values:
            rows.append({"subject_id": subject_id, "template_id": value_spec.template_id,
                         "indicator_code": value_spec.indicator_code, "period": str(period), "value": number})
            wheres.append(record.where)
    return Mapped(rows=rows, wheres=wheres, rejected=rejected, rejected_records=bad_records,
                  rejected_origins=origins, subject_names=subjects.names)


# --- sources ---------------------------------------------------------------------------------

def _source_row(session: Session, actor: Actor, source_id: int, *, read_only: bool = False) -> AdapterSource:
    source = session.get(AdapterSource, source_id)
    if source is None or not can_see_locality(actor, source.locality_id, read_only=read_only):
        raise NotFound(f"no adapter source with id {source_id}")
    return source


def run_out(run: AdapterRun) -> AdapterRunOut:
    out = AdapterRunOut.model_validate(run)
    out.started_at = as_utc(run.started_at)
    out.finished_at = as_utc(run.finished_at)
    return out


def source_out(ctx: AppContext, session: Session, source: AdapterSource) -> AdapterSourceOut:
    return sources_out(ctx, session, [source])[0]


def sources_out(ctx: AppContext, session: Session, sources: list[AdapterSource]) -> list[AdapterSourceOut]:
    """Sources as the API shows them, with their newest run: two queries for any number."""
    if not sources:
        return []
    codes = dict(session.exec(select(Locality.id, Locality.code).where(
        col(Locality.id).in_({s.locality_id for s in sources}))).all())
    newest = select(func.max(AdapterRun.id)).where(col(AdapterRun.source_id).in_([s.id for s in sources])) \
        .group_by(col(AdapterRun.source_id))
    last_runs = {run.source_id: run for run in session.exec(select(AdapterRun).where(col(AdapterRun.id).in_(newest)))}
    return [AdapterSourceOut(
        id=source.id, locality_code=codes[source.locality_id], name=source.name, adapter=source.adapter,
        options=source.options, secrets_set=_secret_names(ctx, source), mapping=source.mapping,
        schedule=source.schedule, retry=source.retry, enabled=source.enabled,
        next_run_at=as_utc(source.next_run_at), running_since=as_utc(source.running_since),
        created_at=as_utc(source.created_at), updated_at=as_utc(source.updated_at),
        last_run=run_out(last_runs[source.id]) if source.id in last_runs else None) for source in sources]


def _secret_names(ctx: AppContext, source: AdapterSource) -> list[str]:
    try:
        return sorted(_secrets_of(ctx, source))
    except PermanentFault:
        log.error("adapter source %s: its secret options cannot be decrypted with this secret key", source.id)
        return []


def _name_taken(session: Session, locality_id: int, name: str, source_id: int | None = None) -> None:
    query = select(AdapterSource.id).where(AdapterSource.locality_id == locality_id, AdapterSource.name == name)
    existing = session.exec(query).first()
    if existing is not None and existing != source_id:
        raise Conflict(f"an adapter source named {name!r} already exists in this locality (id {existing})")


def _audit_view(source: AdapterSource) -> dict[str, Any]:
    return {"name": source.name, "adapter": source.adapter, "options": source.options, "mapping": source.mapping,
            "schedule": source.schedule, "retry": source.retry, "enabled": source.enabled,
            "secret_options": "set" if source.secret_options else ""}


def create_source(ctx: AppContext, actor: Actor, code: str, data: AdapterSourceIn) -> AdapterSourceOut:
    require_role(actor, OFFICE_ROLES, "add adapter sources")
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        adapter = _enabled_adapter(session, locality.id, data.adapter)
        _check_mapping(session, locality.id, data.mapping)
        schedule = _check_schedule(data.schedule, ctx.settings.timezone)
        _name_taken(session, locality.id, data.name)
        now = utcnow()
        source = AdapterSource(
            locality_id=locality.id, name=data.name, adapter=data.adapter, options={}, secret_options="",
            mapping=data.mapping.model_dump(mode="json"), schedule=schedule, retry=data.retry.model_dump(),
            enabled=data.enabled, next_run_at=next_fire(schedule, ctx.settings.timezone, now) if data.enabled else None,
            created_at=now, updated_at=now)
        session.add(source)
        session.flush()  # its id names its work folder, which the options are checked against
        source.options, source.secret_options = _split_options(ctx, adapter, data.options, {},
                                                               adapter_context(ctx, source, locality.code))
        session.add(source)
        _set_aside_old_files(adapter_context(ctx, source, locality.code).work_dir)
        audit.record(session, actor, locality_id=locality.id, action="adapter_source.create",
                     target_type="adapter_source", target_id=source.id, after=_audit_view(source))
        return source_out(ctx, session, source)


def _set_aside_old_files(work_dir: Path) -> None:
    """A new source may get the id of a deleted one (SQLite reuses the highest id): the deleted
    source's files are renamed aside, never read by the new source, never deleted."""
    if work_dir.exists():
        work_dir.rename(work_dir.with_name(f"{work_dir.name}.deleted-{utcnow():%Y%m%d%H%M%S%f}"))


def update_source(ctx: AppContext, actor: Actor, source_id: int, data: AdapterSourcePatch) -> AdapterSourceOut:
    require_role(actor, OFFICE_ROLES, "change adapter sources")
    with ctx.db.write() as session:
        source = _source_row(session, actor, source_id)
        before = _audit_view(source)
        given = data.model_fields_set
        if "name" in given and data.name is not None:
            _name_taken(session, source.locality_id, data.name, source.id)
            source.name = data.name
        if "options" in given and data.options is not None:
            adapter = _enabled_adapter(session, source.locality_id, source.adapter)
            try:
                kept = _secrets_of(ctx, source)
            except PermanentFault:  # unreadable under this key: only what is given now counts
                kept = {}
            locality_code = session.exec(select(Locality.code).where(Locality.id == source.locality_id)).one()
            source.options, source.secret_options = _split_options(ctx, adapter, data.options, kept,
                                                                   adapter_context(ctx, source, locality_code))
        if "mapping" in given and data.mapping is not None:
            _check_mapping(session, source.locality_id, data.mapping)
            source.mapping = data.mapping.model_dump(mode="json")
        if "retry" in given and data.retry is not None:
            source.retry = data.retry.model_dump()
        if "enabled" in given and data.enabled is not None:
            source.enabled = data.enabled
        now = utcnow()
        if "schedule" in given:
            source.schedule = _check_schedule(data.schedule, ctx.settings.timezone)
        if {"schedule", "enabled"} & given:
            source.next_run_at = next_fire(source.schedule, ctx.settings.timezone, now) if source.enabled else None
        source.updated_at = now
        session.add(source)
        audit.record(session, actor, locality_id=source.locality_id, action="adapter_source.update",
                     target_type="adapter_source", target_id=source.id, before=before, after=_audit_view(source))
        return source_out(ctx, session, source)


def delete_source(ctx: AppContext, actor: Actor, source_id: int) -> None:
    require_role(actor, OFFICE_ROLES, "delete adapter sources")
    with ctx.db.write() as session:
        source = _source_row(session, actor, source_id)
        if source.running_since is not None and as_utc(source.running_since) > utcnow() - STALE_AFTER:
            raise Conflict(f"adapter source {source.id} is running; delete it when the run has finished")
        audit.record(session, actor, locality_id=source.locality_id, action="adapter_source.delete",
                     target_type="adapter_source", target_id=source.id, before=_audit_view(source))
        session.delete(source)


def get_source(ctx: AppContext, actor: Actor, source_id: int) -> AdapterSourceOut:
    require_role(actor, ADMIN_READ_ROLES, "read adapter sources")
    with ctx.db.read() as session:
        return source_out(ctx, session, _source_row(session, actor, source_id, read_only=True))


def list_sources(ctx: AppContext, actor: Actor, code: str, limit: int = 100, offset: int = 0) -> Page[AdapterSourceOut]:
    require_role(actor, ADMIN_READ_ROLES, "read adapter sources")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = select(AdapterSource).where(AdapterSource.locality_id == locality.id).order_by(col(AdapterSource.id))
        page = paginate(session, query, limit, offset, lambda _s, row: row)
        page.items = sources_out(ctx, session, page.items)
        return page


def visible_sources(ctx: AppContext, actor: Actor) -> list[AdapterSourceOut]:
    """Every source the actor may see (the admin pages' overview): a platform admin's all."""
    require_role(actor, ADMIN_READ_ROLES, "read adapter sources")
    with ctx.db.read() as session:
        query = select(AdapterSource).order_by(col(AdapterSource.locality_id), col(AdapterSource.id))
        if not actor.is_platform_admin:
            query = query.where(AdapterSource.locality_id == actor.locality_id)
        return sources_out(ctx, session, list(session.exec(query.limit(500))))


def list_runs(ctx: AppContext, actor: Actor, source_id: int, limit: int = 50, offset: int = 0) -> Page[AdapterRunOut]:
    require_role(actor, ADMIN_READ_ROLES, "read adapter runs")
    with ctx.db.read() as session:
        source = _source_row(session, actor, source_id, read_only=True)
        query = (select(AdapterRun).where(AdapterRun.source_id == source.id)
                 .order_by(col(AdapterRun.started_at).desc(), col(AdapterRun.id).desc()))
        return paginate(session, query, limit, offset, lambda _s, row: run_out(row))


def source_by_reference(ctx: AppContext, reference: str) -> int:
    """A source id from ``ID`` or ``LOCALITY/NAME`` (for the command line)."""
    with ctx.db.read() as session:
        if reference.isdigit():
            source = session.get(AdapterSource, int(reference))
        else:
            code, _, name = reference.partition("/")
            source = session.exec(select(AdapterSource).join(Locality, Locality.id == AdapterSource.locality_id)
                                  .where(Locality.code == code, AdapterSource.name == name)).first()
        if source is None:
            raise NotFound(f"no adapter source {reference!r} (give its id or LOCALITY/NAME)")
        return source.id


# --- test, preview, files --------------------------------------------------------------------

def adapter_context(ctx: AppContext, source: AdapterSource, locality_code: str, run_date: date | None = None
                    ) -> AdapterContext:
    work_dir = Path(ctx.settings.var_dir).resolve() / "adapter-files" / locality_code / str(source.id)
    return AdapterContext(
        source_id=source.id, source_name=source.name, locality_code=locality_code,
        run_date=run_date or datetime.now(ZoneInfo(ctx.settings.timezone)).date(), work_dir=work_dir,
        allowed_folders=ctx.settings.allowed_adapter_folders, own_database_url=ctx.db.url,
        allow_loopback=ctx.settings.adapter_allow_loopback, log=log)


def _prepare(ctx: AppContext, session: Session, source: AdapterSource) -> tuple[Any, BaseModel, AdapterContext]:
    locality_code = session.exec(select(Locality.code).where(Locality.id == source.locality_id)).one()
    try:
        adapter = _enabled_adapter(session, source.locality_id, source.adapter)
    except Invalid as exc:
        raise PermanentFault(exc.message) from None
    return adapter, _options(ctx, adapter, source), adapter_context(ctx, source, locality_code)


def _load_prepared(ctx: AppContext, actor: Actor, source_id: int) -> tuple[AdapterSource, Any, BaseModel,
                                                                         AdapterContext]:
    """The source the actor may see, its adapter, its options (secrets decrypted) and a context.
    Raises NotFound for a source out of reach, AdapterFault when its adapter is disabled or its
    stored options no longer fit."""
    with ctx.db.read() as session:
        source = _source_row(session, actor, source_id)
        adapter, options, context = _prepare(ctx, session, source)
        session.expunge(source)
        return source, adapter, options, context


def _refused(fault: AdapterFault, field: str = "") -> Invalid:
    return Invalid(str(fault), errors=[{"field": field, "message": str(fault)}])


def test_source(ctx: AppContext, actor: Actor, source_id: int) -> ConnectionTest:
    """Reach the source once (no retries, nothing written)."""
    require_role(actor, OFFICE_ROLES, "test adapter sources")
    try:
        _source, adapter, options, context = _load_prepared(ctx, actor, source_id)
        return ConnectionTest(ok=True, message=adapter.test(options, context))
    except AdapterFault as exc:
        return ConnectionTest(ok=False, message=str(exc))


def preview_source(ctx: AppContext, actor: Actor, source_id: int) -> Preview:
    """Fetch once (no retries) and map; show the first rows; nothing is written or moved."""
    require_role(actor, OFFICE_ROLES, "preview adapter sources")
    try:
        source, adapter, options, context = _load_prepared(ctx, actor, source_id)
        fetched = adapter.fetch(options, context)
    except AdapterFault as exc:
        raise _refused(exc) from None
    with ctx.db.read() as session:
        mapped = map_records(session, source.locality_id, source.mapping, fetched.records, context.run_date)
    rows = [PreviewRow(where=where, subject_name=mapped.subject_names[row["subject_id"]], **row)
            for row, where in zip(mapped.rows[:PREVIEW_ROWS], mapped.wheres, strict=False)]
    return Preview(rows_read=len(fetched.records), rows=rows, rows_rejected=mapped.rejected_records,
                   rejected=[RejectedRow(**r) for r in mapped.rejected[:MAX_REJECTED_KEPT]])


def upload_file(ctx: AppContext, actor: Actor, source_id: int, filename: str, content: bytes) -> dict[str, Any]:
    """Put a file into the folder of a source whose adapter takes files (one with ``receive``,
    see ``core.adapters``: ``tabular_file``); the next run reads it. Answers ``{"file": name,
    "bytes": size}``; Invalid for a source whose adapter takes no files or a name it refuses,
    TooLarge past its size limit."""
    require_role(actor, OFFICE_ROLES, "upload files to adapter sources")
    try:
        source, adapter, options, context = _load_prepared(ctx, actor, source_id)
    except AdapterFault as exc:
        raise _refused(exc) from None
    receive = getattr(adapter, "receive", None)
    if receive is None:
        raise Invalid(f"adapter source {source.id} reads {source.adapter}, not files",
                      errors=[{"field": "file", "message": "only tabular_file sources take files"}])
    try:
        path = receive(options, context, filename, content)
    except AdapterFault as exc:
        raise _refused(exc, "file") from None
    with ctx.db.write() as session:
        audit.record(session, actor, locality_id=source.locality_id, action="adapter_source.upload",
                     target_type="adapter_source", target_id=source.id, after={"file": path.name, "bytes": len(content)})
    return {"file": path.name, "bytes": len(content)}


# --- runs ------------------------------------------------------------------------------------

def start_run(ctx: AppContext, source_id: int, trigger: str, *, due_at: datetime | None = None,
              next_at: datetime | None = None) -> int | None:
    """Claim the source and record a new run; return its id.

    For a scheduled firing (``due_at`` given), first move ``next_run_at`` from ``due_at`` to
    ``next_at`` with a conditional UPDATE: only the instance whose UPDATE changes the row fires,
    the others return None. A source still running is not started again: a firing is then
    skipped (None), a manual run answers 409.
    """
    now = utcnow()
    with ctx.db.write() as session:
        if due_at is not None:
            fired = session.execute(update(AdapterSource).where(
                AdapterSource.id == source_id, AdapterSource.next_run_at == due_at,
                AdapterSource.enabled == True,  # noqa: E712 - SQL expression
            ).values(next_run_at=next_at))
            if fired.rowcount != 1:
                return None
        claimed = session.execute(update(AdapterSource).where(
            AdapterSource.id == source_id,
            or_(col(AdapterSource.running_since).is_(None), AdapterSource.running_since < now - STALE_AFTER),
        ).values(running_since=now))
        if claimed.rowcount != 1:
            if due_at is not None:
                log.info("adapter source %s is still running: this firing is skipped", source_id)
                return None  # the moved next_run_at commits: the firing is consumed
            since = session.exec(select(AdapterSource.running_since).where(AdapterSource.id == source_id)).first()
            raise Conflict(f"adapter source {source_id} is already running (since {as_utc(since):%Y-%m-%d %H:%M:%S} UTC)"
                           if since else f"no adapter source with id {source_id}")
        source = session.get(AdapterSource, source_id)
        # Runs left 'running' by a process that died: they wrote nothing (one transaction).
        session.execute(update(AdapterRun).where(
            AdapterRun.source_id == source_id, AdapterRun.status == RunStatus.running,
        ).values(status=RunStatus.failed, finished_at=now, error="abandoned: the process running it stopped"))
        run = AdapterRun(locality_id=source.locality_id, source_id=source_id, trigger=trigger, runner=RUNNER,
                         status=RunStatus.running, started_at=now)
        session.add(run)
        session.flush()
        return run.id


class _Attempts:
    def __init__(self) -> None:
        self.count = 0


def _fetch_with_retries(adapter: Any, options: BaseModel, context: AdapterContext, retry: Retry,
                        attempts: _Attempts, source_label: str) -> Fetched:
    backoff = wait_random_exponential(multiplier=retry.initial_seconds, max=retry.max_backoff_seconds)

    def wait(state: RetryCallState) -> float:
        fault = state.outcome.exception() if state.outcome else None
        retry_after = getattr(fault, "retry_after", None) or 0.0
        return max(backoff(state), min(float(retry_after), retry.max_seconds))

    def before_sleep(state: RetryCallState) -> None:
        fault = state.outcome.exception() if state.outcome else None
        log.warning("%s: attempt %d failed (%s); retrying in %.1f s", source_label, state.attempt_number, fault,
                    state.next_action.sleep if state.next_action else 0.0)

    retrying = Retrying(retry=retry_if_exception_type(TransientFault),
                        stop=stop_after_attempt(retry.attempts) | stop_before_delay(retry.max_seconds),
                        wait=wait, before_sleep=before_sleep, reraise=True)
    for attempt in retrying:
        with attempt:
            attempts.count += 1
            fetched = adapter.fetch(options, context)
            if len(fetched.records) > MAX_RECORDS:
                raise PermanentFault(f"{len(fetched.records)} records: more than {MAX_RECORDS} in one run")
            return fetched
    raise AssertionError("unreachable")  # pragma: no cover - reraise=True


def _finish(session: Session, run_id: int, **outcome: Any) -> AdapterRun:
    """Record the run's outcome and release the source's claim, in the caller's transaction
    (a successful run's: the one that wrote its values); the run, detached."""
    run = session.get(AdapterRun, run_id)
    for key, value in outcome.items():
        setattr(run, key, value)
    run.finished_at = utcnow()
    session.add(run)
    session.execute(update(AdapterSource).where(AdapterSource.id == run.source_id).values(running_since=None))
    session.flush()
    session.refresh(run)
    session.expunge(run)
    return run


def execute_run(ctx: AppContext, run_id: int) -> AdapterRunOut:
    """Carry out a claimed run (see ``start_run``) to its end; never raises for the source's
    faults: they end up in the run."""
    attempts = _Attempts()
    fetched: Fetched | None = None
    with ctx.db.read() as session:
        run = session.get(AdapterRun, run_id)
        source = session.get(AdapterSource, run.source_id)
        session.expunge(source)
        label = f"adapter source {source.id} ({source.name})"
        try:
            adapter, options, context = _prepare(ctx, session, source)
        except AdapterFault as exc:
            return _failed(ctx, run_id, source, str(exc), attempts)
    try:
        fetched = _fetch_with_retries(adapter, options, context, Retry.model_validate(source.retry or {}), attempts,
                                      label)
    except TransientFault as exc:
        return _failed(ctx, run_id, source, f"gave up after {attempts.count} attempt(s): {exc}", attempts,
                       on_failure=exc.on_failure)
    except AdapterFault as exc:
        rejected = getattr(exc, "rejected", [])
        return _failed(ctx, run_id, source, str(exc), attempts, rows_rejected=len({r["where"] for r in rejected}),
                       rejected=rejected, on_failure=exc.on_failure)
    except Exception as exc:  # a bug in the adapter: fail the run, keep the trace in the log
        log.exception("%s: the adapter failed unexpectedly", label)
        return _failed(ctx, run_id, source, f"the adapter failed unexpectedly: {type(exc).__name__}: {exc}", attempts)

    records = fetched.records
    try:
        with ctx.db.write() as session:
            mapped = map_records(session, source.locality_id, source.mapping, records, context.run_date)
            if mapped.rejected:
                raise _Rejected(mapped)
            written = upsert_values(session, source.locality_id, mapped.rows, source=f"adapter:{source.name}"[:100],
                                    actor=Actor.system(f"adapter:{source.name}"), max_rows=len(mapped.rows))
            run = _finish(session, run_id, status=RunStatus.succeeded, attempts=attempts.count,
                          rows_read=len(records), rows_written=written, rows_rejected=0)
    except _Rejected as exc:
        reason = f"{exc.mapped.rejected_records} of {len(records)} records cannot be used; nothing was written"
        on_rejected, origins = fetched.on_rejected, exc.mapped.rejected_origins
        details = "\n".join([reason, *(f"{r['where']}: {r['field']}: {r['message']}"
                                       for r in exc.mapped.rejected[:MAX_REJECTED_KEPT])])
        return _failed(ctx, run_id, source, reason, attempts, fetched=fetched, rows_read=len(records),
                       rows_rejected=exc.mapped.rejected_records, rejected=exc.mapped.rejected,
                       on_failure=(lambda _why: on_rejected(details, origins)) if on_rejected else None)
    except Invalid as exc:
        rejected = [{"where": mapped.wheres[e["index"]] if "index" in e else "", "field": e.get("field", ""),
                     "message": e["message"]} for e in exc.errors]
        return _failed(ctx, run_id, source, f"{exc.message}", attempts, fetched=fetched, rows_read=len(records),
                       rows_rejected=len({r["where"] for r in rejected}), rejected=rejected)
    if fetched.on_success is not None:
        try:
            fetched.on_success()
        except Exception:  # the values are in; the next run reads the same data again, harmlessly
            log.exception("%s: values written, but finishing on the source failed", label)
    log.info("%s: run %d succeeded: %d records read, %d values written, %d attempt(s)", label, run.id,
             run.rows_read, run.rows_written, run.attempts)
    _notify(ctx, source, run)
    return run_out(run)


class _Rejected(Exception):
    def __init__(self, mapped: Mapped):
        super().__init__("rejected records")
        self.mapped = mapped


def _failed(ctx: AppContext, run_id: int, source: AdapterSource, error: str, attempts: _Attempts, *,
            fetched: Fetched | None = None, rows_read: int = 0, rows_rejected: int = 0,
            rejected: list[dict[str, str]] | None = None,
            on_failure: Callable[[str], None] | None = None) -> AdapterRunOut:
    rejected = rejected or []
    with ctx.db.write() as session:
        run = _finish(session, run_id, status=RunStatus.failed, error=error[:4000], attempts=attempts.count,
                      rows_read=rows_read, rows_written=0, rows_rejected=rows_rejected,
                      rejected=rejected[:MAX_REJECTED_KEPT])
    log.warning("adapter source %s (%s): run %d failed: %s", source.id, source.name, run_id, error)
    on_failure = on_failure or (fetched.on_failure if fetched is not None else None)
    if on_failure is not None:
        try:
            on_failure(error)
        except Exception:
            log.exception("adapter source %s: cleaning up after a failed run failed", source.id)
    _notify(ctx, source, run)
    return run_out(run)


def _notify(ctx: AppContext, source: AdapterSource, run: AdapterRun) -> None:
    try:
        with ctx.db.read() as session:
            hooks = hooks_for(session, source.locality_id)
        hooks.kaoping_adapter_run_finished(ctx=ctx, source=source, run=run)
    except Exception:
        log.exception("adapter source %s: a kaoping_adapter_run_finished hook failed", source.id)


def run_now(ctx: AppContext, actor: Actor, source_id: int, trigger: str = "manual") -> AdapterRunOut:
    """Run a source now, whatever its schedule (``POST /api/adapter-sources/{id}/run``, the CLI)."""
    require_role(actor, OFFICE_ROLES, "run adapter sources")
    with ctx.db.read() as session:
        _source_row(session, actor, source_id)
    run_id = start_run(ctx, source_id, trigger)
    return execute_run(ctx, run_id)
