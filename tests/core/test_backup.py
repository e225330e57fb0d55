"""Backup and restore (``core.backup``): a full demo locality with a closed campaign round-trips,
on SQLite and PostgreSQL; a restore refuses a database that is not empty, another secret key and
a changed archive; scheduled backups keep the newest ``KAOPING_BACKUP_KEEP``."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

from ballots import service as ballots
from bench.crash import run_coroutine
from core import backup
from core.cli import main
from core.context import Actor, AppContext
from core.db import Database
from core.demo import DEMO_LOCALITY, load_demo
from core.migrate import upgrade
from core.models import Campaign, Locality
from core.schemas.localities import LocalityIn
from core.security import Keyring
from core.services import audit, campaigns, localities, tally
from core.settings import SettingsError, load_settings
from tests.conftest import TEST_SECRET_KEY, _backends, make_settings

OFFICE = Actor.system("test")
VOTERS = 12


def _context(url: str, var_dir: Path, secret: str = TEST_SECRET_KEY, **settings) -> AppContext:
    return AppContext(settings=make_settings(url, var_dir, **settings), db=Database(url), keys=Keyring(secret))


def _env(ctx: AppContext, secret: str = TEST_SECRET_KEY) -> dict[str, str]:
    return {
        "KAOPING_DATABASE_URL": ctx.db.url.replace("+psycopg", ""),
        "KAOPING_SECRET_KEY": secret,
        "KAOPING_VAR_DIR": str(ctx.settings.var_dir),
    }


def _vote(ctx: AppContext, campaign_id: int) -> None:
    """Some of the demo's evaluators vote (each a different ballot), one account is revoked."""
    slips = ballots.slips_to_print(ctx, OFFICE, campaign_id).slips

    async def cast() -> None:
        for index, slip in enumerate(slips[:VOTERS]):
            ballot = ballots.read_token(ctx, ballots.login(ctx, slip.code, "127.0.0.1").token)
            sheet = ballots.view(ctx, ballot)
            items = [
                ballots.ItemIn(
                    subject_id=subject["id"],
                    indicator=leaf,
                    grade=sheet["grades"][(index + position) % len(sheet["grades"])],
                )
                for position, (subject, leaf) in enumerate((s, c) for s in sheet["subjects"] for c in sheet["leaves"])
            ]
            out = await ballots.submit(ctx, ballot, ballots.BallotIn(items=items, comment=f"意见 {index}"))
            assert out.status == "submitted"

    run_coroutine(cast())  # in a thread when Playwright's loop runs in this one
    ballots.revoke_account(ctx, OFFICE, campaign_id, slips[-1].account_id)


def _demo_with_closed_campaign(ctx: AppContext) -> int:
    load_demo(ctx)
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == DEMO_LOCALITY[0])).one()
        campaign_id = session.exec(  # the open one (last year's is tallied already)
            select(Campaign.id).where(Campaign.locality_id == locality.id, Campaign.status == "open")
        ).one()
    _vote(ctx, campaign_id)
    campaigns.close_campaign(ctx, OFFICE, campaign_id)
    tally.tally(ctx, OFFICE, campaign_id)
    return campaign_id


def _rows(ctx: AppContext) -> dict[str, list[tuple]]:
    """Every row of every table (and the migration), in key order."""
    out = {}
    with ctx.db.engine.connect() as connection:
        for table in [*SQLModel.metadata.sorted_tables]:
            keys = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
            query = f'SELECT * FROM "{table.name}" ORDER BY {", ".join(chr(34) + k + chr(34) for k in keys)}'
            out[table.name] = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in connection.execute(text(query))
            ]
        out["alembic_version"] = list(connection.execute(text("SELECT version_num FROM alembic_version")))
    return out


def _files(var_dir: Path) -> dict[str, str]:
    root = var_dir / "adapter-files"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("backend_name", _backends())
