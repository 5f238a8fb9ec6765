"""The posture check through the ASGI client: generated captures with known posture give the
report ``scapula posture --json`` gives for the same files; saved checks make the trend and its
chart; bad uploads get a 4xx and a reason; nothing uploaded is left on disk."""

from __future__ import annotations

import json
import subprocess
import tempfile
import warnings
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import SCAPULA, _base_env
from tests.posture_fixtures import Scene, write

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from scapula.web.app import Config, create_app


@pytest.fixture
def client(tmp_path: Path, monkeypatch) -> TestClient:
    # this test's own temporary folder: the work folders of tests running beside it stay out
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    app = create_app(Config(db_url=f"sqlite:///{tmp_path / 'log.db'}", data_dir=tmp_path / "data"))
    return TestClient(app, base_url="http://127.0.0.1")


def token(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}


def _comparable(report: dict) -> dict:
    out = {k: v for k, v in report.items() if k not in ("checked_at", "inputs")}
    out["inputs"] = [{k: v for k, v in i.items() if k not in ("input", "description")} for i in report["inputs"]]
    return out


def _scratch() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("scapula-posture-*")}


def test_posture_check_equals_the_command(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "side.jsonl"
    write(path, Scene(neck_flex=45, distance=3.0, frames=12, jitter_px=1.0, seed=3))
    before = _scratch()
    r = client.post(
        "/api/posture",
        headers=token(client),
        data={"view": "auto"},
        files={"files": ("my side photo.jsonl", path.read_bytes(), "application/jsonl")},
    )
    assert r.status_code == 200, r.text
    web = r.json()
    assert web["saved"] is False and web["picture_png"] is None  # a landmark file has no picture
    proc = subprocess.run(
        [str(SCAPULA), "posture", str(path), "--json"],
        env=_base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    assert _comparable(web["report"]) == _comparable(cli)
    assert web["report"]["measures"]["head_forward"]["class"] != "within normal"
    # the runner's file name in the report; the server's own never
    assert web["report"]["inputs"][0]["input"] == "my side photo.jsonl"
    assert "input-1" not in json.dumps(web["report"])
    assert _scratch() == before  # the upload's folder is gone

    page = client.get("/posture")
    assert page.status_code == 200 and "No posture checks saved yet" in page.text


def test_saved_checks_make_the_trend(client: TestClient, tmp_path: Path) -> None:
    h = token(client)
    today = date.today()
    for days_ago, flex in ((60, 45), (30, 30), (0, 12)):
        path = tmp_path / f"check-{days_ago}.jsonl"
        write(path, Scene(neck_flex=flex, distance=3.0, frames=12, jitter_px=1.0, seed=days_ago))
        r = client.post(
            "/api/posture",
            headers=h,
            data={"save": "true", "date": (today - timedelta(days=days_ago)).isoformat()},
            files={"files": (path.name, path.read_bytes(), "application/jsonl")},
        )
        assert r.status_code == 200 and r.json()["saved"] is True, r.text
    history = client.get("/api/posture/history").json()
    assert len(history["checks"]) == 3
    head = history["trend"]["side"]["head_forward"]
    assert head["checks"] == 3 and head["change_deg"] < 0
    assert head["verdict"] == "real change, toward normal" and head["trend_deg_per_30_days"] < 0
    page = client.get("/posture").text
    assert page.count('<svg class="chart"') == 1  # the side view's chart
    svg = page.split('<svg class="chart"')[1].split("</svg>")[0]
    assert svg.count("<circle") == 3 * 2  # head forward and shoulder forward, three checks each
    assert "real change, toward normal" in page


def test_bad_posture_uploads(client: TestClient, tmp_path: Path) -> None:
    h = token(client)

    def post(name: str, data: bytes, **form):
        return client.post("/api/posture", headers=h, data=form, files={"files": (name, data, "x/y")})

    r = post("notes.txt", b"hi")
    assert r.status_code == 415 and "not a photo or a clip" in r.json()["detail"]
    r = post("me.jpg", b"GIF89a" + bytes(40))
    assert r.status_code == 415 and "not a JPG picture" in r.json()["detail"]
    r = post("me.png", b"\x89PNG\r\n\x1a\n" + bytes(40))  # a PNG signature, then nothing
    assert r.status_code == 400 and r.json()["detail"].startswith("me.png"), r.text
    r = post("me.jsonl", b'{"format": "nope"}\n')
    assert r.status_code == 400 and "me.jsonl" in r.json()["detail"]
    r = post("me.jsonl", b"{}", view="top")
    assert r.status_code == 422
    # a capture with no person: refused with the reason, 422, and the page says it too
    empty = tmp_path / "empty.jsonl"
    empty.write_text(
        json.dumps({"format": "scapula-landmarks", "version": 1, "fps": 10, "width": 1080, "height": 1920})
        + "\n"
        + json.dumps({"t": 0.0, "image": None, "world": None})
        + "\n"
    )
    r = post("empty.jsonl", empty.read_bytes())
    assert r.status_code == 422 and "no person found" in r.json()["detail"]
    page = client.get("/posture")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/posture",
        data={"csrf_token": csrf, "view": "auto"},
        files={"files": ("empty.jsonl", empty.read_bytes(), "application/jsonl")},
    )
    assert r.status_code == 422 and "empty.jsonl: no person found" in r.text
    r = client.post("/posture", data={"csrf_token": csrf}, files={"files": ("cv.pdf", b"%PDF-1.4", "application/pdf")})
    assert r.status_code == 415 and "cv.pdf: not a photo or a clip" in r.text
    assert client.post("/api/posture", files={"files": ("a.jsonl", b"{}", "x/y")}).status_code == 403


def test_a_clip_is_checked_as_the_command_checks_it(client: TestClient, tmp_path: Path, small_demo: Path) -> None:
    """A real clip (the sports2d demo at 640x360): whatever the command says of it — measured
    or refused, and why — the web says too."""
    clip = small_demo
    proc = subprocess.run(
        [str(SCAPULA), "posture", str(clip), "--json"],
        env=_base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    cli = json.loads(proc.stdout)
    r = client.post(
        "/api/posture", headers=token(client), files={"files": ("stand.mp4", clip.read_bytes(), "video/mp4")}
    )
    web = r.json() if r.status_code == 200 else {k: v for k, v in r.json().items() if k != "detail"}
    assert r.status_code == (200 if cli["status"] == "measured" else 422)
    assert _comparable(web["report"]) == _comparable(cli)
    assert web["report"]["inputs"][0]["kind"] == "clip" and web["report"]["inputs"][0]["frames"]["total"] > 10


def test_a_check_is_saved_after_seeing_it_and_deleted(client: TestClient, tmp_path: Path) -> None:
    h = token(client)
    path = tmp_path / "side.jsonl"
    write(path, Scene(neck_flex=40, distance=3.0, frames=12, jitter_px=1.0, seed=5))
    r = client.post("/api/posture", headers=h, files={"files": (path.name, path.read_bytes(), "application/jsonl")})
    measured = r.json()
    assert measured["saved"] is False and measured["save_token"]
    assert client.get("/api/posture/history").json()["checks"] == []
    # kept afterwards, once (a second tap changes nothing), and only what the app measured
    assert client.post("/api/posture/save", headers=h, json={"save_token": measured["save_token"]}).json() == {
        "saved": True
    }
    assert client.post("/api/posture/save", headers=h, json={"save_token": measured["save_token"]}).json() == {
        "saved": False
    }
    forged = measured["save_token"][:-4] + "AAAA"
    r = client.post("/api/posture/save", headers=h, json={"save_token": forged})
    assert r.status_code == 422 and "save_token" in r.json()["detail"]
    checks = client.get("/api/posture/history").json()["checks"]
    assert len(checks) == 1
    assert checks[0]["head_forward_deg"] == pytest.approx(
        measured["report"]["measures"]["head_forward"]["angle_deg"], abs=0.05
    )
    # the page offers the save after the result, and deletes a saved check
    page = client.get("/posture")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/posture",
        data={"csrf_token": csrf, "view": "auto"},
        files={"files": (path.name, path.read_bytes(), "application/jsonl")},
    )
    assert "Save these numbers in my log" in r.text
    token_in_page = r.text.split('name="save_token" value="')[1].split('"')[0]
    r = client.post("/posture/save", data={"csrf_token": csrf, "save_token": token_in_page})
    assert r.status_code == 200 and "The check&#39;s numbers are saved." in r.text
    assert len(client.get("/api/posture/history").json()["checks"]) == 2
    r = client.post(f"/posture/checks/{checks[0]['id']}/delete", data={"csrf_token": csrf})
    assert r.status_code == 200 and "Deleted." in r.text
    assert client.delete(f"/api/posture/checks/{checks[0]['id']}", headers=h).status_code == 404
    left = client.get("/api/posture/history").json()["checks"]
    assert len(left) == 1 and client.delete(f"/api/posture/checks/{left[0]['id']}", headers=h).status_code == 204
    assert client.get("/api/posture/history").json()["checks"] == []
