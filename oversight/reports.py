"""The weekly overdue report to each supervisor: their jurisdiction's overdue measures by unit
and by age, from the same numbers as the dashboard, in the message and as the 逾期情况通报 PDF."""

import datetime

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from core.db import replica_reads
from notifications.delivery import notifications_for, notify, report_digest
from notifications.models import Digest, Notification
from oversight.documents import overdue_report_pdf

from .dashboard import dashboard_data


def report_text(user, today: datetime.date) -> str:
    """Plain lines: the totals, each unit with overdue measures, then the aging buckets."""
    with replica_reads():
        data = dashboard_data(user, today)
    lines = [
        _("Open measures: %(open)d; overdue: %(overdue)d; due within the warning window: %(soon)d.")
        % {
            "open": data["total"].open,
            "overdue": data["total"].overdue,
            "soon": data["total"].due_soon,
        },
        "",
        _("Overdue by unit:"),
    ]
    late_units = [row for row in data["units"] if row["counts"].overdue]
    lines += [
        "　" * row["depth"] + f"{row['unit']['name']}：{row['counts'].overdue}"
        for row in late_units
    ] or [_("None.")]
    lines += ["", _("Overdue by days past the due date:")]
    lines += [f"{bucket['label']}：{bucket['n']}" for bucket in data["aging"]]
    lines += ["", _("Replies past their deadline: %(n)d.") % {"n": data["late"]["count"]}]
    return "\n".join(str(line) for line in lines)


def weekly_reports(today: datetime.date) -> list[int]:
    """Write this week's report for every active supervisor with an address; once per week."""
    year, week, _weekday = today.isocalendar()
    digests = []
    for user in User.objects.supervisors().filter(is_active=True).exclude(email=""):
        key = f"report:{year}-W{week:02d}"
        notify(
            notifications_for(
                [user.pk],
                kind=Notification.Kind.REPORT,
                title=_("Weekly overdue report, week %(week)d of %(year)d")
                % {"week": week, "year": year},
                body=report_text(user, today),
                link=reverse("dashboard:index"),
                dedupe_key=key,
            )
        )
        digest_id = report_digest(user.pk, today)
        if digest_id is None:
            continue
        digest = Digest.objects.get(pk=digest_id)
        digest.notifications.add(Notification.objects.get(recipient=user, dedupe_key=key))
        with replica_reads():  # the report's figures; the digest and notices stay on the primary
            pdf = overdue_report_pdf(user, today)
        digest.attachment.save(f"逾期情况通报-{year}-W{week:02d}.pdf", ContentFile(pdf))
        digests.append(digest_id)
    return digests
