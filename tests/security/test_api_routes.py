"""Every API address that names a record × every role × every method it answers: a record of
another city, of a sibling subtree or one that does not exist is a JSON 404 — never its data,
never a 500; a role that reads no such records is refused (403); nobody signed in gets a 401."""

import pytest
from django.urls import reverse

from .api_routes import API, PUBLIC
from .clients import NOT_FOUND, client_for, methods_of
from .conftest import ROLES
from .routes import api_routes


def test_every_api_route_is_classified():
    found = {route.name for route in api_routes()}
    assert found - API.keys() - PUBLIC == set(), "new API routes: add them to api_routes.API"
    assert API.keys() - found == set(), "api_routes.API names routes that no longer exist"


def expected(route, role: str, where: str) -> int:
    if role == "anonymous":
        return 401
    if role not in route.readers:
        return 403
    if role in route.sees_all:
        return 200 if where != "missing" else 404
    if where == "inside" and role in route.sees_inside:
        return 200  # what it may do then is tests/api's matrices' business
    return 404


OBJECT_CASES = [
    pytest.param(name, method, role, where, id=f"{name}-{method}-{role}-{where}")
    for name, route in sorted(API.items())
    if route.target
    for method in methods_of(name)
    for role in ROLES
    for where in ("outside", "missing", "inside")
    if not (where == "inside" and role in route.sees_inside | route.sees_all)
]


@pytest.mark.parametrize(("name", "method", "role", "where"), OBJECT_CASES)
def test_a_record_out_of_reach_is_not_found(name, method, role, where, scene, user_of, db):
    route = API[name]
    record = getattr(scene.outside if where == "outside" else scene.inside, route.target)
    pk = record.pk + 10_000 if where == "missing" else record.pk
    url = reverse(name, kwargs={"pk": pk})

    answer = getattr(client_for(user_of(role)), method)(url, {}, format="json")

    assert answer.status_code == expected(route, role, where), answer.content[:300]
    if answer.status_code == 404:
        assert answer.json() == NOT_FOUND


LIST_CASES = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, route in sorted(API.items())
    if route.target is None
    for role in ROLES
]


@pytest.mark.parametrize(("name", "role"), LIST_CASES)
def test_lists_answer_each_role(name, role, scene, user_of, db):
    route = API[name]
    method = methods_of(name)[0]  # "get" for the lists, "post" for read-all

    answer = getattr(client_for(user_of(role)), method)(reverse(name), format="json")

    if role == "anonymous":
        assert answer.status_code == 401
    elif role in route.readers:
        assert answer.status_code in route.ok
    else:
        assert answer.status_code == 403
