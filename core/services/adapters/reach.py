"""Reaching an adapter source: the context and options (secrets decrypted) a run works with
(``_prepare``, used by ``core.services.adapters.runs``), and what the office does by hand —
test the connection, preview what a run would read (nothing written), upload a file to a source
that takes files. The sources themselves are kept in ``core.services.adapters.sources``. See
``core.services.adapters``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from core.adapters import AdapterContext, AdapterFault, PermanentFault, TargetRun
from core.context import Actor, AppContext
from core.models import AdapterSource, Locality
from core.schemas.adapters import (
    ConnectionTest,
    Mapping,
    Preview,
    PreviewRow,
    RejectedRow,
)
from core.services import audit
from core.services.access import OFFICE_ROLES, require_role
from core.services.adapters.mapping import map_records, target_of
from core.services.adapters.sources import (
    MAX_REJECTED_KEPT,
    _enabled_adapter,
    _options,
    _source_row,
    adapter_context,
)
from core.services.errors import Invalid

PREVIEW_ROWS = 20


def _prepare(ctx: AppContext, session: Session, source: AdapterSource) -> tuple[Any, BaseModel, AdapterContext]:
    locality_code = session.exec(select(Locality.code).where(Locality.id == source.locality_id)).one()
    try:
        adapter = _enabled_adapter(session, source.locality_id, source.adapter)
    except Invalid as exc:
        raise PermanentFault(exc.message) from None
    return adapter, _options(ctx, adapter, source), adapter_context(ctx, source, locality_code)


def _load_prepared(
    ctx: AppContext, actor: Actor, source_id: int
) -> tuple[AdapterSource, Any, BaseModel, AdapterContext]:
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
    spec = Mapping.model_validate(source.mapping)
    if spec.target is not None:  # a record target checks the records (a dry run): no value rows to show
        with ctx.db.read() as session:
            target, target_options = target_of(session, source.locality_id, spec)
            run = TargetRun(source.locality_id, source.id, source.name, None, context.run_date, dry_run=True)
            result = target.write(ctx, session, target_options, fetched.records, run)
        return Preview(
            rows_read=len(fetched.records),
            rows=[],
            rows_rejected=result.rejected_records or len({r["where"] for r in result.rejected}),
            rejected=[RejectedRow(**r) for r in result.rejected[:MAX_REJECTED_KEPT]],
        )
    with ctx.db.read() as session:
        mapped = map_records(session, source.locality_id, source.mapping, fetched.records, context.run_date)
    rows = [
        PreviewRow(where=where, subject_name=mapped.subject_names[row["subject_id"]], **row)
        for row, where in zip(mapped.rows[:PREVIEW_ROWS], mapped.wheres, strict=False)
    ]
    return Preview(
        rows_read=len(fetched.records),
        rows=rows,
        rows_rejected=mapped.rejected_records,
        rejected=[RejectedRow(**r) for r in mapped.rejected[:MAX_REJECTED_KEPT]],
    )


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
        raise Invalid(
            f"adapter source {source.id} reads {source.adapter}, not files",
            errors=[{"field": "file", "message": "only tabular_file sources take files"}],
        )
    try:
        path = receive(options, context, filename, content)
    except AdapterFault as exc:
        raise _refused(exc, "file") from None
    with ctx.db.write() as session:
        audit.record(
            session,
            actor,
            locality_id=source.locality_id,
            action="adapter_source.upload",
            target_type="adapter_source",
            target_id=source.id,
            after={"file": path.name, "bytes": len(content)},
        )
    return {"file": path.name, "bytes": len(content)}
