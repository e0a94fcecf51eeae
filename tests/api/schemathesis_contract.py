"""schemathesis against the live schema, in process (WSGI), as each role with a token.

Every operation of ``/api/v1/schema/`` gets generated requests — valid and invalid bodies, query
strings, ids and methods — over a world holding one record of every kind inside and outside the
user's jurisdiction. Every check runs, with what ``schemathesis.toml`` says a schema-valid request
may be answered (as for ``make fuzz``): no 5xx, and each answer's status, content type, headers and
body as the schema documents them. The seed is fixed and the examples bounded, so CI runs the
same cases each time; ``make fuzz`` runs longer from outside, against gunicorn, with the coverage
phase too (each parameter's boundary and invalid values), which CI runs after the suite.

Each role's test lives in a module of its own (``test_schemathesis_<role>.py``), so pytest-xdist,
which hands out whole modules, runs the three side by side.
"""

import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.config import SchemathesisConfig

from config.wsgi import application

from . import conftest

SEED = 1
MAX_EXAMPLES = 5

# The schema as the running application serves it (its view reads no database), loaded at
# collection time: schemathesis' lazy ``from_fixture`` loader does not run under pytest 9.
CONFIG = SchemathesisConfig.from_path(conftest.PROJECT_ROOT / "schemathesis.toml")
# The coverage phase (every boundary and invalid value of every parameter, deterministically: about
# three quarters of the time) is left to ``make fuzz``, which runs it for each role from outside.
CONFIG.projects.default.phases.coverage.enabled = False
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)


def keeps_its_schema_as(role: str):
    """The test of every operation, signed in as ``role`` (a name of ``conftest.ROLES``)."""

    @schema.parametrize()
    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def test_the_api_keeps_its_schema(
        case, inside, outside, notifications, keep_the_test_connection, token_of
    ):
        case.call_and_validate(headers={"Authorization": f"Token {token_of(role)}"})

    return test_the_api_keeps_its_schema
