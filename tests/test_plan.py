"""The plan: the running week read from runs, the scheduling rules on constructed weeks,
progression decisions from logged sets, and the `scapula plan` command."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from scapula.plan.schedule import Calendar, Scheduler, Strictness
from scapula.plan.week import DayInfo, DayKind, Template, UsualWeek, classify_days, usual_week
from scapula.store.models import Run

MON = date(2026, 11, 30)  # a Monday
UTC = UTC


def week_of(*kinds: str) -> UsualWeek:
    return UsualWeek(
        tuple(DayInfo(MON + timedelta(days=i), DayKind(k), "constructed") for i, k in enumerate(kinds)), "constructed"
    )


def schedule(
    usual: UsualWeek,
    *,
    per_week=2,
    today=MON,
    weeks=1,
    races=None,
    done=(),
    planned=None,
    anchor=MON,
    strictness=Strictness.fit,
):
    cal = Calendar(usual, {}, races or {}, today)
    s = Scheduler(cal, sessions_per_week=per_week, anchor=anchor, strictness=strictness)
    return s.plan(today - timedelta(days=today.weekday()), weeks, done=list(done), planned_before=planned or {})


def days_of(week) -> list[str]:
    return [p.day.strftime("%a") for p in week.planned]


def assert_rules(weeks, usual: UsualWeek, races=(), *, ideal=True):
    """Every placement keeps the rules that never bend; on an ideal day, or (when `ideal`
    is False) naming each rule of the ideal day it bends."""
    placed = sorted(p.day for w in weeks for p in w.sessions if p.status in ("planned", "moved", "done"))
    for a, b in pairwise(placed):
        assert (b - a).days >= 2, f"{a} and {b} are under 48 h apart"
    for w in weeks:
        for p in w.planned:
            kind = usual.kind(p.day.weekday()).kind if p.day not in races else DayKind.race
            assert kind in (DayKind.rest, DayKind.easy, DayKind.hard), p
            assert not any(0 <= (r - p.day).days <= 2 for r in races), p
            nxt = p.day + timedelta(days=1)
            nxt_kind = DayKind.race if nxt in races else usual.kind(nxt.weekday()).kind
            bent = [kind is DayKind.hard, nxt_kind.key]
            if ideal:
                assert not any(bent), f"{p.day} is not an ideal day: {p.reason}"
            assert ("'rest or easy days only'" in p.reason) == bent[0], p.reason
            assert ("'not the eve of a hard session or long run'" in p.reason) == bent[1], p.reason


# ------------------------------------------------------------------ scheduling rules


@pytest.mark.fast
def test_long_run_sunday_keeps_saturday_free_and_prefers_rest_days():
    usual = week_of("rest", "easy", "easy", "easy", "rest", "easy", "long")
    weeks = schedule(usual, weeks=3)
    assert_rules(weeks, usual)
    for w in weeks:
        assert len(w.planned) == 2
        assert "Sat" not in days_of(w) and "Sun" not in days_of(w)
    assert days_of(weeks[0]) == ["Mon", "Fri"] or days_of(weeks[0]) == ["Mon", "Thu"]
    friday = [p for p in weeks[1].planned if p.day.weekday() == 4]
    if friday:
        assert "not before Sun long run" in friday[0].reason


@pytest.mark.fast
def test_three_sessions_spread_over_a_free_week():
    usual = week_of(*["easy"] * 7)
    weeks = schedule(usual, per_week=3, weeks=2)
    assert_rules(weeks, usual)
    assert days_of(weeks[0]) == ["Mon", "Wed", "Fri"]
    assert all(len(w.planned) == 3 for w in weeks)
    assert "48 h after Mon" in weeks[0].planned[1].reason


@pytest.mark.fast
def test_back_to_back_hard_days_leave_one_ideal_slot_and_the_week_says_why():
    usual = week_of("easy", "hard", "hard", "easy", "easy", "easy", "long")
    weeks = schedule(usual, weeks=2, strictness=Strictness.ideal)
    assert_rules(weeks, usual)
    for w in weeks:
        assert set(days_of(w)) <= {"Thu", "Fri"}
    week = weeks[0]
    assert len(week.planned) == 2 or any("only" in n for n in week.notes)
    # Thu and Fri are 24 h apart: the second session cannot fit
    assert len(week.planned) == 1
    note = " ".join(week.notes)
    assert "eve of the Tue hard session" in note and "Sat: eve of the Sun long run" in note


@pytest.mark.fast
def test_a_week_with_no_rest_day_uses_easy_days_away_from_key_runs():
    usual = week_of("easy", "hard", "easy", "easy", "easy", "easy", "long")
    weeks = schedule(usual, weeks=2)
    assert_rules(weeks, usual)
    assert days_of(weeks[0]) == ["Wed", "Fri"]
    for p in weeks[0].planned:
        assert "easy day" in p.reason
    crowded = week_of("easy", "hard", "easy", "easy", "hard", "easy", "long")
    weeks = schedule(crowded, weeks=1, strictness=Strictness.ideal)
    assert days_of(weeks[0]) == ["Wed"]
    assert any(
        n.startswith("only 1 of 2 sessions fit") and "Thu: eve of the Fri hard session" in n and "--strictness fit" in n
        for n in weeks[0].notes
    )
    # fitting what was asked for: the second session goes after Friday's hard run
    weeks = schedule(crowded, weeks=2)
    assert_rules(weeks, crowded, ideal=False)
    assert days_of(weeks[0]) == ["Wed", "Fri"]
    assert not any(n.startswith("only") for n in weeks[0].notes)


@pytest.mark.fast
def test_race_week_is_lighter_and_keeps_the_two_days_before_the_race_free():
    usual = week_of("rest", "easy", "easy", "easy", "rest", "easy", "long")
    race_day = MON + timedelta(days=5)  # Saturday
    races = {race_day: "City 10K"}
    weeks = schedule(usual, per_week=3, races=races, weeks=2)
    assert_rules(weeks, usual, races)
    race_week = weeks[0]
    assert race_week.race_week and race_week.target == 2
    assert len(race_week.planned) <= 2
    for p in race_week.planned:
        assert (race_day - p.day).days > 2 or p.day > race_day
    assert any("race week" in n and "City 10K" in n for n in race_week.notes)
    assert not weeks[1].race_week and weeks[1].target == 3


@pytest.mark.fast
def test_48_hours_hold_across_the_week_boundary():
    usual = week_of(*["easy"] * 7)
    sunday_before = MON - timedelta(days=1)
    weeks = schedule(usual, done=[sunday_before])
    assert weeks[0].planned[0].day >= MON + timedelta(days=1)


@pytest.mark.fast
def test_every_fourth_week_is_a_deload_week():
    usual = week_of(*["easy"] * 7)
    weeks = schedule(usual, weeks=8)
    assert [w.deload for w in weeks] == [False, False, False, True] * 2
    assert any("deload" in n for n in weeks[3].notes)


@pytest.mark.fast
def test_a_missed_session_moves_when_a_day_fits_and_is_dropped_when_none_does():
    usual = week_of("easy", "easy", "easy", "easy", "easy", "easy", "easy")
    wednesday = MON + timedelta(days=2)
    # planned Mon + Thu; Mon missed; today is Wednesday: Wed + Fri/Sat... fit, nothing crammed
    weeks = schedule(usual, today=wednesday, planned={MON: [MON, MON + timedelta(days=3)]})
    week = weeks[0]
    assert_rules(weeks, usual)
    moved = [p for p in week.sessions if p.status == "moved"]
    assert len(moved) == 1 and moved[0].replaces == MON
    assert "stands in for the missed Mon session" in moved[0].reason
    assert any("missed: moved to" in n for n in week.notes)

    tight = week_of("easy", "easy", "easy", "easy", "easy", "hard", "long")
    friday = MON + timedelta(days=4)
    # planned Mon + Wed, both missed, today Friday (eve of Sat hard): no ideal day is left
    weeks = schedule(tight, today=friday, planned={MON: [MON, wednesday]}, strictness=Strictness.ideal)
    week = weeks[0]
    assert not week.planned
    dropped = [p for p in week.sessions if p.status == "dropped"]
    assert [p.day for p in dropped] == [MON, wednesday]
    assert any("dropped, not crammed in" in n and "Fri: eve of the Sat hard session" in n for n in week.notes)


@pytest.mark.fast
def test_a_session_done_on_another_day_stands_in_for_the_planned_one():
    usual = week_of(*["easy"] * 7)
    tuesday, thursday = MON + timedelta(days=1), MON + timedelta(days=3)
    weeks = schedule(usual, today=thursday, done=[tuesday], planned={MON: [MON, thursday]})
    week = weeks[0]
    assert not [p for p in week.sessions if p.status == "dropped"]
    assert [p.day for p in week.sessions if p.status == "done"] == [tuesday]
    assert [p.day for p in week.planned] == [thursday]


# ------------------------------------------------------------------ reading the running week


def run(
    day: date, minutes: float, km: float, *, name=None, laps=(), splits=(), hr=None, sport="running", hour=7
) -> Run:
    return Run(
        started_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour),
        utc_offset_min=60,
        sport=sport,
        sub_sport=None,
        name=name,
        duration_s=minutes * 60,
        distance_m=km * 1000,
        avg_hr=hr,
        laps=list(laps),
        splits=list(splits),
    )


def intervals_laps(work=6, work_pace=240, rest_pace=420):
    laps = [{"duration_s": 900, "distance_m": 900 / 330 * 1000, "intensity": None}]
    for _ in range(work):
        laps.append({"duration_s": 0.8 * work_pace, "distance_m": 800, "intensity": None})
        laps.append({"duration_s": 120, "distance_m": 120 / rest_pace * 1000, "intensity": None})
    return laps


@pytest.mark.fast
def test_long_runs_races_intervals_and_tempo_are_told_apart():
    start = MON - timedelta(weeks=1)
    runs = [
        run(start, 40, 7.3),  # easy
        run(start + timedelta(days=1), 55, 11, laps=intervals_laps()),  # intervals by laps
        run(start + timedelta(days=3), 45, 10.5),  # tempo by pace (4:17 vs ~5:20)
        run(start + timedelta(days=4), 42, 7.8, name="Easy 6x strides"),
        run(start + timedelta(days=5), 25, 5, name="Saturday parkrun"),
        run(start + timedelta(days=6), 105, 19),  # long (> 90 min)
        run(start + timedelta(days=2), 60, 6, sport="cycling"),
    ]
    days = classify_days(runs, UTC)
    kinds = {d.strftime("%a"): info.kind.value for d, info in sorted(days.items())}
    assert kinds == {
        "Mon": "easy",
        "Tue": "hard",
        "Wed": "other",
        "Thu": "hard",
        "Fri": "easy",
        "Sat": "race",
        "Sun": "long",
    }
    assert "intervals" in days[start + timedelta(days=1)].why
    assert "quicker than your usual" in days[start + timedelta(days=3)].why
    assert days[start + timedelta(days=2)].why == "other training: cycling, 1 h 00 min"


@pytest.mark.fast
def test_fartlek_without_laps_shows_in_the_km_splits():
    start = MON - timedelta(weeks=1)
    splits = [{"duration_s": d} for d in (330, 320, 262, 335, 260, 340, 258, 330, 325)]
    steady = [{"duration_s": d} for d in (330, 322, 318, 335, 326, 329, 331, 320, 325)]
    runs = [run(start, 48, 9, splits=splits), run(start + timedelta(days=2), 49, 9, splits=steady)]
    days = classify_days(runs, UTC)
    assert days[start].kind is DayKind.hard and "3 fast bouts" in days[start].why
    assert days[start + timedelta(days=2)].kind is DayKind.easy


@pytest.mark.fast
def test_the_longest_run_of_a_week_is_long_only_when_clearly_longer():
    start = MON - timedelta(weeks=1)
    clear = [run(start, 40, 8), run(start + timedelta(days=2), 45, 9), run(start + timedelta(days=6), 70, 13)]
    days = classify_days(clear, UTC)
    assert days[start + timedelta(days=6)].kind is DayKind.long
    flat = [run(start, 60, 11), run(start + timedelta(days=2), 62, 11.5), run(start + timedelta(days=6), 66, 12)]
    days = classify_days(flat, UTC)
    assert all(info.kind is DayKind.easy for info in days.values())


@pytest.mark.fast
def test_the_file_offset_decides_the_local_day():
    late = run(MON, 30, 6, hour=23)  # 23:00 UTC, 00:00 at +01:00: Tuesday where the runner was
    days = classify_days([late], UTC)
    assert list(days) == [MON + timedelta(days=1)]


@pytest.mark.fast
def test_six_weeks_of_runs_give_the_usual_week_and_a_declared_day_overrides():
    runs = []
    for w in range(1, 7):
        monday = MON - timedelta(weeks=w)
        runs += [
            run(monday + timedelta(days=1), 55, 11, laps=intervals_laps()),
            run(monday + timedelta(days=2), 40, 7.5),
            run(monday + timedelta(days=3), 45, 8.3),
            run(monday + timedelta(days=5), 35, 6.5),
            run(monday + timedelta(days=6), 100, 18),
        ]
    days = classify_days(runs, UTC)
    usual = usual_week(days, today=MON)
    assert [d.kind.value for d in usual.days] == ["rest", "hard", "easy", "easy", "rest", "easy", "long"]
    assert usual.kind(6).why == "long run on 6 of your last 6 Suns"
    declared = usual_week(days, today=MON, template=Template(hard_days=(3,)))
    assert declared.kind(3).kind is DayKind.hard and declared.kind(1).kind is DayKind.hard
    nothing = usual_week({}, today=MON, template=Template(long_run_day=6, hard_days=(1, 3)))
    assert [d.kind.value for d in nothing.days] == ["easy", "hard", "easy", "hard", "easy", "easy", "long"]


# ------------------------------------------------------------------ the command


def plan_json(cli_db, *args):
    result = cli_db("plan", "--json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def log(cli_db, day, move, reps, *, side=None, load=None, rpe=None, hold=None):
    args = ["log", move, "--reps", str(reps), "--date", day.isoformat()]
    if side:
        args += ["--side", side]
    if load:
        args += ["--load", str(load)]
    if rpe:
        args += ["--rpe", str(rpe)]
    if hold:
        args += ["--hold", str(hold)]
    result = cli_db(*args)
    assert result.code == 0, result.err


def test_a_day_named_on_the_command_line_is_a_day_on_the_athletes_clock(cli_db):
    # The machine keeps New York time; the athlete lives 19 hours ahead (UTC+14). Midday
    # of 20 November in New York is already the 21st for them, so a set logged "on the
    # 20th" must be placed at midday of their 20th, and listed on it.
    cli_db.env["TZ"] = "America/New_York"
    assert cli_db("plan", "--tz", "Pacific/Kiritimati").code == 0
    log(cli_db, date(2026, 11, 20), "reverse_fly", 10)
    [performed] = cli_db("history", "--json").json()
    started = datetime.fromisoformat(performed["started_at"])
    assert started == datetime(2026, 11, 20, 12, 0, tzinfo=timezone(timedelta(hours=14)))
    assert "Fri 20 Nov 26 12:00" in cli_db("history").out


def decision(plan, move, side):
    return next(d for d in plan["progression"] if d["exercise_id"] == move and d["side"] == side)


def test_declared_week_plan_has_reasons_and_stable_uids(cli_db):
    today = "2026-11-30"
    plan = plan_json(
        cli_db, "--long-run", "sun", "--hard", "tue", "--rest", "mon,fri", "--today", today, "--weeks", "2"
    )
    planned = [s for s in plan["sessions"] if s["status"] == "planned"]
    assert len(planned) == 4
    for s in planned:
        day = date.fromisoformat(s["date"])
        assert day.strftime("%a") not in ("Mon", "Sat", "Sun", "Tue")  # Mon is Tue's eve
        assert s["reason"].startswith(day.strftime("%a") + ": ")
        assert 15 <= s["minutes"] <= 30
        assert [i["exercise_id"] for i in s["items"]][:3] == ["reverse_fly", "chainsaw_row", "superman"]
    again = plan_json(cli_db, "--today", "2026-12-01")
    assert [s["uid"] for s in again["sessions"] if s["status"] == "planned"][:2] == [s["uid"] for s in planned][:2]


def test_a_missed_session_is_moved_or_dropped_by_the_command(cli_db):
    first = plan_json(cli_db, "--long-run", "sun", "--today", "2026-11-30", "--weeks", "1")
    planned = [s for s in first["sessions"] if s["status"] == "planned"]
    assert [s["date"] for s in planned] == ["2026-11-30", "2026-12-03"]  # Mon and Thu
    later = plan_json(cli_db, "--today", "2026-12-02", "--weeks", "1")  # Mon missed
    week = later["weeks"][0]
    assert any("Mon's session was missed: moved to" in n for n in week["notes"])
    uids = {s["uid"] for s in later["sessions"] if s["status"] == "planned"}
    assert uids == {s["uid"] for s in planned}  # the calendar event moves, no new one


def test_a_race_on_the_list_lightens_its_week(cli_db):
    plan = plan_json(
        cli_db, "--sessions", "3", "--race", "2026-12-06=Valencia 10K", "--today", "2026-11-30", "--weeks", "2"
    )
    first, second = plan["weeks"]
    assert first["race_week"] and first["target"] == 2 and not second["race_week"]
    race_week_sessions = [s for s in plan["sessions"] if s["race_week"] and s["status"] == "planned"]
    assert race_week_sessions and all(s["date"] <= "2026-12-03" for s in race_week_sessions)
    assert all(i["sets"] == 2 for s in race_week_sessions for i in s["items"][:3])


def test_progression_steps_up_when_every_set_tops_the_range(cli_db):
    for kg in ("12", "16"):
        assert cli_db("equipment", "add", "kettlebell", kg).code == 0
    day = date(2026, 11, 23)
    for side, reps in (("left", (12, 12, 12)), ("right", (12, 11, 12))):
        for r in reps:
            log(cli_db, day, "chainsaw_row", r, side=side, load=12, rpe=7)
    plan = plan_json(cli_db, "--today", "2026-11-30")
    left, right = decision(plan, "chainsaw_row", "left"), decision(plan, "chainsaw_row", "right")
    assert left["load_kg"] == 16 and left["reps_target"] == 10 and "step up" in left["why"]
    assert right["load_kg"] == 12 and "same" in right["why"]
    row = next(i for s in plan["sessions"] for i in s["items"] if i["exercise_id"] == "chainsaw_row")
    assert row["load_label"] == "L 16 kg kettlebell / R 12 kg kettlebell"


def test_a_hard_rpe_holds_the_load_and_two_short_sessions_step_it_down(cli_db):
    for band in ("light", "medium", "heavy"):
        assert cli_db("equipment", "add", "band", band).code == 0
    day = date(2026, 11, 16)
    for r, rpe in ((12, 8), (12, 8), (12, 9)):
        log(cli_db, day, "reverse_fly", r, load="medium band", rpe=rpe)
    plan = plan_json(cli_db, "--today", "2026-11-18")
    held = decision(plan, "reverse_fly", "both")
    assert held["load_label"] == "medium band" and "same" in held["why"]
    for day in (date(2026, 11, 19), date(2026, 11, 23)):
        for r in (8, 7, 9):
            log(cli_db, day, "reverse_fly", r, load="heavy band", rpe=9)
    plan = plan_json(cli_db, "--today", "2026-11-25")
    down = decision(plan, "reverse_fly", "both")
    assert down["load_label"] == "medium band" and "step down" in down["why"]


def test_supermans_climb_by_hold_then_the_leg_lift(cli_db):
    day = date(2026, 11, 23)
    for side in ("left", "right"):
        for _ in range(3):
            log(cli_db, day, "superman", 12, side=side, hold=3, rpe=6)
    plan = plan_json(cli_db, "--today", "2026-11-25")
    up = decision(plan, "superman", "left")
    assert up["variant"] == "leg_lift" and up["hold_s"] == 1.5 and "step up" in up["why"]
    item = next(i for i in plan["sessions"][0]["items"] if i["exercise_id"] == "superman")
    assert item["variant"] == "leg_lift" and item["load_label"] == "Opposite leg lift"
    day = date(2026, 11, 25)
    for side in ("left", "right"):
        for _ in range(3):
            log(cli_db, day, "superman", 12, side=side, hold=1.5, load="opposite leg lift")
    plan = plan_json(cli_db, "--today", "2026-11-27")
    assert decision(plan, "superman", "right")["hold_s"] == 2.0
    assert decision(plan, "superman", "right")["variant"] == "leg_lift"


def test_bad_plan_options_are_one_clear_line(cli_db):
    for args, words in (
        (["--hard", "tues,funday"], "funday"),
        (["--race", "13/12/2026"], "13/12/2026"),
        (["--tz", "Mars/Olympus"], "Mars/Olympus"),
        (["--time", "late"], "late"),
    ):
        result = cli_db("plan", *args)
        assert result.code == 2 and words in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_the_plan_exports_to_a_calendar_and_to_watch_workouts(cli_db, tmp_path):
    import icalendar
    from garmin_fit_sdk import Decoder, Stream

    plan = plan_json(cli_db, "--long-run", "sun", "--hard", "wed", "--weeks", "2")
    ics = tmp_path / "scapula.ics"
    result = cli_db("export", "ics", str(ics), "--weeks", "2")
    assert result.code == 0, result.err
    events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    uids = sorted(str(e["UID"]) for e in events)
    assert uids == sorted(f"{s['uid']}@scapula.local" for s in plan["sessions"])
    assert all("Why this day" in str(e["DESCRIPTION"]) for e in events)
    assert cli_db("export", "ics", str(ics), "--weeks", "2").code == 0
    again = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in again) == uids

    out = tmp_path / "fit"
    result = cli_db("export", "fit", str(out), "--weeks", "2")
    assert result.code == 0, result.err
    files = sorted(out.glob("*.fit"))
    upcoming = [s for s in plan["sessions"] if s["status"] == "planned"]
    assert [f.name[:10] for f in files] == [s["date"] for s in upcoming]
    messages, errors = Decoder(Stream.from_file(str(files[0]))).read()
    assert errors == []
    assert messages["workout_mesgs"][0]["sub_sport"] == "strength_training"


def test_export_into_an_impossible_place_is_one_line(cli_db, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = cli_db("export", "ics", str(blocker / "plan.ics"))
    assert result.code == 1 and str(blocker) in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_folder_of_fit_files_gives_a_plan_around_the_running(cli, tmp_path):
    """Three weeks of a runner's watch files: intervals on Tuesday, easy Thursday and
    Saturday, a long run on Sunday. The plan reads that week and keeps the eves free."""
    from tests.activity_files import fit_bytes, interval_session, steady_run, write

    folder = tmp_path / "garmin"
    for week in range(3):
        monday = datetime(2026, 11, 9, 6, 30, tzinfo=UTC) + timedelta(weeks=week)
        day = lambda n, monday=monday: monday + timedelta(days=n)  # noqa: E731
        write(folder / f"w{week}-tue.fit", fit_bytes(interval_session(day(1), offset_min=60, name=None, seed=week)))
        write(folder / f"w{week}-thu.fit", fit_bytes(steady_run(day(3), seconds=2400, offset_min=60, seed=week)))
        write(folder / f"w{week}-sat.fit", fit_bytes(steady_run(day(5), seconds=1800, offset_min=60, seed=week)))
        write(
            folder / f"w{week}-sun.fit",
            fit_bytes(steady_run(day(6), seconds=5700, speed=2.9, offset_min=60, seed=week)),
        )
    result = cli("import", str(folder))
    assert result.code == 0, result.err
    plan = plan_json(cli, "--today", "2026-11-30", "--weeks", "2")
    usual = [d["kind"] for d in plan["usual_week"]["days"]]
    assert usual == ["rest", "hard", "rest", "easy", "rest", "easy", "long"]
    assert "intervals" in plan["weeks"][0]["days"][1]["why"] or "hard" in plan["weeks"][0]["days"][1]["why"]
    planned = [s for s in plan["sessions"] if s["status"] == "planned"]
    assert [date.fromisoformat(s["date"]).strftime("%a") for s in planned] == ["Wed", "Fri"] * 2
    assert planned[0]["reason"] == "Wed: rest day, not before Sun long run"
    assert planned[1]["reason"].startswith("Fri: rest day, 48 h after Wed")
