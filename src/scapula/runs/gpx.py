"""GPX tracks (gpxpy): a pause wherever a new ``<trkseg>`` or ``<trk>`` starts.

GPX has no laps and no summary: time, distance and HR all come from the points. HR is
read from any extension element named ``hr`` or ``heartrate`` (Garmin's
TrackPointExtension and the common variants).
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from scapula.errors import InputFileError
from scapula.runs.activity import Activity, Facts, Track, build_activity, sport_of
from scapula.runs.xmlsafe import refuse_dtd

_HR_TAGS = {"hr", "heartrate", "heart_rate"}
ACTIVITY_GAP_S = 3600.0


def _hr(point) -> float:
    for extension in point.extensions:
        for element in extension.iter():
            if element.tag.rpartition("}")[2].lower() in _HR_TAGS and element.text:
                try:
                    return float(element.text)
                except ValueError:
                    return np.nan
    return np.nan


def _utc(moment: datetime) -> datetime:
    # GPX times are UTC by the standard; a time without a zone is taken as UTC
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def read_gpx(data: bytes, where: str) -> list[Activity]:
    import gpxpy
    import gpxpy.gpx

    refuse_dtd(data, where)
    try:
        gpx = gpxpy.parse(data)
    except gpxpy.gpx.GPXXMLSyntaxException as e:
        raise InputFileError(where, f"malformed XML ({e.__cause__ or e})") from e
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError) as e:
        raise InputFileError(where, f"not a readable GPX file ({e})") from e
    pieces = []  # (points as columns, trk) for every track with timed points
    for trk in gpx.tracks:
        columns = _columns(trk)
        if columns[0]:
            pieces.append((columns, trk))
    if not pieces:
        if any(seg.points for trk in gpx.tracks for seg in trk.segments):
            raise InputFileError(where, "has no time stamps (a track without times)")
        raise InputFileError(where, "GPX file holds no track points")
    pieces.sort(key=lambda piece: min(piece[0][0]))
    # A logger splits one outing into several <trk> when it loses power or signal: tracks
    # of the same type less than ACTIVITY_GAP_S apart are one activity, each a segment.
    groups: list[list] = []
    for columns, trk in pieces:
        last = groups[-1][-1] if groups else None
        if last and last[1].type == trk.type and (min(columns[0]) - max(last[0][0])).total_seconds() <= ACTIVITY_GAP_S:
            groups[-1].append((columns, trk))
        else:
            groups.append([(columns, trk)])
    return [_activity(group, gpx.name, where) for group in groups]


def _columns(trk) -> tuple[list, list, list, list, list]:
    t, lat, lon, hr, segment = [], [], [], [], []
    for number, seg in enumerate(trk.segments):
        for point in seg.points:
            if point.time is None:
                continue  # a point with no time cannot be placed on the run's clock
            t.append(_utc(point.time))
            lat.append(point.latitude)
            lon.append(point.longitude)
            hr.append(_hr(point))
            segment.append(number)
    return t, lat, lon, hr, segment


def _activity(group: list, file_name: str | None, where: str) -> Activity:
    first = group[0][0][0][0]
    offset = int(first.utcoffset().total_seconds() // 60) if first.utcoffset() else None
    merged: list[list] = [[], [], [], [], []]
    segments = 0
    for (t, lat, lon, hr, segment), _ in group:
        merged[0] += [moment.timestamp() for moment in t]
        merged[1] += lat
        merged[2] += lon
        merged[3] += hr
        merged[4] += [segments + number for number in segment]
        segments += max(segment) + 1
    trk = group[0][1]
    sport, sub = sport_of(trk.type)
    facts = Facts(utc_offset_min=offset, sport=sport, sub_sport=sub, name=trk.name or file_name)
    order = np.argsort(merged[0], kind="stable")
    track = Track.from_positions(*(np.asarray(c, dtype=float)[order] for c in merged))
    return build_activity(facts, track, where)
