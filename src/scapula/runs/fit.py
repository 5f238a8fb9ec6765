"""FIT activity files: fitdecode is the reference reader, fitfast the fast one.

Both are brought to the same plain shape (``Messages``: message name -> list of field dicts,
times as Unix seconds, enums as profile names) and everything after that is shared, so the
two can be cross-checked on the same file. fitfast (a Rust decoder, ~30x faster) reads
first; whatever it refuses is read again by fitdecode. A file fitdecode refuses too is
damaged (cut short when a battery died, never closed, a bad checksum, garbage mid-way):
it is read again up to the damage, and past it for a session summary still whole at the
end, and the activity holds what was recorded, with the damage named.

Times below 0x10000000 are relative to the device's power-on (old Forerunners): they are
set on the calendar by the file's timestamp_correlation or its creation time.
"""

from __future__ import annotations

import dataclasses
import re
import struct
from datetime import datetime

import numpy as np

from scapula.errors import InputFileError, NotAnActivityError
from scapula.runs.activity import (
    Activity,
    Facts,
    Track,
    build_activity,
    intensity_of,
    multisport,
    sport_of,
)
from scapula.runs.door import clock_text

Messages = dict[str, list[dict]]

# Only these messages and fields are read; the rest of a file is ignored.
WANTED: dict[str, tuple[str, ...]] = {
    "file_id": ("type", "time_created"),
    "timestamp_correlation": ("timestamp", "system_timestamp"),
    "session": (
        "start_time",
        "timestamp",
        "total_timer_time",
        "total_elapsed_time",
        "total_distance",
        "avg_heart_rate",
        "max_heart_rate",
        "sport",
        "sub_sport",
    ),
    "lap": (
        "start_time",
        "timestamp",
        "total_timer_time",
        "total_elapsed_time",
        "total_distance",
        "avg_heart_rate",
        "max_heart_rate",
        "intensity",
        "lap_trigger",
        "sport",
        "sub_sport",
    ),
    "activity": ("timestamp", "local_timestamp"),
    "workout": ("wkt_name",),
    "sport": ("sport", "sub_sport"),
    "record": ("timestamp", "distance", "heart_rate", "position_lat", "position_long"),
}
_TIMES = {"timestamp", "start_time", "local_timestamp", "time_created", "system_timestamp"}
SEMICIRCLE_DEG = 180.0 / 2**31
FIT_EPOCH = 631_065_600  # 1989-12-31 00:00 UTC in Unix seconds
RELATIVE_BELOW = FIT_EPOCH + 0x10000000  # a time before this counts from the device's power-on
# A definition message for a session (global number 18), little- or big-endian: where a
# session summary may still be read past the damage.
_SESSION_DEFINITION = re.compile(rb"[\x40-\x4f\x60-\x6f]\x00(?:\x00\x12\x00|\x01\x00\x12)", re.DOTALL)


def looks_like_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT"


def messages_fitfast(data: bytes) -> Messages:
    import fitfast

    parsed = fitfast.parse(data)  # times come as Unix seconds already
    return {
        name: [{k: m[k] for k in fields if k in m} for m in parsed.get(name, [])] for name, fields in WANTED.items()
    }


def messages_fitdecode(data: bytes, where: str) -> Messages:
    import fitdecode

    out: Messages = {name: [] for name in WANTED}
    try:
        # The whole file is read before any frame is used: a truncated file raises only at
        # its end, after earlier frames were handed out.
        with fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.ENABLED) as reader:
            frames = [f for f in reader if f.frame_type == fitdecode.FIT_FRAME_DATA and f.name in WANTED]
    except fitdecode.FitEOFError as e:
        raise InputFileError(where, "truncated FIT file (it ends in the middle of a message)") from e
    except fitdecode.FitCRCError as e:
        raise InputFileError(where, "damaged FIT file (CRC check failed)") from e
    except fitdecode.FitHeaderError as e:
        raise InputFileError(where, f"not a FIT file ({e})") from e
    except Exception as e:
        raise InputFileError(where, "damaged FIT file (it cannot be read past a broken message)") from e
    for frame in frames:
        out[frame.name].append(_values(frame))
    return out


