"""Test fixtures: every test that takes ``ctx`` runs on SQLite and on PostgreSQL.

PostgreSQL: ``KAOPING_TEST_POSTGRES_URL`` (default: the server on 127.0.0.1:5432, database
``test``). Each test session creates its own database there and drops it at the end. When
``KAOPING_TEST_REQUIRE_POSTGRES=1`` (CI) a missing server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import core.models  # noqa: F401
from core.context import Actor, AppContext
from core.db import Database, normalize_url
from core.migrate import upgrade
from core.security import Keyring
from core.services import auth
from core.settings import Settings


def _one_default_ssl_context() -> None:
    """Every ``httpx.Client`` the tests make shares one default TLS context.

    httpx builds a new one per client, loading certifi's ~150 CA certificates each time: a
    sampling profile of the suite found 16 % of its CPU there, for clients that only ever speak
    plain HTTP to the live test server. A client given its own ``verify`` still gets its own."""
    import httpx._transports.default as transport

    build = transport.create_ssl_context
    shared = build()

    def create_ssl_context(verify=True, cert=None, trust_env=True):
        if verify is True and cert is None and trust_env:
            return shared
        return build(verify=verify, cert=cert, trust_env=trust_env)

    transport.create_ssl_context = create_ssl_context


_one_default_ssl_context()

pytest_plugins = ["tests.cpu_report"]

TEST_SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
REQUIRE_POSTGRES = os.environ.get("KAOPING_TEST_REQUIRE_POSTGRES") == "1"
TEST_PASSWORD = "correct horse battery staple"


# The longest tests (each a minute or more on 2 cores), started first and dealt over the xdist
# workers: none starts late and leaves one worker running alone at the end, while the others
# take their turns of the rest. Without xdist the order stays the files' own.
LONGEST_FIRST = (
    "tests/e2e/test_office_journey.py",
    "tests/core/web/test_openapi_fuzz.py",
    "tests/core/web/test_access_walk.py",
    "tests/ballots/test_durability.py",
    "tests/ballots/test_secrecy.py",
    # 30-80 s each on the loaded machine (the profile of 2026-11-30)
    "tests/core/web/test_imports_api.py::test_hostile_workbooks",
    "tests/core/web/test_adapters_api.py::test_a_hostile_file",
    "tests/core/services/test_tally.py::test_counts_equal_plain_python",
    "tests/core/web/test_indicator_values_api.py::test_ten_thousand_rows",
)


def snake(index: int, workers: int) -> int:
    """The worker of the index-th long test when dealt 0, 1, 1, 0, 0, 1, ... (each round reversed)."""
    round_, place = divmod(index, workers)
    return place if round_ % 2 == 0 else workers - 1 - place


# Browser tests (tests/e2e) drive the pages through Chromium, about half of the suite's time. Each
# runs on one database, half of them on SQLite and half on PostgreSQL (by a stable hash of the
# test's name), so both back the browser journeys; every page's queries are tested on both
# databases by the page tests over HTTP. KAOPING_TEST_BROWSER_BACKENDS=both runs each on both.
BROWSER_TESTS = "tests/e2e/"
BROWSER_BACKENDS_BOTH = os.environ.get("KAOPING_TEST_BROWSER_BACKENDS", "").strip().lower() == "both"


def browser_test_backend(nodeid: str, backends: list[str]) -> str:
    """The one database a browser test runs on: the same for a test on every run and worker."""
    name = nodeid.split("[", 1)[0]
    return backends[zlib.crc32(name.encode()) % len(backends)]


def _one_backend_for_browser_tests(config, items) -> None:
    backends = [param.values[0] for param in _backends()]
    if BROWSER_BACKENDS_BOTH or len(backends) < 2:
        return
    kept, dropped = [], []
    for item in items:
        backend = getattr(getattr(item, "callspec", None), "params", {}).get("backend")
        on_other = backend is not None and backend != browser_test_backend(item.nodeid, backends)
        (dropped if item.nodeid.startswith(BROWSER_TESTS) and on_other else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_collection_modifyitems(config, items) -> None:
    _one_backend_for_browser_tests(config, items)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers < 2:
        return
    longest = [item for prefix in LONGEST_FIRST for item in items if item.nodeid.startswith(prefix)]
    chosen = set(map(id, longest))
    rest = [item for item in items if id(item) not in chosen]
    # xdist (load and worksteal alike) first sends each worker the next len(pending) // workers_left
    # tests in collection order: each worker's share starts with its dealt long tests.
    ordered, left = [], len(items)
    for worker in range(workers):
        share = left // (workers - worker)
        dealt = [t for i, t in enumerate(longest) if snake(i, workers) == worker]
        take = max(0, share - len(dealt))
        ordered += dealt + rest[:take]
        rest = rest[take:]
        left -= share
    items[:] = ordered + rest


def _postgres_admin_url() -> str | None:
    url = os.environ.get("KAOPING_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return DEFAULT_PG_URL
    except OSError:
        return None


def _backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if _postgres_admin_url() or REQUIRE_POSTGRES:
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


# Memory-backed files where the machine has them: SQLite syncs every commit (synchronous=FULL),
# 3-6 ms each on this machine's disk against 0.01-0.2 ms in /dev/shm.
MEMORY_DIR = Path("/dev/shm")


def _free_bytes(path: Path) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory) -> Iterator[Path]:
    """The session's databases and var folders: under /dev/shm (removed at the end) when it can
    be written and has 2 GB free (a container's default is 64 MB), else pytest's temporary folder."""
    if MEMORY_DIR.is_dir() and os.access(MEMORY_DIR, os.W_OK) and _free_bytes(MEMORY_DIR) >= 2 * 1024**3:
        root = Path(tempfile.mkdtemp(prefix="kaoping-tests-", dir=MEMORY_DIR))
        yield root
        shutil.rmtree(root, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("kaoping")


def _create_pg_database(admin_url: str) -> tuple[str, callable]:
    name = f"kaoping_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A commit need not wait for its WAL to reach the disk (a test never crashes the server)
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = make_url(normalize_url(admin_url)).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return url, drop


@pytest.fixture(scope="session")
def database_url_factory(tmp_root):
    """Make a new, empty database of a backend; dropped at the end of the session."""
    drops = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_root / f'db-{uuid.uuid4().hex[:8]}.sqlite'}"
        admin_url = _postgres_admin_url()
        if admin_url is None:
            pytest.fail("PostgreSQL is required (KAOPING_TEST_REQUIRE_POSTGRES=1) but no server answers")
        url, drop = _create_pg_database(admin_url)
        drops.append(drop)
        return url

    yield make
    for drop in drops:
        drop()


def make_settings(database_url: str, var_dir: Path, **extra) -> Settings:
    extra.setdefault("scheduler", False)  # tests fire adapter sources themselves
    extra.setdefault("adapter_allow_loopback", True)  # the fake business platform listens on 127.0.0.1
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        var_dir=var_dir,
        base_url="http://127.0.0.1:8000",
        **extra,
    )


@pytest.fixture(scope="session", params=_backends())
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def session_ctx(backend, database_url_factory, tmp_root) -> Iterator[AppContext]:
    url = database_url_factory(backend)
    upgrade(url)
    ctx = AppContext(settings=make_settings(url, tmp_root / backend), db=Database(url), keys=Keyring(TEST_SECRET_KEY))
    yield ctx
    ctx.db.dispose()


def truncate_all(db: Database) -> None:
    if db.audit is not None:  # the audit checkpoint would record entries that are gone
        db.audit.forget()
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if db.is_sqlite:
            # Rows point at rows of the same table (unit parents): check keys at commit only.
            connection.execute(text("PRAGMA defer_foreign_keys=ON"))
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
            # planner statistics of rows that are gone (an import ANALYZEs what it wrote)
            for (stats,) in connection.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")):
                connection.execute(text(f"DELETE FROM {stats}"))
        else:
            _empty_postgres(connection, tables)


def _empty_postgres(connection, tables: list[str]) -> None:
    """DELETE the rows of the tables that have any (one query finds them), then restart every
    sequence that was used, as ``TRUNCATE ... RESTART IDENTITY`` of every table would. TRUNCATE
    makes new files for each table and index: 2.8 s for the 59 tables against 0.06 s this way
    (PostgreSQL 15, loaded machine), and the suite empties the database before each test."""
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in tables}
    found = " UNION ALL ".join(
        f"SELECT {position} WHERE EXISTS (SELECT 1 FROM {quoted[name]})" for position, name in enumerate(tables)
    )
    names = [quoted[tables[position]] for (position,) in sorted(connection.execute(text(found)).all())]
    try:
        with connection.begin_nested():
            for name in names:  # referencing tables first
                connection.execute(text(f"DELETE FROM {name}"))
    except IntegrityError:  # rows of a table the models do not know refer to them
        connection.execute(text(f"TRUNCATE {', '.join(names)} CASCADE"))
    for (sequence,) in connection.execute(
        text(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
            "WHERE last_value IS NOT NULL AND schemaname = current_schema()"
        )
    ).all():
        connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture
def ctx(session_ctx) -> AppContext:
    """The app context over a clean, migrated database of the current backend."""
    truncate_all(session_ctx.db)
    return session_ctx


# --- a real HTTP server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, app, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(session_ctx) -> Iterator[LiveServer]:
    from core.web.app import create_app

    # No background audit verification: it would race the tests that empty the database.
    server = LiveServer(create_app(session_ctx, audit_monitor=False), _free_port())
    server.start()
    yield server
    server.stop()


@dataclass
class World:
    """Helpers to set up localities, users and API clients against the live server."""

    ctx: AppContext
    url: str

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def locality(self, code: str, name: str | None = None, parent_code: str | None = None) -> None:
        from core.schemas.localities import LocalityIn
        from core.services import localities

        localities.create(
            self.ctx, Actor.system("test"), LocalityIn(code=code, name=name or code, parent_code=parent_code)
        )

    def user(self, username: str, role: str = "office", locality: str | None = None, unit: str | None = None) -> str:
        """Create a user and return a bearer token for it."""
        user = auth.create_user(
            self.ctx,
            Actor.system("test"),
            username=username,
            password=TEST_PASSWORD,
            role=role,
            locality_code=locality,
            unit_code=unit,
        )
        return auth.issue_token(self.ctx, user, kind="api", ttl=timedelta(hours=1)).token

    def office(self, locality: str, username: str | None = None) -> httpx.Client:
        """A locality with an office user, and an API client signed in as that user."""
        self.locality(locality)
        return self.client(self.user(username or f"office-{locality}", "office", locality))


@pytest.fixture
def world(ctx, live_server) -> World:
    return World(ctx=ctx, url=live_server.url)


@pytest.fixture(scope="session", autouse=True)
def light_argon2() -> Iterator[None]:
    """argon2id with its smallest parameters in the test process (one pass over 1 MiB, one lane):
    passwords are hashed and checked exactly as in production, without its cost (64 MiB, three
    passes, four lanes: 60 ms to 1.6 s a hash on this machine, by its load), which every user a
    test created and every sign-in paid. Servers started as processes of their own keep the
    product's parameters, and check these hashes all the same (the parameters are in the hash)."""
    from argon2 import PasswordHasher

    from core import security

    product = security._password_hasher
    security._password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    security._dummy_hash.cache_clear()
    yield
    security._password_hasher = product
    security._dummy_hash.cache_clear()


@pytest.fixture
def cheap_password_hashes(monkeypatch) -> None:
    """For tests that sign in with issued tokens only: skip the deliberately slow argon2 hash."""
    monkeypatch.setattr(auth, "hash_password", lambda password: "not-a-password-hash")


@pytest.fixture
def setup(world):
    """A campaign ready to open (see tests/campaign_setup.py): issue accounts, open, vote."""
    from tests.campaign_setup import make_campaign

    return make_campaign(world)


# --- a fake business system for the adapters -------------------------------------------------


@pytest.fixture(scope="session")
def fake_platform_server():
    from tests.adapters.fake_platform import FakePlatform

    platform = FakePlatform().start()
    yield platform
    platform.stop()


@pytest.fixture
def fake_platform(fake_platform_server):
    """The fake business platform (tests/adapters/fake_platform.py) with its switches reset."""
    fake_platform_server.reset()
    return fake_platform_server