def test_a_demo_locality_with_a_closed_campaign_is_identical_after_restore(
    backend_name, database_url_factory, tmp_path
):
    url = database_url_factory(backend_name)
    upgrade(url)
    source = _context(url, tmp_path / "a")
    target = _context(database_url_factory(backend_name), tmp_path / "b")  # a new, empty database
    try:
        campaign_id = _demo_with_closed_campaign(source)
        before = _rows(source)
        column = [c.name for c in SQLModel.metadata.tables["ballots"].columns].index("campaign_id")
        this_year = [b for b in before["ballots"] if b[column] == campaign_id]  # last year's campaign has its own
        assert len(this_year) == VOTERS and before["ballot_positions"] and before["campaign_results"]
        assert not before["ballot_staging"]
        assert _files(source.settings.var_dir)  # the demo's tabular_file source read its CSV
        assert audit.verify(source).ok

        archive = tmp_path / "backups" / "kaoping.tar.gz"
        made = CliRunner().invoke(main, ["backup", str(archive)], env=_env(source))
        assert made.exit_code == 0, made.output
        assert f"backup written: {archive}" in made.output
        with tarfile.open(archive) as opened:
            names = opened.getnames()
            manifest = json.loads(opened.extractfile("manifest.json").read())
        assert names[0] == "manifest.json" and backup.DATABASE_MEMBER[backend_name] in names
        assert manifest["secret_key_fingerprint"] == source.keys.fingerprint
        assert TEST_SECRET_KEY not in json.dumps(manifest)
        assert manifest["audit_checkpoint"]["last_id"] == before["audit_log"][-1][0]
        assert oct(archive.stat().st_mode & 0o777) == "0o600"

        restored = CliRunner().invoke(main, ["restore", str(archive)], env=_env(target))
        assert restored.exit_code == 0, restored.output
        assert f"audit log intact: {len(before['audit_log'])} entries" in restored.output
        assert _rows(target) == before  # results, ballots, accounts, audit chain, everything
        assert _files(target.settings.var_dir) == _files(source.settings.var_dir)
        assert target.db.audit.read_checkpoint() == source.db.audit.read_checkpoint()
        assert audit.verify(target).ok
        assert tally.results(target, OFFICE, campaign_id) == tally.results(source, OFFICE, campaign_id)
        localities.create(target, OFFICE, LocalityIn(code="after-restore", name="恢复之后"))  # ids go on
        assert audit.verify(target).ok and audit.verify(target).entries == len(before["audit_log"]) + 1

        # Not over a database that is not empty: the restored one now.
        again = CliRunner().invoke(main, ["restore", str(archive)], env=_env(target))
        assert again.exit_code == 1
        assert "the database is not empty" in again.output and "restore only into a new, empty database" in again.output
    finally:
        source.db.dispose()
        target.db.dispose()


def test_a_restore_refuses_another_secret_key_and_a_changed_archive(database_url_factory, tmp_path):
    url = database_url_factory("sqlite")
    upgrade(url)
    source = _context(url, tmp_path / "a")
    archive = tmp_path / "b.tar.gz"
    try:
        load_demo(source)
        backup.backup(source, archive)
        other_key = "another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
        target = _context(database_url_factory("sqlite"), tmp_path / "b", secret=other_key)
        refused = CliRunner().invoke(main, ["restore", str(archive)], env=_env(target, other_key))
        assert refused.exit_code == 1
        assert "the backup was made with another secret key" in refused.output
        assert source.keys.fingerprint in refused.output and target.keys.fingerprint in refused.output
        assert not inspect(target.db.engine).get_table_names()  # nothing was written

        # The manifest changed (here: a later audit checkpoint claimed) -> refused.
        changed = tmp_path / "changed.tar.gz"
        with tarfile.open(archive) as opened, tarfile.open(changed, "w:gz") as out:
            for member in opened.getmembers():
                data = opened.extractfile(member).read()
                if member.name == "manifest.json":
                    manifest = json.loads(data)
                    manifest["audit_checkpoint"]["last_id"] -= 3
                    data = json.dumps(manifest).encode()
                    member.size = len(data)
                out.addfile(member, io.BytesIO(data))
        same_key = _context(database_url_factory("sqlite"), tmp_path / "c")
        with pytest.raises(backup.BackupError, match="does not match its signature"):
            backup.restore(same_key, changed)
    finally:
        source.db.dispose()


def test_scheduled_backups_keep_the_newest_and_run_once_per_firing(database_url_factory, tmp_path):
    from core.scheduler import AdapterScheduler

    url = database_url_factory("sqlite")
    upgrade(url)
    folder = tmp_path / "backups"
    ctx = _context(url, tmp_path / "var", backup_dir=folder, backup_keep=2, backup_cron="*/5 * * * *")
    try:
        start = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
        written = [backup.scheduled_backup(ctx, start + timedelta(minutes=5 * n)) for n in range(4)]
        assert all(written)
        assert backup.scheduled_backup(ctx, start + timedelta(minutes=15, seconds=20)) is None  # that firing is done
        (folder / "notes.txt").write_text("kept")
        assert sorted(p.name for p in folder.iterdir()) == sorted([written[2].name, written[3].name, "notes.txt"])
        assert written[3].name == "kaoping-20261201T0245Z.tar.gz"

        scheduler = AdapterScheduler(ctx)
        scheduler.start()
        try:
            job = scheduler.scheduler.get_job("kaoping-backup")
            assert job is not None and "*/5" in str(job.trigger)
        finally:
            scheduler.shutdown()
    finally:
        ctx.db.dispose()


def test_a_bad_backup_cron_is_named_at_start(monkeypatch, tmp_path):
    monkeypatch.setenv("KAOPING_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("KAOPING_BACKUP_CRON", "every night")
    with pytest.raises(SettingsError, match="KAOPING_BACKUP_CRON"):
        load_settings()
