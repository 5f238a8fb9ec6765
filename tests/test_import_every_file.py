"""Every runner's files through the real `scapula import`: files that used to break the
batch, damaged recordings, sports that are not running, multisport, Apple Health and
both Strava layouts, and a log an earlier import left with values no activity can have.

Fixtures are written here in the real formats (tests/activity_files.py); damaged ones are
real files cut or broken the way a dying battery or a bad transfer leaves them.
"""

from __future__ import annotations

import math
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from tests.activity_files import (
    AppleWorkout,
    apple_health_export,
    apple_hr_samples,
    fit_bytes,
    gpx_text,
    multisport_fit,
    steady_run,
    tcx_text,
    write,
)

JUNE_2 = datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
JUNE_4 = datetime(2026, 6, 4, 17, 30, tzinfo=UTC)
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)


def runs(cli) -> list[dict]:
    result = cli("runs", "--json")
    assert result.code == 0, result.err
    return result.json()


def lines(text: str) -> list[str]:
    return [line for line in text.strip().splitlines() if line]


def walk(start: datetime, seconds: int, speed: float, sport: str = "walking", **kw):
    w = steady_run(start, seconds=seconds, speed=speed, **kw)
    w.sport = sport
    return w


# ---------------------------------------------------------------- one file never breaks the batch


def test_zwift_zero_local_time_and_a_gpx_of_one_instant_never_break_the_log(cli_db, tmp_path):
    zwift = write(
        tmp_path / "1-zwift.fit",
        fit_bytes(steady_run(JUNE_2, seconds=1800, sub_sport="virtual_activity"), local_timestamp=0),
    )
    w = steady_run(JUNE_4, seconds=600)
    instant = gpx_text(w)
    for i in range(1, len(w.t)):  # every point at the first point's time, to within a millisecond
        instant = instant.replace(
            f"<time>{w.at(i):%Y-%m-%dT%H:%M:%SZ}</time>", f"<time>{w.at(0):%Y-%m-%dT%H:%M:%S}.{i % 1000:03d}Z</time>", 1
        )
    same_time = write(tmp_path / "2-one-instant.gpx", instant)
    later = write(tmp_path / "3-later.tcx", tcx_text(steady_run(JUNE_4 + timedelta(days=1), seconds=1500)))
    result = cli_db("import", str(zwift), str(same_time), str(later))
    assert result.code == 0, result.err
    assert "Traceback" not in result.err + result.out
    assert "imported 2 runs (0 duplicates, 1 skipped)" in result.out
    [line] = lines(result.err)  # its points lie within one second
    assert line.startswith(f"{same_time}: a fragment of 0:00:01 and ") and line.endswith(
        " too short to be an activity (skipped)"
    )
    stored = runs(cli_db)
    assert [r["source_kind"] for r in stored] == ["fit", "tcx"]
    assert stored[0]["utc_offset_min"] is None and stored[0]["sub_sport"] == "virtual_activity"
    listing = cli_db("runs")
    assert listing.code == 0 and len(lines(listing.out)) == 2


def test_dates_no_activity_can_have_are_refused_and_device_times_are_set_on_the_calendar(cli, tmp_path):
    # an old Forerunner: every time counts from its power-on; the file's creation time is a date
    device = steady_run(FIT_EPOCH + timedelta(seconds=5000), seconds=1200)
    anchored = write(tmp_path / "forerunner.fit", fit_bytes(device, with_local_timestamp=False, time_created=JUNE_2))
    lost = write(tmp_path / "no-date.fit", fit_bytes(device, with_local_timestamp=False))
    in_2031 = steady_run(datetime(2031, 1, 1, tzinfo=UTC), seconds=900)
    future = write(tmp_path / "future.gpx", gpx_text(in_2031))
    old = write(tmp_path / "1985.tcx", tcx_text(steady_run(datetime(1985, 6, 1, tzinfo=UTC), seconds=900)))
    result = cli("import", str(anchored), str(lost), str(future), str(old))
    assert result.code == 1
    assert "imported 1 run (0 duplicates, 3 skipped)" in result.out
    reasons = dict(line.split(": ", 1) for line in lines(result.err))
    assert reasons[str(lost)] == (
        "its times count from the watch's power-on and it holds no date to set them by (the watch's clock was not set)"
    )
    assert reasons[str(future)] == "dated 2031-01-01, in the future (the device's clock was wrong)"
    assert reasons[str(old)].startswith("dated 1985-06-01, before any watch recorded a run")
    [run] = runs(cli)
    assert run["started_at"] == JUNE_2.isoformat() and run["duration_s"] == 1200


