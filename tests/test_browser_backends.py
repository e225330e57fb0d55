"""Browser tests run each on one database (tests/conftest.py): the choice is stable, and both
databases back some of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import browser_test_backend

ROOT = Path(__file__).resolve().parents[1]


def test_a_test_gets_the_same_database_whatever_its_parameters():
    backends = ["sqlite", "postgresql"]
    name = "tests/e2e/test_office_journey.py::test_an_office_runs_a_campaign"
    assert browser_test_backend(f"{name}[sqlite]", backends) == browser_test_backend(f"{name}[postgresql]", backends)
    assert browser_test_backend(name, ["sqlite"]) == "sqlite"


def test_the_browser_tests_are_shared_between_the_databases():
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/e2e"],
        cwd=ROOT,
        env={"KAOPING_TEST_POSTGRES_URL": "postgresql://postgres@127.0.0.1:5432/test", "PATH": ""},
        capture_output=True,
        text=True,
    )
    tests = [line for line in listed.stdout.splitlines() if line.startswith("tests/e2e/")]
    names = {line.split("[", 1)[0] for line in tests}
    on = {backend: [t for t in tests if t.endswith(f"[{backend}]")] for backend in ("sqlite", "postgresql")}
    # each test once, on one database, and each database has a fair share of them
    assert len(tests) == len(names) > 20, listed.stdout[-2000:]
    assert min(len(on["sqlite"]), len(on["postgresql"])) >= len(tests) // 4, {k: len(v) for k, v in on.items()}
