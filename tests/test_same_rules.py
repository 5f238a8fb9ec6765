"""One rule, one message: the command line and the web API refuse the same bad input with the
same line and store nothing, and they record a set the same way. Both run on one SQLite file."""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import Cli

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx versions
    from fastapi.testclient import TestClient

from scapula.web.app import Config, create_app


@pytest.fixture
def both(tmp_path: Path, cli: Cli):
    url = f"sqlite:///{tmp_path / 'log.db'}"
    client = TestClient(create_app(Config(db_url=url, data_dir=tmp_path / "web")), base_url="http://127.0.0.1")
    headers = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    return Cli({**cli.env, "SCAPULA_DB": url}), client, headers


def _same(cli_result, response, fragment: str) -> None:
    assert cli_result.code == 2, cli_result.err
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert fragment in detail
    assert cli_result.err.strip() == f"error: {detail}"


def test_a_set_out_of_range_is_refused_alike(both) -> None:
    cli, client, h = both
    session = client.post("/api/sessions", headers=h).json()["session"]["id"]
    cases = [
        (("--reps", "101"), {"reps": 101}, "reps"),
        (("--reps", "10", "--rpe", "11"), {"reps": 10, "rpe": 11}, "rpe"),
        (("--reps", "10", "--hold", "601"), {"reps": 10, "hold_s": 601}, "hold_s"),
        (("--reps", "10", "--load", "x" * 61), {"reps": 10, "load": "x" * 61}, "load"),
        (("--reps", "10", "--side", "up"), {"reps": 10, "side": "up"}, "side"),
    ]
    for options, body, field in cases:
        _same(
            cli("log", "reverse_fly", *options),
            client.post(f"/api/sessions/{session}/sets", headers=h, json={"exercise_id": "reverse_fly", **body}),
            f"{field}:",
        )
    assert cli("history", "--json").json()[0]["sets"] == []


def test_the_week_is_checked_alike(both) -> None:
    cli, client, h = both
    _same(
        cli("plan", "--hard", "tue", "--rest", "tue"),
        client.patch("/api/athlete", headers=h, json={"hard_days": ["tue"], "rest_days": ["tue"]}),
        "both a hard day and a rest day",
    )
    # a rest day on a day already stored as hard is the same clash, from either side
    assert cli("plan", "--hard", "thu").code == 0
    _same(
        cli("plan", "--rest", "thu"),
        client.patch("/api/athlete", headers=h, json={"rest_days": ["thu"]}),
        "both a hard day and a rest day",
    )
    _same(
        cli("plan", "--sessions", "1"),
        client.patch("/api/athlete", headers=h, json={"sessions_per_week": 1}),
        "sessions_per_week:",
    )
    _same(cli("plan", "--weeks", "13"), client.get("/api/plan?weeks=13"), "weeks:")
    _same(
        cli("export", "ics", "plan.ics", "--alarm", "1441"), client.get("/api/export/calendar.ics?alarm=1441"), "alarm:"
    )
    assert client.get("/api/athlete").json()["rest_days"] == []


def test_a_race_is_checked_alike(both) -> None:
    cli, client, h = both
    day = (date.today() + timedelta(weeks=6)).isoformat()
    _same(
        cli("plan", "--race", f"{day}={'x' * 121}"),
        client.post("/api/races", headers=h, json={"day": day, "name": "x" * 121}),
        "name:",
    )
    past = (date.today() - timedelta(days=3)).isoformat()
    _same(cli("plan", "--race", past), client.post("/api/races", headers=h, json={"day": past}), "in the past")
    assert client.get("/api/athlete").json()["races"] == []


def test_a_superman_records_the_variant_typed_else_the_plans(both) -> None:
    cli, client, h = both
    # by hand: the variant typed, from either front end
    assert cli("log", "superman", "--side", "left", "--reps", "8", "--load", "leg lift").code == 0
    session = cli("history", "--json").json()[0]["id"]
    r = client.post(
        f"/api/sessions/{session}/sets",
        headers=h,
        json={"exercise_id": "superman", "side": "right", "reps": 8, "load": "leg lift"},
    )
    assert r.status_code == 201, r.text
    logged = cli("history", "--json").json()[0]["sets"]
    assert [s["load"] for s in logged] == ["leg lift", "leg lift"]


def test_the_guided_session_logs_alike_from_the_terminal_and_the_web(both) -> None:
    """Both walk the same steps through the same function: a superman set records the variant
    typed, else the plan's, and the plan's hold."""
    cli, client, h = both
    assert cli("session", "--only", "superman", "--no-stretch", "--yes", "--rest", "0").code == 0
    terminal = [s for s in cli("history", "--json").json()[0]["sets"] if s["exercise"] == "superman"]
    step = client.post("/api/sessions", headers=h).json()  # a new session: the terminal's was completed
    session = step["session"]["id"]
    while step["next"]["exercise_id"] != "superman":  # the fly and the rows first, as the plan offers
        nxt = step["next"]
        r = client.post(
            f"/api/sessions/{session}/steps/set",
            headers=h,
            json={"exercise_id": nxt["exercise_id"], "reps": nxt["target_reps"], "load": nxt["load"] or None},
        )
        assert r.status_code == 201, r.text
        step = r.json()
    for typed in (None, None, "leg lift"):
        nxt = step["next"]
        r = client.post(
            f"/api/sessions/{session}/steps/set",
            headers=h,
            json={"exercise_id": "superman", "reps": nxt["target_reps"], "load": typed},
        )
        assert r.status_code == 201, r.text
        step = r.json()
    web = [s for s in step["session"]["sets"] if s["exercise"] == "superman"]
    assert [(s["load"], s["hold_s"]) for s in web[:4]] == [(s["load"], s["hold_s"]) for s in terminal[:4]]
    assert [s["load"] for s in web[4:]] == ["leg lift", "leg lift"]
    r = client.post(
        f"/api/sessions/{session}/steps/set", headers=h, json={"exercise_id": "superman", "reps": {"left": 8}}
    )
    assert r.status_code == 422 and "the next step is" in r.json()["detail"]
