"""The ``kaoping`` command."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click
from alembic.util import CommandError
from sqlalchemy.exc import OperationalError

from core.context import Actor, AppContext
from core.migrate import DatabaseNotReady
from core.services.errors import ServiceError
from core.settings import SettingsError, load_settings


def _context() -> AppContext:
    try:
        return AppContext.from_settings(load_settings())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


class _Group(click.Group):
    """Turn the errors users can cause into one clear line and exit code 1, never a traceback;
    add the plugins' commands (hook ``kaoping_cli_commands``) when they are first looked up."""

    _plugin_commands: dict[str, click.Command] | None = None

    def plugin_commands(self) -> dict[str, click.Command]:
        if self._plugin_commands is None:
            from core.plugins import get_plugin_manager

            found: dict[str, click.Command] = {}
            for commands in get_plugin_manager().hook.kaoping_cli_commands():
                for command in commands or ():
                    if command.name in self.commands or command.name in found:
                        logging.getLogger(__name__).warning(
                            "plugin command %r left out: the name is taken", command.name
                        )
                        continue
                    found[command.name] = command
            self._plugin_commands = found
        return self._plugin_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self.plugin_commands().get(cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None
        except DatabaseNotReady as exc:
            raise click.ClickException(str(exc)) from None
        except ServiceError as exc:
            raise click.ClickException(exc.message) from None
        except CommandError as exc:  # alembic: e.g. an unknown revision
            raise click.ClickException(str(exc).splitlines()[0]) from None
        except OperationalError as exc:  # the database is unreachable, locked, read-only...
            reason = str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0]
            raise click.ClickException(f"cannot use the database: {reason}") from None


@click.group(cls=_Group)
def main() -> None:
    """Kaoping (考评): assessment and evaluation-ballot platform."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # httpx logs every request's full URL at INFO; query strings may hold an adapter's API key.
    # APScheduler logs every tick of the adapter scheduler at INFO; runs are logged by kaoping.
    for name in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default KAOPING_HOST).")
@click.option("--port", default=None, type=int, help="Port (default KAOPING_PORT).")
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the web app and API."""
    import uvicorn

    from core.migrate import check_current

    ctx = _context()
    check_current(ctx.db.engine, ctx.db.url)
    ctx.db.dispose()
    settings = ctx.settings
    host = host or settings.host
    port = port or settings.port
    click.echo(f"Kaoping is serving on http://{host}:{port}/  (API docs: http://{host}:{port}/schema)")
    from core.reachability import hint_lines, lan_address, loopback_only

    # The app (built by uvicorn's factory, here or in each worker) reads its settings from the
    # environment: --host and --port must reach it too, or the dashboard's reachability hint, the
    # ballot links and every address built from KAOPING_BASE_URL's default name another port.
    os.environ["KAOPING_HOST"] = host
    os.environ["KAOPING_PORT"] = str(port)
    from core.settings import get_settings

    get_settings.cache_clear()
    reach_settings = settings.model_copy(update={"host": host, "port": port})
    if loopback_only(reach_settings):  # phones and other PCs cannot reach a loopback address
        for line in hint_lines(reach_settings, lan_address()):
            click.echo(line)
    uvicorn.run(
        "core.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
    )


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from core.migrate import upgrade

    ctx = _context()
    upgrade(ctx.db.url, revision)
    click.echo(f"database at {revision}")
    if revision == "head":
        _rekey_audit(ctx, force=False, strict=False)


@db.command("current")
def db_current() -> None:
    """Show the database's migration."""
    from core.migrate import current_revision, head_revision

    ctx = _context()
    click.echo(f"current: {current_revision(ctx.db.engine) or '(empty)'}  newest: {head_revision(ctx.db.url)}")


