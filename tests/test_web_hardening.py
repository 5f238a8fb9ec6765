"""What a careless or hostile client must not break, against a real ``scapula serve``: many
requests at once, ids and dates out of range, oversized pictures, framing by another page,
malformed Host headers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from pathlib import Path

import httpx
import pytest

from tests.test_web_browser import Server, page, server  # noqa: F401 - the browser and server fixtures


@pytest.fixture
def served(tmp_path: Path, db_url: str):
    srv = Server(tmp_path)
    srv.env["SCAPULA_DB"] = db_url
    srv.start()
    yield srv
    srv.stop()


def _token(client: httpx.Client) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}


def test_many_plan_requests_at_once_keep_one_row_per_slot(served: Server, db_url: str) -> None:
    with httpx.Client(base_url=served.url, timeout=60) as client:
        h = _token(client)
        assert client.post("/api/equipment", headers=h, json={"kind": "band", "value": "medium"}).status_code == 201

        def burst() -> list[int]:
            paths = ["/api/plan?weeks=4", "/today", "/api/export/calendar.ics"] * 10
            with ThreadPoolExecutor(max_workers=30) as pool:
                return list(pool.map(lambda p: httpx.get(served.url + p, timeout=60).status_code, paths))

        assert set(burst()) == {200}, served.log_tail()
        changed = client.patch(
            "/api/athlete", headers=h, json={"long_run_day": "sat", "hard_days": ["wed"], "sessions_per_week": 3}
        )
        assert changed.status_code == 200
        assert set(burst()) == {200}, served.log_tail()
        ics = client.get("/api/export/calendar.ics?weeks=4")
        assert ics.status_code == 200, ics.text
        uids = [line for line in ics.text.splitlines() if line.startswith("UID:")]
        assert uids and len(uids) == len(set(uids))
        sessions = client.get("/api/plan?weeks=4").json()["sessions"]
        assert len({s["uid"] for s in sessions}) == len(sessions)
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        twice = conn.execute(text("SELECT uid FROM planned_session GROUP BY athlete_id, uid HAVING count(*) > 1")).all()
        assert conn.execute(text("SELECT count(*) FROM planned_session")).scalar() > 0
    engine.dispose()
    assert twice == []


def _client(tmp_path: Path):
    from tests.test_web_api import make_client

    return make_client(tmp_path)


def test_ids_beyond_the_integer_range_are_refused_not_crashed(tmp_path: Path) -> None:
    client = _client(tmp_path)
    h = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    huge = str(2**63 + 1)
    for method, path in [
        ("GET", f"/api/sessions/{huge}"),
        ("DELETE", f"/api/equipment/{huge}"),
        ("DELETE", f"/api/races/{huge}"),
        ("POST", f"/api/sessions/{huge}/finish"),
        ("GET", f"/api/sessions/{2**31}"),
        ("GET", "/api/sessions/0"),
    ]:
        r = client.request(method, path, headers=h, json={"completed": True})
        assert r.status_code == 422, (method, path, r.status_code)
        assert "session_id" in r.json()["detail"] or "_id" in r.json()["detail"]
    assert client.get(f"/api/sessions/{2**31 - 1}").status_code == 404  # the largest id: looked up
    for path in (
        f"/setup/equipment/{huge}/delete",
        f"/setup/races/{huge}/delete",
        f"/session/{huge}/set",
        f"/session/{huge}/stop",
    ):
        r = client.post(path, headers=h, data={"reps_both": "10"})
        assert r.status_code == 422 and "less than or equal to 2147483647" in r.text, path


def test_every_422_is_one_line_and_the_schema_says_so(tmp_path: Path) -> None:
    client = _client(tmp_path)
    h = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    schema = client.get("/openapi.json").json()
    answers = [
        op["responses"]["422"] for ops in schema["paths"].values() for op in ops.values() if "422" in op["responses"]
    ]
    assert len(answers) >= 10
    assert all(a["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"} for a in answers)
    problem = schema["components"]["schemas"]["Problem"]
    assert problem["properties"]["detail"]["type"] == "string"
    for r in (
        client.get("/api/plan?weeks=99"),  # FastAPI's own validation
        client.post("/api/races", headers=h, json={"day": "tomorrow"}),
        client.post("/api/equipment", headers=h, json={"kind": "kettlebell", "value": "heavy"}),
    ):  # ours
        assert r.status_code == 422 and isinstance(r.json()["detail"], str) and "\n" not in r.json()["detail"]


def test_a_race_day_is_a_date_from_today_on(tmp_path: Path) -> None:
    from datetime import date, timedelta

    client = _client(tmp_path)
    h = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    for day, words in (
        (0, "day"),
        (1700000000, "day"),
        ("2020-05-01", "in the past"),
        ("0001-01-01", "in the past"),
        ("9999-12-31", "three years"),
    ):
        r = client.post("/api/races", headers=h, json={"day": day, "name": "x"})
        assert r.status_code == 422 and words in r.json()["detail"], (day, r.text)
    page = client.get("/setup")
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/setup/races", data={"csrf_token": csrf, "day": "2020-05-01", "name": "old"})
    assert r.status_code == 422 and "in the past" in r.text
    assert client.get("/api/athlete").json()["races"] == []  # nothing stored
    soon = str(date.today() + timedelta(days=30))
    assert client.post("/api/races", headers=h, json={"day": soon, "name": "Spring 10k"}).status_code == 201


def _png(width: int, height: int, rows: int | None = None) -> bytes:
    """A real PNG of black pixels, its rows compressed as they are made (never in memory at
    once); ``rows`` < height writes only that many (the header still says ``height``)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    z = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)
    count = height if rows is None else rows
    parts = [z.compress(row * 64) for _ in range(count // 64)] + [z.compress(row * (count % 64)), z.flush()]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def _peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_huge_pictures_are_refused_from_their_header(server: Server) -> None:
    bomb = _png(13000, 13000)  # 169 megapixels in about 500 kB
    assert len(bomb) < 1_000_000
    with httpx.Client(base_url=server.url, timeout=120) as client:
        h = _token(client)
        client.get("/posture")
        before = _peak_memory_mb(server.proc.pid)
        for name, data in (("bomb.png", bomb), ("huge.png", _png(20000, 20000, rows=64))):
            r = client.post("/api/posture", headers=h, files={"files": (name, data, "image/png")})
            assert r.status_code == 400, (r.status_code, r.text, server.log_tail())
            assert r.json()["detail"].startswith(name) and "megapixels at most" in r.json()["detail"]
        after = _peak_memory_mb(server.proc.pid)
    print(f"server peak memory {before:.0f} MB before the pictures, {after:.0f} MB after")
    assert after - before < 300  # decoding the 13000x13000 picture alone takes over 500 MB


def test_a_huge_jpeg_on_the_coach_socket_is_refused_before_decoding(tmp_path: Path) -> None:
    import io
    import struct

    from PIL import Image

    client = _client(tmp_path)
    small = io.BytesIO()
    Image.new("RGB", (16, 16)).save(small, "JPEG")
    jpeg = bytearray(small.getvalue())
    sof = jpeg.index(b"\xff\xc0")
    jpeg[sof + 5 : sof + 9] = struct.pack(">HH", 12000, 12000)  # the frame header says 12000x12000
    token = client.get("/api/csrf").json()["token"]
    with client.websocket_connect(f"ws://127.0.0.1/ws/coach?exercise=superman&csrf={token}") as ws:
        ws.send_json({"type": "hello", "mode": "video", "width": 640, "height": 360, "fps": 15})
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(struct.pack("<d", 0.0) + bytes(jpeg))
        answer = ws.receive_json()
    assert answer["type"] == "error" and "12000x12000" in answer["detail"], answer


def test_a_posture_date_out_of_range_is_named(tmp_path: Path) -> None:
    client = _client(tmp_path)
    h = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    for day in ("0001-01-01", "9999-12-31"):
        r = client.post(
            "/api/posture", headers=h, data={"save": "true", "date": day}, files={"files": ("me.jsonl", b"{}", "x/y")}
        )
        assert r.status_code == 422 and day in r.json()["detail"], r.text


def test_every_answer_forbids_framing_and_sniffing(tmp_path: Path) -> None:
    client = _client(tmp_path)
    answers = [
        client.get("/setup"),
        client.get("/api/athlete"),
        client.get("/static/app.css"),
        client.get("/no/such/page"),
        client.get("/api/sessions/12345"),
        client.get("/openapi.json"),
        client.post("/api/equipment", json={}),  # 403: no CSRF token
        client.get("/api/athlete", headers={"host": "evil.example"}),
    ]  # 400 from the Host check
    for r in answers:
        assert r.headers["x-frame-options"] == "DENY", r.url
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8765@evil.example",
        "evil.example",
        "127.0.0.1:8765/x",
        "127.0.0.1:99999",
        "127.0.0.1:80:80",
        "user@127.0.0.1",
        "127.0.0.1.evil.example",
        "[::1",
        "",
    ],
)
def test_a_host_header_is_parsed_strictly(tmp_path: Path, host: str) -> None:
    client = _client(tmp_path)
    r = client.get("/api/athlete", headers={"host": host})
    assert r.status_code == 400 and "host" in r.text.lower()


