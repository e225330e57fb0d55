"""Adapter type ``tabular_file``: CSV or XLSX files that appear in a folder (an inbox).

``fetch`` reads every file of the folder whose name matches ``patterns`` (sorted by name, not
sub-folders), except files still being written: names starting with "." (``save_upload``'s
temporary files) or "~$" (Excel's lock files), and files modified less than two seconds ago.
Each row below the header row becomes a record whose fields are named by the header cells;
empty rows are skipped. Reading has no effect: after the run's values are committed the core
calls ``on_success``, which moves the files into ``processed/``. A run that fails because of
rejected rows calls ``on_rejected``, which moves only the files with rejected rows into
``failed/`` with ``NAME.reason.txt`` beside (the rows and reasons); the other files wait for the
next run. Any other failure (``on_failure``) moves all of the run's files there. So a file is
read by one successful run only, and a preview leaves the files where they are.

The folder is relative to the source's work folder (``context.work_dir``, the default inbox),
or an absolute folder inside one of ``context.allowed_folders`` (setting
``KAOPING_ADAPTER_FOLDERS``); anything else is refused, after resolving ``..`` and symlinks.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text") or GBK, as a whole,
cells as text (the core parses numbers). XLSX: the first sheet or ``sheet``, numeric cells stay
numbers, dates become ISO text. The reader is the unit/people import's (``core.tabular``), with
its size and zip-bomb limits: a file of mixed encodings, or with formulas whose value was never
saved, is refused naming its rows or cells (rejected rows of the run; the file goes to ``failed/``).
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

from core import tabular
from core.adapters import MAX_RECORDS, AdapterContext, Fetched, OptionsFault, PermanentFault, Record
from core.hookspecs import hookimpl
from core.plugins import PluginInfo
from core.services.errors import Invalid, ServiceError, TooLarge

KAOPING_PLUGIN = PluginInfo(
    label_zh="表格文件（CSV/XLSX）",
    label_en="Tabular files (CSV/XLSX)",
    description="CSV or XLSX files dropped into a folder or uploaded; each is read once.",
    locales_dir=Path(__file__).parent / "locales",  # adapters/locales: the options' titles, test results
)

MAX_FILE_BYTES = 50 * 1024 * 1024
MIN_AGE_SECONDS = 2.0  # a file modified more recently may still be being written
PROCESSED = "processed"
FAILED = "failed"
UPLOAD_SUFFIXES = (".csv", ".xlsx")


class TabularFileOptions(BaseModel):
    model_config = {"extra": "forbid"}

    folder: str = Field(
        default="",
        description="Folder to read: relative to the source's own work folder ('' = "
        "that folder), or an absolute folder inside one of the folders the "
        "platform allows (KAOPING_ADAPTER_FOLDERS).",
    )
    patterns: list[str] = Field(
        default_factory=lambda: ["*.csv", "*.xlsx"],
        min_length=1,
        description="File name patterns to read (case-insensitive), e.g. 'cases-*.csv'.",
    )
    sheet: str | None = Field(default=None, description="Sheet of an .xlsx workbook to read (default: the first).")
    header_row: int = Field(
        default=1,
        ge=1,
        le=1000,
        description="Row number of the header row (as the spreadsheet shows it); the rows below are the records.",
    )

    @field_validator("patterns")
    @classmethod
    def _plain_patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if not pattern.strip() or "/" in pattern or "\\" in pattern:
                raise ValueError(f"{pattern!r}: a pattern names files of the folder itself, e.g. '*.csv'")
        return [p.strip() for p in patterns]


# --- the folder ------------------------------------------------------------------------------


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _place(options: TabularFileOptions, context: AdapterContext) -> Path:
    """The folder the options name, resolved (``..`` and symlinks); OptionsFault if it is
    outside the places this source may read. Creates and checks nothing."""
    work_dir = Path(context.work_dir).resolve()
    raw = Path(options.folder.strip()) if options.folder.strip() else Path(".")
    if raw.is_absolute():
        folder = raw.resolve()
        roots = [Path(root).resolve() for root in context.allowed_folders] + [work_dir]
        if not any(_inside(folder, root) for root in roots):
            raise OptionsFault(
                "folder",
                f"folder {raw}: not inside a folder the platform allows adapters to read (KAOPING_ADAPTER_FOLDERS)",
            )
    else:
        folder = (work_dir / raw).resolve()
        if not _inside(folder, work_dir):
            raise OptionsFault(
                "folder",
                f"folder {options.folder.strip()}: a relative folder must stay inside the source's work folder",
            )
    return folder


def resolve_folder(options: TabularFileOptions, context: AdapterContext, create: bool = False) -> Path:
    """The folder to read, resolved; PermanentFault if it is outside the allowed places."""
    folder = _place(options, context)
    work_dir = Path(context.work_dir).resolve()
    if create and _inside(folder, work_dir):
        folder.mkdir(parents=True, exist_ok=True)
    if not folder.is_dir():
        raise PermanentFault(f"folder {folder}: does not exist or is not a folder")
    return folder


def _matches(name: str, patterns: list[str]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern.lower()) for pattern in patterns)


def waiting_files(options: TabularFileOptions, folder: Path, now: float | None = None) -> list[Path]:
    """The files a fetch would read now, sorted by name."""
    now = time.time() if now is None else now
    files = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith((".", "~$")) or not _matches(entry.name, options.patterns):
            continue
        if entry.is_symlink() or not entry.is_file():  # a link could lead out of the allowed folders
            continue
        if now - entry.stat().st_mtime < MIN_AGE_SECONDS:
            continue  # still being written (copied over a share, saved by Excel); next run
        files.append(Path(entry.path))
    return files


# --- reading ---------------------------------------------------------------------------------


def _fault(name: str, exc: ServiceError) -> PermanentFault:
    """The reader's error as a fault naming the file; the rows or cells it names become the
    run's rejected rows."""
    message = exc.message
    if message.startswith("file: "):
        message = message[len("file: ") :]
    rejected = [
        {"where": f"file {name}, row {error['row']}", "field": error.get("column", ""), "message": error["message"]}
        for error in exc.errors
        if error.get("row")
    ]
    return PermanentFault(f"file {name}: {message}", rejected=rejected)


