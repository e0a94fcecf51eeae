"""``manage.py seed_demo``: build the demo data set once and print the demo logins."""

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from cases.models import Case, Problem
from core.domain import shanghai_today
from demo.builder import DEMO_PASSWORD, DemoExists, build_demo, demo_logins
from notifications.delivery import digests_prepare
from recommendations.models import Recommendation
from reforms import reminders
from reforms.models import Measure


def _width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(row[column]) for row in [header, *rows]) for column in range(len(header))]
    rule = "  ".join("-" * width for width in widths)
    lines = [
        "  ".join(_pad(cell, width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *rows]
    ]
    return "\n".join([lines[0], rule, *lines[1:]])


class Command(BaseCommand):
    help = (
        "Build the demo data set (a city commission, linked cases, recommendations, ~80 measures "
        "in every state) and print the demo logins. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            created = build_demo()
        except DemoExists as error:
            raise CommandError(str(error)) from error
        if created:
            # Today's reminders at once, as the daily scan would write them (the bell shows them).
            reminders.scan()
            digests_prepare(shanghai_today())
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已生成（{time.monotonic() - started:.1f} 秒）："
                    f"案件 {Case.objects.count()} 件，问题 {Problem.objects.count()} 个，"
                    f"建议书/通知书 {Recommendation.objects.count()} 份，"
                    f"整改措施 {Measure.objects.count()} 项。"
                )
            )
        else:
            self.stdout.write("演示数据已存在，未作任何改动。")
        rows = [
            [
                user.username,
                str(Role(user.role).label),
                user.full_name,
                user.org_unit.name if user.org_unit else "",
                DEMO_PASSWORD,
            ]
            for user in demo_logins()
        ]
        self.stdout.write("")
        self.stdout.write("演示账号（Demo logins）：")
        self.stdout.write(format_table(["用户名", "角色", "姓名", "单位", "密码"], rows))