def test_loopback_host_names_are_served(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for host in ("127.0.0.1", "127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000"):
        assert client.get("/api/athlete", headers={"host": host}).status_code == 200, host


def test_a_page_on_another_port_cannot_frame_the_app(server: Server, page) -> None:
    """The attack of a page on 127.0.0.1 at another port: it frames /setup, and a click in the
    frame would remove a band. The frame stays empty."""
    import http.server
    import threading

    from tests.test_web_browser import _free_port

    with httpx.Client(base_url=server.url) as client:
        h = _token(client)
        client.post("/api/equipment", headers=h, json={"kind": "band", "value": "medium"})
    html = f"<!doctype html><h1>Win a prize</h1><iframe src='{server.url}/setup' width=400 height=800></iframe>"

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    evil = http.server.HTTPServer(("127.0.0.1", _free_port()), Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "frame" in m.text.lower() else None)
    try:
        page.goto(f"http://127.0.0.1:{evil.server_port}/")
        page.wait_for_load_state("load")
        frame = page.frames[1]
        assert not frame.url.startswith(server.url + "/setup") or frame.locator("form").count() == 0
        assert frame.locator("#equipment").count() == 0  # nothing of the app to click on
    finally:
        evil.shutdown()
    assert any("frame-ancestors" in m or "X-Frame-Options" in m for m in blocked), blocked
    assert [e["label"] for e in httpx.get(server.url + "/api/equipment").json()] == ["medium band"]


def test_a_killed_servers_video_folders_are_swept_by_the_next(tmp_path: Path) -> None:
    import json
    import signal

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    landmarks = (
        json.dumps({"format": "scapula-landmarks", "version": 1, "fps": 10, "width": 640, "height": 360})
        + "\n"
        + json.dumps({"t": 0.0, "image": None, "world": None})
        + "\n"
    ).encode()

    def start(name: str) -> Server:
        srv = Server(tmp_path / name)
        srv.env["TMPDIR"] = str(scratch)
        srv.start()
        return srv

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = start("a")
    with httpx.Client(base_url=first.url, timeout=60) as client:
        r = client.post("/api/video", headers=_token(client), files={"file": ("set.jsonl", landmarks, "x/y")})
        assert r.status_code == 202, r.text
    left = [p for p in scratch.iterdir() if p.name.startswith("scapula-videos-")]
    assert len(left) == 1 and any(left[0].glob("job-*"))
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(timeout=20)
    assert left[0].exists()  # nothing cleaned up: the server had no chance
    second = start("b")
    try:
        mine = [p for p in scratch.iterdir() if p.name.startswith("scapula-videos-")]
        assert not left[0].exists() and len(mine) == 1  # the dead server's folder is gone, the new one's kept
        third = start("a")  # a server starting beside a live one leaves the live one's folder alone
        try:
            assert mine[0].exists()
        finally:
            third.stop()
    finally:
        second.stop()
    assert not any(p.name.startswith("scapula-videos-") for p in scratch.iterdir())  # stopped: cleaned up


def test_work_folders_a_killed_process_left_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    """A posture check's or an import's folder outlives a server killed mid-request: the next
    server deletes it, as it deletes a dead server's video folder; a folder another running
    process holds, or one that is not Scapula's, stays."""
    from scapula.app.scratch import LOCK_NAME, hold

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    abandoned = scratch / "scapula-posture-k1ll3d"
    abandoned.mkdir()
    (abandoned / LOCK_NAME).touch()  # its process is gone: nobody holds the lock
    (abandoned / "input-1.jpg").write_bytes(b"\xff\xd8\xff a runner's photo")
    busy = scratch / "scapula-upload-busy"
    busy.mkdir()
    held = hold(busy)  # a process still at work in it (this test)
    stranger = scratch / "scapula-notes"
    stranger.mkdir()  # no lock file: not a work folder
    (tmp_path / "srv").mkdir()
    srv = Server(tmp_path / "srv")
    srv.env["TMPDIR"] = str(scratch)
    srv.start()
    try:
        assert not abandoned.exists()
        assert busy.exists() and stranger.exists()
    finally:
        srv.stop()
        held.close()


def test_an_import_does_not_hold_up_other_requests(server: Server) -> None:
    """Twelve four-hour GPX files (1 s recording, 36 MB) through the setup page: while they import, file by file,
    the server answers other requests. The log is read mid-import: a count of runs between
    none and all twelve can only be seen when the import is not blocking the server."""
    import threading
    from datetime import datetime, timedelta

    from tests.activity_files import gpx_text, steady_run

    start = datetime.now(UTC) - timedelta(days=20)
    files = [
        (
            "files",
            (
                f"long-{i}.gpx",
                gpx_text(steady_run(start + timedelta(days=i), seconds=4 * 3600, seed=i)).encode(),
                "application/gpx+xml",
            ),
        )
        for i in range(12)
    ]
    assert sum(len(f[1][1]) for f in files) < 50_000_000  # under the upload limit
    done = threading.Event()
    answer: list[httpx.Response] = []
    with httpx.Client(base_url=server.url, timeout=300) as client:
        page = client.get("/setup")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]

        def upload() -> None:
            try:
                answer.append(client.post("/setup/import", data={"csrf_token": csrf}, files=files))
            finally:
                done.set()

        worker = threading.Thread(target=upload)
        worker.start()
        seen: list[int] = []
        static_ok = 0
        with httpx.Client(base_url=server.url, timeout=300) as other:
            while not done.is_set():
                count = other.get("/api/athlete").json()["runs_imported"]
                if not done.is_set():
                    seen.append(count)
                    static_ok += other.get("/static/app.css").status_code == 200
        worker.join()
    assert answer and answer[0].status_code == 200 and answer[0].text.count(": imported") == 12
    assert any(0 < n < 12 for n in seen), seen  # read while the import was half done
    assert static_ok > 0


