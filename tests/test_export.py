"""The calendar and watch exports, on plans built by hand with the real catalog.

The ICS is read back with icalendar and checked line by line as text too; the FIT files are read
with Garmin's own decoder (garmin-fit-sdk) and with fitdecode, neither of which wrote them.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import fitdecode
import pytest
from garmin_fit_sdk import Decoder, Stream
from icalendar import Calendar

from scapula.catalog import load_catalog
from scapula.errors import InputFileError, ScapulaError
from scapula.export import build_workout, write_fit_workouts, write_ics
from scapula.export.ics import machine_zone
from scapula.plan.model import Prescription, SessionPlan

pytestmark = pytest.mark.fast  # the whole module is pure logic (see `make test-fast`)

CATALOG = load_catalog()
BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 22, 12, 30, tzinfo=UTC)

ITEMS = (
    Prescription(
        "reverse_fly",
        3,
        False,
        12,
        15,
        hold_s=1,
        rest_s=60,
        load_label="medium band",
        why="Every set reached 12 at RPE 7 last week: up to 12-15 on the same band.",
    ),
    Prescription(
        "chainsaw_row",
        3,
        True,
        8,
        10,
        hold_s=1,
        rest_s=90,
        load_label="14 kg kettlebell",
        load_kg=14.0,
        why="Moved up from 12 kg: all sets hit 12 reps at RPE 8.",
    ),
    Prescription(
        "superman",
        3,
        True,
        10,
        12,
        hold_s=1.5,
        rest_s=45,
        variant="leg_lift",
        why="Three-second holds were easy: the opposite leg joins in.",
    ),
    Prescription("doorway_chest_stretch", 2, True, hold_s=30, rest_s=10),
    Prescription("open_book", 1, True, hold_s=40, rest_s=10),
    Prescription("foam_roller_chest_opener", 1, False, hold_s=60, rest_s=0),
)


def session(uid: str, day: date, **changes) -> SessionPlan:
    plan = SessionPlan(
        uid=uid,
        day=day,
        minutes=25,
        items=ITEMS,
        reason="Thu: easy day, 48 h after Mon, not before Sat long run",
        notes=("Band anchor on the top hinge",),
    )
    return replace(plan, **changes)


WEEK = [
    session("scapula-2026-W48-1", date(2026, 11, 26)),
    session("scapula-2026-W48-2", date(2026, 11, 28), start=time(7, 15), minutes=20, deload=True),
]


# --- iCalendar -----------------------------------------------------------------------------


def unfolded(path: Path) -> list[str]:
    """The file's content lines (CRLF-ended, as RFC 5545 says) with folding undone, as plain text."""
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def events(path: Path) -> dict[str, object]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_ics_one_event_per_session_with_zone_alarm_and_stable_uid(tmp_path):
    path = tmp_path / "scapula.ics"
    assert write_ics(WEEK, CATALOG, path, tz="Europe/Berlin", now=T0) == 2

    found = events(path)
    assert sorted(found) == ["scapula-2026-W48-1@scapula.local", "scapula-2026-W48-2@scapula.local"]
    thu, sat = found["scapula-2026-W48-1@scapula.local"], found["scapula-2026-W48-2@scapula.local"]
    assert thu.start == datetime(2026, 11, 26, 18, 0, tzinfo=BERLIN)  # default start
    assert thu.end == datetime(2026, 11, 26, 18, 25, tzinfo=BERLIN)
    assert sat.start == datetime(2026, 11, 28, 7, 15, tzinfo=BERLIN)  # the athlete's own time
    assert sat.end == datetime(2026, 11, 28, 7, 35, tzinfo=BERLIN)
    assert str(thu["SUMMARY"]) == "Scapula: upper back (25 min)"
    assert str(sat["SUMMARY"]) == "Scapula: upper back, deload (20 min)"
    assert str(thu["STATUS"]) == "CONFIRMED"
    (alarm,) = thu.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(minutes=-30)

    lines = unfolded(path)
    assert lines.count("BEGIN:VEVENT") == 2
    assert lines.count("BEGIN:VALARM") == 2
    assert "TRIGGER:-PT30M" in lines
    assert "UID:scapula-2026-W48-1@scapula.local" in lines
    assert "DTSTART;TZID=Europe/Berlin:20261126T180000" in lines
    assert "DTEND;TZID=Europe/Berlin:20261126T182500" in lines
    assert "DTSTART;TZID=Europe/Berlin:20261128T071500" in lines
    assert "BEGIN:VTIMEZONE" in lines and "TZID:Europe/Berlin" in lines
    assert "SEQUENCE:0" in lines
    assert "DTSTAMP:20261120T090000Z" in lines and "LAST-MODIFIED:20261120T090000Z" in lines
    assert not any(line.startswith(("RRULE", "RDATE")) for line in lines)


