"""Apple Health export: the workouts of ``export.xml``, with heart rate and routes.

An export is ``export.zip`` holding ``apple_health_export/export.xml`` and, for outdoor
workouts, ``workout-routes/route_*.gpx``. ``export.xml`` reaches gigabytes: it is read as
a stream of elements, keeping only the workouts and the heart-rate records (a time and a
value each). A workout gives its type, start and end with their UTC offset, active time,
distance and energy (as attributes in older exports, as ``WorkoutStatistics`` in newer
ones); its heart rate comes from the records in its window, and its route, when it has
one, gives the track its 1 km splits. Indoor and treadmill workouts have no route.

The file declares its own DTD (elements and attributes only): it is allowed, but an
entity declaration anywhere is refused, as for every activity XML (see ``xmlsafe``).
"""

from __future__ import annotations

import re
from array import array
from datetime import datetime, timedelta
from typing import cast
from xml.parsers import expat

import numpy as np

from scapula.errors import InputFileError, NotAnActivityError
from scapula.runs.activity import Activity, Facts, Track, build_activity, sport_of

HEART_RATE = "HKQuantityTypeIdentifierHeartRate"
ENERGY = "HKQuantityTypeIdentifierActiveEnergyBurned"
WORKOUT_TYPE = "HKWorkoutActivityType"
INDOOR = "HKIndoorWorkout"
_METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048, "cm": 0.01}
_KCAL = {"kcal": 1.0, "Cal": 1.0, "kJ": 1 / 4.184, "cal": 0.001}
_SECONDS = {"min": 60.0, "s": 1.0, "h": 3600.0, "hr": 3600.0, "ms": 0.001}
# Apple's workout types whose words are not the sport's name in our vocabulary
_APPLE_SPORTS = {
    "paddle sports": ("paddling", None),
    "traditional strength training": ("training", "strength_training"),
    "functional strength training": ("training", "strength_training"),
    "high intensity interval training": ("training", "hiit"),
    "mixed cardio": ("training", "cardio"),
    "core training": ("training", None),
    "wheelchair run pace": ("running", "wheelchair"),
    "downhill skiing": ("alpine_skiing", None),
}
HR_TO_ROUTE_S = 30.0  # a route point takes the last heart rate recorded up to this long before it
_PIECE = 1 << 20
_WORDS = re.compile(r"(?<=[a-z])(?=[A-Z])")


class _Refused(Exception):
    pass


def apple_sport(workout_type: str) -> tuple[str | None, str | None]:
    """``HKWorkoutActivityTypeCrossCountrySkiing`` -> ("cross_country_skiing", None)."""
    words = _WORDS.sub(" ", workout_type.removeprefix(WORKOUT_TYPE)).lower()
    return _APPLE_SPORTS.get(words) or sport_of(words)


def moment(text: str) -> datetime:
    """``2026-05-01 07:30:00 +0200`` as an aware datetime."""
    return datetime.fromisoformat(text.strip().replace(" +", "+").replace(" -", "-"))


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