def read_fit(data: bytes, where: str, reader: str = "auto") -> list[Activity]:
    """The activities (one per session) of a FIT file. ``reader``: auto | fitfast | fitdecode."""
    if not looks_like_fit(data):
        raise InputFileError(where, "not a FIT file (no FIT header)")
    messages = None
    if reader in ("auto", "fitfast"):
        try:
            messages = messages_fitfast(data)
        except ValueError:  # fitfast.FitDecodeError; fitdecode says what exactly is wrong
            if reader == "fitfast":
                raise
    damage = None
    if messages is None:
        try:
            messages = messages_fitdecode(data, where)
        except InputFileError as e:
            messages, damage = messages_salvaged(data)
            if not messages["record"] and not messages["session"]:
                raise e from None  # nothing before the damage: the reader's own words
    activities = activities_of(on_the_calendar(messages, where), where)
    if damage is not None and activities:
        records = [r["timestamp"] for r in messages["record"] if _time(r.get("timestamp")) is not None]
        last = activities[-1]
        reached = (max(records) - last.started_at.timestamp()) if records else last.duration_s
        activities[-1] = dataclasses.replace(last, damage=damage.format(at=clock_text(max(reached, 0))))
    return activities


def _fitdecode_messages(data: bytes, out: Messages) -> bool:
    """Data messages of ``data`` into ``out`` up to the first thing fitdecode cannot read,
    checksums unchecked; True when it read to the end."""
    import fitdecode

    try:
        with fitdecode.FitReader(
            data, check_crc=fitdecode.CrcCheck.DISABLED, error_handling=fitdecode.ErrorHandling.IGNORE
        ) as reader:
            for frame in reader:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name in WANTED:
                    out[frame.name].append(_values(frame))
    except Exception:
        return False
    return True


def messages_salvaged(data: bytes) -> tuple[Messages, str]:
    """What a damaged FIT file holds before its damage, and a session summary still whole
    after it; with the damage in the runner's words ("truncated", "damaged", ...)."""
    header_size = data[0]
    declared = struct.unpack("<I", data[4:8])[0]
    body = len(data) - header_size
    patched = bytearray(data)
    if declared == 0 or declared > body:
        # never closed (size 0) or cut short: read the bytes there are
        patched[4:8] = struct.pack("<I", body)
        if header_size >= 14:
            patched[12:14] = b"\0\0"  # a header checksum of 0 is not checked
    out: Messages = {name: [] for name in WANTED}
    whole = _fitdecode_messages(bytes(patched), out)
    if declared == 0:
        damage = "never closed (an unfinished recording): read up to {at}"
    elif declared > body:
        damage = "truncated at {at} of recording"
    elif whole:
        damage = "fails its checksum"
    else:
        damage = "damaged at {at} of recording"
    if not whole and not out["session"]:
        for found in _SESSION_DEFINITION.finditer(data, header_size):
            tail = data[found.start() :]
            piece: Messages = {name: [] for name in WANTED}
            _fitdecode_messages(bytes([12, 0x10]) + struct.pack("<HI", 0, len(tail)) + b".FIT" + tail, piece)
            if any(_time(s.get("start_time")) is not None for s in piece["session"]):
                for name in ("session", "lap", "activity"):
                    out[name] += piece[name]
                # whatever the header says, the file goes on past its damage
                damage = "damaged at {at} of recording (its summary read past the damage)"
                break
    return out, damage


def _values(frame) -> dict:
    fields = WANTED[frame.name]
    values = {}
    for f in frame.fields:
        if f.name in fields and f.value is not None:
            value = f.value
            if isinstance(value, datetime):
                value = value.timestamp()
            elif f.name in _TIMES and isinstance(value, int):
                value += FIT_EPOCH
            values[f.name] = value
    return values


def on_the_calendar(messages: Messages, where: str) -> Messages:
    """The messages with times relative to the device's power-on set on the calendar."""
    # a device's clock counts from its power-on until it has a date, so the first record
    # tells (every record is not looked at: this runs for every file)
    records = messages["record"]
    sample = records[:1] + records[-1:] + messages["session"] + messages["lap"]
    times = [m[k] for m in sample for k in ("timestamp", "start_time") if isinstance(m.get(k), (int, float))]
    if not times or min(times) >= RELATIVE_BELOW:
        return messages
    times = [
        m[k]
        for ms in messages.values()
        for m in ms
        for k in ("timestamp", "start_time")
        if isinstance(m.get(k), (int, float))
    ]
    shift = None
    for c in messages["timestamp_correlation"]:
        if _time(c.get("timestamp")) is not None and _time(c.get("system_timestamp")) is not None:
            shift = c["timestamp"] - c["system_timestamp"]
    created = [m["time_created"] for m in messages["file_id"] if _time(m.get("time_created")) is not None]
    if shift is None and created and created[0] >= RELATIVE_BELOW:
        shift = created[0] - min(times)  # the file was created as the recording started
    if shift is None:
        raise InputFileError(
            where,
            "its times count from the watch's power-on and it holds no date "
            "to set them by (the watch's clock was not set)",
        )

    def moved(m: dict) -> dict:
        return {
            k: (
                v + shift
                if k in ("timestamp", "start_time") and isinstance(v, (int, float)) and v < RELATIVE_BELOW
                else v
            )
            for k, v in m.items()
        }

    return {name: [moved(m) for m in ms] for name, ms in messages.items()}