@main.command()
def demo() -> None:
    """Load the demo locality (units, a team, people, subjects) and print an admin login."""
    from core.demo import load_demo

    ctx = _context()
    _require_migrated(ctx)
    login = load_demo(ctx)
    click.echo("")
    click.echo("Demo locality loaded. Sign in at the address below with:")
    click.echo(f"  user name: {login.username}")
    click.echo(f"  password:  {login.password}")
    for line in login.notes:
        click.echo(line)
    click.echo("")


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(
        [
            "platform_admin",
            "office",
            "unit_admin",
            "leader",
            "cadre",
            "assessment_group",
            "org_dept",
            "org_dept_head",
            "public",
        ]
    ),
)
@click.option("--locality", "locality_code", default=None, help="Locality code (all roles but platform_admin).")
@click.option("--unit", "unit_code", default=None, help="Unit code (unit roles).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(name: str, role: str, locality_code: str | None, unit_code: str | None, password_stdin: bool) -> None:
    """Create user NAME."""
    from core.services import auth

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    ctx = _context()
    _require_migrated(ctx)
    user = auth.create_user(
        ctx,
        Actor.system("cli"),
        username=name,
        password=password,
        role=role,
        locality_code=locality_code,
        unit_code=unit_code,
    )
    click.echo(f"created user {user.username} ({user.role})")


@users.command("grant-children")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Take the grant back.")
def users_grant_children(name: str, revoke: bool) -> None:
    """Let user NAME (office or leader of a parent locality) read the localities below it."""
    from core.services import auth

    ctx = _context()
    _require_migrated(ctx)
    user = auth.grant_child_localities(ctx, Actor.system("cli"), name, not revoke)
    state = "may now read" if user.reads_child_localities else "may no longer read"
    click.echo(f"{user.username} {state} the localities below its own (never change them)")


@main.group()
def tokens() -> None:
    """API bearer tokens."""


@tokens.command("create")
@click.argument("name")
@click.option(
    "--days", default=365, show_default=True, type=click.IntRange(min=1), help="Days until the token expires."
)
def tokens_create(name: str, days: int) -> None:
    """Create a bearer token for user NAME and print it (once)."""
    from datetime import timedelta

    from core.services import auth

    ctx = _context()
    _require_migrated(ctx)
    user = auth.find_user(ctx, name)
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    issued = auth.issue_token(ctx, user, kind="api", name="cli", ttl=timedelta(days=days))
    click.echo(issued.token)


@main.group()
def localities() -> None:
    """Localities (tenants)."""


@localities.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", default=None, help="Code of the parent locality (a county's city).")
def localities_create(code: str, name: str, parent_code: str | None) -> None:
    """Create locality CODE called NAME."""
    from pydantic import ValidationError

    from core.schemas.localities import LocalityIn
    from core.services import localities as service

    ctx = _context()
    _require_migrated(ctx)
    try:
        data = LocalityIn(code=code, name=name, parent_code=parent_code)
    except ValidationError as exc:
        raise click.ClickException(f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from None
    out = service.create(ctx, Actor.system("cli"), data)
    click.echo(f"created locality {out.code} ({out.name})")


@main.group()
def plugins() -> None:
    """Installed plugins."""


@plugins.command("list")
def plugins_list() -> None:
    """List the installed plugins and what each contributes."""
    from core.services.plugins import installed

    for item in installed():
        essential = " (essential)" if item["essential"] else ""
        contributes = "; ".join(f"{k}: {', '.join(v)}" for k, v in item["contributes"].items() if v and k != "hooks")
        click.echo(f"{item['name']}{essential}  {item['label_zh']} / {item['label_en']}")
        if contributes:
            click.echo(f"    {contributes}")


@main.group()
def adapters() -> None:
    """Adapter sources (pulls of indicator data from business systems)."""


@adapters.command("list")
@click.option("--locality", "locality_code", default=None, help="Only this locality's sources.")
def adapters_list(locality_code: str | None) -> None:
    """List adapter sources with their schedule and last run."""
    from sqlmodel import col, select

    from core.models import AdapterRun, AdapterSource, Locality

    ctx = _context()
    _require_migrated(ctx)
    with ctx.db.read() as session:
        query = (
            select(AdapterSource, Locality.code)
            .join(Locality, Locality.id == AdapterSource.locality_id)
            .order_by(col(AdapterSource.id))
        )
        if locality_code:
            query = query.where(Locality.code == locality_code)
        for source, code in session.exec(query):
            last = session.exec(
                select(AdapterRun).where(AdapterRun.source_id == source.id).order_by(col(AdapterRun.id).desc()).limit(1)
            ).first()
            state = "enabled" if source.enabled else "disabled"
            outcome = f"last run {last.status} ({last.rows_written} values)" if last else "never run"
            click.echo(
                f"{source.id}  {code}/{source.name}  {source.adapter}  {state}  "
                f"schedule {source.schedule or 'by hand'}  next {source.next_run_at or '-'}  {outcome}"
            )


@adapters.command("run")
@click.argument("source")
def adapters_run(source: str) -> None:
    """Run adapter SOURCE (its id, or LOCALITY/NAME) now and print the run."""
    from core.services import adapters as service

    ctx = _context()
    _require_migrated(ctx)
    source_id = service.source_by_reference(ctx, source)
    run = service.run_now(ctx, Actor.system("cli"), source_id, trigger="cli")
    click.echo(
        f"run {run.id}: {run.status}; {run.attempts} attempt(s), {run.rows_read} records read, "
        f"{run.rows_written} values written, {run.rows_rejected} records rejected"
    )
    for rejected in run.rejected[:50]:
        click.echo(f"  {rejected.where}: {rejected.field}: {rejected.message}")
    if run.rows_rejected > 50:
        click.echo(f"  ... see GET /api/adapter-sources/{source_id}/runs for all")
    if run.status != "succeeded":
        raise click.ClickException(run.error)


@main.command()
@click.option(
    "--tick-seconds",
    default=None,
    type=click.FloatRange(min=0.1),
    help="How often to look for due sources (default KAOPING_SCHEDULER_TICK_SECONDS).",
)
def worker(tick_seconds: float | None) -> None:
    """Run the adapter scheduler without the web server (stop with Ctrl-C or SIGTERM)."""
    import signal
    import threading

    from core.scheduler import AdapterScheduler

    ctx = _context()
    _require_migrated(ctx)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scheduler = AdapterScheduler(ctx, tick_seconds=tick_seconds)
    scheduler.start()
    click.echo(f"kaoping worker: firing due adapter sources (every {scheduler.tick_seconds} s)")
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    click.echo("kaoping worker: stopping; letting running pulls finish")
    scheduler.shutdown(wait=True)
    ctx.db.dispose()


@main.group()
def audit() -> None:
    """The audit log's chain of keyed hashes."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every entry and the checkpoint; name the first broken entry or the missing tail (exit code 1)."""
    from core.services import audit as service

    ctx = _context()
    _require_migrated(ctx)
    report = service.verify(ctx)
    checkpoint = report.checkpoint
    noted = (
        f"checkpoint: entry {checkpoint.last_id} ({checkpoint.written_at.isoformat(timespec='seconds')})"
        if checkpoint
        else f"no checkpoint yet at {ctx.db.audit.path}"
    )
    if report.ok:
        click.echo(f"audit log intact: {report.entries} entries, last {report.head_id or '-'}; {noted}")
        return
    click.echo(f"AUDIT LOG BROKEN: {report.message}", err=True)
    if report.first_broken_id is not None:
        click.echo(f"  {service.describe(ctx, report.first_broken_id)}", err=True)
    click.echo(f"  {report.entries} entries, last {report.head_id or '-'}; {noted}", err=True)
    raise SystemExit(1)


@audit.command("rekey")
@click.option("--force", is_flag=True, help="Re-chain even when the old entries do not verify (records where).")
def audit_rekey(force: bool) -> None:
    """Re-key entries written with plain SHA-256 (before migration 0008) after checking them."""
    ctx = _context()
    _require_migrated(ctx)
    _rekey_audit(ctx, force=force, strict=True)


def _rekey_audit(ctx: AppContext, *, force: bool, strict: bool) -> None:
    from core.services import audit as service

    result = service.rekey(ctx, force=force)
    if result.broken is not None and not result.rekeyed:
        message = (
            f"the audit log was not re-keyed: {result.broken.message} "
            f"(`kaoping audit rekey --force` re-chains it, recording this)"
        )
        if strict:
            raise click.ClickException(message)
        click.echo(f"Warning: {message}", err=True)
    if result.rekeyed:
        click.echo(f"audit log re-keyed: {result.rekeyed} entries now carry HMAC-SHA256 hashes")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a backup of the database, the audit checkpoint and the adapter files to FILE."""
    from core.backup import BackupError
    from core.backup import backup as make_backup

    ctx = _context()
    try:
        info = make_backup(ctx, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    checkpoint = info.audit_checkpoint
    click.echo(
        f"backup written: {info.path} ({info.size} bytes; {info.backend} database at migration "
        f"{info.migration}; {info.files} adapter files; audit checkpoint "
        f"{'entry ' + str(checkpoint['last_id']) if checkpoint else 'none yet'})"
    )


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Restore backup FILE into an empty database (KAOPING_DATABASE_URL) with the same secret key."""
    from core.backup import BackupError
    from core.backup import restore as restore_backup

    ctx = _context()
    try:
        info = restore_backup(ctx, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"restored the backup of {info.created_at}: {info.backend} database at migration {info.migration}, "
        f"{info.files} adapter files"
    )
    if info.needs_upgrade:
        click.echo("the backup is from an older version: run `kaoping db upgrade`, then `kaoping audit verify`")
    elif info.audit.ok:
        click.echo(f"audit log intact: {info.audit.entries} entries")
    else:
        click.echo(f"AUDIT LOG BROKEN in the backup: {info.audit.message}", err=True)
        raise SystemExit(1)


def _require_migrated(ctx: AppContext) -> None:
    from core.migrate import check_current

    check_current(ctx.db.engine, ctx.db.url)


if __name__ == "__main__":  # pragma: no cover
    main()
