"""The warnings-pass benchmark at its quick scale, on both databases: it raises every warning
planted (score drops and negative records), once, tells the department, and reports its figures
(not judged at this scale)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_warnings_pass_benchmark_runs_quick(tmp_path, backend):
    figures = tmp_path / "figures.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "bench.cadre_warnings", "--cadres", "400", "--backend", backend],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "KAOPING_BENCH_FIGURES": str(figures)},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "WRONG" not in run.stdout and "0 raised" in run.stdout
    found = [json.loads(line) for line in figures.read_text().splitlines()]
    assert [f["name"] for f in found] == [
        "first warnings pass over 400",
        "warnings pass with nothing new over 400",
        "warnings pass with nothing new over 400, CPU",
    ]
    assert {f["backend"] for f in found} == {backend} and all(f["value"] > 0 and f["met"] is None for f in found)
