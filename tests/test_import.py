"""`scapula import` and `scapula runs`, through the real command, on files written here.

FIT fixtures are written with fit-tool, GPX and TCX as XML text (tests/activity_files.py);
the values checked are computed from the same plain description of each run, not by
Scapula. The real files in shared/data/runs are tried when they are on disk.
"""

from __future__ import annotations

import gzip
import zipfile
from datetime import UTC, datetime, timezone
from functools import cache
from pathlib import Path

import pytest

from tests.activity_files import (
    Workout,
    expected_splits,
    fit_bytes,
    gpx_text,
    interval_session,
    steady_run,
    tcx_text,
    write,
)

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "runs"
if not REAL.is_dir():
    REAL = Path("/work/shared/data/runs")

MAY_1 = datetime(2026, 5, 1, 5, 30, tzinfo=UTC)
MAY_3 = datetime(2026, 5, 3, 16, 0, tzinfo=UTC)
MAY_5 = datetime(2026, 5, 5, 6, 15, tzinfo=UTC)


@cache
def intervals() -> Workout:
    return interval_session(MAY_1, offset_min=120, reps=3, name=None)


@cache
def intervals_fit() -> bytes:
    return fit_bytes(intervals(), workout_name="3 x 1 km @ 5k")


@cache
def easy() -> Workout:
    return steady_run(MAY_3, seconds=1500, name="Easy by the river")


@cache
def easy_fit() -> bytes:
    return fit_bytes(easy())


