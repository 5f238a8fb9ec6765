"""The phone as the camera, in Debian's chromium sized as a phone (390x844) against real
``scapula serve --host 0.0.0.0 --https`` processes.

The browser reaches the app at a name that is not loopback: Chromium's host-resolver rules map
``scapula.test`` to this machine's network address, so the server sees a client from the
network (pairing needed), not 127.0.0.1 (a machine without a network address skips these
tests, and fails them in CI). The browser trusts the server's key by its SPKI pin
(``--ignore-certificate-errors-spki-list``: Debian's chromium has no certificate tool here);
the chain itself is verified against the generated CA in test_web_tls.py. The fake camera
plays a real video of a person (the sports2d demo clip).

One browser profile for the module (a persistent one: Chromium checks installability only
outside incognito). Screenshots go to ``test-artifacts/web/https-phone-*.png``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.conftest import SCAPULA, _base_env, unavailable
from tests.test_web_browser import ARTIFACTS, CHROMIUM_FLAGS, _chromium, _free_port

NAME = "scapula.test"
WIDTH, HEIGHT = 390, 844


def _network_address() -> str | None:
    """This machine's address on its network, so that the server sees a client that is not
    loopback (None where it has none)."""
    from scapula.web.tls import machine_addresses

    found = [ip for ip in machine_addresses() if ip.version == 4]
    return str(found[0]) if found else None


ADDRESS = _network_address()


@pytest.fixture(autouse=True, scope="module")
def _network() -> None:
    if ADDRESS is None:
        unavailable("this machine has no network address (an IPv4 one besides loopback)")


class HttpsServer:
    """``scapula serve --host 0.0.0.0 [--https]`` on free ports, with its own data dir."""

    def __init__(self, tmp_path: Path, tls: Path | None) -> None:
        self.env = _base_env(tmp_path)
        self.data = Path(self.env["SCAPULA_DATA_DIR"])
        if tls is not None:  # the module's certificates: still good, so the server keeps them
            shutil.copytree(tls, self.data / "tls")
        self.port, self.https_port = _free_port(), _free_port()
        self.local = f"http://127.0.0.1:{self.port}"  # the computer itself
        self.url = f"https://{NAME}:{self.https_port}" if tls is not None else f"http://{NAME}:{self.port}"
        args = ["serve", "--host", "0.0.0.0", "--port", str(self.port), "--allow-host", NAME]
        if tls is not None:
            args += ["--https", "--https-port", str(self.https_port)]
        self.log_path = tmp_path / "serve.log"
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen([str(SCAPULA), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()
            try:
                if httpx.get(self.local + "/static/app.css", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("scapula serve did not answer within 60 s")

    def pair_path(self) -> str:
        """A fresh pairing link, from the page the computer shows."""
        page = httpx.get(self.local + "/phone").text
        return re.search(r'aria-label="QR code: [^"]+?(/pair\?token=[^"]+)"', page)[1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> Path:
    from scapula.web.tls import ensure_certificates, server_names

    folder = tmp_path_factory.mktemp("tls")
    ensure_certificates(folder, server_names("0.0.0.0", [NAME]))
    return folder


@pytest.fixture(scope="module")
def https_server(tmp_path_factory, tls: Path):
    server = HttpsServer(tmp_path_factory.mktemp("https-server"), tls)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def camera_clip(tmp_path_factory, demo: Path) -> Path:
    out = tmp_path_factory.mktemp("camera") / "person.y4m"
    cut = ["-t", "6", "-vf", "fps=15,scale=640:360", "-pix_fmt", "yuv420p"]
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(demo), *cut, str(out)],
        check=True,
        timeout=120,
    )
    return out


@pytest.fixture(scope="module")
def phone(tmp_path_factory, tls: Path, camera_clip: Path):
    """A phone-sized Chromium profile with a fake camera, trusting the module's server key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from playwright.sync_api import sync_playwright

    cert = x509.load_pem_x509_certificate((tls / "server.pem").read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pin = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    flags = [
        *CHROMIUM_FLAGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera_clip}",
        f"--ignore-certificate-errors-spki-list={pin}",
        f"--host-resolver-rules=MAP {NAME} {ADDRESS}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ]
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=_chromium(),
            args=flags,
            headless=True,
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        yield context
        context.close()


@pytest.fixture
def page(phone):
    pg = phone.new_page()
    pg.set_default_timeout(60_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    pg.close()
    assert not errors, errors


def screen(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"https-phone-{name}.png"))


def _pair(page, server: HttpsServer) -> None:
    page.context.clear_cookies()  # a new phone
    # before pairing, the app refuses the phone
    assert page.goto(server.url + "/session").status == 401
    assert "This device is not paired" in page.locator("h1").inner_text()
    page.goto(server.url + server.pair_path())
    assert page.url.endswith("/phone?paired=1")
    assert "This phone is paired" in page.locator("main").inner_text()


def _start_session(server: HttpsServer) -> None:
    with httpx.Client(base_url=server.local) as api:
        api.headers["X-CSRF-Token"] = api.get("/api/csrf").json()["token"]
        if not api.get("/api/sessions").json():
            assert api.post("/api/equipment", json={"kind": "band", "value": "medium"}).status_code == 201
            assert api.post("/api/sessions").status_code == 201


def _finish(page) -> dict:
    page.locator("section.coach").get_by_role("button", name="Stop the camera").click()
    page.wait_for_function("() => document.querySelector('.coach').coach.result !== null")
    return page.evaluate("() => document.querySelector('.coach').coach.result")


def test_a_paired_phone_gets_the_camera_and_the_count_over_https(https_server: HttpsServer, page) -> None:
    from scapula.vision.analyzer import analyze
    from scapula.vision.landmarks import frame_from_json
    from tests.synth import make_clip, random_spec

    server = https_server
    # the page the computer shows: the pairing code, and the certificate's page with how to trust it
    page.goto(server.local + "/phone")
    assert page.locator(".pairing .qr svg").is_visible() and page.locator(".trust .qr svg").is_visible()
    assert page.locator(".pairing .qr svg").bounding_box()["width"] >= 250  # big enough to scan off a laptop
    assert f"https://{ADDRESS}:{server.https_port}" in page.locator(".pairing .address").inner_text()
    screen(page, "00-pairing-page")
    _pair(page, server)
    _start_session(server)
    page.goto(server.url + "/session")
    assert page.evaluate("window.isSecureContext") and page.evaluate("location.protocol") == "https:"
    page.evaluate("window.scapulaPoseMode = 'frames'")
    panel = page.locator("section.coach")
    panel.get_by_role("button", name="Count this set from the camera").click()
    page.wait_for_function("() => document.querySelector('.coach .status').textContent === 'Tracking you'")
    # the phone's screen while the coach runs: preview, count and cue, nothing else
    assert page.locator("header.top").is_hidden() and panel.locator(".count .n").first.is_visible()
    size = panel.locator(".count .n").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 96, size  # 6 rem and more: readable from 2-3 m
    screen(page, "01-coach-frames-to-the-computer")
    page.wait_for_timeout(3000)
    result = _finish(page)
    assert result["live"]["mode"] == "video" and result["report"]["live"] == result["live"]
    assert result["frames"] >= 10
    # the person is in view most of the clip (off the box and walking away at the end)
    assert result["report"]["frames"]["with_person"] >= 0.6 * result["report"]["frames"]["total"]
    assert "frames analysed on the computer" in panel.locator(".status").inner_text()

    # the count, over the same secure socket: a clip with known reps, as landmark rows
    import orjson

    clip = make_clip(random_spec("reverse_fly", np.random.default_rng(7)), 7)
    rows = [orjson.loads(orjson.dumps(f.to_json(), option=orjson.OPT_SERIALIZE_NUMPY)) for f in clip.frames]
    expected = analyze(clip.header, [frame_from_json(r, "t", i) for i, r in enumerate(rows, 1)], "reverse_fly")
    assert len(expected.reps) > 0
    got = page.evaluate(
        "([h, rows]) => ScapulaCoach.feedLandmarks(document.querySelector('.coach'), h, rows)",
        [clip.header.to_json(), rows],
    )
    count = panel.locator(".count[data-side=both] .n").inner_text()
    assert int(count) == len(expected.reps) == got["report"]["reps"]["total"]
    panel.get_by_role("button", name="Use the camera's count").click()
    assert page.locator("#reps_both").input_value() == count
    screen(page, "02-count-used")


def test_the_pose_runs_on_the_phone_and_only_landmark_rows_go_out(https_server: HttpsServer, page) -> None:
    server = https_server
    _pair(page, server)
    _start_session(server)
    sent: list[str | bytes] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(server.url + "/session")
    panel = page.locator("section.coach")
    assert panel.get_attribute("data-pose-files") == "/static/mp/", "make install fetches the pose files"
    page.evaluate("window.scapulaPoseMode = 'phone'")
    panel.get_by_role("button", name="Count this set from the camera").click()
    # a few frames estimated in the page and answered by the server
    page.wait_for_function(
        "() => document.querySelector('.coach').coach.replies.filter(r => !r.skipped).length >= 4", timeout=180_000
    )
    assert "Pose found on this device" in panel.locator(".mode").inner_text()
    screen(page, "03-coach-pose-on-the-phone")
    result = _finish(page)
    assert result["live"] == {
        "mode": "landmarks",
        "pose": "@mediapipe/pose 0.5.1675469404 BlazePose full, in the browser",
    }
    assert "pose found on this device" in panel.locator(".status").inner_text()

    # what the socket carried: the hello, then §2 rows as text; not one binary message (no picture)
    assert sent and all(isinstance(m, str) for m in sent), [type(m) for m in sent]
    import json

    messages = [json.loads(m) for m in sent]
    assert messages[0]["type"] == "hello" and messages[0]["mode"] == "landmarks"
    rows = [m for m in messages if "image" in m]
    assert len(rows) >= 4 and set(rows[0]) == {"t", "image", "world"}
    found = [r for r in rows if r["image"] is not None]
    assert found, "the in-browser estimator found the person in none of the frames"
    assert all(len(r["image"]) == 33 and all(len(p) == 4 for p in r["image"]) for r in found)
    assert all(r["world"] is None or (len(r["world"]) == 33 and len(r["world"][0]) == 3) for r in found)
    times = [r["t"] for r in rows]
    assert times == sorted(times)
    # a person on their feet in the picture: hips inside it, shoulders above the hips
    points = np.array([r["image"] for r in found])
    hips, shoulders = points[:, 23:25, :2], points[:, 11:13, :2]
    assert ((hips > 0) & (hips < 1)).all(), hips
    assert (shoulders[:, :, 1].mean(axis=1) < hips[:, :, 1].mean(axis=1)).all()

    # on its own, the page measures its frame rate and keeps the pose on the phone only when fast enough
    page.evaluate("window.scapulaPoseMode = 'auto'")
    panel.get_by_role("button", name="Count this set from the camera").click()
    # the trial over (3 s after the first frame), and in frames mode a few frames answered
    page.wait_for_function(
        """() => { const c = document.querySelector('.coach').coach;
            return c.trialDone && (c.mode === 'phone' || c.replies.filter(r => !r.skipped).length >= 3); }""",
        timeout=180_000,
    )
    fps = float(panel.get_attribute("data-phone-fps"))
    mode_line = panel.locator(".mode").inner_text()
    screen(page, "04-coach-auto")
    result = _finish(page)
    if fps < 8:  # SwiftShader on two cores: far below (a phone's GPU is not)
        assert "Frames go to the computer" in mode_line and f"{fps:.1f} frames/s, too slow" in mode_line
        assert result["live"]["mode"] == "video" and result["frames"] >= 1  # JPEGs, the only thing video mode takes
    else:
        assert result["live"]["mode"] == "landmarks" and all(isinstance(m, str) for m in sent)


def test_plain_http_at_the_same_name_says_why_there_is_no_camera(tmp_path: Path, page) -> None:
    server = HttpsServer(tmp_path, tls=None)
    try:
        _pair(page, server)
        _start_session(server)
        page.goto(server.url + "/session")
        assert page.evaluate("window.isSecureContext") is False
        status = page.locator("section.coach .status")
        page.locator("section.coach").get_by_role("button", name="Count this set from the camera").click()
        text = status.inner_text()
        assert "No camera on this page" in text and "secure page" in text
        assert "scapula serve --host 0.0.0.0 --https" in text and f"http://{NAME}:{server.port}" in text
        assert "error" in status.get_attribute("class")
        screen(page, "05-plain-http-no-camera")
        page.goto(server.url + "/phone")
        assert "will give the page no camera" in " ".join(page.locator("main").inner_text().split())
    finally:
        server.stop()


def test_the_app_installs_and_its_shell_opens_offline(tmp_path: Path, tls: Path, page) -> None:
    server = HttpsServer(tmp_path, tls)
    try:
        _pair(page, server)
        page.goto(server.url + "/session")
        assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.scriptURL)").endswith("/sw.js")
        page.reload()  # now under the worker's control
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        cdp = page.context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
        cdp.detach()
        page.goto(server.url + "/session")  # the page the home-screen icon opens
    finally:
        server.stop()
    # the computer is gone: the app shell still opens, styled, with the last copy of the page
    page.reload()
    assert page.locator("header.top .brand").inner_text() == "Scapula"
    background = page.locator("header.top").evaluate("e => getComputedStyle(e).position")
    assert background == "sticky"  # app.css came from the cache
    screen(page, "06-offline")
    page.goto(f"https://{NAME}:{server.https_port}/progress")  # a page never visited: said plainly
    assert page.locator("h1").inner_text() == "Scapula cannot be reached"
