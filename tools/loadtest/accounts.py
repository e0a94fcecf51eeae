"""The accounts the load test signs in with, and their API tokens (``tools/loadtest.sh``).

For each of the three roles it simulates, up to ``--per-role`` active accounts that sign in with a
password alone (no must-change-password, no authenticator app) and see records of the kind their
pages show: discipline staff and supervisors highest in the tree first, unit officers of the units
with the most measures first. Each gets a new token (``accounts.tokens.issue``, as ``manage.py
issue_api_token`` does: it replaces the account's earlier one). Written as JSON for the locustfile:
``{"discipline_staff": [{"username", "password", "token"}, …], "unit_officer": […], …}``.

    .venv/bin/python tools/loadtest/accounts.py var/loadtest/accounts.json [--set-password]

The password is the demo's; ``--set-password`` gives it to the chosen accounts first, for a copy of
a database whose accounts have none (``generate_scale`` makes them without a usable password).
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROLES = ("discipline_staff", "unit_officer", "supervisor")


def choose(per_role: int = 5, *, set_password: bool = False) -> dict[str, list[dict]]:
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count
    from django_otp import user_has_device

    from accounts import tokens
    from accounts.models import User
    from cases.models import Case
    from demo.builder import DEMO_PASSWORD
    from reforms.models import Measure

    signs_in = User.objects.filter(is_active=True, must_change_password=False)
    busiest_units = list(
        Measure.objects.values_list("unit", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n", "unit")[: per_role * 4]
    )
    candidates = {
        "discipline_staff": signs_in.filter(role="discipline_staff").order_by(
            "org_unit__depth", "pk"
        ),
        "supervisor": signs_in.filter(role="supervisor").order_by("org_unit__depth", "pk"),
        "unit_officer": sorted(
            signs_in.filter(role="unit_officer", org_unit__in=busiest_units),
            key=lambda user: (busiest_units.index(user.org_unit_id), user.pk),
        ),
    }
    # What each role's pages open by id: a case for staff, a measure for the others.
    sees = {"discipline_staff": Case, "unit_officer": Measure, "supervisor": Measure}
    password = make_password(DEMO_PASSWORD) if set_password else None  # one slow hash for all
    chosen = {}
    for role in ROLES:
        users = []
        for user in candidates[role]:
            if len(users) == per_role:
                break
            if user_has_device(user) or not sees[role].objects.restrict(user).exists():
                continue
            if password:
                User.objects.filter(pk=user.pk).update(password=password)
            users.append(
                {"username": user.username, "password": DEMO_PASSWORD, "token": tokens.issue(user)}
            )
        if not users:
            raise SystemExit(f"No {role} account that signs in with a password and sees records.")
        chosen[role] = users
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--per-role", type=int, default=5)
    parser.add_argument("--set-password", action="store_true")
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    chosen = choose(options.per_role, set_password=options.set_password)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(chosen, indent=2))
    for role, users in chosen.items():
        print(f"  {role}: {', '.join(user['username'] for user in users)}")


if __name__ == "__main__":
    main()
