"""Adapter sources of a locality and their runs.

A run goes: claim (a conditional UPDATE sets ``running_since``, so a source never runs twice
at once, whatever instance asks) → fetch, retrying transient faults with tenacity → map every
record to indicator values (every bad record is reported, by where it came from) → write all
values in one transaction together with the run's outcome, or none → release the claim →
``kaoping_adapter_run_finished``. A scheduled firing also moves ``next_run_at`` forward with a
conditional UPDATE first, so several app instances fire a due source once (see core/scheduler.py).

The package: ``sources`` (adapter types, options, schedules, the sources), ``reach`` (a source's
context and options for a run, its test, preview and uploads), ``mapping`` (records to indicator values), ``runs``; every name
callers use is importable from ``core.services.adapters``.
"""

from __future__ import annotations

from core.services.adapters.mapping import (
    Mapped,
    SubjectIndex,
    map_records,
    parse_number,
    run_period,
)
from core.services.adapters.reach import (
    PREVIEW_ROWS,
    preview_source,
    test_source,
    upload_file,
)
from core.services.adapters.runs import (
    RUNNER,
    execute_run,
    run_now,
    start_run,
)
from core.services.adapters.sources import (
    MAX_REJECTED_KEPT,
    STALE_AFTER,
    adapter_context,
    adapter_types,
    adapters_for,
    create_source,
    delete_source,
    get_source,
    installed_adapters,
    list_runs,
    list_sources,
    log,
    next_fire,
    run_out,
    source_by_reference,
    source_out,
    sources_out,
    update_source,
    visible_sources,
)
from core.services.campaigns import as_utc  # callers found it here

__all__ = [
    "MAX_REJECTED_KEPT",
    "Mapped",
    "PREVIEW_ROWS",
    "RUNNER",
    "STALE_AFTER",
    "SubjectIndex",
    "adapter_context",
    "adapter_types",
    "adapters_for",
    "as_utc",
    "create_source",
    "delete_source",
    "execute_run",
    "get_source",
    "installed_adapters",
    "list_runs",
    "list_sources",
    "log",
    "map_records",
    "next_fire",
    "parse_number",
    "preview_source",
    "run_now",
    "run_out",
    "run_period",
    "source_by_reference",
    "source_out",
    "sources_out",
    "start_run",
    "test_source",
    "update_source",
    "upload_file",
    "visible_sources",
]
