"""Loopback-only servers are named, on the dashboard (tests/e2e/test_console_shell.py) and by
``kaoping serve``, with how to serve the office network and this machine's LAN address."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from core import reachability
from core.settings import Settings
from tests.conftest import TEST_SECRET_KEY


@pytest.mark.parametrize(
    ("host", "base_url", "loopback"),
    [
        ("127.0.0.1", "", True),
        ("0.0.0.0", "", False),
        ("0.0.0.0", "http://localhost:8000", True),
        ("0.0.0.0", "http://127.0.0.2:8000", True),
        ("::1", "http://192.168.1.5:8000", True),
        ("0.0.0.0", "http://192.168.1.5:8000", False),
        ("192.168.1.5", "https://kaoping.example.gov.cn", False),
    ],
)
def test_loopback_is_told_from_the_listening_and_public_address(host, base_url, loopback):
    assert reachability.loopback_only(Settings(host=host, base_url=base_url)) is loopback


def test_the_hint_names_both_settings_and_the_lan_address():
    lines = reachability.hint_lines(Settings(host="127.0.0.1", port=8000), "192.168.3.7")
    text = "\n".join(lines)
    assert "KAOPING_HOST=0.0.0.0" in text and "KAOPING_BASE_URL=http://192.168.3.7:8000" in text
    assert "192.168.3.7" in lines[-1] and "Phones and other PCs cannot" in text


def test_lan_address_is_never_loopback():
    address = reachability.lan_address()
    assert address is None or not address.startswith("127.")


def test_serve_prints_the_hint_on_loopback_only(monkeypatch, tmp_path):
    import uvicorn

    from core import cli, migrate

    for name in ("KAOPING_HOST", "KAOPING_BASE_URL", "KAOPING_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAOPING_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("KAOPING_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setattr(migrate, "check_current", lambda *args: None)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    monkeypatch.setattr(reachability, "lan_address", lambda: "10.1.2.3")
    from core.settings import get_settings

    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli.main, ["serve"]).output
        assert "Phones and other PCs cannot" in out and "10.1.2.3" in out and "KAOPING_HOST=0.0.0.0" in out
        out = (
            CliRunner()
            .invoke(cli.main, ["serve", "--host", "0.0.0.0"], env={"KAOPING_BASE_URL": "http://10.1.2.3:8000"})
            .output
        )
        assert "Kaoping is serving" in out and "cannot" not in out
    finally:
        get_settings.cache_clear()


def test_serve_passes_its_port_and_host_to_the_app(monkeypatch, tmp_path):
    """`kaoping serve --port 8768`: the app's own settings (the dashboard's hint, ballot links)
    name port 8768, not the default 8000."""
    import uvicorn

    from core import cli, migrate
    from core.settings import get_settings

    for name in ("KAOPING_HOST", "KAOPING_BASE_URL", "KAOPING_PORT"):
        monkeypatch.setenv(name, "")  # recorded, so the serve command's own settings are undone after
        monkeypatch.delenv(name)
    monkeypatch.setenv("KAOPING_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("KAOPING_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setattr(migrate, "check_current", lambda *args: None)
    seen: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.append(get_settings().resolved_base_url))
    monkeypatch.setattr(reachability, "lan_address", lambda: "10.1.2.3")
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli.main, ["serve", "--port", "8768"]).output
        assert seen == ["http://127.0.0.1:8768"]
        assert "KAOPING_BASE_URL=http://10.1.2.3:8768" in out
    finally:
        get_settings.cache_clear()
