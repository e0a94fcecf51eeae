"""``make loadtest``: the locustfile's requests against a live server on the demo, and its report's
section in docs/benchmarks.md, which ``manage.py bench`` keeps."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.management.commands.bench import CRYPTO_SECTION
from benchmarks.management.commands.bench import Command as Bench
from tests.factories import seed

LOADTEST = Path(__file__).resolve().parents[1] / "tools" / "loadtest"


def tool(name: str):
    """A module of tools/loadtest (not a package: the locustfile runs as Locust's script)."""
    spec = importlib.util.spec_from_file_location(f"loadtest_{name}", LOADTEST / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_every_role_signs_in_and_each_task_answers_200(live_server, settings, tmp_path):
    """Every account the load test would use signs in and runs each task of its role once, through
    the locustfile's own user classes (tools/loadtest/check.py, Locust in its own process)."""
    settings.MEDIA_ROOT = tmp_path
    seed()
    chosen = tool("accounts").choose()
    assert [user["username"] for user in chosen["supervisor"]] == ["supervisor"]
    assert len(chosen["discipline_staff"]) == 4 and len(chosen["unit_officer"]) == 5
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps(chosen))

    run = subprocess.run(
        [sys.executable, str(LOADTEST / "check.py"), live_server.url],
        env={**os.environ, "LOADTEST_ACCOUNTS": str(accounts)},
        cwd=LOADTEST,
        capture_output=True,
        text=True,
        timeout=25,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    *answers, last = run.stdout.splitlines()
    answers = [line.split(" ")[:3] for line in answers]  # status, role, page
    assert last == "0 failed"
    assert {status for status, _role, page in answers if page != "/login/"} == {"200"}
    sign_ins = [status for status, _role, page in answers if page == "/login/"]
    assert sign_ins.count("200") == sign_ins.count("302") == 10  # the form, then the post
    pages = {(role, page) for _status, role, page in answers}
    assert len(pages) == 12 + 5 + 5, pages  # staff's, officers', supervisors', with /login/


def test_the_report_replaces_its_own_section_and_bench_keeps_it(tmp_path):
    report = tool("report")
    doc = tmp_path / "benchmarks.md"
    generated = (
        "# Benchmarks\n\n| hot path | p50 ms |\n|---|---|\n\n## Against the targets\n\nHand.\n"
    )
    first = report.written_into(generated, f"{report.BEGIN}\nrun 1\n{report.END}")
    doc.write_text(first + "\nReading of the run, by hand.\n")

    second = report.written_into(doc.read_text(), f"{report.BEGIN}\nrun 2\n{report.END}")

    assert first.startswith(generated.rstrip("\n") + "\n\n" + report.HEADING)
    assert "run 1" not in second and "run 2" in second
    assert second.count(report.HEADING) == 1
    assert second.endswith(f"run 2\n{report.END}\n\nReading of the run, by hand.\n")
    # `manage.py bench` rewrites what precedes the first "## " and keeps the rest, in a full run
    # (_kept) as in one section's (_with_section).
    doc.write_text(second)
    assert report.HEADING in Bench._kept(doc) and "run 2" in Bench._kept(doc)
    crypto = Bench._with_section(doc, CRYPTO_SECTION, f"{CRYPTO_SECTION}\n\nnew\n")
    assert crypto.endswith(second[second.index("\n## ") :])


def test_the_report_counts_each_page_and_the_time_once_all_signed_in(tmp_path):
    log = tmp_path / "requests.csv"
    log.write_text(
        "start,method,name,ms,status,error\n"
        "100.0,GET,staff /login/,5.0,200,\n"
        "100.1,POST,staff /login/,900.0,302,\n"
        "100.5,GET,staff /cases/,700.0,200,\n"  # sent before the sign-in was answered
        "101.5,GET,staff /cases/,40.0,200,\n"
        "102.0,GET,staff /cases/,60.0,500,CatchResponseError('500 ')\n"
    )

    report = tool("report")
    lines, seconds, signed_in = report.table(report.read(log))

    assert seconds == pytest.approx(2.06)
    assert signed_in == {"staff": 1}
    cases = next(line for line in lines if line.startswith("| staff GET /cases/ |"))
    # requests, req/s, p50, p95, p99, max, failures, p95 once all signed in
    assert cases.split(" | ")[1:] == ["3", "1.46", "60", "700", "700", "700", "1", "60 |"]
