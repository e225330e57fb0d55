"""The ``sql`` adapter against a real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

import socket
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from adapters import sql
from adapters.sql import ADAPTER
from core.adapters import PermanentFault, TransientFault
from core.db import normalize_url
from tests.adapters.conftest import make_context
from tests.adapters.fake_platform import all_records
from tests.conftest import REQUIRE_POSTGRES, _postgres_admin_url

COLUMNS = [
    "dept_code",
    "dept_name",
    "month",
    "cases_closed",
    "on_time_rate",
    "complaints",
    "complaints_answered_in_time",
]
QUERY = f"SELECT {', '.join(COLUMNS)} FROM business ORDER BY id"
CREATE = (
    "CREATE TABLE business (id INTEGER PRIMARY KEY, dept_code VARCHAR(20), dept_name VARCHAR(100), "
    "month VARCHAR(7), cases_closed INTEGER, on_time_rate NUMERIC(6, 4), complaints INTEGER, "
    "complaints_answered_in_time INTEGER, reported_on DATE)"
)
PASSWORD = "pw-7c1e55aa-secret"


def load_business(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        connection.execute(text(CREATE))
        connection.execute(
            text(
                "INSERT INTO business (id, dept_code, dept_name, month, cases_closed, on_time_rate, "
                "complaints, complaints_answered_in_time, reported_on) VALUES (:id, :dept_code, "
                ":dept_name, :month, :cases_closed, :on_time_rate, :complaints, "
                ":complaints_answered_in_time, :reported_on)"
            ),
            [
                {**record, "id": index, "reported_on": f"{record['month']}-28"}
                for index, record in enumerate(all_records(), start=1)
            ],
        )
    engine.dispose()


def count(url: str) -> int:
    engine = create_engine(normalize_url(url))
    with engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM business")).scalar_one()
    engine.dispose()
    return total


def opts(url: str, query: str = QUERY, **changes):
    return ADAPTER.options_model.model_validate({"url": url, "query": query, **changes})


def expected_records(numeric=float) -> list[dict]:
    return [{**r, "on_time_rate": numeric(str(r["on_time_rate"]))} for r in all_records()]


# --- SQLite ----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path) -> tuple[Path, str, object]:
    """A business SQLite file inside the source's work folder, and the context."""
    context = make_context(tmp_path / "work")
    path = context.work_dir / "business.db"
    load_business(f"sqlite:///{path}")
    return path, f"sqlite:///{path}", context


def test_the_plugin_registers_one_adapter_named_like_its_module():
    assert [a.name for a in sql.kaoping_adapters()] == ["sql"]
    assert ADAPTER.secret_options == ("url",)
    with pytest.raises(ValidationError):
        ADAPTER.options_model.model_validate({"url": "sqlite:///x.db", "query": "SELECT 1", "extra": True})


def test_sqlite_fetch_returns_every_row(sqlite_db):
    path, url, context = sqlite_db
    fetched = ADAPTER.fetch(opts(url), context)
    assert len(fetched.records) == 288
    assert [r.fields for r in fetched.records] == expected_records()
    assert fetched.records[0].where == "row 1" and fetched.records[-1].where == "row 288"
    assert fetched.on_success is None
    # a relative path is inside the work folder
    assert len(ADAPTER.fetch(opts("sqlite:///business.db"), context).records) == 288


def test_sqlite_test_message_and_dates_as_iso_text(sqlite_db):
    path, url, context = sqlite_db
    assert ADAPTER.test(opts(url), context) == f"query: 288 rows, columns {', '.join(COLUMNS)}"
    fetched = ADAPTER.fetch(opts(url, "SELECT date(reported_on) AS d, x'00ff' AS b FROM business LIMIT 1"), context)
    assert fetched.records[0].fields == {"d": "2026-01-28", "b": "00ff"}