def test_ics_description_lists_every_item_in_order(tmp_path):
    path = tmp_path / "scapula.ics"
    write_ics(WEEK[:1], CATALOG, path, tz="Europe/Berlin", now=T0)
    (event,) = events(path).values()
    text = str(event["DESCRIPTION"])
    lines = text.splitlines()

    names = [
        "Band reverse fly",
        "Kettlebell chainsaw row",
        "Alternating superman arm lift",
        "Doorway chest stretch",
        "Open book",
        "Foam roller chest opener",
    ]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    assert lines[0] == "1. Band reverse fly: 3 x 12-15 reps, 1 s hold at the top; medium band; rest 60 s"
    assert "   Why: Every set reached 12 at RPE 7 last week: up to 12-15 on the same band." in lines
    assert (
        "2. Kettlebell chainsaw row: 3 x 8-10 reps per side, 1 s hold at the top; 14 kg kettlebell; rest 90 s"
    ) in lines
    assert (
        "3. Alternating superman arm lift (Opposite leg lift): 3 x 10-12 reps per side, "
        "1.5 s hold at the top; rest 45 s"
    ) in lines
    assert "4. Doorway chest stretch: 2 x 30 s hold per side; rest 10 s" in lines
    assert "5. Open book: 1 x 40 s hold per side; rest 10 s" in lines
    assert "6. Foam roller chest opener: 1 x 60 s hold" in lines
    assert "Why this day: Thu: easy day, 48 h after Mon, not before Sat long run" in lines
    assert "Note: Band anchor on the top hinge" in lines


def test_ics_reexport_of_the_same_plans_changes_nothing(tmp_path):
    path = tmp_path / "scapula.ics"
    write_ics(WEEK, CATALOG, path, tz="Europe/Berlin", now=T0)
    first = path.read_bytes()
    write_ics(WEEK, CATALOG, path, tz="Europe/Berlin", now=T1)
    assert path.read_bytes() == first  # same UIDs, SEQUENCE and stamps: nothing for a calendar to do
    assert sorted(events(path)) == ["scapula-2026-W48-1@scapula.local", "scapula-2026-W48-2@scapula.local"]


def test_ics_moved_session_keeps_uid_and_gets_higher_sequence(tmp_path):
    path = tmp_path / "scapula.ics"
    write_ics(WEEK, CATALOG, path, tz="Europe/Berlin", now=T0)

    moved = replace(WEEK[0], day=date(2026, 11, 27), reason="Fri: Thursday's run moved to the morning")
    write_ics([moved, WEEK[1]], CATALOG, path, tz="Europe/Berlin", now=T1)
    after = events(path)
    thu, sat = after["scapula-2026-W48-1@scapula.local"], after["scapula-2026-W48-2@scapula.local"]
    assert thu.start == datetime(2026, 11, 27, 18, 0, tzinfo=BERLIN)
    assert int(thu["SEQUENCE"]) == 1
    assert thu["DTSTAMP"].dt == T1 and thu["LAST-MODIFIED"].dt == T1
    assert int(sat["SEQUENCE"]) == 0  # unchanged: keeps its own
    assert sat["DTSTAMP"].dt == T0 and sat["LAST-MODIFIED"].dt == T0
    lines = unfolded(path)
    assert "SEQUENCE:1" in lines and "DTSTART;TZID=Europe/Berlin:20261127T180000" in lines

    # Once more, nothing changed: the moved one stays at 1; then a new dose raises it to 2.
    write_ics([moved, WEEK[1]], CATALOG, path, tz="Europe/Berlin", now=T1 + timedelta(days=1))
    assert int(events(path)["scapula-2026-W48-1@scapula.local"]["SEQUENCE"]) == 1
    redosed = replace(moved, items=moved.items[:2])
    write_ics([redosed, WEEK[1]], CATALOG, path, tz="Europe/Berlin", now=T1 + timedelta(days=2))
    assert int(events(path)["scapula-2026-W48-1@scapula.local"]["SEQUENCE"]) == 2


