"""Three ``kaoping worker`` processes over one database: each due pull runs exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import update
from sqlmodel import func, select

from core.context import AppContext
from core.db import Database
from core.migrate import upgrade
from core.models import AdapterRun, AdapterSource
from core.models.base import utcnow
from core.security import Keyring
from tests.adapter_setup import make_county
from tests.conftest import TEST_SECRET_KEY, _backends, make_settings
from tests.core.test_cli import COMMAND

SOURCES = 8
WORKERS = 3


@pytest.mark.parametrize("backend_name", _backends())
def test_three_workers_run_each_due_source_exactly_once(backend_name, database_url_factory, tmp_path, fake_platform):
    url = database_url_factory(backend_name)
    upgrade(url)
    ctx = AppContext(settings=make_settings(url, tmp_path / "var"), db=Database(url), keys=Keyring(TEST_SECRET_KEY))
    try:
        county = make_county(ctx)
        fake_platform.slow_next("/records", 0.2, times=1000)  # runs take a while: they overlap the ticks
        ids = [
            county.http_source(
                f"{fake_platform.url}/records",
                name=f"平台{n}",
                schedule={"interval_minutes": 60},
                options={
                    "url": f"{fake_platform.url}/records",
                    "records_path": "data",
                    "pagination": {"kind": "next_link", "path": "next"},
                    "timeout_seconds": 5,
                },
            ).id
            for n in range(SOURCES)
        ]
        with ctx.db.write() as session:  # all due now
            session.execute(update(AdapterSource).values(next_run_at=utcnow()))
        env = {k: v for k, v in os.environ.items() if not k.startswith("KAOPING_")}
        env.update(
            KAOPING_DATABASE_URL=url,
            KAOPING_SECRET_KEY=TEST_SECRET_KEY,
            KAOPING_VAR_DIR=str(tmp_path / "var"),
            KAOPING_ADAPTER_ALLOW_LOOPBACK="true",
        )
        workers = [
            subprocess.Popen(
                [*COMMAND, "worker", "--tick-seconds", "0.2"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(WORKERS)
        ]
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                with ctx.db.read() as session:
                    finished = session.exec(
                        select(func.count()).select_from(AdapterRun).where(AdapterRun.status != "running")
                    ).one()
                if finished >= SOURCES:
                    break
                time.sleep(0.3)
            time.sleep(1.5)  # several more ticks of every worker: nothing may fire again
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=30)[0] for worker in workers]
        assert all(worker.returncode == 0 for worker in workers), outputs
        with ctx.db.read() as session:
            runs = session.exec(select(AdapterRun)).all()
            sources = session.exec(select(AdapterSource)).all()
        assert sorted(run.source_id for run in runs) == sorted(ids), outputs
        assert {run.status for run in runs} == {"succeeded"}, [run.error for run in runs]
        assert {run.trigger for run in runs} == {"schedule"}
        assert all(s.running_since is None and s.next_run_at is not None for s in sources)
        assert len(county.values()) == 288 * 3
    finally:
        ctx.db.dispose()
