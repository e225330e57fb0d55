"""The audit log is tamper-evident: keyed hashes, a checkpoint outside the database, and checks.

Every test runs on SQLite and PostgreSQL (the ``ctx`` fixture). What an attacker with write
access to the database (not to the secret key nor ``var/``) may do is tried: delete the last
entries, delete them all, change one and recompute every later hash with plain SHA-256, turn the
whole log into an unkeyed one; each is detected and the first broken entry or the missing tail is
named, by ``verify`` and by ``kaoping audit verify`` (exit code 1)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from core.cli import main
from core.context import Actor
from core.schemas.localities import LocalityIn
from core.schemas.org import UnitIn
from core.services import audit, auth, localities, org
from tests.conftest import TEST_PASSWORD, TEST_SECRET_KEY, _backends

SYSTEM = Actor.system("test")


def _write_entries(ctx, count: int = 6) -> list[int]:
    localities.create(ctx, SYSTEM, LocalityIn(code="county-a", name="甲县"))
    for index in range(count - 1):
        org.create_unit(ctx, SYSTEM, "county-a", UnitIn(code=f"U{index}", name=f"单位{index}"))
    return _ids(ctx)


def _ids(ctx) -> list[int]:
    with ctx.db.engine.connect() as connection:
        return list(connection.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars())


def _sql(ctx, statement: str, **params) -> None:
    with ctx.db.engine.begin() as connection:
        connection.execute(text(statement), params)


def _plain_rechain(ctx, from_id: int | None = None, *, mark_legacy: bool = False) -> None:
    """What someone without the key can do: recompute the hashes (from ``from_id`` on) with plain
    SHA-256 over the same content, so that every entry again 'covers' the one before it."""
    with ctx.db.read() as session:
        rows = list(audit._rows(session))
    prev = ""
    with ctx.db.engine.begin() as connection:
        for row in rows:
            if from_id is None or row.id >= from_id:
                version = 1 if mark_legacy else row.hash_version
                new = hashlib.sha256(audit._payload(version, row, prev)).hexdigest()
                connection.execute(
                    text("UPDATE audit_log SET prev_hash = :p, hash = :h, hash_version = :v WHERE id = :id"),
                    {"p": prev, "h": new, "v": version, "id": row.id},
                )
                prev = new
            else:
                prev = row.hash


def _cli_verify(ctx):
    env = {
        "KAOPING_DATABASE_URL": ctx.db.url.replace("+psycopg", ""),
        "KAOPING_SECRET_KEY": TEST_SECRET_KEY,
        "KAOPING_VAR_DIR": str(ctx.settings.var_dir),
    }
    return CliRunner().invoke(main, ["audit", "verify"], env=env)


def test_an_intact_log_verifies_and_its_head_is_checkpointed_after_each_commit(ctx):
    ids = _write_entries(ctx)
    checkpoint = ctx.db.audit.read_checkpoint()
    assert checkpoint is not None and checkpoint.last_id == ids[-1]
    report = audit.verify(ctx)
    assert report.ok, report.message
    assert (report.entries, report.head_id, report.legacy) == (len(ids), ids[-1], 0)
    result = _cli_verify(ctx)
    assert result.exit_code == 0, result.output
    assert f"audit log intact: {len(ids)} entries, last {ids[-1]}" in result.output


def test_a_write_that_rolls_back_does_not_move_the_checkpoint(ctx):
    ids = _write_entries(ctx, 2)
    with pytest.raises(RuntimeError), ctx.db.write() as session:
        audit.record(session, SYSTEM, locality_id=None, action="x.test", target_type="x")
        raise RuntimeError("rolled back")
    assert ctx.db.audit.read_checkpoint().last_id == ids[-1]
    assert audit.verify(ctx).ok


def test_entries_are_keyed_the_plain_sha256_of_the_old_log_does_not_verify(ctx):
    _write_entries(ctx, 2)
    with ctx.db.read() as session:
        row = list(audit._rows(session))[-1]
    assert row.hash_version == 2
    assert row.hash != hashlib.sha256(audit._payload(2, row, row.prev_hash)).hexdigest()
    assert row.hash == ctx.keys.audit_mac(audit._payload(2, row, row.prev_hash))


def test_deleting_the_last_entries_is_detected_and_the_missing_tail_named(ctx):
    ids = _write_entries(ctx)
    _sql(ctx, "DELETE FROM audit_log WHERE id > :id", id=ids[-3])
    report = audit.verify(ctx)
    assert not report.ok
    assert report.problem == audit.TAIL_MISSING
    assert (report.params["last"], report.params["checkpoint"]) == (ids[-3], ids[-1])
    assert ctx.db.audit.failing is report
    result = _cli_verify(ctx)
    assert result.exit_code == 1
    assert f"The audit log ends at entry {ids[-3]}, but the checkpoint" in result.output
    assert f"records entry {ids[-1]}: the entries after {ids[-3]} were deleted" in result.output


def test_deleting_every_entry_is_detected(ctx):
    ids = _write_entries(ctx)
    _sql(ctx, "DELETE FROM audit_log")
    report = audit.verify(ctx)
    assert not report.ok and report.problem == audit.ALL_MISSING and report.params["checkpoint"] == ids[-1]
    result = _cli_verify(ctx)
    assert result.exit_code == 1 and "The audit log is empty, but the checkpoint" in result.output


def test_a_changed_entry_with_every_later_hash_recomputed_is_named(ctx):
    ids = _write_entries(ctx)
    victim = ids[2]
    _sql(ctx, "UPDATE audit_log SET actor = 'mallory' WHERE id = :id", id=victim)
    _plain_rechain(ctx, victim)
    report = audit.verify(ctx)
    assert not report.ok and report.first_broken_id == victim and report.problem == audit.CHANGED
    result = _cli_verify(ctx)
    assert result.exit_code == 1
    assert f"Audit entry {victim} does not match its hash" in result.output
    assert f"entry {victim}: " in result.output and "mallory unit.create" in result.output  # when, who, what


def test_the_whole_log_recomputed_as_an_old_unkeyed_one_is_detected(ctx):
    ids = _write_entries(ctx)
    _sql(ctx, "UPDATE audit_log SET target_id = '999' WHERE id = :id", id=ids[1])
    _plain_rechain(ctx, mark_legacy=True)  # as if it had been written before keys existed
    report = audit.verify(ctx)
    assert not report.ok and report.problem == audit.REWRITTEN and report.first_broken_id == ids[-1]
    result = audit.rekey(ctx)  # and re-keying it would bless the forgery: refused
    assert result.rekeyed == 0 and result.broken is not None


def test_unkeyed_entries_after_keyed_ones_are_named(ctx):
    ids = _write_entries(ctx)
    ctx.db.audit.forget()
    _plain_rechain(ctx, ids[3], mark_legacy=True)
    report = audit.verify(ctx)
    assert not report.ok and report.first_broken_id == ids[3] and report.problem == audit.LEGACY_AFTER


def test_a_deleted_entry_in_the_middle_names_the_one_after_it(ctx):
    ids = _write_entries(ctx)
    _sql(ctx, "DELETE FROM audit_log WHERE id = :id", id=ids[2])
    report = audit.verify(ctx)
    assert not report.ok and report.first_broken_id == ids[3] and report.problem == audit.UNLINKED


def test_a_write_after_a_truncation_keeps_the_evidence(ctx):
    """The app writing on after the last entries were deleted must not move the checkpoint past the
    gap (the new entries reuse the ids on SQLite): it keeps it, raises the alarm, and the write
    itself goes through."""
    ids = _write_entries(ctx)
    _sql(ctx, "DELETE FROM audit_log WHERE id > :id", id=ids[1])
    for index in range(len(ids)):
        org.create_unit(ctx, SYSTEM, "county-a", UnitIn(code=f"N{index}", name=f"新单位{index}"))
    assert ctx.db.audit.read_checkpoint().last_id == ids[-1]
    assert ctx.db.audit.failing is not None
    report = audit.verify(ctx)
    assert not report.ok
    assert report.problem in (audit.REWRITTEN, audit.TAIL_MISSING)


def test_concurrent_writers_leave_the_checkpoint_at_the_head(ctx):
    _write_entries(ctx, 1)
    errors = []

    def write(worker: int) -> None:
        try:
            for index in range(5):
                org.create_unit(
                    ctx, SYSTEM, "county-a", UnitIn(code=f"W{worker}-{index}", name=f"单位{worker}-{index}")
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    report = audit.verify(ctx)
    assert report.ok and report.entries == 21
    assert ctx.db.audit.read_checkpoint().last_id == report.head_id


def test_old_plain_entries_are_rekeyed_after_their_chain_is_checked(ctx):
    ids = _write_entries(ctx)
    ctx.db.audit.forget()  # as after migration 0008: no checkpoint yet
    _plain_rechain(ctx, mark_legacy=True)
    report = audit.verify(ctx)
    assert not report.ok and report.problem == audit.LEGACY and report.legacy == len(ids)
    result = audit.rekey(ctx)
    assert result.rekeyed == len(ids) and result.broken is None
    assert audit.verify(ctx).ok
    assert ctx.db.audit.read_checkpoint().last_id == ids[-1]
    assert audit.rekey(ctx).rekeyed == 0  # once


def test_a_broken_old_chain_is_not_rekeyed_unless_forced_and_then_recorded(ctx):
    ids = _write_entries(ctx)
    ctx.db.audit.forget()
    _plain_rechain(ctx, mark_legacy=True)
    _sql(ctx, "UPDATE audit_log SET action = 'x.forged' WHERE id = :id", id=ids[2])
    refused = audit.rekey(ctx)
    assert refused.rekeyed == 0 and refused.broken.first_broken_id == ids[2]
    forced = audit.rekey(ctx, force=True)
    assert forced.rekeyed == len(ids)
    assert audit.verify(ctx).ok
    with ctx.db.engine.connect() as connection:
        last = connection.execute(text("SELECT action, summary FROM audit_log ORDER BY id DESC LIMIT 1")).one()
    summary = last.summary if isinstance(last.summary, dict) else json.loads(last.summary)
    assert last.action == "audit.rekey" and f"Audit entry {ids[2]}" in summary["after"]["was_broken"]


def test_the_monitor_verifies_at_start_and_platform_admins_see_a_banner(ctx, live_server):
    import httpx

    from core.web.auth import SESSION_COOKIE

    _write_entries(ctx)
    tokens = {}
    for username, role, locality in (("root", "platform_admin", None), ("office-x", "office", "county-a")):
        user = auth.create_user(
            ctx, SYSTEM, username=username, password=TEST_PASSWORD, role=role, locality_code=locality
        )
        tokens[username] = auth.issue_token(ctx, user, kind="session", ttl=timedelta(hours=1)).token
    ids = _ids(ctx)
    _sql(ctx, "DELETE FROM audit_log WHERE id > :id", id=ids[-3])

    def dashboard(username: str, lang: str) -> str:
        with httpx.Client(base_url=live_server.url, cookies={SESSION_COOKIE: tokens[username]}) as client:
            page = client.get("/admin/", params={"lang": lang})
        assert page.status_code == 200, page.text
        return page.text

    assert 'role="alert"' not in dashboard("root", "en")  # nothing checked yet
    monitor = audit.AuditMonitor(ctx, every_seconds=3600)
    monitor.start()
    try:
        deadline = time.monotonic() + 20
        while ctx.db.audit.report is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        monitor.stop()
    assert ctx.db.audit.failing is not None and ctx.db.audit.failing.problem == audit.TAIL_MISSING

    zh = dashboard("root", "zh_CN")
    assert 'role="alert"' in zh
    assert "审计日志校验未通过" in zh and f"审计日志止于第 {ids[-3]} 条" in zh and f"记录到了第 {ids[-1]} 条" in zh
    en = dashboard("root", "en")
    assert f"The audit log ends at entry {ids[-3]}, but the checkpoint" in en
    assert "kaoping audit verify" in en
    assert 'role="alert"' not in dashboard("office-x", "en")  # only platform admins
    ctx.db.audit.forget()
    assert 'role="alert"' not in dashboard("root", "en")


def test_the_app_works_with_a_postgresql_role_that_may_only_insert_and_select_audit_entries(
    database_url_factory, tmp_path
):
    """The README's PostgreSQL roles: the owner migrates (and re-keys); the app's role may not
    change or delete audit entries, and needs nothing more."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ProgrammingError

    from core.context import AppContext
    from core.db import Database, normalize_url
    from core.migrate import upgrade
    from core.security import Keyring
    from tests.conftest import make_settings

    if "postgresql" not in [p.values[0] for p in _backends()]:
        pytest.skip("PostgreSQL is not available")
    owner_url = database_url_factory("postgresql")
    upgrade(owner_url)
    role = f"kaoping_app_{uuid.uuid4().hex[:8]}"
    owner = create_engine(normalize_url(owner_url), isolation_level="AUTOCOMMIT")
    database = make_url(normalize_url(owner_url)).database
    with owner.connect() as connection:
        for statement in (
            README_GRANTS.replace("kaoping_app", role).replace("DATABASE kaoping", f'DATABASE "{database}"').split(";")
        ):
            if statement.strip():
                connection.execute(text(statement))
    app_url = (
        make_url(normalize_url(owner_url))
        .set(username=role, password="app-password")
        .render_as_string(hide_password=False)
    )
    app = AppContext(
        settings=make_settings(app_url, tmp_path / "app"), db=Database(app_url), keys=Keyring(TEST_SECRET_KEY)
    )
    owner_ctx = AppContext(
        settings=make_settings(owner_url, tmp_path / "app"), db=Database(owner_url), keys=Keyring(TEST_SECRET_KEY)
    )
    try:
        ids = _write_entries(app, 4)
        assert audit.verify(app).ok
        for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(ProgrammingError, match="permission denied"), app.db.engine.begin() as connection:
                connection.execute(text(statement))
        app.db.audit.forget()
        _plain_rechain(owner_ctx, mark_legacy=True)  # entries from before 0008: the owner re-keys them
        with pytest.raises(ProgrammingError, match="permission denied"):
            audit.rekey(app)
        assert audit.rekey(owner_ctx).rekeyed == len(ids)
        assert audit.verify(app).ok
    finally:
        app.db.dispose()
        owner_ctx.db.dispose()
        with owner.connect() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


