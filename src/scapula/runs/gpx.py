"""GPX tracks: a pause wherever a new ``<trkseg>`` or ``<trk>`` starts.

GPX has no laps and no summary: time, distance and HR all come from the points. HR is
read from any extension element named ``hr``, ``heartrate`` or ``heart_rate`` (Garmin's
TrackPointExtension and the common variants).

gpxpy is the reference reader; a fast one on the standard library's C parser reads first
(gpxpy takes 70-100 ms for an hour at 1 s, nearly all in its generic field parsing; the
fast reader about a quarter of that). Both bring a file to the same plain shape
(``GpxFile``) and everything after that is shared, so they can be cross-checked on the
same bytes, as fitfast and fitdecode are for FIT. The fast reader applies gpxpy's rules
to what it reads; wherever gpxpy would fail, or a file holds something the fast reader
does not parse itself (an unusual time stamp, bytes that are not UTF-8, malformed XML),
gpxpy reads the file, so its errors and edge cases are the ones reported.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from scapula.errors import InputFileError
from scapula.runs.activity import Activity, Facts, Track, build_activity, sport_of
from scapula.runs.door import clock_text
from scapula.runs.xmlsafe import refuse_dtd, salvage_xml

_HR_TAGS = {"hr", "heartrate", "heart_rate"}
ACTIVITY_GAP_S = 3600.0
US = 1_000_000  # times are kept as whole microseconds since the epoch, as datetime holds them
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_ONE_SECOND = timedelta(seconds=1)


@dataclass
class GpxTrack:
    """One ``<trk>``: its timed points as columns (points without a time are left out)."""

    name: str | None
    type: str | None
    t: list[int] = field(default_factory=list)  # microseconds since the epoch
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    hr: list[float] = field(default_factory=list)  # NaN where a point has none
    segment: list[int] = field(default_factory=list)  # the trkseg's number within the track
    utc_offset_min: int | None = None  # of the first timed point, None when UTC
    points: int = 0  # every track point, timed or not


@dataclass
class GpxFile:
    name: str | None
    tracks: list[GpxTrack]
    damage: str | None = None  # "truncated" or "damaged": the tracks hold what came before it


def read_gpx(data: bytes, where: str, reader: str = "auto") -> list[Activity]:
    """The activities of a GPX file. ``reader``: auto | fast | gpxpy."""
    refuse_dtd(data, where)
    gpx = None
    if reader in ("auto", "fast"):
        try:
            gpx = gpx_fast(data)
        except LeftToGpxpy:
            if reader == "fast":
                raise
    if gpx is None:
        gpx = gpx_gpxpy(data, where)
    return activities_of(gpx, where)


# ---------------------------------------------------------------- shared


def activities_of(gpx: GpxFile, where: str) -> list[Activity]:
    pieces = [trk for trk in gpx.tracks if trk.t]
    if not pieces:
        if any(trk.points for trk in gpx.tracks):
            raise InputFileError(where, "has no time stamps (a track without times)")
        raise InputFileError(where, "GPX file holds no track points")
    pieces.sort(key=lambda trk: min(trk.t))
    # A logger splits one outing into several <trk> when it loses power or signal: tracks
    # of the same type less than ACTIVITY_GAP_S apart are one activity, each a segment.
    groups: list[list[GpxTrack]] = []
    for trk in pieces:
        last = groups[-1][-1] if groups else None
        if last and last.type == trk.type and (min(trk.t) - max(last.t)) / US <= ACTIVITY_GAP_S:
            groups[-1].append(trk)
        else:
            groups.append([trk])
    activities = [_activity(group, gpx.name, where) for group in groups]
    if gpx.damage:
        final = activities[-1]
        activities[-1] = dataclasses.replace(
            final, damage=f"{gpx.damage} at {clock_text(final.elapsed_s or final.duration_s)} of recording"
        )
    return activities


def _activity(group: list[GpxTrack], file_name: str | None, where: str) -> Activity:
    first = group[0]
    sport, sub = sport_of(first.type)
    facts = Facts(utc_offset_min=first.utc_offset_min, sport=sport, sub_sport=sub, name=first.name or file_name)
    return build_activity(facts, _track_of(group), where)


def gpx_track(data: bytes, where: str) -> Track:
    """Every timed point of a GPX file as one track, each of its segments a segment (for a
    route that comes with a workout from elsewhere, e.g. an Apple Health export)."""
    refuse_dtd(data, where)
    try:
        gpx = gpx_fast(data)
    except LeftToGpxpy:
        gpx = gpx_gpxpy(data, where)
    return _track_of([trk for trk in gpx.tracks if trk.t])


def _track_of(group: list[GpxTrack]) -> Track:
    t, lat, lon, hr, segment = [], [], [], [], []
    segments = 0
    for trk in group:
        t += [us / US for us in trk.t]  # what datetime.timestamp() gives, to the last bit
        lat += trk.lat
        lon += trk.lon
        hr += trk.hr
        segment += [segments + number for number in trk.segment]
        segments += max(trk.segment) + 1
    order = np.argsort(t, kind="stable")
    return Track.from_positions(*(np.asarray(c, dtype=float)[order] for c in (t, lat, lon, hr, segment)))


def _offset_min(utcoffset: timedelta | None) -> int | None:
    return int(utcoffset.total_seconds() // 60) if utcoffset else None


# ---------------------------------------------------------------- gpxpy, the reference


def gpx_gpxpy(data: bytes, where: str) -> GpxFile:
    import gpxpy
    import gpxpy.gpx

    try:
        gpx = gpxpy.parse(data)
    except gpxpy.gpx.GPXXMLSyntaxException as e:
        salvaged = gpx_salvaged(data)
        if salvaged is None:
            raise InputFileError(where, f"malformed XML ({e.__cause__ or e})") from e
        return salvaged
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError) as e:
        raise InputFileError(where, f"not a readable GPX file ({e})") from e
    tracks = []
    for trk in gpx.tracks:
        out = GpxTrack(trk.name, trk.type, points=sum(len(seg.points) for seg in trk.segments))
        for number, seg in enumerate(trk.segments):
            for point in seg.points:
                if point.time is None:
                    continue  # a point with no time cannot be placed on the run's clock
                # GPX times are UTC by the standard; a time without a zone is taken as UTC
                moment = point.time if point.time.tzinfo else point.time.replace(tzinfo=UTC)
                if not out.t:
                    out.utc_offset_min = _offset_min(moment.utcoffset())
                out.t.append((moment - _EPOCH) // _ONE_US)
                out.lat.append(point.latitude)
                out.lon.append(point.longitude)
                out.hr.append(_hr(point.extensions))
                out.segment.append(number)
        tracks.append(out)
    return GpxFile(gpx.name, tracks)


class _HrTags(dict):
    """Element name -> whether it holds HR, whatever its namespace; built as names are met."""

    def __missing__(self, tag: str) -> bool:
        self[tag] = is_hr = tag.rpartition("}")[2].lower() in _HR_TAGS
        return is_hr


_is_hr = _HrTags()


def _hr(extensions) -> float:
    """The first HR value among a point's extension elements (both readers use this)."""
    for extension in extensions:
        for element in extension.iter():
            if _is_hr[element.tag] and element.text:
                try:
                    return float(element.text)
                except ValueError:
                    return np.nan
    return np.nan


