"""Adapter type ``sql``: the rows of a read-only query against another database.

The database is given by an SQLAlchemy URL (a secret option: it may hold a password). SQLite
and PostgreSQL are supported, and both are read-only for real, whatever the query says:

- the query must start with SELECT, WITH, VALUES or TABLE (a clear message for the usual
  mistake); then
- SQLite: the file is opened with ``mode=ro``, ``PRAGMA query_only`` is on and an authorizer
  denies everything but reading (no ATTACH, no PRAGMA, no writes);
- PostgreSQL: the query runs in a ``SET TRANSACTION READ ONLY`` transaction with a
  ``statement_timeout``, through a server-side cursor, so one statement only (``SELECT 1;
  COMMIT; DELETE ...`` is refused) and no data-modifying ``WITH``.

Still, give the adapter a database user that may only read what it needs.

Refused (permanent): the app's own database (tenant isolation: another locality's data is
there), SQLite files outside ``context.allowed_folders`` and ``context.work_dir``, other kinds
of database. A failed connection or a query that runs out of time is transient; a bad query
(syntax, unknown table or column, a write) is permanent.

Records: one per row, ``where`` = "row N", fields named by the result's columns; values as the
driver returns them, except dates and times (ISO text) and bytes (hex text). The query may use
bind parameters (``:name``) from ``params``; ``:run_date`` (YYYY-MM-DD), ``:run_month``
(YYYY-MM) and ``:locality_code`` are filled from the run unless ``params`` gives them.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from pydantic import BaseModel, Field
from sqlalchemy import create_engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

from core.adapters import MAX_RECORDS, AdapterContext, Fetched, OptionsFault, PermanentFault, Record, TransientFault
from core.db import normalize_url
from core.hookspecs import hookimpl
from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(
    label_zh="SQL 数据库",
    label_en="SQL database",
    description="Rows of a read-only query against another SQLite or PostgreSQL database.",
    locales_dir=Path(__file__).parent / "locales",  # adapters/locales: the options' titles, test results
)

BATCH = 1000
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1", "[::1]"}
READING_STARTS = ("select", "with", "values", "table")
# PostgreSQL SQLSTATE classes that may pass by themselves: connection, resources, operator
# intervention (57014 = statement timeout), serialization failure and deadlock
TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57", "58")
TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}
PERMANENT_CONNECT_SQLSTATES = {"28000", "28P01", "3D000", "42501"}  # credentials, no database, no privilege


class SqlOptions(BaseModel):
    model_config = {"extra": "forbid"}

    url: str = Field(
        description="SQLAlchemy URL of the database, e.g. postgresql://reader:password@host/db or "
        "sqlite:///data/cases.db (a relative SQLite path is inside the source's work "
        "folder). Stored encrypted: it may hold a password."
    )
    query: str = Field(
        min_length=1,
        description="One SELECT statement; its columns become the record fields. Bind parameters are written :name.",
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Values of the query's bind parameters. :run_date, :run_month and "
        ":locality_code are filled from the run unless given here.",
    )
    timeout_seconds: float = Field(
        default=30, gt=0, le=3600, description="Longest time to connect and to run the query (a transient fault)."
    )


# --- where the database is -------------------------------------------------------------------


def _parse(url: str) -> URL:
    try:
        parsed = make_url(normalize_url(url.strip()))
    except (sa_exc.ArgumentError, ValueError):
        raise PermanentFault(
            "url: not a database URL (e.g. postgresql://user:password@host/db or sqlite:///file.db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed
    raise PermanentFault(f"url: {backend} databases are not supported (sqlite, postgresql)")


def _sqlite_path(url: URL, work_dir: Path) -> Path | None:
    database = url.database or ""
    if database.startswith("file:"):
        database = database[len("file:") :].split("?", 1)[0]
    if not database or database == ":memory:":
        return None
    path = Path(database)
    return (path if path.is_absolute() else Path(work_dir) / path).resolve()


def _pg_key(url: URL) -> tuple[str, int, str]:
    host: Any = url.host or url.query.get("host") or ""
    if isinstance(host, tuple):  # ?host=a&host=b
        host = host[0] if host else ""
    host = str(host).lower()
    host = "local" if host in LOCAL_HOSTS or host.startswith("/") else host
    return host, url.port or 5432, url.database or url.username or ""


def _same_database(url: URL, own: str, work_dir: Path) -> bool:
    if not own:
        return False
    try:
        own_url = make_url(normalize_url(own))
    except (sa_exc.ArgumentError, ValueError):
        return False
    if url.get_backend_name() != own_url.get_backend_name():
        return False
    if url.get_backend_name() == "sqlite":
        mine = _sqlite_path(url, work_dir)
        theirs = _sqlite_path(own_url, Path.cwd())
        return mine is not None and mine == theirs
    return _pg_key(url) == _pg_key(own_url)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _describe(url: URL, path: Path | None) -> str:
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {path.name if path else '?'}"
    host, port, database = _pg_key(url)
    return f"database {database} on {url.host or host}:{port}"


# --- engines ---------------------------------------------------------------------------------


def _sqlite_engine(path: Path, deadline: list[float]) -> Engine:
    def creator() -> sqlite3.Connection:
        connection = sqlite3.connect(
            f"file:{pathname2url(str(path))}?mode=ro", uri=True, timeout=5, check_same_thread=False
        )
        connection.execute("PRAGMA query_only = ON")
        # the query runs out of time: sqlite stops it with "interrupted"
        connection.set_progress_handler(lambda: 1 if time.monotonic() > deadline[0] else 0, 10_000)
        return connection

    return create_engine("sqlite://", creator=creator, poolclass=NullPool)


_SQLITE_READING = (
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),
)


def _sqlite_authorize(action: int, *_args) -> int:
    """Installed just before the query (SQLAlchemy's own set-up runs PRAGMAs): reading only."""
    return sqlite3.SQLITE_OK if action in _SQLITE_READING else sqlite3.SQLITE_DENY


def _postgres_engine(url: URL, timeout: float) -> Engine:
    return create_engine(
        url,
        poolclass=NullPool,
        connect_args={"connect_timeout": max(2, math.ceil(timeout)), "application_name": "kaoping-adapter"},
    )


# --- faults ----------------------------------------------------------------------------------


def _driver_message(error: BaseException, secrets: list[str]) -> str:
    original = getattr(error, "orig", None) or error
    message = (str(original).strip().splitlines() or [type(original).__name__])[0][:300]
    for secret in secrets:
        message = message.replace(secret, "***")
    return message


def _sqlstate(error: BaseException) -> str:
    return getattr(getattr(error, "orig", None), "sqlstate", None) or ""


def _connect_fault(error: BaseException, where: str, secrets: list[str]) -> Exception:
    state = _sqlstate(error)
    message = _driver_message(error, secrets)
    if (
        state in PERMANENT_CONNECT_SQLSTATES
        or "password authentication failed" in message
        or "does not exist" in message
        or "no pg_hba.conf entry" in message
    ):
        return PermanentFault(f"{where}: the database refused the connection ({message})")
    return TransientFault(f"{where}: cannot connect ({message})")


def _query_fault(error: BaseException, where: str, secrets: list[str], timeout: float) -> Exception:
    state = _sqlstate(error)
    message = _driver_message(error, secrets)
    if state == "57014" or message == "interrupted":
        return TransientFault(f"{where}: the query took longer than {timeout:g} s")
    if (
        state == "25006"
        or "readonly database" in message
        or "read-only transaction" in message
        or "not authorized" in message
        or "data-modifying" in message
        or "multiple commands" in message
        or "one statement at a time" in message
    ):
        return PermanentFault(
            f"{where}: the query tried to change the database or run more than one statement "
            f"({message}); this adapter only reads"
        )
    if state in TRANSIENT_SQLSTATES or state[:2] in TRANSIENT_SQLSTATE_CLASSES or "database is locked" in message:
        return TransientFault(f"{where}: {message}")
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return TransientFault(f"{where}: the connection was lost ({message})")
    return PermanentFault(f"{where}: the query failed ({message})")


# --- the query -------------------------------------------------------------------------------

_LEADING_NOISE = re.compile(r"^(\s+|--[^\n]*\n?|/\*.*?\*/|\()*", re.S)


def _check_query(query: str) -> None:
    rest = _LEADING_NOISE.sub("", query, count=1)
    word = re.match(r"[A-Za-z]+", rest)
    first = word.group(0).lower() if word else rest[:1]
    if first not in READING_STARTS:
        raise PermanentFault(
            f"query: must be a SELECT (it starts with {first.upper() or 'nothing'}); this adapter only reads"
        )


def _value(value: Any) -> Any:
    if isinstance(value, (datetime, date, dtime)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _locate(options: SqlOptions, context: AdapterContext) -> tuple[URL, Path | None]:
    """The database the options name, and its file for SQLite; PermanentFault for a kind of
    database, a file or the platform's own database that no run may read. Opens nothing."""
    url = _parse(options.url)
    if _same_database(url, context.own_database_url, context.work_dir):
        raise PermanentFault("url: this is the platform's own database; an adapter may not read it")
    path: Path | None = None
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url, context.work_dir)
        if path is None:
            raise PermanentFault("url: an in-memory SQLite database has nothing to read; name a file")
        roots = [Path(root).resolve() for root in context.allowed_folders] + [Path(context.work_dir).resolve()]
        if not any(_inside(path, root) for root in roots):
            raise PermanentFault(
                f"url: the SQLite file {path.name} is not inside a folder the platform allows "
                f"adapters to read (KAOPING_ADAPTER_FOLDERS) or the source's work folder"
            )
    return url, path


def _run(options: SqlOptions, context: AdapterContext, limit: int | None) -> tuple[list[str], list[Record]]:
    url = _parse(options.url)
    secrets = [s for s in (url.password, options.url.strip()) if s]
    _check_query(options.query)
    url, path = _locate(options, context)
    where = _describe(url, path)
    if path is not None and not path.is_file():
        raise PermanentFault(f"{where}: the file does not exist")

    statement = text(options.query)
    names = set(statement.compile().params)
    automatic = {
        "run_date": context.run_date.isoformat(),
        "run_month": context.run_date.strftime("%Y-%m"),
        "locality_code": context.locality_code,
    }
    params = {name: automatic[name] for name in names if name in automatic and name not in options.params}
    params.update({name: value for name, value in options.params.items() if name in names})
    missing = sorted(names - set(params))
    if missing:
        raise PermanentFault(f"query: no value for :{', :'.join(missing)} (add it to params)")

    deadline = [time.monotonic() + options.timeout_seconds]
    engine = _sqlite_engine(path, deadline) if path is not None else _postgres_engine(url, options.timeout_seconds)
    try:
        try:
            connection = engine.connect()
        except sa_exc.DBAPIError as error:
            raise _connect_fault(error, where, secrets) from None
        except sa_exc.SQLAlchemyError as error:
            raise TransientFault(f"{where}: cannot connect ({_driver_message(error, secrets)})") from None
        with connection:
            try:
                if path is not None:
                    connection.connection.dbapi_connection.set_authorizer(_sqlite_authorize)
                else:
                    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                    milliseconds = max(1, int(options.timeout_seconds * 1000))
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
                deadline[0] = time.monotonic() + options.timeout_seconds
                result = connection.execution_options(stream_results=True, max_row_buffer=BATCH).execute(
                    statement, params
                )
                columns = list(result.keys())
                _check_columns(where, columns)
                records: list[Record] = []
                wanted = MAX_RECORDS + 1 if limit is None else limit
                while len(records) < wanted:
                    rows = result.fetchmany(min(BATCH, wanted - len(records)))
                    if not rows:
                        break
                    for row in rows:
                        records.append(
                            Record(where=f"row {len(records) + 1}", fields={c: _value(v) for c, v in zip(columns, row)})
                        )
                result.close()
            except sa_exc.DBAPIError as error:
                raise _query_fault(error, where, secrets, options.timeout_seconds) from None
            except sa_exc.StatementError as error:
                raise PermanentFault(f"{where}: the query failed ({_driver_message(error, secrets)})") from None
    finally:
        engine.dispose()
    if limit is None and len(records) > MAX_RECORDS:
        raise PermanentFault(f"{where}: the query returns more than {MAX_RECORDS} rows; narrow it")
    return columns, records


def _check_columns(where: str, columns: list[str]) -> None:
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise PermanentFault(f"{where}: the query returns two columns named {column!r}; give one an alias (AS ...)")
        seen.add(column)


class SqlAdapter:
    name = "sql"
    label_zh = "SQL 数据库"
    label_en = "SQL database"
    options_model = SqlOptions
    secret_options = ("url",)

    def check(self, options: SqlOptions, context: AdapterContext) -> None:
        """When the source is saved: the kind of database, where its file is, not the platform's
        own database; and that the query reads (the database is only reached by a run)."""
        try:
            _locate(options, context)
        except PermanentFault as fault:
            raise OptionsFault("url", str(fault)) from None
        try:
            _check_query(options.query)
        except PermanentFault as fault:
            raise OptionsFault("query", str(fault)) from None

    def test(self, options: SqlOptions, context: AdapterContext) -> str:
        columns, records = _run(options, context, limit=MAX_RECORDS + 1)
        count = f"more than {MAX_RECORDS}" if len(records) > MAX_RECORDS else str(len(records))
        return f"query: {count} row{'s' if len(records) != 1 else ''}, columns {', '.join(columns)}"

    def fetch(self, options: SqlOptions, context: AdapterContext) -> Fetched:
        return Fetched(records=_run(options, context, limit=None)[1])


ADAPTER = SqlAdapter()


@hookimpl
def kaoping_adapters() -> list:
    return [ADAPTER]
