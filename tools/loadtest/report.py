"""The load test's table, from the locustfile's log of every request, written into
docs/benchmarks.md (``tools/loadtest.sh``).

Per page: requests, requests a second over the run, p50/p95/p99 and the slowest (nearest rank, to
the tenth of a millisecond as Locust timed them), failures, and the p95 of the requests sent once
every user had signed in (the first seconds are a sign-in rush: each sign-in hashes a password).

The section is the text between ``BEGIN`` and ``END``: a run replaces it and nothing else, so the
reading written by hand after it stays. Without the markers the section (a heading, the markers)
is added at the end of the file, after ``manage.py bench``'s generated tables, which that command
keeps (it rewrites only what comes before the file's first ``## `` heading).
"""

import argparse
import csv
import datetime
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.machine import describe

HEADING = "## Load test: the three roles' pages under many users (`make loadtest`)"
BEGIN = "<!-- make loadtest: begin (written by tools/loadtest/report.py at each run) -->"
END = "<!-- make loadtest: end -->"
ROLES = {"staff": "discipline staff", "officer": "unit officer", "supervisor": "supervisor"}
SIGN_IN = ("POST", "/login/")


@dataclass
class Request:
    start: float
    method: str
    role: str
    page: str
    ms: float
    error: str

    @property
    def end(self) -> float:
        return self.start + self.ms / 1000


@dataclass
class Page:
    name: str
    times: list[float] = field(default_factory=list)
    settled: list[float] = field(default_factory=list)  # sent once every user had signed in
    failures: int = 0

    def row(self, seconds: float) -> list[str]:
        times = sorted(self.times)
        return [
            self.name,
            f"{len(times):,}",
            f"{len(times) / seconds:.2f}",
            *(ms(percentile(times, share)) for share in (0.5, 0.95, 0.99)),
            ms(times[-1]),
            f"{self.failures:,}",
            ms(percentile(sorted(self.settled), 0.95)),
        ]


def percentile(times: list[float], share: float) -> float | None:
    """Nearest rank of sorted ``times``."""
    return times[max(0, math.ceil(share * len(times)) - 1)] if times else None


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def read(log: Path) -> list[Request]:
    with log.open(newline="") as file:
        return [
            Request(
                float(row["start"]),
                row["method"],
                *row["name"].split(" ", 1),
                float(row["ms"]),
                row["error"],
            )
            for row in csv.DictReader(file)
        ]


def table(requests: list[Request]) -> tuple[list[str], float, Counter]:
    """The table's lines, the run's length in seconds and the sign-ins by role."""
    seconds = max(r.end for r in requests) - min(r.start for r in requests)
    sign_ins = [r for r in requests if (r.method, r.page) == SIGN_IN]
    settled_from = max(r.end for r in sign_ins) if sign_ins else 0
    pages: dict[str, Page] = {}
    total = Page("**every request**")
    no_sign_in = Page("**every page and API call** (no sign-in)")
    order = list(ROLES)
    for r in sorted(requests, key=lambda r: (order.index(r.role), r.page != "/login/", r.page)):
        name = f"{r.role} {r.method} {r.page}"
        sums = [pages.setdefault(name, Page(name)), total]
        if r.page != "/login/":
            sums.append(no_sign_in)
        for page in sums:
            page.times.append(r.ms)
            page.failures += bool(r.error)
            if r.start >= settled_from:
                page.settled.append(r.ms)
    header = ["page", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "failures"]
    header.append("p95 ms, all signed in")
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for page in [*pages.values(), no_sign_in, total]:
        lines.append("| " + " | ".join(page.row(seconds)) + " |")
    return lines, seconds, Counter(r.role for r in sign_ins)