# As in the README ("PostgreSQL: an app role that cannot rewrite the audit log"), after CREATE ROLE.
README_GRANTS = """
CREATE ROLE kaoping_app LOGIN PASSWORD 'app-password';
GRANT CONNECT ON DATABASE kaoping TO kaoping_app;
GRANT USAGE ON SCHEMA public TO kaoping_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kaoping_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO kaoping_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM kaoping_app;
"""


@pytest.mark.parametrize("backend_name", _backends())
def test_db_upgrade_rekeys_the_entries_of_an_older_version(backend_name, database_url_factory, tmp_path):
    """Entries written before migration 0008 (plain SHA-256, as that version wrote them) are
    re-keyed by `kaoping db upgrade`, which has the secret key (the migration has not)."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from core.context import AppContext
    from core.db import Database
    from core.migrate import upgrade
    from core.security import Keyring
    from tests.conftest import make_settings

    url = database_url_factory(backend_name)
    upgrade(url, "0007")
    prev, at = "", datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    with Database(url).engine.begin() as connection:
        for index in range(3):
            old = SimpleNamespace(
                locality_id=None,
                at=at,
                user_id=None,
                actor="cli",
                action="user.create",
                target_type="user",
                target_id=str(index),
                summary={},
                prev_hash=prev,
            )
            digest = audit.entry_hash(None, old, version=1)
            connection.execute(
                text(
                    "INSERT INTO audit_log (locality_id, at, user_id, actor, action, target_type, "
                    "target_id, summary, prev_hash, hash) VALUES (NULL, :at, NULL, 'cli', "
                    "'user.create', 'user', :t, '{}', :p, :h)"
                ),
                {"at": at, "t": str(index), "p": prev, "h": digest},
            )
            prev = digest
    env = {
        "KAOPING_DATABASE_URL": url.replace("+psycopg", ""),
        "KAOPING_SECRET_KEY": TEST_SECRET_KEY,
        "KAOPING_VAR_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert "audit log re-keyed: 3 entries" in result.output
    ctx = AppContext(settings=make_settings(url, tmp_path), db=Database(url), keys=Keyring(TEST_SECRET_KEY))
    try:
        report = audit.verify(ctx)
        assert report.ok and report.entries == 3 and report.legacy == 0
        assert ctx.db.audit.read_checkpoint().last_id == report.head_id
    finally:
        ctx.db.dispose()