def test_ics_dropped_and_moved_are_cancelled_done_is_kept(tmp_path):
    path = tmp_path / "scapula.ics"
    plans = [
        session("w48-1", date(2026, 11, 23), status="done"),
        session("w48-2", date(2026, 11, 25), status="dropped"),
        session("w48-3", date(2026, 11, 26), status="moved"),
        session("w48-4", date(2026, 11, 27)),
    ]
    write_ics([replace(p, status="planned") for p in plans], CATALOG, path, tz="Europe/Berlin", now=T0)
    assert write_ics(plans, CATALOG, path, tz="Europe/Berlin", now=T1) == 4

    found = events(path)
    status = {uid.split("@")[0]: str(e["STATUS"]) for uid, e in found.items()}
    assert status == {"w48-1": "CONFIRMED", "w48-2": "CANCELLED", "w48-3": "CANCELLED", "w48-4": "CONFIRMED"}
    sequence = {uid.split("@")[0]: int(e["SEQUENCE"]) for uid, e in found.items()}
    assert sequence == {"w48-1": 0, "w48-2": 1, "w48-3": 1, "w48-4": 0}  # cancelling is a change
    assert found["w48-2@scapula.local"].walk("VALARM") == []  # a cancelled session does not ring
    assert len(found["w48-1@scapula.local"].walk("VALARM")) == 1


def test_ics_race_week_summary_and_alarm_minutes(tmp_path):
    path = tmp_path / "race.ics"
    write_ics(
        [session("r", date(2026, 11, 26), race_week=True, minutes=15)],
        CATALOG,
        path,
        tz="Europe/Berlin",
        alarm_minutes=90,
        now=T0,
    )
    (event,) = events(path).values()
    assert str(event["SUMMARY"]) == "Scapula: upper back, race week (15 min)"
    assert event.walk("VALARM")[0]["TRIGGER"].dt == timedelta(minutes=-90)


def test_ics_default_zone_is_the_machines(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    assert machine_zone() == "America/New_York"
    path = tmp_path / "scapula.ics"
    write_ics(WEEK[:1], CATALOG, path, now=T0)
    assert "DTSTART;TZID=America/New_York:20261126T180000" in unfolded(path)
    assert "TZID:America/New_York" in unfolded(path)

    with pytest.raises(ScapulaError, match="unknown time zone 'Mars/Olympus'"):
        write_ics(WEEK, CATALOG, tmp_path / "x.ics", tz="Mars/Olympus", now=T0)
    assert not (tmp_path / "x.ics").exists()


def test_ics_unwritable_path_is_a_clear_error_and_leaves_no_file(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(InputFileError) as caught:
        write_ics(WEEK, CATALOG, blocker / "scapula.ics", tz="Europe/Berlin", now=T0)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(blocker / "scapula.ics"))
    assert "cannot be written" in message

    # The temporary file is written whole, then the rename onto a directory fails: no leftovers.
    (tmp_path / "taken").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputFileError, match="cannot be written"):
        write_ics(WEEK, CATALOG, tmp_path / "taken", tz="Europe/Berlin", now=T0)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list((tmp_path / "taken").iterdir()) == []