def over_time(requests: list[Request], window: int = 10) -> str:
    """The p95 of every page and API call sent in each ``window`` seconds of the run."""
    first = min(r.start for r in requests)
    windows: dict[int, list[float]] = {}
    for r in requests:
        if r.page != "/login/":
            windows.setdefault(int((r.start - first) // window), []).append(r.ms)
    if not windows:
        return "—"
    return ", ".join(
        ms(percentile(sorted(windows.get(n, [])), 0.95)) for n in range(max(windows) + 1)
    )


def section(options) -> str:
    requests = read(options.log)
    lines, seconds, signed_in = table(requests)
    low, high = options.load_during.split()
    users = ", ".join(
        f"{signed_in[role]} {words}{'s' * (signed_in[role] != 1 and role != 'staff')}"
        for role, words in ROLES.items()
    )
    failures = Counter(
        (f"{r.role} {r.method} {r.page}", r.error.replace("|", "/")) for r in requests if r.error
    )
    return "\n".join(
        [
            BEGIN,
            "",
            f"`{options.command}`, {datetime.date.today().isoformat()}: {options.users} users "
            f"({users}; {options.spawn_rate} started a second), {options.run_time} "
            f"({seconds:.0f} s from the first request to the last answer), each waiting "
            f"{options.wait} s between requests; gunicorn ({options.workers} sync workers, "
            f"`gunicorn.conf.py`, `DEBUG=false`, database connections kept) on PostgreSQL "
            f"{options.postgres}, Redis {options.redis} as cache and Celery broker, Locust "
            f"{options.locust}, all on this machine over loopback. Database `{options.database}`: "
            f"{options.data}. Machine: {describe()}. Load average (1, 5, 15 minutes): "
            f"{options.load_before} before the run, {options.load_after} at its end; the 1-minute "
            f"figure between {low} and {high} during it (read every 10 s).",
            "",
            "Each user signs in once, as a person does (GET the login page, POST its form: a 302 "
            "to the home page; the password's PBKDF2-HMAC-SM3 hash at 1,000,000 iterations is "
            "most of it), then opens its role's pages and API lists "
            "(`tools/loadtest/locustfile.py`); every answer but the sign-in's must be a 200, no "
            "redirect followed. Times from the request sent to the answer read; percentiles by "
            "nearest rank; *req/s* over the run; *all signed in*: the requests sent after the "
            "last sign-in was answered.",
            "",
            *lines,
            "",
            f"p95 ms of every page and API call sent in each 10 s of the run: "
            f"{over_time(requests)}.",
            "",
            *(
                ["| failed request | error | times |", "|---|---|---:|"]
                + [f"| {name} | {error} | {n:,} |" for (name, error), n in failures.most_common()]
                if failures
                else [f"No failure in {len(requests):,} requests."]
            ),
            *(
                ["", f"The server's log shows {options.server_errors} answers of status 5xx."]
                if options.server_errors
                else []
            ),
            "",
            END,
        ]
    )


def written_into(previous: str, generated: str) -> str:
    """``previous`` with its load-test section replaced, or the section added at its end."""
    start, end = previous.find(BEGIN), previous.find(END)
    if start >= 0 and end > start:
        return previous[:start] + generated + previous[end + len(END) :]
    return previous.rstrip("\n") + f"\n\n{HEADING}\n\n{generated}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", type=Path, required=True, help="the locustfile's LOADTEST_LOG")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--copy", type=Path, help="the section alone, written here too")
    for fact in (
        "command", "users", "spawn-rate", "run-time", "wait", "workers", "postgres", "redis",
        "locust", "database", "data", "load-before", "load-during", "load-after",
    ):  # fmt: skip
        parser.add_argument(f"--{fact}", required=True)
    parser.add_argument("--server-errors", type=int, default=0)
    options = parser.parse_args()
    generated = section(options)
    previous = options.output.read_text() if options.output.exists() else "# Benchmarks\n"
    options.output.write_text(written_into(previous, generated))
    if options.copy:
        options.copy.write_text(generated + "\n")
    print(generated)


if __name__ == "__main__":
    main()
