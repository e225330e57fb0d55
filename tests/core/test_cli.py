"""The ``kaoping`` command, run for real in a subprocess, and the health endpoint."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from core.context import AppContext
from core.db import Database
from core.migrate import upgrade
from core.security import Keyring
from core.services import auth
from core.services.errors import Unauthorized
from core.settings import SECRET_KEY_FILE, Settings
from tests.conftest import TEST_SECRET_KEY, _free_port, make_settings

KAOPING = Path(sys.executable).parent / "kaoping"
COMMAND = [str(KAOPING)] if KAOPING.exists() else [sys.executable, "-m", "core.cli"]
PASSWORD = "a long enough password"


class Cli:
    """Runs ``kaoping`` with its own database and var folder, as an operator would."""

    def __init__(self, root: Path, **env: str):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.var_dir = root / "var"
        self.database_url = f"sqlite:///{root / 'kaoping.db'}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KAOPING_")}
        self.env.update({"KAOPING_DATABASE_URL": self.database_url, "KAOPING_VAR_DIR": str(self.var_dir), **env})

    def __call__(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
        return self.together([(args, stdin, env)])[0]

    def together(self, runs: list[tuple]) -> list[subprocess.CompletedProcess]:
        """Run independent commands ``(args, stdin, env)`` at the same time (each takes seconds to start)."""
        started = []
        for args, stdin, env in runs:
            process = subprocess.Popen(
                [*COMMAND, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=self.root,
                env={**self.env, **env},
            )
            started.append((args, stdin, process))
        results = []
        for args, stdin, process in started:
            out, err = process.communicate(stdin, timeout=60)
            results.append(subprocess.CompletedProcess([*COMMAND, *args], process.returncode, out, err))
        return results

    def settings(self, monkeypatch) -> Settings:
        """The settings a server started in the same place would read."""
        for name in list(os.environ):
            if name.startswith("KAOPING_"):
                monkeypatch.delenv(name)
        return Settings(database_url=self.database_url, var_dir=self.var_dir)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """A failed command: non-zero exit, no traceback, and exactly one line on stderr."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Cli:
    """A migrated database, set up with ``kaoping db upgrade`` and no secret key in the environment."""
    cli = Cli(tmp_path_factory.mktemp("cli"))
    result = cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "database at head" in result.stdout
    # No KAOPING_SECRET_KEY: one was generated for this installation, privately.
    assert (cli.var_dir / SECRET_KEY_FILE).stat().st_mode & 0o077 == 0
    assert "KAOPING_SECRET_KEY is not set" in result.stderr
    return cli


def test_help_lists_the_commands(tmp_path):
    result = Cli(tmp_path)("--help")
    assert result.returncode == 0
    for command in ("serve", "db", "demo", "users", "tokens", "localities"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.MULTILINE), command