def _header_name(value: Any) -> str:
    return str(value).lstrip("\ufeff").strip() if value is not None else ""


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_file(path: Path, options: TabularFileOptions) -> list[Record]:
    """The records of one file; PermanentFault naming the file (and row) if it cannot be read."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PermanentFault(
                f"file {name}: {size // (1024 * 1024)} MB; the limit is "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into several files."
            )
        content = path.read_bytes()
    except OSError as exc:
        raise PermanentFault(f"file {name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    header: list[str] | None = None
    records: list[Record] = []
    try:
        rows = tabular.read_rows(name, content, sheet=options.sheet, keep_types=True)
        for number, row in enumerate(rows, start=1):
            if number < options.header_row:
                continue
            if number == options.header_row:
                header = [_header_name(cell) for cell in row]
                _check_header(name, number, header)
                continue
            assert header is not None
            if all(_empty(cell) for cell in row):
                continue
            # cells of columns without a header cannot be mapped: they are left out
            fields = {title: (row[i] if i < len(row) else "") for i, title in enumerate(header) if title}
            if len(records) >= MAX_RECORDS:
                raise PermanentFault(f"file {name}: more than {MAX_RECORDS} rows; split it into several files")
            records.append(Record(where=f"file {name}, row {number}", fields=fields, origin=str(path)))
    except ServiceError as exc:  # Invalid / TooLarge from the readers
        raise _fault(name, exc) from None
    if header is None:
        raise PermanentFault(f"file {name}: no header row (expected on row {options.header_row})")
    return records


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _check_header(name: str, number: int, header: list[str]) -> None:
    if not any(header):
        raise PermanentFault(f"file {name}, row {number}: the header row is empty")
    seen: dict[str, int] = {}
    for index, title in enumerate(header):
        if not title:
            continue
        if title in seen:
            raise PermanentFault(
                f"file {name}, row {number}: column {title!r} appears twice "
                f"({_column(seen[title])} and {_column(index)})"
            )
        seen[title] = index


# --- moving files aside ----------------------------------------------------------------------


def _free_name(target_dir: Path, name: str) -> Path:
    target = target_dir / name
    if not target.exists():
        return target
    stem, suffix = Path(name).stem, Path(name).suffix
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = target_dir / f"{stem}-{stamp}{suffix}"
    counter = 2
    while target.exists():
        target = target_dir / f"{stem}-{stamp}-{counter}{suffix}"
        counter += 1
    return target


def move_aside(path: Path, subfolder: str, context: AdapterContext) -> Path | None:
    """Move ``path`` into ``its folder/subfolder/`` (a free name); None if it is gone already."""
    target_dir = path.parent / subfolder
    target_dir.mkdir(exist_ok=True)
    target = _free_name(target_dir, path.name)
    try:
        os.replace(path, target)
    except FileNotFoundError:
        context.log.warning(
            "source %s: %s was gone before it could be moved to %s/", context.source_name, path.name, subfolder
        )
        return None
    return target


# --- the adapter -----------------------------------------------------------------------------


class TabularFileAdapter:
    name = "tabular_file"
    label_zh = "表格文件（CSV/XLSX）"
    label_en = "Tabular files (CSV/XLSX)"
    options_model = TabularFileOptions
    secret_options: tuple[str, ...] = ()

    def check(self, options: TabularFileOptions, context: AdapterContext) -> None:
        """When the source is saved: a folder outside its work folder and KAOPING_ADAPTER_FOLDERS
        is refused then, not at its first run (the folder need not exist yet)."""
        _place(options, context)

    def receive(self, options: TabularFileOptions, context: AdapterContext, filename: str, content: bytes) -> Path:
        """An uploaded file into the source's folder, for the next run (``save_upload``)."""
        return save_upload(options, context, filename, content)

    def test(self, options: TabularFileOptions, context: AdapterContext) -> str:
        folder = resolve_folder(options, context, create=True)
        files = waiting_files(options, folder)
        if not files:
            return f"folder {folder}: no files waiting"
        counts = []
        fields: list[str] = []
        for path in files:
            records = read_file(path, options)
            counts.append(f"{path.name} ({len(records)})")
            if records and not fields:
                fields = list(records[0].fields)
        shown = ", ".join(counts[:5]) + (f", …(+{len(counts) - 5})" if len(counts) > 5 else "")
        columns = f"; columns {', '.join(fields)}" if fields else ""
        # each file with its number of records in brackets, and no word inside {shown}: the message
        # is translated by its pattern (adapters.po), which cannot reach words within a value
        return f"folder {folder}: {len(files)} file{'s' if len(files) != 1 else ''} waiting (records in each): {shown}{columns}"

    def fetch(self, options: TabularFileOptions, context: AdapterContext) -> Fetched:
        folder = resolve_folder(options, context, create=True)
        files = waiting_files(options, folder)
        records: list[Record] = []
        for path in files:
            try:
                records += read_file(path, options)
            except PermanentFault as fault:
                # Move the unreadable file aside when the run fails, or it would fail every run;
                # its .reason.txt lists the rows or cells the fault names.
                rows = [
                    ": ".join(part for part in (r["where"], r["field"], r["message"]) if part) for r in fault.rejected
                ]
                fault.on_failure = lambda reason, path=path, rows=rows: _move_failed(
                    [path], "\n".join([reason, *rows]), context
                )
                raise
            if len(records) > MAX_RECORDS:
                raise PermanentFault(
                    f"more than {MAX_RECORDS} rows in the waiting files (at {path.name}); split the pull"
                )
        if not files:
            return Fetched(records=[])

        def on_success() -> None:
            for path in files:
                move_aside(path, PROCESSED, context)

        def on_rejected(reason: str, origins: set[str]) -> None:
            # Only the files with rejected rows go aside; the others wait for the next run.
            _move_failed([path for path in files if str(path) in origins], reason, context)

        return Fetched(
            records=records,
            on_success=on_success,
            on_failure=lambda reason: _move_failed(files, reason, context),
            on_rejected=on_rejected,
        )


