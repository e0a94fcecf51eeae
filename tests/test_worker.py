"""Reminders through a real Celery worker process, on the broker CI runs (Redis; the file-system
broker on SQLite), against the test database: sent once whatever runs twice, dies or is down.

The worker sends mail to files; each test reads them back.
"""

import datetime
import email
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from core.domain import shanghai_today
from notifications import tasks as outbox_tasks
from notifications.models import Digest, Notification
from oversight import tasks as document_tasks
from oversight.models import DocumentJob
from recommendations import services as recommendation_services
from reforms import tasks
from reforms.models import UrgingNotice
from tests import factories, pdf

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]
# The worker runs in real time: the test's dates are relative to today.
TODAY = shanghai_today()
WAIT = 60  # seconds: generous for a loaded CI machine; a healthy run takes a second or two


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}")


class Worker:
    """``celery worker`` in a child process, on a queue of its own, mailing to a folder."""

    def __init__(self, tmp_path: Path, queue: str, concurrency: int = 1, extra_env=None):
        self.mail_dir = tmp_path / "mail"
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        database = connection.settings_dict
        if database["ENGINE"].endswith("sqlite3"):
            url = f"sqlite:///{database['NAME']}"
        else:
            url = (
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            )
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "REMINDER_SCAN_CHUNK": "2",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            # libpq names the worker's sessions after its queue: ``end_leftover_sessions``.
            "PGAPPNAME": queue,
            "TZ": "UTC",
            **(extra_env or {}),
        }
        command = [
            *(sys.executable, "-m", "celery", "-A", "config", "worker"),
            *("--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork", "-Q", queue),
            *("--without-heartbeat", "--without-mingle", "--without-gossip"),
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )
        wait_for(lambda: "ready." in self.log.read_text(), "the worker to start")

    def children(self) -> set[int]:
        found = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        )
        return {int(pid) for pid in found.stdout.split()}

    def mails(self) -> list[email.message.Message]:
        if not self.mail_dir.exists():
            return []
        messages = []
        for path in sorted(self.mail_dir.iterdir()):
            for chunk in path.read_bytes().split(b"-" * 79):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk.strip()))
        return messages

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def queue():
    """A queue of its own, so no other worker on this machine takes the test's tasks."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = name
    yield name
    app.conf.task_default_queue = previous


@pytest.fixture
def worker(tmp_path, queue):
    workers = []

    def start(concurrency=1, **env):
        workers.append(Worker(tmp_path, queue, concurrency, env))
        return workers[-1]

    yield start
    for running in workers:
        running.stop()
    end_leftover_sessions(queue)


def end_leftover_sessions(queue: str):
    """A worker process killed mid-task (SIGKILL) may leave its database session behind, and the
    test database could not be dropped at the end of the run: end the sessions of the queue's
    workers on it, and no other (the test's own, a replica's mirror of it)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [queue],
        )


@pytest.fixture
def overdue_letter(world, housing_case):
    """Two officers' worth of reminders: four housing measures, the last one long overdue."""
    world.users.housing_officer.email = "officer@housing.example"
    world.users.housing_officer.save()
    world.users.city_staff.email = "staff@city.example"
    world.users.city_staff.save()
    letter = factories.issued_recommendation(
        staff=world.users.city_staff,
        the_case=housing_case,
        issued_on=TODAY - datetime.timedelta(days=60),
        reply_due_on=TODAY + datetime.timedelta(days=120),
    )
    recommendation_services.recommendation_acknowledge(
        recommendation=letter, actor=world.users.housing_officer
    )
    # Chunks of two: the first holds two measures due within days, the second one more and one
    # 40 days overdue (red, and a 督办 to the commission's staff).
    for days in (2, 3, 4, -40):
        factories.measure(
            recommendation=letter,
            actor=world.users.housing_officer,
            due_on=TODAY + datetime.timedelta(days=days),
        )
    return letter


def delivered(worker) -> dict[str, int]:
    return {
        address: sum(1 for mail in worker.mails() if mail["To"] == address)
        for address in ("officer@housing.example", "staff@city.example")
    }


def test_the_same_scan_twice_at_once_writes_and_sends_each_reminder_once(worker, overdue_letter):
    running = worker(concurrency=2)
    tasks.scan_deadlines.delay()
    tasks.scan_deadlines.delay()
    wait_for(lambda: Digest.objects.filter(status=Digest.Status.SENT).count() == 2, "mail")

    assert delivered(running) == {"officer@housing.example": 1, "staff@city.example": 1}
    keys = list(Notification.objects.values_list("recipient__username", "dedupe_key"))
    assert len(keys) == len(set(keys)) > 0
    assert UrgingNotice.objects.count() == 1
    officer_mail = next(m for m in running.mails() if m["To"] == "officer@housing.example")
    assert "督办" in officer_mail.get_payload()[0].get_payload(decode=True).decode()


