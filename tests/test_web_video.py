"""The video check through the ASGI client: a real clip uploaded, analysed in the background,
its report equal to what ``scapula analyze --annotate --out`` writes for the same file, the
annotated clip served by job id as H.264; bad uploads refused with a 4xx and a reason; a
job's files gone once it is deleted."""

from __future__ import annotations

import json
import subprocess
import time
import warnings
from pathlib import Path

from tests.conftest import SCAPULA, _base_env

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from scapula.web.app import Config, create_app


def make_client(tmp_path: Path, **config) -> TestClient:
    app = create_app(Config(db_url=f"sqlite:///{tmp_path / 'log.db'}", data_dir=tmp_path / "data", **config))
    return TestClient(app, base_url="http://127.0.0.1")


def token(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}


def wait_done(client: TestClient, job_id: str, timeout: float = 240) -> dict:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/video/{job_id}").json()
        seen.append(job["progress"])
        if job["status"] in ("done", "failed"):
            return {**job, "progress_seen": seen}
        time.sleep(0.3)
    raise AssertionError(f"the video check did not end in {timeout} s: {job}")


def test_video_check_equals_scapula_analyze(tmp_path: Path, small_demo: Path) -> None:
    import av

    with make_client(tmp_path) as client:  # the with: the app's shutdown runs at the end
        r = client.post(
            "/api/video",
            headers=token(client),
            data={"exercise": "reverse_fly"},
            files={"file": ("my set.mp4", small_demo.read_bytes(), "video/mp4")},
        )
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["status"] in ("queued", "running") and job["report"] is None
        folder = client.app.state.videos.jobs[job["id"]].folder
        done = wait_done(client, job["id"])
        assert done["status"] == "done", done["message"]
        assert done["progress"] == 1.0 and done["progress_seen"] == sorted(done["progress_seen"])
        # the upload is not kept: only the annotated clip is left in the job's folder
        assert sorted(p.name for p in folder.iterdir()) == ["annotated.mp4"]

        # the same clip through the command line, with --annotate as the web runs it
        env = _base_env(tmp_path)
        out = tmp_path / "cli.json"
        proc = subprocess.run(
            [
                str(SCAPULA),
                "analyze",
                str(small_demo),
                "--exercise",
                "reverse_fly",
                "--annotate",
                str(tmp_path / "cli.mp4"),
                "--out",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert done["report"] == json.loads(out.read_text())
        assert done["report"]["frames"]["with_person"] > 0.8 * done["report"]["frames"]["total"]

        # the annotated clip, by job id, in a codec browsers play
        video = client.get(done["annotated_video"])
        assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        (tmp_path / "served.mp4").write_bytes(video.content)
        with av.open(str(tmp_path / "served.mp4")) as container:
            stream = container.streams.video[0]
            assert stream.codec_context.name == "h264"
            assert 7.0 < float(stream.duration * stream.time_base) < 8.5  # the clip's own timing
            frames = sum(1 for _ in container.decode(stream))
        with av.open(str(small_demo)) as container:
            assert frames == sum(1 for _ in container.decode(container.streams.video[0]))
        part = client.get(done["annotated_video"], headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and len(part.content) == 100  # seeking in the player

        # the page shows the report: per-rep table or the not-recognised line, and the video
        page = client.get(f"/video/{job['id']}")
        assert page.status_code == 200 and f"/video/{job['id']}/annotated.mp4" in page.text
        assert "Band reverse fly" in page.text

        # deleted now: the files go with it
        assert client.delete(f"/api/video/{job['id']}", headers=token(client)).status_code == 204
        assert not folder.exists()
        assert client.get(f"/api/video/{job['id']}").status_code == 404
        assert client.get(f"/video/{job['id']}/annotated.mp4").status_code == 404


def test_bad_uploads_are_refused(tmp_path: Path, small_demo: Path) -> None:
    client = make_client(tmp_path, upload_limit_mb=1)
    h = token(client)

    def post(name: str, data: bytes, exercise: str = "auto", headers=h):
        return client.post(
            "/api/video",
            headers=headers,
            data={"exercise": exercise},
            files={"file": (name, data, "application/octet-stream")},
        )

    r = post("notes.txt", b"hello")
    assert r.status_code == 415 and "not a video" in r.json()["detail"]
    r = post("fake.mp4", b"GIF89a" + bytes(100))
    assert r.status_code == 415 and "not a MP4 video" in r.json()["detail"]
    r = post("broken.mp4", small_demo.read_bytes()[:32] + bytes(2000))  # an mp4 header, then nothing
    assert r.status_code == 400 and "broken.mp4" in r.json()["detail"], r.text
    r = post("big.mp4", bytes(1_200_000))
    assert r.status_code == 413
    r = post("clip.mp4", small_demo.read_bytes()[:64], exercise="pushup")
    assert r.status_code == 404 and "pushup" in r.json()["detail"]
    r = post("clip.mp4", b"x", headers={})
    assert r.status_code == 403
    assert client.get("/api/video/../../etc/passwd").status_code == 404
    assert client.get("/video/..%2F..%2Fetc%2Fpasswd/annotated.mp4").status_code == 404
    assert not client.app.state.videos.jobs  # nothing refused was kept

    # the page says what was wrong, with a 4xx
    page = client.get("/video")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/video",
        data={"csrf_token": csrf, "exercise": "auto"},
        files={"file": ("holiday.jpg", b"\xff\xd8\xff\xe0" + bytes(50), "image/jpeg")},
    )
    assert r.status_code == 415 and "holiday.jpg: not a video" in r.text


def test_landmark_file_check_shows_every_rep(tmp_path: Path) -> None:
    """A landmark file with known reps (generated): the report equals ``scapula analyze`` on
    the same file, and the page's table has a row per rep with its faults and cues."""
    import numpy as np

    from tests.synth import make_clip, random_spec, write_clip

    clip = make_clip(random_spec("chainsaw_row", np.random.default_rng(11)), 11)
    path = tmp_path / "row.jsonl"
    write_clip(clip, path)
    proc = subprocess.run(
        [str(SCAPULA), "analyze", str(path), "--exercise", "chainsaw_row", "--out", str(tmp_path / "cli.json")],
        env=_base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    expected = json.loads((tmp_path / "cli.json").read_text())
    assert expected["reps"]["total"] == clip.truth.counts["total"] > 0

    with make_client(tmp_path) as client:
        r = client.post(
            "/api/video",
            headers=token(client),
            data={"exercise": "chainsaw_row"},
            files={"file": ("row.jsonl", path.read_bytes(), "application/jsonl")},
        )
        assert r.status_code == 202, r.text
        done = wait_done(client, r.json()["id"])
        assert done["status"] == "done" and done["annotated_video"] is None
        assert done["report"] == expected
        page = client.get(f"/video/{done['id']}").text
        assert page.count("<tr class=") == expected["reps"]["total"]
        for c in expected["coaching"]:
            assert c["cue"] in page


def test_too_many_waiting_checks_are_refused(tmp_path: Path, small_demo: Path) -> None:
    """One check runs at a time and three more may wait: the fifth is refused with 503, not
    queued without bound; deleting the waiting ones frees their places."""
    from scapula.web.videocheck import MAX_WAITING

    with make_client(tmp_path) as client:
        h = token(client)
        data = small_demo.read_bytes()
        ids = []
        for _ in range(MAX_WAITING + 1):
            r = client.post("/api/video", headers=h, files={"file": ("set.mp4", data, "video/mp4")})
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        r = client.post("/api/video", headers=h, files={"file": ("set.mp4", data, "video/mp4")})
        assert r.status_code == 503 and "waiting" in r.json()["detail"]
        for job_id in ids[1:]:
            assert client.delete(f"/api/video/{job_id}", headers=h).status_code == 204
        r = client.post("/api/video", headers=h, files={"file": ("set.mp4", data, "video/mp4")})
        assert r.status_code == 202


def test_deleting_a_running_check_stops_it(tmp_path: Path, small_demo: Path) -> None:
    """Deleting a check while it runs stops its analysis where it is (the worker is free for
    the next check) and leaves none of its files behind."""
    with make_client(tmp_path) as client:
        h = token(client)
        first = client.post(
            "/api/video", headers=h, files={"file": ("set.mp4", small_demo.read_bytes(), "video/mp4")}
        ).json()["id"]
        job = client.app.state.videos.jobs[first]
        deadline = time.monotonic() + 120
        while job.progress <= 0.0:
            assert time.monotonic() < deadline, "the check never started"
            time.sleep(0.02)
        assert client.delete(f"/api/video/{first}", headers=h).status_code == 204
        assert client.get(f"/api/video/{first}").status_code == 404
        while job.ended is None:
            assert time.monotonic() < deadline, "the deleted check never stopped"
            time.sleep(0.02)
        assert job.message == "deleted before it finished" and job.progress < 0.9
        assert not job.folder.exists()
