"""FIT activity files: fitdecode is the reference reader, fitfast the fast one.

Both are brought to the same plain shape (``Messages``: message name -> list of field dicts,
times as Unix seconds, enums as profile names) and everything after that is shared, so the
two can be cross-checked on the same file. fitfast (a Rust decoder, ~30x faster) reads
first; whatever it refuses is read again by fitdecode, whose error is the one reported.
"""

from __future__ import annotations

import struct
from datetime import datetime

import numpy as np

from scapula.errors import InputFileError, NotAnActivityError
from scapula.runs.activity import Activity, Facts, Track, build_activity, intensity_of, sport_of

Messages = dict[str, list[dict]]

# Only these messages and fields are read; the rest of a file is ignored.
WANTED: dict[str, tuple[str, ...]] = {
    "file_id": ("type",),
    "session": ("start_time", "timestamp", "total_timer_time", "total_elapsed_time", "total_distance",
                "avg_heart_rate", "max_heart_rate", "sport", "sub_sport"),
    "lap": ("start_time", "timestamp", "total_timer_time", "total_elapsed_time", "total_distance",
            "avg_heart_rate", "max_heart_rate", "intensity", "lap_trigger"),
    "activity": ("timestamp", "local_timestamp"),
    "workout": ("wkt_name",),
    "sport": ("sport", "sub_sport"),
    "record": ("timestamp", "distance", "heart_rate", "position_lat", "position_long"),
}
_TIMES = {"timestamp", "start_time", "local_timestamp"}
SEMICIRCLE_DEG = 180.0 / 2**31


def looks_like_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT"


def messages_fitfast(data: bytes) -> Messages:
    import fitfast

    parsed = fitfast.parse(data)  # times come as Unix seconds already
    return {name: [{k: m[k] for k in fields if k in m} for m in parsed.get(name, [])]
            for name, fields in WANTED.items()}


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
    except (fitdecode.FitError, struct.error, ValueError) as e:  # a bad header size byte is a struct.error
        raise InputFileError(where, f"damaged FIT file ({e})") from e
    for frame in frames:
        fields = WANTED[frame.name]
        values = {}
        for f in frame.fields:
            if f.name in fields and f.value is not None:
                value = f.value
                if isinstance(value, datetime):
                    value = value.timestamp()
                values[f.name] = value
        out[frame.name].append(values)
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
    if messages is None:
        messages = messages_fitdecode(data, where)
    return activities_of(messages, where)


def _time(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _track(records: list[dict]) -> Track:
    rows = [r for r in records if _time(r.get("timestamp")) is not None]
    rows.sort(key=lambda r: r["timestamp"])

    def column(name: str, scale: float = 1.0) -> np.ndarray:
        return np.array([r.get(name, np.nan) for r in rows], dtype=float) * scale

    dist = column("distance")
    if len(rows) and np.isnan(dist).all():
        dist = None  # measured along the positions instead
    return Track.from_positions(column("timestamp"), column("position_lat", SEMICIRCLE_DEG),
                                column("position_long", SEMICIRCLE_DEG), column("heart_rate"),
                                np.zeros(len(rows)), dist)


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
        if _time(a.get("local_timestamp")) is not None and _time(a.get("timestamp")) is not None:
            # offsets are whole quarter hours; rounding absorbs a device's seconds of skew
            offset = int(round((a["local_timestamp"] - a["timestamp"]) / 900.0)) * 15
    name = next((w["wkt_name"] for w in messages["workout"] if w.get("wkt_name")), None)
    fallback_sport = next(iter(messages["sport"]), {})
    sessions.sort(key=lambda s: s["start_time"])
    out = []
    for i, s in enumerate(sessions):
        start = float(s["start_time"])
        # a session runs until the next one starts (its own timestamp can be missing)
        end = float(sessions[i + 1]["start_time"]) - 0.001 if i + 1 < len(sessions) else float("inf")
        laps = [lap for lap in messages["lap"] if start <= (_time(lap.get("start_time")) or -1) <= end]
        laps.sort(key=lambda lap: lap["start_time"])
        sport, sub = sport_of(s.get("sport") or fallback_sport.get("sport"),
                              s.get("sub_sport") or fallback_sport.get("sub_sport"))
        facts = Facts(
            started_at=start, utc_offset_min=offset, sport=sport, sub_sport=sub, name=name,
            duration_s=s.get("total_timer_time"), elapsed_s=s.get("total_elapsed_time"),
            distance_m=s.get("total_distance"), avg_hr=s.get("avg_heart_rate"),
            max_hr=s.get("max_heart_rate"),
            laps=[{"duration_s": lap.get("total_timer_time", lap.get("total_elapsed_time")),
                   "distance_m": lap.get("total_distance"), "avg_hr": lap.get("avg_heart_rate"),
                   "max_hr": lap.get("max_heart_rate"), "intensity": intensity_of(lap.get("intensity")),
                   "trigger": _name(lap.get("lap_trigger"))} for lap in laps],
            lap_starts=[float(lap["start_time"]) for lap in laps],
        )
        out.append(build_activity(facts, track.window(start, end), where))
    return out


def _name(value) -> str | None:
    return str(value) if value is not None else None
