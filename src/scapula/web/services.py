"""What the pages and the JSON API both do, on top of the library (store, plan, export, runs).

Nothing here re-implements a rule of the library: the plan is ``make_plan``'s, the dose is the
progression's, a set is ``log_set``'s (committed as it is logged), an import is
``import_paths``'s. This module only turns web input into those calls and their results into
plain values the templates and the API models share.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scapula.catalog import Catalog
from scapula.errors import InputFileError, InvalidInputError
from scapula.plan.service import Plan, add_race, athlete_zone, make_plan, remove_race, set_week
from scapula.preferences import equipment_item, race_day, strictness as strictness_of, time_of_day, time_zone
from scapula.store import (
    Athlete,
    PerformedSession,
    PlannedSession,
    Run,
    add_equipment,
    list_equipment,
    remove_equipment,
)
from scapula.store.models import Race
from scapula.store.queries import on_clock



class NotFound(LookupError):
    """A record named in a request (equipment, race, session) that is not in the log: 404."""


# ---------------------------------------------------------------- the athlete


def today_for(athlete: Athlete) -> date:
    return datetime.now(athlete_zone(athlete)).date()


def local_time(athlete: Athlete, when: datetime) -> datetime:
    """A stored moment on the athlete's clock."""
    return on_clock(when, athlete_zone(athlete))


def is_new(db: Session, athlete: Athlete) -> bool:
    """Nothing set up and nothing logged yet: the welcome page, not an empty plan."""
    if list_equipment(db, athlete=athlete) or athlete.goal or athlete.long_run_day is not None \
            or athlete.hard_days or athlete.rest_days:
        return False
    has_any = db.scalar(select(func.count()).select_from(PerformedSession)
                        .where(PerformedSession.athlete_id == athlete.id))
    runs = db.scalar(select(func.count()).select_from(Run).where(Run.athlete_id == athlete.id))
    return not has_any and not runs


def update_week(db: Session, athlete: Athlete, *, sessions_per_week: int | None = None,
                long_run_day: int | None | str = "keep", hard_days: list[int] | None = None,
                rest_days: list[int] | None = None, session_time: str | None = None,
                timezone: str | None = None, goal: str | None = None,
                strictness: str | None = None) -> None:
    """Check and store the declared week and preferences (only what is given).
    ``long_run_day`` is "keep" to leave it, None to clear it."""
    changes: dict = {}
    if strictness is not None:
        changes["strictness"] = strictness_of(strictness, "placing the sessions")
    if sessions_per_week is not None:
        if sessions_per_week not in (2, 3):
            raise InvalidInputError(f"sessions per week: 2 or 3, not {sessions_per_week}")
        changes["sessions_per_week"] = sessions_per_week
    for name, days in (("hard days", hard_days), ("rest days", rest_days)):
        if days is not None and any(not 0 <= d <= 6 for d in days):
            raise InvalidInputError(f"{name}: weekdays are 0 (Monday) to 6 (Sunday)")
    if long_run_day != "keep":
        if long_run_day is not None and not 0 <= int(long_run_day) <= 6:
            raise InvalidInputError("long-run day: 0 (Monday) to 6 (Sunday)")
        changes["long_run_day"] = long_run_day
    if hard_days is not None:
        changes["hard_days"] = sorted(set(hard_days))
    if rest_days is not None:
        changes["rest_days"] = sorted(set(rest_days))
    if hard_days is not None and rest_days is not None and set(hard_days) & set(rest_days):
        raise InvalidInputError("a day cannot be both a hard day and a rest day")
    if session_time is not None:
        changes["session_time"] = time_of_day(session_time, "session time")
    if timezone is not None:
        changes["timezone"] = time_zone(timezone, "time zone") if timezone.strip() else None
    if goal is not None:
        if len(goal) > 500:
            raise InvalidInputError("goal: 500 characters at most")
        changes["goal"] = goal.strip()
    set_week(db, athlete, **changes)


def add_item(db: Session, athlete: Athlete, kind: str, value: str, kg: float | None = None):
    label, kg, resistance = equipment_item(kind, value, kg)
    if any(e.label.lower() == label.lower() for e in list_equipment(db, athlete=athlete)):
        raise InvalidInputError(f"{label} is already on your list")
    return add_equipment(db, athlete=athlete, kind=kind, label=label, kg=kg, resistance=resistance)