def test_ics_refuses_to_overwrite_a_file_that_is_not_a_calendar(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my training notes, not a calendar\n")
    with pytest.raises(InputFileError, match="not an iCalendar file; not overwritten"):
        write_ics(WEEK, CATALOG, path, tz="Europe/Berlin", now=T0)
    assert path.read_text() == "my training notes, not a calendar\n"


# --- FIT workouts ---------------------------------------------------------------------------


def garmin_read(data: bytes) -> dict:
    """Messages from Garmin's decoder, after its header and CRC checks; fails on any error."""
    assert Decoder(Stream.from_byte_array(bytearray(data))).is_fit()
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()  # file CRC
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return messages


def fitdecode_read(data: bytes) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.ENABLED) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                found.setdefault(frame.name, []).append({f.name: f.value for f in frame.fields})
    return found


def step_row(step: dict) -> tuple:
    """(name, duration type, reps or seconds, intensity, category, exercise name, kg), or
    ("repeat", first looped step, rounds)."""
    if step["duration_type"] == "repeat_until_steps_cmplt":
        return ("repeat", step["duration_step"], step["repeat_steps"])
    value = step["duration_reps"] if step["duration_type"] == "reps" else step["duration_time"]
    return (
        step.get("wkt_step_name"),
        step["duration_type"],
        value,
        step["intensity"],
        step.get("exercise_category"),
        step.get("exercise_name"),
        step.get("exercise_weight"),
    )


def rest(seconds: float) -> tuple:
    return ("Rest", "time", float(seconds), "rest", None, None, None)


FULL_SESSION_STEPS = [
    ("Reverse fly", "reps", 15, "active", "flye", 6, None),
    rest(60),
    ("repeat", 0, 3),
    ("Chainsaw row L", "reps", 10, "active", "row", 9, 14.0),
    ("Chainsaw row R", "reps", 10, "active", "row", 9, 14.0),
    rest(90),
    ("repeat", 3, 3),
    ("Superman L", "reps", 12, "active", "hyperextension", 29, None),
    ("Superman R", "reps", 12, "active", "hyperextension", 29, None),
    rest(45),
    ("repeat", 7, 3),
    ("Chest stretch L", "time", 30.0, "cooldown", "warm_up", 70, None),
    ("Chest stretch R", "time", 30.0, "cooldown", "warm_up", 70, None),
    rest(10),
    ("repeat", 11, 2),
    ("Open book L", "time", 40.0, "cooldown", "warm_up", 24, None),
    ("Open book R", "time", 40.0, "cooldown", "warm_up", 24, None),
    rest(10),
    ("Chest opener", "time", 60.0, "cooldown", "warm_up", 58, None),
]


def test_fit_workout_every_step_read_by_garmins_decoder(tmp_path):
    paths = write_fit_workouts(WEEK[:1], CATALOG, tmp_path / "watch", created=T0)
    assert paths == [tmp_path / "watch" / "2026-11-26-scapula-upper-back.fit"]
    messages = garmin_read(paths[0].read_bytes())

    (file_id,) = messages["file_id_mesgs"]
    assert file_id["type"] == "workout" and file_id["manufacturer"] == "development"
    assert file_id["time_created"] == T0
    assert 0 < file_id["serial_number"] < 0xFFFFFFFF
    (workout,) = messages["workout_mesgs"]
    assert workout["wkt_name"] == "Scapula Nov 26"
    assert workout["sport"] == "training" and workout["sub_sport"] == "strength_training"

    steps = messages["workout_step_mesgs"]
    assert workout["num_valid_steps"] == len(steps) == len(FULL_SESSION_STEPS)
    assert [s["message_index"] for s in steps] == list(range(len(steps)))
    assert [step_row(s) for s in steps] == FULL_SESSION_STEPS
    for s in steps:
        if s["duration_type"] == "repeat_until_steps_cmplt":
            continue
        assert s["target_type"] == "open"
        assert s.get("weight_display_unit") == ("kilogram" if s.get("exercise_weight") else None)
    notes = {s["wkt_step_name"]: s.get("notes") for s in steps if "wkt_step_name" in s}
    assert notes["Reverse fly"] == "12-15 reps, medium band, 1 s hold"  # the band's label
    assert notes["Chainsaw row L"] == "8-10 reps, 14 kg kettlebell, 1 s hold"
    assert notes["Superman R"].startswith("10-12 reps, Opposite leg lift")
    assert notes["Rest"] is None and notes["Chest stretch L"] is None