# ---------------------------------------------------------------- the fast reader


class LeftToGpxpy(Exception):
    """The fast reader leaves this file to gpxpy: gpxpy would fail on it, or it holds
    something the fast reader does not parse itself."""


# gpxpy drops the first default namespace declaration from the text before parsing, so
# its element names are bare words (and elements of any other namespace never match).
_DEFAULT_NS = re.compile(r"""\sxmlns=(['"])[^'"]+\1""")


def _float(text: str) -> float:
    return float(text.strip())


def _int(text: str) -> int:
    return int(text.strip())


FIXES = ("none", "2d", "3d", "dgps", "pps", "3")


def _fix(text: str) -> str:
    if text not in FIXES:
        raise ValueError(f"invalid fix {text!r}")
    return text


# Every child element whose value gpxpy converts (and so can fail on), by the element it
# sits in, for GPX 1.1 and 1.0. Only the first child of a name counts (gpxpy uses find()).
# The values go unused here; a point's lat and lon, mandatory, are read as well.
# tests/test_import.py checks these tables against gpxpy's own field lists.
POINT_CHECKS = {
    "ele": _float,
    "magvar": _float,
    "geoidheight": _float,
    "fix": _fix,
    "sat": _int,
    "hdop": _float,
    "vdop": _float,
    "pdop": _float,
    "ageofdgpsdata": _float,
    "dgpsid": _int,
}
TRKPT_10_CHECKS = {**POINT_CHECKS, "course": _float, "speed": _float}  # GPX 1.0 only
ROUTE_CHECKS = TRACK_CHECKS = {"number": _int}
BOUNDS_ATTRIBUTES = ("minlat", "maxlat", "minlon", "maxlon")


