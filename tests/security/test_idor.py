"""Guessing ids: after the housing bureau's last record of a kind come 吉林市's and then nothing.
Every guess above it — the next id, the one after, past the end — answers 404 to every role of the
city, on the pages, the downloads and the API alike: never 403 (which would say "it exists"),
never a 500, never data. Notifications: every one but a user's own is a 404 to that user."""

import pytest
from django.urls import reverse

from notifications.models import Notification

from .api_routes import API
from .clients import NOT_FOUND, client_for, methods_of, send, signed_in
from .routes import WEB

PROBING_ROLES = ["staff", "supervisor", "officer"]
PAST_THE_END = 3


def guesses(scene, target: str) -> range:
    """The ids after the housing bureau's last record of the target's kind, and a few beyond."""
    model = type(getattr(scene.inside, target))
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return range(scene.last_inside_pk[model] + 1, last + PAST_THE_END + 1)


def probes(table):
    return [
        pytest.param(name, role, id=f"{name}-{role}")
        for name, route in sorted(table.items())
        if route.target not in (None, "notification")
        for role in PROBING_ROLES
        if role in route.readers
    ]


@pytest.mark.parametrize(("name", "role"), probes(WEB))
def test_guessed_ids_on_the_pages(name, role, scene, user_of, db):
    route = WEB[name]
    client = signed_in(user_of(role))
    for pk in guesses(scene, route.target):
        url = reverse(name, kwargs={**route.kwargs, route.pk_name: pk})
        assert send(client, route, url, scene).status_code == 404, url


@pytest.mark.parametrize(("name", "role"), probes(API))
def test_guessed_ids_on_the_api(name, role, scene, user_of, db):
    client = client_for(user_of(role))
    for method in methods_of(name):
        for pk in guesses(scene, API[name].target):
            answer = getattr(client, method)(reverse(name, kwargs={"pk": pk}), {}, format="json")
            assert answer.status_code == 404, (method, pk, answer.content[:200])
            assert answer.json() == NOT_FOUND


@pytest.mark.parametrize("role", [*PROBING_ROLES, "other_officer", "audit_admin"])
def test_every_notification_but_ones_own_is_not_found(role, scene, user_of, db):
    user = user_of(role)
    Notification.objects.create(recipient=user, title="本人的提醒")
    others = Notification.objects.exclude(recipient=user).values_list("pk", flat=True)
    assert others, "the scene holds other users' notifications"
    page, api = signed_in(user), client_for(user)
    for pk in others:
        assert (
            send(page, WEB["notification_read"], f"/notifications/{pk}/read/", scene).status_code
            == 404
        )
        assert api.get(f"/api/v1/notifications/{pk}/").status_code == 404
        assert api.post(f"/api/v1/notifications/{pk}/read/").status_code == 404
    assert Notification.objects.exclude(recipient=user).filter(read_at__isnull=False).count() == 0