def workout_fit() -> bytes:
    """A FIT workout (a plan for the watch), not an activity."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 7
    file_id.time_created = round(MAY_1.timestamp() * 1000)
    builder.add(file_id)
    workout = WorkoutMessage()
    workout.workout_name = "Tempo"
    workout.sport = Sport.RUNNING
    workout.num_valid_steps = 0
    builder.add(workout)
    return builder.build().to_bytes()


def runs(cli) -> list[dict]:
    result = cli("runs", "--json")
    assert result.code == 0, result.err
    return result.json()


def assert_splits(got: list[dict], w: Workout, hr: bool = True) -> None:
    want = expected_splits(w)
    assert len(got) == len(want)
    for g, e in zip(got, want):
        assert g["duration_s"] == pytest.approx(e["duration_s"], abs=0.6)
        assert ("distance_m" in g) == ("distance_m" in e)
        if "distance_m" in e:
            assert g["distance_m"] == pytest.approx(e["distance_m"], abs=1.0)
        if hr:
            assert g["avg_hr"] == pytest.approx(e["avg_hr"], abs=0.6)
        else:
            assert g["avg_hr"] is None


# ---------------------------------------------------------------- what is stored


def test_fit_activity_is_stored_with_laps_splits_offset_and_workout_name(cli_db, tmp_path):
    w = intervals()
    path = write(tmp_path / "intervals.fit", intervals_fit())
    result = cli_db("import", str(path))
    assert result.code == 0, result.err
    assert "imported 1 run (0 duplicates, 0 skipped)" in result.out
    assert "2026-05-01 07:30" in result.out and "3 x 1 km @ 5k" in result.out  # local time, name

    [run] = runs(cli_db)
    assert run["started_at"] == "2026-05-01T05:30:00+00:00"
    assert run["utc_offset_min"] == 120 and run["local_start"] == "2026-05-01T07:30:00+02:00"
    assert (run["sport"], run["sub_sport"], run["source_kind"]) == ("running", None, "fit")
    assert run["name"] == "3 x 1 km @ 5k"
    assert run["duration_s"] == w.moving_s and run["elapsed_s"] == w.elapsed_s
    assert w.elapsed_s - w.moving_s == 45  # the pause is in elapsed time only
    assert run["distance_m"] == pytest.approx(w.distance_m, abs=0.01)
    assert run["avg_pace_s_per_km"] == pytest.approx(w.moving_s / (w.distance_m / 1000))
    assert run["avg_hr"] == round(sum(w.hr) / len(w.hr)) and run["max_hr"] == max(w.hr)

    laps = run["laps"]
    assert [lap["intensity"] for lap in laps] == ["warmup"] + ["active", "rest"] * 3 + ["cooldown"]
    assert [lap["trigger"] for lap in laps] == ["manual"] + ["distance", "manual"] * 3 + ["manual"]
    for lap, want in zip(laps, w.laps):
        assert lap["start_s"] == w.t[want.start]
        assert lap["duration_s"] == w.lap_time(want)
        assert lap["max_hr"] == max(w.hr[want.start : want.end])
    hard = [lap for lap in laps if lap["intensity"] == "active"]
    assert all(lap["distance_m"] == pytest.approx(1000, abs=6) for lap in hard)
    assert_splits(run["splits"], w)


def test_gpx_track_gives_moving_time_distance_hr_and_splits(cli, tmp_path):
    w = intervals()
    path = write(tmp_path / "morning.gpx", gpx_text(w, gpx_type="trail_running"))
    assert cli("import", str(path)).code == 0
    [run] = runs(cli)
    assert run["started_at"] == "2026-05-01T05:30:00+00:00" and run["utc_offset_min"] is None
    assert (run["sport"], run["sub_sport"], run["source_kind"]) == ("running", "trail", "gpx")
    assert run["duration_s"] == w.moving_s and run["elapsed_s"] == w.elapsed_s
    assert run["distance_m"] == pytest.approx(w.distance_m, rel=1e-4)  # measured along the points
    assert run["max_hr"] == max(w.hr) and run["laps"] == []
    per_second = [h for i, h in enumerate(w.hr) if i and w.t[i] - w.t[i - 1] == 1]
    assert run["avg_hr"] == pytest.approx(sum(per_second) / len(per_second), abs=0.01)
    assert_splits(run["splits"], w)


def test_gpx_without_heart_rate_and_with_two_outings(cli, tmp_path):
    morning, evening = steady_run(MAY_1, seconds=900), steady_run(MAY_3, seconds=600, name="Shakeout")
    path = write(tmp_path / "two.gpx", gpx_text(morning, with_hr=False, tracks=[morning, evening]))
    result = cli("import", str(path))
    assert result.code == 0, result.err
    assert "imported 2 runs" in result.out
    first, second = runs(cli)
    assert (first["avg_hr"], first["max_hr"]) == (None, None)
    assert first["duration_s"] == 900 and second["duration_s"] == 600 and second["name"] == "Shakeout"
    assert_splits(first["splits"], morning, hr=False)


def test_tcx_laps_notes_and_rest_intensity(cli, tmp_path):
    w = intervals()
    path = write(tmp_path / "session.tcx", tcx_text(w, notes="Track Tuesday", plan_name="3x1k"))
    assert cli("import", str(path)).code == 0
    [run] = runs(cli)
    assert run["name"] == "Track Tuesday" and run["source_kind"] == "tcx"
    assert run["duration_s"] == pytest.approx(w.moving_s, abs=0.5)
    assert run["distance_m"] == pytest.approx(w.distance_m, abs=0.5)
    assert run["max_hr"] == max(w.hr)
    assert [lap["intensity"] for lap in run["laps"]] == ["active"] + ["active", "rest"] * 3 + ["active"]
    assert run["laps"][1]["trigger"] == "distance"
    assert [lap["start_s"] for lap in run["laps"]] == [w.t[lap.start] for lap in w.laps]
    assert_splits(run["splits"], w)


def test_tcx_plan_name_is_the_name_when_there_are_no_notes(cli, tmp_path):
    path = write(tmp_path / "plan.tcx", tcx_text(easy(), sport="Other", plan_name="Long run"))
    assert cli("import", str(path)).code == 0
    [run] = runs(cli)
    assert run["name"] == "Long run" and run["sport"] == "running"  # "Other" at a running pace


# ---------------------------------------------------------------- duplicates


def test_reimport_and_gz_copies_add_nothing(cli_db, tmp_path):
    folder = tmp_path / "watch"
    write(folder / "a.fit", intervals_fit())
    write(folder / "b" / "easy.gpx", gpx_text(steady_run(MAY_5, seconds=1200)))
    write(folder / "c.tcx", tcx_text(easy()))
    write(folder / "notes.txt", "not an activity: ignored inside a folder")
    first = cli_db("import", str(folder))
    assert first.code == 0, first.err
    assert "imported 3 runs (0 duplicates, 0 skipped)" in first.out and first.err == ""

    again = cli_db("import", str(folder))
    assert again.code == 0 and "imported 0 runs (3 duplicates, 0 skipped)" in again.out

    gz = write(tmp_path / "a.fit.gz", gzip.compress(intervals_fit()))
    tgz = write(tmp_path / "c.tcx.gz", gzip.compress(tcx_text(easy()).encode()))
    copies = cli_db("import", str(gz), str(tgz))
    assert copies.code == 0 and "imported 0 runs (2 duplicates, 0 skipped)" in copies.out
    assert len(runs(cli_db)) == 3


def test_the_same_run_from_another_source_is_a_duplicate(cli, tmp_path):
    w = intervals()
    fit = write(tmp_path / "watch.fit", intervals_fit())
    gpx = write(tmp_path / "phone.gpx", gpx_text(w))
    result = cli("import", str(fit), str(gpx))
    assert result.code == 0
    assert "imported 1 run (1 duplicate, 0 skipped)" in result.out
    assert f"{gpx}: duplicate (the same run as {fit}, already stored)" in result.out
    assert [r["source_kind"] for r in runs(cli)] == ["fit"]


def test_a_run_a_day_later_or_much_longer_is_not_a_duplicate(cli, tmp_path):
    a = write(tmp_path / "a.gpx", gpx_text(steady_run(MAY_1, seconds=1800)))
    b = write(tmp_path / "b.gpx", gpx_text(steady_run(MAY_1, seconds=2400, seed=3)))  # same start, +33%
    c = write(tmp_path / "c.gpx", gpx_text(steady_run(MAY_3, seconds=1800)))
    assert "imported 3 runs (0 duplicates" in cli("import", str(a), str(b), str(c)).out


# ---------------------------------------------------------------- bad files


def test_bad_files_are_named_once_each_and_the_rest_imports(cli_db, tmp_path):
    good = intervals_fit()
    folder = tmp_path / "mixed"
    write(folder / "1-good.fit", good)
    bad = {
        "2-truncated.fit": good[:40],  # cut before its first record: nothing to salvage
        "3-empty.fit": b"",
        "4-garbage.fit": b"these are not the bytes you are looking for\n" * 20,
        "6-malformed.gpx": b'<?xml version="1.0"?><gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="2">',
        "7-no-times.gpx": gpx_text(easy(), with_time=False).encode(),
        "8-broken.tcx.gz": b"\x1f\x8b\x08\x00 not really gzip",
        "9-entities.gpx": b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>',
        "9-laughs.tcx": (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE t [<!ENTITY a "aaaa">'
            '<!ENTITY b "&a;&a;&a;&a;">]><TrainingCenterDatabase>&b;</TrainingCenterDatabase>'
        ).encode("utf-16"),
    }
    for name, content in bad.items():
        write(folder / name, content)
    write(folder / "10-workout.fit", workout_fit())
    write(folder / "11-good.tcx", tcx_text(easy()))
    result = cli_db("import", str(folder))
    assert result.code == 1
    assert "imported 2 runs (0 duplicates, 9 skipped)" in result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == len(bad) + 1
    for name in bad:
        [line] = [line for line in lines if line.startswith(f"{folder / name}: ")]
        assert len(line) > len(f"{folder / name}: ") + 5
    reasons = {line.split(": ", 1)[0].rpartition("/")[2]: line.split(": ", 1)[1] for line in lines}
    assert "truncated" in reasons["2-truncated.fit"]
    assert reasons["3-empty.fit"] == "empty file"
    assert "not a FIT file" in reasons["4-garbage.fit"]
    assert "malformed XML" in reasons["6-malformed.gpx"]
    assert "no time stamps" in reasons["7-no-times.gpx"]
    assert "gzip" in reasons["8-broken.tcx.gz"]
    assert "DTD" in reasons["9-entities.gpx"] and "DTD" in reasons["9-laughs.tcx"]
    assert reasons["10-workout.fit"] == "a FIT workout file, not an activity (skipped)"
    assert [r["source_kind"] for r in runs(cli_db)] == ["fit", "tcx"]


def test_a_workout_file_alone_is_a_note_not_an_error(cli, tmp_path):
    path = write(tmp_path / "tempo.fit", workout_fit())
    result = cli("import", str(path))
    assert result.code == 0 and "imported 0 runs (0 duplicates, 1 skipped)" in result.out
    assert result.err.strip() == f"{path}: a FIT workout file, not an activity (skipped)"


def test_a_failing_file_never_loses_earlier_runs(cli_db, tmp_path):
    first = write(tmp_path / "first.tcx", tcx_text(easy()))
    assert cli_db("import", str(first)).code == 0
    broken = write(tmp_path / "broken.fit", intervals_fit()[:60])  # cut before its first record
    later = write(tmp_path / "later.gpx", gpx_text(steady_run(MAY_5, seconds=900)))
    missing = tmp_path / "nowhere.fit"
    text = write(tmp_path / "notes.txt", "hello")
    result = cli_db("import", str(broken), str(missing), str(text), str(later))
    assert result.code == 1
    assert "imported 1 run (0 duplicates, 3 skipped)" in result.out
    assert f"{missing}: no such file or folder" in result.err
    assert f"{text}: not a FIT, GPX or TCX file" in result.err
    assert [r["source_kind"] for r in runs(cli_db)] == ["tcx", "gpx"]


# ---------------------------------------------------------------- Strava export

NEW_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,"
    "Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,"
    "Elevation Gain,Average Heart Rate,Calories,Some Column Strava Adds Next Year"
)
OLD_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
    "Commute,Activity Gear,Filename"
)


def strava_export(root: Path, header: str = NEW_HEADER) -> Path:
    """An export: a watch FIT (gz), a phone GPX, a TCX (gz) and a manual treadmill entry."""
    write(root / "activities" / "101.fit.gz", gzip.compress(intervals_fit()))
    write(root / "activities" / "102.gpx", gpx_text(steady_run(MAY_5, seconds=1200)))
    write(root / "activities" / "103.tcx.gz", gzip.compress(tcx_text(easy()).encode()))
    rows = [
        (
            "101",
            "May 1, 2026, 5:30:00 AM",
            "Track: 3x1k, felt strong",
            "Run",
            "activities/101.fit.gz",
            "9000",
            "7000.5",
        ),
        ("102", "May 5, 2026, 6:15:00 AM", "Parkrun warm-up", "Run", "activities/102.gpx", "3700", "3720.0"),
        ("103", "May 3, 2026, 4:00:00 PM", "River loop", "Run", "activities/103.tcx.gz", "4700", "4650.0"),
        ("104", "May 7, 2026, 7:00:00 PM", "Treadmill, gym", "Run", "", "2400", "6000.0"),
    ]
    lines = [header]
    for aid, when, name, kind, filename, elapsed, metres in rows:
        if header == NEW_HEADER:
            km = f"{float(metres) / 1000:.2f}"
            cells = [
                aid,
                f'"{when}"',
                f'"{name}"',
                kind,
                "",
                elapsed,
                km,
                "181",
                "",
                "false",
                "",
                "",
                filename,
                "",
                "",
                f"{elapsed}.0",
                "2390",
                metres,
                "",
                "",
                "",
                "151",
                "",
                "x",
            ]
        else:
            km = f"{float(metres) / 1000:.2f}"
            cells = [aid, f'"{when}"', f'"{name}"', kind, "", elapsed, km, "false", "", filename]
        lines.append(",".join(cells))
    write(root / "activities.csv", "\ufeff" + "\n".join(lines) + "\n")
    return root


def zip_folder(folder: Path, target: Path, inside: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, inside + path.relative_to(folder).as_posix())
    return target


def test_strava_export_folder_names_runs_and_keeps_manual_entries(cli_db, tmp_path):
    export = strava_export(tmp_path / "export_123")
    result = cli_db("import", str(export))
    assert result.code == 0, result.err
    assert "imported 4 runs (0 duplicates, 0 skipped)" in result.out
    stored = {r["external_id"]: r for r in runs(cli_db)}
    assert stored["101"]["name"] == "Track: 3x1k, felt strong"  # the CSV name wins over wkt_name
    assert stored["101"]["source_kind"] == "fit" and len(stored["101"]["laps"]) == 8
    assert stored["101"]["duration_s"] == intervals().moving_s  # the file's numbers, not the CSV's
    assert stored["102"]["name"] == "Parkrun warm-up" and stored["102"]["source_kind"] == "gpx"
    assert stored["103"]["source_kind"] == "tcx"
    manual = stored["104"]
    assert manual["source_kind"] == "strava_csv" and manual["name"] == "Treadmill, gym"
    assert manual["started_at"] == "2026-05-07T19:00:00+00:00"
    assert (manual["duration_s"], manual["elapsed_s"], manual["distance_m"]) == (2390, 2400, 6000)
    assert (manual["avg_hr"], manual["max_hr"]) == (151, 181) and manual["avg_pace_s_per_km"] == pytest.approx(2390 / 6)

    again = cli_db("import", str(zip_folder(export, tmp_path / "export.zip", inside="export_123/")))
    assert again.code == 0 and "imported 0 runs (4 duplicates, 0 skipped)" in again.out


def test_older_strava_export_zip_and_names_given_to_runs_already_stored(cli, tmp_path):
    export = strava_export(tmp_path / "old", header=OLD_HEADER)
    watch = write(tmp_path / "watch" / "intervals.fit", intervals_fit())
    assert cli("import", str(watch)).code == 0
    result = cli("import", str(zip_folder(export, tmp_path / "old.zip")))
    assert result.code == 0, result.err
    assert "imported 3 runs (1 duplicate, 0 skipped)" in result.out
    stored = {r["external_id"]: r for r in runs(cli)}
    assert stored["101"]["name"] == "Track: 3x1k, felt strong"  # renamed, not stored twice
    assert stored["101"]["source_name"] == str(watch)
    assert stored["104"]["distance_m"] == pytest.approx(6000) and stored["104"]["duration_s"] == 2400


def test_strava_row_whose_file_is_missing_is_imported_from_the_row(cli, tmp_path):
    export = strava_export(tmp_path / "export")
    (export / "activities" / "102.gpx").unlink()
    result = cli("import", str(export))
    assert result.code == 0 and "imported 4 runs" in result.out
    assert "activities/102.gpx is not in the export; imported from its activities.csv row" in result.out
    stored = {r["external_id"]: r for r in runs(cli)}
    assert stored["102"]["source_kind"] == "strava_csv" and stored["102"]["distance_m"] == 3720


def test_strava_row_with_a_bad_date_is_one_error_line(cli, tmp_path):
    export = strava_export(tmp_path / "export")
    csv = export / "activities.csv"
    csv.write_text(csv.read_text().replace("May 7, 2026, 7:00:00 PM", "someday"))
    result = cli("import", str(export))
    assert result.code == 1 and "imported 3 runs" in result.out
    assert result.err.strip() == f"{csv} row 5: unreadable Activity Date 'someday'"


# ---------------------------------------------------------------- the batch


def test_large_batch_counts_without_listing_and_without_a_bar_off_a_terminal(cli, tmp_path):
    for i in range(24):
        write(
            tmp_path / "many" / f"{i:02d}.gpx",
            gpx_text(steady_run(datetime(2026, 3, 1 + i, 6, tzinfo=UTC), seconds=300, seed=i)),
        )
    result = cli("import", str(tmp_path / "many"), "--workers", "2")
    assert result.code == 0
    assert result.out.strip() == "imported 24 runs (0 duplicates, 0 skipped)"
    assert result.err == ""  # no progress bar when stderr is not a terminal
    since = cli("runs", "--json", "--since", "2026-03-20").json()
    assert [r["started_at"][:10] for r in since] == [f"2026-03-{d}" for d in range(20, 25)]


def test_fit_readers_agree():
    """fitfast (fast) and fitdecode (reference) read the same activities from the same bytes."""
    from scapula.runs.fit import read_fit

    samples = {"intervals.fit": intervals_fit(), "easy.fit": easy_fit()}
    for name in ("activity-small-fenix2-run.fit", "garmin-fenix-5-run.fit"):
        if (REAL / name).is_file():
            samples[name] = (REAL / name).read_bytes()
    for name, data in samples.items():
        fast, reference = read_fit(data, name, reader="fitfast"), read_fit(data, name, reader="fitdecode")
        assert fast == reference, name


def test_real_watch_files(cli, tmp_path):
    if not (REAL / "activity-small-fenix2-run.fit").is_file():
        pytest.skip(f"the real activity files are not on this machine ({REAL})")
    result = cli("import", str(REAL))
    assert result.code == 0, result.err
    # the truncated file holds 14 s before its damage; the Fenix 5's test run is 57 s
    assert f"{REAL / 'activity-unexpected-eof.fit'}: a fragment of 0:00:14 and 6 m" in result.err
    assert f"{REAL / 'garmin-fenix-5-run.fit'}: a fragment of 0:00:57 and 158 m" in result.err
    assert f"{REAL / 'WorkoutIndividualSteps.fit'}: a FIT workout file, not an activity (skipped)" in result.err
    stored = {r["source_name"].rpartition("/")[2]: r for r in runs(cli)}
    fenix2 = stored["activity-small-fenix2-run.fit"]
    assert fenix2["started_at"] == "2015-08-15T14:45:08+00:00" and fenix2["utc_offset_min"] == 120
    assert (fenix2["duration_s"], fenix2["distance_m"]) == (2832.0, 9008.22)
    assert len(fenix2["laps"]) == 4 and len(fenix2["splits"]) == 10
    assert sum(s["duration_s"] for s in fenix2["splits"]) == pytest.approx(2832, rel=0.02)
    jezero = stored["cerknicko-jezero.gpx"]  # a GPX that names no sport: its pace says
    assert jezero["sport"] == "running"
    assert "cerknicko-jezero.gpx: the file names no sport: taken as running from its pace, 8:08 /km" in result.out


# ---------------------------------------------------------------- the two GPX readers

# A GPX with every kind of thing the fast reader must read as gpxpy does, written around a
# short run: {body} is the run's <trk> elements (from gpx_text) or whatever a test puts there.
GPX_SHELL = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="t" '
    'xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/'
    'TrackPointExtension/v1">{head}{body}</gpx>'
)


def _trks(text: str) -> str:
    """The <trk> elements of a gpx_text file."""
    return text[text.index("<trk>") : text.rindex("</gpx>")]


def _shift_times(text: str, render) -> str:
    """Every <time> of a gpx_text file written again by ``render(aware datetime)``."""
    import re

    return re.sub(r"<time>([^<]*)</time>", lambda m: f"<time>{render(datetime.fromisoformat(m[1]))}</time>", text)


def gpx_variants() -> dict[str, str]:
    """GPX files that both readers must read alike, by name."""
    import re
    from datetime import timedelta

    short = steady_run(MAY_5, seconds=700, seed=2, name="Short")
    base = gpx_text(short)
    plus2 = timezone(timedelta(hours=2))
    minus530 = timezone(-timedelta(hours=5, minutes=30))
    hr_ext = re.compile(
        r"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>(\d+)</gpxtpx:hr>"
        r"</gpxtpx:TrackPointExtension></extensions>"
    )
    out = {
        "intervals (a pause, two segments)": gpx_text(intervals(), gpx_type="trail_running"),
        "easy": gpx_text(easy()),
        "short": base,
        "without hr": gpx_text(easy(), with_hr=False, gpx_type=None),
        "two outings": gpx_text(short, tracks=[short, steady_run(MAY_1, seconds=400, name="Other")]),
        "no times": gpx_text(short, with_time=False),
        "namespace prefix ns3": base.replace("gpxtpx", "ns3"),
        "hr in no namespace": hr_ext.sub(r"<extensions><heartrate>\1</heartrate></extensions>", base),
        "heart_rate in another namespace": hr_ext.sub(
            r'<extensions><x:Data xmlns:x="urn:x"><x:Heart_Rate>\1</x:Heart_Rate></x:Data></extensions>', base
        ),
        "hr that is no number": hr_ext.sub(r"<extensions><hr>fast</hr></extensions>", base, count=40),
        "empty hr, then one in a second extension": hr_ext.sub(
            r"<extensions><a><hr/></a><b><hr> \1 </hr></b></extensions>", base
        ),
        "times with milliseconds": _shift_times(base, lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.250Z")),
        "times with nine decimals": _shift_times(base, lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.123456789Z")),
        "times at +02:00": _shift_times(base, lambda t: t.astimezone(plus2).isoformat()),
        "times at -0530": _shift_times(base, lambda t: t.astimezone(minus530).strftime("%Y-%m-%dT%H:%M:%S-0530")),
        "times at +02 and a space": _shift_times(base, lambda t: t.astimezone(plus2).strftime("%Y-%m-%d %H:%M:%S+02")),
        "times with no zone": _shift_times(base, lambda t: t.strftime("%Y-%m-%dT%H:%M:%S")),
        "across midnight": gpx_text(steady_run(datetime(2026, 5, 5, 23, 55, tzinfo=UTC), seconds=600)),
        "no elevation": base.replace("<ele>300.0</ele>", ""),
        "a second, bad ele is not read": base.replace("<ele>300.0</ele>", "<ele> 300 </ele><ele>high</ele>"),
        "unused point fields": base.replace(
            "<ele>300.0</ele>",
            "<ele>3e2</ele><sat>7</sat><fix>3d</fix><hdop>1.5</hdop><speed>fast</speed><course>N</course>",
        ),
        "no default namespace": base.replace(' xmlns="http://www.topografix.com/GPX/1/1"', ""),
        "gpx 1.0 (no type, no extensions)": base.replace('version="1.1"', 'version="1.0"').replace("1/1", "1/0"),
        "version 1.2, read as 1.0": base.replace('version="1.1"', 'version="1.2"'),
        "gpx 1.0, its name at the root": base.replace('version="1.1"', 'version="1.0"')
        .replace("<metadata>", "<name>Root</name><metadata>")
        .replace("<name>Short</name>", ""),
        "gpx 1.1, a name at the root (not read)": base.replace("<metadata>", "<name>Root</name><metadata>").replace(
            "<name>Short</name>", ""
        ),
        "a point without time": base.replace("<time>", "<timex>", 5).replace("</time>", "</timex>", 5),
        "metadata name": base.replace(
            "<metadata>", '<metadata><name> Sunday </name><bounds minlat="46" maxlat="47"/>'
        ).replace("<name>Short</name>", ""),
    }
    segments = base.replace("</trkpt>", "</trkpt></trkseg><trkseg>", 3)  # three one-point segments
    out["many segments, one empty"] = segments.replace("<trkseg>", "<trkseg></trkseg><trkseg>", 1)
    shell = GPX_SHELL.format
    two_types = _trks(gpx_text(short, gpx_type="hiking")) + _trks(
        gpx_text(steady_run(MAY_5 + timedelta(minutes=20), seconds=300), gpx_type="running")
    )
    out["two types, 8 minutes apart"] = shell(head="", body=two_types)
    out["waypoints and a route only"] = shell(
        head='<metadata><name>Lake</name></metadata><wpt lat="45.7" lon="14.3"><ele>500</ele><name>a</name></wpt>',
        body='<rte><number>1</number><rtept lat="45.8" lon="14.4"><time>2026-05-05T06:15:00Z</time></rtept></rte>',
    )
    out["an empty track"] = shell(head="", body="<trk><name>x</name><trkseg/></trk>")
    out["tracks out of order"] = shell(
        head="", body=_trks(gpx_text(steady_run(MAY_5 + timedelta(minutes=15), seconds=300))) + _trks(base)
    )
    return out


def _gpx_outcome(data: bytes, reader: str):
    from scapula.errors import InputFileError
    from scapula.runs.gpx import read_gpx

    try:
        return read_gpx(data, "x.gpx", reader=reader)
    except InputFileError as e:
        return e.reason
    except ValueError as e:  # gpxpy's own, e.g. a UTC offset of a day: the importer names it
        return f"{type(e).__name__}: {e}"


def assert_gpx_readers_agree(data: bytes, name: str) -> None:
    """The same GpxFile from both readers, to the bit, and so the same activities."""
    import numpy as np

    from scapula.runs.gpx import gpx_fast, gpx_gpxpy

    fast, reference = gpx_fast(data), gpx_gpxpy(data, name)
    assert fast.name == reference.name, name
    assert len(fast.tracks) == len(reference.tracks), name
    for a, b in zip(fast.tracks, reference.tracks):
        assert (a.name, a.type, a.utc_offset_min, a.points) == (b.name, b.type, b.utc_offset_min, b.points), name
        assert a.t == b.t and a.segment == b.segment, name
        for column in ("lat", "lon", "hr"):
            np.testing.assert_array_equal(getattr(a, column), getattr(b, column), err_msg=f"{name}: {column}")
    assert _gpx_outcome(data, "fast") == _gpx_outcome(data, "gpxpy"), name


def test_gpx_readers_agree():
    """The fast reader and gpxpy (the reference) read the same from every GPX the tests write."""
    variants = gpx_variants()
    for name, text in variants.items():
        assert_gpx_readers_agree(text.encode(), name)
    # the variants do exercise what they are named for
    outcomes = {name: _gpx_outcome(text.encode(), "fast") for name, text in variants.items()}
    assert outcomes["no times"] == "has no time stamps (a track without times)"
    assert outcomes["waypoints and a route only"] == outcomes["an empty track"] == "GPX file holds no track points"
    assert len(outcomes["two outings"]) == 2 and len(outcomes["two types, 8 minutes apart"]) == 2
    assert len(outcomes["tracks out of order"]) == 1
    hr = {
        name: outcomes[name][0].avg_hr
        for name in (
            "short",
            "namespace prefix ns3",
            "hr in no namespace",
            "heart_rate in another namespace",
            "empty hr, then one in a second extension",
        )
    }
    assert None not in hr.values() and len(set(hr.values())) == 1, hr
    assert outcomes["gpx 1.0 (no type, no extensions)"][0].avg_hr is None
    assert outcomes["times at +02:00"][0].utc_offset_min == 120
    assert outcomes["times at -0530"][0].utc_offset_min == -330
    assert outcomes["times at +02:00"][0].started_at == outcomes["times with no zone"][0].started_at == MAY_5
    assert outcomes["metadata name"][0].name == "Sunday"
    assert outcomes["gpx 1.0, its name at the root"][0].name == "Root"
    assert outcomes["gpx 1.1, a name at the root (not read)"][0].name is None


@pytest.mark.fast
def test_gpx_readers_agree_on_the_real_file():
    path = REAL / "cerknicko-jezero.gpx"
    if not path.is_file():
        pytest.skip(f"the real GPX file is not on this machine ({REAL})")
    assert_gpx_readers_agree(path.read_bytes(), path.name)
    [lake] = _gpx_outcome(path.read_bytes(), "fast")  # eight <trk>, one outing
    assert lake.name == "ACTIVE LOG #2" and lake.utc_offset_min is None


@pytest.mark.fast
def test_what_gpxpy_would_refuse_or_read_alone_is_left_to_gpxpy():
    """The fast reader gives up on these, and the result or error is gpxpy's own."""
    from scapula.runs.gpx import LeftToGpxpy, gpx_fast

    base = gpx_text(steady_run(MAY_5, seconds=120))
    cases = {
        "malformed XML": base[:-20],
        "not UTF-8": base.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(
            "<metadata>", "<metadata><name>Jezero é</name>"
        ),
        "bad elevation": base.replace("<ele>300.0</ele>", "<ele>high</ele>", 1),
        "no lat": base.replace('<trkpt lat="', '<trkpt x="', 1),
        "bad fix": base.replace("<ele>300.0</ele>", "<fix>4d</fix>", 1),
        "bad satellites": base.replace("<ele>300.0</ele>", "<sat>7.5</sat>", 1),
        "bad waypoint": base.replace("<trk>", '<wpt lat="1" lon="2"><magvar>x</magvar></wpt><trk>'),
        "bad track number": base.replace("<trk>", "<trk><number>one</number>"),
        "bad bounds": base.replace("<metadata>", '<metadata><bounds minlat="north"/>'),
        "one-digit month": base.replace("2026-05-05T", "2026-5-05T"),
        "hour 24": base.replace("T06:15:00Z", "T24:00:00Z"),
        "a trailing newline": base.replace("Z</time>", "Z\n</time>", 3),
        "unicode minus": base.replace("Z</time>", "\u221201:00</time>"),
        "offset of a day": base.replace("Z</time>", "+24:00</time>"),
    }
    for name, text in cases.items():
        data = text.encode("latin-1") if name == "not UTF-8" else text.encode()
        with pytest.raises(LeftToGpxpy):
            gpx_fast(data)
        assert _gpx_outcome(data, "auto") == _gpx_outcome(data, "gpxpy"), name
    [cut] = _gpx_outcome(cases["malformed XML"].encode(), "auto")  # read up to where it was cut
    assert cut.damage.startswith("truncated at 0:01:59")
    assert "not a readable GPX file" in _gpx_outcome(cases["bad elevation"].encode(), "auto")
    assert len(_gpx_outcome(cases["one-digit month"].encode(), "auto")) == 1  # gpxpy reads that one