def gpx_fast(data: bytes) -> GpxFile:
    """The file by the C parser, on gpxpy's rules; ``LeftToGpxpy`` when gpxpy must read it."""
    try:
        text = data.decode()  # UTF-8 whatever the declaration says, as gpxpy reads bytes
        root = ET.XML(_DEFAULT_NS.sub("", text, count=1))
    except Exception as e:
        raise LeftToGpxpy from e
    try:
        return _gpx_file(root)
    except ValueError as e:  # a value gpxpy would refuse, or a time stamp it reads alone
        raise LeftToGpxpy from e


def gpx_salvaged(data: bytes) -> GpxFile | None:
    """The tracks of malformed GPX up to where it breaks (a file cut short), by the fast
    reader's rules; None when nothing before the damage can be read."""
    try:
        found = salvage_xml(_DEFAULT_NS.sub("", data.decode(), count=1).encode(), "trkpt")
        if found is None:
            return None
        gpx = _gpx_file(found[0])
    except (UnicodeDecodeError, ValueError):
        return None
    gpx.damage = found[1]
    return gpx if any(trk.t for trk in gpx.tracks) else None


def _gpx_file(root: ET.Element) -> GpxFile:
    v11 = root.get("version") == "1.1"  # gpxpy reads any other version by the 1.0 rules
    head = root.find("metadata") if v11 else root  # where the name and bounds are
    name = None
    if head is not None:
        name = _text(head, "name")
        bounds = head.find("bounds")
        for attribute in BOUNDS_ATTRIBUTES if bounds is not None else ():
            if bounds is not None and (value := bounds.get(attribute)) is not None:
                _float(value)
    tracks = []
    for child in root:
        if child.tag == "wpt":
            _check_point(child, POINT_CHECKS)
        elif child.tag == "rte":
            _check(child, ROUTE_CHECKS)
            for point in child:
                if point.tag == "rtept":
                    _check_point(point, POINT_CHECKS)
        elif child.tag == "trk":
            tracks.append(_track(child, v11))
    return GpxFile(name, tracks)


def _text(element: ET.Element, tag: str) -> str | None:
    found = element.find(tag)
    return found.text if found is not None else None


def _check(element: ET.Element, checks: dict) -> None:
    seen = set()
    for child in element:
        if child.tag in checks and child.tag not in seen:
            seen.add(child.tag)
            if child.text is not None:
                checks[child.tag](child.text)


def _degrees(point: ET.Element, attribute: str) -> float:
    value = point.get(attribute)
    if value is None:
        raise ValueError(f"{attribute} is mandatory")
    return _float(value)


def _check_point(point: ET.Element, checks: dict) -> None:
    _degrees(point, "lat")
    _degrees(point, "lon")
    _check(point, checks)


def _track(trk: ET.Element, v11: bool) -> GpxTrack:
    _check(trk, TRACK_CHECKS)
    out = GpxTrack(_text(trk, "name"), _text(trk, "type") if v11 else None)
    checks = POINT_CHECKS if v11 else TRKPT_10_CHECKS
    t, lat, lon, hr, segment = out.t, out.lat, out.lon, out.hr, out.segment
    number = -1
    for seg in trk:
        if seg.tag != "trkseg":
            continue
        number += 1
        for point in seg:
            if point.tag != "trkpt":
                continue
            out.points += 1
            # this loop runs 3,600 times for an hour at 1 s: one pass over the children
            first: dict[str, ET.Element] = {}
            for child in point:
                tag = child.tag
                if tag in first:
                    continue  # gpxpy reads only the first of each name
                first[tag] = child
                check = checks.get(tag)
                if check is not None and child.text is not None:
                    check(child.text)
            y, x = _degrees(point, "lat"), _degrees(point, "lon")
            stamp = first.get("time")
            if stamp is None or not stamp.text:
                continue  # a point with no time cannot be placed on the run's clock
            us, offset = gpx_time(stamp.text)
            if not t:
                out.utc_offset_min = offset
            t.append(us)
            lat.append(y)
            lon.append(x)
            extensions = first.get("extensions") if v11 else None  # GPX 1.0 has none
            hr.append(_hr(extensions) if extensions is not None else np.nan)
            segment.append(number)
    return out


