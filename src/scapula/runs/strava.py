"""Strava bulk export: ``activities.csv``, one row per activity.

The header has changed over the years and repeats names: newer exports have a first
block in the athlete's display units (``Distance`` in km) and a second block in SI units
(``Elapsed Time`` in seconds again, ``Distance`` in metres, ``Moving Time``, ...). Columns
are found by name; where a name repeats, the last one (SI) wins. Unknown columns are
ignored. Older exports have the first block only, whose ``Distance`` is taken as km. The
2018 layout names its columns in snake case (``id,date,name,type,...,elapsed_time,
distance,...,filename``), its distance in metres.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from scapula.errors import InputFileError
from scapula.runs.activity import Activity, sport_of

# "Activity Date" is UTC; these are the formats seen in exports, newest first.
_DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%d %b %Y, %H:%M:%S", "%b %d, %Y %I:%M:%S %p")
_REQUIRED = ("Activity ID", "Activity Date", "Activity Type")
# The 2018 layout's names for the same columns.
_SNAKE_CASE = {
    "id": "Activity ID",
    "date": "Activity Date",
    "name": "Activity Name",
    "type": "Activity Type",
    "description": "Activity Description",
    "elapsed_time": "Elapsed Time",
    "moving_time": "Moving Time",
    "distance": "Distance",
    "filename": "Filename",
    "average_heartrate": "Average Heart Rate",
    "max_heartrate": "Max Heart Rate",
}


@dataclass(frozen=True)
class StravaRow:
    where: str  # "activities.csv row 12", for messages
    activity_id: str
    started_at: datetime
    name: str | None
    sport: str | None
    sub_sport: str | None
    elapsed_s: float | None
    moving_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    filename: str | None  # relative to the export's root, e.g. "activities/123.fit.gz"

    @property
    def sha256(self) -> str:
        """A manual activity's identity: its Strava id (there is no file content to hash)."""
        return hashlib.sha256(f"strava-activity:{self.activity_id}".encode()).hexdigest()

    def activity(self) -> Activity:
        """The activity as the row alone tells it (a manual entry, or a missing file)."""
        duration = self.moving_s or self.elapsed_s
        if not duration:
            raise InputFileError(self.where, "has neither a moving nor an elapsed time")
        return Activity(
            started_at=self.started_at,
            utc_offset_min=None,
            sport=self.sport,
            sub_sport=self.sub_sport,
            name=self.name,
            duration_s=duration,
            elapsed_s=self.elapsed_s,
            distance_m=self.distance_m,
            avg_hr=self.avg_hr,
            max_hr=self.max_hr,
            laps=[],
            splits=[],
        )


def _number(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    text = text.strip().replace(",", ".") if "." not in text else text.strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str, where: str) -> datetime:
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputFileError(where, f"unreadable Activity Date '{text}'") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def read_activities_csv(data: bytes, where: str) -> tuple[list[StravaRow], list[InputFileError]]:
    """The rows of a Strava ``activities.csv``, and one error per row that cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputFileError(where, f"not UTF-8 text ({e})") from e
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise InputFileError(where, f"not a readable CSV file ({e})") from e
    reader = iter(lines)
    header = [h.strip() for h in next(reader, [])]
    metres = all(name in header for name in ("id", "date", "type"))  # the 2018 layout
    if metres:
        header = [_SNAKE_CASE.get(name, name) for name in header]
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        raise InputFileError(where, f"not a Strava activities.csv (no column {', '.join(repr(m) for m in missing)})")
    columns: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        columns.setdefault(name, []).append(index)

    rows, errors = [], []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def last(name: str, cells: list[str] = cells) -> str | None:
            found = [cells[i] for i in columns.get(name, []) if i < len(cells) and cells[i].strip()]
            return found[-1].strip() if found else None

        row_where = f"{where} row {number}"
        try:
            started_at = _date(last("Activity Date") or "", row_where)
        except InputFileError as e:
            errors.append(e)
            continue
        distance = _number(last("Distance"))
        if distance is not None and len(columns.get("Distance", [])) < 2 and not metres:
            distance *= 1000.0  # the display-unit block only: km
        sport, sub = sport_of(last("Activity Type"))
        rows.append(
            StravaRow(
                where=row_where,
                activity_id=last("Activity ID") or f"row-{number}",
                started_at=started_at,
                name=last("Activity Name"),
                sport=sport,
                sub_sport=sub,
                elapsed_s=_number(last("Elapsed Time")),
                moving_s=_number(last("Moving Time")),
                distance_m=distance,
                avg_hr=_number(last("Average Heart Rate")),
                max_hr=_number(last("Max Heart Rate")),
                filename=last("Filename"),
            )
        )
    return rows, errors