def test_a_kettlebell_in_pounds_keeps_its_unit(tmp_path: Path) -> None:
    client = _client(tmp_path)
    h = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    bell = client.post("/api/equipment", headers=h, json={"kind": "kettlebell", "value": "35 lb"})
    assert bell.status_code == 201, bell.text
    assert bell.json()["label"] == "35 lb kettlebell" and bell.json()["kg"] == pytest.approx(15.876, abs=0.001)
    r = client.post("/api/equipment", headers=h, json={"kind": "kettlebell", "value": "300 lb"})
    assert r.status_code == 422 and "220 lb" in r.json()["detail"]
    plan = client.get("/api/plan?weeks=1").json()
    row = next(d for d in plan["progression"] if d["exercise_id"] == "chainsaw_row")
    assert row["load_label"] == "35 lb kettlebell" and row["load_kg"] == pytest.approx(15.876, abs=0.001)
    sid = client.post("/api/sessions", headers=h).json()["session"]["id"]
    logged = client.post(
        f"/api/sessions/{sid}/sets",
        headers=h,
        json={"exercise_id": "chainsaw_row", "side": "left", "reps": 10, "load": "35 lb"},
    ).json()
    assert logged["load"] == "35 lb" and logged["load_kg"] == pytest.approx(15.876, abs=0.001)


