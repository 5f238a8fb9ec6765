"""One activity as every reader returns it, and the maths shared by all formats.

Readers turn a file into ``Track`` samples plus whatever summary the file itself states
(``Facts``); ``build_activity`` fills the gaps from the track, so a FIT session, a TCX lap
list and a bare GPX track end up as the same ``Activity`` with the same rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

# A gap between two samples longer than this is a pause (watch stopped, auto-pause) and
# counts towards elapsed time only -- unless the runner covered ground at MOVING_SPEED
# across it: sparse loggers (an old eTrex, "smart recording") write a point every 15-60 s
# while moving.
PAUSE_GAP_S = 30.0
MOVING_SPEED = 0.5  # m/s, slower than any walk
EARTH_RADIUS_M = 6_371_008.8

# The file's own words for a sport, lower-cased, to (sport, sub_sport). FIT profile names
# are the vocabulary; Strava, TCX and GPX names map onto them.
_SPORTS: dict[str, tuple[str, str | None]] = {
    "run": ("running", None),
    "running": ("running", None),
    "trail run": ("running", "trail"),
    "trail running": ("running", "trail"),
    "trail_running": ("running", "trail"),
    "trailrun": ("running", "trail"),
    "treadmill": ("running", "treadmill"),
    "treadmill running": ("running", "treadmill"),
    "treadmill_running": ("running", "treadmill"),
    "indoor running": ("running", "treadmill"),
    "indoor_running": ("running", "treadmill"),
    "track running": ("running", "track"),
    "track_running": ("running", "track"),
    "virtual run": ("running", "virtual_activity"),
    "virtualrun": ("running", "virtual_activity"),
    "street running": ("running", "street"),
    "ride": ("cycling", None),
    "biking": ("cycling", None),
    "cycling": ("cycling", None),
    "bike": ("cycling", None),
    "road_biking": ("cycling", "road"),
    "mountain bike ride": ("cycling", "mountain"),
    "mountain_biking": ("cycling", "mountain"),
    "gravel ride": ("cycling", "gravel_cycling"),
    "e-bike ride": ("e_biking", None),
    "virtual ride": ("cycling", "virtual_activity"),
    "virtualride": ("cycling", "virtual_activity"),
    "indoor_cycling": ("cycling", "indoor_cycling"),
    "walk": ("walking", None),
    "walking": ("walking", None),
    "hike": ("hiking", None),
    "hiking": ("hiking", None),
    "swim": ("swimming", None),
    "swimming": ("swimming", None),
    "weight training": ("training", "strength_training"),
    "workout": ("training", None),
    "yoga": ("training", "yoga"),
    "rowing": ("rowing", None),
    "rowing_v2": ("rowing", None),
    "row": ("rowing", None),
    "indoor_rowing": ("rowing", "indoor_rowing"),
    "kayaking": ("kayaking", None),
    "canoeing": ("paddling", None),
    "paddling": ("paddling", None),
    "stand up paddling": ("stand_up_paddleboarding", None),
    "nordic ski": ("cross_country_skiing", None),
    "cross country skiing": ("cross_country_skiing", None),
    "crosscountry skiing": ("cross_country_skiing", None),
    "backcountry ski": ("cross_country_skiing", "backcountry"),
    "alpine ski": ("alpine_skiing", None),
    "elliptical": ("fitness_equipment", "elliptical"),
    "multisport": ("multisport", None),
    "triathlon": ("multisport", "triathlon"),
    # Strava's numeric GPX <type> codes for the common ones
    "1": ("cycling", None),
    "4": ("hiking", None),
    "9": ("running", None),
    "10": ("walking", None),
}
_NO_SPORT = {"", "generic", "other", "all", "invalid", "unknown"}
_INTENSITY = {
    "active": "active",
    "interval": "active",
    "rest": "rest",
    "resting": "rest",
    "recovery": "rest",
    "warmup": "warmup",
    "cooldown": "cooldown",
}


def sport_of(text: str | None, sub_text: str | None = None) -> tuple[str | None, str | None]:
    """A file's sport words as (sport, sub_sport) in lower-case profile words; None when unsaid."""
    key = str(text if text is not None else "").strip().lower()
    sport, sub = _SPORTS.get(key, (None if key in _NO_SPORT else key.replace(" ", "_"), None))
    sub_key = str(sub_text if sub_text is not None else "").strip().lower()
    if sub_key and sub_key not in _NO_SPORT:
        sub = sub_key.replace(" ", "_")
    return sport, sub


def intensity_of(text: str | None) -> str | None:
    return _INTENSITY.get((text or "").strip().lower())