def test_bind_parameters_from_params_and_from_the_run(sqlite_db):
    path, url, context = sqlite_db
    query = "SELECT dept_code, month FROM business WHERE dept_code = :code AND month <= :run_month ORDER BY id"
    fetched = ADAPTER.fetch(opts(url, query, params={"code": "U002"}), context)  # run_date 2026-03-31
    assert [r.fields["month"] for r in fetched.records] == ["2026-01", "2026-02", "2026-03"]
    with pytest.raises(PermanentFault, match=r"^query: no value for :code \(add it to params\)$"):
        ADAPTER.fetch(opts(url, query), context)


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM business",
        "  -- clean up\n delete from business",
        "PRAGMA query_only = OFF",
        "ATTACH DATABASE 'other.db' AS other",
        "WITH gone AS (SELECT 1) DELETE FROM business",
        "SELECT 1; DELETE FROM business",
        "SELECT count(*) FROM business; DROP TABLE business",
    ],
    ids=["delete", "commented-delete", "pragma", "attach", "with-delete", "two-statements", "drop"],
)
def test_sqlite_is_read_only(sqlite_db, query):
    path, url, context = sqlite_db
    with pytest.raises(PermanentFault) as caught:
        ADAPTER.fetch(opts(url, query), context)
    assert "only reads" in str(caught.value)
    assert count(url) == 288
    assert not (context.work_dir / "other.db").exists()


def test_sqlite_file_is_opened_read_only(sqlite_db):
    """Even past the statement check, the file itself is opened read-only."""
    path, _url, _context = sqlite_db
    engine = sql._sqlite_engine(path, [float("inf")])
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        raw.set_authorizer(None)
        with pytest.raises(sqlite3.OperationalError, match="readonly|query_only"):
            raw.execute("DELETE FROM business")
    engine.dispose()
    assert count(f"sqlite:///{path}") == 288


def test_sqlite_bad_queries_are_permanent(sqlite_db):
    path, url, context = sqlite_db
    with pytest.raises(PermanentFault, match=r"^SQLite file business.db: the query failed \(no such table: nope\)$"):
        ADAPTER.fetch(opts(url, "SELECT * FROM nope"), context)
    with pytest.raises(PermanentFault, match="syntax error"):
        ADAPTER.fetch(opts(url, "SELECT FROM WHERE"), context)
    with pytest.raises(PermanentFault, match="two columns named 'a'"):
        ADAPTER.fetch(opts(url, "SELECT 1 AS a, 2 AS a"), context)


def test_sqlite_slow_query_is_transient(sqlite_db):
    path, url, context = sqlite_db
    forever = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) SELECT max(i) FROM n"
    )
    with pytest.raises(TransientFault, match=r"^SQLite file business.db: the query took longer than 0.2 s$"):
        ADAPTER.fetch(opts(url, forever, timeout_seconds=0.2), context)


def test_sqlite_files_outside_the_allowed_folders_are_refused(tmp_path):
    outside = tmp_path / "elsewhere" / "data.db"
    outside.parent.mkdir()
    sqlite3.connect(outside).close()
    context = make_context(tmp_path / "work")
    for url in (f"sqlite:///{outside}", "sqlite:///../elsewhere/data.db"):
        with pytest.raises(PermanentFault, match="not inside a folder the platform allows"):
            ADAPTER.fetch(opts(url, "SELECT 1"), context)
    allowed = make_context(tmp_path / "work", allowed_folders=(outside.parent,))
    assert ADAPTER.fetch(opts(f"sqlite:///{outside}", "SELECT 1 AS one"), allowed).records[0].fields == {"one": 1}
    with pytest.raises(PermanentFault, match="^SQLite file missing.db: the file does not exist$"):
        ADAPTER.fetch(opts("sqlite:///missing.db", "SELECT 1"), context)
    with pytest.raises(PermanentFault, match="in-memory"):
        ADAPTER.fetch(opts("sqlite://", "SELECT 1"), context)
    with pytest.raises(PermanentFault, match="mysql databases are not supported"):
        ADAPTER.fetch(opts("mysql://u:p@h/db", "SELECT 1"), context)


