"""The outbox: each recipient's notifications gathered into one daily digest per channel, sent once.

Notifications are rows written by whatever caused them (the in-app inbox shows them at once).
``digests_prepare`` puts the ones a channel has not carried yet into the recipient's digest of the
day; ``digest_deliver`` claims a digest (pending → sending), sends it and records the outcome.
``outbox_sweep``, run every minute, puts back digests whose worker died while sending and hands
out the ones whose time has come — the first attempt and every retry after a backoff — so nothing
depends on the broker being up when the rows were written.
"""

import datetime
import json
import logging
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.domain import max_length_of

from .models import Digest, DigestOptOut, Notification

logger = logging.getLogger(__name__)

REMINDER_KINDS = [
    Notification.Kind.URGING,
    Notification.Kind.RED,
    Notification.Kind.YELLOW,
    Notification.Kind.GREEN,
]
# What the daily digest carries: the reminders and the workflow events (issued, returned, …).
DIGEST_KINDS = [*REMINDER_KINDS, Notification.Kind.WORKFLOW]
# Notifications older than this are left to the inbox: a new address does not receive last month.
DIGEST_LOOKBACK = datetime.timedelta(days=7)
STALE_SENDING = datetime.timedelta(minutes=15)


class DeliveryFailed(Exception):
    """A channel could not hand the message over (SMTP refused, webhook answered an error)."""


# ── Channels ─────────────────────────────────────────────────────────────────────────────────


def _render(template: str, digest: Digest, items: list[Notification]) -> str:
    """Messages are written in the site's language, whatever the sending process has active."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, _digest_context(digest, items))


def _digest_context(digest: Digest, items: list[Notification]) -> dict:
    return {
        "recipient": digest.recipient,
        "day": digest.day,
        "items": items,
        "site_url": settings.SITE_URL.rstrip("/"),
    }


def send_email(digest: Digest, items: list[Notification]) -> None:
    name = "report" if digest.is_report else "digest"
    message = EmailMultiAlternatives(
        subject=_render(f"emails/{name}-subject.txt", digest, items).strip(),
        body=_render(f"emails/{name}-body.txt", digest, items),
        to=[digest.recipient.email],
    )
    message.attach_alternative(_render(f"emails/{name}-body.html", digest, items), "text/html")
    if digest.attachment:
        with digest.attachment.open("rb") as attached:
            message.attach(Path(digest.attachment.name).name, attached.read())
    try:
        message.send()
    except OSError as error:  # smtplib.SMTPException is an OSError too
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error


def send_webhook(digest: Digest, items: list[Notification]) -> None:
    """An enterprise-messaging robot (WeCom / DingTalk style): one markdown message."""
    text = _render("emails/digest-webhook.md", digest, items)
    payload = {"msgtype": "markdown", "markdown": {"content": text}}
    if digest.recipient.phone:
        payload["markdown"]["mentioned_mobile_list"] = [digest.recipient.phone]
    request = urllib.request.Request(
        settings.NOTIFICATION_WEBHOOK_URL,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except OSError as error:  # URLError and HTTPError included
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error


CHANNELS = {Digest.Channel.EMAIL: send_email, Digest.Channel.WEBHOOK: send_webhook}


def enabled_channels() -> list[str]:
    channels = [Digest.Channel.EMAIL]
    if settings.NOTIFICATION_WEBHOOK_URL:
        channels.append(Digest.Channel.WEBHOOK)
    return channels


def _reachable(channel: str) -> Q:
    """Recipients a channel can reach: an email address for mail; anyone for the group robot."""
    if channel == Digest.Channel.EMAIL:
        return ~Q(recipient__email="")
    return Q()


# ── Gathering ────────────────────────────────────────────────────────────────────────────────


def _kept_out() -> Exists:
    """The notification's recipient keeps its kind out of the digest (``DigestOptOut``)."""
    return Exists(
        DigestOptOut.objects.filter(user_id=OuterRef("recipient_id"), kind=OuterRef("kind"))
    )


