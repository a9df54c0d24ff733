"""The month calendar: weeks of days, each with the events happening on it.

An event sits on the days it covers in its own zone (a roundtable in Sofia on 12 May at 10:00
is on 12 May, whoever looks), so a multi-day mission appears on each of its days.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from events.models import Event


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    events: list[Event] = field(default_factory=list)


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """The first day of the month `value` ("YYYY-MM"), or of today's month if it is not one."""
    if value:
        try:
            year, month = (int(part) for part in value.split("-", 1))
            return dt.date(year, month, 1)
        except ValueError:
            pass
    return today.replace(day=1)


def shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def grid_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day shown: whole weeks, Monday to Sunday."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return weeks[0][0], weeks[-1][-1]


def month_weeks(first: dt.date, events: Iterable[Event], today: dt.date) -> list[list[Day]]:
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    days = {
        day: Day(date=day, in_month=day.month == first.month, is_today=day == today)
        for week in weeks
        for day in week
    }
    shown_first, shown_last = weeks[0][0], weeks[-1][-1]
    for event in events:
        day = max(event.local_start.date(), shown_first)
        last = min(event.local_end.date(), shown_last)
        while day <= last:
            days[day].events.append(event)
            day += dt.timedelta(days=1)
    return [[days[day] for day in week] for week in weeks]
