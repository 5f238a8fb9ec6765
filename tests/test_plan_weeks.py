"""The plan on the weeks runners really have, through `scapula plan` and its JSON: the
sessions asked for are placed on ideal days first, then by bending one rule at a time (after
the hard run, then a lighter session on the eve of a key run); each placement names the rule
it bends; a session keeps to its time. The running comes from real GPX / TCX files written
for each constructed week and read by `scapula import`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from tests.activity_files import gpx_text, interval_session, steady_run, tcx_text, write

TODAY = date(2026, 11, 30)  # a Monday
DOW = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STACKED = "bends 'rest or easy days only'"
EVE = "bends 'not the eve of a hard session or long run'"


def plan(cli, *args: str) -> dict:
    result = cli("plan", "--json", "--today", TODAY.isoformat(), *args)
    assert result.code == 0, result.err
    return result.json()


def planned(p: dict) -> list[dict]:
    return [s for s in p["sessions"] if s["status"] == "planned"]


def days(p: dict, week: int = 0) -> list[str]:
    monday = TODAY + timedelta(weeks=week)
    return [
        DOW[date.fromisoformat(s["date"]).weekday()]
        for s in planned(p)
        if monday <= date.fromisoformat(s["date"]) < monday + timedelta(days=7)
    ]


def on(p: dict, weekday: str, week: int = 0) -> dict:
    day = TODAY + timedelta(weeks=week, days=DOW.index(weekday))
    return next(s for s in planned(p) if s["date"] == day.isoformat())


def moves(session: dict) -> list[str]:
    return [i["exercise_id"] for i in session["items"] if i["reps_min"] is not None]


def assert_never_rules(p: dict, races: tuple[date, ...] = ()) -> None:
    """What never bends: one clear day between sessions, nothing on a long-run or race day
    or in the two days before a race; and every bent rule named in the reason."""
    dates = sorted(date.fromisoformat(s["date"]) for s in planned(p))
    for a, b in pairwise(dates):
        assert (b - a).days >= 2, f"{a} and {b}: two days in a row"
    kinds = {d["date"]: d["kind"] for w in p["weeks"] for d in w["days"]}
    for s in planned(p):
        day = date.fromisoformat(s["date"])
        assert kinds[s["date"]] in ("rest", "easy", "hard"), s["reason"]
        assert not any(0 <= (r - day).days <= 2 for r in races), s["reason"]
        nxt = kinds.get((day + timedelta(days=1)).isoformat())
        assert ("stacked" in s["bends"]) == (kinds[s["date"]] == "hard") == (STACKED in s["reason"])
        assert ("eve" in s["bends"]) == (nxt in ("hard", "long", "race")) == (EVE in s["reason"])
        assert s["light"] == ("eve" in s["bends"])
        if s["light"]:  # the lighter session: bands and supermans, two sets, no kettlebell
            assert moves(s) == ["reverse_fly", "superman"]
            assert all(i["sets"] == 2 for i in s["items"] if i["reps_min"] is not None)
        else:
            assert moves(s) == ["reverse_fly", "chainsaw_row", "superman"]
            assert s["minutes"] <= p["max_minutes"]
            if not (s["deload"] or s["race_week"]):
                assert s["minutes"] >= 20


# ------------------------------------------------------------------ declared weeks


def test_tue_thu_hard_and_sunday_long_run_gets_the_sessions_asked_for(cli_db):
    p = plan(cli_db, "--sessions", "3", "--long-run", "sun", "--hard", "tue,thu", "--weeks", "2")
    assert p["strictness"] == "fit" and p["max_minutes"] == 25
    assert_never_rules(p)
    for week in (0, 1):
        assert days(p, week) == ["Tue", "Thu", "Sat"]
    tue, thu, sat = on(p, "Tue"), on(p, "Thu"), on(p, "Sat")
    for s in (tue, thu):
        assert s["reason"].startswith(
            f"{DOW[date.fromisoformat(s['date']).weekday()]}: hard session, after the hard run, never before it"
        )
        assert "to fit 3 sessions this week: hard days stay hard, easy days easy" in s["reason"]
        assert s["bends"] == ["stacked"] and not s["light"]
    assert sat["reason"].startswith("Sat: easy day, eve of the Sun long run, 48 h after Thu")
    assert "no kettlebell" in sat["reason"] and sat["bends"] == ["eve"]
    assert sat["minutes"] < tue["minutes"]
    week = p["weeks"][0]["notes"]
    assert any(
        n.startswith("0 of 3 sessions on ideal days")
        and "Mon: eve of the Tue hard session" in n
        and "Sat: eve of the Sun long run" in n
        for n in week
    )
    # the full session is computed from its dose and kept to 25 min by shorter rests
    assert 20 <= tue["minutes"] <= 25
    assert tue["notes"] == ["rests 30 s instead of 60 s, to keep the session within 25 min"]
    assert {i["rest_s"] for i in tue["items"] if i["reps_min"]} == {30}

    text = cli_db("plan", "--today", TODAY.isoformat(), "--weeks", "1")
    assert text.code == 0, text.err
    out = " ".join(text.out.split())
    assert "Placing: fit what I asked for" in out
    assert "lighter session, 15 min" in out and "session, 25 min" in out
    assert "(rests 30 s instead of 60 s, to keep the session within 25 min)" in out

    two = plan(cli_db, "--sessions", "2", "--weeks", "2")
    assert_never_rules(two)
    assert days(two, 0) == days(two, 1) == ["Tue", "Fri"]
    assert on(two, "Fri")["bends"] == [] and on(two, "Fri")["reason"].startswith("Fri: easy day, 72 h after Tue")


def test_only_ideal_days_gives_fewer_sessions_and_says_why(cli):
    p = plan(cli, "--sessions", "3", "--long-run", "sun", "--hard", "tue,thu", "--strictness", "ideal")
    assert p["strictness"] == "ideal"
    assert days(p) == ["Fri"] and on(p, "Fri")["bends"] == []
    [note] = [n for n in p["weeks"][0]["notes"] if n.startswith("only 1 of 3 sessions fit this week")]
    for blocked in (
        "Mon: eve of the Tue hard session",
        "Tue: hard session",
        "Wed: eve of the Thu hard session",
        "Sat: eve of the Sun long run",
        "Sun: long run",
    ):
        assert blocked in note
    assert "--strictness fit" in note
    assert plan(cli)["strictness"] == "ideal"  # kept
    assert days(plan(cli, "--strictness", "fit")) == ["Tue", "Thu", "Sat"]


def test_a_longer_session_when_the_runner_asks_for_it(cli):
    p = plan(cli, "--sessions", "2", "--minutes", "30")
    s = planned(p)[0]
    assert p["max_minutes"] == 30 and s["notes"] == []
    assert {i["rest_s"] for i in s["items"] if i["reps_min"]} == {60}
    assert 25 < s["minutes"] <= 30
    # refused in the words of the web API: the field's name, then the problem
    for args, words in (
        (["--minutes", "90"], "session_minutes: between 20 and 60"),
        (["--minutes", "lots"], "session_minutes: Input should be a valid integer"),
        (["--strictness", "loose"], "strictness: Input should be 'fit' or 'ideal'"),
    ):
        result = cli("plan", *args)
        assert result.code == 2 and words in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1


def test_back_to_back_hard_days(cli):
    p = plan(cli, "--sessions", "3", "--long-run", "sun", "--hard", "tue,wed", "--weeks", "2")
    assert_never_rules(p)
    assert days(p) == ["Mon", "Wed", "Fri"]
    assert on(p, "Mon")["bends"] == ["eve"] and on(p, "Wed")["bends"] == ["stacked"]
    assert on(p, "Fri")["bends"] == []
    note = next(n for n in p["weeks"][0]["notes"] if "ideal days" in n)
    assert "Tue: hard session and eve of the Wed hard session" in note
    two = plan(cli, "--sessions", "2")
    assert days(two) == ["Wed", "Fri"]


def test_race_week_keeps_the_two_days_before_the_race_free(cli):
    p = plan(
        cli,
        "--sessions",
        "3",
        "--long-run",
        "sun",
        "--hard",
        "tue,thu",
        "--race",
        "2026-12-06=Valencia 10K",
        "--weeks",
        "2",
    )
    race = (date(2026, 12, 6),)
    assert_never_rules(p, race)
    first, _second = p["weeks"]
    assert first["race_week"] and first["target"] == 2
    assert days(p, 0) == ["Tue", "Thu"] and days(p, 1) == ["Tue", "Thu", "Sat"]
    note = next(n for n in first["notes"] if "ideal days" in n)
    assert "Fri: 2 days before Valencia 10K" in note and "Sat: the day before Valencia 10K" in note
    assert all(i["sets"] == 2 for i in on(p, "Thu")["items"] if i["reps_min"])


# ------------------------------------------------------------------ weeks from running files


def _moment(day: date, hour: float) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)


def write_weeks(folder: Path, week: dict[int, list[str]], *, weeks: int = 3) -> Path:
    """The same running week, `weeks` times before TODAY, as files: for each weekday its
    sessions in order ('easy', 'intervals' as TCX with work laps, 'long' 95 min, 'ride')."""
    for w in range(weeks, 0, -1):
        monday = TODAY - timedelta(weeks=w)
        for weekday, sessions in week.items():
            day = monday + timedelta(days=weekday)
            for n, kind in enumerate(sessions):
                start = _moment(day, 6.5 if n == 0 else 16.5)  # 07:30 and 17:30 in Paris
                seed = w * 10 + weekday
                name = f"{day:%Y%m%d}-{n}"
                if kind == "intervals":
                    write(
                        folder / f"{name}.tcx",
                        tcx_text(interval_session(start, seed=seed, name=None), notes="5 x 1 km"),
                    )
                elif kind == "ride":
                    ride = steady_run(start, seconds=3600, speed=7.5, seed=seed, name="Spin")
                    write(folder / f"{name}.gpx", gpx_text(ride, gpx_type="cycling"))
                else:
                    seconds = 5700 if kind == "long" else 2100 if n == 0 else 1800
                    title = "Sunday long" if kind == "long" else "Morning run" if n == 0 else "Evening run"
                    speed = 2.9 if kind == "long" else 3.0
                    run = steady_run(start, seconds=seconds, seed=seed, name=title, speed=speed)
                    write(folder / f"{name}.gpx", gpx_text(run))
    return folder


def imported(cli, tmp_path: Path, week: dict[int, list[str]]) -> None:
    result = cli("import", str(write_weeks(tmp_path / "runs", week)))
    assert result.code == 0, result.err


def test_six_runs_and_a_ride_no_rest_day(cli, tmp_path):
    """Tue intervals, Wed and Thu easy, Fri intervals, Sat easy, Sun long, Mon on the bike."""
    imported(
        cli,
        tmp_path,
        {0: ["ride"], 1: ["intervals"], 2: ["easy"], 3: ["easy"], 4: ["intervals"], 5: ["easy"], 6: ["long"]},
    )
    p = plan(cli, "--sessions", "3", "--tz", "Europe/Paris", "--weeks", "2")
    assert [d["kind"] for d in p["usual_week"]["days"]] == ["easy", "hard", "easy", "easy", "hard", "easy", "long"]
    assert_never_rules(p)
    assert days(p) == ["Mon", "Wed", "Fri"]
    assert on(p, "Wed")["reason"].startswith("Wed: easy day, after your run, 48 h after Mon")
    assert on(p, "Fri")["bends"] == ["stacked"] and on(p, "Mon")["bends"] == ["eve"]
    assert "eve of the Tue hard session" in on(p, "Mon")["reason"]


def test_a_double_run_day_puts_the_session_after_the_second_run(cli, tmp_path):
    imported(cli, tmp_path, {1: ["intervals"], 2: ["easy", "easy"], 3: ["easy"], 5: ["easy"], 6: ["long"]})
    p = plan(cli, "--sessions", "3", "--tz", "Europe/Paris", "--weeks", "2")
    assert [d["kind"] for d in p["usual_week"]["days"]] == ["rest", "hard", "easy", "easy", "rest", "easy", "long"]
    assert_never_rules(p)
    assert days(p) == ["Mon", "Wed", "Fri"]
    assert on(p, "Wed")["reason"].startswith("Wed: easy day, after your second run")
    assert on(p, "Fri")["bends"] == [] and on(p, "Mon")["bends"] == ["eve"]


def test_a_runner_who_runs_twice_every_day_is_told_what_the_plan_cannot_do(cli, tmp_path):
    twice = {d: ["easy", "easy"] for d in range(7)}
    twice[1] = twice[3] = ["intervals", "easy"]
    twice[6] = ["long", "easy"]
    imported(cli, tmp_path, twice)
    p = plan(cli, "--sessions", "3", "--tz", "Europe/Paris", "--weeks", "1")
    assert [d["kind"] for d in p["usual_week"]["days"]] == ["easy", "hard", "easy", "hard", "easy", "easy", "long"]
    assert_never_rules(p)
    assert days(p) == ["Tue", "Thu", "Sat"]
    assert "after the hard run and the day's other run, never before either" in on(p, "Tue")["reason"]
    assert on(p, "Sat")["reason"].startswith("Sat: easy day, after your second run, eve of the Sun long run")
    assert any(
        "you run twice every day" in n and "none can fall on a day off running" in n for n in p["weeks"][0]["notes"]
    )


# ------------------------------------------------------------------ the setting on the setup page


def test_the_setup_page_keeps_how_strictly_to_place_the_sessions(tmp_path):
    import re
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx versions
        from fastapi.testclient import TestClient
    from scapula.web.app import Config, create_app

    client = TestClient(
        create_app(Config(db_url=f"sqlite:///{tmp_path / 'log.db'}", data_dir=tmp_path / "data")),
        base_url="http://127.0.0.1",
    )
    page = client.get("/setup")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert re.search(r'name="strictness" value="fit"\s+checked', page.text)  # the default

    def save(strictness: str):
        return client.post(
            "/setup/week",
            data={
                "csrf_token": csrf,
                "sessions_per_week": "3",
                "long_run_day": "6",
                "hard_days": ["1", "3"],
                "strictness": strictness,
            },
            follow_redirects=False,
        )

    def next_week() -> list[str]:
        monday = date.fromisoformat(client.get("/api/plan?weeks=2").json()["weeks"][1]["monday"])
        sessions = client.get("/api/plan?weeks=2").json()["sessions"]
        return [
            DOW[date.fromisoformat(s["date"]).weekday()]
            for s in sessions
            if s["status"] == "planned" and date.fromisoformat(s["date"]) >= monday
        ]

    assert save("fit").status_code == 303
    assert next_week() == ["Tue", "Thu", "Sat"]
    assert save("ideal").status_code == 303
    assert re.search(r'name="strictness" value="ideal"\s+checked', client.get("/setup").text)
    assert next_week() == ["Fri"]
    refused = save("loose")
    assert refused.status_code == 422
    assert "strictness: Input should be &#39;fit&#39; or &#39;ideal&#39;" in refused.text
    assert re.search(r'name="strictness" value="ideal"\s+checked', client.get("/setup").text)  # unchanged