@dataclass
class Track:
    """Samples in time order: Unix seconds, cumulative metres (or NaN), HR (or NaN), segment.

    A new segment starts where the recording was paused (GPX trkseg, TCX Track).
    """

    t: np.ndarray
    dist: np.ndarray
    hr: np.ndarray
    segment: np.ndarray

    @classmethod
    def empty(cls) -> Track:
        return cls(*(np.zeros(0) for _ in range(4)))

    @classmethod
    def from_positions(cls, t, lat, lon, hr, segment, dist=None) -> Track:
        """A track whose distance is measured along its positions when the file has none."""
        t, segment = np.asarray(t, dtype=float), np.asarray(segment, dtype=float)
        if dist is None or np.all(np.isnan(np.asarray(dist, dtype=float))):
            dist = along(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), segment)
        return cls(t, np.asarray(dist, dtype=float), np.asarray(hr, dtype=float), np.asarray(segment, dtype=float))

    def window(self, start: float, end: float) -> Track:
        keep = (self.t >= start) & (self.t <= end)
        return Track(self.t[keep], self.dist[keep], self.hr[keep], self.segment[keep])

    def __len__(self) -> int:
        return len(self.t)

    def moving_steps(self) -> np.ndarray:
        """Seconds each sample adds to the timer: 0 for the first, across a pause or a new segment."""
        dt = np.diff(self.t, prepend=self.t[:1])
        same = np.diff(self.segment, prepend=self.segment[:1]) == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            moving = np.diff(self.dist, prepend=self.dist[:1]) / dt >= MOVING_SPEED  # NaN: False
        return np.where(same & (dt > 0) & ((dt <= PAUSE_GAP_S) | moving), dt, 0.0)


def along(lat: np.ndarray, lon: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Cumulative haversine metres along the points, within segments only.

    The jump from one segment to the next (GPS off, logger restarted) is not run: leaving
    it out keeps distance and timer time measured over the same stretches, so pace holds.
    NaN positions add nothing.
    """
    if len(lat) < 2:
        return np.zeros(len(lat))
    p1, p2 = np.radians(lat[:-1]), np.radians(lat[1:])
    dl = np.radians(lon[1:] - lon[:-1])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    step = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    step = np.where(segment[1:] == segment[:-1], np.nan_to_num(step), 0.0)
    return np.concatenate([[0.0], np.cumsum(step)])


@dataclass
class Facts:
    """What a file states outright; None where it is silent (the track fills those in)."""

    started_at: float | None = None  # Unix seconds
    utc_offset_min: int | None = None
    sport: str | None = None
    sub_sport: str | None = None
    name: str | None = None
    duration_s: float | None = None
    elapsed_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    laps: list[dict] = field(default_factory=list)  # start_s is filled in by build_activity
    lap_starts: list[float] = field(default_factory=list)  # Unix seconds of each lap


@dataclass
class Activity:
    """One activity, in the ``Run`` model's terms."""

    started_at: datetime
    utc_offset_min: int | None
    sport: str | None  # None: the file does not say (the importer decides)
    sub_sport: str | None
    name: str | None
    duration_s: float
    elapsed_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    laps: list[dict]
    splits: list[dict]
    # One dict per leg of a multisport activity (sport, sub_sport, start_s, duration_s,
    # elapsed_s, distance_m, avg_hr, max_hr, laps, splits); empty for one sport.
    legs: list[dict] = field(default_factory=list)
    energy_kcal: float | None = None
    # Where a damaged file stopped being readable ("truncated at 4:39:12 of recording"):
    # the activity holds what was recorded before it.
    damage: str | None = None
    # A stable identity when the content's hash is none (a workout inside a health export).
    identity: str | None = None


_CALENDAR = (-62_135_596_800.0, 253_402_300_799.0)  # the years 1 to 9999, in Unix seconds


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 2)


def build_activity(facts: Facts, track: Track, where: str) -> Activity:
    """The activity from the file's facts, with the track filling what the file leaves out."""
    from scapula.errors import InputFileError

    times = track.t[~np.isnan(track.t)] if len(track) else track.t
    start = facts.started_at if facts.started_at is not None else (times[0] if len(times) else None)
    if start is None:
        raise InputFileError(where, "has no time stamps")
    if not _CALENDAR[0] < start < _CALENDAR[1]:
        raise InputFileError(where, "has time stamps that are no date on any calendar")
    steps = track.moving_steps() if len(track) else np.zeros(0)
    duration = facts.duration_s if facts.duration_s is not None else (float(steps.sum()) if len(track) else None)
    if not duration:
        raise InputFileError(where, "has no duration (a single point or no time stamps)")
    elapsed = (
        facts.elapsed_s if facts.elapsed_s is not None else (float(times[-1] - times[0]) if len(times) > 1 else None)
    )
    known = track.dist[~np.isnan(track.dist)] if len(track) else track.dist
    distance = (
        facts.distance_m if facts.distance_m is not None else (float(known.max() - known[0]) if len(known) else None)
    )
    hr_ok = (track.hr > 0) if len(track) else np.zeros(0, bool)  # NaN and a strap's 0: no reading
    avg_hr, max_hr = facts.avg_hr, facts.max_hr
    if avg_hr is None and hr_ok.any():
        weights = steps[hr_ok]
        avg_hr = float(np.average(track.hr[hr_ok], weights=weights)) if weights.sum() else float(track.hr[hr_ok].mean())
    if max_hr is None and hr_ok.any():
        max_hr = float(track.hr[hr_ok].max())
    laps = [{**lap, "start_s": round(lap_start - start, 1)} for lap, lap_start in zip(facts.laps, facts.lap_starts)]
    return Activity(
        started_at=datetime.fromtimestamp(round(start, 3), UTC),
        utc_offset_min=facts.utc_offset_min,
        sport=facts.sport,
        sub_sport=facts.sub_sport,
        name=(facts.name or "").strip() or None,
        duration_s=round(duration, 2),
        elapsed_s=_num(elapsed),
        distance_m=_num(distance),
        avg_hr=_num(avg_hr),
        max_hr=_num(max_hr),
        laps=laps,
        splits=km_splits(track, steps) if len(track) else [],
    )


