"""The machine a benchmark or load test ran on, as its report names it (no Django: the load test's
report reads it too)."""

import os
import platform
import time
from pathlib import Path


def python_loop_seconds() -> float:
    """Seconds this machine takes for a Python loop of 10^7 additions. The same CPU model ran it
    in 0.9 s one day and 1.6 s another (shared hosts), and every time of a report with it: the
    figure lets two reports be compared."""
    started = time.perf_counter()
    total = 0
    for number in range(10**7):
        total += number
    return time.perf_counter() - started


def describe() -> str:
    """``2 cores (AMD EPYC …), 24 GiB, Linux 6.1…, Python 3.11.7 (a loop of 10^7 additions in
    0.90 s)``."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Linux {platform.release()}, "
        f"Python {platform.python_version()} "
        f"(a loop of 10^7 additions in {python_loop_seconds():.2f} s)"
    )
