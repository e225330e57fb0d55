"""Fixtures for adapter tests: the fake business platform and an adapter context."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from core.adapters import AdapterContext
from tests.adapters.fake_platform import FakePlatform


@pytest.fixture(scope="session")
def fake_platform_server() -> Iterator[FakePlatform]:
    platform = FakePlatform().start()
    yield platform
    platform.stop()


@pytest.fixture
def fake_platform(fake_platform_server: FakePlatform) -> FakePlatform:
    """The fake business platform (tests/adapters/fake_platform.py) with its switches reset."""
    fake_platform_server.reset()
    return fake_platform_server


def make_context(work_dir: Path, allowed_folders: tuple[Path, ...] = (), own_database_url: str = "") -> AdapterContext:
    work_dir.mkdir(parents=True, exist_ok=True)
    return AdapterContext(source_id=1, source_name="test source", locality_code="county", run_date=date(2026, 3, 31),
                          work_dir=work_dir, allowed_folders=allowed_folders, own_database_url=own_database_url,
                          allow_loopback=True,  # the fake platform listens on 127.0.0.1
                          log=logging.getLogger("kaoping.adapters.test"))


@pytest.fixture
def adapter_context(tmp_path: Path) -> AdapterContext:
    """A context whose work_dir is ``tmp_path / "work"``, with no allowed folders."""
    return make_context(tmp_path / "work")