def test_locality_user_and_token_made_on_the_command_line_work_in_the_api(migrated, monkeypatch):
    from core.web.app import create_app

    created = migrated("localities", "create", "C1", "名称")
    assert created.returncode == 0, created.stderr
    assert "C1" in created.stdout and "名称" in created.stdout

    user = migrated(
        "users", "create", "clerk", "--role", "office", "--locality", "C1", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert user.returncode == 0, user.stderr
    assert "clerk" in user.stdout
    assert PASSWORD not in user.stdout + user.stderr

    issued = migrated("tokens", "create", "clerk")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", token), issued.stdout

    # A server over the same database and var folder accepts both the token and the password.
    ctx = AppContext.from_settings(migrated.settings(monkeypatch))
    with TestClient(create_app(ctx)) as client:
        listed = client.get("/api/localities", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200, listed.text
        assert [(loc["code"], loc["name"]) for loc in listed.json()] == [("C1", "名称")]
        login = client.post("/api/auth/token", json={"username": "clerk", "password": PASSWORD})
        assert login.status_code == 200, login.text


MISTAKES = {
    "unknown locality": (
        ["users", "create", "u1", "--role", "office", "--locality", "NOPE", "--password-stdin"],
        PASSWORD,
        "NOPE",
    ),
    "short password": (
        ["users", "create", "u2", "--role", "office", "--locality", "C1", "--password-stdin"],
        "short",
        "password",
    ),
    "unknown user": (["tokens", "create", "nobody"], "", "nobody"),
    "bad locality code": (["localities", "create", "bad code!", "名称"], "", "code"),
}


def test_mistakes_exit_non_zero_with_one_clear_line(migrated):
    results = migrated.together([(args, stdin, {}) for args, stdin, _ in MISTAKES.values()])
    for (case, (_, _, expected)), result in zip(MISTAKES.items(), results, strict=True):
        assert expected in one_line_error(result), case


def test_a_token_that_never_expires_by_mistake_is_refused(migrated):
    result = migrated("tokens", "create", "clerk", "--days", "0")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "--days" in result.stderr
    assert result.stdout.strip() == ""  # no token printed


def test_demo_twice_prints_a_working_login_each_time(migrated, monkeypatch):
    logins = []
    platform_logins = []
    for _ in range(2):
        result = migrated("demo")
        assert result.returncode == 0, result.stderr
        username = re.search(r"user name:\s*(\S+)", result.stdout).group(1)
        password = re.search(r"password:\s*(\S+)", result.stdout).group(1)
        logins.append((username, password))
        platform = re.search(r"platform admin (\S+) / (\S+)", result.stdout)
        assert platform, result.stdout  # users and roles, and the locality switch, from the printed logins
        platform_logins.append(platform.groups())
        if len(logins) == 1:  # the first load brings the demo adapter source's values in at once
            assert "read 288 records of business-platform-2026.csv into 864 indicator values (succeeded)" in (
                result.stdout
            )
            last_year = re.search(
                r"Last year's campaign \(2025\) is tallied: .*/campaigns/(\d+)/results", result.stdout
            )
            assert last_year, result.stdout  # the results pages, charts and reports have numbers to show
    assert logins[0][0] == logins[1][0]
    ctx = AppContext.from_settings(migrated.settings(monkeypatch))
    try:
        from core.context import Actor
        from core.services import tally

        shown = tally.results(ctx, Actor.system("test"), int(last_year.group(1)))
        assert shown["tallied_at"] and len(shown["subjects"]) == 3
        assert all(sum(c["ballots"] for c in s["by_category"].values()) == 27 for s in shown["subjects"])
        assert auth.authenticate(ctx, *logins[1], client="test").username == logins[1][0]
        with pytest.raises(Unauthorized):  # the first password was replaced
            auth.authenticate(ctx, *logins[0], client="test")
        platform = auth.authenticate(ctx, *platform_logins[1], client="test")
        assert platform.username == "demo-platform" and platform.role == "platform_admin"
        with pytest.raises(Unauthorized):
            auth.authenticate(ctx, *platform_logins[0], client="test")
    finally:
        ctx.db.dispose()


def test_commands_on_an_unmigrated_database_say_to_upgrade(tmp_path):
    cli = Cli(tmp_path, KAOPING_SECRET_KEY=TEST_SECRET_KEY)
    commands = [["demo"], ["serve"], ["tokens", "create", "someone"]]
    for command, result in zip(commands, cli.together([(c, "", {}) for c in commands]), strict=True):
        assert "kaoping db upgrade" in one_line_error(result), command


def test_a_bad_port_is_named_in_one_line(tmp_path):
    line = one_line_error(Cli(tmp_path)("db", "upgrade", KAOPING_PORT="eighty"))
    assert "KAOPING_PORT" in line
    assert not (tmp_path / "kaoping.db").exists()  # nothing was done


def test_an_unreachable_database_is_one_line(tmp_path):
    url = f"postgresql://kaoping:pw-not-shown@127.0.0.1:{_free_port()}/kaoping"
    cli = Cli(tmp_path, KAOPING_SECRET_KEY=TEST_SECRET_KEY, KAOPING_DATABASE_URL=url)
    line = one_line_error(cli("db", "upgrade"))
    assert "database" in line
    assert "pw-not-shown" not in line


def test_upgrading_a_database_from_a_newer_version_is_one_line(tmp_path):
    cli = Cli(tmp_path, KAOPING_SECRET_KEY=TEST_SECRET_KEY)
    upgrade(cli.database_url)
    db = Database(cli.database_url)
    try:
        with db.engine.begin() as connection:
            # the core's branch only (each plugin's branch has a row of its own, named plugin_NNNN)
            connection.exec_driver_sql(
                "UPDATE alembic_version SET version_num = 'f00dcafe9999' WHERE version_num NOT LIKE '%!_%' ESCAPE '!'"
            )
    finally:
        db.dispose()
    upgraded, demo = cli.together([(["db", "upgrade"], "", {}), (["demo"], "", {})])
    assert "f00dcafe9999" in one_line_error(upgraded)
    assert "newer version" in one_line_error(demo)


# --- the health endpoint ------------------------------------------------------------------------


def test_health_is_ok_when_the_database_answers(ctx):
    from core.web.app import create_app

    with TestClient(create_app(ctx)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    from core.web.app import create_app

    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/kaoping"
    ctx = AppContext(settings=make_settings(url, tmp_path), db=Database(url), keys=Keyring(TEST_SECRET_KEY))
    with TestClient(create_app(ctx, check_migrations=False)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_adapters_run_and_list_on_the_command_line(tmp_path, monkeypatch, fake_platform):
    from core.models import IndicatorValue
    from tests.adapter_setup import make_county

    cli = Cli(tmp_path, KAOPING_SECRET_KEY=TEST_SECRET_KEY, KAOPING_ADAPTER_ALLOW_LOOPBACK="true")
    assert cli("db", "upgrade").returncode == 0
    ctx = AppContext(
        settings=make_settings(cli.database_url, cli.var_dir),
        db=Database(cli.database_url),
        keys=Keyring(TEST_SECRET_KEY),
    )
    try:
        county = make_county(ctx)
        source = county.http_source(f"{fake_platform.url}/records", name="platform")

        listed = cli("adapters", "list")
        assert listed.returncode == 0, listed.stderr
        assert f"{source.id}  county/platform  http_json  enabled" in listed.stdout and "never run" in listed.stdout

        ran = cli("adapters", "run", "county/platform")
        assert ran.returncode == 0, ran.stderr
        assert "succeeded; 1 attempt(s), 288 records read, 864 values written" in ran.stdout
        with ctx.db.read() as session:
            assert len(session.exec(select(IndicatorValue)).all()) == 864

        fake_platform.missing("/page2")
        failed = cli("adapters", "run", str(source.id))
        assert failed.returncode == 1 and "Traceback" not in failed.stderr
        assert failed.stderr.strip().splitlines()[-1] == (
            f"Error: page 2 ({fake_platform.url}/page2): not found (HTTP 404 Not Found)"
        )
        assert "run 2: failed; 1 attempt(s)" in failed.stdout
        assert "HTTP Request" not in failed.stderr  # httpx's request log (full URLs, queries) stays off
        assert cli("adapters", "run", "county/nothing").stderr.strip() == (
            "Error: no adapter source 'county/nothing' (give its id or LOCALITY/NAME)"
        )
    finally:
        ctx.db.dispose()


def test_a_platform_admin_grants_child_localities_on_the_command_line(migrated):
    assert migrated("localities", "create", "CITY9", "市").returncode == 0
    assert (
        migrated(
            "users",
            "create",
            "city-clerk",
            "--role",
            "office",
            "--locality",
            "CITY9",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ).returncode
        == 0
    )
    granted = migrated("users", "grant-children", "city-clerk")
    assert granted.returncode == 0, granted.stderr
    assert "city-clerk may now read the localities below its own (never change them)" in granted.stdout
    revoked = migrated("users", "grant-children", "city-clerk", "--revoke")
    assert "city-clerk may no longer read" in revoked.stdout
    assert one_line_error(migrated("users", "grant-children", "nobody")) == "Error: no user named 'nobody'"
