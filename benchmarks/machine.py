"""The machine a benchmark or load test ran on, as its report names it (no Django: the load test's
report reads it too)."""

import os
import platform
from pathlib import Path


def describe() -> str:
    """``2 cores (AMD EPYC …), 24 GiB, Linux 6.1…, Python 3.11.7``."""
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
        f"Python {platform.python_version()}"
    )
