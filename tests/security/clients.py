"""Clients as the roles use them: the site with its CSRF token, the API with a token."""

import secrets

from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories

from .routes import Route, api_routes

NOT_FOUND = {"code": "not_found", "detail": "未找到。", "errors": {}}


def methods_of(name: str) -> list[str]:
    callback = next(route.callback for route in api_routes() if route.name == name)
    # HEAD is GET without a body (REST framework adds it to the actions once a view has run).
    return sorted(set(callback.actions) - {"head"})


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


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token = factories.api_token(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