def test_files_without_distance_come_in_with_their_time_and_heart_rate(cli, tmp_path):
    w = steady_run(JUNE_2, seconds=57 * 60, sub_sport="treadmill")
    hr_only = write(tmp_path / "treadmill.fit", fit_bytes(w, with_distance=False))
    indoor = tcx_text(steady_run(JUNE_4, seconds=1800))
    for tag in ("Position", "DistanceMeters"):  # an indoor TCX: no positions, no distances
        indoor = re.sub(rf"<{tag}>.*?</{tag}>", "", indoor)
    indoor_tcx = write(tmp_path / "indoor.tcx", indoor)
    result = cli("import", str(hr_only), str(indoor_tcx))
    assert result.code == 0, result.err
    assert "cannot be read" not in result.err
    treadmill, tcx = runs(cli)
    assert (treadmill["sport"], treadmill["sub_sport"], treadmill["duration_s"]) == ("running", "treadmill", 3420)
    assert treadmill["distance_m"] is None and treadmill["splits"] == []
    assert treadmill["avg_hr"] == round(sum(w.hr) / len(w.hr))
    assert tcx["duration_s"] == pytest.approx(1800, abs=1) and tcx["distance_m"] is None and tcx["avg_hr"] > 100


# ---------------------------------------------------------------- damaged recordings keep what they hold


def _expected_km(w, seconds: float) -> float:
    return w.dist[int(seconds)] / 1000


