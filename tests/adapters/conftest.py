"""Fixtures for adapter tests: an adapter context (the fake business platform is in tests/conftest.py)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from core.adapters import AdapterContext


def make_context(work_dir: Path, allowed_folders: tuple[Path, ...] = (), own_database_url: str = "") -> AdapterContext:
    work_dir.mkdir(parents=True, exist_ok=True)
    return AdapterContext(
        source_id=1,
        source_name="test source",
        locality_code="county",
        run_date=date(2026, 3, 31),
        work_dir=work_dir,
        allowed_folders=allowed_folders,
        own_database_url=own_database_url,
        allow_loopback=True,  # the fake platform listens on 127.0.0.1
        log=logging.getLogger("kaoping.adapters.test"),
    )


@pytest.fixture
def adapter_context(tmp_path: Path) -> AdapterContext:
    """A context whose work_dir is ``tmp_path / "work"``, with no allowed folders."""
    return make_context(tmp_path / "work")
