"""Copy the official holidays and make-up working days of ``chinesecalendar`` into CalendarDay.

The package (pinned in pyproject.toml) knows 2004 up to the year it was released for; later
years are added by admins in the back office once they are announced.
"""

from django.db import migrations

CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def official_days():
    from chinese_calendar import constants

    for is_workday, days in ((False, constants.holidays), (True, constants.workdays)):
        for date, name in days.items():
            note = CHINESE_NAMES.get(name, name)
            yield date, is_workday, f"{note}调休" if is_workday else note


def load(apps, schema_editor):
    CalendarDay = apps.get_model("reforms", "CalendarDay")
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=date, is_workday=is_workday, note=note[:50])
            for date, is_workday, note in official_days()
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("reforms", "CalendarDay")
    CalendarDay.objects.filter(date__in=[date for date, _, _ in official_days()]).delete()


class Migration(migrations.Migration):
    dependencies = [("reforms", "0002_calendar_day")]

    operations = [migrations.RunPython(load, unload)]
