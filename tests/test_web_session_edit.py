"""Correcting the log through the API: a set or a stretch edited or deleted, the last step
undone, a session deleted, and a session stopped by mistake carried on instead of split."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_web_api import make_client, token


@pytest.fixture
def client(tmp_path: Path):
    return make_client(tmp_path)


def _start(client, h) -> int:
    r = client.post("/api/sessions", headers=h)
    assert r.status_code == 201, r.text
    return r.json()["session"]["id"]


def test_a_typo_is_corrected_and_a_set_deleted(client) -> None:
    h = token(client)
    client.post("/api/equipment", headers=h, json={"kind": "band", "value": "medium"})
    sid = _start(client, h)
    sets = [
        client.post(
            f"/api/sessions/{sid}/sets",
            headers=h,
            json={"exercise_id": "reverse_fly", "reps": reps, "load": "medium band", "rpe": 8},
        ).json()
        for reps in (12, 100, 11)
    ]
    assert [s["set"] for s in sets] == [1, 2, 3] and all(s["id"] for s in sets)
    r = client.patch(f"/api/sessions/{sid}/sets/{sets[1]['id']}", headers=h, json={"reps": 10, "rpe": None})
    assert r.status_code == 200, r.text
    assert r.json()["reps"] == 10 and r.json()["rpe"] is None and r.json()["load"] == "medium band"  # the rest kept
    for bad, words in (({"reps": 101}, "reps"), ({"reps": None}, "reps"), ({"rpe": 0}, "rpe")):
        r = client.patch(f"/api/sessions/{sid}/sets/{sets[1]['id']}", headers=h, json=bad)
        assert r.status_code == 422 and words in r.json()["detail"].lower(), (bad, r.text)
    # the log reads back the corrected numbers (the progression reads the same rows)
    logged = client.get(f"/api/sessions/{sid}").json()["session"]["sets"]
    assert [s["reps"] for s in logged] == [12, 10, 11]
    assert client.delete(f"/api/sessions/{sid}/sets/{sets[0]['id']}", headers=h).status_code == 204
    left = client.get(f"/api/sessions/{sid}").json()["session"]["sets"]
    assert [(s["set"], s["reps"]) for s in left] == [(1, 10), (2, 11)]  # numbered again
    r = client.delete(f"/api/sessions/{sid}/sets/{sets[0]['id']}", headers=h)
    assert r.status_code == 404 and str(sets[0]["id"]) in r.json()["detail"]
    # a set is only reached through its own session
    other = client.post("/api/sessions", headers=h).json()["session"]["id"]
    assert other == sid  # the open session again
    client.post(f"/api/sessions/{sid}/finish", headers=h, json={"completed": True})
    r = client.patch(f"/api/sessions/{sid + 1}/sets/{left[0]['id']}", headers=h, json={"reps": 3})
    assert r.status_code == 404
    # a finished session's sets can still be corrected
    r = client.patch(f"/api/sessions/{sid}/sets/{left[0]['id']}", headers=h, json={"reps": 9})
    assert r.status_code == 200 and r.json()["reps"] == 9


def test_undo_takes_back_the_last_step(client) -> None:
    h = token(client)
    client.post("/api/equipment", headers=h, json={"kind": "kettlebell", "value": "12"})
    client.post("/api/equipment", headers=h, json={"kind": "band", "value": "medium"})
    sid = _start(client, h)
    r = client.post(f"/api/sessions/{sid}/undo", headers=h)
    assert r.status_code == 422 and "nothing logged" in r.json()["detail"]
    for reps in (12, 12, 12):
        client.post(
            f"/api/sessions/{sid}/sets",
            headers=h,
            json={"exercise_id": "reverse_fly", "reps": reps, "load": "medium band"},
        )
    client.post(
        f"/api/sessions/{sid}/sets",
        headers=h,
        json={"exercise_id": "chainsaw_row", "side": "left", "reps": 10, "load": "12"},
    )
    before = client.get(f"/api/sessions/{sid}").json()
    assert before["next"]["exercise_id"] == "chainsaw_row" and before["next"]["sides"] == ["right"]
    r = client.post(f"/api/sessions/{sid}/undo", headers=h)
    assert r.status_code == 200, r.text
    undone = r.json()
    assert "chainsaw row set 1" in undone["undone"]
    assert [s["exercise"] for s in undone["session"]["sets"]] == ["reverse_fly"] * 3
    assert undone["next"]["exercise_id"] == "chainsaw_row" and undone["next"]["sides"] == ["left"]


def test_a_stretch_is_corrected_or_deleted(client) -> None:
    h = token(client)
    sid = _start(client, h)
    hold = client.post(
        f"/api/sessions/{sid}/stretches",
        headers=h,
        json={"stretch_id": "doorway_chest_stretch", "side": "left", "hold_s": 300},
    ).json()
    r = client.patch(f"/api/sessions/{sid}/stretches/{hold['id']}", headers=h, json={"hold_s": 30})
    assert r.status_code == 200 and r.json()["hold_s"] == 30
    assert (
        client.patch(f"/api/sessions/{sid}/stretches/{hold['id']}", headers=h, json={"hold_s": -1}).status_code == 422
    )
    assert client.delete(f"/api/sessions/{sid}/stretches/{hold['id']}", headers=h).status_code == 204
    assert client.get(f"/api/sessions/{sid}").json()["session"]["stretches"] == []


def test_stopping_by_mistake_then_starting_again_carries_on(client) -> None:
    h = token(client)
    client.post("/api/equipment", headers=h, json={"kind": "band", "value": "medium"})
    sid = _start(client, h)
    client.post(
        f"/api/sessions/{sid}/sets", headers=h, json={"exercise_id": "reverse_fly", "reps": 12, "load": "medium band"}
    )
    stopped = client.post(f"/api/sessions/{sid}/finish", headers=h, json={"completed": False}).json()
    assert stopped["ended_at"] and not stopped["completed"]
    again = client.post("/api/sessions", headers=h).json()
    assert again["session"]["id"] == sid and again["session"]["ended_at"] is None
    assert again["next"]["exercise_id"] == "reverse_fly" and again["next"]["set_number"] == 2
    assert len(client.get("/api/sessions").json()) == 1  # one workout, one session
    # a finished one is carried on by asking for it
    client.post(f"/api/sessions/{sid}/finish", headers=h, json={"completed": True})
    r = client.post(f"/api/sessions/{sid}/reopen", headers=h)
    assert r.status_code == 200 and r.json()["session"]["ended_at"] is None and r.json()["next"]["set_number"] == 2
    # and a session logged by mistake is deleted with its sets
    assert client.delete(f"/api/sessions/{sid}", headers=h).status_code == 204
    assert client.get(f"/api/sessions/{sid}").status_code == 404
    assert client.get("/api/sessions").json() == []