def digests_prepare(day: datetime.date) -> list[int]:
    """Put every reminder a channel has not carried yet into its recipient's digest of ``day``.

    Kinds a recipient keeps out of the digest stay in the inbox only; a recipient left with
    nothing gets no digest. A constant number of queries per channel. A recipient whose digest of
    the day has already gone out keeps the new items for tomorrow's: at most one message a day.
    Returns the pending digests.
    """
    since = timezone.now() - DIGEST_LOOKBACK
    ready = []
    for channel in enabled_channels():
        waiting = list(
            Notification.objects.filter(kind__in=DIGEST_KINDS, created_at__gte=since)
            .filter(_reachable(channel), recipient__is_active=True)
            .exclude(_kept_out())
            .exclude(digests__channel=channel)
            .values_list("pk", "recipient_id")
        )
        recipients = {recipient for _pk, recipient in waiting}
        Digest.objects.bulk_create(
            [Digest(recipient_id=r, day=day, channel=channel) for r in recipients],
            ignore_conflicts=True,
        )
        digest_of = dict(
            Digest.objects.filter(
                day=day,
                channel=channel,
                is_report=False,
                status=Digest.Status.PENDING,
                recipient_id__in=recipients,
            ).values_list("recipient_id", "pk")
        )
        Digest.notifications.through.objects.bulk_create(
            [
                Digest.notifications.through(digest_id=digest_of[r], notification_id=pk)
                for pk, r in waiting
                if r in digest_of
            ],
            ignore_conflicts=True,
        )
        ready.extend(digest_of.values())
    return ready


# ── Sending ──────────────────────────────────────────────────────────────────────────────────


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** (attempts - 1))