def _time(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _track(records: list[dict]) -> Track:
    rows = [r for r in records if _time(r.get("timestamp")) is not None]
    rows.sort(key=lambda r: r["timestamp"])

    def column(name: str, scale: float = 1.0) -> np.ndarray:
        return np.array([r.get(name, np.nan) for r in rows], dtype=float) * scale

    recorded = column("distance")
    # None when the file recorded none: measured along the positions instead
    dist = None if len(rows) and np.isnan(recorded).all() else recorded
    return Track.from_positions(
        column("timestamp"),
        column("position_lat", SEMICIRCLE_DEG),
        column("position_long", SEMICIRCLE_DEG),
        column("heart_rate"),
        np.zeros(len(rows)),
        dist,
    )


def activities_of(messages: Messages, where: str) -> list[Activity]:
    kinds = {m.get("type") for m in messages["file_id"]}
    if kinds and "activity" not in kinds and not messages["session"]:
        kind = next(iter(kinds))
        raise NotAnActivityError(where, f"a FIT {kind} file, not an activity")
    track = _track(messages["record"])
    sessions = [s for s in messages["session"] if _time(s.get("start_time")) is not None]
    if not sessions and not len(track):
        raise InputFileError(where, "FIT file holds no activity data (no session, no records)")
    if not sessions:  # a file cut before its session message: the records are the activity
        sessions = [{"start_time": float(track.t[0]), "timestamp": float(track.t[-1])}]
    offset = None
    for a in messages["activity"]:
        if (_time(a.get("local_timestamp")) or 0) >= RELATIVE_BELOW and _time(a.get("timestamp")) is not None:
            # (a Zwift file's local time is 0: no offset)
            # offsets are whole quarter hours; rounding absorbs a device's seconds of skew
            offset = int(round((a["local_timestamp"] - a["timestamp"]) / 900.0)) * 15
    name = next((w["wkt_name"] for w in messages["workout"] if w.get("wkt_name")), None)
    # a file cut before its session still says its sport in a sport message or its laps
    fallback_sport = next((m for m in messages["sport"] + messages["lap"] if m.get("sport") is not None), {})
    sessions.sort(key=lambda s: s["start_time"])
    out = []
    transitions = 0
    for i, s in enumerate(sessions):
        start = float(s["start_time"])
        # a session runs until the next one starts (its own timestamp can be missing)
        end = float(sessions[i + 1]["start_time"]) - 0.001 if i + 1 < len(sessions) else float("inf")
        laps = [lap for lap in messages["lap"] if start <= (_time(lap.get("start_time")) or -1) <= end]
        laps.sort(key=lambda lap: lap["start_time"])
        sport, sub = sport_of(
            s.get("sport") or fallback_sport.get("sport"), s.get("sub_sport") or fallback_sport.get("sub_sport")
        )
        if sport == "transition":  # between two legs of a multisport activity: not one itself
            transitions += 1
            continue
        facts = Facts(
            started_at=start,
            utc_offset_min=offset,
            sport=sport,
            sub_sport=sub,
            name=name,
            duration_s=s.get("total_timer_time"),
            elapsed_s=s.get("total_elapsed_time"),
            distance_m=s.get("total_distance"),
            avg_hr=s.get("avg_heart_rate"),
            max_hr=s.get("max_heart_rate"),
            laps=[
                {
                    "duration_s": lap.get("total_timer_time", lap.get("total_elapsed_time")),
                    "distance_m": lap.get("total_distance"),
                    "avg_hr": lap.get("avg_heart_rate"),
                    "max_hr": lap.get("max_heart_rate"),
                    "intensity": intensity_of(lap.get("intensity")),
                    "trigger": _name(lap.get("lap_trigger")),
                }
                for lap in laps
            ],
            lap_starts=[float(lap["start_time"]) for lap in laps],
        )
        out.append(build_activity(facts, track.window(start, end), where))
    # the legs of a triathlon, a duathlon, a swimrun: one activity
    if len(out) > 1 and (transitions or len({a.sport for a in out}) > 1):
        return [multisport(out)]
    return out


def _name(value) -> str | None:
    return str(value) if value is not None else None
