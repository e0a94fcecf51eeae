"""The demo's story, read from the JSON files in ``demo/data/``.

- ``organisation.json``: the org tree, the demo accounts and their shared password.
- ``cases.json``: the cases, their subjects and analyses, the linked series and the problems.
- ``recommendations.json``: each letter or notice, its items and measures, and its story (the
  workflow steps, day by day).
- ``measures.json``: the scenarios' due windows, leaders, owners and the texts of reports, returns,
  sign-offs and extensions.
- ``records.json``: rule changes (制度立改废释), activities and follow-ups.

Days are offsets from today (Asia/Shanghai); choice fields hold their stored values.
"""

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@cache
def load(name: str):
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


ORGANISATION = load("organisation")
DEMO_PASSWORD: str = ORGANISATION["password"]
ROOT = ORGANISATION["units"][ORGANISATION["root"]]
DEMO_USERNAMES: list[str] = [user["username"] for user in ORGANISATION["users"]]
# One login per role, printed and tested first.
HEADLINE_USERNAMES = DEMO_USERNAMES[: ORGANISATION["headline_logins"]]
