"""The web app's JSON API and its safety rules, through the ASGI client (no server process):
each test has its own SQLite file and data dir."""

from __future__ import annotations

import gzip
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.activity_files import fit_bytes, gpx_text, steady_run

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx versions
    from fastapi.testclient import TestClient

from scapula.web.app import Config, create_app


def make_client(tmp_path: Path, **config) -> TestClient:
    app = create_app(Config(db_url=f"sqlite:///{tmp_path / 'log.db'}", data_dir=tmp_path / "data", **config))
    return TestClient(app, base_url="http://127.0.0.1")


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return make_client(tmp_path)


def token(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}


def test_setup_through_the_api(client: TestClient) -> None:
    h = token(client)
    assert client.post("/api/equipment", json={"kind": "band", "value": "medium"}, headers=h).status_code == 201
    bell = client.post("/api/equipment", json={"kind": "kettlebell", "value": "12 kg"}, headers=h).json()
    assert bell["label"] == "12 kg kettlebell" and bell["kg"] == 12
    r = client.post("/api/equipment", json={"kind": "kettlebell", "value": "heavy"}, headers=h)
    assert r.status_code == 422 and "kettlebell weight must be kg" in r.json()["detail"]
    r = client.patch(
        "/api/athlete",
        headers=h,
        json={
            "sessions_per_week": 3,
            "long_run_day": "sun",
            "hard_days": ["tue"],
            "rest_days": ["fri"],
            "session_time": "07:30",
            "timezone": "Europe/Paris",
            "goal": "stand tall",
        },
    )
    assert r.status_code == 200, r.text
    athlete = r.json()
    assert athlete["long_run_day"] == "sun" and athlete["hard_days"] == ["tue"]
    assert athlete["session_time"] == "07:30" and athlete["timezone"] == "Europe/Paris"
    assert [e["label"] for e in athlete["equipment"]] == ["medium band", "12 kg kettlebell"]
    r = client.patch("/api/athlete", headers=h, json={"timezone": "../../etc/passwd"})
    assert r.status_code == 422 and "not a time zone name" in r.json()["detail"]
    r = client.patch("/api/athlete", headers=h, json={"long_run_day": None})
    assert r.json()["long_run_day"] is None and r.json()["hard_days"] == ["tue"]  # the rest kept
    race = client.post(
        "/api/races", headers=h, json={"day": str(date.today() + timedelta(weeks=5)), "name": "Spring Half"}
    ).json()
    assert client.get("/api/athlete").json()["races"][0]["name"] == "Spring Half"
    assert client.delete(f"/api/races/{race['id']}", headers=h).status_code == 204
    r = client.delete(f"/api/races/{race['id']}", headers=h)
    assert r.status_code == 404 and str(race["id"]) in r.json()["detail"]
    assert client.delete(f"/api/equipment/{bell['id']}", headers=h).status_code == 204
    assert [e["label"] for e in client.get("/api/equipment").json()] == ["medium band"]


def test_plan_reasons_and_exports(client: TestClient) -> None:
    h = token(client)
    client.post("/api/equipment", json={"kind": "band", "value": "medium"}, headers=h)
    client.patch("/api/athlete", headers=h, json={"long_run_day": "sun", "hard_days": ["tue"]})
    plan = client.get("/api/plan?weeks=2").json()
    assert plan["usual_week"]["source"]
    planned = [s for s in plan["sessions"] if s["status"] == "planned"]
    assert planned and all(s["reason"] for s in planned)
    fly = next(i for i in planned[0]["items"] if i["exercise_id"] == "reverse_fly")
    assert fly["load_label"] == "medium band" and "first session" in fly["why"]
    ics = client.get("/api/export/calendar.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.count("BEGIN:VEVENT") == len([s for s in client.get("/api/plan?weeks=4").json()["sessions"]])
    # downloading again updates the calendar: same UIDs; SEQUENCE kept while nothing changed,
    # one higher on the events that changed
    from icalendar import Calendar

    def events(text: str) -> dict[str, int]:
        return {str(e["UID"]): int(e["SEQUENCE"]) for e in Calendar.from_ical(text).walk("VEVENT")}

    first = events(ics.text)
    assert set(first.values()) == {0}
    assert events(client.get("/api/export/calendar.ics").text) == first
    client.patch("/api/athlete", headers=h, json={"session_time": "06:45"})
    moved = events(client.get("/api/export/calendar.ics").text)
    assert moved.keys() == first.keys() and set(moved.values()) == {1}
    fit = client.get("/api/export/workouts.zip")
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(fit.content)).namelist()
    assert names and all(n.endswith("-scapula-upper-back.fit") for n in names)
    assert client.get("/api/plan?weeks=13").status_code == 422