def _move_failed(files: list[Path], reason: str, context: AdapterContext) -> None:
    """Files of a failed run go to ``failed/``, each with a ``.reason.txt`` next to it."""
    for path in files:
        moved = move_aside(path, FAILED, context)
        if moved is not None:
            moved.with_name(moved.name + ".reason.txt").write_text(reason.rstrip() + "\n", encoding="utf-8")


ADAPTER = TabularFileAdapter()


def save_upload(options: TabularFileOptions, context: AdapterContext, filename: str, content: bytes) -> Path:
    """Put an uploaded file into the source's folder, atomically, for the next run; the path.

    The name must be a plain .csv or .xlsx file name that the source's patterns match (Invalid),
    the content at most MAX_FILE_BYTES (TooLarge). A name already waiting gets a timestamp
    suffix, so an earlier upload is never overwritten.
    """
    name = (filename or "").strip()
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name or ":" in name:
        raise Invalid(f"file: {filename!r} is not a plain file name")
    if name.startswith((".", "~$")):
        raise Invalid(f"file: {name!r}: names starting with '.' or '~$' are not read")
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise Invalid(f"file: {name!r}: only .csv and .xlsx files are accepted")
    if not _matches(name, options.patterns):
        raise Invalid(f"file: {name!r} does not match this source's file patterns ({', '.join(options.patterns)})")
    if not content:
        raise Invalid(f"file: {name!r} is empty")
    if len(content) > MAX_FILE_BYTES:
        raise TooLarge(
            f"file: {name!r} is {len(content) // (1024 * 1024)} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB"
        )
    folder = resolve_folder(options, context, create=True)
    handle, temp_name = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=folder)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        # complete by construction: make it old enough for the next run to read at once
        past = time.time() - MIN_AGE_SECONDS - 1
        os.utime(temp, (past, past))
        while True:
            target = _free_name(folder, name)
            try:
                os.link(temp, target)  # fails if the name was taken meanwhile: never overwrite
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links
                os.replace(temp, target)
            break
    finally:
        temp.unlink(missing_ok=True)
    return target


@hookimpl
def kaoping_adapters() -> list:
    return [ADAPTER]


@hookimpl
def kaoping_load_demo(ctx, actor, locality_code: str) -> list[str]:
    from adapters.demo import load_demo_source

    return load_demo_source(ctx, actor, locality_code)