@pytest.mark.fast
def test_the_fast_gpx_reader_checks_every_value_gpxpy_checks():
    """The fast reader's lists of checked fields are gpxpy's: its typed, mandatory and
    restricted fields and its nested elements, class by class, for GPX 1.0 and 1.1."""
    import gpxpy.gpx as g
    import gpxpy.gpxfield as f

    from scapula.runs import gpx as ours

    def fields(cls, version: str) -> dict[str, object]:
        out, path = {}, []
        for item in cls.gpx_11_fields if version == "1.1" else cls.gpx_10_fields:
            if isinstance(item, str):
                path.pop() if item.startswith("/") else path.append(item.partition(":")[0])
                continue
            where = "/".join([*path, f"@{item.attribute}" if item.attribute else item.tag])
            if isinstance(item, f.GPXComplexField):
                out[where] = item.classs
            elif isinstance(item, f.GPXExtensionsField):
                out[where] = "extensions"
            elif isinstance(item, f.GPXField):
                kind = {id(f.FLOAT_TYPE): ours._float, id(f.INT_TYPE): ours._int}.get(id(item.type_converter))
                if item.possible:
                    assert tuple(item.possible) == ours.FIXES and kind is None
                    kind = ours._fix
                if item.mandatory:
                    kind = ("mandatory", kind)
                if kind is not None:
                    out[where] = kind
                else:  # a string, a time or an email: nothing that can fail
                    assert item.type_converter in (None, f.TIME_TYPE), where
        return out

    assert f.TIME_TYPE.from_string("no time at all") is None  # gpxpy never fails on a time
    mandatory = {"@lat": ("mandatory", ours._float), "@lon": ("mandatory", ours._float)}
    point_11 = {**mandatory, **ours.POINT_CHECKS, "extensions": "extensions"}
    for version in ("1.0", "1.1"):
        v11 = version == "1.1"
        head = "metadata/" if v11 else ""
        assert fields(g.GPX, version) == {
            head + "bounds": g.GPXBounds,
            "wpt": g.GPXWaypoint,
            "rte": g.GPXRoute,
            "trk": g.GPXTrack,
            **({"metadata/extensions": "extensions", "extensions": "extensions"} if v11 else {}),
        }
        assert fields(g.GPXBounds, version) == {f"@{a}": ours._float for a in ours.BOUNDS_ATTRIBUTES}
        assert (
            fields(g.GPXWaypoint, version)
            == fields(g.GPXRoutePoint, version)
            == (point_11 if v11 else {**mandatory, **ours.POINT_CHECKS})
        )
        assert fields(g.GPXRoute, version) == {
            **ours.ROUTE_CHECKS,
            "rtept": g.GPXRoutePoint,
            **({"extensions": "extensions"} if v11 else {}),
        }
        assert fields(g.GPXTrack, version) == {
            **ours.TRACK_CHECKS,
            "trkseg": g.GPXTrackSegment,
            **({"extensions": "extensions"} if v11 else {}),
        }
        assert fields(g.GPXTrackSegment, version) == {
            "trkpt": g.GPXTrackPoint,
            **({"extensions": "extensions"} if v11 else {}),
        }
        assert fields(g.GPXTrackPoint, version) == (point_11 if v11 else {**mandatory, **ours.TRKPT_10_CHECKS})