def test_fit_workout_read_the_same_by_fitdecode(tmp_path):
    data = build_workout(WEEK[0], CATALOG, created=T0)
    assert data[0] == 14 and data[8:12] == b".FIT"  # the header with its own CRC, as Garmin writes
    found = fitdecode_read(data)  # raises FitCRCError on a bad header or file CRC
    assert found["workout"][0]["wkt_name"] == "Scapula Nov 26"
    assert found["workout"][0]["num_valid_steps"] == len(FULL_SESSION_STEPS)
    assert [step_row(s) for s in found["workout_step"]] == FULL_SESSION_STEPS


def test_fit_repeat_only_where_it_saves_steps_and_no_rest_after_the_last_set():
    plan = session(
        "short",
        date(2026, 12, 1),
        items=(
            Prescription("foam_roller_chest_opener", 2, False, hold_s=45, rest_s=0),
            Prescription("chainsaw_row", 3, True, 10, 12, rest_s=60, load_kg=16.0),
        ),
    )
    messages = garmin_read(build_workout(plan, CATALOG, created=T0))
    steps = messages["workout_step_mesgs"]
    row = ("row", 9, 16.0)
    assert [step_row(s) for s in steps] == [
        # Two lone stretch steps: writing them out is no longer than a loop.
        ("Chest opener", "time", 45.0, "warmup", "warm_up", 58, None),  # before any move: warm-up
        ("Chest opener", "time", 45.0, "warmup", "warm_up", 58, None),
        ("Chainsaw row L", "reps", 12, "active", *row),
        ("Chainsaw row R", "reps", 12, "active", *row),
        rest(60),
        ("repeat", 2, 2),
        ("Chainsaw row L", "reps", 12, "active", *row),  # the last set: no rest after it
        ("Chainsaw row R", "reps", 12, "active", *row),
    ]
    assert messages["workout_mesgs"][0]["num_valid_steps"] == 8
    assert steps[2]["notes"] == "10-12 reps, 16 kg"


def test_fit_skips_dropped_and_moved_and_names_files_by_date(tmp_path):
    plans = [
        session("a", date(2026, 11, 24), status="dropped"),
        session("b", date(2026, 11, 25), status="moved"),
        session("c", date(2026, 11, 27), status="done"),
        session("d", date(2026, 11, 26), deload=True),
        session("e", date(2026, 11, 26), start=time(19, 0), race_week=True),
    ]
    paths = write_fit_workouts(plans, CATALOG, tmp_path, created=T0)
    assert [p.name for p in paths] == [
        "2026-11-26-scapula-upper-back.fit",
        "2026-11-26-scapula-upper-back-2.fit",
        "2026-11-27-scapula-upper-back.fit",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    names = [garmin_read(p.read_bytes())["workout_mesgs"][0]["wkt_name"] for p in paths]
    assert names == ["Deload Nov 26", "Race wk Nov 26", "Scapula Nov 27"]


def test_fit_strings_fit_the_watch(tmp_path):
    long = Prescription(
        "reverse_fly",
        2,
        False,
        10,
        12,
        rest_s=30,
        load_label="extra heavy fabric loop band with handles",
        variant="thumbs_up",
    )
    messages = garmin_read(build_workout(session("s", date(2026, 12, 3), items=(long,)), CATALOG))
    for step in messages["workout_step_mesgs"]:
        assert len(step.get("wkt_step_name", "").encode()) <= 15
        assert len(step.get("notes", "").encode()) <= 49
    # The load did not fit beside the range, so it was left out whole, not cut in the middle.
    assert messages["workout_step_mesgs"][0]["notes"] == "10-12 reps, Thumbs-up grip"


def test_fit_unusable_directory_is_a_clear_error(tmp_path):
    blocker = tmp_path / "watch"
    blocker.write_text("a file")
    with pytest.raises(InputFileError) as caught:
        write_fit_workouts(WEEK, CATALOG, blocker, created=T0)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(blocker))
    assert blocker.read_text() == "a file"
