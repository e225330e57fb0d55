"""Where the suite's CPU goes: each test's setup and call, in CPU seconds of its test process.

``--durations`` gives wall time, which on a shared 2-core machine says as much about the
neighbours as about the test. This plugin also records the CPU time of the process that ran the
test (every thread: the test, the live server, the database driver) plus its waited-for children
(``kaoping`` subprocesses, schemathesis), and prints at the end the total, the test files that
cost most, and the costliest tests (``--cpu-report=N``, 0 to switch it off). Under xdist, each
worker sends its figures with the test's report (``user_properties``).
"""

from __future__ import annotations

import os
import resource
import time
from collections import defaultdict

import pytest

from bench._figures import machine_cpu


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--cpu-report", type=int, default=0, metavar="N", help="print the N costliest tests and files in CPU"
    )


_STARTED: dict[str, object] = {}


def pytest_sessionstart(session) -> None:
    _STARTED.update(wall=time.monotonic(), load=os.getloadavg()[0], machine=machine_cpu())


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    started = _cpu()
    yield
    item.user_properties.append(("cpu_setup", _cpu() - started))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    started = _cpu()
    yield
    item.user_properties.append(("cpu_call", _cpu() - started))


def pytest_terminal_summary(terminalreporter, config) -> None:
    shown = config.getoption("--cpu-report")
    if not shown:
        return
    by_test: dict[str, float] = defaultdict(float)
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if name in ("cpu_setup", "cpu_call"):
                    by_test[report.nodeid] += value
    if not by_test:
        return
    by_file: dict[str, float] = defaultdict(float)
    for nodeid, seconds in by_test.items():
        by_file[nodeid.split("::", 1)[0]] += seconds
    write = terminalreporter.write_line
    terminalreporter.section("CPU (setup and call, every thread and waited-for child of the test process)")
    write(f"{sum(by_test.values()):.0f} s of CPU over {len(by_test)} tests")
    machine, started = machine_cpu(), _STARTED.get("machine")
    if machine and started:
        busy, every = (now - then for now, then in zip(machine, started, strict=True))
        # every process of the machine counts here: the suite's, its databases' and anyone else's
        write(
            f"the machine: {os.cpu_count()} cores {busy / every:.0%} busy over "
            f"{time.monotonic() - _STARTED['wall']:.0f} s; load average {_STARTED['load']:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end (a load above the cores while the suite ran says others shared them)"
        )
    write("files:")
    for path, seconds in sorted(by_file.items(), key=lambda kv: -kv[1])[:shown]:
        write(f"  {seconds:8.1f} s  {path}")
    write("tests:")
    for nodeid, seconds in sorted(by_test.items(), key=lambda kv: -kv[1])[:shown]:
        write(f"  {seconds:8.1f} s  {nodeid}")