def test_the_own_sqlite_database_is_refused(sqlite_db):
    path, url, _context = sqlite_db
    context = make_context(path.parent, own_database_url=f"sqlite:///{path}")
    with pytest.raises(PermanentFault, match="^url: this is the platform's own database; an adapter may not read it$"):
        ADAPTER.fetch(opts(f"sqlite:///{path.parent}/./business.db"), context)


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url(database_url_factory) -> str:
    """A scratch PostgreSQL database holding the business table."""
    if _postgres_admin_url() is None and not REQUIRE_POSTGRES:
        pytest.skip("no PostgreSQL server")
    url = database_url_factory("postgresql")
    load_business(url)
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        connection.execute(text("CREATE SEQUENCE counter"))
    engine.dispose()
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_postgres_fetch_returns_every_row(pg_url, adapter_context):
    fetched = ADAPTER.fetch(opts(pg_url), adapter_context)
    assert [r.fields for r in fetched.records] == expected_records(Decimal)
    assert fetched.records[287].where == "row 288"
    assert ADAPTER.test(opts(pg_url), adapter_context) == f"query: 288 rows, columns {', '.join(COLUMNS)}"
    dated = ADAPTER.fetch(
        opts(
            pg_url,
            "SELECT reported_on FROM business WHERE month LIKE '2026-0%' AND dept_code = :code ORDER BY id LIMIT 1",
            params={"code": "U001"},
        ),
        adapter_context,
    )
    assert dated.records[0].fields == {"reported_on": "2026-01-28"}


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM business",
        "WITH gone AS (DELETE FROM business RETURNING *) SELECT * FROM gone",
        "SELECT 1; COMMIT; DELETE FROM business",
        "SELECT nextval('counter')",
        "SELECT 1 FROM business FOR UPDATE",
    ],
    ids=["delete", "with-delete", "commit-then-delete", "nextval", "for-update"],
)
def test_postgres_is_read_only(pg_url, adapter_context, query):
    with pytest.raises(PermanentFault) as caught:
        ADAPTER.fetch(opts(pg_url, query), adapter_context)
    assert str(caught.value).endswith("this adapter only reads")
    assert count(pg_url) == 288


def test_postgres_bad_queries_are_permanent(pg_url, adapter_context):
    name = make_url(pg_url).database
    with pytest.raises(PermanentFault) as caught:
        ADAPTER.fetch(opts(pg_url, "SELECT * FROM nope"), adapter_context)
    assert str(caught.value) == (
        f'database {name} on 127.0.0.1:5432: the query failed (relation "nope" does not exist)'
    )
    with pytest.raises(PermanentFault, match="syntax error"):
        ADAPTER.fetch(opts(pg_url, "SELECT FROM WHERE x"), adapter_context)


def test_postgres_slow_query_is_transient(pg_url, adapter_context):
    with pytest.raises(TransientFault, match="the query took longer than 0.3 s$"):
        ADAPTER.fetch(opts(pg_url, "SELECT pg_sleep(2)", timeout_seconds=0.3), adapter_context)


def test_postgres_connection_faults(pg_url, adapter_context):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = make_url(pg_url).set(port=port, password=PASSWORD).render_as_string(hide_password=False)
    with pytest.raises(TransientFault) as caught:
        ADAPTER.fetch(opts(closed, timeout_seconds=2), adapter_context)
    assert str(caught.value).startswith(f"database {make_url(pg_url).database} on 127.0.0.1:{port}: cannot connect")
    assert PASSWORD not in str(caught.value)
    nobody = make_url(pg_url).set(username="nobody_here", password=PASSWORD).render_as_string(hide_password=False)
    with pytest.raises(PermanentFault) as caught:
        ADAPTER.fetch(opts(nobody), adapter_context)
    assert "refused the connection" in str(caught.value) and PASSWORD not in str(caught.value)
    with pytest.raises(PermanentFault, match="does not exist"):
        ADAPTER.fetch(opts(make_url(pg_url).set(database="no_such_db_here").render_as_string(False)), adapter_context)


def test_the_own_postgres_database_is_refused(pg_url, tmp_path):
    own = make_url(pg_url).set(drivername="postgresql+psycopg", host="localhost").render_as_string(False)
    context = make_context(tmp_path / "work", own_database_url=own)
    with pytest.raises(PermanentFault, match="platform's own database"):
        ADAPTER.fetch(opts(pg_url), context)
    other = make_url(pg_url).set(database="test").render_as_string(False)
    context = make_context(tmp_path / "work", own_database_url=other)  # same server, another database: fine
    assert len(ADAPTER.fetch(opts(pg_url), context).records) == 288