def drop_item(db: Session, athlete: Athlete, equipment_id: int) -> None:
    if remove_equipment(db, athlete=athlete, equipment_id=equipment_id) is None:
        raise NotFound(f"no equipment with id {equipment_id}")


def add_a_race(db: Session, athlete: Athlete, day: date, name: str) -> Race:
    race_day(day, today_for(athlete), "race day")
    name = name.strip() or "race"
    if len(name) > 120:
        raise InvalidInputError("race name: 120 characters at most")
    return add_race(db, athlete, day, name)


def drop_race(db: Session, athlete: Athlete, race_id: int) -> None:
    if remove_race(db, athlete, race_id) is None:
        raise NotFound(f"no race with id {race_id}")


def races(db: Session, athlete: Athlete) -> list[Race]:
    return list(db.scalars(select(Race).where(Race.athlete_id == athlete.id).order_by(Race.day)))


# ---------------------------------------------------------------- the plan


def plan_for(db: Session, athlete: Athlete, catalog: Catalog, weeks: int = 3, keep: bool = True) -> Plan:
    """``make_plan`` from today in the athlete's zone. ``keep`` writes the placements back, as
    ``scapula plan`` does, so a missed session is told from a done one later."""
    return make_plan(db, athlete, catalog, today=today_for(athlete), weeks=weeks, keep=keep)


def room_warning(db: Session, athlete: Athlete, catalog: Catalog) -> str:
    """'' when a normal week of the plan holds the sessions asked for; else what it lacks and
    why, read from the plan itself (the next full week, clear of today's position)."""
    plan = plan_for(db, athlete, catalog, weeks=2, keep=False)
    week = plan.weeks[-1]
    held = [p for p in week.sessions if p.status in ("planned", "moved", "done")]
    if week.race_week or len(held) >= athlete.sessions_per_week:
        return ""
    why = " ".join(week.notes)
    how = ("only on ideal days, as you chose (placing the sessions: fit what I asked for would bend a rule "
           "to fit more)" if athlete.strictness == "ideal" else
           "even bending a rule (never two days in a row, never on the long run or before a race)")
    return (f"Your running week leaves room for {len(held)} of the {athlete.sessions_per_week} upper-back "
            f"sessions you asked for, {how}. {why}").strip()


def ics_bytes(db: Session, athlete: Athlete, catalog: Catalog, weeks: int = 4, alarm: int = 30) -> bytes:
    """The calendar file, built in memory (no path from the request is ever written).

    As ``scapula export ics`` does with the file it writes over, each event's SEQUENCE is
    carried on from the last file handed out (kept in the database): unchanged events keep
    theirs, changed ones go up by one, so importing the new file updates the calendar."""
    from icalendar import Calendar

    from scapula.export import build_calendar

    plan = plan_for(db, athlete, catalog, weeks)
    start = {"default_start": athlete.session_time} if athlete.session_time else {}
    previous = None
    if athlete.calendar_export:
        try:
            previous = Calendar.from_ical(athlete.calendar_export)
        except ValueError:  # unreadable: start the numbering again rather than fail the download
            previous = None
    data = build_calendar(plan.sessions, catalog, tz=athlete.timezone, alarm_minutes=alarm,
                          previous=previous, **start).to_ical()
    athlete.calendar_export = data.decode("utf-8")
    db.commit()
    return data


def fit_zip(db: Session, athlete: Athlete, catalog: Catalog, weeks: int = 2) -> tuple[bytes, int]:
    """One FIT workout per coming session, written by ``write_fit_workouts`` into a temporary
    folder of our own and returned as a zip (with the number of workouts)."""
    from scapula.export import write_fit_workouts

    plan = plan_for(db, athlete, catalog, weeks)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="scapula-fit-") as folder:
        paths = write_fit_workouts(plan.upcoming(), catalog, Path(folder))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, arcname=path.name)
    return buffer.getvalue(), len(paths)


# ---------------------------------------------------------------- running-file uploads

# What an upload may be, by name ending (longest first), and how its first bytes must look.
UPLOAD_SUFFIXES = (".fit.gz", ".gpx.gz", ".tcx.gz", ".fit", ".gpx", ".tcx", ".zip")
ACCEPT = ",".join(UPLOAD_SUFFIXES)


