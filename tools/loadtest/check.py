"""The locustfile's requests checked against a running server, with no load: every account of
``$LOADTEST_ACCOUNTS`` signs in as its role's user does, then runs each of the role's tasks once.
Prints each request's status and name; exits 1 when one failed (``tests/test_loadtest.py``).

    LOADTEST_ACCOUNTS=var/loadtest/accounts.json .venv/bin/python tools/loadtest/check.py HOST
"""

import sys

from locust import events
from locust.env import Environment
from locustfile import ACCOUNTS, DisciplineStaff, Supervisor, UnitOfficer

USERS = (DisciplineStaff, UnitOfficer, Supervisor)


def run(host: str) -> list[str]:
    environment = Environment(user_classes=list(USERS), events=events)
    failures = []

    def report(name, response, exception, **_kwargs):
        print(getattr(response, "status_code", "-"), name, exception or "", flush=True)
        if exception:
            failures.append(f"{name}: {exception}")

    environment.events.request.add_listener(report)
    for user_class in USERS:
        user_class.host = host
        for _account in ACCOUNTS[user_class.role]:
            user = user_class(environment)  # takes the role's next account
            user.on_start()
            for each_task in dict.fromkeys(user.tasks):
                each_task(user)
    return failures


if __name__ == "__main__":
    failed = run(sys.argv[1])
    print(f"{len(failed)} failed" + "".join(f"\n  {failure}" for failure in failed))
    sys.exit(1 if failed else 0)