# ---------------------------------------------------------------- time stamps

# Nearly every point says "2026-05-01T05:30:00Z": that form is checked by position and read
# by lookups, the date from a cache (a file has a day or two), HH:MM and SS from tables of
# every valid value -- 0.5 us a stamp, where a regex, a datetime and its timedelta took
# 5 us, as much as the rest of the point. Other forms take the regex, then the same lookups.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HOUR_MINUTE = {f"{h:02}:{m:02}": h * 3600 + m * 60 for h in range(24) for m in range(60)}
_SECOND = {f"{s:02}": s for s in range(60)}
_MAX_DAYS = 10_000  # a cache, not a store: a file with stamps on more days than this just refills it


class _Midnights(dict):
    """ "YYYY-MM-DD" -> that day's 00:00 UTC in Unix seconds, for valid dates only."""

    def __missing__(self, day: str) -> int | None:
        if not _DATE.fullmatch(day):
            return None
        try:
            midnight = datetime(int(day[:4]), int(day[5:7]), int(day[8:]), tzinfo=UTC)
        except ValueError:  # 2026-02-30
            return None
        if len(self) >= _MAX_DAYS:
            self.clear()
        self[day] = seconds = (midnight - _EPOCH) // _ONE_SECOND
        return seconds


_midnights = _Midnights()


def utc_seconds(text: str) -> int | None:
    """Unix seconds of ``YYYY-MM-DDTHH:MM:SSZ``; None for any other text (or an invalid date)."""
    if len(text) == 20 and text[10] == "T" and text[16] == ":" and text[19] == "Z":
        midnight = _midnights[text[:10]]
        minutes = _HOUR_MINUTE.get(text[11:16])
        second = _SECOND.get(text[17:19])
        if midnight is not None and minutes is not None and second is not None:
            return midnight + minutes + second
    return None


# gpxpy's time pattern, narrowed to two-digit fields and plain signs: anything else it
# accepts (one-digit months, a trailing newline, odd zone strings) is left to gpxpy.
_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,15}))?(Z|([+-])([0-9]{2})(?::?([0-9]{2}))?)?"
)


def gpx_time(text: str) -> tuple[int, int | None]:
    """A GPX time stamp as (microseconds since the epoch, UTC offset in minutes or None),
    exactly as gpxpy's ``parse_time`` reads it; ``ValueError`` for one left to gpxpy."""
    seconds = utc_seconds(text)
    if seconds is not None:
        return seconds * US, None
    m = _TIME.fullmatch(text)
    if m is None:
        raise ValueError(f"time stamp {text!r} is left to gpxpy")
    # the fields are two digits each, so the same lookups serve (an hour or a date that
    # does not exist is where gpxpy has no time: left to it)
    midnight, clock, second = _midnights[text[:10]], _HOUR_MINUTE.get(text[11:16]), _SECOND.get(m[6])
    if midnight is None or clock is None or second is None:
        raise ValueError(f"time stamp {text!r} is left to gpxpy")
    micro = int(m[7][:6].ljust(6, "0")) if m[7] else 0  # gpxpy truncates past 6 digits
    offset = 0
    if m[9]:  # gpxpy's SimpleTZ: +HH, +HHMM or +HH:MM
        offset = (int(m[10]) * 60 + int(m[11] or 0)) * (-1 if m[9] == "-" else 1)
        if abs(offset) >= 24 * 60:
            raise ValueError(f"UTC offset of {text!r} is left to gpxpy")
    return (midnight + clock + second - offset * 60) * US + micro, offset or None
