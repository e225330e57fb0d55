"""The cadre search benchmark at its quick scale, on both databases: it times the searches, the
scan of every team and one candidate placed into a 15-member team (the teams the generator makes
topped up), and reports the three figures against their targets (not judged at this scale)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_cadre_benchmark_runs_quick_with_the_placement(tmp_path, backend):
    figures = tmp_path / "figures.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "bench.cadres", "--cadres", "1000", "--rounds", "2", "--backend", backend],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "KAOPING_BENCH_FIGURES": str(figures)},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "one candidate placed into a 15-member team" in run.stdout and "target 20 ms" in run.stdout
    found = [json.loads(line) for line in figures.read_text().splitlines()]
    assert [f["name"] for f in found] == [
        "search p95 over 1000",
        "scan of every team of 1000",
        "one candidate into a 15-member team, p95, over 1000",
    ]
    assert [f["target"] for f in found] == [50.0, 30.0, 20.0]
    assert {f["backend"] for f in found} == {backend} and all(f["value"] > 0 and f["met"] is None for f in found)
