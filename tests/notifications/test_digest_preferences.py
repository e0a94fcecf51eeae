"""Each user chooses, per kind, whether a notification also goes into the daily digest (email,
webhook); the in-app inbox shows every notification whatever they chose."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from notifications import delivery, preferences
from notifications.models import Digest, DigestOptOut, Notification

TODAY = datetime.date(2026, 11, 23)
Kind = Notification.Kind
OFFICER_KINDS = ["workflow", "green", "yellow", "red", "urging"]


@pytest.fixture
def officer(world):
    officer = world.users.housing_officer
    officer.email = "officer@housing.example"
    officer.save()
    return officer


def write(user, kind, title):
    delivery.notify(
        delivery.notifications_for(
            [user.pk],
            kind=kind,
            title=title,
            body="",
            link="/measures/1/",
            dedupe_key=f"test:{kind}:{title}",
        )
    )


@pytest.fixture
def two_items(officer):
    """A workflow event and an overdue reminder for the officer."""
    write(officer, Kind.WORKFLOW, "整改措施被退回：修订招投标管理办法")
    write(officer, Kind.RED, "整改措施已超期：建立回避制度")


def deliver_all(day=TODAY) -> list[str]:
    return [delivery.digest_deliver(pk) for pk in delivery.digests_prepare(day)]


def test_by_default_every_kind_goes_into_the_digest(officer, two_items):
    assert preferences.digest_kinds_of(officer) == OFFICER_KINDS
    assert deliver_all() == ["sent"]
    [message] = mail.outbox
    assert "修订招投标管理办法" in message.body and "建立回避制度" in message.body


def test_a_kind_kept_out_leaves_the_digest_but_not_the_inbox(officer, two_items, browse):
    preferences.digest_kinds_set(user=officer, digest_kinds=["workflow"])

    assert deliver_all() == ["sent"]
    [message] = mail.outbox
    assert "修订招投标管理办法" in message.body
    assert "建立回避制度" not in message.body
    assert list(Digest.objects.get().notifications.values_list("kind", flat=True)) == ["workflow"]
    # The inbox and the bell are unaffected.
    page = browse(officer).get(reverse("notifications"))
    assert page.context["unread_notifications"] == 2
    assert "建立回避制度" in page.content.decode()


def test_a_recipient_who_keeps_every_kind_out_gets_no_digest(officer, two_items):
    preferences.digest_kinds_set(user=officer, digest_kinds=[])

    assert deliver_all() == []
    assert Digest.objects.count() == 0
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=officer).count() == 2


def test_a_digest_gathered_before_the_choice_sends_only_what_is_left(officer, two_items):
    """A digest waiting (for its first attempt or a retry) when the user changes their mind."""
    [digest_id] = delivery.digests_prepare(TODAY)
    preferences.digest_kinds_set(user=officer, digest_kinds=["workflow"])

    assert delivery.digest_deliver(digest_id) == "sent"
    assert "建立回避制度" not in mail.outbox[0].body


def test_a_digest_with_nothing_left_is_not_sent(officer, two_items):
    [digest_id] = delivery.digests_prepare(TODAY)
    preferences.digest_kinds_set(user=officer, digest_kinds=["green"])

    assert delivery.digest_deliver(digest_id) == "dropped"
    assert mail.outbox == []
    assert Digest.objects.get().status == Digest.Status.DROPPED
    assert delivery.outbox_sweep() == []  # nothing left to retry either


def test_kept_out_for_the_webhook_too(officer, two_items, settings):
    settings.NOTIFICATION_WEBHOOK_URL = "http://127.0.0.1:9/robot"
    preferences.digest_kinds_set(user=officer, digest_kinds=["red"])

    delivery.digests_prepare(TODAY)

    gathered = {
        digest.channel: list(digest.notifications.values_list("kind", flat=True))
        for digest in Digest.objects.all()
    }
    assert gathered == {"email": ["red"], "webhook": ["red"]}


def test_other_users_keep_their_own_choice(world, officer, two_items):
    staff = world.users.city_staff
    staff.email = "staff@city.example"
    staff.save()
    write(staff, Kind.RED, "整改措施已超期：建立回避制度")
    preferences.digest_kinds_set(user=officer, digest_kinds=["workflow"])

    deliver_all()

    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert "建立回避制度" in by_recipient["staff@city.example"]
    assert "建立回避制度" not in by_recipient["officer@housing.example"]


def test_choosing_again_replaces_the_choice(officer):
    preferences.digest_kinds_set(user=officer, digest_kinds=["workflow"])
    preferences.digest_kinds_set(user=officer, digest_kinds=["workflow", "red", "urging"])

    assert preferences.digest_kinds_of(officer) == ["workflow", "red", "urging"]
    assert set(DigestOptOut.objects.values_list("kind", flat=True)) == {"green", "yellow"}


def test_only_supervisors_choose_the_weekly_report(world, officer):
    from core.domain import InvalidInput

    assert "report" in preferences.choosable_kinds(world.users.supervisor)
    with pytest.raises(InvalidInput):
        preferences.digest_kinds_set(user=officer, digest_kinds=["report"])


def test_a_weekly_report_kept_out_stays_in_the_inbox(world):
    from oversight.reports import weekly_reports

    supervisor = world.users.supervisor
    supervisor.email = "supervisor@city.example"
    supervisor.save()
    preferences.digest_kinds_set(user=supervisor, digest_kinds=["workflow"])

    assert weekly_reports(TODAY) == []
    assert Digest.objects.count() == 0
    assert Notification.objects.get(recipient=supervisor).kind == Kind.REPORT


# ── The settings page and the API ────────────────────────────────────────────────────────────


def test_the_settings_page_shows_and_saves_the_choice(officer, browse):
    client = browse(officer)
    page = client.get(reverse("notification_settings"))
    html = page.content.decode()
    assert "通知设置" in html and "同时汇入每日摘要" in html
    for kind in OFFICER_KINDS:
        assert f'value="{kind}" id="digest-kind-{kind}" checked' in html
    assert 'value="report"' not in html  # officers get no weekly report

    answer = client.post(reverse("notification_settings"), {"digest_kinds": ["workflow", "red"]})

    assert answer.status_code == 302
    assert preferences.digest_kinds_of(officer) == ["workflow", "red"]
    html = client.get(reverse("notification_settings")).content.decode()
    assert "通知设置已保存" in html
    assert 'value="urging" id="digest-kind-urging" data-testid' in html  # unticked now


def test_the_settings_page_refuses_a_kind_the_user_cannot_choose(officer, browse):
    answer = browse(officer).post(reverse("notification_settings"), {"digest_kinds": ["report"]})

    assert answer.status_code == 400
    assert DigestOptOut.objects.count() == 0


def test_the_inbox_and_the_user_menu_lead_to_the_settings(officer, browse):
    html = browse(officer).get(reverse("notifications")).content.decode()
    assert html.count(f'href="{reverse("notification_settings")}"') == 2


def test_the_api_reads_and_replaces_the_choice(world, officer):
    client = APIClient()
    client.force_authenticate(officer)
    url = "/api/v1/notifications/digest/"

    assert client.get(url).json() == {
        "digest_kinds": OFFICER_KINDS,
        "choosable_kinds": OFFICER_KINDS,
    }
    answer = client.put(url, {"digest_kinds": ["urging"]}, format="json")
    assert answer.status_code == 200
    assert answer.json()["digest_kinds"] == ["urging"]
    assert preferences.digest_kinds_of(officer) == ["urging"]

    assert client.put(url, {"digest_kinds": ["report"]}, format="json").status_code == 422
    assert client.put(url, {"digest_kinds": ["nonsense"]}, format="json").status_code == 400
    assert preferences.digest_kinds_of(officer) == ["urging"]
    assert preferences.digest_kinds_of(world.users.city_staff) == OFFICER_KINDS
