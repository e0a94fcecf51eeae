"""Every web route × every role × a record inside / outside the jurisdiction → the expected answer.

The routes come from the URL resolver, so a new page fails ``test_every_route_is_classified``
until someone writes down in ``routes.WEB`` who may use it.
"""

import secrets

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

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


def url_of(name: str, route: Route, scene, where: str) -> str:
    kwargs = dict(route.kwargs)
    if route.target:
        kwargs[route.pk_name] = getattr(getattr(scene, where), route.target).pk
    return reverse(name, kwargs=kwargs)


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def with_csrf_cookie(client: Client) -> str:
    """Give the client the CSRF cookie a page with a form sets; return the token to send back."""
    token = secrets.token_hex(16)  # 32 characters: Django's unmasked secret length
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return token


def send(client: Client, route: Route, url: str, scene):
    """GET, or a POST with the CSRF token the page's form would carry."""
    if route.method == "get":
        return client.get(url)
    # As htmx sends it: a refusal then answers its status instead of a redirect with a message.
    return client.post(
        url, route.body(scene), HTTP_X_CSRFTOKEN=with_csrf_cookie(client), HTTP_HX_REQUEST="true"
    )


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
