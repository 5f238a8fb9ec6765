"""TCX (Garmin Training Center) activities (XML with any DTD refused, see ``xmlsafe``).

One activity per ``<Activity>``, and one per ``<MultiSportSession>`` with a leg per
``<Activity>`` in it (its ``<Transition>`` laps are no leg). Its laps carry the device's own timer time, distance and
HR, so the summary comes from them; the trackpoints give the km splits (and anything the
laps leave out). A second ``<Track>`` inside one lap starts after a pause.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any, overload

import numpy as np

from scapula.errors import InputFileError
from scapula.runs.activity import Activity, Facts, Track, build_activity, intensity_of, multisport, sport_of
from scapula.runs.door import clock_text
from scapula.runs.xmlsafe import parse_xml

_TRIGGERS = {
    "manual": "manual",
    "distance": "distance",
    "time": "time",
    "location": "position_lap",
    "heartrate": "heart_rate",
}


class _LocalNames(dict):
    """Tag -> its local name (namespaces vary between writers), computed once per tag."""

    def __missing__(self, tag: str) -> str:
        self[tag] = local = tag.rpartition("}")[2]
        return local


_local = _LocalNames()


def _tag(element) -> str:
    return _local[element.tag]


def _child(element, *path: str):
    """The first descendant along ``path`` by local name (namespaces vary between writers)."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _tag(c) == name), None)
    return element


def _text(element, *path: str) -> str | None:
    found = _child(element, *path)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


@overload
def _time(text: str, where: str) -> datetime: ...
@overload
def _time(text: str | None, where: str) -> datetime | None: ...
def _time(text: str | None, where: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as e:
        raise InputFileError(where, f"unreadable time stamp '{text}'") from e
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def read_tcx(data: bytes, where: str) -> list[Activity]:
    root, damage = parse_xml(data, where, unfinished="Trackpoint")
    if _tag(root) != "TrainingCenterDatabase":
        raise InputFileError(where, f"not a TCX file (its root element is <{_tag(root)}>)")
    found = []
    elements = list(_child(root, "Activities") or [])
    for element in elements:
        cut = damage is not None and element is elements[-1]  # the file broke inside it
        if _tag(element) == "Activity":
            found.append(_activity(element, where, cut))
        elif _tag(element) == "MultiSportSession":
            # <FirstSport><Activity/></FirstSport>, then <NextSport><Transition/><Activity/></NextSport>...
            legs = [
                _activity(a, where, cut)
                for part in element
                if _tag(part) in ("FirstSport", "NextSport")
                for a in part
                if _tag(a) == "Activity"
            ]
            if legs:
                found.append(multisport(legs) if len(legs) > 1 else legs[0])
    if not found:
        raise InputFileError(where, "TCX file holds no activity")
    if damage:
        last = found[-1]
        found[-1] = dataclasses.replace(
            last, damage=f"{damage} at {clock_text(last.elapsed_s or last.duration_s)} of recording"
        )
    return found


def _activity(activity, where: str, cut: bool = False) -> Activity:
    """One <Activity>; ``cut``: the file broke inside it, so its last lap's totals, written
    before its points, say more than the points that were saved."""
    t, lat, lon, dist, hr, segment = [], [], [], [], [], []
    laps: list[dict[str, Any]] = []  # each lap's totals as the file states them
    lap_starts: list[float] = []
    offset = None
    start = _time(_text(activity, "Id"), where)
    tracks = 0  # segment number
    local = _local
    for lap in (c for c in activity if _tag(c) == "Lap"):
        lap_start = _time(lap.get("StartTime"), where)
        if lap_start is not None:
            lap_starts.append(lap_start.timestamp())
            laps.append(
                {
                    "duration_s": _float(_text(lap, "TotalTimeSeconds")),
                    "distance_m": _float(_text(lap, "DistanceMeters")),
                    "avg_hr": _float(_text(lap, "AverageHeartRateBpm", "Value")),
                    "max_hr": _float(_text(lap, "MaximumHeartRateBpm", "Value")),
                    "intensity": intensity_of(_text(lap, "Intensity")),
                    "trigger": _TRIGGERS.get((_text(lap, "TriggerMethod") or "").lower()),
                }
            )
        for number, track in enumerate(c for c in lap if _tag(c) == "Track"):
            # every lap opens a Track; a second one inside a lap follows a pause
            tracks += number > 0
            for point in track:
                # one pass over the point's children: this loop runs 3,600 times an hour
                values = {local[c.tag]: c for c in point}
                stamp = values.get("Time")
                if stamp is None or not stamp.text:
                    continue
                moment = _time(stamp.text.strip(), where)
                moment_offset = moment.utcoffset()
                if offset is None and moment_offset:
                    offset = int(moment_offset.total_seconds() // 60)
                position = values.get("Position")
                where_at = {local[c.tag]: c.text for c in position} if position is not None else {}
                metres, beat = values.get("DistanceMeters"), values.get("HeartRateBpm")
                t.append(moment.timestamp())
                lat.append(_float(where_at.get("LatitudeDegrees")))
                lon.append(_float(where_at.get("LongitudeDegrees")))
                dist.append(_float(metres.text) if metres is not None else None)
                hr.append(_float(beat[0].text) if beat is not None and len(beat) else None)  # <Value>
                segment.append(tracks)
    start = start or (datetime.fromtimestamp(min(lap_starts), UTC) if lap_starts else None)
    if start is None and not t:
        raise InputFileError(where, "has no time stamps")

    def column(values):
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    order = np.argsort(t, kind="stable")
    times, lats, lons, hrs, segments = (column(c)[order] for c in (t, lat, lon, hr, segment))
    track = Track.from_positions(
        times, lats, lons, hrs, segments, dist=column(dist)[order] if any(d is not None for d in dist) else None
    )

    if cut and laps:
        laps[-1] = {**laps[-1], "duration_s": None, "distance_m": None}

    def total(key: str) -> float | None:
        values = [lap[key] for lap in laps if lap[key] is not None]
        return float(sum(values)) if values and len(values) == len(laps) else None

    timed = [(lap["avg_hr"], lap["duration_s"]) for lap in laps if lap["avg_hr"] and lap["duration_s"]]
    max_hrs = [lap["max_hr"] for lap in laps if lap["max_hr"]]
    sport, sub = sport_of(activity.get("Sport"))
    elapsed = None
    if not len(track) and laps and laps[-1]["duration_s"] is not None and start is not None:
        elapsed = lap_starts[-1] + laps[-1]["duration_s"] - start.timestamp()
    facts = Facts(
        started_at=start.timestamp() if start else None,
        utc_offset_min=offset,
        sport=sport,
        sub_sport=sub,
        name=_text(activity, "Notes") or _text(activity, "Training", "Plan", "Name"),
        duration_s=total("duration_s"),
        elapsed_s=elapsed,
        distance_m=total("distance_m"),
        avg_hr=sum(h * d for h, d in timed) / sum(d for _, d in timed) if timed else None,
        max_hr=max(max_hrs) if max_hrs else None,
        laps=laps,
        lap_starts=lap_starts,
    )
    return build_activity(facts, track, where)