def test_a_worker_killed_mid_scan_delivers_every_reminder_once_after_restart(
    worker, overdue_letter, world
):
    """The scan is held in the middle (on PostgreSQL inside its second chunk, the first one
    committed: the urging notice's number is taken by an open transaction elsewhere; on SQLite at
    its first write); its process is killed there; the task comes back (acks_late, reject on
    worker lost) and finishes once the way is free."""
    running = worker()
    blocker = _hold_urging_number(overdue_letter)
    try:
        tasks.scan_deadlines.delay()
        wait_for(lambda: "scan_deadlines" in running.log.read_text(), "the scan to start")
        time.sleep(1)  # well inside the held insert
        assert not Notification.objects.filter(kind=Notification.Kind.URGING).exists()
        before = running.children()
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: running.children() - before, "a new worker process")
    finally:
        blocker.rollback()
        blocker.close()
    wait_for(lambda: Digest.objects.filter(status=Digest.Status.SENT).count() == 2, "mail")

    log = running.log.read_text()
    assert "WorkerLostError" in log or "signal 9" in log
    assert delivered(running) == {"officer@housing.example": 1, "staff@city.example": 1}
    assert UrgingNotice.objects.get().number == f"督办〔{TODAY.year}〕1号"
    keys = list(Notification.objects.values_list("recipient__username", "dedupe_key"))
    assert len(keys) == len(set(keys))


@contextmanager
def broker_down():
    """Publish to a port where no broker listens, as when Redis is down."""
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None  # the producer pool is built from broker_url on first use
    try:
        yield
    finally:
        app.conf.broker_url = previous
        app._pool = None


def _hold_urging_number(letter):
    """A second connection inserting 督办〔2026〕1号 without committing: the scan's own insert of
    that number waits on it."""
    measure = letter.items.first().measures.order_by("-pk").first()
    database = connection.settings_dict
    values = [
        "held",
        TODAY.year,
        1,
        measure.unit_id,
        measure.pk,
        measure.due_on,
        1,
        TODAY,
    ]
    sql = (
        "INSERT INTO reforms_urgingnotice (number, year, serial, unit_id, measure_id, due_on, "
        "days_overdue, issued_on, created_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, "
        "CURRENT_TIMESTAMP)"
    )
    if database["ENGINE"].endswith("sqlite3"):
        import sqlite3

        blocker = sqlite3.connect(database["NAME"], isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        blocker.execute(sql.format(p="?"), [str(value) for value in values])
        return blocker
    import psycopg

    blocker = psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        user=database["USER"],
        dbname=database["NAME"],
    )
    blocker.execute(sql.format(p="%s"), values)
    return blocker


def test_with_the_broker_down_work_is_saved_and_the_outbox_catches_up(
    worker, overdue_letter, world, client
):
    measure = overdue_letter.items.first().measures.order_by("pk").first()
    with broker_down():
        assert tasks.scan_deadlines()["measures"] == 4  # written, nothing queued, nothing raised
        assert outbox_tasks.sweep_outbox() == 2
        client.force_login(world.users.housing_officer)  # and the pages work and save
        response = client.post(
            f"/measures/{measure.pk}/progress/",
            {"content": "已起草制度", "percent_complete": 30},
        )
        assert response.status_code == 302
        measure.refresh_from_db()
        assert measure.status == measure.Status.IN_PROGRESS
    assert set(Digest.objects.values_list("status", flat=True)) == {Digest.Status.PENDING}

    running = worker()
    outbox_tasks.sweep_outbox.delay()
    wait_for(lambda: Digest.objects.filter(status=Digest.Status.SENT).count() == 2, "mail")
    assert delivered(running) == {"officer@housing.example": 1, "staff@city.example": 1}


def test_a_large_ledger_is_laid_out_in_parts_by_a_worker_process(
    worker, world, housing_case, tmp_path
):
    """The parts are forked from a prefork child (Celery's own pool): they run, end, and their
    pages come back joined and numbered through."""
    letter = factories.large_letter(
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
        the_case=housing_case,
        measures=300,  # two parts of 150 rows (documents.LEDGER_PART_ROWS)
        items=3,
    )
    job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.LEDGER,
        query=f"recommendation={letter.pk}",
        filename="整改台账.pdf",
        total=300,
        created_by=world.users.city_staff,
    )
    media = tmp_path / "media"
    running = worker(MEDIA_ROOT=str(media), DOCUMENT_JOB_PROCESSES="2")
    document_tasks.make_document.delay(job.pk)
    wait_for(lambda: DocumentJob.objects.get(pk=job.pk).finished, "the ledger", timeout=4 * WAIT)

    job.refresh_from_db()
    log = running.log.read_text()
    assert job.status == DocumentJob.Status.DONE, log[-3000:]
    assert "2 parts laid out" in log
    data = (media / job.file.name).read_bytes()
    pages = len(pdf.reader(data).pages)
    numbers = [
        line.strip()
        for page in pdf.reader(data).pages
        for line in page.extract_text().splitlines()
        if pdf.FOLIO.match(line.strip())
    ]
    assert numbers == [f"— {n} —" for n in range(1, pages + 1)]
    assert "第300条整改措施" in pdf.compact(data)
    assert len(running.children()) == 1  # the pool's own process; its parts are gone


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no sessions to end")
def test_a_workers_sessions_left_on_the_test_database_are_ended_so_it_can_be_dropped(queue):
    """Its sessions, named after its queue by libpq (``PGAPPNAME``), and no other."""
    import psycopg

    database = connection.settings_dict

    def session(application_name):
        return psycopg.connect(
            dbname=database["NAME"],
            user=database["USER"],
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            password=database["PASSWORD"] or None,
            application_name=application_name,
        )

    leftover, another = session(queue), session("another")
    try:
        end_leftover_sessions(queue)

        with pytest.raises(psycopg.OperationalError):
            leftover.execute("SELECT 1")
        assert another.execute("SELECT 1").fetchone() == (1,)
        with connection.cursor() as ours:
            ours.execute("SELECT 1")
            assert ours.fetchone() == (1,)
    finally:
        leftover.close()
        another.close()
