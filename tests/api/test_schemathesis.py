"""schemathesis against the live schema, in process (WSGI), signed in as discipline staff.

Every operation of ``/api/v1/schema/`` gets generated requests — valid and invalid bodies, query
strings and ids — over a world holding one record of every kind inside and outside the user's
jurisdiction. Each answer must not be a 5xx, and its status, content type, headers and body must
be those the schema documents. Bounded: ``MAX_EXAMPLES`` per operation keeps the run under two
minutes on the CI machine; the number of cases generated is printed at the end of the run.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests import factories

from . import conftest

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The schema as the running application serves it (its view reads no database). Loaded at
# collection time: schemathesis' lazy ``from_fixture`` loader does not run under pytest 9.
# The coverage phase's requests with methods an operation does not have are left out: only the
# checks below run, and the router's 405 for them is Django REST framework's own.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)


@pytest.fixture
def keep_the_test_connection():
    """The WSGI app closes database connections at the end of each request; in a test that is the
    connection holding the test's transaction. Django's test client suspends that, so do we."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world, inside, outside, notifications, keep_the_test_connection):
    return factories.api_token(world.users.city_staff)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(case, token):
    conftest.SCHEMATHESIS_CASES[case.operation.label] += 1
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