def km_splits(track: Track, steps: np.ndarray) -> list[dict]:
    """1 km splits from the samples: timer seconds between km crossings and HR over them.

    The crossing of each km is interpolated between the two samples around it on the timer
    clock (pauses excluded); HR is averaged over the timer seconds that end inside that km.
    The last, partial km carries its own ``distance_m``.
    """
    ok = ~np.isnan(track.dist)
    if ok.sum() < 2:
        return []
    # from the first sample's distance: a later leg of a multisport file carries on counting
    dist = np.maximum.accumulate(track.dist[ok] - track.dist[ok][0])  # GPS noise never runs backwards
    clock = np.cumsum(steps[ok])
    hr = np.where(track.hr[ok] > 0, track.hr[ok], np.nan)
    total = float(dist[-1])
    if total <= 0:  # no distance recorded (a treadmill without a footpod, HR only)
        return []
    whole = int(total // 1000)
    marks = np.interp(np.arange(0, whole + 1) * 1000.0, dist, clock)
    if total - whole * 1000 > 0:
        marks = np.append(marks, clock[-1])
    # each timer second goes to the km its end sample lies in (1000.0 m closes the first km)
    km = np.clip(np.ceil(dist / 1000.0) - 1, 0, len(marks) - 2).astype(int)
    weight = np.where(np.isnan(hr), 0.0, steps[ok])
    hr_sum = np.bincount(km, weights=np.nan_to_num(hr) * weight, minlength=len(marks) - 1)
    hr_time = np.bincount(km, weights=weight, minlength=len(marks) - 1)
    splits = []
    for k in range(len(marks) - 1):
        split = {
            "duration_s": round(float(marks[k + 1] - marks[k]), 2),
            "avg_hr": round(float(hr_sum[k] / hr_time[k]), 1) if hr_time[k] > 0 else None,
        }
        if k == whole:
            split["distance_m"] = round(total - whole * 1000, 2)
        splits.append(split)
    return splits


def multisport(legs: list[Activity]) -> Activity:
    """One activity made of its legs, in time order (transitions left out by the reader).

    Its timer time, distance and HR are the legs' together; each leg keeps its own sport,
    laps and 1 km splits, timed from the activity's start.
    """
    legs = sorted(legs, key=lambda a: a.started_at)
    first, last = legs[0], legs[-1]
    start = first.started_at
    end = last.started_at.timestamp() + (last.elapsed_s or last.duration_s)
    distances = [a.distance_m for a in legs if a.distance_m]
    timed = [(a.avg_hr, a.duration_s) for a in legs if a.avg_hr]
    max_hrs = [a.max_hr for a in legs if a.max_hr]
    return Activity(
        started_at=start,
        utc_offset_min=first.utc_offset_min,
        sport="multisport",
        sub_sport=None,
        name=next((a.name for a in legs if a.name), None),
        duration_s=round(sum(a.duration_s for a in legs), 2),
        elapsed_s=_num(end - start.timestamp()),
        distance_m=_num(sum(distances)) if distances else None,
        avg_hr=_num(sum(h * d for h, d in timed) / sum(d for _, d in timed)) if timed else None,
        max_hr=max(max_hrs) if max_hrs else None,
        laps=[],
        splits=[],
        legs=[
            {
                "sport": a.sport,
                "sub_sport": a.sub_sport,
                "start_s": round(a.started_at.timestamp() - start.timestamp(), 1),
                "duration_s": a.duration_s,
                "elapsed_s": a.elapsed_s,
                "distance_m": a.distance_m,
                "avg_hr": a.avg_hr,
                "max_hr": a.max_hr,
                "laps": a.laps,
                "splits": a.splits,
            }
            for a in legs
        ],
        damage=next((a.damage for a in legs if a.damage), None),
    )