def digest_deliver(digest_id: int) -> str:
    """Claim and send one digest; returns ``sent``, ``retry``, ``failed``, ``dropped`` or
    ``skipped``.

    ``skipped`` means another worker holds it, or it is not due: sending is at-least-once only
    when a worker dies between the send and recording it (the sweep then sends it again).
    The recipient's choice is read again at sending: a digest gathered (or waiting for a retry)
    before they kept a kind out leaves that kind's items out, and one with nothing left is
    ``dropped``, not sent.
    """
    now = timezone.now()
    claimed = (
        Digest.objects.filter(pk=digest_id, status=Digest.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Digest.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    digest = Digest.objects.select_related("recipient").get(pk=digest_id)
    items = list(digest.notifications.exclude(_kept_out()).order_by("kind", "created_at", "pk"))
    if not items:
        Digest.objects.filter(pk=digest_id).update(
            status=Digest.Status.DROPPED, last_error="", next_attempt_at=None
        )
        return "dropped"
    try:
        CHANNELS[digest.channel](digest, items)
    except DeliveryFailed as error:
        return _record_failure(digest, str(error))
    except Exception as error:  # a bug or bad settings: recorded and retried like any failure
        logger.exception("Digest %s could not be sent", digest_id)
        return _record_failure(digest, f"{type(error).__name__}: {error}")
    Digest.objects.filter(pk=digest_id).update(
        status=Digest.Status.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    return "sent"


def _record_failure(digest: Digest, error: str) -> str:
    final = digest.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
    logger.warning("Digest %s, attempt %s failed: %s", digest.pk, digest.attempts, error)
    Digest.objects.filter(pk=digest.pk).update(
        status=Digest.Status.FAILED if final else Digest.Status.PENDING,
        last_error=error[: max_length_of(Digest, "last_error")],
        next_attempt_at=None if final else timezone.now() + _backoff(digest.attempts),
    )
    return "failed" if final else "retry"


def outbox_sweep() -> list[int]:
    """Put back digests left in ``sending`` by a dead worker; return the ids due for an attempt."""
    now = timezone.now()
    Digest.objects.filter(status=Digest.Status.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        status=Digest.Status.PENDING
    )
    return list(
        Digest.objects.filter(status=Digest.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def notifications_for(
    recipients: Iterable[int], *, kind: str, title: str, body: str, link: str, dedupe_key: str
) -> list[Notification]:
    """One unsaved notification per recipient (duplicates and empty accounts dropped)."""
    return [
        Notification(
            recipient_id=recipient,
            kind=kind,
            title=title[: max_length_of(Notification, "title")],
            body=body[: max_length_of(Notification, "body")],
            link=link,
            dedupe_key=dedupe_key,
        )
        for recipient in {recipient for recipient in recipients if recipient}
    ]


def rows_for(
    recipients: Iterable[int], *, kind: str, title: str, body: str, link: str, dedupe_key: str
) -> list[tuple]:
    """``notifications_for`` as plain rows of ``ROW_COLUMNS``, for ``write_rows``."""
    title = title[: max_length_of(Notification, "title")]
    body = body[: max_length_of(Notification, "body")]
    people = {recipient for recipient in recipients if recipient}
    return [(recipient, kind, title, body, link, dedupe_key) for recipient in people]


ROW_COLUMNS = ("recipient_id", "kind", "title", "body", "link", "dedupe_key")


def notify(notifications: Iterable[Notification]) -> None:
    """Write the notifications not written yet (same recipient and key), in two queries.

    Reading the keys first keeps a repeated scan from sending every row to the database again;
    ``ignore_conflicts`` still settles a race with a concurrent writer.
    """
    notifications = list(notifications)
    if not notifications:
        return
    done = written({notification.dedupe_key for notification in notifications})
    write([n for n in notifications if (n.recipient_id, n.dedupe_key) not in done])


def alert(recipients, *, title: str, body: str, link: str, dedupe_key: str) -> None:
    """Tell the active users of the queryset ``recipients`` of a fault (kind "other"), once a key:
    the daily checks' way to reach their administrators."""
    people = recipients.filter(is_active=True).values_list("pk", flat=True)
    notify(
        notifications_for(
            people,
            kind=Notification.Kind.OTHER,
            title=title,
            body=body,
            link=link,
            dedupe_key=dedupe_key,
        )
    )


def written(keys: Iterable[str]) -> set[tuple[int, str]]:
    """``(recipient, key)`` of the notifications written under these keys, in one query.

    The keys go as one array parameter, not one placeholder each: a chunk of the deadline scan
    asks about thousands, and binding them one by one cost more than the lookup. The condition
    on the empty key repeats the unique index's, without which PostgreSQL cannot use that
    (partial) index and reads the whole table for every chunk.
    """
    keys = list(keys)
    if not keys:
        return set()
    if connection.vendor != "postgresql":
        pairs = Notification.objects.filter(dedupe_key__in=keys)
        return set(pairs.values_list("recipient_id", "dedupe_key"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT recipient_id, dedupe_key FROM {Notification._meta.db_table} "
            "WHERE dedupe_key = ANY(%s) AND NOT (dedupe_key = '')",
            [keys],
        )
        return set(cursor.fetchall())


def write(notifications: list[Notification]) -> None:
    """Insert notifications known not to be written; one a concurrent writer wrote meanwhile
    (same recipient and key) is skipped by the unique constraint."""
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)


def write_rows(rows: list[tuple]) -> None:
    """``write`` for rows of ``ROW_COLUMNS``: one INSERT of a column array each, no model
    instance per row. The first deadline scan of a province writes half a million notifications,
    and building and preparing a model instance for each cost more than inserting them.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        write([Notification(**dict(zip(ROW_COLUMNS, row, strict=True))) for row in rows])
        return
    now = timezone.now()  # as auto_now_add would set it (and a test's travel in time sees it)
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table} ({', '.join(ROW_COLUMNS)}, created_at) "
            "SELECT *, %s::timestamptz FROM unnest("
            "%s::bigint[], %s::varchar[], %s::varchar[], %s::text[], %s::varchar[], %s::varchar[]"
            ") ON CONFLICT DO NOTHING",
            [now, *columns],
        )


def report_digest(recipient_id: int, day: datetime.date) -> int | None:
    """The weekly report's own outbox row (one per recipient and day); None if it exists already,
    or if the recipient keeps the weekly report out of the digest (it stays in their inbox)."""
    if DigestOptOut.objects.filter(user_id=recipient_id, kind=Notification.Kind.REPORT).exists():
        return None
    digest, created = Digest.objects.get_or_create(
        recipient_id=recipient_id, day=day, channel=Digest.Channel.EMAIL, is_report=True
    )
    return digest.pk if created else None