def test_guided_session_logs_each_set_and_survives_a_restart(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    h = token(client)
    client.post("/api/equipment", json={"kind": "band", "value": "light"}, headers=h)
    guide = client.post("/api/sessions", headers=h).json()
    session_id = guide["session"]["id"]
    step = guide["next"]
    assert step["exercise_id"] == "reverse_fly" and step["load"] == "light band"
    assert step["target_reps"] == {"both": 10} and step["cues"]
    # the same open session comes back, not a second one
    assert client.post("/api/sessions", headers=h).json()["session"]["id"] == session_id
    for reps in (12, 11):
        r = client.post(
            f"/api/sessions/{session_id}/sets",
            headers=h,
            json={"exercise_id": "reverse_fly", "reps": reps, "load": "light band", "rpe": 8},
        )
        assert r.status_code == 201, r.text
    r = client.post(
        f"/api/sessions/{session_id}/sets",
        headers=h,
        json={"exercise_id": "chainsaw_row", "side": "left", "reps": 10, "load": "12"},
    )
    assert r.json()["load_kg"] == 12
    guide = client.get(f"/api/sessions/{session_id}").json()
    assert guide["steps_done"] == 3 and guide["next"]["set_number"] == 3  # fly 1, 2 and row left 1
    assert 0 < guide["next"]["rest_left_s"] <= 60  # the rest after set 2 is running

    # a new app on the same database: every set is there, the flow resumes where it was
    again = make_client(tmp_path)
    kept = again.get(f"/api/sessions/{session_id}").json()
    assert [(s["exercise"], s["set"], s["reps"]) for s in kept["session"]["sets"]] == [
        ("reverse_fly", 1, 12),
        ("reverse_fly", 2, 11),
        ("chainsaw_row", 1, 10),
    ]
    assert kept["next"]["exercise_id"] == "reverse_fly" and kept["next"]["set_number"] == 3
    h2 = token(again)
    done = again.post(f"/api/sessions/{session_id}/finish", headers=h2, json={"completed": False}).json()
    assert done["ended_at"] and done["completed"] is False
    r = again.post(f"/api/sessions/{session_id}/sets", headers=h2, json={"exercise_id": "reverse_fly", "reps": 5})
    assert r.status_code == 422 and "finished" in r.json()["detail"]
    assert again.get("/api/sessions").json()[0]["id"] == session_id


def test_a_session_is_dated_on_the_athletes_own_clock(client: TestClient) -> None:
    # a time zone whose calendar day differs from UTC's right now (one of the two always does)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    utc_day = datetime.now(UTC).date()
    zone = next(
        z
        for z in ("Pacific/Kiritimati", "Etc/GMT+12")  # UTC+14, UTC-12
        if datetime.now(ZoneInfo(z)).date() != utc_day
    )
    local_day = datetime.now(ZoneInfo(zone)).date()
    h = token(client)
    assert client.patch("/api/athlete", headers=h, json={"timezone": zone}).status_code == 200
    session_id = client.post("/api/sessions", headers=h).json()["session"]["id"]
    client.post(f"/api/sessions/{session_id}/sets", headers=h, json={"exercise_id": "reverse_fly", "reps": 10})
    client.post(f"/api/sessions/{session_id}/finish", headers=h, json={"completed": True})
    assert "Today's session is done" in client.get("/session").text
    progress = client.get("/progress").text
    assert f'">{local_day:%a %d %b} ' in progress and f'">{utc_day:%a %d %b} ' not in progress  # recent sessions
    # an imported run is listed on the athlete's day too
    start = datetime.now(UTC).replace(hour=11, minute=30) - timedelta(days=3)
    gpx = gpx_text(steady_run(start, seconds=1800)).encode()
    runs = client.post("/api/import", headers=h, files=[("files", ("run.gpx", gpx, "application/gpx+xml"))]).json()[
        "files"
    ][0]["runs"]
    there = start.astimezone(ZoneInfo(zone))
    assert there.date() != start.date() and runs[0].startswith(f"{there:%a %d %b %Y}:"), runs


def test_unknown_exercise_and_wrong_side_are_named(client: TestClient) -> None:
    h = token(client)
    session_id = client.post("/api/sessions", headers=h).json()["session"]["id"]
    r = client.post(f"/api/sessions/{session_id}/sets", headers=h, json={"exercise_id": "bench_press", "reps": 10})
    assert r.status_code == 404 and "bench_press" in r.json()["detail"]
    r = client.get("/api/exercises/bench_press")
    assert r.status_code == 404 and "unknown exercise id 'bench_press'" in r.json()["detail"]
    r = client.post(f"/api/sessions/{session_id}/sets", headers=h, json={"exercise_id": "chainsaw_row", "reps": 10})
    assert r.status_code == 422 and "per side" in r.json()["detail"]
    r = client.post(
        f"/api/sessions/{session_id}/sets", headers=h, json={"exercise_id": "reverse_fly", "reps": 10, "rpe": 11}
    )
    assert r.status_code == 422 and "rpe" in r.json()["detail"]
    r = client.post("/api/sessions/999/sets", headers=h, json={"exercise_id": "reverse_fly", "reps": 10})
    assert r.status_code == 404 and "999" in r.json()["detail"]


def test_csrf_refusals(client: TestClient) -> None:
    # no token, a token not signed by this app, and a signed token for another cookie
    r = client.post("/api/equipment", json={"kind": "band", "value": "red"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    client.get("/api/csrf")
    r = client.post("/api/equipment", json={"kind": "band", "value": "red"}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    good = token(client)
    client.cookies.set("scapula_csrf", "x" * 43)
    assert client.post("/api/equipment", json={"kind": "band", "value": "red"}, headers=good).status_code == 403
    # a page form without the field is refused too, and nothing was stored
    r = client.post("/setup/equipment", data={"kind": "band", "value": "red"})
    assert r.status_code == 403 and "CSRF check failed" in r.text
    assert client.get("/api/equipment").json() == []


def test_every_unsafe_route_demands_the_token(client: TestClient) -> None:
    """No POST/PATCH/DELETE route of the app was left without the CSRF check."""
    from fastapi.routing import APIRoute

    from scapula.web.routes import api_files, api_plan, api_sessions, api_setup, pages

    every = [r for module in (api_files, api_plan, api_sessions, api_setup, pages) for r in module.router.routes]
    routes = [r for r in every if isinstance(r, APIRoute) and r.methods & {"POST", "PATCH", "DELETE"}]
    assert len(routes) >= 15
    for route in routes:
        path = route.path.replace("{equipment_id}", "1").replace("{race_id}", "1").replace("{session_id}", "1")
        for method in route.methods & {"POST", "PATCH", "DELETE"}:
            r = client.request(method, path, data={"x": "1"})
            assert r.status_code == 403, (method, path, r.status_code)


def test_uploads_go_through_the_importer_with_limits(tmp_path: Path) -> None:
    client = make_client(tmp_path, upload_limit_mb=1)
    h = token(client)
    start = datetime.now(UTC) - timedelta(days=2)
    gpx = gpx_text(steady_run(start, seconds=2400)).encode()
    r = client.post("/api/import", headers=h, files=[("files", ("../../evil/run.gpx", gpx, "application/gpx+xml"))])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["imported"] == 1 and body["files"][0]["filename"] == "run.gpx"  # the name, never a path
    assert client.get("/api/athlete").json()["runs_imported"] == 1
    # the same run again, gzipped: a duplicate, not a second run
    r = client.post("/api/import", headers=h, files=[("files", ("run.gpx.gz", gzip.compress(gpx), "application/gzip"))])
    assert r.json()["files"][0]["status"] == "duplicate"
    fit = fit_bytes(steady_run(start - timedelta(days=2), seconds=1800))
    assert (
        client.post("/api/import", headers=h, files=[("files", ("watch.fit", fit, "application/octet-stream"))]).json()[
            "imported"
        ]
        == 1
    )
    # wrong type by name, and a name that lies about the content: 415 with the reason
    r = client.post("/api/import", headers=h, files=[("files", ("notes.txt", b"hello", "text/plain"))])
    assert r.status_code == 415 and "not a running file" in r.json()["detail"]
    r = client.post("/api/import", headers=h, files=[("files", ("run.fit", b"<gpx>not fit</gpx>", "text/xml"))])
    assert r.status_code == 415 and "not a FIT file" in r.json()["detail"]
    # a damaged file of the right type: 400 with the importer's message
    r = client.post(
        "/api/import", headers=h, files=[("files", ("broken.gpx", b"<?xml version='1.0'?><gpx><trk>", "text/xml"))]
    )
    assert r.status_code == 400 and "broken.gpx" in r.json()["detail"]
    # over the limit: 413 before the body is read, for the API and for the page
    big = b"<" + b" " * 1_100_000
    r = client.post("/api/import", headers=h, files=[("files", ("big.gpx", big, "text/xml"))])
    assert r.status_code == 413 and "limit is 1 MB" in r.json()["detail"]
    r = client.post("/setup/import", headers=h, files=[("files", ("big.gpx", big, "text/xml"))])
    assert r.status_code == 413 and "limit is 1 MB" in r.text
    assert client.get("/api/athlete").json()["runs_imported"] == 2


def test_bad_upload_on_the_page_says_why(client: TestClient) -> None:
    page = client.get("/setup")
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/setup/import", data={"csrf_token": csrf}, files=[("files", ("notes.txt", b"hello", "text/plain"))]
    )
    assert r.status_code == 400
    assert "notes.txt" in r.text and "not a running file" in r.text and "nothing was imported" in r.text


def test_host_check_and_openapi(client: TestClient) -> None:
    assert client.get("/api/athlete", headers={"host": "evil.example:8000"}).status_code == 400
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/athlete",
        "/api/equipment",
        "/api/plan",
        "/api/sessions",
        "/api/sessions/{session_id}/sets",
        "/api/progress",
        "/api/import",
        "/api/export/calendar.ics",
        "/api/export/workouts.zip",
    ):
        assert path in schema["paths"], path
    assert "PlanOut" in schema["components"]["schemas"] and "SetIn" in schema["components"]["schemas"]
    assert not any(p.startswith("/setup") for p in schema["paths"])  # pages are not API


def test_progress_counts_sets_per_move_and_side(client: TestClient) -> None:
    h = token(client)
    session_id = client.post("/api/sessions", headers=h).json()["session"]["id"]
    for side, reps in (("left", 10), ("right", 12)):
        client.post(
            f"/api/sessions/{session_id}/sets",
            headers=h,
            json={"exercise_id": "chainsaw_row", "side": side, "reps": reps, "load": "12"},
        )
    progress = client.get("/api/progress").json()
    row = next(m for m in progress["moves"] if m["exercise_id"] == "chainsaw_row")
    by_side = {s["side"]: s for s in row["sides"]}
    assert by_side["left"]["reps"][0]["value"] == 10 and by_side["right"]["reps"][0]["value"] == 12
    assert by_side["left"]["load"][0]["value"] == 12
    assert progress["weeks"][-1]["done"] == 1
    page = client.get("/progress")
    assert page.status_code == 200 and page.text.count('<svg class="chart"') >= 3


def test_filming_advice_puts_the_superman_camera_where_the_far_arm_shows(client: TestClient, cli) -> None:
    """From low and exactly side-on the head hides the far arm: every place that says where to
    put the phone for supermans says the head end on a diagonal, or high."""
    advice = client.get("/api/exercises/superman").json()["filming"]
    assert "head end of the mat" in advice and "1.4 m" in advice
    assert client.get("/api/exercises/doorway_chest_stretch").json()["filming"] is None  # not coached
    page = client.get("/video").text
    assert "head end of the mat" in page and "camera-plan" in page
    shown = cli("exercises", "superman")
    assert shown.code == 0 and "head end of the mat" in " ".join(shown.out.split())
