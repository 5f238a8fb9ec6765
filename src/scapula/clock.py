"""The athlete's clock.

Every moment is stored in UTC. Days are the athlete's: an evening session in New York is
already tomorrow in UTC, so "today", "this week" and "the day of a set" are read on the
athlete's time zone (the one set up, else this machine's).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scapula.errors import ScapulaError


class HasTimezone(Protocol):
    timezone: str | None


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything Scapula stores is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def on_clock(moment: datetime, zone: tzinfo) -> datetime:
    """A stored moment on a clock (the athlete's)."""
    return as_utc(moment).astimezone(zone)


def athlete_zone(athlete: HasTimezone) -> tzinfo:
    if athlete.timezone:
        try:
            return ZoneInfo(athlete.timezone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ScapulaError(f"unknown time zone '{athlete.timezone}'") from e
    zone = datetime.now().astimezone().tzinfo  # this machine's
    assert zone is not None
    return zone


def today_for(athlete: HasTimezone) -> date:
    return datetime.now(athlete_zone(athlete)).date()


def local_time(athlete: HasTimezone, moment: datetime) -> datetime:
    """A stored moment on the athlete's clock."""
    return on_clock(moment, athlete_zone(athlete))


def midday_of(day: date, athlete: HasTimezone) -> datetime:
    """Midday of a day on the athlete's clock: a set or a check logged "on" a day lands on
    that day whatever this machine's clock says."""
    return datetime.combine(day, time(12, 0), tzinfo=athlete_zone(athlete))
