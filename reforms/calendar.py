"""Working days (工作日) on the official Chinese calendar, with holidays and make-up days (调休).

The exceptions to the Monday–Friday week live in ``CalendarDay`` (loaded from ``chinesecalendar``
and extended by admins each year). A year with no exceptions in the table is not announced yet:
it is counted Monday–Friday and a warning is logged, never an error — deadlines issued today
already reach into years the library does not know.
"""

import datetime
import logging

from .models import CalendarDay

logger = logging.getLogger(__name__)

ONE_DAY = datetime.timedelta(days=1)


def _is_weekday(day: datetime.date) -> bool:
    return day.weekday() < 5


class WorkingCalendar:
    """Reads the exceptions of each year once (one query per year touched)."""

    def __init__(self):
        self._years: dict[int, dict[datetime.date, bool]] = {}

    def exceptions(self, year: int) -> dict[datetime.date, bool]:
        if year not in self._years:
            rows = CalendarDay.objects.filter(
                date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
            ).values_list("date", "is_workday")
            self._years[year] = dict(rows)
            if not self._years[year]:
                logger.warning(
                    "No official holidays recorded for %s: counting Monday to Friday as "
                    "working days. Add the year's holidays and make-up days in the back office.",
                    year,
                )
        return self._years[year]

    def is_known(self, year: int) -> bool:
        return bool(self.exceptions(year))

    def is_workday(self, day: datetime.date) -> bool:
        exceptions = self.exceptions(day.year)
        if day in exceptions:
            return exceptions[day]
        return _is_weekday(day)

    def add_workdays(self, start: datetime.date, n: int) -> datetime.date:
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``start`` (``start`` itself when ``n`` is 0)."""
    return WorkingCalendar().add_workdays(start, n)


def is_workday(day: datetime.date) -> bool:
    return WorkingCalendar().is_workday(day)


def year_is_known(year: int) -> bool:
    """The official holidays of ``year`` are in the table (otherwise it counts Monday–Friday)."""
    return CalendarDay.objects.filter(
        date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
    ).exists()
