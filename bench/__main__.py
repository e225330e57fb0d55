"""Run every benchmark of this folder (or those named): ``python -m bench [name ...]``.

Each runs as ``python -m bench.<name>`` in its own process, so one's memory or failure does
not touch the others; the exit status is non-zero when any of them failed.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    wanted = list(sys.argv[1:] if argv is None else argv)
    available = names()
    unknown = [name for name in wanted if name not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    failed = []
    for name in wanted or available:
        print(f"== bench.{name} ==", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent, check=False)
        print(f"== bench.{name}: {'ok' if result.returncode == 0 else f'FAILED ({result.returncode})'} "
              f"in {time.perf_counter() - started:.1f} s ==\n", flush=True)
        if result.returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
