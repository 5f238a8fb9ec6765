"""What every activity passes on its way into the log, whichever file or platform it came from.

A value a device or platform plainly got wrong is repaired (an offset no place on Earth
has is dropped, a heart rate of 0 is no reading, a distance of 0 is none); a date that
cannot be the activity's is refused; fragments and planned routes are left out; an
activity whose file names no sport gets one from its platform's word or from its speed,
and the remark says which.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from scapula.errors import InputFileError, NotAnActivityError
from scapula.runs.activity import Activity

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # before any watch that records a run
FUTURE_SLACK = timedelta(days=1)
MAX_OFFSET_MIN = 14 * 60  # Kiritimati, UTC+14, and Baker Island, UTC-12, are the extremes
HEART_RATE = (20.0, 250.0)  # a reading outside is a strap's 0 or a sensor's noise
# A fragment (a watch started by mistake) is under a minute, or under 100 m in under 10
# minutes; an indoor session's few metres of GPS drift are no distance at all.
FRAGMENT_S = 60.0
FRAGMENT_M = 100.0
DRIFT_S = 600.0
FASTEST_M_S = 30.0  # faster on average than anyone under their own power: a route, not a recording

# The sport of a file that names none, from its average speed (m/s): faster than a
# runner's 2:47 /km it was a ride, slower than 8:45 /km a walk, under 0.6 m/s (28 min/km)
# neither (rowing or paddling on a machine, a gym session with a stray GPS track).
CYCLING_OVER = 6.0
RUNNING_OVER = 1.9
WALKING_OVER = 0.6


def pace_text(seconds_per_km: float) -> str:
    s = round(seconds_per_km)
    return f"{s // 60}:{s % 60:02d} /km"


def distance_text(metres: float) -> str:
    """113 km, 8.4 km, 160 m."""
    if metres >= 100_000:
        return f"{metres / 1000:.0f} km"
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def clock_text(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def admit(
    activity: Activity,
    where: str,
    *,
    platform_sport: tuple[str | None, str | None, str] | None = None,
    now: datetime | None = None,
) -> tuple[Activity, list[str]]:
    """The activity as it may be stored, and remarks for the runner.

    ``platform_sport`` is (sport, sub_sport, "its Strava entry") from the platform that
    handed the file over, used when the file itself names no sport. Raises
    ``NotAnActivityError`` for a fragment or a planned route and ``InputFileError`` for a
    date that cannot be right.
    """
    now = now or datetime.now(UTC)
    start = activity.started_at
    if start < EARLIEST:
        raise InputFileError(
            where, f"dated {start:%Y-%m-%d}, before any watch recorded a run (the device's clock was not set)"
        )
    if start > now + FUTURE_SLACK:
        raise InputFileError(where, f"dated {start:%Y-%m-%d}, in the future (the device's clock was wrong)")
    duration = activity.duration_s if activity.duration_s and activity.duration_s > 0 else 0.0
    distance = activity.distance_m if activity.distance_m and activity.distance_m > 0 else None
    if duration < FRAGMENT_S or (distance is not None and distance < FRAGMENT_M and duration < DRIFT_S):
        size = f" and {distance_text(distance)}" if distance is not None else ""
        raise NotAnActivityError(where, f"a fragment of {clock_text(duration)}{size}, too short to be an activity")
    if distance is not None and distance < FRAGMENT_M:
        distance = None
    if distance is not None and distance / duration > FASTEST_M_S:
        raise NotAnActivityError(
            where,
            f"{distance / 1000:.1f} km in {clock_text(duration)} is faster than anyone "
            "moves under their own power: a planned route, not a recording",
        )
    offset = activity.utc_offset_min
    if offset is not None and abs(offset) > MAX_OFFSET_MIN:
        offset = None  # no place has it (a Zwift file's zero local time gives minus 27 years)
    elapsed = activity.elapsed_s if activity.elapsed_s is not None and activity.elapsed_s >= 0 else None
    remarks = []
    sport, sub_sport = activity.sport, activity.sub_sport
    if sport is None:
        sport, sub_sport, remark = _sport_for(distance, duration, platform_sport)
        remarks.append(remark)
    return dataclasses.replace(
        activity,
        utc_offset_min=offset,
        sport=sport,
        sub_sport=sub_sport,
        duration_s=duration,
        elapsed_s=elapsed,
        distance_m=distance,
        avg_hr=_heart_rate(activity.avg_hr),
        max_hr=_heart_rate(activity.max_hr),
    ), remarks


def _heart_rate(value: float | None) -> float | None:
    return value if value is not None and HEART_RATE[0] <= value <= HEART_RATE[1] else None


def _sport_for(
    distance: float | None, duration: float, platform: tuple[str | None, str | None, str] | None
) -> tuple[str, str | None, str]:
    """(sport, sub_sport, remark) for an activity whose file names no sport."""
    if platform is not None and platform[0] is not None:
        return platform[0], platform[1], f"the file names no sport: {platform[0]}, as {platform[2]} says"
    if distance is None:
        return "other", None, "the file names no sport and holds no distance: kept as other training"
    speed = distance / duration
    pace = f"its pace, {pace_text(1000 / speed)}"
    if speed > CYCLING_OVER:
        return "cycling", None, f"the file names no sport: taken as cycling from its speed, {speed * 3.6:.0f} km/h"
    if speed >= RUNNING_OVER:
        return "running", None, f"the file names no sport: taken as running from {pace}"
    if speed >= WALKING_OVER:
        return "walking", None, f"the file names no sport: taken as walking from {pace}"
    return "other", None, f"the file names no sport: kept as other training ({pace} is no run or walk)"
