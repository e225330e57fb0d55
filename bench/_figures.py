"""Figures a benchmark reports to ``python -m bench``, which collects them into a results file.

A benchmark calls :func:`figure` once per figure it measured; when run by the harness (the
environment variable ``KAOPING_BENCH_FIGURES`` names a file) each call appends one JSON line
to that file, otherwise it does nothing (a benchmark run alone only prints its table).
"""

from __future__ import annotations

import json
import os
from typing import Literal

ENV = "KAOPING_BENCH_FIGURES"


def met(value: float, target: float | None, better: Literal["lower", "higher"]) -> bool | None:
    """Whether ``value`` meets ``target`` (None when there is no target)."""
    if target is None:
        return None
    return value <= target if better == "lower" else value >= target


def figure(
    bench: str,
    name: str,
    value: float,
    unit: str,
    *,
    target: float | None = None,
    better: Literal["lower", "higher"] = "lower",
    backend: str | None = None,
    note: str = "",
    full_scale: bool = True,
) -> dict:
    """Report one figure: ``value`` in ``unit`` (e.g. ``"/s"``, ``"ms"``, ``"s"``, ``"MB"``), the
    ``target`` it is held to (``better`` says which side of it is good), the database ``backend``
    (``"sqlite"``, ``"postgresql"`` or None when no database is involved). ``full_scale`` False:
    measured at a smaller scale than the target is set for, so ``met`` is None (not judged).
    Returns the record."""
    judged = met(float(value), target, better) if full_scale else None
    if not full_scale and target is not None:
        note = (note + "; " if note else "") + "smaller than the target's scale: not judged"
    record = {
        "bench": bench,
        "name": name,
        "value": round(float(value), 4),
        "unit": unit,
        "target": target,
        "better": better,
        "met": judged,
        "backend": backend,
        "note": note,
    }
    path = os.environ.get(ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record


def machine_cpu() -> tuple[float, float] | None:
    """(busy, all) CPU seconds of the whole machine since boot, summed over its cores (/proc/stat:
    busy is everything but idle and iowait), or None where /proc/stat cannot be read."""
    from pathlib import Path

    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - fields[3] - fields[4]) / tick, sum(fields) / tick