def test_left_and_right_dots_of_one_day_do_not_overlap(tmp_path: Path) -> None:
    import re

    client = _client(tmp_path)
    h = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    sid = client.post("/api/sessions", headers=h).json()["session"]["id"]
    for side in ("left", "right"):  # the same reps both sides: the same height
        client.post(
            f"/api/sessions/{sid}/sets",
            headers=h,
            json={"exercise_id": "chainsaw_row", "side": side, "reps": 10, "load": "12"},
        )
    page = client.get("/progress").text
    row = page.split('aria-label="Kettlebell chainsaw row: reps per set"')[1].split("</svg>")[0]
    dots = [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="5"', row)]
    assert len(dots) == 2 and dots[0][1] == dots[1][1]
    assert abs(dots[0][0] - dots[1][0]) >= 10  # two dots of radius 5 side by side


def test_setup_warns_when_the_week_has_no_room(tmp_path: Path) -> None:
    client = _client(tmp_path)
    h = {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}
    client.patch("/api/athlete", headers=h, json={"sessions_per_week": 2, "long_run_day": "sun", "hard_days": ["tue"]})
    assert "leaves room for" not in client.get("/setup").text
    # three hard days and the long run: fitting what was asked for, a session follows each hard run
    client.patch(
        "/api/athlete", headers=h, json={"sessions_per_week": 3, "hard_days": ["tue", "thu", "sat"], "rest_days": []}
    )
    assert "leaves room for" not in client.get("/setup").text
    # ideal days only: none of the week's days is ideal (each is a key day or the eve of one)
    r = client.patch("/api/athlete", headers=h, json={"strictness": "ideal"})
    assert r.status_code == 200 and r.json()["strictness"] == "ideal"
    page = client.get("/setup").text
    assert "Your running week leaves room for" in page and "of the 3 upper-back sessions" in page
    assert "only on ideal days" in page
