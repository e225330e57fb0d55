"""Plugins add commands to ``kaoping`` through the hook ``kaoping_cli_commands``: they are
listed in the help and run like the core's (their service errors print as one line, exit 1);
a name the core already uses is never replaced."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from core import cli
from core.hookspecs import hookimpl
from core.plugins import get_plugin_manager
from core.services.errors import NotFound


@click.group("hello")
def hello() -> None:
    """Greetings from a plugin."""


@hello.command("say")
@click.argument("name")
def say(name: str) -> None:
    if name == "nobody":
        raise NotFound("no person named {name}", params={"name": name})
    click.echo(f"hello {name}")


@click.command("db")
def fake_db() -> None:
    """A plugin's command named like the core's."""
    click.echo("the plugin's db")


class Plugin:
    @hookimpl
    def kaoping_cli_commands(self):
        return [hello, fake_db]


@pytest.fixture
def plugin():
    pm = get_plugin_manager()
    added = Plugin()
    pm.register(added, name="test-cli-plugin")
    cli.main._plugin_commands = None  # looked up again with the plugin
    yield
    pm.unregister(added)
    cli.main._plugin_commands = None


def test_a_plugins_command_is_listed_and_runs(plugin):
    runner = CliRunner()
    listed = runner.invoke(cli.main, ["--help"])
    assert listed.exit_code == 0 and "hello" in listed.output and "cadres" in listed.output
    ran = runner.invoke(cli.main, ["hello", "say", "world"])
    assert ran.exit_code == 0 and ran.output == "hello world\n"


def test_a_plugins_service_error_is_one_line(plugin):
    ran = CliRunner().invoke(cli.main, ["hello", "say", "nobody"])
    assert ran.exit_code == 1 and ran.output.strip() == "Error: no person named nobody"


def test_a_plugin_never_replaces_a_core_command(plugin):
    ran = CliRunner().invoke(cli.main, ["db", "--help"])
    assert ran.exit_code == 0 and "upgrade" in ran.output and "the plugin's db" not in ran.output
