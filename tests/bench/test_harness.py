"""``python -m bench``: the harness runs benchmarks at a tiny scale and writes their figures in
the shape the README and ``bench/results/latest.json`` rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.__main__ import merge, names, quick_args, table, takes_backend

ROOT = Path(__file__).resolve().parents[2]
FIGURE_KEYS = {
    "bench",
    "name",
    "value",
    "unit",
    "target",
    "better",
    "met",
    "backend",
    "note",
    "scale",
    "date",
    "machine",
}


def test_every_benchmark_has_a_quick_scale():
    missing = [name for name in names() if quick_args(name) is None]
    assert not missing, f"give these a quick scale (QUICK in bench/__main__.py, or QUICK_ARGS): {missing}"
    assert takes_backend("tally") and not takes_backend("slips")


def test_a_quick_run_writes_its_figures_with_the_machine(tmp_path):
    out = tmp_path / "results.json"
    out.write_text(
        json.dumps(
            {
                "figures": [
                    {
                        "bench": "tally",
                        "name": "kept",
                        "value": 1.0,
                        "unit": "s",
                        "target": None,
                        "better": "lower",
                        "met": None,
                        "backend": "sqlite",
                        "note": "",
                        "scale": "normal",
                        "date": "2026-01-01T00:00:00+00:00",
                        "machine": {},
                    }
                ]
            }
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--backend", "sqlite", "--out", str(out), "accounts", "slips"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(out.read_text())["figures"]
    assert {f["bench"] for f in figures} == {"accounts", "slips", "tally"}  # the tally figure of before is kept
    for f in figures:
        assert set(f) == FIGURE_KEYS, f
        assert isinstance(f["value"], float)
        assert f["better"] in ("lower", "higher")
        assert f["met"] in (True, False, None)
    ran = [f for f in figures if f["bench"] != "tally"]
    for f in ran:
        assert f["scale"] == "quick"
        assert set(f["machine"]) == {"cpus", "python", "platform", "load_1min"}
        assert f["machine"]["cpus"] >= 1 and f["machine"]["python"].startswith("3.")
        if f["target"] is not None and f["name"] != "crash test passed":
            assert f["met"] is None, f  # at the quick scale a target is not judged
    accounts = {f["name"]: f for f in ran if f["bench"] == "accounts"}
    assert accounts["issue 1,000 accounts (API call to committed rows)"]["backend"] == "sqlite"
    assert accounts["issue 1,000 accounts (API call to committed rows)"]["target"] == 3.0
    assert accounts["issue 1,000 accounts (service)"]["value"] > 0
    assert accounts["issue 1,000 accounts (raw: key + insert)"]["value"] > 0
    assert {f["backend"] for f in ran if f["bench"] == "slips"} == {None}
    # the table printed at the end names every figure it ran
    for f in ran:
        assert f["name"] in run.stdout


def test_merge_replaces_only_the_benchmarks_that_ran(tmp_path):
    out = tmp_path / "latest.json"
    old = {
        "bench": "a",
        "name": "x",
        "value": 1.0,
        "unit": "s",
        "target": 2.0,
        "better": "lower",
        "met": True,
        "backend": None,
        "note": "",
        "scale": "normal",
        "date": "2026-01-01T00:00:00+00:00",
        "machine": {},
    }
    merge(out, {"a"}, [old, {**old, "bench": "b"}])
    merged = merge(out, {"a"}, [{**old, "value": 3.0, "met": False}])
    assert [(f["bench"], f["value"]) for f in merged] == [("a", 3.0), ("b", 1.0)]
    assert "NO" in table(merged) and "yes" in table(merged)


def test_a_run_on_one_database_keeps_the_other_databases_figures(tmp_path):
    out = tmp_path / "latest.json"
    figure = {
        "bench": "a",
        "name": "x",
        "value": 1.0,
        "unit": "s",
        "target": None,
        "better": "lower",
        "met": None,
        "note": "",
        "scale": "normal",
        "date": "2026-01-01T00:00:00+00:00",
        "machine": {},
    }
    merge(out, {"a"}, [{**figure, "backend": "sqlite"}, {**figure, "backend": "postgresql"}])
    merged = merge(out, {"a"}, [{**figure, "backend": "sqlite", "value": 2.0}], {"sqlite"})
    assert [(f["backend"], f["value"]) for f in merged] == [("postgresql", 1.0), ("sqlite", 2.0)]
