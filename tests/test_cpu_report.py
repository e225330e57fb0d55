"""tests/cpu_report.py: the suite's CPU by file and by test, printed at the end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = """
import hashlib


def test_busy():
    data = b"x"
    for _ in range(300_000):
        data = hashlib.sha256(data).digest()


def test_idle():
    pass
"""


def _run_sample(tmp_path, *options: str) -> subprocess.CompletedProcess:
    """pytest over SAMPLE in a process of its own, with the plugin and ``options``."""
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    command = [sys.executable, "-m", "pytest", "-p", "tests.cpu_report", "-p", "no:cacheprovider", *options, "-q"]
    done = subprocess.run(
        [*command, str(tmp_path / "test_sample.py")], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_report_names_the_costliest_test_first(tmp_path):
    report = _run_sample(tmp_path, "--cpu-report=5").stdout.split("CPU (setup and call", 1)[1]
    assert "over 2 tests" in report
    assert "load average" in report and "busy over" in report
    tests = report.split("tests:", 1)[1].splitlines()[1:3]
    assert tests[0].endswith("test_sample.py::test_busy"), tests
    assert tests[1].endswith("test_sample.py::test_idle"), tests
    busy, idle = (float(line.split()[0]) for line in tests)
    assert busy > idle


def test_without_the_option_nothing_is_printed(tmp_path):
    assert "CPU (setup and call" not in _run_sample(tmp_path).stdout
