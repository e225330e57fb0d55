"""Settings from KAOPING_* variables: defaults, one-line errors, and the generated secret key."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from core.db import normalize_url
from core.settings import SECRET_KEY_FILE, SettingsError, load_settings

GOOD_KEY = "k" * 40


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No KAOPING_* variable from the caller's shell, and a private working folder."""
    for name in list(os.environ):
        if name.startswith("KAOPING_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults(monkeypatch):
    monkeypatch.setenv("KAOPING_SECRET_KEY", GOOD_KEY)
    settings = load_settings()
    assert settings.var_dir == Path("var")
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.max_upload_mb == 20
    assert settings.database_url == ""
    assert settings.resolved_database_url == f"sqlite:///{Path('var') / 'kaoping.db'}"
    assert settings.resolved_base_url == "http://127.0.0.1:8000"
    assert settings.secret_key == GOOD_KEY


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("KAOPING_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("KAOPING_PORT", "9001")
    monkeypatch.setenv("KAOPING_HOST", "0.0.0.0")
    monkeypatch.setenv("KAOPING_VAR_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAOPING_BASE_URL", "https://kaoping.example.org/")
    settings = load_settings()
    assert settings.port == 9001
    assert settings.host == "0.0.0.0"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'data' / 'kaoping.db'}"
    assert settings.resolved_base_url == "https://kaoping.example.org"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KAOPING_PORT", "eighty"),
        ("KAOPING_PORT", "70000"),
        ("KAOPING_PORT", "0"),
        ("KAOPING_DATABASE_URL", "mysql://root@localhost/kaoping"),
        ("KAOPING_DATABASE_URL", "kaoping.db"),
        ("KAOPING_BASE_URL", "kaoping.example.org"),
        ("KAOPING_MAX_UPLOAD_MB", "0"),
    ],
)
def test_a_bad_value_stops_with_one_line_naming_the_setting(monkeypatch, name, value):
    monkeypatch.setenv("KAOPING_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"{name}:"), message
    assert "\n" not in message
    assert value in message  # shows what was wrong


def test_secret_key_is_generated_once_into_var_dir_and_reused(monkeypatch, tmp_path, caplog):
    var_dir = tmp_path / "var"
    monkeypatch.setenv("KAOPING_VAR_DIR", str(var_dir))
    with caplog.at_level(logging.WARNING, logger="kaoping.settings"):
        first = load_settings()
    key_file = var_dir / SECRET_KEY_FILE
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert key_file.read_text().strip() == first.secret_key
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "KAOPING_SECRET_KEY" in r.getMessage()]
    assert len(warnings) == 1
    assert str(key_file) in warnings[0].getMessage()
    assert first.secret_key not in caplog.text  # the key itself is never logged

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kaoping.settings"):
        second = load_settings()
    assert second.secret_key == first.secret_key
    assert not [r for r in caplog.records if "generated" in r.getMessage()]


def test_the_secret_key_file_is_private_even_with_a_permissive_umask(monkeypatch, tmp_path):
    monkeypatch.setenv("KAOPING_VAR_DIR", str(tmp_path / "var"))
    old = os.umask(0)
    try:
        load_settings()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "var" / SECRET_KEY_FILE).stat().st_mode) == 0o600


def test_a_set_secret_key_is_used_and_no_file_is_written(monkeypatch, tmp_path):
    monkeypatch.setenv("KAOPING_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KAOPING_SECRET_KEY", GOOD_KEY)
    assert load_settings().secret_key == GOOD_KEY
    assert not (tmp_path / "var" / SECRET_KEY_FILE).exists()


def test_a_short_secret_key_is_refused_without_showing_it(monkeypatch):
    secret = "short-but-secret-xyz"
    monkeypatch.setenv("KAOPING_SECRET_KEY", secret)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("KAOPING_SECRET_KEY:")
    assert "32" in message
    assert secret not in message
    assert "\n" not in message


def test_a_short_key_in_the_key_file_is_refused_without_showing_it(monkeypatch, tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    (var_dir / SECRET_KEY_FILE).write_text("tiny-secret\n")
    monkeypatch.setenv("KAOPING_VAR_DIR", str(var_dir))
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert SECRET_KEY_FILE in str(raised.value)
    assert "tiny-secret" not in str(raised.value)


def test_a_bad_database_url_is_named_without_showing_its_password(monkeypatch):
    monkeypatch.setenv("KAOPING_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("KAOPING_DATABASE_URL", "postgressql://kaoping:s3cret-pw@db:5432/kaoping")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("KAOPING_DATABASE_URL:")
    assert "s3cret-pw" not in message
    assert "db:5432/kaoping" in message  # the rest still helps to spot the typo


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/kaoping", "postgresql+psycopg://u:p@db:5432/kaoping"),
        ("postgresql://u@db/kaoping", "postgresql+psycopg://u@db/kaoping"),
        ("postgresql+psycopg://u@db/kaoping", "postgresql+psycopg://u@db/kaoping"),
        ("sqlite:///var/kaoping.db", "sqlite:///var/kaoping.db"),
    ],
)
def test_postgres_urls_use_the_psycopg_driver(given, expected):
    assert normalize_url(given) == expected


def test_a_postgres_scheme_url_is_accepted_by_the_settings(monkeypatch):
    monkeypatch.setenv("KAOPING_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("KAOPING_DATABASE_URL", "postgres://u@db/kaoping")
    settings = load_settings()
    assert normalize_url(settings.resolved_database_url) == "postgresql+psycopg://u@db/kaoping"


def _start_at_once(barrier, var_dir: str, keys) -> None:
    os.environ["KAOPING_VAR_DIR"] = var_dir
    os.environ.pop("KAOPING_SECRET_KEY", None)
    barrier.wait()
    keys.put(load_settings().secret_key)


def test_processes_starting_at_the_same_moment_share_one_generated_key(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    processes_count = 8
    for attempt in range(5):  # several races, each on a fresh folder
        var_dir = tmp_path / f"var{attempt}"
        barrier, keys = context.Barrier(processes_count), context.Queue()
        processes = [
            context.Process(target=_start_at_once, args=(barrier, str(var_dir), keys)) for _ in range(processes_count)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=30)
        assert [p.exitcode for p in processes] == [0] * processes_count
        found = {keys.get(timeout=5) for _ in range(processes_count)}
        assert found == {(var_dir / SECRET_KEY_FILE).read_text().strip()}
        assert [p.name for p in var_dir.iterdir()] == [SECRET_KEY_FILE]  # no temporary files left behind