def test_files_cut_by_a_dying_battery_keep_what_was_recorded(cli, tmp_path):
    w = steady_run(JUNE_2, seconds=3600)
    fit, gpx, tcx = fit_bytes(w), gpx_text(w).encode(), tcx_text(w).encode()
    cut = {
        "cut.fit": fit[: len(fit) * 9 // 10],
        "cut.gpx": gpx[: len(gpx) * 9 // 10],
        "cut.tcx": tcx[: len(tcx) * 9 // 10],
    }
    for number, (name, data) in enumerate(cut.items()):
        path = write(tmp_path / name, data)
        result = cli("import", str(path))
        assert result.code == 0, result.err
        [remark] = [line for line in lines(result.out) if line.startswith(f"{path}: ")]
        stored = runs(cli)
        assert len(stored) == number + 1 or "duplicate" in remark  # the same run from another file
        if "duplicate" in remark:
            continue
        run = stored[-1]
        reached = run["duration_s"]
        assert 0.8 * 3600 < reached < 3600
        clock = f"{int(reached) // 3600}:{int(reached) % 3600 // 60:02d}:{int(reached) % 60:02d}"
        assert remark == (
            f"{path}: truncated at {clock} of recording — imported what was there ({run['distance_m'] / 1000:.1f} km)"
        )
        assert run["distance_m"] / 1000 == pytest.approx(_expected_km(w, reached), abs=0.02)
        assert len(run["splits"]) == math.ceil(run["distance_m"] / 1000)


def test_damaged_fit_files_unfinished_bad_checksum_and_broken_mid_way(cli, tmp_path):
    import struct

    w = steady_run(JUNE_2, seconds=2 * 3600)
    good = fit_bytes(w)
    unfinished = bytearray(good[:-2])  # recording never closed: size 0 in the header, no checksum
    unfinished[4:8] = struct.pack("<I", 0)
    bad_crc = good[:-2] + bytes([good[-2] ^ 0xFF, good[-1]])
    # bytes lost from the middle of the record stream: the session summary at the end is whole
    middle = len(good) // 2
    broken = good[:middle] + good[middle + 7 :]
    for name, data, words in (
        ("unfinished.fit", bytes(unfinished), "never closed (an unfinished recording)"),
        ("bad-crc.fit", bad_crc, "fails its checksum — imported what was there"),
        ("broken.fit", broken, "damaged at "),
    ):
        run_cli = cli.__class__({**cli.env, "SCAPULA_DATA_DIR": str(tmp_path / f"data-{name}")})
        path = write(tmp_path / name, data)
        result = run_cli("import", str(path))
        assert result.code == 0, (name, result.err)
        assert words in result.out, (name, result.out)
        [run] = runs(run_cli)
        if name == "broken.fit":
            assert "its summary read past the damage" in result.out
        # what the file states of the whole recording, or of what was saved before the damage
        assert run["duration_s"] == pytest.approx(w.moving_s, abs=2), name
        assert run["distance_m"] == pytest.approx(w.distance_m, abs=5), name


# ---------------------------------------------------------------- not everything is a run


def test_sports_are_kept_and_files_without_one_get_it_from_their_speed(cli, tmp_path):
    folder = tmp_path / "mixed"
    hike = walk(JUNE_2, 7200, 1.1, sport="hiking")
    write(folder / "1-hike.fit", fit_bytes(hike))
    write(folder / "2-ride.fit", fit_bytes(walk(JUNE_2 + timedelta(days=1), 3600, 8.0, sport="cycling")))
    write(folder / "3-walk-other.gpx", gpx_text(walk(JUNE_2 + timedelta(days=2), 1800, 1.4), gpx_type="Other"))
    write(folder / "4-rowing.tcx", tcx_text(walk(JUNE_2 + timedelta(days=3), 2700, 0.37), sport="Other"))
    write(folder / "5-fragment.gpx", gpx_text(steady_run(JUNE_2 + timedelta(days=4), seconds=1)))
    zero_hr = gpx_text(steady_run(JUNE_2 + timedelta(days=5), seconds=1200), gpx_type=None)
    write(folder / "6-strap-off.gpx", re.sub(r"<gpxtpx:hr>\d+</gpxtpx:hr>", "<gpxtpx:hr>0</gpxtpx:hr>", zero_hr))
    # a planned route: 20 km stamped a second apart
    route = steady_run(datetime(2010, 1, 1, tzinfo=UTC), seconds=120, speed=170.0)
    write(folder / "7-route.gpx", gpx_text(route, gpx_type=None, with_hr=False))
    result = cli("import", str(folder))
    assert result.code == 0, result.err
    assert "imported 5 runs (0 duplicates, 2 skipped)" in result.out
    err = dict(line.split(": ", 1) for line in lines(result.err))
    assert err[str(folder / "5-fragment.gpx")] == "a fragment of 0:00:01 and 3 m, too short to be an activity (skipped)"
    assert "a planned route, not a recording" in err[str(folder / "7-route.gpx")]
    out = dict(line.split(": ", 1) for line in lines(result.out) if line.startswith(str(folder)))
    assert out[str(folder / "3-walk-other.gpx")].startswith(
        "the file names no sport: taken as walking from its pace, 11:5"
    )
    rowing = out[str(folder / "4-rowing.tcx")]  # 0.37 m/s: 45 min/km
    assert rowing.startswith("the file names no sport: kept as other training (its pace, 45:0")
    assert rowing.endswith(" /km is no run or walk)")
    assert out[str(folder / "6-strap-off.gpx")].startswith("the file names no sport: taken as running")
    stored = {r["source_name"].rpartition("/")[2]: r for r in runs(cli)}
    assert {name: stored[name]["sport"] for name in stored} == {
        "1-hike.fit": "hiking",
        "2-ride.fit": "cycling",
        "3-walk-other.gpx": "walking",
        "4-rowing.tcx": "other",
        "6-strap-off.gpx": "running",
    }
    assert stored["6-strap-off.gpx"]["avg_hr"] is None and stored["6-strap-off.gpx"]["max_hr"] is None
    assert all(s["avg_hr"] is None for s in stored["6-strap-off.gpx"]["splits"])


# ---------------------------------------------------------------- multisport


def test_a_multisport_fit_is_one_activity_with_legs_each_with_its_own_splits(cli, tmp_path):
    bike = walk(JUNE_2, 3600, 8.0, sport="cycling")
    run = steady_run(JUNE_2 + timedelta(seconds=3600 + 120), seconds=2700, offset_min=0)
    path = write(tmp_path / "duathlon.fit", multisport_fit([bike, run], transition_s=120))
    result = cli("import", str(path))
    assert result.code == 0, result.err
    assert "imported 1 run" in result.out
    [stored] = runs(cli)
    assert stored["sport"] == "multisport"
    assert [leg["sport"] for leg in stored["legs"]] == ["cycling", "running"]  # the transition is no leg
    ride, leg = stored["legs"]
    assert leg["start_s"] == pytest.approx(3720, abs=1)
    assert leg["distance_m"] == pytest.approx(run.distance_m, abs=1)
    assert len(leg["splits"]) == math.ceil(run.distance_m / 1000)
    assert all(s["duration_s"] > 250 for s in leg["splits"][:-1])  # counted from the leg's own start
    assert len(ride["splits"]) == math.ceil(bike.distance_m / 1000)
    assert stored["duration_s"] == pytest.approx(bike.moving_s + run.moving_s, abs=1)
    assert stored["distance_m"] == pytest.approx(bike.distance_m + run.distance_m, abs=2)


def test_a_multisport_tcx_is_read_as_legs(cli, tmp_path):
    bike = walk(JUNE_4, 1800, 7.5, sport="cycling")
    run = steady_run(JUNE_4 + timedelta(seconds=1900), seconds=1500)
    first = tcx_text(bike, sport="Biking")
    second = tcx_text(run)

    def activity(text: str) -> str:
        return text[text.index("<Activity ") : text.index("</Activity>") + len("</Activity>")]

    multi = (
        first[: first.index("<Activities>") + len("<Activities>")]
        + f"<MultiSportSession><Id>{JUNE_4:%Y-%m-%dT%H:%M:%SZ}</Id><FirstSport>{activity(first)}</FirstSport>"
        + f'<NextSport><Transition StartTime="{bike.at(len(bike.t) - 1):%Y-%m-%dT%H:%M:%SZ}">'
        + "<TotalTimeSeconds>99</TotalTimeSeconds><DistanceMeters>0</DistanceMeters><Calories>5</Calories>"
        + "<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod></Transition>"
        + f"{activity(second)}</NextSport></MultiSportSession></Activities></TrainingCenterDatabase>"
    )
    path = write(tmp_path / "brick.tcx", multi)
    result = cli("import", str(path))
    assert result.code == 0, result.err
    [stored] = runs(cli)
    assert stored["sport"] == "multisport" and [leg["sport"] for leg in stored["legs"]] == ["cycling", "running"]
    assert len(stored["legs"][1]["splits"]) == math.ceil(run.distance_m / 1000)


# ---------------------------------------------------------------- Apple Health


def apple_workouts() -> list[AppleWorkout]:
    outdoor = steady_run(JUNE_2, seconds=2400, offset_min=120)
    treadmill = steady_run(JUNE_2 + timedelta(days=1), seconds=1800, offset_min=120)
    stroll = walk(JUNE_2 + timedelta(days=2), 2400, 1.35)
    stroll.offset_min = 120
    other = walk(JUNE_2 + timedelta(days=3), 3600, 1.1)
    other.offset_min = 120
    yoga = steady_run(JUNE_2 + timedelta(days=4), seconds=1800, speed=0.0, offset_min=120)
    return [
        AppleWorkout("Running", outdoor, energy_kcal=512.5),
        AppleWorkout("Running", treadmill, indoor=True, statistics=True),
        AppleWorkout("Walking", stroll, statistics=True),
        AppleWorkout("Other", other),
        AppleWorkout("Yoga", yoga, route=False),
    ]


def test_an_apple_health_export_brings_its_workouts_with_heart_rate_and_routes(cli_db, tmp_path):
    workouts = apple_workouts()
    export = apple_health_export(tmp_path / "unzipped", workouts)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(export.rglob("*")):
            z.write(path, path.relative_to(export.parent).as_posix())
    result = cli_db("import", str(archive))
    assert result.code == 0, result.err
    assert "imported 5 runs (0 duplicates, 0 skipped)" in result.out
    assert f"{archive}:apple_health_export/export.xml: the file names no sport: taken as walking" in result.out
    stored = runs(cli_db)
    assert [(r["sport"], r["sub_sport"]) for r in stored] == [
        ("running", None),
        ("running", "treadmill"),
        ("walking", None),
        ("walking", None),
        ("training", "yoga"),
    ]
    run, treadmill, _stroll, _, yoga = stored
    outdoor = workouts[0]
    assert run["started_at"] == JUNE_2.isoformat() and run["utc_offset_min"] == 120
    assert run["local_start"] == "2026-06-02T07:00:00+02:00"
    assert run["duration_s"] == pytest.approx(outdoor.w.moving_s, abs=0.5)
    assert run["distance_m"] == pytest.approx(outdoor.w.distance_m, abs=0.01)
    samples = apple_hr_samples(outdoor)  # the records in its window, not the resting one before
    assert run["avg_hr"] == pytest.approx(sum(samples) / len(samples), abs=0.01)
    assert run["max_hr"] == max(samples) and run["energy_kcal"] == 512.5
    assert len(run["splits"]) == math.ceil(outdoor.w.distance_m / 1000)  # from its route
    assert all(s["avg_hr"] is not None for s in run["splits"])  # heart rate joined along the route
    assert run["name"] is None  # not "Route ..."
    assert treadmill["distance_m"] == pytest.approx(workouts[1].w.distance_m, abs=0.01)
    assert treadmill["splits"] == [] and treadmill["energy_kcal"] == 300.0
    assert yoga["distance_m"] is None and yoga["avg_hr"] is not None
    # again, as the folder holding the unzipped export (and below the folder named): the
    # same workouts, and none of its route files as runs of their own
    again = cli_db("import", str(tmp_path / "unzipped"))
    assert again.code == 0, again.err
    assert "imported 0 runs (5 duplicates, 0 skipped)" in again.out
    assert len(runs(cli_db)) == 5


def test_apple_health_export_xml_alone_and_broken(cli, tmp_path):
    export = apple_health_export(tmp_path / "e", apple_workouts()[1:2])
    result = cli("import", str(export / "export.xml"))
    assert result.code == 0, result.err
    assert [r["sub_sport"] for r in runs(cli)] == ["treadmill"]
    entity = write(
        tmp_path / "x" / "export.xml",
        '<?xml version="1.0"?><!DOCTYPE HealthData [<!ENTITY a "aaaa">]><HealthData>&a;</HealthData>',
    )
    other = write(tmp_path / "y" / "export.xml", "<Something/>")
    result = cli("import", str(entity), str(other))
    assert result.code == 1
    assert lines(result.err) == [
        f"{entity}: XML with entity declarations is refused",
        f"{other}: not an Apple Health export (its root element is <Something>)",
    ]


# ---------------------------------------------------------------- Strava layouts


def test_the_2018_strava_layout_and_an_export_below_the_folder_named(cli, tmp_path):
    root = tmp_path / "downloads" / "export_2018"
    write(root / "activities" / "1.gpx", gpx_text(steady_run(JUNE_2, seconds=1500), gpx_type=None))
    write(root / "activities" / "2.tcx", tcx_text(steady_run(JUNE_4, seconds=1500)))
    write(
        root / "activities.csv",
        "\n".join(
            [
                "id,date,name,type,description,elapsed_time,distance,commute,gear,filename",
                f'11,{JUNE_2:%Y-%m-%d %H:%M:%S},Morning Run,Run,"",1500,4650.0,false,,activities/1.gpx',
                f'12,{JUNE_4:%Y-%m-%d %H:%M:%S},Evening jog,Run,"",1500,4650.0,false,,activities/2.tcx',
                '13,2026-06-05 07:00:00,Treadmill,Run,"",1800,5200.0,false,,',
                '14,2026-06-06 07:00:00,Hike up,Hike,"",7200,9000.0,false,,',
            ]
        )
        + "\n",
    )
    result = cli("import", str(tmp_path / "downloads"))
    assert result.code == 0, result.err
    assert "imported 4 runs (0 duplicates, 0 skipped)" in result.out
    stored = runs(cli)
    assert [r["name"] for r in stored] == ["Morning Run", "Evening jog", "Treadmill", "Hike up"]
    assert [r["sport"] for r in stored] == ["running", "running", "running", "hiking"]
    assert stored[2]["distance_m"] == 5200.0 and stored[2]["external_id"] == "13"  # metres in this layout


def test_a_strava_csv_that_cannot_be_read_leaves_the_files_to_come_in_alone(cli, tmp_path):
    root = tmp_path / "export"
    write(root / "activities" / "1.fit", fit_bytes(steady_run(JUNE_2, seconds=1500)))
    write(root / "activities.csv", "Activity Identifier;When;What\n1;2026;Run\n")
    result = cli("import", str(root))
    assert result.code == 0, result.err
    assert lines(result.err) == [
        f"{root / 'activities.csv'}: not a Strava activities.csv (no column 'Activity ID', "
        "'Activity Date', 'Activity Type'); the activity files are imported without it "
        "(skipped)"
    ]
    assert [r["source_kind"] for r in runs(cli)] == ["fit"]


# ---------------------------------------------------------------- the web upload, the same importer


def test_the_web_upload_salvages_and_reads_apple_health(tmp_path):
    from fastapi.testclient import TestClient

    from scapula.web.app import Config, create_app

    app = create_app(Config(db_url=f"sqlite:///{tmp_path / 'log.db'}", data_dir=tmp_path / "data"))
    client = TestClient(app, base_url="http://127.0.0.1")
    h = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    w = steady_run(JUNE_2 - timedelta(days=3), seconds=1800)
    fit = fit_bytes(w)
    r = client.post("/api/import", headers=h, files=[("files", ("cut.fit", fit[: len(fit) * 9 // 10], "x/fit"))])
    assert r.status_code == 200, r.text
    [file] = r.json()["files"]
    assert file["status"] == "imported" and file["message"].startswith("truncated at 0:2")
    assert "imported what was there" in file["message"]
    export = apple_health_export(tmp_path / "a", apple_workouts()[:2])
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(export.rglob("*")):
            z.write(path, path.relative_to(export.parent).as_posix())
    upload = ("export.zip", archive.read_bytes(), "application/zip")
    r = client.post("/api/import", headers=h, files=[("files", upload)])
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 2
    zwift = fit_bytes(steady_run(JUNE_4, seconds=1200), local_timestamp=0)
    r = client.post("/api/import", headers=h, files=[("files", ("zwift.fit", zwift, "x/fit"))])
    assert r.status_code == 200 and r.json()["imported"] == 1
    assert client.get("/api/athlete").json()["runs_imported"] == 4


# ---------------------------------------------------------------- a log repaired by its migration


def test_a_log_holding_values_no_activity_can_have_is_repaired(db_url, tmp_path):
    import sqlalchemy as sa
    from alembic import command

    from scapula.store.db import alembic_config, make_engine
    from tests.conftest import Cli, _base_env

    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0004")
    meta = sa.MetaData()
    athlete = sa.Table("athlete", meta, autoload_with=engine)
    run = sa.Table("run", meta, autoload_with=engine)
    row = dict(
        sha256="a" * 64,
        source_name="zwift.fit",
        source_kind="fit",
        sport="running",
        duration_s=1800.0,
        distance_m=6000.0,
        laps=[],
        splits=[],
        imported_at=JUNE_4,
    )
    with engine.begin() as c:
        c.execute(
            athlete.insert().values(
                id=1, name="me", sessions_per_week=2, goal="", created_at=JUNE_2, hard_days=[], rest_days=[]
            )
        )
        c.execute(
            run.insert().values(
                athlete_id=1,
                started_at=JUNE_2,
                utc_offset_min=-14_200_000,
                elapsed_s=-5.0,
                avg_hr=0.0,
                max_hr=0.0,
                **row,
            )
        )
        c.execute(
            run.insert().values(
                athlete_id=1,
                started_at=datetime(1970, 1, 1, 0, 20, tzinfo=UTC),
                utc_offset_min=None,
                **{**row, "sha256": "b" * 64},
            )
        )
    engine.dispose()
    env = _base_env(tmp_path)
    env["SCAPULA_DB"] = db_url
    cli = Cli(env)
    listing = cli("runs")
    assert listing.code == 0, listing.err
    assert "Traceback" not in listing.err
    [repaired] = runs(cli)
    assert repaired["started_at"] == JUNE_2.isoformat()
    assert (repaired["utc_offset_min"], repaired["elapsed_s"], repaired["avg_hr"], repaired["max_hr"]) == (
        None,
        None,
        None,
        None,
    )
    assert repaired["legs"] == [] and repaired["energy_kcal"] is None
    assert repaired["distance_m"] == 6000.0 and repaired["duration_s"] == 1800.0
