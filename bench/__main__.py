"""Run every benchmark of this folder (or those named) and write their figures to one file.

    python -m bench [NAME ...] [--quick] [--backend sqlite|postgresql|both] [--out FILE]

Each benchmark runs as ``python -m bench.<name>`` in its own process (one's memory or failure
does not touch the others) and prints its own table; the figures it reports
(``bench._figures.figure``) are gathered into ``bench/results/latest.json`` (``--quick``: a
small scale for a smoke run, into ``bench/results/quick.json``), each with the machine and the
date, and printed in one table at the end. Running some benchmarks only replaces their figures
in the file and keeps the others'. The exit status is non-zero when any benchmark failed.

The file is ``{"figures": [...]}``; a figure is ``{"bench", "name", "value", "unit", "target",
"better" ("lower"|"higher"), "met" (bool, or null without a target), "backend" ("sqlite",
"postgresql" or null), "note", "scale" ("normal"|"quick"), "date" (UTC, ISO 8601), "machine":
{"cpus", "python", "platform", "load_1min"}}``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import pkgutil
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# The scale of ``--quick``: seconds per benchmark, enough to see that each runs and reports. A
# benchmark not listed here may say it itself: ``QUICK_ARGS = [...]`` (a literal) in its module.
QUICK = {
    "accounts": ["--accounts", "1000", "--call", "500"],
    "ballot_box": ["--ballots", "100"],
    "console_pages": ["--people", "300", "--rounds", "2"],
    "crash": ["--voters", "20", "--kills", "2"],
    "people_accounts": ["--people", "300"],
    "slips": ["--slips", "100", "--sample", "20"],
    "submissions": ["--voters", "20"],
    "tally": ["--ballots", "100"],
}


def names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_"))


def quick_args(name: str) -> list[str] | None:
    """The arguments of ``name``'s quick scale (None: it has none)."""
    if name in QUICK:
        return list(QUICK[name])
    for node in ast.parse((HERE / f"{name}.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "QUICK_ARGS" for t in node.targets):
            return [str(arg) for arg in ast.literal_eval(node.value)]
    return None


def takes_backend(name: str) -> bool:
    """Whether ``bench.<name>`` has a ``--backend`` option."""
    return '"--backend"' in (HERE / f"{name}.py").read_text(encoding="utf-8")


def machine() -> dict:
    """The machine a figure was measured on."""
    try:
        load = round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on Linux
        load = None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_1min": load,
    }


def run_one(name: str, args: list[str], scale: str) -> tuple[int, list[dict], float]:
    """Run ``bench.<name>`` with ``args``; return its exit status, its figures and its seconds."""
    from bench._figures import ENV

    with tempfile.NamedTemporaryFile(prefix=f"kaoping-bench-{name}-", suffix=".jsonl", delete=False) as handle:
        figures_path = Path(handle.name)
    try:
        where = machine()  # the load before the benchmark loads the machine itself
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", f"bench.{name}", *args],
            cwd=HERE.parent,
            check=False,
            env={**os.environ, ENV: str(figures_path)},
        )
        seconds = time.perf_counter() - started
        date = datetime.now(UTC).replace(microsecond=0).isoformat()
        figures = [
            {**json.loads(line), "scale": scale, "date": date, "machine": where}
            for line in figures_path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        return result.returncode, figures, seconds
    finally:
        figures_path.unlink(missing_ok=True)


def merge(path: Path, ran: set[str], figures: list[dict], backends: set[str] | None = None) -> list[dict]:
    """The figures of ``path`` of benchmarks not in ``ran``, then ``figures``; written to ``path``.
    ``backends``: the databases the run used (None: all); a ran benchmark keeps its figures of
    the other databases (``--backend sqlite`` replaces the SQLite ones only)."""

    def replaced(f: dict) -> bool:
        if f.get("bench") not in ran:
            return False
        return backends is None or f.get("backend") is None or f.get("backend") in backends

    kept = []
    if path.exists():
        try:
            kept = [f for f in json.loads(path.read_text(encoding="utf-8"))["figures"] if not replaced(f)]
        except (ValueError, KeyError, TypeError):
            kept = []
    merged = sorted(kept + figures, key=lambda f: (f["bench"], f.get("backend") or "", f["name"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"figures": merged}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return merged


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(figures: list[dict]) -> str:
    """The figures as a plain-text table."""
    rows = [("benchmark", "figure", "backend", "value", "unit", "target", "met", "date")]
    for f in figures:
        target = "" if f["target"] is None else ("<= " if f["better"] == "lower" else ">= ") + _number(f["target"])
        verdict = "" if f["met"] is None else ("yes" if f["met"] else "NO")
        rows.append(
            (
                f["bench"],
                f["name"],
                f["backend"] or "-",
                _number(f["value"]),
                f["unit"],
                target,
                verdict,
                f["date"][:16],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.rjust(w) if i == 3 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
        for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    available = names()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run (default all): {', '.join(available)}"
    )
    parser.add_argument("--quick", action="store_true", help="a small scale, for a smoke run")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--out",
        type=Path,
        help="results file (default bench/results/latest.json, with --quick bench/results/quick.json)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    unknown = [name for name in args.names if name not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    out = args.out or RESULTS / ("quick.json" if args.quick else "latest.json")
    scale = "quick" if args.quick else "normal"
    failed, figures, ran = [], [], set()
    for name in args.names or available:
        bench_args = []
        if args.quick:
            if quick_args(name) is None:
                print(f"== bench.{name}: no quick scale (QUICK_ARGS), skipped ==\n", flush=True)
                continue
            bench_args = quick_args(name)
        if takes_backend(name):
            bench_args += ["--backend", args.backend]
        print(f"== bench.{name} {' '.join(bench_args)} ==", flush=True)
        status, reported, seconds = run_one(name, bench_args, scale)
        print(f"== bench.{name}: {'ok' if status == 0 else f'FAILED ({status})'} in {seconds:.1f} s ==\n", flush=True)
        if status:
            failed.append(name)
        ran.add(name)
        figures += reported
    merged = merge(out, ran, figures, None if args.backend == "both" else {args.backend})
    print(table([f for f in merged if f["bench"] in ran]))
    where = machine()
    print(
        f"\n{where['cpus']} CPUs, Python {where['python']}, {where['platform']}, load {where['load_1min']}; "
        f"all figures in {out}"
    )
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
