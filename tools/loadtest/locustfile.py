"""The three roles' everyday reading, for ``make loadtest`` (``tools/loadtest.sh``).

Each simulated user takes an account of its role from ``$LOADTEST_ACCOUNTS`` (made by
``accounts.py``, in turn), signs in as a person does — the login page, then its form posted with
the CSRF token; development's settings ask no second factor — and calls the API with the account's
token (``manage.py issue_api_token``). Then it opens its role's pages and API lists, thinking
``$LOADTEST_WAIT`` seconds (default 1-3) between them. The ids its pages open come from its own
API lists. Every answer must be a 200 (the sign-in a 302 to the home page): no redirect is
followed, so a session lost shows as a failure, not as the login page. Requests are named by role
and page (``officer /measures/<id>/``), so the statistics are per page; with ``$LOADTEST_LOG`` each
request is also written there (start, method, name, milliseconds, status, error) for
``report.py``. The run stops after ``$LOADTEST_MAX_REQUESTS`` requests (default 100,000) if its
time has not ended it first.

Weights follow use: a commission has a few discipline staff and one or two supervisors for tens of
units, each with an officer, and staff work in the system all day; so 3 staff, 5 officers and
2 supervisors in 10 users.
"""

import csv
import itertools
import json
import os
import random
import re
from pathlib import Path

import gevent
from locust import FastHttpUser, between, events, task

ACCOUNTS = json.loads(Path(os.environ["LOADTEST_ACCOUNTS"]).read_text())
WAIT = [float(seconds) for seconds in os.environ.get("LOADTEST_WAIT", "1-3").split("-")]
MAX_REQUESTS = int(os.environ.get("LOADTEST_MAX_REQUESTS", "100000"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.init.add_listener
def stop_after_max_requests(environment, **_kwargs):
    counted = itertools.count(1)

    def count(**_kwargs):
        if next(counted) == MAX_REQUESTS and environment.runner is not None:
            gevent.spawn(environment.runner.quit)

    environment.events.request.add_listener(count)


@events.init.add_listener
def log_each_request(environment, **_kwargs):
    if not os.environ.get("LOADTEST_LOG"):
        return
    log = open(os.environ["LOADTEST_LOG"], "w", newline="")  # noqa: SIM115 (closed on quitting)
    writer = csv.writer(log)
    writer.writerow(["start", "method", "name", "ms", "status", "error"])

    def write(request_type, name, response_time, response, exception, start_time, **_kwargs):
        status = getattr(response, "status_code", "")
        row = [f"{start_time:.3f}", request_type, name, f"{response_time:.1f}", status]
        writer.writerow([*row, exception or ""])

    environment.events.request.add_listener(write)
    environment.events.quitting.add_listener(lambda **_kwargs: log.close())


class Role(FastHttpUser):
    abstract = True
    role = ""  # accounts.py's key
    label = ""  # the requests' names begin with it
    wait_time = between(*WAIT)
    connection_timeout = 10.0
    network_timeout = 60.0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.accounts = itertools.cycle(ACCOUNTS.get(cls.role, []))

    def on_start(self):
        account = next(self.accounts)
        self.token = {"Authorization": f"Token {account['token']}"}
        csrf = CSRF.search(self.get("/login/", "/login/").text or "")
        form = {"username": account["username"], "password": account["password"], "next": ""}
        form["csrfmiddlewaretoken"] = csrf.group(1) if csrf else ""
        with self.client.post(
            "/login/",
            data=form,
            name=f"{self.label} /login/",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or answer.headers.get("Location") != "/":
                answer.failure(f"sign-in of {account['username']}: {answer.status_code}")
        self.ids = {}
        self.api_lists()

    def get(self, url: str, page: str, *, api: bool = False):
        """GET ``url`` as ``<role> <page>``; anything but a 200 is a failure."""
        with self.client.get(
            url,
            name=f"{self.label} {page}",
            headers=self.token if api else None,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")
        return answer

    def api_list(self, resource: str):
        """An API list's first page, its ids kept for the pages that open one record."""
        answer = self.get(f"/api/v1/{resource}/", f"/api/v1/{resource}/", api=True)
        if answer.status_code == 200:
            # None seen: id 0, whose 404 the statistics show.
            self.ids[resource] = [row["id"] for row in answer.json()["results"]] or [0]
        return answer

    def record(self, resource: str) -> int:
        return random.choice(self.ids[resource])

    def api_lists(self):
        """The lists whose ids the role's pages open (on start, and as tasks)."""


class DisciplineStaff(Role):
    """纪检监察干部: cases, letters, measures to verify, the sign-off queue; API lists."""

    role, label, weight = "discipline_staff", "staff", 3

    def api_lists(self):
        self.api_list("cases")
        self.api_list("recommendations")
        self.api_list("measures")

    @task(3)
    def home(self):
        self.get("/", "/")

    @task(3)
    def case_list(self):
        self.get("/cases/", "/cases/")

    @task(3)
    def case_page(self):
        self.get(f"/cases/{self.record('cases')}/", "/cases/<id>/")

    @task(2)
    def recommendation_list(self):
        self.get("/recommendations/", "/recommendations/")

    @task(2)
    def recommendation_page(self):
        self.get(f"/recommendations/{self.record('recommendations')}/", "/recommendations/<id>/")

    @task(3)
    def measure_list(self):
        self.get("/measures/", "/measures/")

    @task(2)
    def measure_page(self):
        self.get(f"/measures/{self.record('measures')}/", "/measures/<id>/")

    @task(2)
    def signoff_queue(self):
        self.get("/measures/sign-off-queue/", "/measures/sign-off-queue/")

    @task(2)
    def api(self):
        self.api_lists()


class UnitOfficer(Role):
    """单位联络员: the unit's home, its measures and one of them; the API list of them."""

    role, label, weight = "unit_officer", "officer", 5

    def api_lists(self):
        self.api_list("measures")

    @task(3)
    def home(self):
        self.get("/", "/")

    @task(3)
    def measure_list(self):
        self.get("/measures/", "/measures/")

    @task(4)
    def measure_page(self):
        self.get(f"/measures/{self.record('measures')}/", "/measures/<id>/")

    @task(1)
    def api(self):
        self.api_lists()


class Supervisor(Role):
    """督查领导: the overdue dashboard, the statistics (page and API), the overdue list."""

    role, label, weight = "supervisor", "supervisor", 2

    @task(3)
    def dashboard(self):
        self.get("/dashboard/", "/dashboard/")

    @task(2)
    def statistics(self):
        self.get("/statistics/", "/statistics/")

    @task(1)
    def statistics_api(self):
        self.get("/api/v1/statistics/", "/api/v1/statistics/", api=True)

    @task(2)
    def overdue_list(self):
        self.get("/measures/?overdue=current", "/measures/?overdue=current")
