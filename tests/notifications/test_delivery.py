"""The outbox: one digest a day per recipient and channel, claimed once, retried with backoff.

Mail goes through Django's test mailbox, or through a real SMTP connection to a port where nothing
listens; the webhook goes to a real HTTP server on localhost.
"""

import datetime
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import delivery
from notifications.models import Digest, Notification

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def reminder(world):
    """``reminder(user, key)``: one red reminder written for ``user``."""

    def write(user, key="measure:1:red:2026-11-01:0", title="整改措施已超期：修订招投标管理办法"):
        delivery.notify(
            delivery.notifications_for(
                [user.pk],
                kind=Notification.Kind.RED,
                title=title,
                body="时限 2026-11-01，已超期 22 天。",
                link="/measures/1/",
                dedupe_key=key,
            )
        )

    return write


@pytest.fixture
def officer(world):
    officer = world.users.housing_officer
    officer.email = "officer@housing.example"
    officer.full_name = "陈晓琳"
    officer.save()
    return officer


@pytest.fixture
def webhook(settings):
    """A real HTTP server on localhost that records what the group robot would receive."""
    received = []

    class Robot(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode": 0}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFICATION_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/robot"
    yield received
    server.shutdown()
    server.server_close()


@pytest.fixture
def refusing_smtp(settings):
    """Real SMTP, to a localhost port where nothing listens: every send is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.NOTIFICATION_RETRY_SECONDS = 60
    settings.NOTIFICATION_MAX_ATTEMPTS = 3


def deliver_all(day=TODAY) -> list[str]:
    return [delivery.digest_deliver(pk) for pk in delivery.digests_prepare(day)]


class TestOneDigestADay:
    def test_all_of_a_recipients_items_go_in_one_message(self, officer, reminder):
        reminder(officer, "measure:1:red:2026-11-01:0")
        reminder(officer, "measure:2:yellow:2026-11-25", title="整改措施即将到期：建立回避制度")

        assert deliver_all() == ["sent"]

        [message] = mail.outbox
        assert message.to == ["officer@housing.example"]
        assert message.subject == "2026-11-23 整改提醒：共 2 项"
        assert "陈晓琳 同志" in message.body
        assert "修订招投标管理办法" in message.body and "建立回避制度" in message.body
        html = message.alternatives[0][0]
        assert "http://127.0.0.1:8000/measures/1/" in html

    def test_items_written_after_the_days_message_wait_for_tomorrows(self, officer, reminder):
        reminder(officer, "measure:1:red:2026-11-01:0")
        deliver_all()
        reminder(officer, "measure:2:red:2026-11-02:0")

        assert deliver_all() == []
        assert deliver_all(TODAY + datetime.timedelta(days=1)) == ["sent"]
        assert len(mail.outbox) == 2
        assert "measure/2" not in mail.outbox[0].body

    def test_a_recipient_without_an_address_keeps_the_inbox_only(self, world, reminder):
        reminder(world.users.health_officer)

        assert deliver_all() == []
        assert Notification.objects.filter(recipient=world.users.health_officer).count() == 1

    def test_preparing_twice_puts_each_item_in_one_digest(self, officer, reminder):
        reminder(officer)
        delivery.digests_prepare(TODAY)
        delivery.digests_prepare(TODAY)

        digest = Digest.objects.get()
        assert digest.notifications.count() == 1


class TestClaiming:
    def test_two_workers_delivering_one_digest_send_it_once(self, officer, reminder):
        reminder(officer)
        [digest_id] = delivery.digests_prepare(TODAY)

        assert delivery.digest_deliver(digest_id) == "sent"
        assert delivery.digest_deliver(digest_id) == "skipped"
        assert len(mail.outbox) == 1

    def test_the_sweep_puts_back_a_digest_a_dead_worker_left_sending(self, officer, reminder):
        reminder(officer)
        [digest_id] = delivery.digests_prepare(TODAY)
        Digest.objects.filter(pk=digest_id).update(
            status=Digest.Status.SENDING, claimed_at=timezone.now()
        )
        assert delivery.outbox_sweep() == []

        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
            assert delivery.outbox_sweep() == [digest_id]
            assert delivery.digest_deliver(digest_id) == "sent"


class TestFailures:
    def test_smtp_refused_is_retried_with_backoff_then_failed(
        self, officer, reminder, refusing_smtp
    ):
        reminder(officer)
        [digest_id] = delivery.digests_prepare(TODAY)
        start = timezone.now()

        with time_machine.travel(start, tick=False):
            assert delivery.digest_deliver(digest_id) == "retry"
            digest = Digest.objects.get(pk=digest_id)
            assert digest.status == Digest.Status.PENDING
            assert "ConnectionRefusedError" in digest.last_error
            assert digest.next_attempt_at == start + datetime.timedelta(seconds=60)
            assert delivery.outbox_sweep() == []  # not before the backoff
            assert delivery.digest_deliver(digest_id) == "skipped"

        with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
            assert delivery.outbox_sweep() == [digest_id]
            assert delivery.digest_deliver(digest_id) == "retry"
            assert Digest.objects.get(pk=digest_id).next_attempt_at == timezone.now() + (
                datetime.timedelta(seconds=120)
            )

        with time_machine.travel(start + datetime.timedelta(seconds=182), tick=False):
            assert delivery.digest_deliver(digest_id) == "failed"
        digest = Digest.objects.get(pk=digest_id)
        assert (digest.status, digest.attempts) == (Digest.Status.FAILED, 3)
        assert delivery.outbox_sweep() == []

    def test_a_failing_channel_does_not_hold_up_the_others(
        self, officer, world, reminder, refusing_smtp, webhook
    ):
        world.users.health_officer.phone = "13800000000"
        world.users.health_officer.save()
        reminder(officer)
        reminder(world.users.health_officer, title="整改情况报告已逾期：长纪建〔2026〕1号")

        outcomes = {
            (digest.recipient.username, digest.channel): delivery.digest_deliver(digest.pk)
            for digest in Digest.objects.filter(
                pk__in=delivery.digests_prepare(TODAY)
            ).select_related("recipient")
        }

        assert outcomes == {
            ("housing_officer", "email"): "retry",
            ("housing_officer", "webhook"): "sent",
            ("health_officer", "webhook"): "sent",
        }
        texts = {message["markdown"]["content"] for message in webhook}
        assert any("整改情况报告已逾期" in text for text in texts)
        assert ["13800000000"] in [m["markdown"].get("mentioned_mobile_list") for m in webhook]


def test_users_text_stays_text_in_the_webhook_markdown(world):
    officer = world.users.housing_officer
    officer.full_name = "王**五**"
    hostile = Notification.objects.create(
        recipient=officer,
        title="[点我](http://evil.example/x) ![图](http://evil.example/i.png)",
        body="正文\n# 标题\n> 引用 `代码` <b>粗</b>",
        link="/measures/1/",
    )
    digest = Digest(recipient=officer, day=TODAY, channel=Digest.Channel.WEBHOOK)

    text = delivery._render("emails/digest-webhook.md", digest, [hostile])

    assert "evil.example" in text  # shown, as text
    for markup in ("[点我]", "](http://evil", "![", "\n#", "\n> 引用", "`", "<b>", "**五**"):
        assert markup not in text, markup
    assert "［点我］（http://evil.example/x）" in text
    assert "/measures/1/)" in text  # the notification's own link stays a link