def _content_matches(suffix: str, head: bytes) -> bool:
    if suffix.endswith(".gz"):
        return head[:2] == b"\x1f\x8b"
    if suffix == ".zip":
        return head[:4] == b"PK\x03\x04"
    if suffix == ".fit":
        return len(head) >= 12 and head[8:12] == b".FIT"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")  # XML, maybe after a byte-order mark
    return text[:1] == b"<"


@dataclass
class Upload:
    """One uploaded file as the browser named it, and its bytes."""

    filename: str
    data: bytes


@dataclass
class UploadResult:
    filename: str
    status: str  # imported | duplicate | note | error | refused
    message: str = ""
    runs: list[str] = field(default_factory=list)  # one line per run imported


def display_name(filename: str) -> str:
    """The browser's file name, for messages only: last path part, printable, 120 chars."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "upload"
    return name[:120]


def check_upload(upload: Upload) -> str:
    """The upload's suffix when its name and first bytes agree on a type we read; else
    ``InputFileError`` with what is accepted."""
    name = display_name(upload.filename)
    suffix = next((s for s in UPLOAD_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None:
        raise InputFileError(name, "not a running file: upload .fit, .gpx or .tcx (optionally .gz) "
                                   "or a Strava or Apple Health export .zip")
    if not upload.data:
        raise InputFileError(name, "empty file")
    if not _content_matches(suffix, upload.data[:64]):
        raise InputFileError(name, f"the content is not a {suffix.lstrip('.').upper()} file")
    return suffix


def import_uploads(db: Session, athlete: Athlete, uploads: list[Upload]) -> list[UploadResult]:
    """Import uploaded files with the real importer.

    Each file is written to a temporary folder we create, under a name we make
    (``upload-1.fit``): the browser's file name never reaches the file system, only the
    messages and the stored run's source name.
    """
    from scapula.runs import import_paths

    results: list[UploadResult] = []
    folder = Path(tempfile.mkdtemp(prefix="scapula-upload-"))
    try:
        for number, upload in enumerate(uploads, 1):
            name = display_name(upload.filename)
            try:
                suffix = check_upload(upload)
            except InputFileError as e:
                results.append(UploadResult(name, "refused", e.reason))
                continue
            path = folder / f"upload-{number}{suffix}"
            path.write_bytes(upload.data)
            outcomes = []
            import_paths(db, athlete=athlete, paths=[path], report=outcomes.append, workers=1)
            for outcome in outcomes:
                where = outcome.where.replace(str(path), name)
                for run in outcome.runs:
                    run.source_name = where[-255:]  # what the runner called the file
                if outcome.runs:
                    db.commit()
                results.append(UploadResult(
                    where, outcome.status, outcome.message.replace(str(path), name),
                    [_run_line(athlete, run) for run in outcome.runs]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def _run_line(athlete: Athlete, run: Run) -> str:
    started = local_time(athlete, run.started_at)
    minutes = round(run.duration_s / 60)
    km = f", {run.distance_m / 1000:.1f} km" if run.distance_m else ""
    return f"{started:%a %d %b %Y}: {run.sport}, {minutes} min{km}" + (f" — {run.name}" if run.name else "")


def run_count(db: Session, athlete: Athlete) -> int:
    return db.scalar(select(func.count()).select_from(Run).where(Run.athlete_id == athlete.id)) or 0


# ---------------------------------------------------------------- sessions done vs planned


@dataclass
class WeekCount:
    monday: date
    planned: int
    done: int


def weeks_done_vs_planned(db: Session, athlete: Athlete, weeks: int = 8) -> list[WeekCount]:
    """For each of the last ``weeks`` weeks (this one included): sessions the plan placed
    (kept placements that were not replaced by a move) and sessions with at least one set."""
    tz = athlete_zone(athlete)
    today = today_for(athlete)
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    planned_rows = db.scalars(select(PlannedSession).where(
        PlannedSession.athlete_id == athlete.id, PlannedSession.day >= first,
        PlannedSession.day < this_monday + timedelta(days=7))).all()
    done_rows = db.scalars(select(PerformedSession).where(
        PerformedSession.athlete_id == athlete.id)).all()
    out = []
    for i in range(weeks):
        monday = first + timedelta(weeks=i)
        sunday = monday + timedelta(days=6)
        planned = sum(1 for r in planned_rows if monday <= r.day <= sunday and r.status != "moved")
        done = sum(1 for p in done_rows if p.sets
                   and monday <= on_clock(p.started_at, tz).date() <= sunday)
        out.append(WeekCount(monday, planned, done))
    return out
