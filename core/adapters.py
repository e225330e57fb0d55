"""The types adapter plugins work with.

An *adapter type* (a plugin, see the ``kaoping_adapters`` hook) knows how to read one kind of
external source: a JSON API, a folder of CSV/XLSX files, a SQL database. An *adapter source*
(a row of ``adapter_sources``) is an instance of one with options, a mapping and a schedule.

The core does everything else: it validates options, keeps secret options encrypted, retries
transient faults with backoff, maps records to indicator values, writes a run's values in one
transaction (or none), records the run, and schedules. An adapter only has to:

- ``test(options, context)``: reach the source and say so in one line, or raise a fault;
- ``fetch(options, context)``: read every record and return a ``Fetched``. Reading must have no
  effect on the source, because a transient fault makes the core call ``fetch`` again from the
  start; effects that must follow a successful run (moving a processed file aside) go in
  ``Fetched.on_success``, which the core calls after the values are committed;
- optionally ``check(options, context)``: called when a source is saved, to refuse at once what
  every run would refuse whatever the source holds (a folder outside the allowed places, a URL
  to an address the server may not reach, the platform's own database): raise ``OptionsFault``
  naming the option, and the save answers 422. Without touching files or the network.

Faults: raise ``TransientFault`` for what may pass by itself (connection refused or dropped,
timeouts, HTTP 429 and 5xx; give ``retry_after`` in seconds when the source says it), and
``PermanentFault`` for what will not (401, 404, malformed data, a bad query): the run fails at
once with that message. Messages must not contain secrets (tokens, passwords).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

# At most this many records per run (a larger pull is refused as a permanent fault).
MAX_RECORDS = 200_000


class AdapterFault(Exception):
    """A fault reading a source; ``str(fault)`` is shown to the office.

    ``on_failure(reason)``, when set, is called once the run has failed (not by a preview): e.g.
    to move aside a file that cannot be read, so it does not fail every later run too.
    """

    on_failure: Callable[[str], None] | None = None


class TransientFault(AdapterFault):
    """May pass by itself: the core retries with backoff (at least ``retry_after`` seconds)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFault(AdapterFault):
    """Will not pass by retrying: the run fails at once with this message.

    ``rejected``: the rows it is about, as the run lists rejected rows (``where``, ``field``,
    ``message``), e.g. the rows of a file that do not decode.
    """

    def __init__(self, message: str, rejected: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.rejected = rejected or []


class OptionsFault(PermanentFault):
    """Options that no run could use, found when the source is saved (``check``) or run:
    ``option`` names the option (dotted, e.g. ``folder`` or ``url``); the message says what is
    wrong with it (English, with the values filled in: a catalogue entry with placeholders
    translates it for the office)."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Record:
    """One external record: ``where`` says where it came from for error reports, as the
    office would find it ("file a.csv, row 7", "page 2, record 13")."""

    where: str
    fields: dict[str, Any]
    # What the record came from (e.g. a file's path), for ``Fetched.on_rejected``.
    origin: str = ""


@dataclass
class Fetched:
    records: list[Record]
    # Called after the run's values are committed (e.g. move processed files aside).
    on_success: Callable[[], None] | None = None
    # Called when the run fails after fetching (e.g. move a rejected file aside), with the reason.
    on_failure: Callable[[str], None] | None = None
    # Called instead of ``on_failure`` when the run fails because some records cannot be used:
    # with the reason and the ``origin`` of each rejected record (e.g. move only those files aside,
    # so the good ones are read by the next run).
    on_rejected: Callable[[str, set[str]], None] | None = None


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter may know about the run besides its options."""

    source_id: int
    source_name: str
    locality_code: str
    run_date: date
    # A folder for this source's files under the server's var folder (tabular_file's default inbox).
    work_dir: Path
    # Absolute folders the platform allows adapters to read (setting KAOPING_ADAPTER_FOLDERS).
    allowed_folders: tuple[Path, ...] = ()
    # The app's own database URL: adapters must refuse to read it (tenant isolation).
    own_database_url: str = ""
    # Whether network adapters may reach this server's own loopback addresses (setting
    # KAOPING_ADAPTER_ALLOW_LOOPBACK): off, so a locality cannot reach services meant for the server.
    allow_loopback: bool = False
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("kaoping.adapters"))


class AdapterType(Protocol):
    name: str
    label_zh: str
    label_en: str
    options_model: type[BaseModel]
    # Top-level option names kept encrypted and never returned by the API.
    secret_options: tuple[str, ...]

    def test(self, options: BaseModel, context: AdapterContext) -> str:
        """Reach the source; return a one-line description of what was found, or raise a fault."""

    def fetch(self, options: BaseModel, context: AdapterContext) -> Fetched:
        """Read every record (no side effects on the source; see the module docstring)."""

    # Optional, and not part of this protocol's required members:
    # def check(self, options: BaseModel, context: AdapterContext) -> None:
    #     """When a source is saved: raise OptionsFault for options no run could use."""
    # def receive(self, options: BaseModel, context: AdapterContext, filename: str, content: bytes) -> Path:
    #     """An adapter that reads files takes an uploaded one for its next run: the path it was
    #     saved to. Raise core.services.errors.Invalid or TooLarge for a file it refuses, or a
    #     fault (OptionsFault for a folder it may not use). Without it, a source takes no uploads."""


@dataclass(frozen=True)
class TargetRun:
    """What a record target is told about the run handing it records: ``run_id`` is None for a
    preview (``dry_run``: check the records, write nothing)."""

    locality_id: int
    source_id: int
    source_name: str
    run_id: int | None
    run_date: date
    dry_run: bool = False


@dataclass
class TargetResult:
    """What a record target did: rows ``written`` (or that would be, in a dry run), and the
    records it could not use, each problem as a run lists rejected rows (``where``, ``field``,
    ``message``). Any rejected record fails the run and nothing is written (the core rolls the
    transaction back)."""

    written: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    rejected_records: int = 0
    rejected_origins: set[str] = field(default_factory=set)


class RecordTarget(Protocol):
    """Where an adapter source's records go instead of indicator values (hook
    ``kaoping_adapter_targets``): e.g. the cadre cloud's negative-information records. A source's
    mapping names it (``{"target": name, "options": {...}}``); ``options_model`` checks those
    options when the source is saved. ``write`` (``ctx``: the ``AppContext``, e.g. for its keys) runs inside the run's write transaction, after
    the adapter fetched: it checks every record and writes its rows with ``session`` (never
    committing), or, in a dry run (a preview), only checks."""

    name: str
    label_zh: str
    label_en: str
    options_model: type[BaseModel]

    def write(self, ctx: Any, session: Any, options: BaseModel, records: list[Record], run: TargetRun) -> TargetResult:
        """Check and write the records (see the class)."""


def field_value(fields: dict[str, Any], path: str) -> Any:
    """The value at ``path`` in a record: a key, or a dotted path into nested objects
    (``"stats.closed"``). A key that itself contains dots is found first. Missing: KeyError."""
    if path in fields:
        return fields[path]
    current: Any = fields
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise KeyError(path)
    return current


def safe_location(url: str) -> str:
    """A URL without credentials or query string, for messages and logs."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme else parts.path