class _Reader:
    """The expat callbacks: workouts as attribute dicts, heart rate as two columns."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.workouts: list[dict] = []
        self.current: dict | None = None
        self.hr_t = array("d")
        self.hr = array("d")

    def start(self, name: str, attrs: dict) -> None:
        if self.root is None:
            self.root = name
        if name == "Record":
            if attrs.get("type") == HEART_RATE:
                value = _number(attrs.get("value"))
                if value is not None and attrs.get("startDate"):
                    self.hr_t.append(moment(attrs["startDate"]).timestamp())
                    self.hr.append(value)
        elif name == "Workout":
            self.current = {"attrs": attrs, "statistics": [], "metadata": {}, "routes": []}
        elif self.current is not None:
            if name == "MetadataEntry":
                self.current["metadata"][attrs.get("key")] = attrs.get("value")
            elif name == "WorkoutStatistics":
                self.current["statistics"].append(attrs)
            elif name == "FileReference" and attrs.get("path"):
                self.current["routes"].append(attrs["path"])

    def end(self, name: str) -> None:
        if name == "Workout" and self.current is not None:
            self.workouts.append(self.current)
            self.current = None


def _refuse_entities(*_args) -> None:
    raise _Refused


def read_apple_health(source) -> list[Activity | InputFileError]:
    """The workouts of an Apple Health export (``source``: its export.xml, on disk or in a
    zip); a workout that cannot be read is its ``InputFileError`` in the list instead."""
    where = source.name
    reader = _Reader()
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.EntityDeclHandler = _refuse_entities
    parser.buffer_text = True
    damage = None
    with source.open() as stream:
        try:
            while piece := stream.read(_PIECE):
                parser.Parse(piece, False)
                if reader.root is not None and reader.root != "HealthData":
                    raise InputFileError(where, f"not an Apple Health export (its root element is <{reader.root}>)")
            parser.Parse(b"", True)
        except _Refused:
            raise InputFileError(where, "XML with entity declarations is refused") from None
        except expat.ExpatError as e:
            if not reader.workouts:
                raise InputFileError(where, f"malformed XML ({expat.ErrorString(e.code)}: line {e.lineno})") from None
            damage = f"malformed XML at line {e.lineno}: the workouts before it are imported"
    if not reader.workouts:
        raise NotAnActivityError(where, "an Apple Health export with no workouts")
    order = np.argsort(np.frombuffer(reader.hr_t, dtype=float), kind="stable")
    hr_t = np.frombuffer(reader.hr_t, dtype=float)[order]
    hr = np.frombuffer(reader.hr, dtype=float)[order]
    out: list[Activity | InputFileError] = []
    for workout in reader.workouts:
        try:
            out.append(_activity(workout, source, hr_t, hr))
        except InputFileError as e:  # one workout that cannot be read: the export's others still come
            when = workout["attrs"].get("startDate", "with no start")
            out.append(InputFileError(source.name, f"its workout of {when} {e.reason}"))
    if damage and isinstance(out[-1], Activity):
        out[-1].damage = damage
    return out


def _activity(workout: dict, source, hr_t: np.ndarray, hr: np.ndarray) -> Activity:
    attrs = workout["attrs"]
    where = source.name
    try:
        start, end = moment(attrs["startDate"]), moment(attrs["endDate"])
    except (KeyError, ValueError):
        raise InputFileError(where, "has no readable start and end") from None
    sport, sub = apple_sport(attrs.get("workoutActivityType", ""))
    if workout["metadata"].get(INDOOR) == "1" and sport == "running":
        sub = "treadmill"
    duration = _number(attrs.get("duration"))
    if duration is not None:
        duration *= _SECONDS.get(attrs.get("durationUnit", "min"), 60.0)
    distance = _quantity(attrs.get("totalDistance"), attrs.get("totalDistanceUnit"), _METRES)
    energy = _quantity(attrs.get("totalEnergyBurned"), attrs.get("totalEnergyBurnedUnit"), _KCAL)
    stated_hr = None
    for stat in workout["statistics"]:
        kind = stat.get("type", "")
        if kind.startswith("HKQuantityTypeIdentifierDistance") and distance is None:
            distance = _quantity(stat.get("sum"), stat.get("unit"), _METRES)
        elif kind == ENERGY and energy is None:
            energy = _quantity(stat.get("sum"), stat.get("unit"), _KCAL)
        elif kind == HEART_RATE:
            stated_hr = (_number(stat.get("average")), _number(stat.get("maximum")))
    t0, t1 = start.timestamp(), end.timestamp()
    lo, hi = np.searchsorted(hr_t, t0, "left"), np.searchsorted(hr_t, t1, "right")
    avg_hr = max_hr = None
    if hi > lo:
        avg_hr, max_hr = float(hr[lo:hi].mean()), float(hr[lo:hi].max())
    elif stated_hr is not None:
        avg_hr, max_hr = stated_hr
    track = _route(workout["routes"], source, hr_t, hr)
    facts = Facts(
        started_at=t0,
        # an Apple Health time always carries its offset (``moment``)
        utc_offset_min=int(cast(timedelta, start.utcoffset()).total_seconds() // 60),
        sport=sport,
        sub_sport=sub,
        duration_s=duration if duration is not None else t1 - t0,
        elapsed_s=t1 - t0,
        distance_m=distance,
        avg_hr=avg_hr,
        max_hr=max_hr,
    )
    activity = build_activity(facts, track.window(t0, t1), where)
    activity.energy_kcal = round(energy, 1) if energy is not None else None
    activity.identity = f"apple-health:{attrs.get('workoutActivityType')}:{attrs['startDate']}:{attrs['endDate']}"
    return activity


def _quantity(value: str | None, unit: str | None, units: dict[str, float]) -> float | None:
    number = _number(value)
    if number is None:
        return None
    return number * units.get(unit or "", next(iter(units.values())))


def _route(paths: list[str], source, hr_t: np.ndarray, hr: np.ndarray) -> Track:
    """The workout's route with the heart rate recorded along it; empty without a route."""
    from scapula.runs.gpx import gpx_track

    for path in paths:
        route = source.beside(path)
        try:
            track = gpx_track(route.read(), route.name)
        except InputFileError:
            continue  # a route missing from the export or unreadable: the workout comes without it
        if len(track) and len(hr_t):
            last = np.searchsorted(hr_t, track.t, "right") - 1
            ok = (last >= 0) & (track.t - hr_t[np.clip(last, 0, None)] <= HR_TO_ROUTE_S)
            track.hr = np.where(ok, hr[np.clip(last, 0, None)], np.nan)
        return track
    return Track.empty()
