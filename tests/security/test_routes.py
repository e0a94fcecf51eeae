"""Every web route × every role × a record inside / outside the jurisdiction → the expected answer.

The routes come from the URL resolver, so a new page fails ``test_every_route_is_classified``
until someone writes down in ``routes.WEB`` who may use it.
"""

import pytest
from django.urls import reverse

from .clients import send, signed_in, url_of
from .conftest import ROLES
from .routes import PUBLIC, WEB, Route, web_routes


def test_every_route_is_classified():
    found = {route.name for route in web_routes()}
    assert found - WEB.keys() - PUBLIC == set(), "new routes: add them to routes.WEB"
    assert WEB.keys() - found == set(), "routes.WEB names routes that no longer exist"


def expected(route: Route, role: str, where: str) -> frozenset:
    if role == "anonymous":
        return route.ok if route.public else frozenset({302})  # to the login page, checked below
    if route.target is None:
        return route.ok if role in route.doers else frozenset({route.refused})
    if role not in route.readers:
        return frozenset({route.hidden})
    if where == "outside" or role not in route.sees_inside:
        return frozenset({404})  # the same answer as an id that does not exist
    return route.ok if role in route.doers else frozenset({route.refused})


CASES = [
    pytest.param(name, role, where, id=f"{name}-{role}-{where}")
    for name, route in sorted(WEB.items())
    for role in ROLES
    for where in (("inside", "outside") if route.target else ("-",))
]


@pytest.mark.parametrize(("name", "role", "where"), CASES)
def test_route_answers_each_role(name, role, where, scene, user_of, db):
    route = WEB[name]
    url = url_of(name, route, scene, where)

    answer = send(signed_in(user_of(role)), route, url, scene)

    assert answer.status_code in expected(route, role, where), answer.content[:300]
    if role == "anonymous" and not route.public:
        assert answer.url.startswith(f"{reverse('login')}?next=")
