"""Adapter sources of a locality: the installed adapter types, options (secret ones encrypted),
schedules, creating, changing, deleting and listing sources. Testing and previewing one, and
uploading a file to one, are in ``core.services.adapters.reach``. See ``core.services.adapters``."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pluggy
from pydantic import BaseModel, ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.adapters import AdapterContext, AdapterFault, OptionsFault, PermanentFault
from core.context import Actor, AppContext
from core.models import AdapterRun, AdapterSource, Locality
from core.models.base import utcnow
from core.plugins import get_plugin_manager, plugin_info, plugins_by_name
from core.schemas.adapters import (
    AdapterRunOut,
    AdapterSourceIn,
    AdapterSourceOut,
    AdapterSourcePatch,
    Schedule,
)
from core.schemas.base import Page
from core.services import audit
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES, can_see_locality, locality_for, require_role
from core.services.adapters.mapping import _check_mapping
from core.services.campaigns import as_utc
from core.services.errors import Conflict, Invalid, NotFound
from core.services.paging import paginate
from core.services.plugins import hooks_for, validation_errors

log = logging.getLogger("kaoping.adapters")

# A claim older than this belongs to a process that died mid-run: it may be taken over.
STALE_AFTER = timedelta(hours=2)
# Rejected rows kept on a run (the count is always complete).
MAX_REJECTED_KEPT = 1000


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
        rows.append(
            {
                "name": name,
                "label_zh": adapter.label_zh,
                "label_en": adapter.label_en,
                "plugin": plugin_name,
                "plugin_essential": info.essential,
                "secret_options": list(adapter.secret_options),
                "options_schema": adapter.options_model.model_json_schema(),
            }
        )
    return rows


def adapters_for(session: Session, locality_id: int) -> dict[str, Any]:
    """The adapter types the locality has enabled, by name."""
    return {a.name: a for adapters in hooks_for(session, locality_id).kaoping_adapters() for a in adapters}


def _enabled_adapter(session: Session, locality_id: int, name: str, field: str = "adapter") -> Any:
    adapters = adapters_for(session, locality_id)
    if name not in adapters:
        installed = adapter_types()
        reason = (
            f"is not enabled for this locality (enable its plugin {installed[name][0]!r})"
            if name in installed
            else "is not an installed adapter type"
        )
        raise Invalid(
            f"{field}: {name!r} {reason}; enabled: {', '.join(sorted(adapters)) or 'none'}",
            errors=[{"field": field, "message": reason}],
        )
    return adapters[name]


def _secrets_of(ctx: AppContext, source: AdapterSource) -> dict[str, Any]:
    if not source.secret_options:
        return {}
    try:
        return json.loads(ctx.keys.decrypt(source.secret_options))
    except ValueError:  # encrypted under another secret key
        raise PermanentFault(
            "the secret options cannot be decrypted with this server's secret key "
            "(was KAOPING_SECRET_KEY changed?); enter them again"
        ) from None


def _split_options(
    ctx: AppContext, adapter: Any, options: dict[str, Any], kept_secrets: dict[str, Any], context: AdapterContext
) -> tuple[dict[str, Any], str]:
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
        raise PermanentFault(
            "the stored options are no longer valid for this adapter: "
            + "; ".join(f"{e['field']}: {e['message']}" for e in validation_errors(exc))
        ) from None


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
    codes = dict(
        session.exec(
            select(Locality.id, Locality.code).where(col(Locality.id).in_({s.locality_id for s in sources}))
        ).all()
    )
    newest = (
        select(func.max(AdapterRun.id))
        .where(col(AdapterRun.source_id).in_([s.id for s in sources]))
        .group_by(col(AdapterRun.source_id))
    )
    last_runs = {run.source_id: run for run in session.exec(select(AdapterRun).where(col(AdapterRun.id).in_(newest)))}
    return [
        AdapterSourceOut(
            id=source.id,
            locality_code=codes[source.locality_id],
            name=source.name,
            adapter=source.adapter,
            options=source.options,
            secrets_set=_secret_names(ctx, source),
            mapping=source.mapping,
            schedule=source.schedule,
            retry=source.retry,
            enabled=source.enabled,
            next_run_at=as_utc(source.next_run_at),
            running_since=as_utc(source.running_since),
            created_at=as_utc(source.created_at),
            updated_at=as_utc(source.updated_at),
            last_run=run_out(last_runs[source.id]) if source.id in last_runs else None,
        )
        for source in sources
    ]


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
    return {
        "name": source.name,
        "adapter": source.adapter,
        "options": source.options,
        "mapping": source.mapping,
        "schedule": source.schedule,
        "retry": source.retry,
        "enabled": source.enabled,
        "secret_options": "set" if source.secret_options else "",
    }


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
            locality_id=locality.id,
            name=data.name,
            adapter=data.adapter,
            options={},
            secret_options="",
            mapping=data.mapping.model_dump(mode="json"),
            schedule=schedule,
            retry=data.retry.model_dump(),
            enabled=data.enabled,
            next_run_at=next_fire(schedule, ctx.settings.timezone, now) if data.enabled else None,
            created_at=now,
            updated_at=now,
        )
        session.add(source)
        session.flush()  # its id names its work folder, which the options are checked against
        source.options, source.secret_options = _split_options(
            ctx, adapter, data.options, {}, adapter_context(ctx, source, locality.code)
        )
        session.add(source)
        _set_aside_old_files(adapter_context(ctx, source, locality.code).work_dir)
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="adapter_source.create",
            target_type="adapter_source",
            target_id=source.id,
            after=_audit_view(source),
        )
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
            source.options, source.secret_options = _split_options(
                ctx, adapter, data.options, kept, adapter_context(ctx, source, locality_code)
            )
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
        audit.record(
            session,
            actor,
            locality_id=source.locality_id,
            action="adapter_source.update",
            target_type="adapter_source",
            target_id=source.id,
            before=before,
            after=_audit_view(source),
        )
        return source_out(ctx, session, source)


def delete_source(ctx: AppContext, actor: Actor, source_id: int) -> None:
    require_role(actor, OFFICE_ROLES, "delete adapter sources")
    with ctx.db.write() as session:
        source = _source_row(session, actor, source_id)
        if source.running_since is not None and as_utc(source.running_since) > utcnow() - STALE_AFTER:
            raise Conflict(f"adapter source {source.id} is running; delete it when the run has finished")
        audit.record(
            session,
            actor,
            locality_id=source.locality_id,
            action="adapter_source.delete",
            target_type="adapter_source",
            target_id=source.id,
            before=_audit_view(source),
        )
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
        query = (
            select(AdapterRun)
            .where(AdapterRun.source_id == source.id)
            .order_by(col(AdapterRun.started_at).desc(), col(AdapterRun.id).desc())
        )
        return paginate(session, query, limit, offset, lambda _s, row: run_out(row))


def source_by_reference(ctx: AppContext, reference: str) -> int:
    """A source id from ``ID`` or ``LOCALITY/NAME`` (for the command line)."""
    with ctx.db.read() as session:
        if reference.isdigit():
            source = session.get(AdapterSource, int(reference))
        else:
            code, _, name = reference.partition("/")
            source = session.exec(
                select(AdapterSource)
                .join(Locality, Locality.id == AdapterSource.locality_id)
                .where(Locality.code == code, AdapterSource.name == name)
            ).first()
        if source is None:
            raise NotFound(f"no adapter source {reference!r} (give its id or LOCALITY/NAME)")
        return source.id


def adapter_context(
    ctx: AppContext, source: AdapterSource, locality_code: str, run_date: date | None = None
) -> AdapterContext:
    work_dir = Path(ctx.settings.var_dir).resolve() / "adapter-files" / locality_code / str(source.id)
    return AdapterContext(
        source_id=source.id,
        source_name=source.name,
        locality_code=locality_code,
        run_date=run_date or datetime.now(ZoneInfo(ctx.settings.timezone)).date(),
        work_dir=work_dir,
        allowed_folders=ctx.settings.allowed_adapter_folders,
        own_database_url=ctx.db.url,
        allow_loopback=ctx.settings.adapter_allow_loopback,
        log=log,
    )