@pytest.mark.fast
def test_gpx_time_stamps_are_read_as_gpxpy_reads_them():
    """Every stamp the fast reader reads itself gives gpxpy's instant and offset; the rest it
    leaves to gpxpy. The common form takes the lookup path."""
    from datetime import timedelta

    from gpxpy.gpxfield import parse_time

    from scapula.runs.gpx import gpx_time, utc_seconds

    common = [
        f"{day}T{h:02}:{m:02}:{s:02}Z"
        for day in ("2026-05-01", "2024-02-29", "1999-12-31", "2038-01-19")
        for h in (0, 5, 23)
        for m in (0, 30, 59)
        for s in (0, 7, 59)
    ]
    others = [
        "2026-05-01T05:30:00.5Z",
        "2026-05-01T05:30:00.123456789Z",
        "2026-05-01T05:30:00+02:00",
        "2026-05-01T05:30:00-0530",
        "2026-05-01T05:30:00+02",
        "2026-05-01 05:30:00Z",
        "2026-05-01T05:30:00",
        "2026-05-01T05:30:00.000001-11:45",
        "2026-12-31T23:59:59.999999-00:01",
        "1970-01-01T00:00:00Z",
        # not the common form though 20 characters long, or not valid: each left to gpxpy
        "2023-02-29T06:00:00Z",
        "2026-05-01T24:00:00Z",
        "2026-05-01T05:60:00Z",
        "2026-05-01T05:30:60Z",
        "2023-W01-1T06:00:00Z",
        "2026-13-01T05:30:00Z",
        "2026-05-00T05:30:00Z",
        "\uff12\uff10\uff12\uff16-05-01T05:30:00Z",
        "2026-5-1T05:30:00Z",
        "2026-05-01T05:30:00Z\n",
        " 2026-05-01T05:30:00Z",
        "2026-05-01T05:30:00z",
        "2026-05-01T05:30:00+24:00",
        "2026-05-01T05:30:00\u221202:00",
        "2026-05-01T05:30:00+2:00",
        "yesterday",
    ]
    read_here = 0
    for text in common + others:
        try:
            reference = parse_time(text)
        except Exception:
            reference = None
        try:
            us, offset = gpx_time(text)
        except ValueError:
            continue  # left to gpxpy
        read_here += 1
        assert reference is not None, text
        if reference.tzinfo is None:
            reference = reference.replace(tzinfo=UTC)
        assert us == (reference - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1), text
        want = int(reference.utcoffset().total_seconds() // 60) or None
        assert offset == want, text
    assert all(utc_seconds(text) is not None for text in common)
    assert read_here == len(common) + 10  # the first ten others are read by the general parser


@pytest.mark.fast
def test_xml_with_a_dtd_is_refused_wherever_its_prolog_ends():
    """TCX XML: a DTD anywhere before the root (past the first piece the probe reads, in
    UTF-16) is refused; broken XML is reported in the C parser's own words."""
    import xml.etree.ElementTree as ET

    from scapula.errors import InputFileError
    from scapula.runs.xmlsafe import parse_xml

    long_comment = "<!--" + "x" * 10_000 + "-->"
    refused = [
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><t>&a;</t>',
        f'<?xml version="1.0"?>{long_comment}<!DOCTYPE t SYSTEM "file:///etc/passwd"><t/>',
        f'<?xml version="1.0" encoding="UTF-16"?>{long_comment}<!DOCTYPE t [<!ENTITY a "a">]><t>&a;</t>',
    ]
    for text in refused:
        data = text.encode("utf-16") if "UTF-16" in text else text.encode()
        with pytest.raises(InputFileError, match="DTD"):
            parse_xml(data, "x.tcx")
    broken = [
        b"<t><u></t>",
        b"<?xml version='1.0'?>",
        b"<t>&undefined;</t>",
        b"junk<t/>",
        b"<t/><!DOCTYPE t>",
        long_comment.encode() + b"<t><u></t>",
    ]
    for data in broken:
        with pytest.raises(ET.ParseError) as reference:
            ET.XML(data)
        with pytest.raises(InputFileError) as ours:
            parse_xml(data, "x.tcx")
        assert ours.value.reason == f"malformed XML ({reference.value})"
    assert parse_xml(long_comment.encode() + b"<t><u>1</u></t>", "x.tcx")[0][0].text == "1"


@pytest.mark.fast
def test_reading_a_file_leaves_the_garbage_collector_as_it_was():
    import gc

    from scapula.errors import InputFileError
    from scapula.runs.sources import read_activities_bytes

    good, bad = gpx_text(steady_run(MAY_5, seconds=60)).encode(), b"<gpx><trk>"
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            assert len(read_activities_bytes("gpx", good, "a.gpx")) == 1
            assert gc.isenabled() is enabled
            with pytest.raises(InputFileError):
                read_activities_bytes("gpx", bad, "b.gpx")
            assert gc.isenabled() is enabled
    finally:
        gc.enable()
