"""Activation-code slips of people's accounts to PDF (``core.services.people_slips.slips_pdf``,
written by the streaming slip writer ``core.slips_pdf``): ``--slips`` slips, 2 x 5 a page.

No database: the slips are made in memory as ``batch_slips`` answers them. Prints the seconds,
pages, size and the growth of this process's peak memory.

    .venv/bin/python -m bench.people_slips [--slips 10000]

Target: 10,000 slips in <= 5 s (as ballot slips, ``bench.slips``). The machine's load average
is printed beside the figure (the benchmark machine is shared).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench._figures import figure

QUICK_ARGS = ["--slips", "200"]
TARGET_SECONDS = 5.0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    from core.services.people_slips import BatchSlips, SlipRow, slips_pdf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slips", type=int, default=10_000)
    args = parser.parse_args(argv)
    rows = [
        SlipRow(
            name=f"王{n % 97}芳", unit=f"县直单位{n % 200:03d}", username=f"p{n:06d}", code=f"K7QX-{n % 9973:04d}-M2PA"
        )
        for n in range(args.slips)
    ]
    slips = BatchSlips(locality_name="示范县", sign_in_url="https://kaoping.example.gov.cn/activate", rows=rows)

    def gettext(message: str, **values) -> str:
        return message.format(**values) if values else message

    slips_pdf(BatchSlips(slips.locality_name, slips.sign_in_url, rows[:10]), gettext)  # fonts loaded
    base = _rss_mb()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    pdf = slips_pdf(slips, gettext)
    seconds = time.perf_counter() - started
    grown = _rss_mb() - base
    pages = (args.slips + 9) // 10
    note = f"{pages:,} pages, {len(pdf) / 1024:,.0f} KB; load {load:.1f} on {os.cpu_count()} CPUs"
    print(f"{args.slips:,} activation slips to PDF: {seconds:.2f} s ({note}); peak memory +{grown:.0f} MB")
    full = args.slips >= 10_000
    figure(
        "people_slips",
        f"{args.slips:,} activation slips to PDF",
        seconds,
        "s",
        target=TARGET_SECONDS,
        note=note,
        full_scale=full,
    )
    figure("people_slips", f"{args.slips:,} activation slips to PDF: peak memory growth", grown, "MB", note=note)
    print(f"target <= {TARGET_SECONDS:g} s for 10,000 slips")
    return 0 if seconds <= TARGET_SECONDS or not full else 1


if __name__ == "__main__":
    raise SystemExit(main())
